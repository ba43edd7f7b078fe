"""Re-evaluating every stored review after a rule change, beside just loading and saving them.

Files N synthetic reviews (default 10,000) of N/2 made-up exporters into a fresh
SQLite database and evaluates them under the shipped rules (setup, not measured). Then, in the
same process and over the same rows, it times:

- baseline: load every open review with its vendor and save it again without evaluating -
  the same writes `reviews reevaluate` makes (the review row, one history row, one audit
  event each), with the evaluation copied instead of computed;
- reevaluate: `service.reviews.services.reevaluate_open_reviews` under a changed rule set (the
  PRC standard-contract threshold lowered from 100,000 to 50,000 people), which resolves each
  stored Transfer against the registry, recomputes every exporter's PRC head-count, evaluates,
  and writes the same rows.

Each timing includes the commit. Target: reevaluate < 10 s for 10,000 reviews.

    .venv/bin/python bench/bench_reevaluate.py [--reviews 10000] [--db sqlite:///...]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessments.rules import RULES_DIR, load_rules  # noqa: E402
from service import create_app  # noqa: E402
from service.audit.services import Change  # noqa: E402
from service.auth.services import create_user  # noqa: E402
from service.db import session_scope, table_of  # noqa: E402
from service.models import utcnow  # noqa: E402
from service.reference.services import get_reference  # noqa: E402
from service.reviews import services  # noqa: E402
from service.reviews.models import OPEN_STATUSES, Review  # noqa: E402
from service.transfers.services import RuleBook, get_rulebook  # noqa: E402
from service.vendors.services import create_vendor  # noqa: E402

DAY = date(2026, 11, 22)
ACTOR = "bench@example.test"
# Made-up vendors for the benchmark only (never shipped): where they are decides the regimes.
VENDORS: list[dict[str, Any]] = [
    {
        "slug": "bench-us-cloud",
        "name": "Bench US Cloud",
        "hq_country": "US",
        "processing_countries": ["US"],
        "default_role": "processor",
        "dpf_certified": True,
    },
    {
        "slug": "bench-sg-mail",
        "name": "Bench SG Mail",
        "hq_country": "SG",
        "processing_countries": ["SG"],
        "default_role": "processor",
    },
    {
        "slug": "bench-cn-push",
        "name": "Bench CN Push",
        "hq_country": "CN",
        "processing_countries": ["CN"],
        "default_role": "processor",
    },
    {
        "slug": "bench-de-crm",
        "name": "Bench DE CRM",
        "hq_country": "DE",
        "processing_countries": ["DE", "US"],
        "default_role": "processor",
    },
    {
        "slug": "bench-us-ads",
        "name": "Bench US Ads",
        "hq_country": "US",
        "processing_countries": ["US"],
        "default_role": "controller",
    },
]
CATEGORY_SETS = [
    ["contact"],
    ["identifiers.device", "usage.diagnostics"],
    ["contact", "purchase.history"],
    ["identifiers.advertising", "usage.app_activity"],
    ["contact", "biometric"],
    ["location.precise", "identifiers.device"],
]
EXPORTERS = [("CN", 0.6), ("DE", 0.25), ("US", 0.15)]


def changed_rules(tmp: Path) -> Path:
    """A copy of the shipped rules with the PRC standard-contract threshold at 50,000."""
    target = tmp / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    cn = target / "cn.yaml"
    old = "id: sc_nonsensitive_min\n    value: 100000"
    text = cn.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit("cn.yaml no longer has sc_nonsensitive_min = 100000; update the bench")
    cn.write_text(text.replace(old, "id: sc_nonsensitive_min\n    value: 50000"), encoding="utf-8")
    return target


def synthetic_transfer(rng: random.Random, exporter: int) -> dict[str, Any]:
    """A made-up review's Transfer (benchmark data only)."""
    country = rng.choices([c for c, _ in EXPORTERS], [w for _, w in EXPORTERS])[0]
    subjects = [{"jurisdiction": "CN", "count": rng.randint(100, 90_000)}]
    if rng.random() < 0.6:
        subjects.append({"jurisdiction": "EU", "count": rng.randint(100, 500_000)})
    if rng.random() < 0.4:
        subjects.append({"jurisdiction": "US-CA", "count": rng.randint(100, 200_000)})
    return {
        "exporter": {"name": f"Bench Exporter {exporter}", "country": country},
        "data_subjects": subjects,
        "data_categories": rng.choice(CATEGORY_SETS),
        "purposes": [rng.choice(["analytics", "marketing", "hosting", "customer_support"])],
    }


