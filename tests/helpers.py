"""What several test modules share: request bodies, problem checks, users with tokens, vendors,
the plain statement of the vendor size limits, a document's strings, the web UI without a
browser (a signed-in Browser, a form's ETag, no inline script), a write race, a webhook
receiver, the job queue drained, the Redis and console-script checks of the multi-process tests,
the test databases (PostgreSQL schemas, the template emptied), and the CSV tables of expected
facts in tests/data/ with the cells they share."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlmodel import SQLModel
from werkzeug.test import TestResponse

from service.auth.services import create_token, create_user
from service.db import make_engine, session_scope
from service.jobs import runtime as jobs_runtime
from service.reference.services import get_reference
from service.vendors.schemas import MAX_LIST_ITEMS, MAX_TEXT_CHARS
from service.vendors.services import create_vendor

PG_URL = os.environ.get("XBORDER_TEST_DATABASE_URL")
DATA = Path(__file__).resolve().parent / "data"

# What the `auth` fixture is: Authorization headers for a fresh user of the role it is given.
Headers = Callable[[str], dict[str, str]]


def create_schema(schema: str) -> str:
    """A new, empty PostgreSQL schema on PG_URL (any leftover of that name dropped); a URL
    whose connections use it."""
    assert PG_URL
    _on_server(f"DROP SCHEMA IF EXISTS {schema} CASCADE", f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{joiner}options=-csearch_path%3D{schema}"


def drop_schema(schema: str) -> None:
    _on_server(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _on_server(*statements: str) -> None:
    """Run statements on the PostgreSQL server of PG_URL, in one transaction."""
    assert PG_URL
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def fresh_database_url(template: str, directory: Path) -> str:
    """A database like the migrated template with no rows: on PostgreSQL the template's schema
    emptied, on SQLite a copy of the template file in `directory`."""
    if PG_URL:
        import service.all_models  # noqa: F401  (every table, to empty them all)

        engine = make_engine(template)
        tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template
    path = directory / "xborder.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


# A German company's app sends device ids of 300,000 people in the EU to Firebase for analytics.
EU_ANALYTICS_REVIEW: dict[str, Any] = {
    "vendor": "firebase",
    "transfer": {
        "exporter": {"name": "Acme GmbH", "country": "DE", "role": "controller"},
        "data_subjects": [{"jurisdiction": "EU", "count": 300_000}],
        "data_categories": ["identifiers.device"],
        "purposes": ["analytics"],
    },
    "purpose": "Analytics",
}

# Umeng+, a Chinese analytics SDK (a processor), as the assistant tests file it.
UMENG_SDK: dict[str, Any] = {
    "slug": "umeng",
    "name": "Umeng+",
    "aliases": ["友盟", "Umeng"],
    "hq_country": "CN",
    "category": "analytics_sdk",
    "product_type": "sdk",
    "data_categories": ["identifiers.device"],
    "default_role": "processor",
}

JUS = {"name": "Ningbo Jus Internet Technology", "country": "CN", "role": "controller"}

# The Jus/Firebase crash-reporting review: device ids and diagnostics of 2,000,000 people in
# mainland China and 300,000 in the EU.
JUS_CRASH_REVIEW: dict[str, Any] = {
    "vendor": "firebase",
    "transfer": {
        "exporter": JUS,
        "data_subjects": [
            {"jurisdiction": "CN", "count": 2_000_000},
            {"jurisdiction": "EU", "count": 300_000},
        ],
        "data_categories": ["identifiers.device", "usage.diagnostics"],
        "purposes": ["analytics", "crash_reporting"],
    },
    "purpose": "Crash reporting",
}

# The chapters every PIPIA report has, in PDF and in Word: the headings a reader looks for.
REPORT_CHAPTERS = (
    "Summary of the evaluation",
    "Risk register",
    "Rules that fired",
    "Obligations",
    "Open questions",
    "Checklists",
    "Validation",
    "Appendix",
)


def table(name: str) -> list[dict[str, str]]:
    """The rows of the CSV table tests/data/<name> (its first line names the columns, the
    first column is the row's key); a row with a cell too few or too many, or a key seen
    before, is refused, so a broken row cannot pass unread."""
    with (DATA / name).open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    keys: set[str] = set()
    for number, row in enumerate(rows, start=2):
        assert None not in row and None not in row.values(), f"{name}:{number}: cells ≠ columns"
        key = next(iter(row.values()))
        assert key not in keys, f"{name}:{number}: {key} again"
        keys.add(key)
    return rows


def optional(cell: str) -> str | None:
    """A table cell, None when empty."""
    return cell or None


def flag(cell: str) -> bool | None:
    """A yes/no table cell, None when empty."""
    return {"yes": True, "no": False, "": None}[cell]


def designations(cell: str) -> tuple[tuple[str, str], ...]:
    """A sanctions cell, `list: party; list: party`, as (party, list) pairs in its order."""
    pairs = (entry.split(": ", 1) for entry in cell.split("; ") if entry)
    return tuple((party, listed) for listed, party in pairs)


def add_vendor(app: Flask, **data: Any) -> None:
    """Add a vendor to the app's registry, as the API would."""
    with app.app_context(), session_scope() as session:
        create_vendor(session=session, data=data, reference=get_reference())


def plain_oversized(value: Any, path: str = "") -> tuple[str, str] | None:
    """The size limits of a vendor body, stated plainly: the first oversized text or list (a
    tuple counts as one) and its message, each dict key appended to the path with a dot and list
    items keeping their list's path; `schemas.oversized` is held to it."""
    if isinstance(value, str):
        too_long = len(value) > MAX_TEXT_CHARS
        return (path, f"Longer than {MAX_TEXT_CHARS} characters.") if too_long else None
    if isinstance(value, list | tuple):
        if len(value) > MAX_LIST_ITEMS:
            return path, f"More than {MAX_LIST_ITEMS} entries."
        return next((f for item in value if (f := plain_oversized(item, path))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if found := plain_oversized(item, f"{path}.{key}" if path else str(key)):
                return found
    return None


def strings_in(value: Any, skip: frozenset[str]) -> list[str]:
    """Every string in a plain document (dicts, lists), in order, but the values of the keys in
    `skip` (at any depth)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in skip for s in strings_in(v, skip)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item, skip)]
    return [value] if isinstance(value, str) else []


def wait_for_jobs(app: Flask) -> None:
    """Block until the app's in-process job workers have run every queued job."""
    jobs_runtime.runtime(app).join()


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status (and a title); its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.get_json()
    assert body["status"] == status and body["title"]
    return body


# The web UI without a browser: a test client that signs in through the form and sends the
# page's CSRF token, as a browser does.
PASSWORD = "a long enough test password"  # every user sign_in makes
HTML = {"Accept": "text/html"}


class Browser:
    """A test client signed in through the sign-in form, sending the page's CSRF token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        response = self.client.get(url, headers=HTML, **kwargs)
        found = re.search(r'name="csrf-token" content="([^"]+)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        body = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(url, data=body, headers=HTML, **kwargs)


def form_etag(page: str, name: str = "etag") -> str:
    """The value of the page's first hidden `name` field (a form's ETag), as a browser sends it."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]+)"', page)
    assert found is not None, f"no {name} field on the page"
    return html.unescape(found.group(1))


def sign_in(app: Flask, email: str, role: str) -> Browser:
    """A new user of `role` (password PASSWORD), signed in through the sign-in form."""
    with app.app_context(), session_scope() as session:
        create_user(session=session, email=email, role=role, password=PASSWORD)
    browser = Browser(app.test_client())
    browser.get("/login")
    response = browser.post("/login", {"email": email, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303, response.text
    browser.get("/")
    return browser


def no_inline_script(page: str) -> None:
    """The page runs no inline script, event handler or style attribute (the CSP blocks them)."""
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert 'style="' not in page, "inline style attribute (blocked by the CSP)"


def bearer_users(app: Flask, people: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """Authorization headers by name for new users (`name@example.test`) of the given roles."""
    headers: dict[str, dict[str, str]] = {}
    with app.app_context(), session_scope() as session:
        for name, role in people:
            user = create_user(session=session, email=f"{name}@example.test", role=role)
            token = create_token(session=session, user=user)[1]
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def race_two_patches(app: Flask, url: str, field: str, headers: dict[str, str], etag: str) -> str:
    """Two clients PATCH `field` of one record with the same ETag at the same moment: one
    must win (200) and the other be refused as stale (412). The winner's text."""
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def writer(text: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.patch(url, json={field: text}, headers={**headers, "If-Match": etag})
        statuses[text] = response.status_code

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("first", "second")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses.values()) == [200, 412]
    return next(text for text, status in statuses.items() if status == 200)


def eventually(check: Callable[[], Any], what: str, seconds: float = 120.0) -> Any:
    """Poll `check` (every 50 ms) until it returns something truthy, and return that; fail
    naming `what` after `seconds`. For the multi-process tests, which wait on other processes."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def redis_and_xborder(url: str) -> tuple[Any, str]:
    """A Redis client for `url` (skip when it does not answer) and the path of the `xborder`
    console script of this environment (skip when it is not installed)."""
    import redis

    try:
        store = redis.Redis.from_url(url)
        store.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis is not reachable at {url}")
    xborder = shutil.which("xborder", path=str(Path(sys.executable).parent))
    if xborder is None:
        pytest.skip("the xborder console script is not installed in this environment")
    return store, xborder


def serve_in_thread(server: socketserver.BaseServer) -> Callable[[], None]:
    """Serve `server` on a daemon thread and return what stops it. The thread looks for the stop
    every 50 ms: socketserver's default, 0.5 s, was half a second at the end of each test."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return stop


class WebhookReceiver:
    """A webhook receiver on a loopback port: records each request (headers, body) and when it
    arrived (`time.perf_counter()`), and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.arrived: list[float] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                receiver.arrived.append(time.perf_counter())
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        self.close = serve_in_thread(server)

    @property
    def bodies(self) -> list[Any]:
        """The JSON bodies received, in order."""
        return [json.loads(body) for _, body in self.requests]


def worker_env(database_url: str, broker_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of an `xborder worker` process on a test's (or a bench's) database and
    broker."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("XBORDER_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=database_url,
        XBORDER_BROKER_URL=broker_url,
        XBORDER_DATA_DIR=str(data_dir),
        XBORDER_SECRET_KEY="test-secret",
        XBORDER_LOAD_CATALOG="0",
        XBORDER_AUTO_MIGRATE="0",
        XBORDER_ADMIN_EMAIL="admin@kill.test",
        XBORDER_ADMIN_PASSWORD="a-long-pass-phrase-2",
    )
    return env
