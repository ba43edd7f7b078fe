"""Rate limits (flask-limiter) for sign-in and token endpoints, declared on the view.

One Limiter per app; storage from RATELIMIT_STORAGE_URI (memory:// by default, redis://...
when several workers must share counts). A view opts in with `@rate_limited("login")`; the
limit string comes from config (RATELIMIT_LOGIN, RATELIMIT_TOKENS), counted per client
address and route. With memory:// storage and several gunicorn workers (RATELIMIT_PROCESSES,
set by `serve`), each worker enforces its share of every limit and `serve` warns at start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from service.viewmarks import handler_of, mark

F = TypeVar("F", bound=Callable[..., Any])
_ATTR = "_xborder_rate_limit"
DEFAULTS = {"RATELIMIT_LOGIN": "10 per minute", "RATELIMIT_TOKENS": "30 per minute"}
_CONFIG_KEY = {"login": "RATELIMIT_LOGIN", "tokens": "RATELIMIT_TOKENS"}


def rate_limited(kind: str) -> Callable[[F], F]:
    """Mark a view method as counted against the `kind` limit ('login' or 'tokens')."""
    if kind not in _CONFIG_KEY:
        raise ValueError(f"unknown rate limit {kind!r}")

    return mark(_ATTR, kind)


def _kind() -> str | None:
    handler = handler_of(current_app, request.endpoint, request.method)
    kind: str | None = getattr(handler, _ATTR, None)
    return kind


def shared_storage(config: Mapping[str, Any]) -> bool:
    """Whether the limit counts live where every worker process sees them (not memory://)."""
    return not str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory")


def per_process(limit: str, processes: int) -> str:
    """A limit string with each count divided among processes that do not share counts
    ("10 per minute" over 2 workers: 5 per minute each), so that together they hold it."""
    if processes <= 1:
        return limit

    def divide(part: str) -> str:
        match = re.match(r"\s*(\d+)(.*)", part)
        if match is None:
            return part
        return f"{max(1, int(match.group(1)) // processes)}{match.group(2)}"

    return ";".join(divide(part) for part in limit.split(";"))


def worker_warning(config: Mapping[str, Any], workers: int) -> str | None:
    """What `serve` prints when several workers would each keep their own counts."""
    if workers <= 1 or shared_storage(config):
        return None
    return (
        f"xborder: rate limits are counted in memory, per worker: each of the {workers} "
        f"workers allows 1/{workers} of every limit, so that together they hold it. Set "
        "XBORDER_RATELIMIT_STORAGE_URI=redis://host:6379 to share one count."
    )


def _limit_value() -> str:
    kind = _kind()
    if not kind:
        return "1000000 per second"
    limit = str(current_app.config[_CONFIG_KEY[kind]])
    if shared_storage(current_app.config):
        return limit
    return per_process(limit, int(current_app.config.get("RATELIMIT_PROCESSES") or 1))


def init_app(app: Flask) -> Limiter:
    """Create the app's Limiter; only views marked with rate_limited are counted."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "xborder")
    limiter = Limiter(
        get_remote_address,
        default_limits=[_limit_value],
        default_limits_exempt_when=lambda: _kind() is None,
    )
    # Routes without a limit leave at the limiter's first check, before it looks for limits.
    limiter.request_filter(lambda: _kind() is None)
    limiter.init_app(app)
    return limiter
