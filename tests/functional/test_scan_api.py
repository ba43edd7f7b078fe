"""POST /api/v1/policies/scan and `xborder scan`: JSON text, uploads, errors, review diff."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, stream_encode_multipart

from assessments.scanner.extract import MAX_BYTES
from service.scanner.cli import scan as scan_command
from service.scanner.services import matcher_cache
from tests.conftest import build_pdf
from tests.helpers import Headers, assert_problem

URL = "/api/v1/policies/scan"
POLICY = (
    "JusTalk korzysta z SMSSDK udostępnionego przez MobTech. Aby zapewnić usługi statystyczne, "
    "JusTalk zintegrował Umeng+ SDK, który będzie zbierał IMEI/androidID i OAID oraz Firebase. "
    "Nasze usługi nie są przeznaczone dla osób poniżej 13 roku życia."
)


@pytest.fixture
def viewer(auth: Headers) -> dict[str, str]:
    return auth("viewer")


def slugs(body: dict[str, Any]) -> set[str]:
    return {hit["slug"] for hit in body["vendors"]}


def scan_file(
    client: FlaskClient, headers: dict[str, str], data: bytes, name: str, mimetype: str
) -> TestResponse:
    """POST one file to the scan endpoint, as a multipart upload."""
    form = {"file": (io.BytesIO(data), name, mimetype)}
    return client.post(URL, data=form, headers=headers, content_type="multipart/form-data")


def test_scan_pasted_text(catalog_client: FlaskClient, viewer: dict[str, str]) -> None:
    response = catalog_client.post(URL, json={"text": POLICY}, headers=viewer)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert slugs(body) == {"mobtech", "umeng", "firebase"}
    assert body["language"]["code"] == "pl" and body["format"] == "text"
    umeng = next(h for h in body["vendors"] if h["slug"] == "umeng")
    assert "Umeng+ SDK" in umeng["evidence"]
    span = umeng["matches"][0]["span"]
    assert POLICY[span["start"] : span["end"]] == span["text"] == "Umeng+"
    devices = next(h for h in body["data_categories"] if h["id"] == "identifiers.device")
    assert {s["text"] for s in devices["spans"]} == {"IMEI", "androidID", "OAID"}
    assert [(a["kind"], a["age"]) for a in body["children"]] == [("under", 13)]
    assert body["diff"] is None and body["text"] is None


def test_scan_html_and_pdf_uploads(
    catalog_client: FlaskClient, viewer: dict[str, str], make_pdf: Callable[[list[str]], bytes]
) -> None:
    html = (
        b"<html><head><script>Umeng</script></head><body><p>We use "
        b"<b>Firebase</b>.</p><style>.Umeng{}</style></body></html>"
    )
    response = scan_file(catalog_client, viewer, html, "policy.html", "text/html")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert slugs(body) == {"firebase"} and body["format"] == "html"
    span = body["vendors"][0]["matches"][0]["span"]
    assert body["text"][span["start"] : span["end"]] == "Firebase"
    assert "Umeng" not in body["text"]

    pdf = make_pdf(["Firebase collects IP addresses."])
    response = scan_file(catalog_client, viewer, pdf, "policy.pdf", "application/pdf")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["format"] == "pdf" and slugs(body) == {"firebase"}


def multipart(data: bytes, name: str, mimetype: str) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client spools big ones to an unclosed file)."""
    boundary = "xborder-scan-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {mimetype}\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


def test_errors_are_problems(catalog_client: FlaskClient, viewer: dict[str, str]) -> None:
    body_bytes, content_type = multipart(b"a" * (MAX_BYTES + 1), "big.txt", "text/plain")
    assert_problem(
        catalog_client.post(URL, data=body_bytes, headers=viewer, content_type=content_type), 413
    )
    assert_problem(scan_file(catalog_client, viewer, b"\x89PNG\r\n", "logo.png", "image/png"), 415)
    response = catalog_client.post(
        URL, data="text", headers={**viewer, "Content-Type": "text/plain"}
    )
    assert_problem(response, 415)
    body = assert_problem(catalog_client.post(URL, json={}, headers=viewer), 422)
    assert "text" in body["errors"]
    body = assert_problem(
        catalog_client.post(URL, json={"text": 5, "format": "doc"}, headers=viewer), 422
    )
    assert set(body["errors"]) == {"text", "format"}
    body = assert_problem(
        catalog_client.post(URL, json={"text": "x", "extra": 1}, headers=viewer), 422
    )
    assert "extra" in body["errors"]
    for review_id in (999, 2**70):
        body = assert_problem(
            catalog_client.post(URL, json={"text": "x", "review_id": review_id}, headers=viewer),
            422,
        )
        assert "review_id" in body["errors"]
    broken = scan_file(catalog_client, viewer, b"%PDF-1.4 broken", "p.pdf", "application/pdf")
    body = assert_problem(broken, 422)
    assert "file" in body["errors"]
    assert_problem(catalog_client.post(URL, json={"text": "x"}), 401)


