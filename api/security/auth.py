"""Callers of the HTTP API: API keys, the groups they may read, and a per-caller rate limit.

Keys come from `TPA_API_KEYS` and/or `TPA_API_KEYS_FILE` (the same JSON shape). Only their
SHA-256 digests are kept in memory and compared, so a lookup's timing says nothing about the key.
With no keys configured the API is open, which is only allowed on a loopback address unless
`TPA_ALLOW_ANONYMOUS` says open access is intended.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import re
import threading
import time
from dataclasses import dataclass, replace

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter, ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.access import Caller
from assistant.config import ApiKey, Settings

_KEYS = TypeAdapter(dict[str, ApiKey])


class AuthConfigError(RuntimeError):
    """The key configuration is unusable, or open access was not asked for: do not serve."""


@dataclass(frozen=True)
class KeyRing:
    by_digest: dict[str, ApiKey]

    @property
    def enabled(self) -> bool:
        return bool(self.by_digest)

    def lookup(self, key: str) -> ApiKey | None:
        return self.by_digest.get(_digest(key))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def load_keys(settings: Settings) -> KeyRing:
    """All configured keys; a keys file that is missing or malformed stops the server."""
    keys = dict(settings.api_keys)
    if settings.api_keys_file is not None:
        path = settings.api_keys_file
        try:
            keys.update(_KEYS.validate_python(json.loads(path.read_text(encoding="utf-8"))))
        except OSError as exc:
            raise AuthConfigError(f"cannot read TPA_API_KEYS_FILE {path}: {exc}") from exc
        except (ValueError, ValidationError) as exc:
            raise AuthConfigError(
                f'TPA_API_KEYS_FILE {path} is not {{"<key>": {{"name": ..., "groups": [...]}}}}: '
                f"{str(exc).splitlines()[0]}"
            ) from exc
    names: dict[str, int] = {}
    for key, entry in keys.items():
        if not key.strip():
            raise AuthConfigError("an API key must not be empty")
        names[entry.name] = names.get(entry.name, 0) + 1
    # A caller's name keys its conversations, rate budget and audit lines: two keys under one
    # name could share what only one of them may see.
    shared = sorted(n for n, count in names.items() if count > 1)
    if shared:
        raise AuthConfigError(f"API key names must be unique; used more than once: {shared}")
    return KeyRing({_digest(k): v for k, v in keys.items()})


def caller_group_sets(settings: Settings, keys: KeyRing) -> list[tuple[str, ...]]:
    """The group sets this server's callers read with: each key's, the anonymous caller's
    when there are no keys (with keys, anonymous requests are refused), and Slack's channels'
    when Slack is set up (what start-up warms, `Assistant.warm`)."""
    sets = [] if keys.enabled else [tuple(settings.anonymous_groups)]
    sets += [tuple(entry.groups) for entry in keys.by_digest.values()]
    if settings.slack_bot_token and settings.slack_signing_secret:
        sets.append(tuple(settings.slack_default_groups))
        sets += [tuple(g) for g in settings.slack_channel_groups.values()]
    return sets


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings, keys: KeyRing, host: str) -> None:
    """Refuse to serve without keys on a non-loopback address unless asked to."""
    if keys.enabled or settings.allow_anonymous or is_loopback(host):
        return
    raise AuthConfigError(
        f"refusing to serve on {host} without API keys: set TPA_API_KEYS (or TPA_API_KEYS_FILE), "
        "or TPA_ALLOW_ANONYMOUS=1 if open access is intended"
    )


class RateLimiter:
    """A token bucket per caller: `per_minute` requests a minute, bursts up to that many."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, who: str) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(who, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[who] = (tokens - 1.0, now)
                if len(self._buckets) > 10_000:
                    self._forget_refilled(now)
                return 0.0
            self._buckets[who] = (tokens, now)
            return (1.0 - tokens) / self.rate

    def _forget_refilled(self, now: float) -> None:
        """Drop buckets that are full again by now: a missing bucket starts full anyway."""
        self._buckets = {
            k: (tokens, last)
            for k, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * self.rate < self.capacity
        }


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=401, detail=detail, headers={"WWW-Authenticate": 'Bearer realm="tpa"'}
    )


def resolve_caller(request: Request, surface: str = "api") -> Caller:
    """The caller of a request, after the key check and the rate limit (401, 403, 429)."""
    state = request.app.state
    settings: Settings = state.settings
    keys: KeyRing = state.keys
    client = request.client.host if request.client else "unknown"
    if keys.enabled:
        token = _bearer(request)
        if token is None:
            raise _unauthorized("missing API key: send 'Authorization: Bearer <key>'")
        entry = keys.lookup(token)
        if entry is None:
            raise _unauthorized("invalid API key")
        caller = Caller(entry.name, tuple(entry.groups), surface)
        bucket = f"key:{entry.name}"
    else:
        server = request.scope.get("server") or ("", 0)
        if not settings.allow_anonymous and not is_loopback(str(server[0])):
            raise HTTPException(
                status_code=403,
                detail="no API keys are configured and this address is not loopback: "
                "anonymous access is refused (see TPA_ALLOW_ANONYMOUS)",
            )
        caller = Caller(f"anonymous@{client}", tuple(settings.anonymous_groups), surface)
        bucket = f"ip:{client}"
    wait = state.rate_limiter.take(bucket)
    if wait > 0:
        raise HTTPException(
            status_code=429,
            detail=f"rate limit of {settings.rate_limit_per_minute} requests a minute reached",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )
    return caller


_HINT = re.compile(r"[a-z][a-z0-9_-]{0,31}")


def client_hint(request: Request) -> str | None:
    """What the client says it is (`X-TPA-Surface`; the web page sends "web").

    Anyone can send the header, so it is never the audit's `surface` (which is what the server
    knows: a request over HTTP is "api"); it is kept as `client_hint`, and only as a short
    lowercase token, so a header cannot smuggle text into the trail."""
    raw = request.headers.get("x-tpa-surface", "").strip().lower()
    return raw if _HINT.fullmatch(raw) else None


def _caller_for(request: Request) -> Caller:
    """The caller, tagged with what the server knows of the request and what the client said."""
    caller = resolve_caller(request)
    return replace(caller, route=request.url.path, client_hint=client_hint(request))


class Authenticate:
    """Pure ASGI middleware: every /v1/ request is authenticated and rate-limited before its
    body is read or parsed, so a stranger gets 401 (not 413, 422 or 503) and costs nothing."""

    def __init__(self, app: ASGIApp, prefix: str = "/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            caller = _caller_for(request)
        except HTTPException as exc:
            response = JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)


def get_caller(request: Request) -> Caller:
    """FastAPI dependency: the caller the middleware resolved (or resolved here, off /v1/)."""
    caller = getattr(request.state, "caller", None)
    if isinstance(caller, Caller):
        return caller
    return _caller_for(request)
