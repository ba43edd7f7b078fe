"""The same job through a real broker: Redis and RabbitMQ (skipped when not reachable)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

import dramatiq
import pytest
from flask import Flask

from service.db import session_scope
from service.jobs import runtime as jobs_runtime
from service.jobs import services
from service.jobs.models import Job

BROKERS = {
    "redis": os.environ.get("XBORDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/11"),
    "rabbitmq": os.environ.get("XBORDER_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
}


def _reachable(url: str) -> bool:
    host_port = url.split("@")[-1].split("//")[-1].split("/")[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("name", sorted(BROKERS))
def test_a_job_runs_through_the_broker_once(make_app: Callable[..., Flask], name: str) -> None:
    url = BROKERS[name]
    if not _reachable(url):
        pytest.skip(f"{name} is not reachable at {url}")
    app = make_app(BROKER_URL=url)
    jobs = jobs_runtime.runtime(app)
    assert not jobs.embedded
    queue = "xborder-test-jobs"  # a queue of the tests' own, emptied after
    jobs.actor.queue_name = queue
    jobs.broker.declare_queue(queue)
    with app.app_context(), session_scope() as session:
        job, _ = services.submit_job(session=session, kind="reevaluate", params={}, actor="t")
        job_id = job.id
    assert job_id is not None
    jobs_runtime.send(app, job_id)  # delivered twice: the claim runs it once
    worker = dramatiq.Worker(jobs.broker, worker_threads=2, queues={queue})
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with app.app_context(), session_scope() as session:
                found = session.get(Job, job_id)
                assert found is not None
                if found.status == "succeeded":
                    break
            time.sleep(0.1)
        assert found.status == "succeeded" and found.attempts == 1
        assert found.result is not None and found.result["evaluated"] == 0
        worker.join()
    finally:
        worker.stop()
        jobs.broker.flush(queue)
        jobs.broker.close()
