"""Jobs at scale on PostgreSQL + Redis with 2 `xborder worker` processes (issue 16 section 6).

1. Re-evaluate R open reviews (default 10,000): in this process with
   `reviews.services.reevaluate_open_reviews`, then as one `reevaluate` job split into
   --batches batch jobs (whole exporters each) on 2 worker processes; wall time and reviews/s
   of each, in the same run, over the same rows. Job wall time = from submitting to the
   parent succeeded (its last batch).
2. PDF report jobs under 8 concurrent requests: 8 report jobs (8 assessments) submitted at
   once, repeated ROUNDS times; each job's latency = finished_at - created_at; p50 and p95.
3. Time to notify: a vendor's DPF entry lapses and N of its reviews change verdict; time from
   the commit of the vendor change to the webhook receiving the N-th notification, for several N.

    XBORDER_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test_i16 \\
    .venv/bin/python bench/bench_jobs.py [--reviews 10000] [--rounds 3] [--notify 10,100,1000] \\
        [--parts reevaluate,pdf,notify]

--parts measures only the parts named (each runs on its own; the workers start either way).

Uses a schema of its own (dropped at the end) and Redis db 12 (emptied).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import col

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import run_threads  # noqa: E402

from service import create_app  # noqa: E402
from service.auth.services import create_user  # noqa: E402
from service.db import make_engine, session_scope, table_of  # noqa: E402
from service.impact_assessments.services import create_assessment  # noqa: E402
from service.jobs.models import Job  # noqa: E402
from service.jobs.reports import submit_report_job  # noqa: E402
from service.jobs.services import submit_job  # noqa: E402
from service.notifications.models import OutboxMessage  # noqa: E402
from service.notifications.services import create_webhook  # noqa: E402
from service.reference.services import get_reference  # noqa: E402
from service.reviews import services as reviews  # noqa: E402
from service.reviews.models import Review  # noqa: E402
from service.transfers.services import get_rulebook  # noqa: E402
from service.vendors.services import create_vendor, get_vendor, update_vendor  # noqa: E402
from tests.helpers import WebhookReceiver, worker_env  # noqa: E402

DAY = date(2026, 12, 5)
ACTOR = "bench@example.test"
REDIS = os.environ.get("XBORDER_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
DPF = {"status": "active", "entity": "Bench", "parts": ["eu_us"], "checked": "2026-12-01"}


def vendor(i: int) -> dict[str, Any]:
    return {
        "slug": f"bench-cloud-{i}",
        "name": f"Bench Cloud {i}",
        "hq_country": "US",
        "processing_countries": ["US"],
        "default_role": "processor",
        "dpf": {**DPF, "entity": f"Bench Cloud {i}, Inc."},
    }


def file_review(session: Any, user: Any, rulebook: Any, slug: str, exporter: str) -> int:
    """File an analytics review of the vendor `slug` by a German `exporter`; the review's id."""
    view = reviews.create_review(
        session=session,
        user=user,
        rulebook=rulebook,
        day=DAY,
        data={
            "vendor": slug,
            "transfer": {
                "exporter": {"name": exporter, "country": "DE", "role": "controller"},
                "data_subjects": [{"jurisdiction": "EU", "count": 50_000}],
                "data_categories": ["identifiers.device", "usage.diagnostics"],
                "purposes": ["analytics"],
            },
            "purpose": "Analytics",
        },
    )
    return int(view.review.id or 0)


def clone_reviews(app: Any, template_id: int, count: int, prefix: str) -> None:
    """count copies of a review, each with an exporter of its own (set-based INSERT ... SELECT)."""
    with app.app_context(), session_scope() as session:
        columns = [c.name for c in table_of(Review).columns if c.name != "id"]
        chosen = ", ".join(columns)
        values = ", ".join(
            f"'{prefix}' || g::text"
            if c == "exporter_name"
            else f"'DE:{prefix.lower()}' || g::text"
            if c == "exporter_key"
            else f"r.{c}"
            for c in columns
        )
        session.execute(
            text(
                f"INSERT INTO review ({chosen}) SELECT {values} FROM review r, "
                f"generate_series(1, :n) g WHERE r.id = :id"
            ),
            {"n": count, "id": template_id},
        )


def wait_jobs(app: Any, ids: list[int], timeout: float = 3600) -> list[Job]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context(), session_scope() as session:
            jobs = list(session.execute(select(Job).where(col(Job.id).in_(ids))).scalars())
        if all(j.status in ("succeeded", "failed") for j in jobs):
            return jobs
        time.sleep(0.05)
    raise TimeoutError(ids)


PARTS = ("reevaluate", "pdf", "notify")


