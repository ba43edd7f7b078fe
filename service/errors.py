"""Domain errors and the single place that turns any error into RFC 9457 problem+json."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, json, request
from sqlalchemy.exc import DBAPIError, IntegrityError
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """An error the user can act on; subclasses fix the HTTP status and title."""

    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}


class NotFound(DomainError):
    status, title = 404, "Not found"


class Conflict(DomainError):
    status, title = 409, "Conflict"


class StaleWrite(Conflict):
    """409: another writer (a person or a background job) changed the row between this
    request's read and its write, and the request held no version of its own to check."""


class PreconditionFailed(DomainError):
    status, title = 412, "Precondition failed"


class PreconditionRequired(DomainError):
    status, title = 428, "Precondition required"


class ValidationFailed(DomainError):
    status, title = 422, "Unprocessable content"


class Unauthorized(DomainError):
    status, title = 401, "Authentication required"


class Forbidden(DomainError):
    status, title = 403, "Forbidden"


class UnsupportedMediaType(DomainError):
    status, title = 415, "Unsupported media type"


class PayloadTooLarge(DomainError):
    status, title = 413, "Payload too large"


class ServiceUnavailable(DomainError):
    """The server lacks something an administrator must install (the detail names it)."""

    status, title = 503, "Service unavailable"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    errors: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body["instance"] = request.path
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_webargs(messages: Any) -> Any:
    """webargs nests errors under the location ('json', 'query'); users want the fields."""
    import flask_smorest  # only when a request failed to parse: smorest is loaded by then

    locations = set(flask_smorest.Blueprint.ARGUMENTS_PARSER.__location_map__)
    if isinstance(messages, dict) and messages and set(messages) <= locations:
        merged: dict[str, Any] = {}
        for value in messages.values():
            if isinstance(value, dict):
                merged.update(value)
        return merged or messages
    return messages


def handle_http_exception(error: HTTPException) -> Response:
    """Werkzeug/webargs errors (400, 404, 405, 413, 415, 422, ...) as problem+json."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or error.description
    if code == 422 and errors:
        detail = "The request has invalid fields; see errors."
    elif code == 400 and errors:
        detail = "The request body could not be parsed; see errors."
    headers = dict(data.get("headers") or {})
    if code == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    return problem(code, error.name, detail, errors=_flatten_webargs(errors), headers=headers)


def handle_domain_error(error: DomainError) -> Response:
    """Domain errors raised by services as problem+json."""
    return problem(
        error.status, error.title, error.detail, errors=error.errors, headers=error.headers
    )


# PostgreSQL's "another transaction got there first": deadlock detected, serialization failure,
# and unique violations outside a flush the service wraps (two writers racing for one alias).
# A write that lost to a concurrent one: a deadlock or serialization failure (PostgreSQL), or a
# unique or foreign key that another writer took or removed first. Other integrity errors (NOT
# NULL, CHECK) are bugs: they answer 500 and are logged.
_CONCURRENT_SQLSTATES = frozenset({"40P01", "40001", "23505", "23503"})
# SQLite gives no SQLSTATE; these are its messages for the same two kinds of key.
_SQLITE_CONCURRENT = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def concurrent_write(error: BaseException) -> bool:
    """Whether a database error means a concurrent writer won (409, not 500)."""
    orig = getattr(error, "orig", None)
    if getattr(orig, "sqlstate", None) in _CONCURRENT_SQLSTATES:
        return True
    return isinstance(error, IntegrityError) and str(orig).startswith(_SQLITE_CONCURRENT)


def handle_unexpected(error: Exception) -> Response:
    """Anything unexpected: log it, answer 500 without internals.

    A database error that means a concurrent writer won (a unique key, a deadlock between two
    writers on PostgreSQL) is a 409, as SQLite's single writer makes it.
    """
    if isinstance(error, DBAPIError) and concurrent_write(error):
        return problem(409, "Conflict", "Another request changed the same data; try again.")
    current_app.logger.exception("unhandled error", exc_info=error)
    return problem(500, "Internal server error", "An unexpected error occurred.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
