"""OpenAI's error shape under the OpenAI-compatible paths.

OpenAI clients read `{"error": {"message", "type", "param", "code"}}`: given FastAPI's
`{"detail": ...}` the official client's message is only "Error code: 401", and chat UIs show
nothing useful. The product's own routes keep `{"detail": ...}`, so rather than a second set of
exception handlers (which would also miss the 401, 413, 429 and 503 that middleware sends before
any route runs), one pure ASGI middleware rewrites error responses on these paths only, whoever
produced them. Statuses and headers (`WWW-Authenticate`, `Retry-After`) are kept.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

OPENAI_PATHS = ("/v1/chat/completions", "/v1/models")

# OpenAI's `type` and default `code` by status (its own 401 is an "invalid_request_error" with
# code "invalid_api_key"; validation errors are reported as invalid requests).
_KINDS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "not_found"),
    413: ("invalid_request_error", "request_too_large"),
    422: ("invalid_request_error", "invalid_value"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
}


def openai_paths(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in OPENAI_PATHS)


def request_error(
    status: int, message: str, param: str | None = None, code: str | None = None
) -> HTTPException:
    """An error a route raises with its own `param` and `code` (the middleware shapes it)."""
    return HTTPException(status, detail={"message": message, "param": param, "code": code})


def _loc(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p != "body"]
    out = ""
    for p in parts:
        out += f"[{p}]" if p.isdigit() else (f".{p}" if out else p)
    return out


def error_body(status: int, detail: Any) -> dict[str, Any]:
    """`{"error": ...}` for a status and whatever `detail` the app gave."""
    kind, code = _KINDS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None)
    )
    param: str | None = None
    if isinstance(detail, dict) and "message" in detail:
        message = str(detail["message"])
        param = detail.get("param")
        code = detail.get("code") or code
    elif isinstance(detail, list) and detail and all(isinstance(e, dict) for e in detail):
        # FastAPI's validation errors: name every field, the first one as `param`.
        named = [(_loc(list(e.get("loc", []))), str(e.get("msg", ""))) for e in detail]
        message = "; ".join(f"{where}: {msg}" if where else msg for where, msg in named)
        param = named[0][0] or None
    else:
        message = str(detail) if detail not in (None, "") else f"HTTP {status}"
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


class OpenAIErrors:
    """Rewrites every error response (status >= 400) under OPENAI_PATHS into OpenAI's shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not openai_paths(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = b""

        async def shaped_send(message: Message) -> None:
            nonlocal start, body
            if message["type"] == "http.response.start" and message["status"] >= 400:
                start = message  # held until its body is complete
                return
            if start is None:
                await send(message)
                return
            body += message.get("body", b"")
            if message.get("more_body", False):
                return
            await self._send_shaped(start, body, send)

        await self.app(scope, receive, shaped_send)

    @staticmethod
    async def _send_shaped(start: Message, body: bytes, send: Send) -> None:
        status = int(start["status"])
        try:
            parsed = json.loads(body or b"null")
        except ValueError:
            parsed = body.decode("utf-8", "replace")
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            shaped = parsed  # already OpenAI-shaped
        else:
            detail = parsed.get("detail") if isinstance(parsed, dict) else parsed
            shaped = error_body(status, detail)
        out = json.dumps(shaped, ensure_ascii=True).encode("ascii")
        headers = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-length", b"content-type")
        ]
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(out)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": out})
