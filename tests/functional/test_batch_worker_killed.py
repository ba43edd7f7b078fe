"""A real `xborder worker` killed in the middle of a re-evaluation batch: the batch leaves
nothing written, the batches before it stay, and the parent job resumes and succeeds.

PostgreSQL only (the test holds one review's row lock so the worker stops, deterministically,
inside the batch's transaction), with Redis (XBORDER_TEST_BATCH_REDIS_URL, default db 13,
emptied); skipped otherwise.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update

from service.db import make_engine, session_scope
from service.jobs.models import Job
from service.lifecycle.services import tick
from service.models import utcnow
from service.reviews.models import ReviewEvaluation
from tests.helpers import Headers, eventually, redis_and_xborder, worker_env
from tests.service.test_lifecycle import file_review

REDIS_URL = os.environ.get("XBORDER_TEST_BATCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _jobs(app: Flask) -> dict[int, Job]:
    with app.app_context(), session_scope() as session:
        return {int(j.id or 0): j for j in session.execute(select(Job)).scalars()}


def _evaluations(app: Flask, review_id: int) -> int:
    with app.app_context(), session_scope() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(ReviewEvaluation)
                .where(ReviewEvaluation.review_id == review_id)  # type: ignore[arg-type]
            ).scalar_one()
        )


def test_a_worker_killed_inside_a_batch_resumes_the_bulk_reevaluation(
    make_app: Callable[..., Flask], catalog_template: str, auth: Headers, tmp_path: Path
) -> None:
    from tests.conftest import copy_catalog

    url: str = make_app.url  # type: ignore[attr-defined]
    if not url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (a row lock holds the worker inside the batch)")
    store, xborder = redis_and_xborder(REDIS_URL)
    store.flushdb()
    copy_catalog(url, catalog_template)
    app = make_app(BROKER_URL=REDIS_URL)
    client = app.test_client()
    legal = auth("legal")
    first, blocked = (file_review(client, legal, exporter=n) for n in ("Acme GmbH", "Beta AG"))
    before = {r: _evaluations(app, r) for r in (first, blocked)}

    env = worker_env(url, REDIS_URL, tmp_path / "worker")
    log = (tmp_path / "worker.log").open("w+")

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [xborder, "worker", "--threads", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )

    lock_engine = make_engine(url)
    holder = lock_engine.connect()
    workers: list[subprocess.Popen[bytes]] = []
    try:
        lock = holder.begin()
        holder.execute(text("SELECT id FROM review WHERE id = :id FOR UPDATE"), {"id": blocked})
        workers.append(worker())
        parent_id = client.post(
            "/api/v1/reviews/reevaluations", json={"batch_size": 1}, headers=legal
        ).get_json()["id"]

        def waiting_on_the_lock() -> bool:
            # Another connection: a transaction sees one snapshot of pg_stat_activity.
            with lock_engine.connect() as watcher:
                row = watcher.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query ILIKE 'UPDATE review %'"
                    )
                ).scalar_one()
            return bool(row)

        eventually(waiting_on_the_lock, "the worker's batch waits on the locked review")
        workers[0].send_signal(signal.SIGKILL)  # inside the batch's transaction
        workers[0].wait(timeout=30)
        lock.rollback()

        jobs = _jobs(app)
        batches = [j for j in jobs.values() if j.kind == "reevaluate_batch"]
        dead = next(j for j in batches if j.status == "running")
        assert (dead.attempts, dead.result) == (1, None)
        assert [j.status for j in batches if j.id != dead.id] == ["succeeded"]
        parent = jobs[parent_id]
        assert parent.status == "waiting" and parent.result is not None
        assert (parent.result["batches"], parent.result["batches_done"]) == (2, 1)
        # Nothing half-written: the killed batch's review has no new evaluation.
        assert _evaluations(app, blocked) == before[blocked]
        assert _evaluations(app, first) == before[first] + 1

        with app.app_context(), session_scope() as session:
            stale = utcnow() - timedelta(seconds=dead.time_limit + 120)
            session.execute(update(Job).where(Job.id == dead.id).values(heartbeat_at=stale))  # type: ignore[arg-type]
        workers.append(worker())
        with app.app_context(), session_scope() as session:
            report = tick(session=session, actor="cron", day=date(2026, 12, 5))
        assert dead.id in report["lost_jobs"]
        done = eventually(
            lambda: (p := _jobs(app)[parent_id]).status in ("succeeded", "failed") and p,
            "the parent job ends",
        )
        assert (done.status, done.progress) == ("succeeded", 100), done.error
        assert done.result["evaluated"] == 2
        resumed = _jobs(app)[int(dead.id or 0)]
        assert (resumed.status, resumed.attempts) == ("succeeded", 2)
        assert _evaluations(app, blocked) == before[blocked] + 1
        assert _evaluations(app, first) == before[first] + 1
    finally:
        holder.close()  # first: a worker may still wait on the lock
        for running in workers:
            if running.poll() is None:
                running.terminate()
                try:
                    running.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    running.kill()
                    running.wait(timeout=30)
        lock_engine.dispose()
        log.seek(0)
        sys.stderr.write(log.read()[-3000:])
        log.close()
        store.flushdb()
