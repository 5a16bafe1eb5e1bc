"""Limits at the HTTP edge: the size of request bodies, and which address a request comes from.

* :class:`BodyLimit` (ASGI middleware) caps every request body. A declared ``Content-Length`` over the cap is
  refused with 413 before the application runs, so nothing of the body is read; a body without one (chunked
  transfer) is counted as it streams in and cut off with 413 as soon as it passes the cap. A route taking
  only small bodies lowers the cap for itself with :func:`restrict_body`. The 413 never echoes the body.
* :class:`ClientAddress` gives the address used by the rate limit and written to the audit log: the peer of
  the connection, or, only when that peer is a configured reverse proxy, the client it names in
  ``X-Forwarded-For``. No proxy is trusted by default, so the header is ignored and cannot be spoofed.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sia.app.service import AppError

DEFAULT_MAX_BODY = 4 * 1024 * 1024
"""Default cap of a request body: room for the largest valid payloads (a consultation of 500 themes, a
submission scoring every theme on every criterion with comments), and a bound on what one request costs."""
SMALL_BODY = 64 * 1024
"""Cap of the bodies of log-in, invitation and facilitator action end points."""
BUDGET_KEY = "sia.body_budget"
_LENGTH = re.compile(r"[0-9]{1,18}")


class BodyTooLarge(AppError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes; expected at most {limit}")
        self.limit = limit


@dataclass
class _Budget:
    limit: int
    received: int = 0


def content_length(headers: Iterable[tuple[bytes, bytes]]) -> int | None:
    """The declared body length, None if there is none; ValueError if it is not a plain decimal number."""
    for key, value in headers:
        if key.lower() == b"content-length":
            text = value.decode("latin-1").strip()
            if not _LENGTH.fullmatch(text):
                raise ValueError("malformed Content-Length header")
            return int(text)
    return None


async def _reply(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware capping request bodies at ``max_bytes`` (see the module docstring).

    Written by hand because the supported ``fastapi>=0.110`` predates Starlette's body-limit middleware, and
    that one lets the application run (and resolve the caller in the database) before it refuses a declared
    oversize length.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            length = content_length(scope["headers"])
        except ValueError as exc:
            await _reply(send, 400, str(exc))
            return
        if length is not None and length > self.max_bytes:
            await _reply(send, 413, BodyTooLarge(self.max_bytes).message)
            return
        budget = _Budget(self.max_bytes)
        scope[BUDGET_KEY] = budget
        started = False

        async def counted_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                budget.received += len(message.get("body", b""))
                if budget.received > budget.limit:
                    raise BodyTooLarge(budget.limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:  # raised outside a route (a route's error handler answers 413 itself)
            if started:
                raise
            await _reply(send, 413, exc.message)


def restrict_body(request: Request, max_bytes: int | None) -> int:
    """Lower the body cap of this request to ``max_bytes`` (None: keep the app's cap); returns the cap.

    A declared ``Content-Length`` over it is refused at once (413), before anything is read.
    """
    budget: _Budget | None = request.scope.get(BUDGET_KEY)
    limit = max_bytes if max_bytes is not None else (budget.limit if budget else DEFAULT_MAX_BODY)
    if budget is not None:
        budget.limit = limit = min(budget.limit, limit)
    try:
        length = content_length(request.scope["headers"])
    except ValueError:
        length = None  # BodyLimit answered 400 already; without it the counted read still applies
    if length is not None and length > limit:
        raise BodyTooLarge(limit)
    return limit


async def read_body(request: Request, max_bytes: int | None) -> bytes:
    """The request body, read up to the cap (413 beyond it)."""
    limit = restrict_body(request, max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


# ------------------------------------------------------------------------------------------- client address
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class ClientAddress:
    """The address a request comes from, for the rate limit and the audit log.

    The connection's peer address, unless the peer is one of the ``trusted`` proxies (IP addresses or networks
    such as ``10.0.0.0/8``). Then the ``X-Forwarded-For`` chain is read from the right, skipping the hops that
    are themselves trusted proxies; the first other address is the client (the leftmost one if every hop is
    trusted). A malformed entry ends the walk at the last trusted hop, so a proxy passing a forged value
    through gets the request attributed to the proxy, never to the forged address. With no trusted proxy (the
    default) the header is ignored.
    """

    def __init__(self, trusted: Iterable[str] = ()) -> None:
        networks = []
        for item in trusted:
            item = item.strip()
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"trusted proxy {item[:60]!r}: expected an IP address or network such as "
                                 "127.0.0.1 or 10.0.0.0/8") from None
        self.networks = tuple(networks)

    def trusts(self, address: Address) -> bool:
        return any(address in net for net in self.networks)

    def __call__(self, request: Request) -> str:
        peer = request.client.host if request.client else ""
        current = _address(peer) if self.networks else None
        if current is None or not self.trusts(current):
            return peer or "unknown"
        hops = [h for value in request.headers.getlist("x-forwarded-for") for h in value.split(",")]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break
            current = address
            if not self.trusts(address):
                break
        return str(current)


def parse_trusted_proxies(text: str) -> list[str]:
    """``SIA_TRUSTED_PROXIES``: comma- or space-separated addresses and networks."""
    return [x for x in re.split(r"[,\s]+", text) if x]
