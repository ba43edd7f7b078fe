"""Who is calling: a Bearer token or the signed-in session, resolved before each request."""

from __future__ import annotations

from flask import Flask, g, request, session

from service.auth import permissions
from service.auth.models import User
from service.auth.services import user_for_token
from service.db import get_session


def load_current_user() -> None:
    """Put the caller's User (or None) in g.current_user."""
    g.current_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.current_user = user_for_token(session=get_session(), plain=header[7:].strip())
        return
    user_id = session.get("user_id")
    if user_id is not None:
        user = get_session().get(User, user_id)
        if user is not None and not user.disabled:
            g.current_user = user


def init_app(app: Flask) -> None:
    """Resolve the caller, then check the route's declared roles, before every request."""
    app.before_request(load_current_user)
    app.before_request(lambda: permissions.check_access(app))
