"""Where a webhook may be delivered: the URL rules and the address check made at connect time.

A subscription's URL is checked when it is saved (https, or http to loopback in dev only; no literal
private address unless ``EXCHANGE_WEBHOOK_ALLOW_PRIVATE``). That is not enough: a name can resolve to a
public address when it is saved and to ``127.0.0.1`` or ``169.254.169.254`` when it is delivered to
(DNS rebinding). So delivery resolves the name once, keeps only the addresses that are allowed, and
connects to one of *those* addresses; TLS still checks the certificate against the name (SNI) and the
``Host`` header still carries the name, because the HTTP client is given the URL unchanged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore

from exchange.errors import invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


class AddressNotAllowed(httpcore.ConnectError):
    """The name resolved only to addresses that webhooks may not reach."""


def _ip(value: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(value.strip("[]").split("%")[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def address_allowed(address: str, *, allow_private: bool) -> bool:
    """A globally routable unicast address; anything (parseable) when private addresses are allowed."""
    ip = _ip(address)
    if ip is None:
        return False
    if allow_private:
        return True
    return ip.is_global and not ip.is_multicast


def _is_loopback_host(host: str) -> bool:
    ip = _ip(host)
    return host == "localhost" or host.endswith(".localhost") or (ip is not None and ip.is_loopback)


def check_url(url: str, *, env: str, allow_private: bool) -> str:
    """The URL if a subscription may use it; 422 ``webhook_url_not_allowed`` otherwise."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()

    def refuse(zh: str, en: str) -> Exception:
        return invalid(["body", "url"], zh, en, code="webhook_url_not_allowed")

    if not host or parts.username or parts.password:
        raise refuse("地址应为 https://主机/路径，且不含用户名和密码", "The URL must be https://host/path without credentials")
    try:
        parts.port  # noqa: B018 — a malformed port raises here
    except ValueError as exc:
        raise refuse("端口无效", "The port is not valid") from exc
    if parts.scheme == "http":
        if env != "dev" or not _is_loopback_host(host):
            raise refuse("只接受 https 地址（仅开发环境可用 http 访问本机）",
                         "Only https URLs are accepted (http only to loopback, in dev)")
    elif parts.scheme != "https":
        raise refuse("只接受 https 地址", "Only https URLs are accepted")
    literal = _ip(host)
    local = _is_loopback_host(host) or (literal is not None and not address_allowed(host, allow_private=False))
    if local and not allow_private:
        raise refuse("不允许推送到内网、本机或链路本地地址", "Private, loopback and link-local addresses are not allowed")
    return url


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to allowed addresses (checked at connect time)."""

    def __init__(self, *, allow_private: bool, resolve: Resolver = system_resolve) -> None:
        self.allow_private = allow_private
        self.resolve = resolve
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,  # noqa: ASYNC109 (httpcore interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = [host] if _ip(host) is not None else await self.resolve(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        allowed = [a for a in dict.fromkeys(addresses) if address_allowed(a, allow_private=self.allow_private)]
        if not allowed:
            raise AddressNotAllowed(f"{host} resolves only to addresses webhooks may not reach")
        last: Exception | None = None
        for address in allowed:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise AddressNotAllowed("webhooks are delivered over TCP only")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
