"""Hostile import files get 422 (nothing written); the service's own export always re-imports."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.db import session_scope
from service.vendors.models import Vendor
from service.vendors.schemas import MAX_LIST_ITEMS
from tests.functional.test_vendor_io import empty_registry, export, run_import
from tests.helpers import Headers

LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


def vendor_count(app: Flask) -> int:
    with app.app_context(), session_scope() as session:
        return int(session.execute(select(func.count()).select_from(Vendor)).scalar_one())


def post(client: FlaskClient, headers: dict[str, str], data: bytes, name: str) -> Any:
    body = {"file": (io.BytesIO(data), name)}
    return client.post(
        "/api/v1/vendor-import", data=body, headers=headers, content_type="multipart/form-data"
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (LAUGHS.encode(), "laughs.yaml"),
        (b"&a [*a]", "self.yaml"),
        (b"- &v {slug: acme, name: Acme}\n- *v\n", "alias.yaml"),
        (b"[" * 50_000 + b"]" * 50_000, "deep.json"),
        (b"[" * 50_000 + b"]" * 50_000, "deep.yaml"),
        (b'[{"slug": "acme", "name": "Ac\\u0000me"}]', "nul.json"),
        (b'[{"slug": "acme", "name": "Ac\\ud800me"}]', "surrogate.json"),
        (b"slug,name\nacme,Ac\x00me\n", "nul.csv"),
        (b"slug,name\nacme," + b"x" * 200_000 + b"\n", "big-cell.csv"),
        ("slug,name\nacme,Acme\n".encode("utf-16-le"), "no-bom-utf16.csv"),
    ],
)
def test_hostile_files_are_refused_with_422(
    app: Flask, client: FlaskClient, auth: Headers, data: bytes, name: str
) -> None:
    response = post(client, auth("legal"), data, name)
    assert response.status_code == 422, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    assert vendor_count(app) == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_text_files_with_a_utf16_or_utf32_bom_are_read(
    app: Flask, client: FlaskClient, auth: Headers, encoding: str
) -> None:
    text = "slug,name\nacme,Acme 中文\n"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    response = post(client, auth("legal"), data, "v.csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["created"] == ["acme"]


def test_list_fields_have_a_maximum(client: FlaskClient, auth: Headers) -> None:
    body = {
        "slug": "acme",
        "name": "Acme",
        "sdk": {"domains": [f"d{i}.example.com" for i in range(20_000)]},
    }
    response = client.post("/api/v1/vendors", json=body, headers=auth("admin"))
    assert response.status_code == 422
    assert "sdk.domains" in response.get_json()["errors"]


FORMULAS = {
    "slug": "acme",
    "name": '=HYPERLINK("http://evil.test","x")',
    "aliases": ["@SUM(1)", "-2+3", "+cmd", "'quoted", "'=already"],
    "description": "-starts with a minus",
    "parent": "@parent",
    # sdk.domains at its limit: one CSV cell over csv's default 128 KiB field limit.
    "sdk": {
        "domains": [f"d{i}-{'x' * 280}.example" for i in range(MAX_LIST_ITEMS)],
        "android_packages": ["com.acme." + "x" * 280],
        "ios_frameworks": [],
    },
    "legal_entities": [
        {"name": f"Acme {i} Ltd", "country": "US", "role": "regional", "note": "n" * 8000}
        for i in range(20)
    ],
}


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_export_neutralises_formulas_and_round_trips_at_the_limits(app: Flask, fmt: str) -> None:
    run_import(app, json.dumps([FORMULAS]), "json")
    first = export(app, fmt)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(first)))
        for cell in (c for row in rows[1:] for c in row):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
        assert rows[1][rows[0].index("name")].startswith("'=")
        assert max(len(c) for c in rows[1]) > 128 * 1024
        # Nested fields are readable columns, not JSON in a cell.
        assert {"sdk.domains", "legal_entities.1.name", "legal_entities.20.note"} <= set(rows[0])
        assert "sdk" not in rows[0] and "legal_entities" not in rows[0]
        assert not any(c.startswith(("{", "[{")) for c in rows[1])
    empty_registry(app)
    run_import(app, first, fmt)
    assert export(app, fmt) == first
    with app.app_context(), session_scope() as session:
        vendor = session.execute(select(Vendor)).scalar_one()
        assert vendor.name == FORMULAS["name"] and vendor.aliases == FORMULAS["aliases"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_whole_catalog_round_trips(catalog_app: Flask, fmt: str) -> None:
    """Every shipped vendor (ownership, dpf, data locations...) exports and re-imports as is;
    facts derived from a block (parent from ownership, ...) are not written twice."""
    first = export(catalog_app, fmt)
    empty_registry(catalog_app)
    run_import(catalog_app, first, fmt)
    assert export(catalog_app, fmt) == first
