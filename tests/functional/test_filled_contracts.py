"""Filled EU SCCs over HTTP, the web page and the CLI: the module the engine chose, the Annexes
filled from a real review and vendor record, legal's options validated, versioned and audited."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessments.documents import build_contract
from service.audit.models import AuditEvent
from service.db import session_scope
from service.impact_assessments.cli import report
from tests.functional.test_impact_assessments_api import (
    Headers,
    change_review,
    create,
    filer,  # noqa: F401  (fixture)
    pdf_text,
    review_id,  # noqa: F401  (fixture)
)
from tests.helpers import Browser, assert_problem, form_etag

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def scc_review(catalog_client: FlaskClient, filer: dict[str, str]) -> int:
    """A German controller sending EU users' device ids and health data to Baidu (CN), a
    processor not covered by any adequacy decision, encrypted with keys the exporter holds: the
    engine picks SCC Module 2."""
    body = {
        "vendor": "baidu-mobstat",
        "transfer": {
            "exporter": {"name": "Muster Apps GmbH", "country": "DE", "role": "controller"},
            "data_subjects": [{"jurisdiction": "DE", "count": 40_000}],
            "data_categories": ["identifiers.device", "health"],
            "purposes": ["analytics"],
            "safeguards": ["encryption_exporter_keys"],
        },
        "purpose": "App usage statistics",
        "business_owner": "Growth team",
    }
    response = catalog_client.post("/api/v1/reviews", json=body, headers=filer)
    assert response.status_code == 201, response.get_data(as_text=True)
    result = response.get_json()["evaluation"]["regimes"]["EU"]
    assert result["mechanism"] == "eu_scc_c2p", result
    return int(response.get_json()["id"])


def _texts(data: bytes) -> list[str]:
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return paragraphs + cells


def _dpia(catalog_client: FlaskClient, auth: Headers, review: int) -> Any:
    created = create(catalog_client, auth, review, kind="dpia")
    assert created.status_code == 201, created.get_data(as_text=True)
    return created


def test_module_chosen_from_the_review_and_annex_filled(
    catalog_client: FlaskClient, auth: Headers, scc_review: int
) -> None:
    created = _dpia(catalog_client, auth, scc_review)
    contract = created.get_json()["document"]["contracts"]["eu_scc"]
    assert contract["module"] == 2 and contract["mechanism"] == "eu_scc_c2p"
    assert contract["options"]["governing_law"] == "DE"
    url = created.headers["Location"]
    response = catalog_client.get(f"{url}/scc.docx", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == DOCX
    assert "scc.docx" in response.headers["Content-Disposition"]
    texts = _texts(response.data)
    joined = "\n".join(texts)
    assert "Baidu, Inc. (China)" in texts  # the vendor's legal entity, Annex I.A
    assert any(t.startswith("Baidu Campus, No. 10 Shangdi") for t in texts)  # its address
    assert "Muster Apps GmbH (Germany)" in texts
    assert any("Device identifiers" in t or "device" in t.lower() for t in texts)  # I.B
    assert any("People in Germany: 40,000" in t for t in texts)
    assert any(t.startswith("Health") or ", Health" in t for t in texts)  # sensitive data
    assert "8.1 Instructions" in texts and "8.1 Purpose limitation" not in texts  # Module 2
    assert "OPTION 2: GENERAL WRITTEN AUTHORISATION" in joined
    assert "OPTION 1: SPECIFIC PRIOR AUTHORISATION" not in joined
    assert "The Parties agree that this shall be the law of Germany." in joined
    assert "[to be confirmed: time period]" in joined  # nobody chose the 9(a) period
    assert "[to be confirmed: retention period or its criteria]" in texts
    assert "CELEX 32021D0914" in joined
    # The Word file holds exactly the clause texts of Module 2, in order, as published.
    built = build_contract(contract)
    expected = [
        (f"{block['label']}\t" if block.get("label") else "")
        + block["text"]
        + "".join(f"({n})" for n in block["notes"])
        for clause in built["clauses"]
        for block in clause["blocks"]
        if block["kind"] == "text"
    ]
    paragraphs = Document(io.BytesIO(response.data)).paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "STANDARD CONTRACTUAL CLAUSES")
    body = [p.text for p in paragraphs[start:] if p.style.name == "Normal" and p.text]
    assert body[: len(expected)] == expected


def test_options_are_validated_versioned_and_audited(
    app: Flask, catalog_client: FlaskClient, auth: Headers, scc_review: int
) -> None:
    created = _dpia(catalog_client, auth, scc_review)
    url, etag = created.headers["Location"], created.headers["ETag"]
    legal = {**auth("legal"), "If-Match": etag}
    for bad in (
        {"clause_17": "option_3"},  # not an option
        {"governing_law": "US"},  # Clause 17 needs an EU Member State
        {"clause_13": "established", "clause_9a_days": 0},
        {"unknown": True},
    ):
        response = catalog_client.patch(
            url, json={"contract_options": {"eu_scc": bad}}, headers=legal
        )
        body = assert_problem(response, 422)
        assert body["errors"], body
    assert_problem(
        catalog_client.patch(url, json={"contract_options": {"uk_idta": {}}}, headers=legal), 422
    )
    assert catalog_client.get(url, headers=auth("viewer")).get_json()["current_number"] == 1
    good = {"clause_9a": "specific", "clause_9a_days": 30, "clause_11": True, "courts": "IE"}
    response = catalog_client.patch(url, json={"contract_options": {"eu_scc": good}}, headers=legal)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["current_number"] == 2
    assert body["document"]["contracts"]["eu_scc"]["options"]["clause_9a"] == "specific"
    joined = "\n".join(_texts(catalog_client.get(f"{url}/scc.docx", headers=auth("viewer")).data))
    assert "OPTION 1: SPECIFIC PRIOR AUTHORISATION" in joined and "at least 30 days" in joined
    assert "those shall be the courts of Ireland" in joined
    assert "independent dispute resolution body" in joined
    diff = catalog_client.get(f"{url}/diff?from=1&to=2", headers=auth("viewer")).get_json()
    assert diff["contracts"]["eu_scc"]["clause_9a"] == ["general", "specific"]
    with session_scope(app) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "assessment")
        ).all()
        changed = [e.changes["changed"]["after"] for e in events if e.action == "update"]
    assert changed and changed[-1]["contracts"]["eu_scc"]["courts"] == ["DE", "IE"]


def test_no_scc_where_the_engine_chose_none(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    """Firebase (Google LLC) is DPF-certified: no SCCs, so no contract download."""
    created = create(catalog_client, auth, review_id)
    assert created.get_json()["document"]["contracts"] == {}
    url = created.headers["Location"]
    assert_problem(catalog_client.get(f"{url}/scc.docx", headers=auth("viewer")), 404)
    assert_problem(
        catalog_client.post(
            f"{url}/report-jobs", json={"format": "scc.pdf"}, headers=auth("legal")
        ),
        404,
    )


def test_web_page_offers_the_contract_and_saves_options(
    catalog_client: FlaskClient,
    auth: Headers,
    scc_review: int,
    browser_for: Callable[[str], Browser],
) -> None:
    created = _dpia(catalog_client, auth, scc_review)
    assessment_id = created.get_json()["id"]
    browser = browser_for("legal")
    html = browser.get(f"/assessments/{assessment_id}").text
    assert f"/api/v1/assessments/{assessment_id}/scc.docx" in html
    assert f"/api/v1/assessments/{assessment_id}/scc.pdf" in html
    assert "EU Standard Contractual Clauses — Module 2" in html
    form = {
        "etag": form_etag(html),
        "scc.shown": "1",
        "scc.clause_7": "on",
        "scc.clause_9a": "general",
        "scc.clause_9a_days": "14",
        "scc.clause_13": "established",
        "scc.clause_13_state": "DE",
        "scc.clause_17": "option_2",
        "scc.governing_law": "us",  # not an EU Member State: refused, nothing saved
        "scc.courts": "DE",
    }
    refused = browser.post(f"/assessments/{assessment_id}/edit", form)
    assert refused.status_code == 422 and "EU Member State" in refused.text
    url = f"/api/v1/assessments/{assessment_id}"
    assert catalog_client.get(url, headers=auth("viewer")).get_json()["current_number"] == 1
    saved = browser.post(f"/assessments/{assessment_id}/edit", {**form, "scc.governing_law": "ie"})
    assert saved.status_code == 303, saved.text
    body = catalog_client.get(url, headers=auth("viewer")).get_json()
    options = body["document"]["contracts"]["eu_scc"]["options"]
    assert body["current_number"] == 2
    assert options["governing_law"] == "IE" and options["clause_9a_days"] == 14
    assert options["clause_11"] is False and options["clause_7"] is True


def test_refresh_keeps_legals_options(
    catalog_client: FlaskClient, auth: Headers, scc_review: int
) -> None:
    created = _dpia(catalog_client, auth, scc_review)
    url, legal = created.headers["Location"], auth("legal")
    options = {"eu_scc": {"clause_9a": "specific", "clause_9a_days": 21}}
    edited = catalog_client.patch(
        url,
        json={"contract_options": options},
        headers={**legal, "If-Match": created.headers["ETag"]},
    )
    assert edited.status_code == 200, edited.get_data(as_text=True)
    change = {"transfer": {"data_subjects": [{"jurisdiction": "DE", "count": 90_000}]}}
    change_review(catalog_client, legal, scc_review, change)
    current = catalog_client.get(url, headers=legal)
    refreshed = catalog_client.post(
        f"{url}/refresh", headers={**legal, "If-Match": current.headers["ETag"]}
    )
    assert refreshed.status_code == 200, refreshed.get_data(as_text=True)
    body = refreshed.get_json()
    contract = body["assessment"]["document"]["contracts"]["eu_scc"]
    assert contract["options"]["clause_9a"] == "specific"  # legal's choice kept
    assert "People in Germany: 90,000" in contract["facts"]["subjects"]  # facts are new
    assert "eu_scc options" in body["kept"]


def test_cli_writes_the_contract_where_there_is_one(
    app: Flask,
    catalog_client: FlaskClient,
    auth: Headers,
    scc_review: int,
    review_id: int,
    tmp_path: Path,
) -> None:
    runner, out = app.test_cli_runner(), tmp_path / "scc.docx"
    with_scc = _dpia(catalog_client, auth, scc_review).get_json()["id"]
    result = runner.invoke(report, [str(with_scc), "--scc-docx", str(out)])
    assert result.exit_code == 0, result.output
    assert "STANDARD CONTRACTUAL CLAUSES" in _texts(out.read_bytes())
    without = create(catalog_client, auth, review_id).get_json()["id"]  # Firebase: DPF, no SCCs
    refused = runner.invoke(report, [str(without), "--scc-pdf", str(tmp_path / "no.pdf")])
    assert refused.exit_code != 0 and "no filled EU SCCs" in refused.output


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig (weasyprint fonts) missing")
def test_contract_pdf(catalog_client: FlaskClient, auth: Headers, scc_review: int) -> None:
    url = _dpia(catalog_client, auth, scc_review).headers["Location"]
    response = catalog_client.get(f"{url}/scc.pdf", headers=auth("viewer"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Clause 8" in text and "8.1 Instructions" in text
    assert "Baidu, Inc. (China)" in text
    assert "to be confirmed: time period" in text
