"""Registry read and search throughput under gunicorn, beside a bare Flask route.

Builds a registry of N synthetic vendors (bulk-inserted; setup is not measured), serves it
with `xborder serve`'s gunicorn app on 127.0.0.1 plus one bare route in the same process as
the ceiling, and drives it from a thread pool of keep-alive HTTP clients.

    python bench/bench_registry.py --vendors 100000 --seconds 10 [--db postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench_mixed import worker_cpu
from harness import run_threads
from sqlalchemy import insert, text

ROOT = Path(__file__).resolve().parents[1]


def synthetic_name(rng: random.Random) -> str:
    """A made-up company name (benchmark data only, never shipped)."""
    syllables = ["ka", "lo", "mi", "ra", "to", "ve", "xi", "zu", "ne", "po", "shi", "an"]
    word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
    return (
        f"{word.capitalize()} {rng.choice(['Analytics', 'Pay', 'Cloud', 'Mail', 'Push', 'Maps'])}"
    )


def populate(url: str, count: int) -> tuple[list[str], list[str]]:
    """Migrate and bulk-insert `count` synthetic vendors; return their slugs and names."""
    from assessments.catalog.names import name_key
    from service.db import make_engine, table_of, upgrade
    from service.vendors.models import Vendor, VendorAlias, VendorFacet

    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    countries = ["US", "CN", "DE", "IE", "SG", "RU", "JP", "FR", "GB", "IN"]
    slugs: list[str] = []
    names: list[str] = []
    vendors, aliases, facets, fts = [], [], [], []
    now = time.time()
    from datetime import UTC, datetime

    stamp = datetime.fromtimestamp(now, UTC)
    for i in range(1, count + 1):
        name = f"{synthetic_name(rng)} {i}"
        slug = f"bench-{i}"
        alias = f"{name} {''.join(rng.choices(string.ascii_uppercase, k=3))}"
        hq = rng.choice(countries)
        search_text = f"{name} {alias} synthetic benchmark vendor"
        vendors.append(
            dict(
                id=i,
                slug=slug,
                name=name,
                hq_country=hq,
                status="active",
                aliases=[alias],
                legal_entities=[],
                processing_countries=[hq],
                data_categories=["contact"],
                purposes=[],
                certifications=[],
                transfer_mechanisms=[],
                sdk={},
                urls={},
                sources=[],
                search_text=search_text,
                archived=False,
                origin="local",
                locally_edited=False,
                version=1,
                created_at=stamp,
                updated_at=stamp,
            )
        )
        aliases += [
            dict(vendor_id=i, alias=name, key=name_key(name), is_name=True),
            dict(vendor_id=i, alias=alias, key=name_key(alias), is_name=False),
        ]
        facets.append(dict(vendor_id=i, facet="processing_country", value=hq))
        fts.append({"id": i, "t": search_text})
        slugs.append(slug)
        names.append(name)
    with engine.begin() as conn:
        for model, rows in ((Vendor, vendors), (VendorAlias, aliases), (VendorFacet, facets)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table_of(model)), rows[start : start + 5000])
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO vendor_fts(rowid, search_text) VALUES (:id, :t)"), fts)
        else:
            conn.execute(text("SELECT setval('vendor_id_seq', :n)"), {"n": count})
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return slugs, names


def typo(word: str, rng: random.Random) -> str:
    """Swap two neighbouring letters of the first word (what people mistype)."""
    first, _, rest = word.partition(" ")
    i = rng.randrange(1, len(first) - 1)
    return f"{first[: i - 1]}{first[i]}{first[i - 1]}{first[i + 1 :]} {rest}".strip()


SERVER = r"""
import sys
from service.wsgi import GunicornApp
from service.auth.permissions import allow_public
from flask import Flask

class BenchApp(GunicornApp):
    def load(self) -> Flask:
        app = super().load()
        @app.get("/bench/bare")
        @allow_public
        def bare():
            return {"ok": True}
        return app

