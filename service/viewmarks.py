"""What a view declares about itself (its roles, rate limit, uploads, body limit): a decorator
marks the view function or MethodView method, a request hook reads the mark of the handler
the request reaches. A leaf module: api.py and auth/ import it, it imports none of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])


def mark(attr: str, value: Any) -> Callable[[F], F]:
    """A decorator recording `value` under `attr` on the view it decorates."""

    def decorate(view: F) -> F:
        setattr(view, attr, value)
        return view

    return decorate


def handler_of(app: Flask, endpoint: str | None, method: str) -> Callable[..., Any] | None:
    """The function a request to `endpoint` with `method` reaches: the MethodView's method of
    that name (its `get` for a HEAD it does not define, as MethodView answers it), else the
    view function; None for an unknown endpoint or a method the class does not define."""
    view = app.view_functions.get(endpoint or "")
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return handler
