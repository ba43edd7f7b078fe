"""Bulk re-evaluation split into batch jobs, resumed after a killed batch; DPF lapse dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from service import errors
from service.db import session_scope
from service.jobs.models import Job
from service.lifecycle import services as lifecycle
from service.lifecycle.models import ReviewChange, Task
from service.models import utcnow
from service.reviews.models import Review, ReviewEvaluation
from tests.helpers import Headers, wait_for_jobs
from tests.service.test_lifecycle import file_review


class KilledWorker(BaseException):
    """What a worker process killed with SIGKILL amounts to: nothing after it runs."""


def evaluations(app: Flask) -> dict[int, int]:
    with app.app_context(), session_scope() as session:
        rows = session.execute(
            select(ReviewEvaluation.review_id, func.count()).group_by(ReviewEvaluation.review_id)  # type: ignore[call-overload]
        ).all()
        return {int(r): int(n) for r, n in rows}


def jobs_of(app: Flask, kind: str) -> list[Job]:
    with app.app_context(), session_scope() as session:
        return list(session.execute(select(Job).where(Job.kind == kind).order_by(Job.id)).scalars())  # type: ignore[arg-type]


def exporter_of(app: Flask, review_id: int) -> str:
    with app.app_context(), session_scope() as session:
        review = session.get(Review, review_id)
        assert review is not None
        return review.exporter_key


def test_plan_batches_keeps_an_exporter_whole() -> None:
    groups = [("a", 2), ("b", 5), ("c", 1), ("d", 1), ("e", 3)]
    assert lifecycle.plan_batches(groups, 3) == [["a"], ["b"], ["c", "d"], ["e"]]
    assert lifecycle.plan_batches(groups, 100) == [["a", "b", "c", "d", "e"]]
    assert lifecycle.plan_batches([], 3) == []


def test_a_killed_batch_leaves_nothing_half_written_and_the_job_resumes(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    legal = auth("legal")
    reviews = [
        file_review(catalog_client, legal, exporter=name)
        for name in ("Acme GmbH", "Beta AG", "Gamma SE")
    ]
    before = evaluations(catalog_app)
    doomed = exporter_of(catalog_app, reviews[1])
    real = lifecycle.reassess
    killed: list[str] = []

    def reassess(**kwargs: Any) -> dict[str, Any]:
        result = real(**kwargs)  # the batch's rows are written (flushed, not committed) ...
        if doomed in (kwargs.get("exporter_keys") or ()) and not killed:
            killed.append(doomed)
            raise KilledWorker  # ... and the worker dies before its transaction commits
        return result

    monkeypatch.setattr(lifecycle, "reassess", reassess)
    response = catalog_client.post(
        "/api/v1/reviews/reevaluations", json={"batch_size": 1}, headers=legal
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    parent_id = response.get_json()["id"]
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{parent_id}")
    wait_for_jobs(catalog_app)

    parent = catalog_client.get(f"/api/v1/jobs/{parent_id}", headers=legal).get_json()
    assert parent["status"] == "waiting" and parent["progress"] == 66
    assert parent["result"]["batches"] == 3 and parent["result"]["batches_done"] == 2
    batches = jobs_of(catalog_app, "reevaluate_batch")
    assert [b.params["batch"] for b in batches] == [1, 2, 3]
    dead = next(b for b in batches if doomed in b.params["exporter_keys"])
    assert (dead.status, dead.attempts, dead.result) == ("running", 1, None)
    assert {b.status for b in batches if b.id != dead.id} == {"succeeded"}
    # Nothing half-written: the killed batch's review has no new evaluation, the others have.
    after_kill = evaluations(catalog_app)
    assert after_kill[reviews[1]] == before[reviews[1]]
    assert [after_kill[r] - before[r] for r in (reviews[0], reviews[2])] == [1, 1]

    # Time passes beyond the batch's time limit; the daily tick sends it again.
    with catalog_app.app_context(), session_scope() as session:
        stale = utcnow() - timedelta(seconds=dead.time_limit + 120)
        session.execute(update(Job).where(Job.id == dead.id).values(heartbeat_at=stale))  # type: ignore[arg-type]
    with catalog_app.app_context(), session_scope() as session:
        report = lifecycle.tick(session=session, actor="cron", day=date(2026, 12, 5))
    assert report["lost_jobs"] == [dead.id]
    wait_for_jobs(catalog_app)

    done = catalog_client.get(f"/api/v1/jobs/{parent_id}", headers=legal).get_json()
    assert (done["status"], done["progress"]) == ("succeeded", 100), done
    assert done["result"]["evaluated"] == 3 and done["result"]["batches_done"] == 3
    resumed = next(b for b in jobs_of(catalog_app, "reevaluate_batch") if b.id == dead.id)
    assert (resumed.status, resumed.attempts) == ("succeeded", 2)
    assert {r: evaluations(catalog_app)[r] - before[r] for r in reviews} == dict.fromkeys(
        reviews, 1
    )


def test_a_batch_that_fails_for_good_fails_its_parent_with_the_reason(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    legal = auth("legal")
    reviews = [
        file_review(catalog_client, legal, exporter=name) for name in ("Acme GmbH", "Beta AG")
    ]
    doomed = exporter_of(catalog_app, reviews[0])
    real = lifecycle.reassess

    def reassess(**kwargs: Any) -> dict[str, Any]:
        if doomed in (kwargs.get("exporter_keys") or ()):
            raise errors.Conflict("Reviews changed while they were being re-evaluated.")
        return real(**kwargs)

    monkeypatch.setattr(lifecycle, "reassess", reassess)
    parent_id = catalog_client.post(
        "/api/v1/reviews/reevaluations", json={"batch_size": 1}, headers=legal
    ).get_json()["id"]
    wait_for_jobs(catalog_app)
    parent = catalog_client.get(f"/api/v1/jobs/{parent_id}", headers=legal).get_json()
    assert parent["status"] == "failed"
    assert parent["error"].startswith("Batch 1 of 2 (job ")
    assert parent["error"].endswith("failed: Reviews changed while they were being re-evaluated.")
    bad = catalog_client.post(
        "/api/v1/reviews/reevaluations", json={"batch_size": 0}, headers=legal
    )
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


def test_a_dpf_recertification_date_passing_reassesses_the_vendors_reviews(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, make_token: Callable[..., str]
) -> None:
    owner = {"Authorization": f"Bearer {make_token('procurement', email='buyer@example.test')}"}
    review = file_review(catalog_client, owner)
    legal = auth("legal")
    vendor = catalog_client.get("/api/v1/vendors/firebase", headers=legal)
    dpf = dict(vendor.get_json()["dpf"])
    assert dpf["status"] == "active"
    changed = catalog_client.patch(
        "/api/v1/vendors/firebase",
        json={"dpf": {**dpf, "recertification_due": "2027-03-01"}},
        headers={**legal, "If-Match": vendor.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    wait_for_jobs(
        catalog_app
    )  # the edit's own re-assessment: nothing lapsed yet, no verdict change
    with catalog_app.app_context(), session_scope() as session:
        assert session.execute(select(ReviewChange)).first() is None
        eu_before = session.get(Review, review).eu_mechanism  # type: ignore[union-attr]
    assert eu_before == "eu_dpf"

    days = [date(2027, 2, 27), date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 2)]
    reports = []
    for day in days:  # the clock: one tick a day
        with catalog_app.app_context(), session_scope() as session:
            reports.append(lifecycle.tick(session=session, actor="cron", day=day))
        wait_for_jobs(catalog_app)
    assert [r["dpf_lapse_job"] is not None for r in reports] == [False, False, True, False]
    assert reports[2]["causes"] == [
        "2027-03-02: the DPF re-certification of firebase "
        f"({dpf['entity']}) was due on 2027-03-01; its certification counts as lapsed."
    ]
    with catalog_app.app_context(), session_scope() as session:
        changes = session.execute(select(ReviewChange)).scalars().all()
        assert [(c.review_id, c.cause_kind) for c in changes] == [(review, "date")]
        assert "was due on 2027-03-01" in changes[0].cause
        assert changes[0].before["EU"]["mechanism"] == "eu_dpf"
        assert changes[0].after["EU"]["mechanism"] != "eu_dpf"
        task = session.execute(select(Task)).scalar_one()
        assert task.assignee == "buyer@example.test" and task.review_id == review
