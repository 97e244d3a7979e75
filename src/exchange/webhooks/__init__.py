"""Webhooks: an organization's systems subscribe to events and receive them signed (Standard Webhooks)."""
