"""Bulk vendor import vs a raw SQLAlchemy Core bulk insert of the same rows, in the same run.

Generates N synthetic vendors (benchmark data only) as a JSON file, then, on an empty,
migrated database each time, measures:

- baseline: read the file, turn each record into a `vendor` table row, one Core
  `insert(vendor)` executemany in one transaction - no validation, no alias/facet/full-text
  rows, no audit events;
- import: exactly what `xborder vendors import FILE` does - read and parse the file, validate
  every row (create schema, reference ids, slug and alias uniqueness), upsert (the bulk create
  path: vendor, alias, facet and full-text rows plus one audit event per vendor), commit.

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
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service.db import make_engine, upgrade  # noqa: E402
from service.reference.services import load_reference  # noqa: E402
from service.vendors import io as vendor_io  # noqa: E402
from service.vendors.models import Vendor  # noqa: E402
from vendor_data import DATA_DIR  # noqa: E402

SYLLABLES = ["ka", "lo", "mi", "ra", "to", "ve", "xi", "zu", "ne", "po", "shi", "an"]
KINDS = ["Analytics", "Pay", "Cloud", "Mail", "Push", "Maps", "Ads", "Courier"]
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
        records.append({
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
        })  # fmt: skip
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
        conn.execute(text("TRUNCATE vendor, vendor_alias, vendor_facet, audit_event "
                          "RESTART IDENTITY CASCADE"))  # fmt: skip
    return engine


def baseline(engine: Engine, path: Path) -> tuple[float, float]:
    """Wall and CPU seconds for json.load + rows + one Core executemany insert + commit."""
    cpu = time.process_time()
    with vendor_io.gc_paused():  # the same footing as the import, which pauses it too
        wall = _baseline(engine, path)
    return wall, time.process_time() - cpu


def _baseline(engine: Engine, path: Path) -> float:
    table: Any = Vendor.__table__  # type: ignore[attr-defined]
    columns = {c.name for c in table.columns} - {"id"}
    started = time.perf_counter()
    records = json.loads(path.read_text(encoding="utf-8"))
    now = datetime.now(UTC)
    defaults = {  # the model's defaults, as an insert without the ORM must spell them out
        name: field.get_default(call_default_factory=True)
        for name, field in Vendor.model_fields.items()
        if name in columns
    }
    rows = []
    for record in records:
        row = {**defaults, **{k: v for k, v in record.items() if k in columns}}
        status = record.get("status") or {}
        row.update(
            status=status.get("value", "active"),
            last_verified=date.fromisoformat(record["last_verified"]),
            search_text=record["name"], created_at=now, updated_at=now,
        )  # fmt: skip
        rows.append(row)
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
    return time.perf_counter() - started


def import_file(engine: Engine, path: Path) -> tuple[float, float, dict[str, float]]:
    """Wall and CPU seconds for the CLI's import path, and its phases (wall)."""
    from flask import Flask

    from service.db import session_scope

    app = Flask("bench")
    app.extensions["xborder.engine"] = engine
    app.config["CATALOG_DIR"] = DATA_DIR
    reference = load_reference(DATA_DIR)
    phases: dict[str, float] = {}
    cpu = time.process_time()
    started = time.perf_counter()
    with app.app_context(), vendor_io.gc_paused(), session_scope(app) as session:
        rows, problems = vendor_io.parse_file(path.read_bytes(), "json")
        phases["parse"] = time.perf_counter() - started
        records = vendor_io.validate_rows(
            session=session, rows=rows, reference=reference, problems=problems
        )
        phases["validate"] = time.perf_counter() - started - phases["parse"]
        report = vendor_io.import_records(session=session, records=records, reference=reference)
        phases["write"] = time.perf_counter() - started - phases["parse"] - phases["validate"]
    total = time.perf_counter() - started
    phases["commit"] = total - phases["parse"] - phases["validate"] - phases["write"]
    assert len(report.created) == len(rows)
    return total, time.process_time() - cpu, phases


def main() -> None:
    """Run the comparison and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--db", help="PostgreSQL URL (its vendor tables are emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        path = workdir / "vendors.json"
        path.write_text(json.dumps(synthetic_vendors(args.vendors)), encoding="utf-8")
        size = path.stat().st_size / 1e6
        base: list[tuple[float, float]] = []
        imported: list[tuple[float, float]] = []
        phase_runs: list[dict[str, float]] = []
        for _ in range(args.repeat):
            engine = fresh_engine(args.db, workdir, "baseline")
            base.append(baseline(engine, path))
            engine.dispose()
            engine = fresh_engine(args.db, workdir, "import")
            wall, cpu, phases = import_file(engine, path)
            engine.dispose()
            imported.append((wall, cpu))
            phase_runs.append(phases)
    dialect = "postgresql" if args.db else "sqlite"
    print(f"{args.vendors} vendors, {size:.1f} MB JSON, {dialect}, {args.repeat} run(s)")
    print("| | wall s (median) | wall s (min) | CPU s (median) |")
    print("|---|---|---|---|")
    for label, runs in (("Core bulk insert (baseline)", base), ("vendors import", imported)):
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        print(f"| {label} | {statistics.median(walls):.2f} | {min(walls):.2f} "
              f"| {statistics.median(cpus):.2f} |")  # fmt: skip
    ratios = [
        statistics.median([r[k] for r in imported]) / statistics.median([r[k] for r in base])
        for k in (0, 1)
    ]
    best_ratio = min(r[0] for r in imported) / min(r[0] for r in base)
    print(f"| ratio | {ratios[0]:.2f} | {best_ratio:.2f} | {ratios[1]:.2f} |")
    best = min(range(args.repeat), key=lambda i: imported[i][0])
    print("import phases, wall (fastest run): " + ", ".join(
        f"{k} {v:.2f}s" for k, v in phase_runs[best].items()))  # fmt: skip


if __name__ == "__main__":
    main()
