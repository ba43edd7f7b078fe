"""Dramatiq under the job table: one broker per app, one actor that runs any job by id.

`XBORDER_BROKER_URL` names the broker: `redis://host:6379/N` or `amqp://user:pw@host:5672/`.
Without it, jobs go to Dramatiq's in-memory StubBroker and a small pool of worker threads in
this process (started on first use, so a gunicorn worker starts its own after the fork): the
README's `xborder serve` needs nothing else. A message carries only the job's id; what to do
lives in the job row, and claiming it (services.claim) makes a twice-delivered message run once.
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass, field

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Interrupt, TimeLimitExceeded
from flask import Flask, current_app, g

from service import errors
from service.db import get_engine, session_scope
from service.jobs import services
from service.jobs.models import Job

log = logging.getLogger(__name__)
EXTENSION = "xborder.jobs"
QUEUE = "xborder"
ACTOR = "xborder_run_job"
MIN_BACKOFF_MS = 2_000
MAX_BACKOFF_MS = 60_000
# How long the in-process worker's idle threads wait for a message before they look whether
# they should stop: stopping it (the server shutting down, the end of a test) waits that long
# twice, its worker threads then its consumer (Dramatiq's default, 1 s, made that 2 s).
EMBEDDED_POLL_MS = 100


@dataclass
class Runtime:
    """An app's broker, its actor, and (embedded default) the in-process worker."""

    app: Flask
    broker: dramatiq.Broker
    actor: dramatiq.Actor[[int], None]
    embedded: bool
    threads: int
    worker: dramatiq.Worker | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, job_id: int, time_limit: int, max_attempts: int) -> None:
        """Put a job's message on the queue (starting the in-process worker when embedded)."""
        if self.embedded:
            self.start_embedded()
        self.actor.send_with_options(
            args=(job_id,),
            time_limit=time_limit * 1000,
            max_retries=max(0, max_attempts - 1),
            min_backoff=MIN_BACKOFF_MS,
            max_backoff=MAX_BACKOFF_MS,
        )

    def start_embedded(self) -> None:
        with self.lock:
            if self.worker is None:
                self.worker = dramatiq.Worker(
                    self.broker, worker_threads=self.threads, worker_timeout=EMBEDDED_POLL_MS
                )
                self.worker.start()

    def join(self, timeout_ms: int = 120_000) -> None:
        """Wait until the embedded queue is empty (tests, benchmarks, `jobs run`)."""
        assert isinstance(self.broker, StubBroker)
        self.broker.join(QUEUE, timeout=timeout_ms, fail_fast=False)
        if self.worker is not None:
            self.worker.join()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None


def make_broker(url: str | None) -> dramatiq.Broker:
    """Redis, RabbitMQ or the in-memory broker, by URL scheme."""
    if not url:
        return StubBroker(fail_fast_default=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url, namespace="xborder")  # type: ignore[no-untyped-call]
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    raise ValueError(f"XBORDER_BROKER_URL: no broker for {url!r} (redis://, amqp://)")


def runtime(app: Flask | None = None) -> Runtime:
    """This app's job runtime, made on first use."""
    # The app itself, never the context-local proxy: worker threads have no app context.
    app = getattr(app or current_app, "_get_current_object", lambda: app)()
    assert app is not None
    found: Runtime | None = app.extensions.get(EXTENSION)
    if found is None:
        url = app.config.get("BROKER_URL")
        broker = make_broker(url)
        # What the `dramatiq` command does at start: starts the time-limit watcher thread.
        broker.emit_after("process_boot")

        def run(job_id: int) -> None:
            run_job(app, job_id)

        actor: dramatiq.Actor[[int], None] = dramatiq.Actor(
            run, broker=broker, actor_name=ACTOR, queue_name=QUEUE, priority=0, options={}
        )
        found = Runtime(
            app, broker, actor, embedded=not url, threads=int(app.config["JOB_THREADS"])
        )
        app.extensions[EXTENSION] = found
    return found


def send(app: Flask, job_id: int) -> None:
    """Send a committed job to the broker."""
    with session_scope(app) as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        time_limit, attempts = job.time_limit, job.max_attempts
    runtime(app).send(job_id, time_limit, attempts)


def run_job(app: Flask, job_id: int) -> None:
    """Claim a job, run it in one transaction with its success mark, or record why it failed.

    A domain error (bad input) or the time limit fails the job at once; any other error is
    retried by Dramatiq with backoff while attempts remain, then fails the job with its reason.
    """
    engine = get_engine(app)
    job = services.claim(engine, job_id)
    if job is None:
        return
    with app.app_context():
        g.actor = job.created_by
        last = [-1]

        def progress(fraction: float) -> None:
            percent = int(fraction * 100)
            if percent != last[0]:
                last[0] = percent
                services.set_progress(engine, job_id, percent)

        try:
            handler = services.load_handler(job.kind)
            with session_scope(app) as session:
                outcome = handler(
                    services.JobContext(job_id, dict(job.params), job.created_by, session, progress)
                )
                services.finish(session, job_id, outcome)
        except errors.DomainError as exc:
            detail = exc.detail + (f" {exc.errors}" if exc.errors else "")
            services.record_failure(engine, job_id, detail, final=True)
        except TimeLimitExceeded:
            services.record_failure(
                engine, job_id, f"Time limit of {job.time_limit} s exceeded.", final=True
            )
        except Interrupt:
            services.record_failure(engine, job_id, "The worker shut down.", final=False)
            raise
        except Exception as exc:
            final = job.attempts >= job.max_attempts
            reason = f"{type(exc).__name__}: {exc}"
            log.warning(
                "job %s attempt %s failed: %s", job_id, job.attempts, traceback.format_exc()
            )
            services.record_failure(engine, job_id, reason, final=final)
            if not final:
                raise  # Dramatiq's Retries middleware sends it again after a backoff
