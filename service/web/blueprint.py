"""The UI blueprint: error pages, sign-in redirects and what every template may use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from service import errors
from service.auth.permissions import declared_roles
from service.web import labels

web = Blueprint("web", __name__, template_folder="templates")


def wants_html() -> bool:
    """Whether the caller is a browser (asks for HTML) rather than a program."""
    return bool(request.accept_mimetypes.accept_html)


def may(endpoint: str, method: str = "GET") -> bool:
    """Whether the signed-in user's role may call this UI or API endpoint."""
    user = g.get("current_user")
    if user is None:
        return False
    roles = declared_roles(current_app, endpoint, method)
    return roles is not None and user.role in roles


def _error_page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("web/error.html", status=status, title=title, detail=detail), status


@web.errorhandler(errors.DomainError)
def domain_error(error: errors.DomainError) -> Any:
    """Anonymous page views go to sign-in; browsers get an error page, programs problem+json."""
    if isinstance(error, errors.Unauthorized) and request.method == "GET":
        return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")), code=303)
    if not wants_html():
        return errors.handle_domain_error(error)
    page, status = _error_page(error.status, error.title, error.detail)
    return Response(page, status=status, headers=error.headers, mimetype="text/html")


@web.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Any:
    """Werkzeug errors inside the UI (e.g. 404, 413) as pages for browsers."""
    if not wants_html():
        return errors.handle_http_exception(error)
    return _error_page(error.code or 500, error.name, error.description or "")


@web.app_template_global()
def may_call(endpoint: str, method: str = "GET") -> bool:
    """Templates show a button only when its route admits the user."""
    return may(endpoint, method)


@web.context_processor
def _globals() -> dict[str, Any]:
    return {"me": g.get("current_user"), "L": labels}
