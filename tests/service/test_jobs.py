"""Background jobs: 202 + job URL, progress and result, dedupe, retries, time limits, claims."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from service.audit.models import AuditEvent
from service.db import get_engine, session_scope
from service.jobs import PENDING_KEY, services
from service.jobs import runtime as jobs_runtime
from service.jobs.models import Job
from service.models import utcnow
from service.settings.models import Setting
from tests.helpers import JUS_CRASH_REVIEW, Headers, wait_for_jobs


def file_review(catalog_client: FlaskClient, headers: dict[str, str]) -> int:
    response = catalog_client.post("/api/v1/reviews", json=JUS_CRASH_REVIEW, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def test_report_job_is_202_deduplicated_and_serves_the_file(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    review = file_review(catalog_client, auth("procurement"))
    legal = auth("legal")
    created = catalog_client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "pipia"}, headers=legal
    )
    assessment = created.get_json()["id"]
    first = catalog_client.post(
        f"/api/v1/assessments/{assessment}/report-jobs", json={"format": "docx"}, headers=legal
    )
    assert first.status_code == 202, first.get_data(as_text=True)
    job = first.get_json()
    assert first.headers["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    again = catalog_client.post(
        f"/api/v1/assessments/{assessment}/report-jobs", json={"format": "docx"}, headers=legal
    )
    assert again.status_code == 202 and again.get_json()["id"] == job["id"]
    wait_for_jobs(catalog_app)
    done = catalog_client.get(job["url"], headers=legal).get_json()
    assert done["status"] == "succeeded" and done["progress"] == 100
    assert done["result"]["format"] == "docx" and done["result"]["version"] == 1
    download = catalog_client.get(done["result_url"], headers=legal)
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert "pipia-review-" in download.headers["Content-Disposition"]
    assert done["result"]["bytes"] == len(download.data)
    # Another format is other work: a job of its own.
    xlsx = catalog_client.post(
        f"/api/v1/assessments/{assessment}/report-jobs",
        json={"format": "checklists.xlsx"},
        headers=legal,
    )
    assert xlsx.get_json()["id"] != job["id"]


def test_bad_job_requests_are_problems_and_write_nothing(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    bad = catalog_client.post(
        "/api/v1/assessments/999/report-jobs", json={"format": "pdf"}, headers=legal
    )
    assert bad.status_code == 404 and bad.mimetype == "application/problem+json"
    bad = catalog_client.post(
        "/api/v1/assessments/1/report-jobs", json={"format": "exe"}, headers=legal
    )
    assert bad.status_code == 422 and "format" in bad.get_json()["errors"]
    assert catalog_client.get("/api/v1/jobs/12345", headers=legal).status_code == 404
    with catalog_app.app_context(), session_scope() as session:
        assert session.execute(select(Job)).first() is None


def test_a_viewer_sees_only_their_own_jobs(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    legal, viewer = auth("legal"), auth("viewer")
    job = catalog_client.post("/api/v1/reviews/reevaluations", json={}, headers=legal).get_json()
    assert catalog_client.get(job["url"], headers=viewer).status_code == 404
    assert catalog_client.get("/api/v1/jobs", headers=viewer).get_json() == []
    assert (
        catalog_client.post("/api/v1/reviews/reevaluations", json={}, headers=viewer).status_code
        == 403
    )
    wait_for_jobs(catalog_app)


def test_reevaluation_job_runs_the_bulk_path(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    filer = auth("procurement")
    ids = [file_review(catalog_client, filer) for _ in range(3)]
    response = catalog_client.post("/api/v1/reviews/reevaluations", json={}, headers=auth("legal"))
    assert response.status_code == 202
    wait_for_jobs(catalog_app)
    job = catalog_client.get(response.headers["Location"], headers=auth("legal")).get_json()
    assert job["status"] == "succeeded", job
    assert job["result"]["evaluated"] == 3 and job["result"]["failed"] == {}
    history = catalog_client.get(f"/api/v1/reviews/{ids[0]}/evaluations", headers=filer).get_json()
    assert history["items"][0]["reason"] == "reevaluate"


# --------------------------------------------------------------------- failure handling


def _flaky(ctx: services.JobContext) -> services.Outcome:
    """Writes a row, then fails: a half-done job that must leave nothing behind."""
    ctx.session.add(Setting(key=f"half-written-{ctx.job_id}", value=1, updated_by="test"))
    ctx.session.flush()
    ctx.progress(0.5)
    raise RuntimeError("the disk went away")


def _slow(ctx: services.JobContext) -> services.Outcome:
    ctx.session.add(Setting(key=f"slow-{ctx.job_id}", value=1, updated_by="test"))
    ctx.session.flush()
    end = time.monotonic() + 30
    while time.monotonic() < end:
        time.sleep(0.05)
    return services.Outcome({})


@pytest.fixture
def test_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    kinds = dict(services.KINDS)
    kinds["flaky"] = services.Kind(f"{__name__}:_flaky", "fails every time", 60, 3)
    kinds["slow"] = services.Kind(f"{__name__}:_slow", "outruns its limit", 1, 3)
    monkeypatch.setattr(services, "KINDS", kinds)
    monkeypatch.setattr(jobs_runtime, "MIN_BACKOFF_MS", 10)
    monkeypatch.setattr(jobs_runtime, "MAX_BACKOFF_MS", 50)


def _submit(app: Flask, kind: str) -> int:
    with app.app_context(), session_scope() as session:
        job, _ = services.submit_job(session=session, kind=kind, params={}, actor="tester")
        assert job.id is not None
        return job.id


def test_a_failing_job_is_retried_then_failed_with_its_reason_and_writes_nothing(
    app: Flask, test_kinds: None
) -> None:
    job_id = _submit(app, "flaky")
    wait_for_jobs(app)
    with app.app_context(), session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert (job.status, job.attempts) == ("failed", 3)
        assert job.error == "RuntimeError: the disk went away"
        assert session.execute(select(Setting)).first() is None
    jobs_runtime.runtime(app).stop()


def test_a_job_over_its_time_limit_fails_and_writes_nothing(app: Flask, test_kinds: None) -> None:
    job_id = _submit(app, "slow")
    wait_for_jobs(app)
    with app.app_context(), session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "failed"
        assert job.error == "Time limit of 1 s exceeded."
        assert session.execute(select(Setting)).first() is None
    jobs_runtime.runtime(app).stop()


def test_claims_run_a_job_once_and_take_over_from_a_dead_worker(app: Flask) -> None:
    engine = get_engine(app)
    with app.app_context(), session_scope() as session:
        job, _ = services.submit_job(session=session, kind="reevaluate", params={}, actor="t")
        session.info.pop(PENDING_KEY)  # not sent: this test plays the workers
        job_id = job.id
    assert job_id is not None
    first = services.claim(engine, job_id)
    assert first is not None and first.attempts == 1
    assert services.claim(engine, job_id) is None  # delivered twice: runs once
    # The worker dies: no heartbeat for longer than the time limit -> claimable again.
    dead = utcnow() - timedelta(seconds=first.time_limit) - services.STALE_GRACE * 2
    with engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=dead))  # type: ignore[arg-type]
    with app.app_context(), session_scope() as session:
        assert services.lost_jobs(session=session) == [job_id]
    second = services.claim(engine, job_id)
    assert second is not None and second.attempts == 2
    # Out of attempts after another death: failed, with the reason.
    with engine.begin() as connection:
        connection.execute(
            update(Job).where(Job.id == job_id).values(heartbeat_at=dead, attempts=3)  # type: ignore[arg-type]
        )
    assert services.claim(engine, job_id) is None
    with app.app_context(), session_scope() as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status == "failed"
        assert job.error == "The worker stopped during the job 3 times."


def test_jobs_list_command(app: Flask, make_token: Callable[..., str]) -> None:
    from service.cli import main

    _submit(app, "reevaluate")
    wait_for_jobs(app)
    from flask.cli import ScriptInfo

    result = CliRunner().invoke(
        main, ["jobs", "list", "--json"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    assert '"kind": "reevaluate"' in result.output and '"status": "succeeded"' in result.output
    jobs_runtime.runtime(app).stop()


def test_worker_without_a_broker_says_what_to_set(app: Flask) -> None:
    from flask.cli import ScriptInfo

    from service.cli import main

    result = CliRunner().invoke(main, ["worker"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 1 and "XBORDER_BROKER_URL" in result.output


def test_audit_names_the_requester_of_a_job(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, make_token: Callable[..., str]
) -> None:
    filer = auth("procurement")
    review = file_review(catalog_client, filer)
    token = make_token("legal", email="lawyer@example.test")
    catalog_client.post(
        "/api/v1/reviews/reevaluations", json={}, headers={"Authorization": f"Bearer {token}"}
    )
    wait_for_jobs(catalog_app)
    with catalog_app.app_context(), session_scope() as session:
        actors = (
            session.execute(
                select(AuditEvent.actor).where(  # type: ignore[call-overload]
                    AuditEvent.action == "reevaluate", AuditEvent.object_id == str(review)
                )
            )
            .scalars()
            .all()
        )
    assert actors == ["lawyer@example.test"]


def test_the_web_ui_renders_a_report_as_a_job_and_shows_its_progress(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    import re

    from service.auth.services import create_user

    review = file_review(catalog_client, auth("procurement"))
    assessment = catalog_client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "pipia"}, headers=auth("legal")
    ).get_json()["id"]
    password = "a-long-pass-phrase-1"
    with catalog_app.app_context(), session_scope() as session:
        create_user(session=session, email="ui@example.test", role="legal", password=password)
    html = {"Accept": "text/html"}

    def csrf(url: str) -> str:
        page = catalog_client.get(url, headers=html).get_data(as_text=True)
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert found is not None, page[:500]
        return found.group(1)

    signed_in = catalog_client.post(
        "/login",
        headers=html,
        data={
            "email": "ui@example.test",
            "password": password,
            "next": "/",
            "csrf_token": csrf("/login"),
        },
    )
    assert signed_in.status_code == 303
    page = catalog_client.get(f"/assessments/{assessment}", headers=html).get_data(as_text=True)
    assert "Render PDF in the background" in page
    token = csrf(f"/assessments/{assessment}")
    response = catalog_client.post(
        f"/assessments/{assessment}/report-job",
        headers=html,
        data={"format": "docx", "csrf_token": token},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    job_page = response.headers["Location"]
    assert job_page.startswith("/jobs/")
    wait_for_jobs(catalog_app)
    done = catalog_client.get(job_page, headers=html).get_data(as_text=True)
    assert "Succeeded" in done and 'http-equiv="refresh"' not in done
    assert f"/api/v1/jobs/{job_page.rsplit('/', 1)[1]}/result" in done


def test_vendor_import_job_writes_all_rows_or_fails_with_their_problems(
    app: Flask, auth: Headers
) -> None:
    import io
    import json

    catalog_client = app.test_client()
    legal = auth("legal")
    good = [
        {
            "slug": "acme-mail",
            "name": "Acme Mail",
            "hq_country": "US",
            "processing_countries": ["US"],
        },
        {
            "slug": "beta-push",
            "name": "Beta Push",
            "hq_country": "CN",
            "processing_countries": ["CN"],
        },
    ]
    bad = [*good[:1], {"slug": "", "name": "No Slug", "hq_country": "ZZ"}]
    jobs = []
    for records in (bad, good):
        upload = (io.BytesIO(json.dumps(records).encode()), "vendors.json")
        response = catalog_client.post(
            "/api/v1/vendor-import-jobs",
            data={"file": upload},
            headers=legal,
            content_type="multipart/form-data",
        )
        assert response.status_code == 202, response.get_data(as_text=True)
        jobs.append(response.headers["Location"])
        wait_for_jobs(app)
    failed, done = (catalog_client.get(url, headers=legal).get_json() for url in jobs)
    assert failed["status"] == "failed" and failed["error"].startswith("1 row(s) of the file")
    assert "'2.hq_country'" in failed["error"]  # the second row's problem, by row and field
    assert done["status"] == "succeeded"
    assert done["result"] == {"created": ["acme-mail", "beta-push"], "updated": [], "unchanged": []}
    listed = catalog_client.get("/api/v1/vendors", headers=legal).get_json()
    assert sorted(v["slug"] for v in listed["items"]) == ["acme-mail", "beta-push"]
    jobs_runtime.runtime(app).stop()


def test_jobs_tick_command_is_idempotent(app: Flask) -> None:
    import json

    from flask.cli import ScriptInfo

    from service.cli import main

    def run(day: str) -> dict[str, Any]:
        result = CliRunner().invoke(
            main,
            ["jobs", "tick", "--today", day, "--wait"],
            obj=ScriptInfo(create_app=lambda: app),
        )
        assert result.exit_code == 0, result.output
        report: dict[str, Any] = json.loads(result.stdout)
        return report

    assert run("2026-12-31")["causes"] == []  # the first tick records where it starts
    new_year = run("2027-01-01")
    assert new_year["causes"] == ["2027-01-01: PRC outbound counting restarts for the new year."]
    assert run("2027-01-01")["reassess_job"] is None  # the same day again: nothing new
    with app.app_context(), session_scope() as session:
        job = session.get(Job, new_year["reassess_job"])
        assert job is not None and job.status == "succeeded"  # --wait ran it
    jobs_runtime.runtime(app).stop()
