"""Bulk vendor import vs a raw SQLAlchemy Core bulk insert of the same rows, in the same run.

Generates N synthetic vendors (benchmark data only) as a JSON file, then, on an empty,
migrated database each time, measures:

- import: exactly what `xborder vendors import FILE` does - read and parse the file, validate
  every row (create schema, reference ids, slug and alias uniqueness), upsert (the bulk create
  path: vendor, alias, facet and full-text rows plus one audit event per vendor), commit;
- baseline: Core `insert(table)` executemany of the same rows the import wrote - every
  vendor, vendor_alias, vendor_facet, audit_event (and, on SQLite, vendor_fts) row, read back
  from the import's database before the clock starts - in one transaction, then commit;
- for reference, the same Core insert of the vendor rows alone (one row per file record).

The target (issue 5) is import <= 2x baseline, CPU and wall, medians of the runs.

    python bench/bench_import.py --vendors 100000 [--repeat 3] [--db postgresql+psycopg://...]

With --db the given database's vendor and audit tables are emptied between runs.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessments.catalog.reference import load_reference  # noqa: E402
from service.audit.models import AuditEvent  # noqa: E402
from service.db import make_engine, table_of, upgrade  # noqa: E402
from service.vendors.io import parsing, upsert, validation  # noqa: E402
from service.vendors.models import Vendor, VendorAlias, VendorFacet  # noqa: E402
from vendor_data import DATA_DIR  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ve", "xi", "zu", "ne", "po", "shi", "an"]
KINDS = ["Analytics", "Pay", "Cloud", "Mail", "Push", "Maps", "Ads", "Courier"]
TABLES: dict[str, Table] = {
    t.name: t for t in map(table_of, (Vendor, VendorAlias, VendorFacet, AuditEvent))
}
COUNTRIES = ["US", "CN", "DE", "IE", "SG", "RU", "JP", "FR", "GB", "IN", "NL", "KR"]


def synthetic_vendors(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` made-up vendor records that pass the create schema (benchmark data only)."""
    rng = random.Random(seed)
    reference = load_reference(DATA_DIR)
    categories = sorted(reference.vendor_categories)
    data_categories = sorted(reference.data_categories)
    records = []
    for i in range(1, count + 1):
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        name = f"{word} {rng.choice(KINDS)} {i}"
        hq = rng.choice(COUNTRIES)
        records.append(
            {
                "slug": f"bench-{i}",
                "name": name,
                "aliases": [f"{word}{i}", f"{name} Ltd"],
                "description": f"Synthetic benchmark vendor number {i}.",
                "category": rng.choice(categories),
                "hq_country": hq,
                "processing_countries": sorted({hq, rng.choice(COUNTRIES)}),
                "data_categories": sorted(rng.sample(data_categories, 3)),
                "legal_entities": [{"name": f"{name} Holdings", "country": hq, "role": "hq"}],
                "status": {"value": "active", "since": None, "note": None},
                "dpf_certified": rng.random() < 0.3,
                "last_verified": "2026-01-05",
            }
        )
    return records


def fresh_engine(url: str | None, workdir: Path, label: str) -> Engine:
    """An empty, migrated database: a new SQLite file, or the given URL with tables emptied."""
    if url is None:
        path = workdir / f"{label}.sqlite3"
        path.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        return engine
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE vendor, vendor_alias, vendor_facet, audit_event RESTART IDENTITY CASCADE"
            )
        )
    return engine


