"""Structured logs: one JSON object per line, each carrying the request id of the request it belongs to.

The request id is the caller's ``X-Request-ID`` when it is sane (≤ 64 characters of letters, digits,
``.``, ``_``, ``-``), otherwise a new one; it is answered as ``X-Request-ID`` and set on every log
record written while the request runs (a context variable), so one request's lines can be found
across the log.
"""

from __future__ import annotations

import contextvars
import logging
import re
from typing import Any

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def accept_request_id(value: str | None) -> str | None:
    return value if value is not None and _SANE_ID.match(value) else None


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def uvicorn_log_config(log_format: str) -> dict[str, Any]:
    """A logging configuration for uvicorn and the application: JSON lines, or plain text for a terminal."""
    if log_format == "json":
        formatter = {"()": "pythonjsonlogger.json.JsonFormatter",
                     "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                     "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}}
    else:
        formatter = {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    return {
        "version": 1, "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "exchange.kit.logs.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {"default": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"],
                                 "stream": "ext://sys.stderr"}},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "exchange": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }
