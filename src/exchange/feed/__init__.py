"""The event feed for apps: ``GET /events`` (with long-polling) and ``GET /events/stream`` (SSE)."""
