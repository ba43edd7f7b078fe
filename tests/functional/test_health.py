"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask


def test_healthz_is_public(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_reports_database_at_head(app: Flask) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200 and response.get_json()["database"] == "ok"


def test_readyz_is_503_when_migrations_are_pending(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "migrations pending"


def test_openapi_spec_and_docs_are_served_locally(app: Flask) -> None:
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/vendors/{slug}" in spec["paths"]
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()


def test_ids_beyond_the_integer_columns_are_404_not_500(
    app: Flask, make_token: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {make_token('admin')}"}
    response = app.test_client().get(f"/api/v1/assessments/{2**31}", headers=headers)
    assert response.status_code == 404
