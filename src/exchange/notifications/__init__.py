"""Notifications: every event told to the people who must act or who asked, in their language."""
