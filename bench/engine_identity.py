"""Engine identity: proves an engine change leaves `repr(evaluate(...))` byte-identical.

Three steps: `corpus` pickles a fixed list of transfers (so that two code trees see exactly
the same ones), `hash` evaluates each with the code tree on PYTHONPATH and writes the sha256
of each result's repr (or of the exception raised), and `compare` counts where two hash files
differ. The code evaluated is whatever `import assessments` finds first: the tree on
PYTHONPATH, else the installed package (`hash` prints which). Build the corpus once and hand
the same pickle to both trees: a given --seed gives the same corpus only from the same source
(Hypothesis also draws literals it finds in the loaded modules).

    git archive <rev> | tar -x -C /tmp/before
    PYTHONPATH=. .venv/bin/python bench/engine_identity.py corpus /tmp/corpus.pkl
    PYTHONPATH=/tmp/before .venv/bin/python bench/engine_identity.py hash /tmp/corpus.pkl a.json
    PYTHONPATH=. .venv/bin/python bench/engine_identity.py hash /tmp/corpus.pkl b.json
    .venv/bin/python bench/engine_identity.py compare a.json b.json --corpus /tmp/corpus.pkl
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import json
import pickle
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

import assessments
from assessments import facts
from assessments.catalog.reference import Reference, load_reference
from assessments.engine import evaluate
from assessments.rules import RuleSet, load_rules
from assessments.transfers import parse_transfer
from assessments.types import (
    EU_DEROGATIONS,
    EXEMPTIONS,
    SAFEGUARDS,
    SANCTION_LISTS,
    SCC_DECISIONS,
    TIA_OUTCOMES,
    TRANSACTIONS,
    US_EXEMPTIONS,
    Transfer,
)

# A corpus entry: a label saying where it came from ("golden <id> @ <day>", ...) and the transfer.
Entry = tuple[str, Transfer]

# The golden sweep's head-counts for a transfer's largest group (the others scaled alike):
# below, at and above the DOJ bulk thresholds ("more than" 100 / 1,000 / 10,000 / 100,000)
# and the PRC ones (10,000 sensitive, 100,000, 1,000,000 "and above").
SWEEP: tuple[int, ...] = (
    *(100, 1_000, 1_001, 9_999, 10_000, 10_001),
    *(99_999, 100_000, 100_001, 999_999, 1_000_000, 1_000_001),
)
VARIANTS_FIRST = 3_000  # bench_engine's first variants, then 1,000 spread over the rest
VARIANTS_SPREAD = range(VARIANTS_FIRST, 50_000, 47)


# ---------------------------------------------------------------------------- corpus


def _sweep(transfer: Transfer) -> list[tuple[int, Transfer]]:
    """The transfer with its largest group at each SWEEP head-count and the other groups, and
    every group's minor and per-category counts, scaled by the same factor (so that they stay
    within their group); every group at it where all are empty."""
    largest = max(g.count for g in transfer.data_subjects)

    def scaled(n: int, target: int) -> int:
        return n * target // largest if largest else n

    out = []
    for target in SWEEP:
        groups = []
        for g in transfer.data_subjects:
            minors = g.minor_counts
            if minors is not None:
                ages = {f.name: getattr(minors, f.name) for f in dataclasses.fields(minors)}
                minors = dataclasses.replace(
                    minors, **{k: scaled(n, target) for k, n in ages.items() if n is not None}
                )
            groups.append(
                dataclasses.replace(
                    g,
                    count=scaled(g.count, target) if largest else target,
                    minor_counts=minors,
                    category_counts=tuple((c, scaled(n, target)) for c, n in g.category_counts),
                )
            )
        out.append((target, dataclasses.replace(transfer, data_subjects=tuple(groups))))
    return out


def _hypothesis(n: int, seed: int) -> list[Transfer]:
    """n transfers from the property tests' strategy, drawn deterministically from `seed` (and
    the source of the loaded modules, whose literals Hypothesis draws now and then)."""
    if n <= 0:
        return []
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    from tests.assessments.test_engine_properties import transfers

    drawn: list[Transfer] = []

    @seeded(seed)
    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(transfers())
    def collect(transfer: Transfer) -> None:
        drawn.append(transfer)

    collect()
    return drawn


@dataclasses.dataclass(frozen=True)
class _Pools:
    """What random transfers draw from, each in a fixed order (so that the random transfers are
    a function of the seed, the rules and the reference data)."""

    counts: tuple[int, ...]  # on, next to and between the thresholds
    thresholds: tuple[int, ...]
    shares: tuple[float, ...]  # percents on and next to the ownership and CCPA share tests
    revenues: tuple[int, ...]
    days: tuple[date, ...]
    categories: tuple[str, ...]
    plain_categories: tuple[str, ...]  # not sensitive under the PIPL
    doj_categories: tuple[str, ...]  # with a DOJ bulk threshold
    purposes: tuple[str, ...]
    countries: tuple[str, ...]
    jurisdictions: tuple[str, ...]
    importer_countries: tuple[str, ...]


def _numbers(when: Any) -> set[float]:
    """The numeric literals a rule condition compares with."""
    if isinstance(when, dict):
        return {n for value in when.values() for n in _numbers(value)}
    if isinstance(when, list):
        return {n for value in when for n in _numbers(value)}
    if isinstance(when, int | float) and not isinstance(when, bool):
        return {when}
    return set()


def _pools(rules: RuleSet, reference: Reference) -> _Pools:
    """Thresholds and days from the rules (params, condition literals, effective dates), the
    taxonomy's DOJ bulk thresholds, the engine's own dates, and the reference's dated facts."""
    from tests.assessments.test_engine_memo import DAYS
    from tests.assessments.test_engine_properties import COUNTRIES, JURISDICTIONS

    params = [p for regime in rules.regimes.values() for p in regime.params]
    numeric = {
        p.value
        for p in params
        if isinstance(p.value, int | float) and not isinstance(p.value, bool)
    }
    numeric |= {n for rule in rules.all_rules() for n in _numbers(rule.when)}
    numeric |= {
        c.doj.threshold for c in reference.data_categories.values() if c.doj.threshold is not None
    }
    thresholds = sorted({int(n) for n in numeric if n >= 0})
    counts = {n + d for n in [0, *thresholds] for d in (-1, 0, 1) if n + d >= 0}
    counts |= {(a + b) // 2 for a, b in itertools.pairwise([0, *thresholds])}  # between two
    revenue_ids = ("ccpa_revenue_min",)
    revenues = sorted({p.value + d for p in params if p.id in revenue_ids for d in (-1, 0, 1)})
    share_ids = ("dsp_ownership_min", "padfa_control_min", "ccpa_revenue_share_min")
    shares = sorted(
        {0.0, 100.0}
        | {float(p.value) + d for p in params if p.id in share_ids for d in (-0.5, 0, 0.5)}
        | {p.value / 2 for p in params if p.id in share_ids}  # two owners adding up to it
    )
    dated: set[date] = {d for d in facts.__dict__.values() if type(d) is date}
    dated |= {d for p in params for d in (p.effective_from, p.effective_to) if d}
    dated |= {d for r in rules.all_rules() for d in (r.effective_from, r.effective_to) if d}
    for decisions in reference.adequacy.values():
        dated |= {d.effective_from for d in decisions}
        dated |= {d.effective_to for d in decisions if d.effective_to}
    dated |= {m.until for m in reference.eea.values() if m.until}
    listings = (reference.doj_countries_of_concern, reference.padfa_foreign_adversaries)
    dated |= {listing.effective_from for listing in listings}
    days = {d + timedelta(days=k) for d in dated for k in (-1, 0, 1)}
    days |= {*DAYS, date(2024, 2, 29)}  # a leap day: the DOJ window's "year before"
    # No regime applies before the GDPR (2018): the earliest day stands for those years.
    days = {d for d in days if d.year >= 2017} | {min(days)}
    return _Pools(
        counts=tuple(sorted(counts)),
        thresholds=tuple(thresholds),
        shares=tuple(shares),
        revenues=tuple(revenues),
        days=tuple(sorted(days)),
        categories=tuple(sorted(reference.data_categories)),
        doj_categories=tuple(
            sorted(k for k, c in reference.data_categories.items() if c.doj.threshold)
        ),
        plain_categories=tuple(
            sorted(k for k, c in reference.data_categories.items() if not c.cn.sensitive)
        ),
        purposes=tuple(sorted(reference.purposes)),
        countries=tuple(COUNTRIES),
        jurisdictions=tuple(JURISDICTIONS),
        importer_countries=(*COUNTRIES, *sorted(reference.organisations)),
    )


def _maybe(rng: random.Random) -> bool | None:
    return rng.choice((None, True, False))


# Where a random transfer's exporter and people mostly are, per regime it is aimed at.
HOMES = {"CN": ("CN",), "EU": ("DE", "FR", "IE", "NO"), "US": ("US",)}
HOME_PEOPLE = {"CN": ("CN",), "EU": ("EU", "DE", "FR"), "US": ("US", "US-CA", "US-NY")}


def _group(rng: random.Random, pools: _Pools, categories: list[str], home: str) -> dict[str, Any]:
    """One data_subjects entry, its counts on or next to a threshold."""
    people = HOME_PEOPLE[home] if rng.random() < 0.6 else pools.jurisdictions
    where = rng.choice(people)
    count = rng.choice(pools.counts)
    group: dict[str, Any] = {"jurisdiction": where, "count": count, "minors": rng.random() < 0.2}
    if rng.random() < 0.25:
        ages = sorted(min(count, rng.choice(pools.counts)) for _ in range(4))
        group["minor_counts"] = {
            f"under_{age}": n if rng.random() < 0.7 else None
            for age, n in zip((13, 14, 16, 17), ages, strict=True)
        }
    if rng.random() < 0.3:
        named = rng.sample(categories, rng.randint(1, len(categories)))
        group["category_counts"] = {c: min(count, rng.choice(pools.counts)) for c in named}
    return group


def _random_raw(rng: random.Random, pools: _Pools) -> dict[str, Any]:
    """A random transfer as contract JSON, with the optional fields the property tests' strategy
    leaves out, counts on and next to the thresholds and its day on and next to an effective
    date; aimed at one regime (its exporter and most people there), so that the others' open
    questions and stricter rules leave its thresholds to decide more often."""
    home = rng.choice(tuple(HOMES))
    # For the PRC, often no PIPL-sensitive category, so that the volume thresholds decide; for
    # the US, often a category with a DOJ bulk threshold.
    plain = home == "CN" and rng.random() < 0.5
    categories = rng.sample(
        pools.plain_categories if plain else pools.categories, rng.randint(1, 4)
    )
    if home == "US" and rng.random() < 0.5:
        categories = list(dict.fromkeys([rng.choice(pools.doj_categories), *categories]))
    groups = [_group(rng, pools, categories, home) for _ in range(rng.randint(1, 3))]
    exporter: dict[str, Any] = {
        "country": rng.choice(HOMES[home] if rng.random() < 0.7 else pools.countries),
        "role": rng.choice(("controller", "processor")),
        # Mostly stated false: a CIIO, or an open question, decides by itself (an assessment).
        "ciio": rng.choice((None, True, False, False, False)),
        "us_person": _maybe(rng),
        "ccpa_business": _maybe(rng),
        "data_broker": _maybe(rng),
        "targets_eu": _maybe(rng),
    }
    if rng.random() < 0.3:
        exporter["name"] = rng.choice(("Exporter Ltd", "出口方有限公司", "{not_a_placeholder}"))
    if rng.random() < 0.5:
        sensitive = rng.choice(pools.counts) if rng.random() < 0.5 else 0
        ytd = {"non_sensitive": rng.choice(pools.counts), "sensitive": sensitive}
        if rng.random() < 0.5:  # this flow plus the running total exactly on a threshold
            mainland = sum(g["count"] for g in groups if g["jurisdiction"] == "CN")
            ytd["non_sensitive"] = max(0, rng.choice(pools.thresholds) - mainland)
        exporter["cn_outbound_ytd"] = ytd
    if rng.random() < 0.3:
        exporter["cn_processing_volume"] = rng.choice(pools.counts)
    if rng.random() < 0.3:
        exporter["ccpa_thresholds"] = {
            "annual_revenue_usd": rng.choice((None, *pools.revenues)),
            "consumers_traded": rng.choice((None, *pools.counts)),
            "revenue_share_selling": rng.choice((None, *pools.shares)),
        }
    importer: dict[str, Any] = {
        "country": rng.choice(("US", "US", "US", "SG", "CN", *pools.importer_countries)),
        "role": rng.choice(("controller", "processor")),
        "dpf_certified": _maybe(rng),
        "covered_person": _maybe(rng),
        "gdpr_art3_2": _maybe(rng),
    }
    if rng.random() < 0.3:
        importer["name"] = rng.choice(("Vendor Inc.", "供应商", "{verdict}"))
    if rng.random() < 0.1:
        importer["vendor"] = "some-vendor"
    if rng.random() < 0.4:
        importer["owners"] = [
            {
                "name": rng.choice((None, "Parent Co")),
                "country": rng.choice(("CN", "RU", "VE", "IR", "HK", "US", "DE", "SG")),
                "share": rng.choice((None, *pools.shares)),
            }
            for _ in range(rng.randint(0, 2))
        ]
    if rng.random() < 0.1:
        importer["sanctions"] = [
            {
                "party": rng.choice(("Vendor Inc.", "Parent Co")),
                "lists": rng.sample(SANCTION_LISTS, rng.randint(1, 2)),
                "designated": rng.choice((None, rng.choice(pools.days).isoformat())),
                "through_ownership": rng.random() < 0.5,
                "note": rng.choice((None, "press report")),
            }
            for _ in range(rng.randint(1, 2))
        ]
    us = sum(g["count"] for g in groups if g["jurisdiction"].split("-")[0] == "US")
    prior = rng.choice((0, 0, *pools.counts))
    if rng.random() < 0.3:  # this flow plus the 12 months before exactly on a threshold
        prior = max(0, rng.choice(pools.thresholds) - us)
    raw: dict[str, Any] = {
        "as_of": rng.choice(pools.days).isoformat(),
        "exporter": exporter,
        "importer": importer,
        "destinations": rng.sample(pools.countries, rng.randint(0, 3)),
        "data_subjects": groups,
        "data_categories": categories,
        "purposes": rng.sample(pools.purposes, rng.randint(0, 3)),
        "transaction": rng.choice(TRANSACTIONS),
        "safeguards": rng.sample(SAFEGUARDS, rng.randint(0, 4)),
        "exemptions": rng.sample(EXEMPTIONS, rng.choice((0, 0, 0, 1, 2))),
        "important_data": rng.choice((None, True, False, False, False)),
        "us_exemptions": rng.sample(US_EXEMPTIONS, rng.choice((0, 0, 0, 1, 2))),
        "government_related_data": _maybe(rng),
        "us_prior_12m": prior,
        "eu_tia": rng.choice((None, None, *TIA_OUTCOMES)),
    }
    if rng.random() < 0.4:
        signed = rng.choice((None, rng.choice(pools.days).isoformat()))
        raw["eu_scc_terms"] = {"decision": rng.choice(SCC_DECISIONS), "signed": signed}
    if rng.random() < 0.25:
        raw["eu_derogation"] = {"basis": rng.choice(EU_DEROGATIONS), "occasional": _maybe(rng)}
    return raw


def build_corpus(seed: int, n_random: int, n_hypothesis: int) -> tuple[list[Entry], dict[str, int]]:
    """The corpus, and counts: the golden scenarios it starts from, its transfers per kind, and
    the random ones that did not parse (left out)."""
    # bench_engine (beside this script) puts this script's tree first on sys.path: the tests'
    # helpers come from it, like the golden files.
    from bench_engine import _variants

    from tests.assessments.test_engine_memo import DAYS

    # The repo's golden file; tests/golden checks it carries every scenario of ../shared's.
    from tests.golden.test_scenarios import DEFAULT_DAY, SCENARIOS

    rules, reference = load_rules(), load_reference()
    corpus: list[Entry] = []
    golden = [
        (s["id"], parse_transfer(s["transfer"], today=DEFAULT_DAY, reference=reference))
        for s in SCENARIOS
    ]
    for sid, t in golden:
        corpus.append((f"golden {sid} @ {t.as_of}", t))
        corpus += [(f"golden {sid} @ {day}", dataclasses.replace(t, as_of=day)) for day in DAYS]
    for sid, t in golden:
        corpus += [(f"sweep {sid} x{target}", swept) for target, swept in _sweep(t)]

    variants = _variants(reference, VARIANTS_SPREAD.stop)
    picked = [*range(VARIANTS_FIRST), *VARIANTS_SPREAD]
    corpus += [(f"variant {i}", variants[i]) for i in picked]

    drawn = _hypothesis(n_hypothesis, seed)
    corpus += [(f"hypothesis {i}", t) for i, t in enumerate(drawn)]

    rng = random.Random(seed)
    pools = _pools(rules, reference)
    rejected = 0
    for i in range(n_random):
        raw = _random_raw(rng, pools)
        try:
            corpus.append(
                (f"random {i}", parse_transfer(raw, today=DEFAULT_DAY, reference=reference))
            )
        except ValidationError:
            rejected += 1
    counts = {"golden scenarios": len(SCENARIOS)}
    counts.update(Counter(label.split(" ", 1)[0] for label, _ in corpus))
    counts["random rejected (left out)"] = rejected
    return corpus, counts


# ---------------------------------------------------------------------------- hashes


def hash_corpus(transfers: list[Transfer], *, backward: bool, memo: bool) -> tuple[list[str], int]:
    """sha256 of repr(evaluate(t)) per transfer, in corpus order, with one rule set for the run
    (its memos fill as in a service); a raise hashes its type and message. And how many raised."""
    rules, reference = load_rules(), load_reference()
    digests = [""] * len(transfers)
    order = range(len(transfers) - 1, -1, -1) if backward else range(len(transfers))
    raised = 0
    for i in order:
        try:
            text = repr(evaluate(transfers[i], rules, reference, memo=memo))
        except Exception as exc:  # a raise is a result too: the other tree must raise alike
            text = f"raise {type(exc).__module__}.{type(exc).__qualname__}: {exc}"
            raised += 1
        digests[i] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digests, raised


# ---------------------------------------------------------------------------- commands


def _corpus(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    corpus, counts = build_corpus(args.seed, args.random, args.hypothesis)
    with open(args.out, "wb") as f:
        pickle.dump(corpus, f, protocol=pickle.HIGHEST_PROTOCOL)
    for kind, n in counts.items():
        print(f"{kind:>28}: {n:>7,}")
    print(
        f"{'total':>28}: {len(corpus):>7,}  -> {args.out} in {time.perf_counter() - started:.1f} s"
    )


def _hash(args: argparse.Namespace) -> None:
    with open(args.corpus, "rb") as f:
        corpus: list[Entry] = pickle.load(f)
    started = time.perf_counter()
    digests, raised = hash_corpus(
        [t for _, t in corpus], backward=args.order == "backward", memo=not args.no_memo
    )
    seconds = time.perf_counter() - started
    Path(args.out).write_text(json.dumps(digests) + "\n", "utf-8")
    tree = Path(assessments.__file__).resolve().parents[1]
    memo = "memo=False" if args.no_memo else "memo=True"
    print(f"code: {tree}; {args.order}, {memo}")
    print(f"{len(digests):,} evaluations ({raised:,} raised) in {seconds:.1f} s -> {args.out}")


def _compare(args: argparse.Namespace) -> int:
    a: list[str] = json.loads(Path(args.a).read_text("utf-8"))
    b: list[str] = json.loads(Path(args.b).read_text("utf-8"))
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y]
    labels: list[str] | None = None
    if args.corpus:
        with open(args.corpus, "rb") as f:
            labels = [label for label, _ in pickle.load(f)]
    if len(a) != len(b):
        print(
            f"different lengths: {len(a):,} and {len(b):,} (the first {min(len(a), len(b)):,} "
            "compared)"
        )
    print(f"{len(differ):,} of {min(len(a), len(b)):,} differ")
    for i in differ[:10]:
        print(f"  {i}" + (f"  {labels[i]}" if labels else ""))
    return 1 if differ or len(a) != len(b) else 0


def main() -> int:
    """Build a corpus, hash it with one code tree, or compare two trees' hashes."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    corpus = commands.add_parser("corpus", help="pickle the transfers to evaluate")
    corpus.add_argument("out", help="the pickle to write")
    corpus.add_argument("--seed", type=int, default=0)
    corpus.add_argument("--random", type=int, default=7_000, help="random contract JSON transfers")
    corpus.add_argument("--hypothesis", type=int, default=6_000, help="property-test draws")
    hashes = commands.add_parser("hash", help="hash each transfer's evaluation")
    hashes.add_argument("corpus")
    hashes.add_argument("out", help="the JSON list of digests to write")
    hashes.add_argument("--order", choices=("forward", "backward"), default="forward")
    hashes.add_argument("--no-memo", action="store_true", help="evaluate with memo=False")
    compare = commands.add_parser("compare", help="count the evaluations that differ")
    compare.add_argument("a")
    compare.add_argument("b")
    compare.add_argument("--corpus", help="the corpus, to print the labels of those that differ")
    args = parser.parse_args()
    if args.command == "corpus":
        _corpus(args)
    elif args.command == "hash":
        _hash(args)
    else:
        return _compare(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
