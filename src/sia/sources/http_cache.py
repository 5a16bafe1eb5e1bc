"""A small HTTP layer for the live sources: retries with backoff, a response cache, offline mode.

httpx does the HTTP; what it does not do is keep responses keyed by the full query so that a
rebuild is reproducible, answer from that cache alone (``offline``), or list the requests
without sending them (``dry_run``). Those are written here. The cache is a folder of files
(``<sha256 of the URL>.body`` plus a ``.json`` with the URL, retrieval time and status) rather
than a database table, so that two ``sia fetch`` processes can share it without locking.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:  # httpx and platformdirs are imported when a request is made (``sia --help`` needs neither)
    import httpx


class FetchError(RuntimeError):
    """A live source could not be read (after retries), or the cache could not answer offline."""


def default_cache_dir() -> Path:
    """``$SIA_CACHE_DIR`` if set, else the user's cache directory for ``sia``."""
    env = os.environ.get("SIA_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("sia")) / "http"


def build_url(base: str, params: Mapping[str, str | int] | None = None) -> str:
    """A canonical URL: parameters sorted by name so that equal queries share one cache key."""
    if not params:
        return base
    return f"{base}?{urlencode(sorted((k, str(v)) for k, v in params.items()), safe=',:-')}"


@dataclass(frozen=True)
class CachedResponse:
    url: str
    body: bytes
    retrieved: str
    from_cache: bool


class HttpCache:
    """Fetch URLs through a response cache.

    Parameters
    ----------
    cache_dir
        Folder for cached responses (created on first write); ``None`` for :func:`default_cache_dir`.
    offline
        Answer from the cache only; a miss raises :class:`FetchError` naming the URL.
    dry_run
        Record the URLs that would be requested in :attr:`planned` and return empty bodies.
    client
        An ``httpx.Client`` (tests pass one with a ``MockTransport``).
    max_retries, backoff
        Retries on HTTP 429 and 5xx and on transport errors, waiting ``backoff * 2**attempt``
        seconds (or the server's ``Retry-After``) between tries.
    sleep
        The wait function (tests pass a no-op).
    """

    def __init__(
        self,
        cache_dir: str | Path | None = None,
        *,
        offline: bool = False,
        dry_run: bool = False,
        client: httpx.Client | None = None,
        max_retries: int = 4,
        backoff: float = 1.0,
        timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.offline = offline
        self.dry_run = dry_run
        self._client = client
        self.max_retries = max_retries
        self.backoff = backoff
        self.timeout = timeout
        self.sleep = sleep
        self.planned: list[str] = []
        self.requests_sent = 0

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.cache_dir / f"{key}.body", self.cache_dir / f"{key}.json"

    def cached(self, url: str) -> CachedResponse | None:
        body_path, meta_path = self._paths(url)
        if body_path.exists() and meta_path.exists():
            meta = json.loads(meta_path.read_text())
            return CachedResponse(url, body_path.read_bytes(), meta["retrieved"], True)
        return None

    def get(
        self,
        url: str,
        *,
        validate: Callable[[bytes], object] | None = None,
        secret_params: Mapping[str, str] | None = None,
    ) -> CachedResponse:
        """Return the body of ``url`` from the cache or the network.

        ``validate`` is called on a fresh body before it is cached; raising ``ValueError`` there
        (e.g. for a truncated response) counts as a failed try and is retried. ``secret_params``
        (an API key) are added to the request but not to the cache key.
        """
        hit = self.cached(url)
        if hit is not None:
            return hit
        if self.dry_run:
            self.planned.append(url)
            return CachedResponse(url, b"", "", False)
        if self.offline:
            raise FetchError(f"offline and not in the cache ({self.cache_dir}): {url}")
        send = url
        if secret_params:
            send = f"{url}{'&' if '?' in url else '?'}{urlencode(sorted(secret_params.items()))}"
        body = self._download(send, validate, shown=url)
        retrieved = datetime.now(UTC).isoformat(timespec="seconds")
        body_path, meta_path = self._paths(url)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = body_path.with_suffix(".part")
        tmp.write_bytes(body)
        tmp.replace(body_path)
        meta_path.write_text(json.dumps({"url": url, "retrieved": retrieved, "bytes": len(body)}))
        return CachedResponse(url, body, retrieved, False)

    def _download(self, url: str, validate: Callable[[bytes], object] | None, *, shown: str) -> bytes:
        import httpx

        client = self._client or httpx.Client(timeout=self.timeout, follow_redirects=True)
        last = ""
        try:
            for attempt in range(self.max_retries + 1):
                wait = self.backoff * 2**attempt
                try:
                    self.requests_sent += 1
                    response = client.get(url)
                except httpx.TransportError as exc:
                    last = f"network error {type(exc).__name__}: {exc}"
                else:
                    if response.status_code == 200:
                        try:
                            if validate is not None:
                                validate(response.content)
                            return response.content
                        except ValueError as exc:
                            last = f"invalid response: {exc}"
                    elif response.status_code == 429 or response.status_code >= 500:
                        last = f"HTTP {response.status_code}"
                        retry_after = response.headers.get("Retry-After", "")
                        if retry_after.isdigit():
                            wait = float(retry_after)
                    else:
                        raise FetchError(f"HTTP {response.status_code} for {shown}: {response.text[:300]}")
                if attempt < self.max_retries:
                    self.sleep(wait)
        finally:
            if self._client is None:
                client.close()
        raise FetchError(f"gave up after {self.max_retries + 1} tries ({last}): {shown}")
