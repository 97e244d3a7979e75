"""Reminders from the clock, each sent once: a bid deadline within 24 h, a milestone due within 3 days,
a standstill ending within 24 h, a need unanswered for 7 days. Each is an event, told like any other."""
