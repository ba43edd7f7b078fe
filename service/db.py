"""Database engine per app and one session per request, closed on teardown."""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import Flask, current_app, g
from sqlalchemy import Engine, Select, Table, event, insert, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from service import errors
from service.models import MAX_ROW_ID

T = TypeVar("T")
# How many values one `IN (...)` carries: well under SQLite's and PostgreSQL's parameter limits.
IN_CHUNK = 1000

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in {"sqlite://", "sqlite:///:memory:"}:
            kwargs["poolclass"] = StaticPool
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def get_engine(app: Flask | None = None) -> Engine:
    """The app's engine."""
    app = app or current_app
    engine: Engine = app.extensions["xborder.engine"]
    return engine


def get_session() -> Session:
    """The request's session, opened on first use and closed on teardown."""
    if "db_session" not in g:
        g.db_session = Session(get_engine(), expire_on_commit=False)
    session: Session = g.db_session
    return session


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """A session for CLI commands and jobs: commits on success, rolls back on error."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def flush(
    session: Session,
    what: str,
    *,
    conflict: str | None = None,
    conflict_errors: dict[str, Any] | None = None,
    stale: type[errors.DomainError] = errors.PreconditionFailed,
) -> None:
    """Flush; a stale version (someone else's write) -> `stale` (412), a constraint -> 409.

    `what` names the object in the stale message ("vendor", "review"); `conflict` is the
    409's message (default: the object changed concurrently).
    """
    try:
        session.flush()
    except StaleDataError as exc:
        raise stale(
            f"This {what} changed since you read it; read it again and reapply your change."
        ) from exc
    except IntegrityError as exc:
        raise errors.Conflict(
            conflict or f"The {what} changed concurrently; try again.", errors=conflict_errors
        ) from exc


def get_row(session: Session, model: type[T], row_id: int, missing: str) -> T:
    """The row of `model` with this id, or NotFound(missing). An id outside 1..MAX_ROW_ID is
    absent without a query (PostgreSQL would refuse a bigger one for an integer column)."""
    row = session.get(model, row_id) if 0 < row_id <= MAX_ROW_ID else None
    if row is None:
        raise errors.NotFound(missing)
    return row


def select_row(session: Session, statement: Select[T], missing: str) -> T:
    """The first row `statement` selects, or NotFound(missing): a get_<thing> by anything but
    its id (a user by email, an assessment's version by number)."""
    row = session.scalars(statement).first()
    if row is None:
        raise errors.NotFound(missing)
    return row


def table_of(model: Any) -> Table:
    """A SQLModel table class's Core Table (for bulk INSERT and UPDATE statements)."""
    return cast(Table, sa_inspect(model).local_table)


def chunks(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most `size` values: one `IN (...)` query each."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def copy_rows(
    session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert rows of ints, strings and booleans (values in `columns` order) the fastest way
    the driver offers.

    PostgreSQL: COPY through psycopg; SQLite: the driver's executemany (no per-row type
    processing); anything else: SQLAlchemy's batched INSERT. All inside the session's transaction.
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        driver: Any = connection.connection.dbapi_connection  # psycopg, for COPY
        assert driver is not None
        with (
            driver.cursor() as cursor,
            cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    if connection.dialect.name != "sqlite":
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    names = list(columns)
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    order = list(compiled.positiontup or names)
    params: Any = rows
    if order != names:
        place = [names.index(key) for key in order]
        params = [tuple(row[i] for i in place) for row in rows]
    connection.exec_driver_sql(str(compiled), params)


def _reuse_empty(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that converts an empty list or dict once (most JSON columns are)."""
    empty: dict[type, Any] = {}

    def converted(value: Any) -> Any:
        kind = type(value)
        if (kind is list or kind is dict) and not value:
            if kind not in empty:
                empty[kind] = process(value)
            return empty[kind]
        return process(value)

    return converted


_UNSEEN = object()


def bound_values(
    rows: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    processors: Sequence[Callable[[Any], Any] | None],
) -> list[tuple[Any, ...]]:
    """Each row's values in `keys` order, each through its column's bind processor (None: as
    it is).

    A value that is the very object the row before had in that column is converted once
    (the rows' timestamps, flags, None, dates shared by many rows); nothing changes the rows
    meanwhile, so that is what converting it again would give.
    """
    get = itemgetter(*keys)
    single = len(keys) == 1
    converting = [(i, _reuse_empty(p)) for i, p in enumerate(processors) if p is not None]
    last_in: list[Any] = [_UNSEEN] * len(keys)
    last_out: list[Any] = [None] * len(keys)
    params: list[tuple[Any, ...]] = []
    for row in rows:
        values = [get(row)] if single else list(get(row))
        for i, process in converting:
            value = values[i]
            if value is last_in[i]:
                values[i] = last_out[i]
            else:
                last_in[i] = value
                values[i] = last_out[i] = process(value)
        params.append(tuple(values))
    return params


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows with JSON, date and datetime values in one executemany.

    SQLite: each column's own bind processor (the same conversions a Core insert applies,
    `bound_values`), then the driver's executemany, without Core's per-row parameter
    handling; anything else: SQLAlchemy's batched INSERT.
    """
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "sqlite":
        session.execute(insert(table), list(rows))
        return
    compiled = insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    order = list(compiled.positiontup or [])
    processors = [table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in order]
    connection.exec_driver_sql(str(compiled), bound_values(rows, order, processors))


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def alembic_config(url: str) -> Any:
    """An Alembic config pointing at the packaged migrations and the given database."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Migrate the database to the newest schema."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")


def script_heads() -> frozenset[str]:
    """The head revisions of the packaged migration scripts, read without importing Alembic.

    Each script's `revision` and `down_revision` assignments, read with `ast` (Alembic's own
    reading, `ScriptDirectory.get_heads()`, is the reference: tests/service/test_migrations.py
    compares the two). Lets a start-up skip Alembic, and its imports, when nothing is due.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value_node = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value_node = node.targets[0], node.value
            else:
                continue
            if not isinstance(target, ast.Name):
                continue
            if target.id == "revision":
                revisions.add(ast.literal_eval(value_node))
            elif target.id == "down_revision":
                value = ast.literal_eval(value_node)
                parents.update([value] if isinstance(value, str) else value or ())
    return frozenset(revisions - parents)


def _recorded_revisions(engine: Engine) -> frozenset[str] | None:
    """The revisions in the database's alembic_version table; None without that table."""
    with engine.connect() as connection:
        if not sa_inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return frozenset(str(row[0]) for row in rows)


def schema_current(engine: Engine) -> bool:
    """Whether the database records every packaged migration head (cheap: no Alembic)."""
    return _recorded_revisions(engine) == script_heads()


def upgrade_if_due(engine: Engine) -> None:
    """Migrate unless the database already records every packaged head (then no Alembic)."""
    if not schema_current(engine):
        upgrade(engine)


def migrations_at_head(engine: Engine) -> bool:
    """Whether the database's schema revision is every head of the migration scripts."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL (None for other databases and in-memory SQLite)."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    return None


def private_dir(path: Path) -> None:
    """Create a directory readable by its owner only (0700); an existing one is left as is."""
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.chmod(0o700)  # mkdir's mode is filtered by the umask


def create_private_sqlite(path: Path) -> None:
    """Create the SQLite file 0600 in a 0700 directory before SQLite would create it 0644.

    SQLite gives its -wal and -shm files the database file's permissions.
    """
    private_dir(path.parent)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600))
        path.chmod(0o600)


def init_app(app: Flask, *, first_start: bool = True) -> None:
    """Create the engine, migrate if configured, and register the teardown.

    first_start=False (CLI commands other than `serve` and `db upgrade`): create nothing, no
    data directory, no database file, no migration; a missing SQLite file is an error later.
    """
    url: str = app.config["DATABASE_URL"]
    path = sqlite_file(url)
    if path is not None and first_start:
        create_private_sqlite(path)
    elif path is not None:
        url = f"sqlite:///file:{path}?mode=rw&uri=true"  # open an existing file, never create one
    engine = make_engine(url)
    app.extensions["xborder.engine"] = engine
    app.teardown_appcontext(_close_session)
    if app.config["AUTO_MIGRATE"] and first_start:
        upgrade_if_due(engine)
