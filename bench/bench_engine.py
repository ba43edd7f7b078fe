"""Engine throughput: evaluations/s for a typical three-regime transfer beside a trivial baseline.

Beside the engine, in the same run and over the same items: the engine with memo=False (no
result memo: every result it returns is built from scratch, the path the memo must agree
with), whose outputs are first compared byte for byte (`repr`) with the memoised ones.

With --requests N (default 1,000; 0 skips it): what the engine's speed is worth where people
wait for it. N different typical transfers are posted to POST /api/v1/transfers/evaluate through
the Flask test client (in process: routing, auth, the contract's schema, the engine, the answer's
JSON; no network), each as its contract JSON (transfer_to_dict), after 300 warm-up ones; as many
other variants are then evaluated alone. It prints the CPU time per request, per evaluation,
and the engine's share of the request.

Run: .venv/bin/python bench/bench_engine.py [--seconds 3] [--check 2000] [--requests 1000]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessments.catalog.reference import Reference, load_reference
from assessments.engine import evaluate
from assessments.rules import load_rules
from assessments.transfers import parse_transfer, transfer_to_dict
from assessments.types import OutboundYtd, Transfer

TARGET = 20_000


class Rates(NamedTuple):
    """Calls per second by CPU time and by wall clock, and how many calls were timed."""

    cpu: float
    wall: float
    calls: int


# A PRC app sending device ids, contact details and crash traces of mainland, EU and Californian
# users to a US vendor: every regime applies and fires several rules.
TYPICAL: dict[str, Any] = {
    "as_of": "2026-11-22",
    "exporter": {
        "name": "PRC app",
        "country": "CN",
        "ciio": False,
        "ccpa_business": True,
        "cn_outbound_ytd": {"non_sensitive": 40000},
    },
    "importer": {"name": "US vendor", "country": "US", "role": "processor", "dpf_certified": False},
    "destinations": ["US", "SG"],
    "data_subjects": [
        {"jurisdiction": "CN", "count": 150000},
        {"jurisdiction": "EU", "count": 80000},
        {"jurisdiction": "US-CA", "count": 30000},
    ],
    "data_categories": ["identifiers.device", "contact", "usage.diagnostics"],
    "purposes": ["analytics", "crash_reporting"],
    "safeguards": ["eu_scc"],
}


def _variants(reference: Reference, n: int) -> list[Transfer]:
    """n distinct typical transfers (head-counts vary), more than the engine's text memo holds,
    so no evaluation is answered from an earlier identical one."""
    base = parse_transfer(TYPICAL, today=date(2026, 11, 22), reference=reference)
    out = []
    for i in range(n):
        cn, eu, us = base.data_subjects
        out.append(
            dataclasses.replace(
                base,
                data_subjects=(
                    dataclasses.replace(cn, count=cn.count + 17 * i),
                    dataclasses.replace(eu, count=eu.count + 3 * i),
                    dataclasses.replace(us, count=us.count + i),
                ),
                exporter=dataclasses.replace(
                    base.exporter, cn_outbound_ytd=OutboundYtd(non_sensitive=5 * i)
                ),
            )
        )
    return out


def _rate(fn: Callable[[Transfer], object], items: list[Transfer], seconds: float) -> Rates:
    """Calls per second over whole passes of `items`, by CPU time and by wall clock."""
    count = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while True:
        for item in items:
            fn(item)
        count += len(items)
        cpu = time.process_time() - cpu0
        if cpu >= seconds:
            return Rates(count / cpu, count / (time.perf_counter() - wall0), count)


def request_share(transfers: list[Transfer], requests: int) -> tuple[float, float]:
    """Median CPU seconds of one POST /api/v1/transfers/evaluate (in process, after 300
    warm-up requests) of the first variants, as their contract JSON, and of the engine alone
    (the request path's own rules and reference) on as many of the next variants, warmed the
    same way: other variants, since the same ones would be answered from the memo."""
    from service import create_app
    from service.reference.services import get_reference
    from service.transfers.services import get_rulebook
    from tests.helpers import bearer_users

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
                "DATA_DIR": Path(tmp),
                "SECRET_KEY": "bench",
                "TESTING": True,
                "LOAD_CATALOG": False,
            }
        )
        headers = bearer_users(app, [("viewer", "viewer")])["viewer"]
        client = app.test_client()
        timed = 300 + requests
        bodies = [transfer_to_dict(t) for t in transfers[:timed]]
        per_request: list[float] = []
        for i, body in enumerate(bodies):
            cpu = time.process_time()
            answer = client.post("/api/v1/transfers/evaluate", json=body, headers=headers)
            if i >= 300:
                per_request.append(time.process_time() - cpu)
            assert answer.status_code == 200, answer.get_json()
        with app.app_context():
            rules, reference = get_rulebook().rules, get_reference()
        per_evaluation: list[float] = []
        for i, transfer in enumerate(transfers[timed : 2 * timed]):
            cpu = time.process_time()
            evaluate(transfer, rules, reference)
            if i >= 300:
                per_evaluation.append(time.process_time() - cpu)
        app.extensions["xborder.engine"].dispose()
    return statistics.median(per_request), statistics.median(per_evaluation)


def main() -> None:
    """Measure and print evaluations/s, the baseline and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--variants", type=int, default=50_000)
    parser.add_argument("--check", type=int, default=2_000, help="variants compared byte-wise")
    parser.add_argument("--requests", type=int, default=1_000, help="evaluate requests timed")
    args = parser.parse_args()

    rules, reference = load_rules(), load_reference()
    transfers = _variants(reference, args.variants)
    applied = [r.regime for r in evaluate(transfers[0], rules, reference).regimes if r.applies]
    assert applied == ["CN", "EU", "US"], applied

    def baseline(transfer: Transfer) -> object:
        # The floor: touch the transfer and build one small result per item.
        return {"as_of": transfer.as_of, "n": len(transfer.data_subjects)}

    def engine(transfer: Transfer) -> object:
        return evaluate(transfer, rules, reference)

    plain_rules = load_rules()

    def unmemoised(transfer: Transfer) -> object:
        return evaluate(transfer, plain_rules, reference, memo=False)

    checked = transfers[: args.check]
    differ = sum(repr(engine(t)) != repr(unmemoised(t)) for t in checked + checked[::-1])
    assert differ == 0, f"{differ} evaluations differ from memo=False"

    _rate(engine, transfers, 0.3)  # warm the per-day rule cache and the interpreter
    base = _rate(baseline, transfers, args.seconds)
    eng = _rate(engine, transfers, args.seconds)
    plain = _rate(unmemoised, transfers, args.seconds)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"regimes applied: {', '.join(applied)}; rules version {rules.version}")
    print(f"transfers: {len(transfers):,} distinct variants of the typical transfer")
    print(f"baseline loop: {base.cpu:>12,.0f} calls/s (CPU time)  {base.wall:>12,.0f} (wall)")
    print(f"engine:        {eng.cpu:>12,.0f} evals/s (CPU time)  {eng.wall:>12,.0f} (wall)")
    print(f"memo=False:    {plain.cpu:>12,.0f} evals/s (CPU time)  {plain.wall:>12,.0f} (wall)")
    print(f"ratio:         the engine costs {base.cpu / eng.cpu:,.0f}x the baseline loop")
    print(f"memo:          {eng.cpu / plain.cpu:.2f}x memo=False's rate")
    print(f"checked:       {2 * len(checked):,} evaluations byte-identical to memo=False")
    verdict = "meets" if eng.cpu >= TARGET else "MISSES"
    print(f"target:        {TARGET:,} evaluations/s (CPU time) - {verdict}")
    if args.requests:
        request, alone = request_share(transfers, args.requests)
        print(
            f"request:       POST /api/v1/transfers/evaluate {request * 1e3:.2f} ms CPU (median of"
            f" {args.requests:,}); the engine alone {alone * 1e3:.3f} ms, {alone / request:.0%}"
        )


if __name__ == "__main__":
    main()
