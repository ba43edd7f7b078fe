"""A 2,500-row risk register imported as a job (202 + job URL), and old jobs cleaned up."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.audit.models import AuditEvent
from service.db import session_scope
from service.jobs.models import Job, JobFile
from service.jobs.services import submit_job
from service.models import utcnow
from tests.helpers import Headers, wait_for_jobs
from tests.service.test_lifecycle import file_review


def rows(count: int) -> list[dict[str, object]]:
    return [
        {
            "category": "illegitimate_access",
            "risk": f"Imported risk number {n}",
            "likelihood": 1 + n % 4,
            "severity": 1 + (n // 4) % 4,
            "measure": "Encrypt at rest with keys held by the exporter. " * 8,
            "owner": "IT security",
        }
        for n in range(count)
    ]


def assessment(catalog_client: FlaskClient, legal: dict[str, str]) -> tuple[int, str]:
    review = file_review(catalog_client, legal)
    created = catalog_client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "dpia"}, headers=legal
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.get_json()["id"], created.headers["ETag"]


def test_a_2500_row_register_is_imported_by_a_job(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    assessment_id, etag = assessment(catalog_client, legal)
    url = f"/api/v1/assessments/{assessment_id}/risk-register-jobs"
    body = {"risks": rows(2500), "note": "Imported from the group register"}
    assert len(json.dumps(body)) > 1024 * 1024  # over the usual JSON body limit

    assert (
        catalog_client.post(url, json=body, headers=legal).status_code == 428
    )  # If-Match required
    viewer = catalog_client.post(url, json=body, headers={**auth("viewer"), "If-Match": etag})
    assert viewer.status_code == 403
    bad = catalog_client.post(
        url,
        json={"risks": [*rows(2), {"category": "illegitimate_access", "risk": "x", "severity": 9}]},
        headers={**legal, "If-Match": etag},
    )
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    too_many = catalog_client.post(
        url, json={"risks": rows(2501)}, headers={**legal, "If-Match": etag}
    )
    assert too_many.status_code == 422
    with catalog_app.app_context(), session_scope() as session:
        assert session.execute(select(Job)).first() is None  # nothing written

    accepted = catalog_client.post(url, json=body, headers={**legal, "If-Match": etag})
    assert accepted.status_code == 202, accepted.get_data(as_text=True)
    job_url = accepted.headers["Location"]
    assert job_url.endswith(f"/api/v1/jobs/{accepted.get_json()['id']}")
    wait_for_jobs(catalog_app)
    job = catalog_client.get(job_url, headers=legal).get_json()
    assert job["status"] == "succeeded", job
    assert job["result"] == {"assessment": assessment_id, "version": 2, "risks": 2500}
    saved = catalog_client.get(f"/api/v1/assessments/{assessment_id}", headers=legal)
    document = saved.get_json()["document"]
    assert len(document["risks"]) == 2500 and document["risks"][0]["id"] == "R1"
    assert document["risks"][-1]["risk"] == "Imported risk number 2499"
    stale = catalog_client.post(url, json=body, headers={**legal, "If-Match": etag})
    assert stale.status_code == 412


def test_an_assessment_in_review_takes_no_import(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    """The edit policy is checked when the import is asked for: in review, 409, no job."""
    legal = auth("legal")
    assessment_id, etag = assessment(catalog_client, legal)
    submitted = catalog_client.post(
        f"/api/v1/assessments/{assessment_id}/transitions",
        json={"to": "in_review"},
        headers={**legal, "If-Match": etag},
    )
    assert submitted.status_code == 200, submitted.get_data(as_text=True)
    refused = catalog_client.post(
        f"/api/v1/assessments/{assessment_id}/risk-register-jobs",
        json={"risks": rows(3)},
        headers={**legal, "If-Match": submitted.headers["ETag"]},
    )
    assert refused.status_code == 409 and "in review" in refused.get_json()["detail"]
    with catalog_app.app_context(), session_scope() as session:
        assert session.execute(select(Job)).first() is None


def test_an_import_the_assessment_moved_past_fails_with_the_reason(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, make_token: Callable[..., str]
) -> None:
    legal = auth("legal")
    assessment_id, _etag = assessment(catalog_client, legal)
    make_token("legal", email="counsel@example.test")
    with catalog_app.app_context(), session_scope() as session:
        job, _ = submit_job(
            session=session,
            kind="register_import",
            actor="counsel@example.test",
            params={"assessment": assessment_id, "version": 7, "risks": rows(3), "note": None},
        )
        job_id = job.id  # sent to the embedded broker once this commits
    wait_for_jobs(catalog_app)
    failed = catalog_client.get(f"/api/v1/jobs/{job_id}", headers=legal).get_json()
    assert failed["status"] == "failed"
    assert failed["error"] == (
        f"Assessment {assessment_id} is at version 1, not 7 as when the import was asked "
        "for; import it again."
    )


def test_cleanup_deletes_finished_jobs_past_the_retention(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    from service.cli import main

    legal = auth("legal")
    assessment_id, _ = assessment(catalog_client, legal)
    ids = []
    for fmt in ("html", "checklists.xlsx"):
        made = catalog_client.post(
            f"/api/v1/assessments/{assessment_id}/report-jobs", json={"format": fmt}, headers=legal
        )
        assert made.status_code == 202, made.get_data(as_text=True)
        ids.append(made.get_json()["id"])
    wait_for_jobs(catalog_app)
    old, recent = ids
    with catalog_app.app_context(), session_scope() as session:
        assert {j.status for j in session.execute(select(Job)).scalars()} == {"succeeded"}
        session.execute(
            update(Job).where(Job.id == old).values(finished_at=utcnow() - timedelta(days=31))
        )
    run = CliRunner().invoke(
        main, ["jobs", "cleanup"], obj=ScriptInfo(create_app=lambda: catalog_app)
    )
    assert run.exit_code == 0, run.output
    assert '"deleted": 1' in run.output and '"kept_days": 30' in run.output
    with catalog_app.app_context(), session_scope() as session:
        assert [j.id for j in session.execute(select(Job)).scalars()] == [recent]
        assert [f.job_id for f in session.execute(select(JobFile)).scalars()] == [recent]
        event = session.execute(
            select(AuditEvent).where(AuditEvent.object_type == "job")  # type: ignore[arg-type]
        ).scalar_one()
        assert event.action == "delete"
        assert event.changes["jobs"] == {"before": 1, "after": None}
        assert event.changes["first"] == {"before": old, "after": None}
    again = CliRunner().invoke(
        main, ["jobs", "cleanup", "--days", "0"], obj=ScriptInfo(create_app=lambda: catalog_app)
    )
    assert '"deleted": 1' in again.output
    assert catalog_client.get(f"/api/v1/jobs/{recent}", headers=legal).status_code == 404
