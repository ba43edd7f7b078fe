"""Engine throughput: evaluations/s for a typical three-regime transfer beside a trivial baseline.

Run: .venv/bin/python bench/bench_engine.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessments.catalog.reference import load_reference  # noqa: E402 - after the path fix
from assessments.engine import evaluate  # noqa: E402
from assessments.rules import load_rules  # noqa: E402
from assessments.transfers import parse_transfer  # noqa: E402
from assessments.types import Transfer  # noqa: E402

TARGET = 20_000

# A PRC app sending device ids, contact details and crash traces of mainland, EU and Californian
# users to a US vendor: every regime applies and fires several rules.
TYPICAL = {
    "as_of": "2026-11-22",
    "exporter": {"name": "PRC app", "country": "CN", "ciio": False, "ccpa_business": True,
                 "cn_outbound_ytd": {"non_sensitive": 40000}},
    "importer": {"name": "US vendor", "country": "US", "role": "processor", "dpf_certified": False},
    "destinations": ["US", "SG"],
    "data_subjects": [{"jurisdiction": "CN", "count": 250000},
                      {"jurisdiction": "EU", "count": 80000},
                      {"jurisdiction": "US-CA", "count": 30000}],
    "data_categories": ["identifiers.device", "contact", "usage.diagnostics"],
    "purposes": ["analytics", "crash_reporting"],
    "safeguards": ["eu_scc"],
}


def _rate(fn: Callable[[], object], seconds: float) -> tuple[float, int]:
    count = 0
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(200):
            fn()
        count += 200
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - start), count


def main() -> None:
    """Measure and print evaluations/s, the baseline and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    rules, reference = load_rules(), load_reference()
    transfer: Transfer = parse_transfer(TYPICAL, today=date(2026, 11, 22), reference=reference)
    applied = [r.regime for r in evaluate(transfer, rules, reference).regimes if r.applies]
    assert applied == ["CN", "EU", "US"], applied

    def baseline() -> object:
        # The floor: one call that builds a small frozen-ish result per transfer.
        return {"as_of": transfer.as_of, "n": len(transfer.data_subjects)}

    def engine() -> object:
        return evaluate(transfer, rules, reference)

    _rate(engine, 0.3)  # warm the per-day rule cache and the interpreter
    base_rate, _ = _rate(baseline, args.seconds)
    engine_rate, n = _rate(engine, args.seconds)
    print(f"python {platform.python_version()} on {platform.machine()}")
    print(f"regimes applied: {', '.join(applied)}; rules version {rules.version}")
    print(f"baseline loop:  {base_rate:,.0f} calls/s")
    print(f"engine:         {engine_rate:,.0f} evaluations/s ({n:,} evaluations)")
    print(f"ratio:          baseline is {base_rate / engine_rate:,.1f}x the engine")
    verdict = "meets" if engine_rate >= TARGET else "MISSES"
    print(f"target:         {TARGET:,} evaluations/s - {verdict}")


if __name__ == "__main__":
    main()
