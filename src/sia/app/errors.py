"""Error responses: ``{"detail": message}`` on the API, the message page elsewhere; short, never echoing input.

FastAPI's own validation errors (path and query parameters) carry the offending input (``input``, ``ctx``);
they are rewritten to the same short ``field: what was expected`` message as the app's own errors, so an
error response stays small whatever was sent.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sia.app.deps import lookup_web_principal, render
from sia.app.service import AppError, Invalid


def _validation_message(exc: RequestValidationError, max_errors: int = 5) -> str:
    parts = []
    for e in exc.errors()[:max_errors]:
        where = " ".join(str(x) for x in e.get("loc", ()))
        msg = str(e.get("msg", "invalid value"))[:200]
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts) or "invalid request"


async def app_error(request: Request, exc: AppError) -> Response:
    settings = request.app.state.settings
    headers = {"Retry-After": str(settings.limiter.retry_after())} if exc.status == 429 else {}
    if exc.status == 413:
        headers["Connection"] = "close"  # the rest of the body is not read
    if request.url.path.startswith("/api/"):
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse({"detail": exc.message}, status_code=exc.status, headers=headers)
    who = None
    if exc.status not in (401, 413):
        try:
            who = await run_in_threadpool(lookup_web_principal, request)
        except Exception:
            who = None
    resp = render(request, "message.html", who, status=exc.status, title=f"Error {exc.status}", message=exc.message)
    resp.headers.update(headers)
    return resp


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    return await app_error(request, Invalid(_validation_message(exc)))


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
