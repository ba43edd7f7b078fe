"""Every route declares the roles it allows; one before-request hook enforces it.

`allow("viewer")` admits every signed-in user; `allow("legal")` admits legal and admin;
admin is admitted everywhere. A route without a declaration is refused (and the
authorization-matrix test fails), so no endpoint is public by accident; public ones say
`allow_public`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, g, request

from service import errors
from service.auth.models import ROLES
from service.viewmarks import handler_of, mark

F = TypeVar("F", bound=Callable[..., Any])
_ATTR = "_xborder_roles"
PUBLIC = frozenset({"public"})
EVERYONE = frozenset(ROLES)


def allow(*roles: str) -> Callable[[F], F]:
    """Declare which roles may call a view (admin always may; 'viewer' means every role)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")
    allowed = EVERYONE if "viewer" in roles else frozenset({*roles, "admin"})

    return mark(_ATTR, allowed)


def allow_public(view: F) -> F:
    """Declare a view open to anyone, signed in or not."""
    return mark(_ATTR, PUBLIC)(view)


def declared_roles(app: Flask, endpoint: str, method: str) -> frozenset[str] | None:
    """The roles a route declares for a method, or None when it declares nothing."""
    if endpoint in app.extensions.get("xborder.public_endpoints", ()):
        return PUBLIC
    handler = handler_of(app, endpoint, method)
    roles = getattr(handler, _ATTR, None)
    return roles if roles is None else frozenset(roles)


def check_access(app: Flask) -> None:
    """401 without credentials, 403 with the wrong role; undeclared routes are refused."""
    if request.endpoint is None or request.method == "OPTIONS":
        return
    if request.endpoint == "static" or request.endpoint.endswith(".static"):
        return
    roles = declared_roles(app, request.endpoint, request.method)
    if roles is None:
        app.logger.error("route %s declares no roles; refusing", request.endpoint)
        raise errors.Forbidden("This route declares no access rule.")
    if roles == PUBLIC:
        return
    # A token's caller (identity.load_current_user) carries the role its check read, so the
    # User row is not loaded just to be let in.
    user = g.get("token_caller") or g.get("current_user")
    if user is None:
        raise errors.Unauthorized(
            "Sign in, or send a personal API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": 'Bearer realm="xborder"'},
        )
    if user.role not in roles:
        raise errors.Forbidden(f"Your role ({user.role}) may not do this.")
