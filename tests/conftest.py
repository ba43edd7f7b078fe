"""Fixtures shared by every test: an app on a fresh database per test, clients, users, tokens.

The suite runs on pytest-xdist workers (`-n auto` in pyproject.toml), each with databases of
its own: SQLite (default): the schema is migrated once per worker into a template file, copied
for each test. PostgreSQL: set XBORDER_TEST_DATABASE_URL (CI does); each worker migrates a
schema of its own once, and every table is emptied before each test.
"""

from __future__ import annotations

import os
import shutil
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from service import create_app
from service.auth import passwords
from service.db import make_engine, session_scope, upgrade
from tests.helpers import PG_URL, Headers, create_schema, drop_schema, fresh_database_url

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` runs a hand-picked test (`path::name`) in this process: workers cost a start-up.

    Otherwise (None) xdist's own count: one worker per CPU, or PYTEST_XDIST_AUTO_NUM_WORKERS.
    """
    if config.args and all("::" in arg for arg in config.args):
        return 0
    return None


SHIPPED_HASHER = passwords._hasher


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2id at its cheapest parameters in the test processes: a hash or a check costs
    well under a millisecond instead of about 130 (on four threads), and the suite makes and
    signs in users some hundreds of times (Django's docs give the same advice). Tests of the
    hashing itself use the shipped parameters (`shipped_password_hashing`); the processes the
    tests start (`xborder serve`, job workers) hash as shipped."""
    patch = pytest.MonkeyPatch()
    patch.setattr(passwords, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
    yield
    patch.undo()


@pytest.fixture
def shipped_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The argon2id parameters the service ships with (RFC 9106's low-memory profile)."""
    monkeypatch.setattr(passwords, "_hasher", SHIPPED_HASHER)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository (seeds, golden data); skip where it is absent."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared/seeds is not beside this checkout (CI has it)")
    return SHARED


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to start each test from: a SQLite file, or a PostgreSQL URL.

    On PostgreSQL each run gets its own schema, so parallel runs on one server don't collide.
    """
    if PG_URL:
        schema = f"xborder_test_{os.getpid()}"
        url = create_schema(schema)
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        drop_schema(schema)
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    yield str(path)


@pytest.fixture(scope="session")
def catalog_template(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database holding the shipped catalog, loaded once per run."""
    if PG_URL:
        schema = f"xborder_catalog_{os.getpid()}"
        url = create_schema(schema)
        source = schema
    else:
        path = tmp_path_factory.mktemp("catalog") / "catalog.sqlite3"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
        source = str(path)
    app = create_app(
        {
            "DATABASE_URL": url,
            "DATA_DIR": tmp_path_factory.mktemp("catalog-data"),
            "SECRET_KEY": "test",
            "TESTING": True,
            "LOAD_CATALOG": True,
        }
    )
    app.extensions["xborder.engine"].dispose()
    yield source
    if PG_URL:
        drop_schema(source)


CATALOG_TABLES = ("vendor", "vendor_alias", "vendor_facet")


def copy_catalog(url: str, source: str) -> None:
    """Copy the catalog template's vendor rows into the (empty) database at url."""
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("ATTACH DATABASE :path AS cat"), {"path": source})
            for table in CATALOG_TABLES:
                conn.execute(text(f"INSERT INTO main.{table} SELECT * FROM cat.{table}"))
            conn.execute(
                text(
                    "INSERT INTO vendor_fts(rowid, search_text) "
                    "SELECT rowid, search_text FROM cat.vendor_fts"
                )
            )
        else:
            for table in CATALOG_TABLES:
                conn.execute(text(f"INSERT INTO {table} SELECT * FROM {source}.{table}"))
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                    )
                )
        # The registry version goes with the vendors it stamped (service/vendors/names.py).
        conn.execute(text("DELETE FROM registry_state"))
        conn.execute(
            text(
                "INSERT INTO registry_state (id, version) "
                "SELECT 1, coalesce(max(registry_version), 0) FROM vendor"
            )
        )
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.execute(text("DETACH DATABASE cat"))
    engine.dispose()


@pytest.fixture
def make_app(database_template: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps on this test's fresh database, with config overrides."""
    url = fresh_database_url(database_template, tmp_path)
    apps: list[Flask] = []

    def factory(**overrides: Any) -> Flask:
        config = {
            "TESTING": True,
            "DATABASE_URL": url,
            "DATA_DIR": tmp_path,
            "SECRET_KEY": "test-secret",
            "AUTO_MIGRATE": False,
            "LOAD_CATALOG": False,
            **overrides,
        }
        app = create_app(config)
        apps.append(app)
        return app

    factory.url = url  # type: ignore[attr-defined]
    yield factory
    for app in apps:
        _stop_jobs(app)
        app.extensions["xborder.engine"].dispose()


def _stop_jobs(app: Flask) -> None:
    """Stop the app's in-process job workers before its engine goes: a worker thread still
    running a job after the test would open connections on the disposed engine's new pool,
    which nothing closes."""
    jobs = app.extensions.get("xborder.jobs")
    if jobs is not None:
        jobs.stop()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """An app on an empty registry."""
    return make_app()


@pytest.fixture
def catalog_app(make_app: Callable[..., Flask], catalog_template: str) -> Flask:
    """An app whose registry holds the shipped catalog (copied from a once-per-run load)."""
    copy_catalog(make_app.url, catalog_template)  # type: ignore[attr-defined]
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def catalog_client(catalog_app: Flask) -> FlaskClient:
    """A client of the catalog app; make_app stops the app's job workers at teardown."""
    return catalog_app.test_client()


@pytest.fixture
def make_token(app: Flask) -> Callable[..., str]:
    """Create a user with a role and return a personal API token for it."""
    from service.auth.services import create_token, create_user

    counter = iter(range(1, 10_000))

    def factory(role: str = "admin", email: str | None = None) -> str:
        with app.app_context(), session_scope() as session:
            user = create_user(
                session=session, email=email or f"{role}{next(counter)}@example.test", role=role
            )
            _token, plain = create_token(session=session, user=user)
        return plain

    return factory


@pytest.fixture
def auth(make_token: Callable[..., str]) -> Headers:
    """Authorization headers for a fresh user of the given role."""

    def headers(role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(role)}"}

    return headers


def build_pdf(
    lines: list[str], *, pages: int = 1, content: bytes | None = None, flate: bool = False
) -> bytes:
    """A PDF whose text layer holds `lines` (Helvetica, WinAnsi), built by hand.

    `pages` pages share one content stream; `content` replaces the stream built from `lines`;
    `flate` compresses it (a decompression bomb is a large `content` with `flate=True`).
    """
    body = (
        "BT /F1 12 Tf 72 720 Td 14 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
            for line in lines
        )
        + " ET"
    )
    stream = body.encode("latin-1") if content is None else content
    filters = b""
    if flate:
        stream = zlib.compress(stream, 9)
        filters = b" /Filter /FlateDecode"
    page_numbers = range(5, 5 + pages)
    kids = b" ".join(f"{n} 0 R".encode() for n in page_numbers)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>",
        b"<< /Length "
        + str(len(stream)).encode()
        + filters
        + b" >>\nstream\n"
        + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ] + [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    ] * pages
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


@pytest.fixture
def make_pdf() -> Callable[[list[str]], bytes]:
    """Build a one-page PDF whose text layer holds the given lines (no PDF library needed)."""
    return build_pdf
