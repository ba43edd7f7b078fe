"""A worker killed in the middle of a PDF job: nothing is half-written, and the job runs again.

A real `xborder worker` process on Redis (XBORDER_TEST_KILL_REDIS_URL, default db 10, emptied)
and the test's SQLite database; skipped when Redis is unreachable.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from service.db import session_scope
from service.jobs.models import Job, JobFile
from service.lifecycle.services import tick
from service.models import utcnow
from tests.helpers import EU_ANALYTICS_REVIEW, Headers, eventually, redis_and_xborder, worker_env

REDIS_URL = os.environ.get("XBORDER_TEST_KILL_REDIS_URL", "redis://127.0.0.1:6379/10")


def _job(app: Flask, job_id: int) -> Job:
    with app.app_context(), session_scope() as session:
        found = session.get(Job, job_id)
        assert found is not None
        return found


def test_a_killed_worker_leaves_nothing_half_written_and_the_job_runs_again(
    make_app: Callable[..., Flask], catalog_template: str, auth: Headers, tmp_path: Path
) -> None:
    from tests.conftest import copy_catalog

    store, xborder = redis_and_xborder(REDIS_URL)
    store.flushdb()
    copy_catalog(make_app.url, catalog_template)  # type: ignore[attr-defined]
    app = make_app(BROKER_URL=REDIS_URL)
    client = app.test_client()
    body = EU_ANALYTICS_REVIEW
    legal = auth("legal")
    review = client.post("/api/v1/reviews", json=body, headers=legal).get_json()["id"]
    assessment = client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "dpia"}, headers=legal
    ).get_json()["id"]
    env = worker_env(make_app.url, REDIS_URL, tmp_path / "worker")  # type: ignore[attr-defined]
    log = (tmp_path / "worker.log").open("w+")

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [xborder, "worker", "--threads", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )

    first = worker()
    try:
        job_id = client.post(
            f"/api/v1/assessments/{assessment}/report-jobs",
            json={"format": "pdf"},
            headers=legal,
        ).get_json()["id"]
        eventually(lambda: _job(app, job_id).status == "running", "the worker starts the job")
        first.kill()  # in the middle of rendering
        first.wait(timeout=30)
        killed = _job(app, job_id)
        assert (killed.status, killed.attempts, killed.result) == ("running", 1, None)
        with app.app_context(), session_scope() as session:
            assert session.execute(select(JobFile)).first() is None  # nothing half-written
            # Time passes: the heartbeat is older than the job's time limit.
            stale = utcnow() - timedelta(seconds=killed.time_limit + 120)
            session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=stale))  # type: ignore[arg-type]
        second = worker()
        try:
            with app.app_context(), session_scope() as session:
                report = tick(session=session, actor="cron", day=date(2026, 12, 5))
            assert report["lost_jobs"] == [job_id]
            done = eventually(
                lambda: (j := _job(app, job_id)).status in ("succeeded", "failed") and j,
                "the job runs again",
            )
            assert (done.status, done.attempts) == ("succeeded", 2), done.error
            download = client.get(f"/api/v1/jobs/{job_id}/result", headers=legal)
            assert download.status_code == 200 and download.data[:5] == b"%PDF-"
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(timeout=30)
        log.seek(0)
        sys.stderr.write(log.read()[-3000:])
        log.close()
        store.flushdb()