def written_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every row an import wrote, by table, read back as Python values (the baseline's input)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for model in (Vendor, VendorAlias, VendorFacet, AuditEvent):
            table = table_of(model)
            keep = [c for c in table.columns if c.name != "id" or model is Vendor]
            rows[table.name] = [dict(r) for r in conn.execute(select(*keep)).mappings()]
        if conn.dialect.name == "sqlite":
            fts = conn.execute(text("SELECT rowid AS rowid, search_text FROM vendor_fts"))
            rows["vendor_fts"] = [dict(r) for r in fts.mappings()]
    return rows


def baseline(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> tuple[float, float]:
    """Wall and CPU seconds for Core executemany inserts of the given rows + commit."""
    cpu, started = time.process_time(), time.perf_counter()
    with upsert.gc_paused(), engine.begin() as conn:  # gc paused, as the import does
        for name, table_rows in rows.items():
            if name == "vendor_fts":
                statement: Any = text(
                    "INSERT INTO vendor_fts(rowid, search_text) VALUES (:rowid, :search_text)"
                )
            else:
                statement = insert(TABLES[name])
            conn.execute(statement, table_rows)
    return time.perf_counter() - started, time.process_time() - cpu


def import_file(engine: Engine, path: Path) -> tuple[float, float, dict[str, tuple[float, float]]]:
    """Wall and CPU seconds for the CLI's import path, and its phases (wall, CPU)."""
    from flask import Flask

    from service.db import session_scope

    app = Flask("bench")
    app.extensions["xborder.engine"] = engine
    app.config["CATALOG_DIR"] = DATA_DIR
    reference = load_reference(DATA_DIR)
    phases: dict[str, tuple[float, float]] = {}
    clock = [time.perf_counter(), time.process_time()]

    def lap(name: str) -> None:
        now = [time.perf_counter(), time.process_time()]
        phases[name] = (now[0] - clock[0], now[1] - clock[1])
        clock[:] = now

    cpu, started = time.process_time(), time.perf_counter()
    with app.app_context(), upsert.gc_paused(), session_scope(app) as session:
        rows, problems = parsing.parse_file(path.read_bytes(), "json")
        lap("parse")
        records = validation.validate_rows(
            session=session, rows=rows, reference=reference, problems=problems
        )
        lap("validate")
        report = upsert.import_records(session=session, records=records, reference=reference)
        lap("write")
    lap("commit")
    assert len(report.created) == len(rows)
    return time.perf_counter() - started, time.process_time() - cpu, phases


def _row(label: str, runs: list[tuple[float, float]]) -> str:
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    return (
        f"| {label} | {statistics.median(walls):.2f} | {min(walls):.2f} "
        f"| {statistics.median(cpus):.2f} |"
    )


def _ratio(label: str, top: list[tuple[float, float]], bottom: list[tuple[float, float]]) -> str:
    def med(runs: list[tuple[float, float]], k: int) -> float:
        return statistics.median(r[k] for r in runs)

    best = min(r[0] for r in top) / min(r[0] for r in bottom)
    return (
        f"| {label} | {med(top, 0) / med(bottom, 0):.2f} | {best:.2f} | "
        f"{med(top, 1) / med(bottom, 1):.2f} |"
    )


def main() -> None:
    """Run the comparison and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--db", help="PostgreSQL URL (its vendor tables are emptied)")
    args = parser.parse_args()
    base: list[tuple[float, float]] = []
    vendors_only: list[tuple[float, float]] = []
    imported: list[tuple[float, float]] = []
    phase_runs: list[dict[str, tuple[float, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "vendors.json"
        path.write_text(json.dumps(synthetic_vendors(args.vendors)), encoding="utf-8")
        size = path.stat().st_size / 1e6
        for _ in range(args.repeat):
            engine = fresh_engine(args.db, workdir, "import")
            wall, cpu, phases = import_file(engine, path)
            rows = written_rows(engine)
            engine.dispose()
            imported.append((wall, cpu))
            phase_runs.append(phases)
            engine = fresh_engine(args.db, workdir, "baseline")
            base.append(baseline(engine, rows))
            engine.dispose()
            engine = fresh_engine(args.db, workdir, "baseline")
            vendors_only.append(baseline(engine, {"vendor": rows["vendor"]}))
            engine.dispose()
            counts = ", ".join(f"{name} {len(r)}" for name, r in rows.items())
            del rows
    dialect = "postgresql" if args.db else "sqlite"
    print(f"{args.vendors} vendors, {size:.1f} MB JSON, {dialect}, {args.repeat} run(s)")
    print(f"rows written per run: {counts}")
    print("| | wall s (median) | wall s (min) | CPU s (median) |")
    print("|---|---|---|---|")
    print(_row("Core bulk insert, same rows (baseline)", base))
    print(_row("Core bulk insert, vendor rows only", vendors_only))
    print(_row("vendors import", imported))
    print(_ratio("ratio import / baseline", imported, base))
    print(_ratio("ratio import / vendor rows only", imported, vendors_only))
    best = min(range(args.repeat), key=lambda i: imported[i][0])
    print(
        "import phases, wall / CPU s (fastest run): "
        + ", ".join(f"{k} {w:.2f} / {c:.2f}" for k, (w, c) in phase_runs[best].items())
    )


if __name__ == "__main__":
    main()
