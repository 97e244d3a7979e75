"""Machinery shared by the three lists: region overlap, Chinese text search, permissions, states."""
