"""Who is calling: a Bearer token or the signed-in session, resolved before each request."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request, session
from flask.ctx import _AppCtxGlobals
from flask.sessions import SecureCookieSessionInterface

from service import errors
from service.auth import csrf, limits, permissions
from service.auth.models import User
from service.auth.services import (
    ValidToken,
    authenticate,
    check_token,
    end_sessions,
    note_token_use,
    session_fingerprint,
)
from service.db import get_session

SESSION_USER = "user_id"
SESSION_FINGERPRINT = "auth"


def load_current_user() -> None:
    """Say who is calling and how they proved it (g.auth_method: "token" or "session").

    A token's caller is `g.token_caller` (its id, email and role, from the token check); their
    User is loaded into g.current_user when first asked for (RequestGlobals). A session's user
    is loaded at once; without credentials g.current_user is None.
    """
    g.pop("token_caller", None)
    g.current_user = None
    g.auth_method = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        db = get_session()
        found = check_token(session=db, plain=header[7:].strip())
        if found is not None:
            if note_token_use(session=db, token=found):
                # At most once a minute per token: the edge keeps last_used_at, and the view
                # starts a fresh transaction. Otherwise the view reads on in this one.
                db.commit()
            del g.current_user  # loaded on first use
            g.token_caller, g.auth_method = found, "token"
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


def _token_user(caller: ValidToken) -> User:
    """The User a checked token speaks for, in the request's session."""
    user = get_session().get(User, caller.user_id)
    if user is None or user.disabled:  # disabled or deleted since the check, in this request
        raise errors.Unauthorized(
            "This token's user is no longer active.",
            headers={"WWW-Authenticate": 'Bearer realm="xborder"'},
        )
    return user


class RequestGlobals(_AppCtxGlobals):
    """Flask's `g`, where a token caller's User is loaded on first use of g.current_user.

    The token check reads the caller's id, email and role, which is all that the access
    check and most API reads need; views, the audit trail and templates that use
    g.current_user (or g.get("current_user")) get the User row, loaded once per request.
    """

    def __getattr__(self, name: str) -> Any:
        caller = self.__dict__.get("token_caller")
        if name == "current_user" and caller is not None:
            user = self.__dict__["current_user"] = _token_user(caller)
            return user
        return super().__getattr__(name)

    def get(self, name: str, default: Any | None = None) -> Any:
        if name == "current_user" and name not in self.__dict__ and self._token_caller_set():
            return getattr(self, name)
        return self.__dict__.get(name, default)

    def __contains__(self, item: str) -> bool:
        return item in self.__dict__ or (item == "current_user" and self._token_caller_set())

    def _token_caller_set(self) -> bool:
        """Whether a checked token names the caller (whose User may not be loaded yet)."""
        return self.__dict__.get("token_caller") is not None


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
    app.app_ctx_globals_class = RequestGlobals
    app.before_request(load_current_user)
    app.before_request(lambda: permissions.check_access(app))
    csrf.init_app(app)
    app.extensions["xborder.limiter"] = limits.init_app(app)
