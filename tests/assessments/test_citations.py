"""Citations: every rule cites instruments in force on every day it applies (issue 13 section 5),
no citation list splits inside a parenthesis, and every rule cites a primary source."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments.rules import RULES_DIR, Rule, load_rules
from assessments.rules.loader import Param

TABLE = RULES_DIR / "instruments.yaml"


@dataclass(frozen=True)
class Instrument:
    pattern: re.Pattern[str]
    name: str
    start: date
    end: date | None
    primary: bool


def _instruments(path: Path = TABLE) -> list[Instrument]:
    raw: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return [
        Instrument(
            re.compile(i["pattern"]), i["name"], i["from"], i.get("to"), i.get("primary", True)
        )
        for i in raw["instruments"]
    ]


INSTRUMENTS = _instruments()
RULES = load_rules()


def _cited(citation: str) -> list[Instrument]:
    return [i for i in INSTRUMENTS if i.pattern.search(citation)]


def _entries() -> list[tuple[str, date | None, date | None, tuple[str, ...]]]:
    """(what, first day, last day, citations) for every rule, its obligations and params."""
    found: list[tuple[str, date | None, date | None, tuple[str, ...]]] = []
    for regime in RULES.regimes.values():
        for rule in regime.rules:
            if _states_not_in_force(rule):
                continue
            texts = (*rule.citations, *(o.citation for o in rule.obligations))
            found.append((rule.id, rule.effective_from, rule.effective_to, texts))
        for param in regime.params:
            found.append(_param(regime.regime, param))
    return found


def _param(regime: str, param: Param) -> tuple[str, date | None, date | None, tuple[str, ...]]:
    what = f"{regime} param {param.id}"
    return (what, param.effective_from, param.effective_to, (param.citation,))


def _states_not_in_force(rule: Rule) -> bool:
    # A rule that only says a law is not yet in force (open start, not_applicable) names the law
    # it is waiting for; it does not rely on it.
    return (
        rule.effective_from is None
        and rule.outcome is not None
        and rule.outcome.verdict == "not_applicable"
    )


@pytest.mark.parametrize(
    ("what", "start", "end", "citations"), _entries(), ids=lambda v: str(v)[:40]
)
def test_no_rule_cites_an_instrument_not_in_force(
    what: str, start: date | None, end: date | None, citations: tuple[str, ...]
) -> None:
    """Instruments only take effect (or lapse) on their own days, so checking the rule's first
    and last day checks every effective day of the rule."""
    for citation in citations:
        instruments = _cited(citation)
        assert instruments, f"{what}: {citation!r} names no instrument of {TABLE.name}"
        for instrument in instruments:
            assert start is not None, f"{what} has no start but cites {instrument.name}"
            assert instrument.start <= start, (
                f"{what} applies from {start} but cites {instrument.name} (from {instrument.start})"
            )
            if instrument.end is not None:
                assert end is not None and end <= instrument.end, (
                    f"{what} applies after {instrument.name} lapsed ({instrument.end})"
                )


def test_citations_never_split_inside_a_parenthesis() -> None:
    for rule in RULES.all_rules():
        for citation in (*rule.citations, *(o.citation for o in rule.obligations)):
            depth = 0
            for char in citation:
                depth += {"(": 1, ")": -1}.get(char, 0)
                assert depth >= 0, (rule.id, citation)
            assert depth == 0, (rule.id, citation)


def test_every_rule_cites_a_primary_source() -> None:
    """Guidance (EDPB, WP29, CAC filing guides) alone is not enough."""
    missing = [
        rule.id
        for rule in RULES.all_rules()
        if not any(i.primary for c in rule.citations for i in _cited(c))
    ]
    assert not missing


def test_the_table_catches_a_citation_ahead_of_its_instrument(tmp_path: Path) -> None:
    """The check can fail: Order No. 16 cited for a 2022 day is caught."""
    late = [i for i in INSTRUMENTS if i.pattern.search("CAC Order No. 16 Art. 7(2)")]
    assert late and all(i.start == date(2024, 3, 22) for i in late)
    assert any(i.start > date(2022, 9, 1) for i in late)
    assert any(i.start > date(2018, 5, 25) for i in _cited("Decision (EU) 2021/914 Clause 14"))