BenchApp(host="127.0.0.1", port=int(sys.argv[1]), workers=int(sys.argv[2]), accesslog=None).run()
"""


def with_server_cpu(server_pid: int, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """run()'s figures plus the server workers' CPU milliseconds per request meanwhile."""
    before = worker_cpu(server_pid)
    result = run()
    used = worker_cpu(server_pid) - before
    result["server_cpu_ms_per_request"] = round(used * 1000 / max(result["requests"], 1), 3)
    return result


def drive(
    port: int,
    paths: list[str],
    token: str | None,
    seconds: float,
    clients: int,
    timeout: float = 30,
) -> dict[str, Any]:
    """Requests/s and latency percentiles for GETs cycling through `paths`."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    errors = 0

    def worker(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        mine: list[float] = []
        i = offset
        while time.perf_counter() < stop:
            path = paths[i % len(paths)]
            i += clients
            t0 = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - t0)
            if response.status != 200:
                with lock:
                    errors += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    elapsed = run_threads(worker, range(clients))
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)] * 1000, 2),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument(
        "--db", default=None, help="database URL (default: a temporary SQLite file)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="xborder-bench-"))
    url = args.db or f"sqlite:///{tmp / 'bench.sqlite3'}"
    t0 = time.perf_counter()
    slugs, names = populate(url, args.vendors)
    print(
        f"populated {args.vendors} vendors in {time.perf_counter() - t0:.1f}s ({url.split(':')[0]})"
    )

    from service import create_app
    from service.auth.services import create_token, create_user
    from service.db import session_scope

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "XBORDER_DATA_DIR": str(tmp),
        "XBORDER_LOAD_CATALOG": "false",
        "XBORDER_ADMIN_EMAIL": "bench@example.test",
        "XBORDER_ADMIN_PASSWORD": "bench-password-123",
    }
    os.environ.update(env)
    app = create_app({"LOAD_CATALOG": False})
    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="reader@example.test", role="viewer")
        _token, token = create_token(session=session, user=user)
    app.extensions["xborder.engine"].dispose()

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(args.port), str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request(
                    "GET", "/healthz"
                )
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(3)
        reads = [f"/api/v1/vendors/{rng.choice(slugs)}" for _ in range(2000)]
        picked = rng.sample(names, 300)
        # What people type: a whole name, its first word, a lower-cased name.
        queries = [q for n in picked for q in (n, n.split()[0], n.lower())]
        searches = [f"/api/v1/vendors?{urlencode({'q': q, 'per_page': 10})}" for q in queries]
        typos = [
            f"/api/v1/vendors?{urlencode({'q': typo(n, rng), 'per_page': 10})}" for n in picked
        ]
        drive(args.port, ["/bench/bare"], None, 1.0, args.clients)  # warm-up
        # Each worker answers a typo once before timing: whatever index it builds on first
        # use is start-up, not the latency people see afterwards.
        drive(args.port, typos[:8], token, 0.1, args.workers * 2, timeout=600)
        results = {
            "bare": with_server_cpu(
                server.pid,
                lambda: drive(args.port, ["/bench/bare"], None, args.seconds, args.clients),
            ),
            "vendor_read": with_server_cpu(
                server.pid, lambda: drive(args.port, reads, token, args.seconds, args.clients)
            ),
            # The same 2,000 reads again: each worker keeps the bodies it built (per vendor
            # version), so this is a read of a vendor the worker has served before.
            "vendor_read_again": with_server_cpu(
                server.pid, lambda: drive(args.port, reads, token, args.seconds, args.clients)
            ),
            "search": drive(args.port, searches, token, args.seconds, args.clients),
            # Latency without queueing: one client at a time.
            "search_1_client": drive(args.port, searches, token, args.seconds, 1),
            "search_typo_1_client": drive(args.port, typos, token, args.seconds, 1),
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()  # a worker still busy: the figures are taken already
            server.wait()
    results["read_vs_bare"] = round(results["vendor_read"]["rps"] / results["bare"]["rps"], 3)
    # The same ratio by the workers' CPU per request: what the server could serve if the
    # clients (threads of this process, on the same CPUs) were not part of the measurement.
    results["read_vs_bare_server_cpu"] = round(
        results["bare"]["server_cpu_ms_per_request"]
        / results["vendor_read"]["server_cpu_ms_per_request"],
        3,
    )
    results["read_again_vs_bare_server_cpu"] = round(
        results["bare"]["server_cpu_ms_per_request"]
        / results["vendor_read_again"]["server_cpu_ms_per_request"],
        3,
    )
    results["read_again_vs_bare"] = round(
        results["vendor_read_again"]["rps"] / results["bare"]["rps"], 3
    )
    print(json.dumps({"vendors": args.vendors, "database": url.split(":")[0], **results}, indent=2))


if __name__ == "__main__":
    main()
