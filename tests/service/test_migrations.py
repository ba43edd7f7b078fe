"""The schema comes from Alembic: empty -> head works and the models agree with the scripts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, inspect

from service.db import (
    alembic_config,
    make_engine,
    migrations_at_head,
    script_heads,
    upgrade,
    upgrade_if_due,
)
from tests.helpers import PG_URL, create_schema, drop_schema


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of each kind (PostgreSQL only where configured)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("XBORDER_TEST_DATABASE_URL is not set (CI sets it)")
    schema = f"xborder_migr_{os.getpid()}"
    engine = make_engine(create_schema(schema))
    yield engine
    engine.dispose()
    drop_schema(schema)


def test_empty_to_head(empty_engine: Engine) -> None:
    assert not migrations_at_head(empty_engine)
    upgrade(empty_engine)
    assert migrations_at_head(empty_engine)
    assert {"vendor", "vendor_alias", "audit_event", "user_account"} <= set(
        inspect(empty_engine).get_table_names()
    )


def test_models_and_migrations_agree(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    cfg = alembic_config(empty_engine.url.render_as_string(hide_password=False))
    try:
        command.check(cfg)
    except CommandError as exc:  # pragma: no cover - the message is the diagnosis
        pytest.fail(f"models and migrations disagree: {exc}")


def test_one_base_revision() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_bases() == ["0001_base"]


def test_one_head() -> None:
    """Branches are merged before they land, so `upgrade head` and `heads` agree."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_start_up_reads_the_same_heads_as_alembic(tmp_path: Path) -> None:
    """A start skips Alembic when the database records every head; its reading must agree."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script_heads() == frozenset(script.get_heads())
    engine = make_engine(f"sqlite:///{tmp_path / 'due.sqlite3'}")
    upgrade_if_due(engine)  # an empty database is migrated
    assert migrations_at_head(engine)
    upgrade_if_due(engine)  # nothing due: nothing done, still at head
    assert migrations_at_head(engine)
    engine.dispose()
