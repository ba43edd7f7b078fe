"""Who is calling: a Bearer token or the signed-in session, resolved before each request."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface

from service.auth import csrf, limits, permissions
from service.auth.models import User
from service.auth.services import (
    authenticate,
    authenticate_token,
    end_sessions,
    note_token_use,
    session_fingerprint,
)
from service.db import get_session

SESSION_USER = "user_id"
SESSION_FINGERPRINT = "auth"


def load_current_user() -> None:
    """Put the caller's User (or None) in g.current_user and how they proved it in g.auth_method."""
    g.current_user = None
    g.auth_method = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        db = get_session()
        found = authenticate_token(session=db, plain=header[7:].strip(), note_use=False)
        if found is not None:
            if note_token_use(session=db, token=found[1]):
                # At most once a minute per token: the edge keeps last_used_at, and the view
                # starts a fresh transaction. Otherwise the view reads on in this one.
                db.commit()
            g.current_user, g.auth_method = found[0], "token"
        return
    user_id = session.get(SESSION_USER)
    if user_id is not None:
        user = get_session().get(User, user_id)
        if (
            user is not None
            and not user.disabled
            and session.get(SESSION_FINGERPRINT) == session_fingerprint(user)
        ):
            g.current_user, g.auth_method = user, "session"


def local_path(target: str | None) -> str | None:
    """target if it is a path on this site, else None (no open redirect, no header injection).

    Only a single leading slash: `//evil.com`, `///evil.com` and `/\\evil.com` name another
    host to a browser; no backslash, control character (CR, LF, tab: browsers drop them, and
    a newline cannot go into a Location header) or scheme anywhere.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def check_credentials(email: str, password: str) -> User | None:
    """The active user with these credentials, else None; the attempt is audited and
    committed either way (for the API's and the page's sign-in alike)."""
    db = get_session()
    user = authenticate(session=db, email=email, password=password, client=request.remote_addr)
    db.commit()
    return user


def sign_in(user: User) -> str:
    """Start a fresh session for user (no data carried over); returns the new CSRF token."""
    session.clear()
    session[SESSION_USER] = user.id
    session[SESSION_FINGERPRINT] = session_fingerprint(user)
    g.current_user, g.auth_method = user, "session"
    return csrf.rotate()


def sign_out() -> None:
    """End this session and, server-side, every other session of the user (commit after)."""
    user = g.get("current_user")
    if user is not None and g.get("auth_method") == "session":
        end_sessions(session=get_session(), user=user)
    session.clear()
    g.current_user, g.auth_method = None, None


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie; Secure when SESSION_COOKIE_SECURE says so or the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return has_request_context() and request.is_secure


def init_app(app: Flask) -> None:
    """Resolve the caller, check the route's declared roles and CSRF, before every request."""
    # Flask's defaults are HttpOnly without SameSite; ours are HttpOnly and SameSite=Lax.
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.session_interface = _SessionInterface()
    app.before_request(load_current_user)
    app.before_request(lambda: permissions.check_access(app))
    csrf.init_app(app)
    app.extensions["xborder.limiter"] = limits.init_app(app)
