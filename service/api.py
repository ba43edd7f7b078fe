"""The flask-smorest Api with problem+json errors, request body limits and ETag helpers."""

from __future__ import annotations

import hashlib
import http
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import flask_smorest
import swagger_ui_bundle
from flask import (
    Blueprint,
    Flask,
    Request,
    Response,
    current_app,
    request,
    send_from_directory,
    url_for,
)
from marshmallow import Schema, fields
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException

from service import errors
from service.paging import Page
from service.storable import MAX_JSON_DEPTH, unstorable_text
from service.viewmarks import handler_of, mark

if TYPE_CHECKING:
    from apispec import APISpec  # flask-smorest's spec type

F = TypeVar("F", bound=Callable[..., Any])

_FILE_ENDPOINTS_ATTR = "_xborder_accepts_files"
_BODY_LIMIT_ATTR = "_xborder_body_limit"
_JSON_TYPES = {"application/json", "application/merge-patch+json"}


class ProblemSchema(Schema):
    """An RFC 9457 problem: every error answer's body (`application/problem+json`)."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String(metadata={"example": "Unprocessable Entity"})
    status = fields.Integer(metadata={"example": 422})
    detail = fields.String(metadata={"example": "The request has invalid fields; see errors."})
    errors = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": "field errors: {field: [message]}; a nested field's errors nest "
            "the same way ({legal_entities: {2: {country: [message]}}})",
            "example": {"hq_country": ["'XX' is not an ISO 3166-1 alpha-2 country code."]},
        },
    )
    instance = fields.String(metadata={"example": "/api/v1/vendors"})


class Api(flask_smorest.Api):  # type: ignore[misc]
    """flask-smorest's Api whose HTTP errors are RFC 9457 problem+json (in the spec too), whose
    spec declares the Bearer scheme (the docs page's Authorize button), and whose views are
    documented in the spec when it is first read.

    Documenting every view (apispec resolving each schema) is more than half of an app's
    start-up, about 40 of 70 ms, which every gunicorn worker, command and test would pay for a
    spec few of them serve. So a registered blueprint's views, and what `finish_spec` adds, go
    into the spec on its first read: the spec's URL, the docs page, a test.
    """

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None:
        self._spec: APISpec | None = None
        self._undocumented: list[tuple[flask_smorest.Blueprint, str, Any]] = []
        self._finishing: list[Callable[[APISpec], None]] = []
        self._documenting = threading.Lock()
        super().__init__(app, **kwargs)

    @property
    def spec(self) -> APISpec:
        """The OpenAPI spec, with the views of every blueprint registered so far (None before
        init_app: flask-smorest's own code looks for that; ours always has an app)."""
        if self._undocumented or self._finishing:
            self._document()
        return cast("APISpec", self._spec)

    @spec.setter
    def spec(self, spec: APISpec | None) -> None:
        self._spec = spec

    def register_blueprint(
        self, blp: flask_smorest.Blueprint, *, parameters: Any = None, **options: Any
    ) -> None:
        """Register a blueprint in the app now, and its views in the spec when it is read
        (flask-smorest's register_blueprint, whose second half is `_document`'s)."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def finish_spec(self, finish: Callable[[APISpec], None]) -> None:
        """Have `finish(spec)` complete the spec once the views registered so far are in it."""
        self._finishing.append(finish)

    def _document(self) -> None:
        # Threads of a worker may read the spec at once: one documents, the others wait for it.
        # The lists empty only when the spec is complete, so no thread returns a spec half done.
        with self._documenting:
            spec = self._spec
            if spec is None or not (self._undocumented or self._finishing):
                return
            for blp, name, parameters in self._undocumented:
                blp.register_views_in_doc(self, self._app, spec, name=name, parameters=parameters)
                spec.tag({"name": name, "description": blp.description})
            for finish in self._finishing:
                finish(spec)
            self._undocumented, self._finishing = [], []

    def _register_responses(self) -> None:
        """Every error response in the spec: a ProblemSchema body as application/problem+json."""
        ref = self.spec.components.get_ref("schema", "Problem")
        problem = {errors.PROBLEM_JSON: {"schema": ref}}
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["content"] = problem
            self.spec.components.response(status.name, response, lazy=True)
        self.spec.components.response(
            "DEFAULT_ERROR",
            {"description": "An error, as RFC 9457 problem+json", "content": problem},
            lazy=True,
        )

    def handle_http_exception(self, error: HTTPException) -> Response:
        """Render every HTTP error as problem+json."""
        return errors.handle_http_exception(error)


@flask_smorest.Blueprint.ARGUMENTS_PARSER.location_loader("json_or_multipart")
def _load_json_or_multipart(req: Request, schema: Schema) -> Any:
    """A body that is JSON, or a multipart form whose fields and files load as one mapping."""
    parser = flask_smorest.Blueprint.ARGUMENTS_PARSER
    if req.mimetype == "multipart/form-data":
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)
    return parser.load_json(req, schema)


# Documented as a request body (the view adds the multipart encoding to its docs).
flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING["json_or_multipart"] = (
    "application/json"
)


def accepts_files(view: F) -> F:
    """Mark a view as taking multipart/form-data uploads (others accept JSON only)."""
    return mark(_FILE_ENDPOINTS_ATTR, True)(view)


def takes_upload(
    blp: flask_smorest.Blueprint, query: type[Schema], files: type[Schema]
) -> Callable[[F], F]:
    """A view taking a multipart upload: its query arguments, then its files."""

    def decorate(view: F) -> F:
        view = blp.arguments(files, location="files")(view)
        view = blp.arguments(query, location="query")(view)
        return accepts_files(view)

    return decorate


def body_limit(max_bytes: int) -> Callable[[F], F]:
    """Let one view take JSON bodies up to max_bytes instead of MAX_JSON_BODY."""
    return mark(_BODY_LIMIT_ATTR, max_bytes)


def _check_request_body(app: Flask) -> None:
    """415 for bodies that are neither JSON nor an upload where one is allowed; 413 for size."""
    if request.method not in {"POST", "PUT", "PATCH"} or not request.path.startswith("/api/"):
        return
    handler = handler_of(app, request.endpoint, request.method)
    takes_files = bool(getattr(handler, _FILE_ENDPOINTS_ATTR, False))
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    mimetype = request.mimetype
    if takes_files and mimetype == "multipart/form-data":
        return
    limit = int(getattr(handler, _BODY_LIMIT_ATTR, app.config["MAX_JSON_BODY"]))
    request.max_content_length = limit
    if has_body and mimetype not in _JSON_TYPES:
        allowed = "application/json" + (" or multipart/form-data" if takes_files else "")
        raise errors.UnsupportedMediaType(f"Send the body as {allowed}.")
    if (request.content_length or 0) > limit:
        raise errors.PayloadTooLarge(f"The body is larger than {limit} bytes.")


def _refuse(found: tuple[str, str]) -> None:
    path, problem = found
    raise errors.ValidationFailed(problem, errors={path: [problem]})


def _check_request_text(app: Flask) -> None:
    """422 for NUL or lone surrogates in any query parameter, path parameter, form field or JSON
    string, and for JSON nested too deeply (before any view or webargs parses it)."""
    pairs = [*request.args.items(multi=True), *(request.view_args or {}).items()]
    for key, value in pairs:
        if found := unstorable_text(key, key) or unstorable_text(value, key):
            _refuse(found)
    if request.method not in {"POST", "PUT", "PATCH", "DELETE"}:
        return
    if request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
        for key, value in request.form.items(multi=True):
            if found := unstorable_text(key, key) or unstorable_text(value, key):
                _refuse(found)
        return
    if request.is_json and (request.content_length or request.headers.get("Transfer-Encoding")):
        try:
            body = json.loads(request.get_data(cache=True))
        except RecursionError:
            raise errors.ValidationFailed(
                f"The JSON body is nested deeper than {MAX_JSON_DEPTH} levels.",
                errors={"_": [f"Nested deeper than {MAX_JSON_DEPTH} levels."]},
            ) from None
        except ValueError:
            return  # not JSON: the view's parser reports it as it always did
        if found := unstorable_text(body):
            _refuse(found)


def page_headers(endpoint: str, listed: Page[Any], **values: Any) -> dict[str, str]:
    """X-Total-Count and an RFC 8288 Link header (first, prev, next, last) for a list page."""
    total, page, per_page = listed.total, listed.page, listed.per_page
    last = max(1, -(-total // per_page))
    rels = {"first": 1, "last": last}
    if page > 1:
        rels["prev"] = page - 1
    if page < last:
        rels["next"] = page + 1
    query: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
    link = ", ".join(
        f'<{url_for(endpoint, **{**values, **query, "page": n})}>; rel="{rel}"'
        for rel, n in rels.items()
    )
    return {"Link": link, "X-Total-Count": str(total)}


def make_etag(*parts: object) -> str:
    """A strong ETag from an object's identity and version."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def require_if_match(current_etag: str) -> None:
    """Insist on If-Match for writes: 428 without it, 412 when it is stale."""
    if not request.headers.get("If-Match"):
        raise errors.PreconditionRequired(
            "Send If-Match with the ETag from your last read of this resource."
        )
    if not request.if_match.contains(current_etag.strip('"')) and not request.if_match.star_tag:
        raise errors.PreconditionFailed(
            "This resource changed since you read it; read it again and reapply your change."
        )


# Swagger UI sets inline styles; scripts come only from this site; no framing.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
_SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} API</title>
  <link href="{assets}swagger-ui.css" rel="stylesheet" type="text/css">
</head>
<body>
  <div id="swagger-ui-container" data-spec-url="{spec}"></div>
  <script src="{assets}swagger-ui-bundle.js"></script>
  <script src="{init}"></script>
</body>
</html>
"""


def _swagger_ui_page() -> Response:
    """The interactive API docs (Swagger UI from the installed bundle, no inline script)."""
    from markupsafe import escape

    app = current_app
    page = _SWAGGER_PAGE.format(
        title=escape(app.config["API_TITLE"]),
        assets=escape(app.config["OPENAPI_SWAGGER_UI_URL"]),
        spec=escape(url_for("api-docs.openapi_json")),
        init=escape(url_for("static", filename="api-docs.js")),
    )
    return Response(page, mimetype="text/html")


def _docs_security_headers(response: Response) -> Response:
    """CSP, X-Frame-Options and friends on the docs page, its spec and its assets."""
    if request.path.startswith(("/api/docs", "/api/v1/openapi.json")):
        response.headers.setdefault("Content-Security-Policy", DOCS_CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> Api:
    """Create the Api, serve Swagger UI from the installed bundle, install body checks."""
    app.config.setdefault("API_SPEC_OPTIONS", {"security": [{"bearerAuth": []}]})
    api = Api(app)
    api.spec.components.schema("Problem", schema=ProblemSchema)
    api.spec.components.security_scheme(
        "bearerAuth",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (`xb_...`) from /me or `POST /api/v1/tokens`.",
        },
    )
    assets = Blueprint("api_docs_assets", __name__)

    @assets.route("/api/docs/assets/<path:filename>")
    def swagger_asset(filename: str) -> Response:
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    app.register_blueprint(assets)
    # flask-smorest's Swagger UI page starts the UI with an inline script; ours loads it from a
    # file, so the page can carry a CSP without 'unsafe-inline' scripts (and X-Frame-Options).
    app.view_functions["api-docs.openapi_swagger_ui"] = _swagger_ui_page
    app.after_request(_docs_security_headers)
    # The spec and its docs page are public, like the rest of an open-source API's docs.
    public = app.extensions.setdefault("xborder.public_endpoints", set())
    public.update(e for e in app.view_functions if e.startswith(("api-docs.", "api_docs_assets.")))
    app.before_request(lambda: _check_request_body(app))
    app.before_request(lambda: _check_request_text(app))
    app.extensions["xborder.api"] = api
    return api