def test_hostile_pdfs_get_problems_not_500s(
    catalog_client: FlaskClient, viewer: dict[str, str], catalog_app: Flask
) -> None:
    def post(data: bytes) -> Any:
        # Encoded in memory: the test client would spool a large body to a file it never closes.
        form = {"file": FileStorage(io.BytesIO(data), "p.pdf", content_type="application/pdf")}
        body, length, boundary = stream_encode_multipart(form, use_tempfile=False)
        return catalog_client.post(
            URL,
            data=body.read(),
            headers={**viewer, "Content-Length": str(length)},
            content_type=f"multipart/form-data; boundary={boundary}",
        )

    # The size limits answer whatever the machine's load: give the clock room here.
    catalog_app.config["PDF_READ_SECONDS"] = 30
    bomb = build_pdf([], content=b"0" * 200_000_000, flate=True)
    assert "decompress" in assert_problem(post(bomb), 413)["detail"]
    assert "pages" in assert_problem(post(build_pdf(["Firebase"], pages=20_000)), 413)["detail"]
    catalog_app.config["PDF_READ_SECONDS"] = 0.05
    slow = build_pdf(["Firebase " * 20] * 40, pages=900)
    assert "file" in assert_problem(post(slow), 422)["errors"]


def test_diff_against_a_review(catalog_client: FlaskClient, auth: Headers) -> None:
    review = {
        "vendor": "firebase",
        "transfer": {
            "exporter": {"name": "Ningbo Jus Internet Technology", "country": "CN"},
            "data_subjects": [{"jurisdiction": "CN", "count": 1000}],
            "data_categories": ["identifiers.device"],
        },
        "purpose": "Crash reporting",
    }
    created = catalog_client.post("/api/v1/reviews", json=review, headers=auth("procurement"))
    assert created.status_code == 201, created.get_data(as_text=True)
    review_id = created.get_json()["id"]
    response = catalog_client.post(
        URL, json={"text": POLICY, "review_id": review_id}, headers=auth("viewer")
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    result = response.get_json()["diff"]
    assert result["exporter"] == "Ningbo Jus Internet Technology"
    assert result["disclosed_not_reviewed"] == ["mobtech", "umeng"]
    assert result["disclosed_and_reviewed"] == ["firebase"]
    assert result["reviewed_not_disclosed"] == []


def test_matcher_is_compiled_once_per_registry_version(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    viewer = auth("viewer")
    text = {"text": "We use Zorblax Analytics and Firebase."}
    first = catalog_client.post(URL, json=text, headers=viewer).get_json()
    catalog_client.post(URL, json=text, headers=viewer)
    cache = matcher_cache(catalog_app)
    assert cache.matcher_builds == 1
    assert slugs(first) == {"firebase"}
    assert [c["name"] for c in first["candidates"]] == []
    vendor = {"slug": "zorblax", "name": "Zorblax Analytics", "hq_country": "SG"}
    created = catalog_client.post("/api/v1/vendors", json=vendor, headers=auth("admin"))
    assert created.status_code == 201, created.get_data(as_text=True)
    again = catalog_client.post(URL, json=text, headers=viewer).get_json()
    assert cache.matcher_builds == 2
    assert slugs(again) == {"firebase", "zorblax"}
    assert again["catalog_version"] != first["catalog_version"]


def test_cli_scan(catalog_app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "policy.txt"
    path.write_text(POLICY, encoding="utf-8")
    runner = catalog_app.test_cli_runner()
    result = runner.invoke(scan_command, [str(path)])
    assert result.exit_code == 0, result.output
    assert "Vendors disclosed (3):" in result.output
    assert "umeng" in result.output and "identifiers.device" in result.output
    result = runner.invoke(scan_command, [str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert slugs(json.loads(result.output)) == {"mobtech", "umeng", "firebase"}


def test_pasted_policy_over_one_mebibyte_is_scanned(catalog_client: FlaskClient, auth: Any) -> None:
    text = "We use Firebase Crashlytics to collect crash logs. " * 25_000  # ~1.3 MB
    response = catalog_client.post(
        "/api/v1/policies/scan", json={"text": text}, headers=auth("viewer")
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
