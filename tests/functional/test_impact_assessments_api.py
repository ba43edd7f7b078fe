"""Assessments over HTTP: generate, edit, version, diff, approve, report, checklists, CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from service.audit.models import AuditEvent
from service.db import session_scope
from service.impact_assessments.cli import report
from tests.helpers import JUS_CRASH_REVIEW, Headers, assert_problem


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


@pytest.fixture
def filer(auth: Headers) -> dict[str, str]:
    """The procurement user who files the review (procurement acts only on its own)."""
    return auth("procurement")


@pytest.fixture
def review_id(catalog_client: FlaskClient, filer: dict[str, str]) -> int:
    """A review of Firebase: device ids of 2,000,000 people in mainland China, 300,000 in the EU."""
    body = {
        **JUS_CRASH_REVIEW,
        "purpose": "Crash reporting for the messaging app",
        "business_owner": "Mobile team",
    }
    response = catalog_client.post("/api/v1/reviews", json=body, headers=filer)
    assert response.status_code == 201, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def change_review(
    catalog_client: FlaskClient, headers: dict[str, str], review_id: int, change: dict[str, Any]
) -> None:
    """Change a review's facts (it is re-evaluated), as its current ETag allows."""
    review = catalog_client.get(f"/api/v1/reviews/{review_id}", headers=headers)
    changed = catalog_client.patch(
        f"/api/v1/reviews/{review_id}",
        json=change,
        headers={**headers, "If-Match": review.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)


def create(catalog_client: FlaskClient, auth: Headers, review_id: int, **body: Any) -> Any:
    return catalog_client.post(
        f"/api/v1/reviews/{review_id}/assessments",
        json={"kind": "pipia", **body},
        headers=auth("legal"),
    )


def test_generate_pipia_with_checklists(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    response = create(catalog_client, auth, review_id)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["ETag"] and response.headers["Location"].endswith(f"/{body['id']}")
    assert body["status"] == "draft" and body["current_number"] == 1
    document = body["document"]
    assert document["kind"] == "pipia" and document["review_id"] == review_id
    assert [s["id"] for s in document["sections"]][:3] == ["overview", "legality", "data"]
    assert any(r["citation"].startswith("CAC Order No. 16 Art. 7") for r in document["rules"])
    keys = [c["key"] for c in body["checklists"]]
    # The catalog records Firebase (Google LLC) under the EU-US DPF: no SCC checklist.
    assert keys == ["cn_security_assessment"]
    checklist = body["checklists"][0]
    assert checklist["progress"]["done"] == 0 and checklist["items"][0]["status"] == "open"
    listed = catalog_client.get(f"/api/v1/reviews/{review_id}/assessments", headers=auth("viewer"))
    assert [a["id"] for a in listed.get_json()] == [body["id"]]


def test_create_checks_role_kind_language_and_review(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    forbidden = catalog_client.post(
        f"/api/v1/reviews/{review_id}/assessments",
        json={"kind": "pipia"},
        headers=auth("procurement"),
    )
    assert_problem(forbidden, 403)
    assert_problem(create(catalog_client, auth, review_id, kind="memo"), 422)
    assert_problem(create(catalog_client, auth, review_id, kind="dpia", language="zh"), 422)
    assert_problem(create(catalog_client, auth, review_id, extra=1), 422)
    assert_problem(create(catalog_client, auth, 999_999), 404)
    chinese = create(catalog_client, auth, review_id, language="zh")
    assert chinese.status_code == 201
    assert chinese.get_json()["document"]["sections"][0]["title"] == "评估概述"


def test_edit_versions_diff_and_concurrency(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    created = create(catalog_client, auth, review_id)
    url = created.headers["Location"]
    etag = created.headers["ETag"]
    edit = {
        "sections": [
            {"id": "legality", "text": "Consent under **PIPL Art. 13(1)**.<script>x</script>"}
        ],
        "risks": [
            {
                "id": "R1",
                "category": "illegitimate_access",
                "risk": "Leakage",
                "likelihood": 2,
                "severity": 3,
                "measure": "Encryption",
                "residual": 2,
                "owner": "Security",
            },
            {
                "category": "rights",
                "risk": "Requests go unanswered",
                "likelihood": None,
                "severity": 2,
                "measure": None,
                "residual": None,
                "owner": None,
            },
        ],
        "note": "legal's first pass",
    }
    assert_problem(catalog_client.patch(url, json=edit, headers=auth("legal")), 428)
    assert_problem(
        catalog_client.patch(url, json=edit, headers={**auth("legal"), "If-Match": '"stale"'}), 412
    )
    assert_problem(
        catalog_client.patch(url, json=edit, headers={**auth("procurement"), "If-Match": etag}), 403
    )
    bad = {"sections": [{"id": "nope", "text": "x"}]}
    assert_problem(
        catalog_client.patch(url, json=bad, headers={**auth("legal"), "If-Match": etag}), 422
    )
    response = catalog_client.patch(url, json=edit, headers={**auth("legal"), "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["current_number"] == 2 and response.headers["ETag"] != etag
    legality = next(s for s in body["document"]["sections"] if s["id"] == "legality")
    assert legality["text"] == "Consent under **PIPL Art. 13(1)**."
    assert [r["id"] for r in body["document"]["risks"]] == ["R1", "R2"]
    stale = catalog_client.patch(url, json=edit, headers={**auth("legal"), "If-Match": etag})
    assert_problem(stale, 412)

    versions = catalog_client.get(f"{url}/versions", headers=auth("viewer")).get_json()
    assert [(v["number"], v["note"]) for v in versions] == [(1, None), (2, "legal's first pass")]
    first = catalog_client.get(f"{url}/versions/1", headers=auth("viewer")).get_json()
    assert "Consent under" not in str(first["document"]["sections"])
    diff = catalog_client.get(f"{url}/diff?from=1&to=2", headers=auth("viewer")).get_json()
    assert diff["from"] == 1 and diff["to"] == 2 and diff["changed"]
    assert "+Consent under **PIPL Art. 13(1)**." in diff["sections"][0]["diff"]
    generated = first["document"]["risks"][0]["likelihood"]
    assert generated != 2
    assert diff["risks"]["changed"][0]["fields"]["likelihood"] == [generated, 2]
    assert_problem(catalog_client.get(f"{url}/diff?from=1&to=9", headers=auth("viewer")), 404)


def _move(
    catalog_client: FlaskClient, url: str, headers: dict[str, str], to: str, **extra: Any
) -> Any:
    etag = catalog_client.get(url, headers=headers).headers["ETag"]
    return catalog_client.post(
        f"{url}/transitions",
        json={"to": to, "note": f"to {to}", **extra},
        headers={**headers, "If-Match": etag},
    )


# The generated PIPIA still lists key facts as unknown: approving it needs a reason.
OVERRIDE = {"override_reason": "Facts confirmed by phone with the vendor; record follows."}


def test_workflow_permissions_and_frozen_approved_version(
    app: Flask, catalog_client: FlaskClient, auth: Headers, review_id: int, filer: dict[str, str]
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    legal, procurement, approver = auth("legal"), filer, auth("legal")
    assert_problem(_move(catalog_client, url, legal, "approved"), 409)  # draft cannot be approved
    assert _move(catalog_client, url, procurement, "in_review").status_code == 200
    assert_problem(
        _move(catalog_client, url, procurement, "approved"), 403
    )  # only legal/admin decide
    etag = catalog_client.get(url, headers=legal).headers["ETag"]
    edit = {"sections": [{"id": "conclusion", "text": "Proceed after CAC approval."}]}
    assert_problem(catalog_client.patch(url, json=edit, headers={**legal, "If-Match": etag}), 409)
    assert _move(catalog_client, url, legal, "draft").status_code == 200
    etag = catalog_client.get(url, headers=legal).headers["ETag"]
    assert (
        catalog_client.patch(url, json=edit, headers={**legal, "If-Match": etag}).status_code == 200
    )
    assert _move(catalog_client, url, legal, "in_review").status_code == 200
    approved = _move(catalog_client, url, approver, "approved", **OVERRIDE)
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved" and body["approved_number"] == 2
    assert body["decided_by"].startswith("legal") and body["decided_at"]
    assert_problem(
        _move(catalog_client, url, legal, "draft"), 409
    )  # approved is final; edits start a draft

    etag = catalog_client.get(url, headers=legal).headers["ETag"]
    later = {"sections": [{"id": "conclusion", "text": "Re-assessed after a change."}]}
    response = catalog_client.patch(url, json=later, headers={**legal, "If-Match": etag})
    body = response.get_json()
    assert body["status"] == "draft" and body["current_number"] == 3
    assert body["approved_number"] == 2
    versions = catalog_client.get(f"{url}/versions", headers=legal).get_json()
    assert [(v["number"], v["status"], v["frozen"]) for v in versions] == [
        (1, "draft", False),
        (2, "approved", True),
        (3, "draft", False),
    ]
    frozen = catalog_client.get(f"{url}/versions/2", headers=legal).get_json()["document"]
    conclusion = next(s for s in frozen["sections"] if s["id"] == "conclusion")
    assert conclusion["text"] == "Proceed after CAC approval."

    assessment_id = url.rsplit("/", 1)[1]
    with app.app_context(), session_scope() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "assessment", AuditEvent.object_id == assessment_id
            )
        ).all()
    assert actions == [
        "create",
        "transition:in_review",
        "transition:draft",
        "update",
        "transition:in_review",
        "transition:approved",
        "update",
    ]


def test_reports_pdf_and_html_with_filenames(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    assert _move(catalog_client, url, auth("legal"), "in_review").status_code == 200
    assert _move(catalog_client, url, auth("legal"), "approved", **OVERRIDE).status_code == 200
    pdf = catalog_client.get(f"{url}/report.pdf", headers=auth("viewer"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (
        f'attachment; filename="pipia-review-{review_id}-firebase-v1.pdf"'
    )
    text = pdf_text(pdf.data)
    assert "Personal Information Protection Impact Assessment" in text
    assert "Approved" in text and "China CAC Security Assessment" in text
    html = catalog_client.get(f"{url}/report.html", headers=auth("viewer"))
    assert html.mimetype == "text/html"
    assert html.headers["Content-Disposition"].startswith("inline; filename=")
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert '<h1 class="cover-title">Personal Information Protection Impact Assessment' in (
        html.get_data(as_text=True)
    )
    assert_problem(catalog_client.get(f"{url}/report.pdf?version=7", headers=auth("viewer")), 404)


def test_checklist_items_progress(
    catalog_client: FlaskClient, auth: Headers, review_id: int, filer: dict[str, str]
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    checklist = catalog_client.get(f"{url}/checklists", headers=auth("viewer")).get_json()[0]
    item = checklist["items"][0]
    item_url = f"{url}/checklist-items/{item['id']}"
    read = catalog_client.get(item_url, headers=auth("viewer"))
    etag = read.headers["ETag"]
    change = {
        "status": "done",
        "who": "Li Wei",
        "when": "2026-11-30",
        "evidence": "Self-assessment report v1 <b>signed</b>",
    }
    assert_problem(catalog_client.patch(item_url, json=change, headers=filer), 428)
    assert_problem(
        catalog_client.patch(
            item_url, json={"status": "finished"}, headers={**auth("legal"), "If-Match": etag}
        ),
        422,
    )
    assert_problem(
        catalog_client.patch(item_url, json=change, headers={**auth("viewer"), "If-Match": etag}),
        403,
    )
    response = catalog_client.patch(item_url, json=change, headers={**filer, "If-Match": etag})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "done" and body["evidence"] == "Self-assessment report v1 signed"
    assert_problem(
        catalog_client.patch(item_url, json=change, headers={**auth("legal"), "If-Match": etag}),
        412,
    )
    checklist = catalog_client.get(f"{url}/checklists", headers=auth("viewer")).get_json()[0]
    assert checklist["progress"]["done"] == 1
    assert_problem(catalog_client.get(f"{url}/checklist-items/999999", headers=auth("viewer")), 404)


def test_cli_writes_the_report(
    app: Flask, catalog_client: FlaskClient, auth: Headers, review_id: int, tmp_path: Path
) -> None:
    assessment_id = create(catalog_client, auth, review_id).get_json()["id"]
    out = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(report, [str(assessment_id), "--pdf", str(out)])
    assert result.exit_code == 0, result.output
    assert "Page 2 of" in pdf_text(out.read_bytes())
    missing = app.test_cli_runner().invoke(report, ["999999", "--pdf", str(out)])
    assert missing.exit_code != 0 and "No assessment 999999" in missing.output


def _events(app: Flask, object_type: str, object_id: str) -> list[AuditEvent]:
    with app.app_context(), session_scope() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
                .order_by(AuditEvent.id)
            )
        )


def test_procurement_acts_only_on_its_own_reviews_assessments(
    catalog_client: FlaskClient, auth: Headers, review_id: int, filer: dict[str, str]
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    other = auth("procurement")  # did not file the review
    assert_problem(_move(catalog_client, url, other, "in_review"), 403)
    assert catalog_client.get(url, headers=other).get_json()["status"] == "draft"
    item = catalog_client.get(f"{url}/checklists", headers=other).get_json()[0]["items"][0]
    item_url = f"{url}/checklist-items/{item['id']}"
    etag = catalog_client.get(item_url, headers=other).headers["ETag"]
    forged = {"status": "done", "evidence": "forged"}
    assert_problem(
        catalog_client.patch(item_url, json=forged, headers={**other, "If-Match": etag}), 403
    )
    assert catalog_client.get(item_url, headers=other).get_json()["evidence"] is None
    assert _move(catalog_client, url, filer, "in_review").status_code == 200  # the filer may


def test_an_approved_versions_checklist_is_frozen_with_it(
    catalog_client: FlaskClient, auth: Headers, review_id: int, filer: dict[str, str]
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    item = catalog_client.get(f"{url}/checklists", headers=filer).get_json()[0]["items"][0]
    item_url = f"{url}/checklist-items/{item['id']}"
    assert _move(catalog_client, url, auth("legal"), "in_review").status_code == 200
    assert _move(catalog_client, url, auth("legal"), "approved", **OVERRIDE).status_code == 200
    for who in (filer, auth("legal"), auth("admin")):
        etag = catalog_client.get(item_url, headers=who).headers["ETag"]
        change = {"status": "done", "evidence": "added after approval"}
        assert_problem(
            catalog_client.patch(item_url, json=change, headers={**who, "If-Match": etag}), 409
        )
    # An edit starts draft version 2; its checklist takes progress, version 1's stays as approved.
    legal = auth("legal")
    etag = catalog_client.get(url, headers=legal).headers["ETag"]
    edit = {"sections": [{"id": "conclusion", "text": "Re-assessed."}]}
    assert (
        catalog_client.patch(url, json=edit, headers={**legal, "If-Match": etag}).status_code == 200
    )
    etag = catalog_client.get(item_url, headers=filer).headers["ETag"]
    change = {"status": "done", "evidence": "Signed contract"}
    progress = catalog_client.patch(item_url, json=change, headers={**filer, "If-Match": etag})
    assert progress.status_code == 200
    approved = catalog_client.get(f"{url}/report.html?version=1", headers=legal).get_data(
        as_text=True
    )
    current = catalog_client.get(f"{url}/report.html?version=2", headers=legal).get_data(
        as_text=True
    )
    assert "Signed contract" not in approved and "Signed contract" in current


def test_four_eyes_and_its_audited_relaxation(
    app: Flask, catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    legal, admin = auth("legal"), auth("admin")
    assert _move(catalog_client, url, legal, "in_review").status_code == 200
    refused = assert_problem(_move(catalog_client, url, legal, "approved", **OVERRIDE), 403)
    assert "Four eyes" in refused["detail"]
    assert catalog_client.get(url, headers=legal).get_json()["status"] == "in_review"
    setting = "/api/v1/settings/four_eyes_relaxed"
    assert_problem(catalog_client.put(setting, json={"value": True}, headers=legal), 403)
    assert_problem(catalog_client.put(setting, json={"value": "yes"}, headers=admin), 422)
    relaxed = catalog_client.put(setting, json={"value": True}, headers=admin)
    assert relaxed.status_code == 200 and relaxed.get_json()["value"] is True
    [event] = _events(app, "setting", "four_eyes_relaxed")
    assert event.actor.startswith("admin") and event.changes == {
        "value": {"before": False, "after": True}
    }
    assert _move(catalog_client, url, legal, "approved", **OVERRIDE).status_code == 200
    approval = _events(app, "assessment", url.rsplit("/", 1)[1])[-1]
    assert approval.action == "transition:approved"
    assert approval.changes["four_eyes_relaxed"]["after"] is True


def test_approving_with_unknown_facts_needs_an_audited_reason(
    app: Flask, catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    url = create(catalog_client, auth, review_id).headers["Location"]
    unknowns = catalog_client.get(url, headers=auth("viewer")).get_json()["document"]["unknowns"]
    assert unknowns  # the generated PIPIA leaves facts for legal to confirm
    assert _move(catalog_client, url, auth("legal"), "in_review").status_code == 200
    approver = auth("legal")
    refused = assert_problem(_move(catalog_client, url, approver, "approved"), 422)
    assert "override_reason" in refused["errors"] and unknowns[0] in refused["detail"]
    assert_problem(_move(catalog_client, url, approver, "approved", override_reason="   "), 422)
    assert catalog_client.get(url, headers=approver).get_json()["status"] == "in_review"
    assert _move(catalog_client, url, approver, "approved", **OVERRIDE).status_code == 200
    approval = _events(app, "assessment", url.rsplit("/", 1)[1])[-1]
    override = approval.changes["unknowns_override"]["after"]
    assert override == {"reason": OVERRIDE["override_reason"], "unknowns": unknowns}


def test_only_kinds_the_law_calls_for_can_be_generated(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    # No California consumers in this review: the CCPA regulations ask for no risk assessment.
    body = assert_problem(create(catalog_client, auth, review_id, kind="ccpa"), 422)
    assert "11 CCR § 7150" in body["errors"]["kind"][0]
    assert create(catalog_client, auth, review_id, kind="dpia").status_code == 201


def test_the_risk_register_has_a_size_limit(
    catalog_client: FlaskClient, auth: Headers, review_id: int
) -> None:
    from service.impact_assessments.schemas import MAX_RISKS

    created = create(catalog_client, auth, review_id)
    url, etag = created.headers["Location"], created.headers["ETag"]
    row = {"category": "rights", "risk": "Requests go unanswered", "severity": 2}
    over = {"risks": [row] * (MAX_RISKS + 1)}
    body = assert_problem(
        catalog_client.patch(url, json=over, headers={**auth("legal"), "If-Match": etag}), 422
    )
    assert "risks" in body["errors"]
    long_risk = {"risks": [{**row, "risk": "x" * 2001}]}
    assert_problem(
        catalog_client.patch(url, json=long_risk, headers={**auth("legal"), "If-Match": etag}), 422
    )
    fits = {"risks": [row] * MAX_RISKS}
    done = catalog_client.patch(url, json=fits, headers={**auth("legal"), "If-Match": etag})
    assert done.status_code == 200, done.get_data(as_text=True)


def test_a_report_download_has_a_time_budget(
    catalog_client: FlaskClient, auth: Headers, review_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rendering over budget answers 503 with Retry-After; it goes on and lands in the
    cache, so the next download of the same version is served."""
    import dataclasses
    import threading

    from service.reports import formats

    url = create(catalog_client, auth, review_id).headers["Location"]
    release = threading.Event()
    real = formats.FORMATS["html"]

    def slow(document: Any) -> bytes:
        release.wait(60)
        return real.render(document)

    monkeypatch.setitem(formats.FORMATS, "html", dataclasses.replace(real, render=slow))
    catalog_client.application.config["REPORT_RENDER_SECONDS"] = 0.2
    late = catalog_client.get(f"{url}/report.html", headers=auth("viewer"))
    body = assert_problem(late, 503)
    assert "still being rendered" in body["detail"] and late.headers["Retry-After"] == "60"
    release.set()
    for _ in range(100):  # the rendering finishes in its thread and lands in the cache
        done = catalog_client.get(f"{url}/report.html", headers=auth("viewer"))
        if done.status_code == 200:
            break
        threading.Event().wait(0.2)
    assert done.status_code == 200 and b"cover-title" in done.data