def parts_of(value: str) -> set[str]:
    """The --parts value: a comma-separated subset of PARTS, each measured on its own."""
    chosen = {part.strip() for part in value.split(",") if part.strip()}
    unknown = sorted(chosen - set(PARTS))
    if unknown or not chosen:
        named = f"no part {', '.join(unknown)}" if unknown else "no part named"
        raise argparse.ArgumentTypeError(f"{named}; choose from {', '.join(PARTS)}")
    return chosen


def start_workers(app: Any, xborder: str, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """2 `xborder worker --threads 1` processes, warmed up (each has imported the app and
    loaded the rules) by 4 empty `reassess` jobs, so that no part times their start-up."""
    workers = [
        subprocess.Popen(
            [xborder, "worker", "--threads", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    with app.app_context(), session_scope() as session:
        warm = [
            int(
                submit_job(
                    session=session,
                    kind="reassess",
                    actor=ACTOR,
                    params={"vendor_ids": [], "cause_kind": "manual", "cause": "warm-up"},
                )[0].id
                or 0
            )
            for _ in range(4)
        ]
    wait_jobs(app, warm)
    return workers


def reevaluate_in_process(app: Any, rulebook: Any, total: int) -> float:
    """Part 1, first half: every open review re-evaluated in this process; the wall seconds."""
    start = time.perf_counter()
    with app.app_context(), session_scope() as session:
        report = reviews.reevaluate_open_reviews(
            session=session, rulebook=rulebook, day=DAY, actor=ACTOR
        )
    seconds = time.perf_counter() - start
    assert report.evaluated == total and not report.failed, report.failed
    return seconds


def reevaluate_on_jobs(app: Any, total: int, batches: int) -> dict[str, Any]:
    """Part 1, second half: the same rows as one `reevaluate` job split into batch jobs of
    whole exporters, timed from submitting to the parent succeeded."""
    start = time.perf_counter()
    with app.app_context(), session_scope() as session:
        job, _ = submit_job(
            session=session,
            kind="reevaluate",
            actor=ACTOR,
            params={
                "vendor_ids": None,
                "cause_kind": "manual",
                "cause": "bench",
                "as_of": DAY.isoformat(),
                "batch_size": max(1, total // batches),
            },
        )
        ids = [int(job.id or 0)]
    done = wait_jobs(app, ids)
    on_jobs = time.perf_counter() - start
    assert all(j.status == "succeeded" for j in done), [j.error for j in done]
    evaluated = sum(int((j.result or {})["evaluated"]) for j in done)
    return {
        "jobs_2_workers_s": round(on_jobs, 2),
        "jobs_per_s": round(evaluated / on_jobs),
        "jobs_evaluated": evaluated,
        "batches": sum(int((j.result or {}).get("batches", 0)) for j in done),
    }


def pdf_latencies(app: Any, review_ids: list[int], user: Any, rounds: int) -> dict[str, Any]:
    """Part 2: 8 PDF report jobs (DPIAs of 8 reviews) submitted at once, `rounds` times; each
    job's latency = finished_at - created_at; p50 and nearest-rank p95."""
    with app.app_context(), session_scope() as session:
        assessments = [
            create_assessment(
                session=session, review_id=review_ids[i], kind="dpia", language="en", user=user
            ).id
            for i in range(8)
        ]
    latencies: list[float] = []
    for _ in range(rounds):
        with app.app_context(), session_scope() as session:
            session.execute(text("DELETE FROM job WHERE kind = 'report'"))
        submitted: list[int] = []
        lock = threading.Lock()

        def ask(assessment_id: int, submitted: list[int] = submitted, lock: Any = lock) -> None:
            with app.app_context(), session_scope() as session:
                job, _ = submit_report_job(
                    session=session,
                    assessment_id=assessment_id,
                    version=None,
                    fmt="pdf",
                    actor=ACTOR,
                )
            with lock:
                submitted.append(job.id or 0)

        run_threads(ask, assessments)
        for job in wait_jobs(app, submitted):
            assert job.status == "succeeded", job.error
            assert job.finished_at is not None
            latencies.append((job.finished_at - job.created_at).total_seconds())
    latencies.sort()
    return {
        "jobs": len(latencies),
        "p50_s": round(statistics.median(latencies), 2),
        "p95_s": round(latencies[math.ceil(0.95 * len(latencies)) - 1], 2),  # nearest rank
        "max_s": round(latencies[-1], 2),
    }


def time_to_notify(
    app: Any, user: Any, rulebook: Any, counts: list[int], results: dict[str, Any]
) -> None:
    """Part 3: for each count N, a new vendor with N reviews loses its DPF entry; seconds from
    that commit to the webhook receiving the first and the N-th notification, into
    results["notify"] (printed after each N)."""
    receiver = WebhookReceiver()
    received = receiver.arrived
    with app.app_context(), session_scope() as session:
        reference = get_reference()
        create_webhook(session=session, url=receiver.url, events=["verdict_changed"], actor=ACTOR)
    notify: dict[str, Any] = {}
    for n, count in enumerate(counts):
        slug = f"bench-notify-{n}"
        with app.app_context(), session_scope() as session:
            create_vendor(
                session=session,
                data={**vendor(100 + n), "slug": slug, "name": f"Bench Notify {n}"},
                reference=reference,
            )
            first = file_review(session, user, rulebook, slug, f"Notify {n} GmbH")
        if count > 1:
            clone_reviews(app, first, count - 1, f"Notify {n}-")
        received.clear()
        start = time.perf_counter()
        with app.app_context(), session_scope() as session:
            update_vendor(
                session=session,
                vendor=get_vendor(session=session, slug=slug),
                reference=reference,
                changes={"dpf": {"status": "not_listed", "checked": "2026-12-05"}},
            )
        deadline = time.monotonic() + 1800
        while len(received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        with app.app_context(), session_scope() as session:
            sent = session.execute(
                select(func.count())
                .select_from(OutboxMessage)
                .where(col(OutboxMessage.status) == "sent")
            ).scalar_one()
        notify[str(count)] = {
            "first_s": round(received[0] - start, 2) if received else None,
            "last_s": round(received[-1] - start, 2) if received else None,
            "received": len(received),
        }
        results["notify"] = notify
        print(json.dumps(results), flush=True)
        assert len(received) == count, (count, len(received), sent)
    receiver.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--notify", default="10,100,1000")
    parser.add_argument("--batches", type=int, default=8, help="batch jobs of the re-evaluation")
    parser.add_argument(
        "--parts", type=parts_of, default=set(PARTS), help=f"which to measure ({','.join(PARTS)})"
    )
    args = parser.parse_args()
    parts: set[str] = args.parts
    base = os.environ.get("XBORDER_BENCH_DATABASE_URL")
    if not base:
        sys.exit("set XBORDER_BENCH_DATABASE_URL (PostgreSQL)")
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    schema = f"bench_jobs_{os.getpid()}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}"
    data_dir = Path(tempfile.mkdtemp())
    env = worker_env(url, REDIS, data_dir)
    app = create_app(
        {
            "DATABASE_URL": url,
            "BROKER_URL": REDIS,
            "DATA_DIR": data_dir,
            "SECRET_KEY": "bench",
            "LOAD_CATALOG": False,
            "TESTING": True,
        }
    )
    xborder = shutil.which("xborder", path=str(Path(sys.executable).parent))
    assert xborder is not None
    workers: list[subprocess.Popen[bytes]] = []
    results: dict[str, Any] = {"reviews": args.reviews}
    try:
        with app.app_context(), session_scope() as session:
            user = create_user(session=session, email=ACTOR, role="admin")
            reference = get_reference()
            for i in range(20):
                create_vendor(session=session, data=vendor(i), reference=reference)
        with app.app_context(), session_scope() as session:
            rulebook = get_rulebook()
            templates = []
            for i in range(20):
                templates.append(
                    file_review(session, user, rulebook, f"bench-cloud-{i}", f"Seed {i} GmbH")
                )
        per_vendor = args.reviews // 20 - 1
        for i, template in enumerate(templates):
            clone_reviews(app, template, per_vendor, f"Exporter {i}-")
        with app.app_context(), session_scope() as session:
            total = session.execute(select(func.count()).select_from(Review)).scalar_one()
        results["reviews"] = total

        # 1. in-process (before the workers start), then as jobs on 2 workers, same rows.
        in_process = reevaluate_in_process(app, rulebook, total) if "reevaluate" in parts else 0
        workers = start_workers(app, xborder, env)
        if "reevaluate" in parts:
            results["reevaluate"] = {
                "in_process_s": round(in_process, 2),
                "in_process_per_s": round(total / in_process),
                **reevaluate_on_jobs(app, total, args.batches),
            }
            print(json.dumps(results), flush=True)
        # 2. PDF jobs, 8 at once.
        if "pdf" in parts and args.rounds > 0:
            results["pdf"] = pdf_latencies(app, templates, user, args.rounds)
            print(json.dumps(results), flush=True)
        # 3. time to notify.
        if "notify" in parts:
            counts = [int(x) for x in args.notify.split(",")]
            time_to_notify(app, user, rulebook, counts, results)
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        app.extensions["xborder.engine"].dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
    results["machine"] = f"{platform.python_version()}, {os.cpu_count()} CPUs"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
