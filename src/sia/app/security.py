"""Secrets, rate limits and HTTP security headers of the consultation app.

* Every secret handed out (invitation token, session cookie, participant API token) is
  ``secrets.token_urlsafe(32)`` (256 bits) and only its sha256 hex digest is stored, so a copy of the
  database grants no access. sha256 without salt is enough for 256-bit random secrets (no dictionary to
  try); the facilitator's ``SIA_ADMIN_TOKEN`` is compared digest-to-digest with :func:`hmac.compare_digest`.
* :class:`TokenBucket` is an in-process rate limiter keyed by client address: ``capacity`` requests at
  once, refilled at ``rate`` per second. It protects the token endpoints (log-in, invitation accept) and
  every request that presents an unknown bearer token. It is per server process (documented limit: run
  one process, or put a shared limiter in the reverse proxy).
* :class:`SecurityHeaders` (pure ASGI middleware) draws a per-request CSP nonce (``scope["state"]``) and
  sets Content-Security-Policy without ``unsafe-inline`` (the inlined script and style carry the nonce),
  X-Content-Type-Options, X-Frame-Options, Referrer-Policy ``no-referrer`` (invitation links never leak
  through the Referer header), Cross-Origin-Opener-Policy, Permissions-Policy and ``Cache-Control:
  no-store``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def new_secret() -> str:
    """A fresh 256-bit URL-safe secret."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """sha256 hex digest under which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_secret(given: str, expected_digest: str) -> bool:
    """Constant-time check that ``given`` hashes to ``expected_digest``."""
    return hmac.compare_digest(digest(given), expected_digest)


class TokenBucket:
    """Thread-safe token buckets, one per key: ``capacity`` burst, ``rate`` tokens per second."""

    def __init__(self, capacity: float = 20.0, rate: float = 0.5, max_keys: int = 10_000) -> None:
        self.capacity = float(capacity)
        self.rate = float(rate)
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, cost: float = 1.0) -> bool:
        """Take ``cost`` tokens from ``key``'s bucket; False (and nothing taken) if there are too few."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            ok = tokens >= cost
            if ok:
                tokens -= cost
            if len(self._buckets) >= self.max_keys and key not in self._buckets:
                self._buckets.clear()  # bounded memory: forget everyone rather than grow without limit
            self._buckets[key] = (tokens, now)
            return ok

    def retry_after(self) -> int:
        return max(1, int(round(1.0 / self.rate))) if self.rate > 0 else 60


def csp(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding the security headers and the CSP nonce (``request.state.csp_nonce``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = csp(nonce)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_secret_plain(given: str, expected: str) -> bool:
    """Constant-time equality of two plain secrets (CSRF tokens)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
