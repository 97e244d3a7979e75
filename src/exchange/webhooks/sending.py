"""Signing (Standard Webhooks, with the ``standardwebhooks`` package) and one HTTP attempt."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import secrets
import ssl
import time
from dataclasses import dataclass

import httpcore
from standardwebhooks.webhooks import Webhook

from exchange.webhooks.guard import AddressNotAllowed, GuardedBackend, Resolver, system_resolve

USER_AGENT = "exchange-webhooks/1"


def new_secret() -> str:
    """A fresh signing secret, ``whsec_`` and 32 random bytes in base64 (the Standard Webhooks form)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, message_id: str, body: str) -> dict[str, str]:
    """``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` for ``body``.

    The timestamp is the wall clock of the sending machine (not the application clock that tests move):
    receivers compare it with their own clock to refuse replays."""
    sent = dt.datetime.fromtimestamp(int(time.time()), dt.UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, sent, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


@dataclass
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post(
    url: str, body: str, headers: dict[str, str], *, timeout_seconds: float, allow_private: bool,
    resolve: Resolver = system_resolve, ssl_context: ssl.SSLContext | None = None,
) -> Outcome:
    """POST ``body`` once; never raises for what the receiver or the network does."""
    started = time.perf_counter()
    timeout = timeout_seconds

    def done(status: int | None, error: str | None) -> Outcome:
        return Outcome(status, error, int((time.perf_counter() - started) * 1000))

    backend = GuardedBackend(allow_private=allow_private, resolve=resolve)
    limits = {"connect": timeout, "read": timeout, "write": timeout, "pool": timeout}
    try:
        async with httpcore.AsyncConnectionPool(network_backend=backend, retries=0, ssl_context=ssl_context) as pool:
            async with asyncio.timeout(timeout):
                response = await pool.request(
                    "POST", url, headers=list(headers.items()), content=body.encode(), extensions={"timeout": limits}
                )
    except AddressNotAllowed as exc:
        return done(None, f"address_not_allowed: {exc}")
    except TimeoutError:
        return done(None, f"timeout after {timeout:g} s")
    except httpcore.TimeoutException as exc:
        return done(None, f"timeout: {exc or type(exc).__name__}")
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol, OSError) as exc:
        return done(None, f"{type(exc).__name__}: {exc}"[:500])
    return done(response.status, None)
