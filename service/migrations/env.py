"""Alembic environment: the app's own connection when given, else the configured URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool
from sqlmodel import SQLModel

import service.all_models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata

# Full-text structures made by hand in migrations; autogenerate must not drop them.
_MANAGED_ELSEWHERE = {
    "vendor_fts",
    "vendor_fts_data",
    "vendor_fts_idx",
    "vendor_fts_content",
    "vendor_fts_docsize",
    "vendor_fts_config",
}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave hand-made full-text tables and indexes out of autogenerate comparisons."""
    if type_ == "table" and name in _MANAGED_ELSEWHERE:
        return False
    return not (type_ == "index" and name == "ix_vendor_search_fts")


def _migrate(**options: Any) -> None:
    """Run the scripts with what every run configures (the models, batch mode for SQLite's
    ALTERs, the hand-made full-text tables left alone) and this run's own `options`."""
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        **options,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    _migrate(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection: Connection) -> None:
    _migrate(connection=connection, compare_type=True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
