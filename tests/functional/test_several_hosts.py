"""Two `xborder serve` instances and one `xborder worker` sharing PostgreSQL and Redis.

Over loopback ports: a session made on one instance works on the other (with its CSRF token),
the sign-in rate limit counts across both, a job runs once, ETags hold across instances, and
a notification is sent once. Needs XBORDER_TEST_DATABASE_URL (a schema of its own is made
and dropped) and Redis (XBORDER_TEST_REDIS_URL, default redis://127.0.0.1:6379/11, a db
number of its own that it empties); skipped when either is unreachable.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import (
    EU_ANALYTICS_REVIEW,
    PG_URL,
    WebhookReceiver,
    create_schema,
    drop_schema,
    eventually,
    redis_and_xborder,
)

REDIS_URL = os.environ.get("XBORDER_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
ADMIN, PASSWORD = "admin@hosts.test", "a-long-admin-pass-phrase"
pytestmark = pytest.mark.postgres


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    """A browser: one cookie jar for every instance, the CSRF token it was given."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def call(
        self,
        method: str,
        url: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        csrf: bool = True,
    ) -> tuple[int, dict[str, str], Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if csrf and self.csrf and method != "GET":
            request.add_header("X-CSRF-Token", self.csrf)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=30) as response:
                raw = response.read()
                return response.status, dict(response.headers), json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, dict(exc.headers), json.loads(raw) if raw else None


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, str]]:
    if not PG_URL:
        pytest.skip("XBORDER_TEST_DATABASE_URL is not set (PostgreSQL for several hosts)")
    store, xborder = redis_and_xborder(REDIS_URL)
    schema = f"xborder_hosts_{os.getpid()}"
    try:
        url = create_schema(schema)
    except Exception as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"PostgreSQL is not reachable: {exc}")
    store.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XBORDER_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=url,
        XBORDER_DATA_DIR=str(tmp_path / "data"),
        XBORDER_SECRET_KEY="shared-by-every-host",
        XBORDER_BROKER_URL=REDIS_URL,
        XBORDER_RATELIMIT_STORAGE_URI=REDIS_URL,
        XBORDER_ADMIN_EMAIL=ADMIN,
        XBORDER_ADMIN_PASSWORD=PASSWORD,
        XBORDER_LOAD_CATALOG="0",
    )
    subprocess.run([xborder, "db", "upgrade"], env=env, check=True, capture_output=True)
    ports = [_free_port(), _free_port()]
    logs = [(tmp_path / f"{name}.log").open("w+") for name in ("a", "b", "worker")]
    commands = [
        [xborder, "serve", "--port", str(p), "--workers", "1", "--threads", "2"] for p in ports
    ] + [[xborder, "worker", "--threads", "2"]]
    processes = [
        subprocess.Popen(c, env=env, stdout=log, stderr=subprocess.STDOUT)
        for c, log in zip(commands, logs, strict=True)
    ]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base in bases:
            eventually(lambda b=base: _up(b), f"{base} answers /readyz", 120)
        yield bases[0], bases[1]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for log in logs:
            log.seek(0)
            sys.stderr.write(log.read()[-3000:])
            log.close()
        drop_schema(schema)
        store.flushdb()


def _up(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


VENDOR = {
    "slug": "acme-cloud",
    "name": "Acme Cloud",
    "hq_country": "US",
    "processing_countries": ["US"],
    "dpf": {
        "status": "active",
        "entity": "Acme Cloud, Inc.",
        "parts": ["eu_us"],
        "checked": "2026-12-01",
    },
}
REVIEW = {**EU_ANALYTICS_REVIEW, "vendor": "acme-cloud"}


def test_two_instances_and_a_worker_share_sessions_limits_jobs_etags_and_notifications(
    cluster: tuple[str, str],
) -> None:
    a, b = cluster
    browser = Client()
    login = {"email": ADMIN, "password": PASSWORD}
    status, _, body = browser.call("POST", f"{a}/auth/login", login)
    assert status == 200, body
    browser.csrf = body["csrf_token"]

    # A session made on A works on B, and B checks the CSRF token A gave out.
    status, _, me = browser.call("GET", f"{b}/api/v1/me")
    assert status == 200 and me["email"] == ADMIN
    receiver = WebhookReceiver()
    hook = {"url": receiver.url, "events": ["verdict_changed"]}
    assert browser.call("POST", f"{b}/api/v1/webhooks", hook, csrf=False)[0] == 403
    assert browser.call("POST", f"{b}/api/v1/webhooks", hook)[0] == 201

    assert browser.call("POST", f"{a}/api/v1/vendors", VENDOR)[0] == 201
    status, _, review = browser.call("POST", f"{b}/api/v1/reviews", REVIEW)
    assert status == 201, review
    url = f"/api/v1/reviews/{review['id']}"

    # ETags hold across instances: B accepts A's ETag once; A then refuses the stale one.
    stale = browser.call("GET", f"{a}{url}")[1]["ETag"]
    change = {"purpose": "Product analytics"}
    assert browser.call("PATCH", f"{b}{url}", change, {"If-Match": stale})[0] == 200
    assert browser.call("PATCH", f"{a}{url}", {"purpose": "x"}, {"If-Match": stale})[0] == 412

    # A vendor fact changes on B: the worker re-assesses once and notifies once.
    etag = browser.call("GET", f"{a}/api/v1/vendors/acme-cloud")[1]["ETag"]
    lapsed = {"dpf": {"status": "not_listed", "checked": "2026-12-05"}}
    status, _, _ = browser.call(
        "PATCH", f"{b}/api/v1/vendors/acme-cloud", lapsed, {"If-Match": etag}
    )
    assert status == 200
    jobs = eventually(
        lambda: [
            j
            for j in browser.call("GET", f"{a}/api/v1/jobs?kind=reassess")[2]
            if j["status"] == "succeeded"
        ],
        "the re-assessment job succeeds",
    )
    assert len(jobs) == 1 and jobs[0]["attempts"] == 1
    assert jobs[0]["result"]["changed_reviews"] == [review["id"]]
    changes = browser.call("GET", f"{b}{url}/changes")[2]["changes"]
    assert len(changes) == 1 and changes[0]["cause_kind"] == "vendor_fact"
    history = browser.call("GET", f"{a}{url}/evaluations?per_page=100")[2]["items"]
    assert [h["reason"] for h in history].count("reevaluate") == 1
    eventually(
        lambda: [
            m
            for m in browser.call("GET", f"{b}/api/v1/notifications/outbox")[2]
            if m["status"] == "sent"
        ],
        "the notification is delivered",
    )
    assert len(receiver.bodies) == 1
    assert receiver.bodies[0]["xborder"]["review"] == review["id"]

    # The sign-in limit (10 a minute per client) counts on both instances together.
    statuses = [
        Client().call("POST", f"{base}/auth/login", {"email": ADMIN, "password": "wrong"})[0]
        for base in (a, b) * 6
    ]
    assert statuses.count(401) == 9  # the admin's sign-in above was the 10th
    assert set(statuses[9:]) == {429}
    receiver.close()
