"""Offline assistant latency per answer on a 10,000-vendor registry (target: p95 <= 50 ms).

The shipped catalog is loaded, then clearly synthetic vendors ("Benchsynth ... 01234", slugs
`bench-synth-01234`, generated here only, never shipped) are bulk-inserted until the registry
holds --vendors vendors, with categories, countries and data categories drawn from the
reference data so lists and filters have thousands of matches. Setup is not measured.

Each question of a mixed set (facts, lists, transfers through the engine, reviews,
misspellings, Chinese names, unknown vendors) is answered --rounds times after one warm-up
round: in-process (`OfflineAssistant.answer` in its own session, as a request would) and
through the HTTP endpoint (POST /api/v1/assistant/chat via Flask's test client, which also
stores the exchange).

With --activities (default 500), that many processing activities (50 exporters, 2-4 vendors
each from the catalog, one review per vendor) are filed through the activities service first,
so "our vendors" questions read a real portfolio.

    .venv/bin/python bench/bench_assistant.py [--vendors 10000] [--activities 500] [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask
from sqlalchemy import func, insert, select, text
from sqlmodel import col

TARGET_P95_MS = 50.0
QUESTIONS: list[tuple[str, str]] = [
    ("fact", "Where does Umeng process data?"),
    ("fact", "Is Firebase in the Data Privacy Framework?"),
    ("fact", "What happened to MoPub?"),
    ("fact", "What data does AdMob receive?"),
    ("fact", "Where is Benchsynth Kalomi Pay 04242 headquartered?"),
    ("chinese", "友盟在哪里处理数据?"),
    ("misspelling", "Where does Umneg process data?"),
    ("misspelling", "Is Firebse DPF certified?"),
    ("unknown", "Where does Foobarly process data?"),
    ("list", "Which SDKs are headquartered in China?"),
    ("list", "Which payment processors are based in Russia?"),
    ("list", "Which vendors receive precise location?"),
    ("list", "Which email providers are based in the EU?"),
    ("list", "Which vendors participate in the DPF?"),
    ("transfer", "What do we need to send 2 million Chinese users' device IDs to Firebase?"),
    ("transfer", "Can we use Umeng for EU users?"),
    ("transfer", "Can we share precise location of 50,000 US users with AMap?"),
    ("reviews", "Which open reviews need a CAC security assessment?"),
    ("portfolio", "Which of our vendors are in China?"),
    ("portfolio", "我们的供应商中哪些在中国？"),
    ("zh_transfer", "向Firebase发送两百万中国用户的设备ID需要什么？"),
    ("zh_transfer", "友盟可以用于欧盟用户吗？"),
    ("zh_fact", "友盟是哪家公司？"),
    ("zh_fact", "Firebase 在哪里处理数据？"),
    ("zh_reviews", "哪些审查需要数据出境安全评估？"),
    ("zh_unknown", "向小鹅通发送两百万中国用户的设备ID需要什么？"),
]


def synthetic_name(rng: random.Random, index: int) -> str:
    """A made-up vendor name that says it is benchmark data."""
    syllables = ["ka", "lo", "mi", "ra", "to", "ve", "xi", "zu", "ne", "po", "shi", "an"]
    word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()
    kind = rng.choice(["Analytics", "Pay", "Cloud", "Mail", "Push", "Maps", "Ads"])
    return f"Benchsynth {word} {kind} {index:05d}"


def populate(app: Flask, total: int) -> int:
    """Bulk-insert synthetic vendors until the registry holds `total`; how many were added."""
    from assessments.catalog.names import name_key
    from service.db import get_engine, table_of
    from service.reference.services import get_reference
    from service.vendors.models import Vendor, VendorAlias, VendorFacet

    engine = get_engine(app)
    with app.app_context():
        reference = get_reference()
    with engine.begin() as conn:
        have = int(conn.execute(select(func.count()).select_from(Vendor)).scalar_one())
        start = (conn.execute(select(func.max(col(Vendor.id)))).scalar_one() or 0) + 1
    rng = random.Random(42)
    categories = sorted(reference.vendor_categories)
    data_categories = sorted(reference.data_categories)
    countries = ["US", "CN", "DE", "IE", "SG", "RU", "JP", "FR", "GB", "IN", "NL", "KR"]
    stamp = datetime.now(UTC)
    vendors, aliases, facets, fts = [], [], [], []
    for i in range(start, start + max(0, total - have)):
        name = synthetic_name(rng, i)
        hq = rng.choice(countries)
        cats = sorted(rng.sample(data_categories, rng.randint(1, 4)))
        processing = sorted({hq, rng.choice(countries)})
        search_text = f"{name} synthetic benchmark vendor"
        vendors.append(
            {
                "id": i,
                "slug": f"bench-synth-{i:05d}",
                "name": name,
                "hq_country": hq,
                "category": rng.choice(categories),
                "product_type": rng.choice(["sdk", "service"]),
                "status": "active",
                "aliases": [],
                "legal_entities": [],
                "processing_countries": processing,
                "data_categories": cats,
                "purposes": [],
                "certifications": [],
                "transfer_mechanisms": [],
                "dpf_certified": rng.choice([True, False, None]),
                "sdk": {},
                "urls": {},
                "sources": [],
                "search_text": search_text,
                "archived": False,
                "origin": "local",
                "locally_edited": False,
                "version": 1,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )
        aliases.append({"vendor_id": i, "alias": name, "key": name_key(name), "is_name": True})
        facets += [{"vendor_id": i, "facet": "processing_country", "value": c} for c in processing]
        facets += [{"vendor_id": i, "facet": "data_category", "value": c} for c in cats]
        fts.append({"id": i, "t": search_text})
    columns = set(table_of(Vendor).columns.keys())
    vendors = [{k: v for k, v in row.items() if k in columns} for row in vendors]
    with engine.begin() as conn:
        tables = map(table_of, (Vendor, VendorAlias, VendorFacet))
        for table, rows in zip(tables, (vendors, aliases, facets), strict=True):
            for offset in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[offset : offset + 5000])
        if engine.dialect.name == "sqlite" and fts:
            conn.execute(text("INSERT INTO vendor_fts(rowid, search_text) VALUES (:id, :t)"), fts)
        elif fts:
            conn.execute(text("SELECT setval('vendor_id_seq', (SELECT max(id) FROM vendor))"))
            conn.execute(text("ANALYZE"))
    return len(vendors)


def file_reviews(app: Flask) -> None:
    """Two reviews, so the review question has something to find."""
    from service.auth.services import create_user
    from service.db import session_scope
    from service.reviews.services import create_review
    from service.transfers.services import get_rulebook, today

    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="bench@example.test", role="procurement")
        for slug, count in (("firebase", 2_000_000), ("mailchimp", 300_000)):
            create_review(
                session=session,
                user=user,
                rulebook=get_rulebook(),
                day=today(),
                data={
                    "vendor": slug,
                    "purpose": "bench",
                    "status": "submitted",
                    "transfer": {
                        "exporter": {"name": f"Bench exporter {slug}", "country": "CN"},
                        "data_subjects": [{"jurisdiction": "CN", "count": count}],
                        "data_categories": ["identifiers.device"],
                    },
                },
            )


def file_activities(app: Flask, count: int) -> int:
    """`count` activities of 50 exporters, each with 2-4 catalog vendors (one review each)."""
    from service.activities.services import create_activity
    from service.auth.services import create_user
    from service.db import session_scope
    from service.transfers.services import get_rulebook, today
    from service.vendors.models import Vendor

    rng = random.Random(15)
    reviews = 0
    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="portfolio@example.test", role="procurement")
        slugs = list(
            session.execute(
                select(col(Vendor.slug))
                .where(col(Vendor.origin) == "catalog", col(Vendor.hq_country).is_not(None))
                .order_by(col(Vendor.slug))
            ).scalars()
        )
        for n in range(count):
            picked = rng.sample(slugs, rng.randint(2, 4))
            create_activity(
                session=session,
                user=user,
                rulebook=get_rulebook(),
                day=today(),
                data={
                    "name": f"Bench app {n:03d}",
                    "facts": {
                        "exporter": {
                            "name": f"Bench exporter {n % 50:02d}",
                            "country": rng.choice(["CN", "DE", "US", "SG"]),
                        },
                        "data_subjects": [
                            {
                                "jurisdiction": rng.choice(["CN", "EU", "US"]),
                                "count": rng.choice([5_000, 80_000, 300_000]),
                            }
                        ],
                        "data_categories": ["identifiers.device"],
                        "purposes": ["analytics"],
                    },
                    "vendors": [{"vendor": s} for s in picked],
                },
            )
            reviews += len(picked)
    return reviews


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--activities", type=int, default=500)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()

    from service import create_app
    from service.assistant.interfaces import AskContext, Asker
    from service.assistant.offline.assistant import OfflineAssistant
    from service.auth.services import create_token, create_user
    from service.db import session_scope

    tmp = Path(tempfile.mkdtemp(prefix="bench-assistant-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    started = time.perf_counter()
    app = create_app(
        {
            "DATABASE_URL": url,
            "DATA_DIR": tmp,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "LOAD_CATALOG": True,
        }
    )
    added = populate(app, args.vendors)
    file_reviews(app)
    portfolio = file_activities(app, args.activities)
    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="asker@example.test", role="viewer")
        _token, plain = create_token(session=session, user=user)
    setup = time.perf_counter() - started

    assistant = OfflineAssistant()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {plain}"}
    timings: dict[str, dict[str, list[float]]] = {
        path: defaultdict(list) for path in ("answer", "http", "answer_cpu", "http_cpu")
    }
    for round_no in range(args.rounds + 1):
        for kind, question in QUESTIONS:
            with app.app_context(), session_scope() as session:
                t0, c0 = time.perf_counter(), time.process_time()
                answer = assistant.answer(question, AskContext(session, Asker("b@x", "viewer")))
                elapsed = (time.perf_counter() - t0) * 1000
                cpu = (time.process_time() - c0) * 1000
            assert answer.text
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.post(
                "/api/v1/assistant/chat", json={"message": question}, headers=headers
            )
            http_ms = (time.perf_counter() - t0) * 1000
            http_cpu = (time.process_time() - c0) * 1000
            assert response.status_code == 200, response.get_data(as_text=True)
            if round_no:  # round 0 warms caches (rules, lexicon, name index)
                timings["answer"][kind].append(elapsed)
                timings["http"][kind].append(http_ms)
                timings["answer_cpu"][kind].append(cpu)
                timings["http_cpu"][kind].append(http_cpu)

    with app.app_context(), session_scope() as session:
        from service.vendors.models import Vendor

        total = session.execute(select(func.count()).select_from(Vendor)).scalar_one()
    dialect = app.extensions["xborder.engine"].dialect.name
    print(
        f"registry: {total} vendors ({added} synthetic), database {dialect}, "
        f"{args.activities} activities ({portfolio} reviews), "
        f"setup {setup:.1f}s; {args.rounds} rounds x {len(QUESTIONS)} questions"
    )
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs")
    verdict = True
    for path, label in (
        ("answer", "offline answer (in-process)"),
        ("http", "POST /api/v1/assistant/chat"),
    ):
        everything = [t for values in timings[path].values() for t in values]
        cpu_all = [t for values in timings[f"{path}_cpu"].values() for t in values]
        p95 = percentile(everything, 0.95)
        verdict &= p95 <= TARGET_P95_MS
        print(
            f"\n{label}: wall p50 {statistics.median(everything):.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(everything):.1f} ms; CPU p50 {statistics.median(cpu_all):.1f} ms, "
            f"p95 {percentile(cpu_all, 0.95):.1f} ms"
        )
        print(f"  {'kind':<12} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p95':>8}")
        for kind, values in timings[path].items():
            cpu_p95 = percentile(timings[f"{path}_cpu"][kind], 0.95)
            print(
                f"  {kind:<12} {statistics.median(values):7.1f} {percentile(values, 0.95):7.1f} "
                f"{max(values):7.1f} {cpu_p95:8.1f}"
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average (1 min) at the end: {load:.2f}")
    print(f"\np95 target {TARGET_P95_MS:.0f} ms: {'met' if verdict else 'NOT met'}")
    app.extensions["xborder.engine"].dispose()
    sys.exit(0 if verdict else 1)


if __name__ == "__main__":
    main()
