"""Policy scanner speed: a 100 KB policy against a 10,000-vendor registry, beside one regex.

Builds 10,000 synthetic vendor records (names "Synthvendor NNNNN ...", domains under
.example: clearly not real companies; made here and nowhere else) plus the real catalog,
compiles the scanner's matcher once, and times `scan` on a 100 KB text: the five seed
policies from ../shared/seeds (repeated to 100 KB), or, without them, a synthetic policy.
In the same run it times a plain scan of the same text with one regex alternation of every
vendor name (case-insensitive, word boundaries): the naive way, and vendors only.

Run: .venv/bin/python bench/bench_scanner.py [--vendors 10000] [--size 102400] [--runs 15]
"""

from __future__ import annotations

import argparse
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import vendor_data
from assessments.catalog import load_vendors
from assessments.catalog.vendors import (
    LegalEntity,
    SdkSignature,
    Source,
    VendorRecord,
)
from assessments.scanner import compile_matcher, default_lexicon, scan

T = TypeVar("T")
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
TARGET_MS = 100.0
_KINDS = ("Analytics", "Push", "Pay", "Maps", "Cloud", "Ads", "Mail", "Crash")


def synthetic_vendors(count: int) -> list[VendorRecord]:
    """`count` made-up vendors with names, aliases, a legal entity and SDK signatures."""
    out = []
    for i in range(count):
        base = f"Synthvendor{i:05d}"
        kind = _KINDS[i % len(_KINDS)]
        out.append(
            VendorRecord(
                slug=f"synthvendor-{i:05d}",
                name=f"{base} {kind}",
                aliases=(base, f"{base} SDK", f"合成{i:05d}"),
                category="analytics_sdk",
                product_type="sdk",
                legal_entities=(LegalEntity(f"{base} Holdings Ltd.", "SG", "hq"),),
                sdk=SdkSignature(
                    android_packages=(f"com.synthvendor{i:05d}.",),
                    domains=(f"synthvendor{i:05d}.example",),
                ),
                sources=(Source(facts=("name",), ref="bench/bench_scanner.py synthetic"),),
                last_verified=date(2026, 11, 22),
            )
        )
    return out


def policy_text(size: int, vendors: list[VendorRecord]) -> tuple[str, str]:
    """A `size`-character policy with some synthetic vendor names sprinkled in."""
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if seeds:
        body, source = "\n\n".join(p.read_text(encoding="utf-8") for p in seeds), "seeds"
    else:
        body = (
            "We share device identifiers (IMEI, OAID, Android ID) and IP addresses with "
            "payment processors and advertising partners. Data may be transferred to the "
            "United States under standard contractual clauses. We do not knowingly collect "
            "data from children under 13. 我们在中华人民共和国境内收集和产生的个人信息将存储在"
            "中华人民共和国境内。\n"
        )
        source = "synthetic paragraph"
    names = "\n".join(f"We integrate the {v.name} SDK for {v.category}." for v in vendors[::200])
    text = names + "\n" + body
    while len(text) < size:
        text += "\n" + body
    return text[:size], source


def naive_regex(names: list[str]) -> re.Pattern[str]:
    """One alternation of every name, longest first, case-insensitive, word-bounded."""
    ordered = sorted(set(names), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in ordered) + r")\b", re.I)


def timed(fn: Callable[[], T], runs: int) -> tuple[float, float, T]:
    """Median wall and CPU time of `runs` calls, in milliseconds, and the last result."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return statistics.median(wall), statistics.median(cpu), result


def main() -> int:
    """Run the benchmark and print a table; exit 1 when the scan misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=100 * 1024)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    catalog = load_vendors(Path(vendor_data.DATA_DIR))
    records = [*synthetic_vendors(args.vendors), *catalog]
    text, source = policy_text(args.size, records[: args.vendors])
    lexicon = default_lexicon()

    compile_ms, _, matcher = timed(lambda: compile_matcher(records, lexicon=lexicon), 1)
    scan(text, matcher, lexicon)  # warm-up
    scan_ms, scan_cpu, report = timed(lambda: scan(text, matcher, lexicon), args.runs)

    names = [n for r in records for n in (r.name, *r.aliases, *(e.name for e in r.legal_entities))]
    regex_compile_ms, _, pattern = timed(lambda: naive_regex(names), 1)
    regex_runs = min(args.runs, 3)  # seconds per run: three are enough for a median
    regex_ms, regex_cpu, hits = timed(lambda: len(pattern.findall(text)), regex_runs)

    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    print(f"registry: {len(records)} vendors ({args.vendors} synthetic + {len(catalog)} catalog)")
    print(
        f"text: {len(text)} characters ({source}); median of {args.runs} scans, {regex_runs} regex"
    )
    print(f"{'':32}{'compile ms':>11}{'scan ms':>10}{'scan CPU ms':>13}  found")
    print(
        f"{'scanner (automaton + lexicon)':32}{compile_ms:11.1f}{scan_ms:10.1f}{scan_cpu:13.1f}"
        f"  {len(report.vendors)} vendors + data, transfers, ages, laws"
    )
    print(
        f"{'one regex of all names':32}{regex_compile_ms:11.1f}{regex_ms:10.1f}{regex_cpu:13.1f}"
        f"  {hits} name hits"
    )
    ok = scan_cpu < TARGET_MS
    print(f"target: scan < {TARGET_MS:.0f} ms of CPU -> {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
