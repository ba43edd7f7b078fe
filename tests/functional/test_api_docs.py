"""The API description: Bearer scheme, problem+json errors, a docs page that cannot be framed."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient


def test_the_docs_page_sends_csp_and_refuses_framing(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert page.headers["X-Frame-Options"] == "DENY"
    html = page.get_data(as_text=True)
    assert "<script>" not in html  # no inline script: the page starts Swagger UI from a file
    with client.get("/static/api-docs.js") as start:
        assert start.status_code == 200 and b"SwaggerUIBundle" in start.data
    with client.get("/api/docs/assets/swagger-ui-bundle.js") as bundle:
        assert bundle.status_code == 200


def test_the_spec_declares_bearer_and_problem_json(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/auth/login"]["post"]["security"] == []
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "errors", "instance"} <= set(problem)
    for name, response in spec["components"]["responses"].items():
        if name == "DEFAULT_ERROR" or name in {"UNPROCESSABLE_ENTITY", "NOT_FOUND", "CONFLICT"}:
            assert list(response["content"]) == ["application/problem+json"], name
    vendors_post = spec["paths"]["/api/v1/vendors"]["post"]["responses"]
    assert vendors_post["default"] == {"$ref": "#/components/responses/DEFAULT_ERROR"}


def test_every_json_write_has_a_real_example_its_schema_accepts(
    app: Flask, client: FlaskClient
) -> None:
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = client.get("/api/v1/openapi.json").get_json()
    api = app.extensions["xborder.api"]
    plugin = next(p for p in api.spec.plugins if isinstance(p, MarshmallowPlugin))
    schemas = {name: key for key, name in plugin.converter.refs.items()}
    missing = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in {"post", "put", "patch"}:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            if "example" not in body:
                missing.append(f"{method.upper()} {path}")
                continue
            name = body["schema"]["$ref"].rsplit("/", 1)[-1]
            schema = schemas[name][0]()  # apispec's key: (schema class, *modifiers)
            assert schema.validate(body["example"]) == {}, (method, path, body["example"])
    assert missing == []
    evaluate = spec["paths"]["/api/v1/transfers/evaluate"]["post"]["requestBody"]
    assert evaluate["content"]["application/json"]["example"]["importer"]["country"] == "US"


def test_threads_reading_the_spec_first_all_get_it_whole(app: Flask) -> None:
    """A worker's threads may serve its first spec requests at once (the views go into the
    spec on its first read): each gets every path, with its examples, documented once."""
    from concurrent.futures import ThreadPoolExecutor

    def read(_: int) -> bytes:
        with app.test_client() as client:
            return client.get("/api/v1/openapi.json").get_data()

    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = set(pool.map(read, range(8)))
    assert len(bodies) == 1
    spec = json.loads(bodies.pop())
    registered = list(app.extensions["flask-smorest"]["blp_name_to_api"])
    assert [tag["name"] for tag in spec["tags"]] == registered
    assert {"/api/v1/vendors", "/api/v1/reviews", "/api/v1/tasks"} <= set(spec["paths"])
    evaluate = spec["paths"]["/api/v1/transfers/evaluate"]["post"]["requestBody"]
    assert "example" in evaluate["content"]["application/json"]