def populate(app: Any, count: int, rng: random.Random) -> None:
    """Insert `count` open reviews and evaluate them under the shipped rules (not measured)."""
    with app.app_context(), session_scope(app) as session:
        create_user(session=session, email=ACTOR, role="legal")
        vendor_ids = [
            int(
                create_vendor(session=session, data=v, reference=get_reference(), audit=False).id
                or 0
            )
            for v in VENDORS
        ]
        # `count` open reviews, plus a tenth as many closed ones that must be left alone.
        for i in range(count + count // 10):
            data = synthetic_transfer(rng, exporter=i % max(1, count // 2))
            status = rng.choice(OPEN_STATUSES) if i < count else "closed"
            exporter = data["exporter"]
            session.add(
                Review(
                    vendor_id=rng.choice(vendor_ids),
                    transfer=data,
                    exporter_name=exporter["name"],
                    exporter_country=exporter["country"],
                    exporter_key=services.exporter_key(exporter["name"], exporter["country"]),
                    requester=ACTOR,
                    purpose="benchmark",
                    created_by=ACTOR,
                    as_of=DAY,
                    evaluated_by=ACTOR,
                    status=status,
                )
            )
        session.flush()
        services.reevaluate_open_reviews(
            session=session, rulebook=get_rulebook(app), day=DAY, actor=ACTOR
        )


def baseline(app: Any) -> int:
    """Load every open review and its vendor and save it again, without the engine.

    The same reads and writes as the re-evaluation (the review row version-checked, one
    history row, one audit event, in chunks of 1,000), with the stored evaluation copied.
    The reads and writes go through the service's own bulk reader and chunk writer,
    `services._read_open` and `services._write_evaluations`: private, but no public function
    reads or saves reviews without evaluating them, and a copy of them here would drift from
    what it measures against.
    """
    table = table_of(Review)
    names = (
        *services._BULK_READ,
        "evaluation",
        "cn_outbound_ytd",
        "reference_version",
        "overall_level",
        "overall_score",
        "evaluated_by",
    )
    with app.app_context(), session_scope(app) as session:
        rows, vendors = services._read_open(session, names, services._open_reviews())
        for start in range(0, len(rows), 1000):
            updates: list[dict[str, Any]] = []
            history: list[dict[str, Any]] = []
            audit: list[Change] = []
            for row in rows[start : start + 1000]:
                assert vendors[row["vendor_id"]].slug
                kept = {n: row[n] for n in names if n not in services._BULK_INPUTS}
                kept.update(
                    evaluated_at=utcnow(),
                    evaluated_by=ACTOR,
                    evaluation_count=row["evaluation_count"] + 1,
                )
                updates.append(
                    {
                        "p_id": row["id"],
                        "p_version": row["version"],
                        "p_new_version": row["version"] + 1,
                        **{f"p_{n}": v for n, v in kept.items()},
                    }
                )
                history.append(
                    {
                        "review_id": row["id"],
                        "seq": kept["evaluation_count"],
                        "reason": "reevaluate",
                        "evaluated_at": kept["evaluated_at"],
                        "evaluated_by": ACTOR,
                        "rules_version": row["rules_version"],
                        "reference_version": row["reference_version"],
                        "as_of": row["as_of"],
                        "transfer": row["transfer"],
                        "evaluation": row["evaluation"],
                    }
                )
                summary = services._summary(row)
                audit.append(Change("reevaluate", "review", str(row["id"]), summary, summary))
            services._write_evaluations(session, table, updates, history, audit, ACTOR)
        return len(rows)


def reevaluate(app: Any, rulebook: RuleBook) -> services.ReevaluationReport:
    """The measured operation: what `xborder reviews reevaluate` runs."""
    with app.app_context(), session_scope(app) as session:
        return services.reevaluate_open_reviews(
            session=session, rulebook=rulebook, day=DAY, actor=ACTOR
        )


def main() -> None:
    """Populate, then time the baseline and the re-evaluation in the same run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=10_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xborder-bench-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "DATA_DIR": tmp,
            "SECRET_KEY": "bench",
            "LOAD_CATALOG": False,
            "AUTO_MIGRATE": True,
        }
    )
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    rng = random.Random(4)
    started = time.perf_counter()
    populate(app, args.reviews, rng)
    setup = time.perf_counter() - started
    shipped = get_rulebook(app)
    changed = RuleBook(rules=load_rules(changed_rules(tmp)), reference=shipped.reference)

    c0, t0 = time.process_time(), time.perf_counter()
    saved = baseline(app)
    c1, t1 = time.process_time(), time.perf_counter()
    report = reevaluate(app, changed)
    c2, t2 = time.process_time(), time.perf_counter()
    base, ours = t1 - t0, t2 - t1
    base_cpu, ours_cpu = c1 - c0, c2 - c1
    print(f"python {platform.python_version()}, {platform.machine()}, database {url.split(':')[0]}")
    print(
        f"{args.reviews} reviews filed and evaluated in {setup:.1f} s (setup, not measured); "
        f"{saved} open"
    )
    print(
        f"rules {shipped.rules.version} -> {changed.rules.version}: "
        f"{report.evaluated} re-evaluated, {len(report.changed)} verdicts changed, "
        f"{len(report.failed)} failed"
    )
    print(f"load average before the run: {load_before}")
    print(f"{'':<34}{'wall s':>9}{'CPU s':>9}{'reviews/s (CPU)':>17}")
    print(
        f"{'baseline: load + save, no engine':<34}{base:>9.2f}{base_cpu:>9.2f}"
        f"{saved / base_cpu:>17.0f}"
    )
    print(
        f"{'reevaluate (reviews reevaluate)':<34}{ours:>9.2f}{ours_cpu:>9.2f}"
        f"{report.evaluated / ours_cpu:>17.0f}"
    )
    print(f"ratio reevaluate / baseline: wall {ours / base:.2f}, CPU {ours_cpu / base_cpu:.2f}")
    per = 10_000 / max(report.evaluated, 1)
    print(
        f"per 10,000 open reviews: {ours * per:.2f} s wall, {ours_cpu * per:.2f} s CPU "
        f"(target < 10 s: {'met' if ours * per < 10 else 'not met'} on the wall clock, "
        f"{'met' if ours_cpu * per < 10 else 'not met'} on CPU)"
    )
    app.extensions["xborder.engine"].dispose()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
