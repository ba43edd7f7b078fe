"""CSRF protection for requests that a browser's cookie authenticates.

A random token lives in the signed session; forms send it as the `csrf_token` field and
scripts as the `X-CSRF-Token` header. State-changing requests authenticated by the session
cookie must carry it, and so must form posts without a session user (the login form), so a
foreign page can neither act as a signed-in user nor sign the browser in as someone else.
Requests with `Authorization: Bearer` carry no ambient credentials and are exempt.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, g, request, session

from service import errors

SESSION_KEY = "csrf_token"
HEADER = "X-CSRF-Token"
FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})


def csrf_token() -> str:
    """The session's CSRF token, created on first use (a Jinja global for forms)."""
    token = session.get(SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return str(token)


def rotate() -> str:
    """A fresh CSRF token (after sign-in), so one seen before sign-in is useless after."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(session[SESSION_KEY])


def _needs_token() -> bool:
    if request.method in SAFE_METHODS:
        return False
    if g.get("auth_method") == "token":
        return False
    return g.get("auth_method") == "session" or request.mimetype in _FORM_TYPES


def check_csrf() -> None:
    """Refuse (403) a state-changing cookie or form request without the session's token."""
    if request.endpoint is None or not _needs_token():
        return
    expected = session.get(SESSION_KEY)
    sent = request.headers.get(HEADER)
    if sent is None and request.mimetype in _FORM_TYPES:
        sent = request.form.get(FORM_FIELD)
    if not expected or not sent or not hmac.compare_digest(str(expected), str(sent)):
        raise errors.Forbidden(
            "The CSRF token is missing or wrong: send the page's csrf_token form field or the "
            f"{HEADER} header (from GET /api/v1/me), or use an API token."
        )


def init_app(app: Flask) -> None:
    """Expose csrf_token() to templates and check tokens before each request."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.before_request(check_csrf)
