"""The engine's memo (results per decision signature, combined results per headline) never
changes an answer: memoised evaluations are byte-identical (`repr`) to memo=False, which
builds every result from scratch, over the golden scenarios on many days, over threshold
sweeps, and over random transfers, with one rule set (and so one memo) shared throughout so
later transfers are answered from earlier ones' entries."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings

from assessments.catalog.reference import Reference, load_reference
from assessments.engine import evaluate
from assessments.rules import RuleSet, load_rules
from assessments.transfers import parse_transfer
from assessments.types import OutboundYtd, Transfer
from tests.assessments.test_engine_properties import transfers

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "scenarios.yaml"
SCENARIOS: list[dict[str, Any]] = yaml.safe_load(GOLDEN.read_text("utf-8"))
# Around the effective dates the rules change on (GDPR, new SCCs, PIPL, CAC Orders 11 and 16,
# the DOJ rule's stages), and the default day.
DAYS = [
    date(2018, 5, 1),
    date(2021, 6, 1),
    date(2021, 12, 1),
    date(2022, 10, 1),
    date(2023, 6, 1),
    date(2024, 4, 1),
    date(2025, 5, 1),
    date(2025, 10, 7),
    date(2026, 11, 22),
]
REFERENCE: Reference = load_reference()
SHARED: RuleSet = load_rules()  # its memo fills up across every test of this module
FRESH: RuleSet = load_rules()


def _same(transfer: Transfer) -> None:
    memoised = repr(evaluate(transfer, SHARED, REFERENCE))
    built = repr(evaluate(transfer, FRESH, REFERENCE, memo=False))
    assert memoised == built


def _golden() -> list[Transfer]:
    found = []
    for scenario in SCENARIOS:
        t = parse_transfer(scenario["transfer"], today=date(2026, 11, 22), reference=REFERENCE)
        found += [t] + [dataclasses.replace(t, as_of=day) for day in DAYS]
    return found


def test_golden_scenarios_on_every_day_forwards_and_backwards() -> None:
    corpus = _golden()
    assert len(corpus) > 2000
    for transfer in corpus + corpus[::-1]:
        _same(transfer)
    assert SHARED.results  # the memo was used


def _sweep(transfer: Transfer, steps: int) -> list[Transfer]:
    """Head-counts and running totals stepped across the thresholds (texts name them)."""
    out = []
    for i in range(steps):
        groups = tuple(
            dataclasses.replace(g, count=g.count * (1 + i % 7) + 997 * i)
            for g in transfer.data_subjects
        )
        exporter = dataclasses.replace(
            transfer.exporter, cn_outbound_ytd=OutboundYtd(non_sensitive=45_000 * i)
        )
        out.append(dataclasses.replace(transfer, data_subjects=groups, exporter=exporter))
    return out


@pytest.mark.parametrize("scenario", [s["id"] for s in SCENARIOS[::9]])
def test_threshold_sweeps(scenario: str) -> None:
    raw = next(s for s in SCENARIOS if s["id"] == scenario)["transfer"]
    transfer = parse_transfer(raw, today=date(2026, 11, 22), reference=REFERENCE)
    for variant in _sweep(transfer, 40):
        _same(variant)


@settings(max_examples=400, deadline=None)
@given(transfers())
def test_random_transfers(transfer: Transfer) -> None:
    _same(transfer)
    for variant in _sweep(transfer, 3):
        _same(variant)


def test_memo_false_leaves_the_memo_alone() -> None:
    rules = load_rules()
    evaluate(_golden()[0], rules, REFERENCE, memo=False)
    assert not rules.results
    assert not any(active.decisions for active in rules._active.values())


def _decided(d: Any) -> tuple[Any, ...]:
    tracks = tuple((t.index, t.unknown, t.verdict, t.mechanism, t.met) for t in d.tracks)
    winner = None if d.winner is None else d.tracks.index(d.winner)
    return tracks, winner, d.outcomes, d.met, d.written


def test_decision_memo_matches_deciding_afresh() -> None:
    """The decisions memo (ActiveRules.decisions, keyed on the outcome of every fact test of the
    day's conditions) gives what deciding afresh gives, on the facts of the golden scenarios on
    every day and of head-count sweeps across the thresholds (both orders), with one rule set's
    memo filling throughout; and it is used (transfers with different head-counts share entries)."""
    from assessments.engine import _decisions, _key_head
    from assessments.facts import BUILDERS, answers_of, profile

    rules, hits = load_rules(), 0
    corpus = _golden()
    for scenario in SCENARIOS[::5]:
        raw = scenario["transfer"]
        corpus += _sweep(parse_transfer(raw, today=date(2026, 11, 22), reference=REFERENCE), 25)
    sweeps = corpus[len(corpus) - 25 * len(SCENARIOS[::5]) :]
    for transfer in corpus + sweeps[::-1]:
        prof = profile(REFERENCE, transfer.data_categories, transfer.purposes)
        for code in ("CN", "EU", "US"):
            active = rules.active(code, transfer.as_of)
            builder = BUILDERS[code]
            stated = builder.stated(transfer, REFERENCE, prof, active.params)
            built = builder.answered(stated, answers_of(transfer, builder.inputs))
            head = _key_head(active, stated.facts)
            assert head is not None
            safeguards = built.safeguards if built.safeguards is not None else transfer.safeguards
            size = sum(map(len, active.decisions.values()))
            regime = rules.regimes[code]
            memoised = _decisions(regime, active, stated.facts, built.facts, safeguards, head)
            hits += sum(map(len, active.decisions.values())) == size
            plain = _decisions(regime, active, stated.facts, built.facts, safeguards, None)
            assert _decided(memoised) == _decided(plain)
    assert hits > len(corpus)  # most answered from the memo


def test_rendered_rule_texts_are_kept_apart_by_value_type() -> None:
    """True and 1 are equal dict keys but render differently: a rule's text rendered for one is
    never served for the other (the rendered-text memo keys on the values' types too)."""
    from assessments.engine import _fire

    rules = load_rules()
    rule = next(
        r
        for regime in ("CN", "EU", "US")
        for r in rules.active(regime, date(2026, 11, 22)).obligations
        if r.placeholders and r.explanation.count("{") == 1
    )
    name = rule.placeholders[0]
    texts = [_fire(rules, rule, {name: value}, {})[0].explanation for value in (True, 1, 1.0, True)]
    assert texts[0] == texts[3] != texts[1] != texts[2]
    assert [str(v) in t for v, t in zip((True, 1, 1.0), texts, strict=False)] == [True] * 3
