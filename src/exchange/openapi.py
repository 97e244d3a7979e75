"""The OpenAPI document as committed in ``openapi/openapi.json``."""

from __future__ import annotations

import json

from exchange.config import Settings


def export() -> str:
    from exchange.app import create_app

    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", tick_interval_seconds=0))
    return json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
