"""The HTTP protocol ``exchange serve`` runs: uvicorn's httptools protocol with a limit on the size
of a request's head (request line and headers).

httptools buffers a header until it is complete, with no limit: a 100 MB header, sent slowly,
grows a worker by 100 MB. Here the bytes of a request's head are counted as they arrive and, past
``EXCHANGE_MAX_HEADER_BYTES``, the request is answered 431 and the connection closed — memory is
bounded by the limit plus one read of the socket.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from exchange.config import get_settings


def _problem_431(limit: int) -> bytes:
    body = json.dumps({"type": "/problems/headers_too_large", "title": "Request header fields too large",
                       "status": 431, "detail": f"The request line and headers are larger than {limit} bytes",
                       "code": "headers_too_large"}).encode()
    return (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/problem+json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\nconnection: close\r\n\r\n" + body)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that refuses a request head over the configured size."""

    max_head_bytes = get_settings().max_header_bytes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head, self._head_bytes = True, 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
            self.logger.warning("request head over %d bytes refused", self.max_head_bytes)
            self.transport.write(_problem_431(self.max_head_bytes))
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0
