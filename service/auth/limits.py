"""Rate limits (flask-limiter) for sign-in and token endpoints, declared on the view.

One Limiter per app; storage from RATELIMIT_STORAGE_URI (memory:// by default, redis://...
when several workers must share counts). A view opts in with `@rate_limited("login")`; the
limit string comes from config (RATELIMIT_LOGIN, RATELIMIT_TOKENS), counted per client
address and route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

F = TypeVar("F", bound=Callable[..., Any])
_ATTR = "_xborder_rate_limit"
DEFAULTS = {"RATELIMIT_LOGIN": "10 per minute", "RATELIMIT_TOKENS": "30 per minute"}
_CONFIG_KEY = {"login": "RATELIMIT_LOGIN", "tokens": "RATELIMIT_TOKENS"}


def rate_limited(kind: str) -> Callable[[F], F]:
    """Mark a view method as counted against the `kind` limit ('login' or 'tokens')."""
    if kind not in _CONFIG_KEY:
        raise ValueError(f"unknown rate limit {kind!r}")

    def decorate(view: F) -> F:
        setattr(view, _ATTR, kind)
        return view

    return decorate


def _kind() -> str | None:
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class else view
    kind: str | None = getattr(handler, _ATTR, None)
    return kind


def _limit_value() -> str:
    kind = _kind()
    return str(current_app.config[_CONFIG_KEY[kind]]) if kind else "1000000 per second"


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
