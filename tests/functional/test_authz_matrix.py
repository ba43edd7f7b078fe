"""Authorization matrix: every registered route x every role and anonymous.

Routes come from the app's URL map, so a route added without `@allow(...)`/`@allow_public`
fails here. Each call is judged by the rule the route declares: anonymous callers get 401
(or, for web pages, a redirect to sign-in); signed-in roles outside the rule get the
permission layer's 403; roles inside it are never refused by that layer (what the handler
then answers - 200, 404, 422 - is its own business). Public routes are listed here, by
hand, so making a route public is a visible decision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for
from werkzeug.routing import IntegerConverter, PathConverter, Rule

from service.auth.models import ROLES
from service.auth.permissions import PUBLIC, declared_roles

PUBLIC_ROUTES = {
    ("static", "GET"),
    ("api-docs.openapi_json", "GET"),
    ("api-docs.openapi_swagger_ui", "GET"),
    ("api_docs_assets.swagger_asset", "GET"),
    ("health.healthz", "GET"),
    ("health.readyz", "GET"),
    ("auth.Login", "POST"),
    ("auth.Logout", "POST"),
    ("web.sign_in", "GET"),  # the web UI's sign-in page
    ("web.sign_in", "POST"),
    ("calendar.Feed", "GET"),  # the iCalendar feed: its secret URL is the credential
}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
ROLE_REFUSAL = "may not do this"  # the permission layer's 403 detail


def routes(app: Flask) -> list[tuple[Rule, str]]:
    """Every (rule, method) the app serves."""
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - IGNORED_METHODS)
    ]


def undeclared(app: Flask) -> list[str]:
    """Routes that declare no access rule (the static route is served before the check)."""
    return [
        f"{method} {rule.rule} ({rule.endpoint})"
        for rule, method in routes(app)
        if rule.endpoint != "static" and declared_roles(app, rule.endpoint, method) is None
    ]


def _url(app: Flask, rule: Rule) -> str:
    values: dict[str, Any] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 987654
        elif isinstance(converter, PathConverter):
            values[name] = "no/such/file"
        else:
            values[name] = "no-such-thing"
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _call(app: Flask, method: str, url: str, headers: dict[str, str]) -> Any:
    if method in {"POST", "PUT", "PATCH"}:
        return app.test_client().open(url, method=method, headers=headers, json={})
    return app.test_client().open(url, method=method, headers=headers)


@pytest.fixture
def matrix_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(RATELIMIT_ENABLED=False)


def test_every_route_declares_who_may_call_it(matrix_app: Flask) -> None:
    assert not undeclared(matrix_app), "routes without @allow/@allow_public"


def test_public_routes_are_exactly_the_listed_ones(matrix_app: Flask) -> None:
    public = {
        (rule.endpoint, method)
        for rule, method in routes(matrix_app)
        if rule.endpoint == "static" or declared_roles(matrix_app, rule.endpoint, method) == PUBLIC
    }
    assert public == {r for r in PUBLIC_ROUTES if r[0] in matrix_app.view_functions}


def test_a_new_route_without_a_rule_is_caught_and_refused(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    app.add_url_rule("/api/v1/forgotten", "forgotten", lambda: "secret")
    assert undeclared(app) == ["GET /api/v1/forgotten (forgotten)"]
    response = app.test_client().get("/api/v1/forgotten")
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_matrix_every_route_every_role(matrix_app: Flask, make_token: Callable[..., str]) -> None:
    headers: dict[str | None, dict[str, str]] = {None: {}}
    for role in ROLES:
        headers[role] = {"Authorization": f"Bearer {make_token(role)}"}
    failures: list[str] = []
    checked = 0
    for rule, method in routes(matrix_app):
        if rule.endpoint == "static":
            continue
        declared = declared_roles(matrix_app, rule.endpoint, method)
        if declared is None:
            failures.append(f"{method} {rule.rule}: no rule declared")
            continue
        url = _url(matrix_app, rule)
        for who, sent in headers.items():
            response = _call(matrix_app, method, url, sent)
            status = response.status_code
            body: dict[str, Any] = response.get_json(silent=True) or {}
            refused_by_role = status == 403 and ROLE_REFUSAL in str(body.get("detail", ""))
            checked += 1
            if declared == PUBLIC:
                ok = status not in {401} and not refused_by_role
                want = "not 401/403"
            elif who is None:
                login_redirect = status in {302, 303} and "login" in response.headers.get(
                    "Location", ""
                )
                ok = status == 401 or login_redirect
                want = "401"
            elif who in declared:
                ok = status != 401 and not refused_by_role
                want = "allowed"
            else:
                ok = refused_by_role
                want = "403 (role)"
            if not ok:
                failures.append(
                    f"{method} {rule.rule} as {who or 'anonymous'}: {status}, want {want}"
                )
    assert checked > 5 * 20
    assert not failures, "\n".join(failures)
