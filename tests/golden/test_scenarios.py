"""Golden scenarios: verdict and mechanism per regime for each (absent regime: not_applicable).

Optional per regime besides verdict and mechanism: met, alternatives, rules (must fire),
absent_rules, asks (a substring of a question), provisional, and branches
({question id: {answer: verdict}}: exactly the open questions that change the verdict).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessments.catalog.reference import Reference, load_reference
from assessments.engine import evaluate
from assessments.rules import RuleSet, load_rules
from assessments.transfers import parse_transfer, transfer_to_dict
from assessments.types import REGIMES

HERE = Path(__file__).resolve().parent
SCENARIOS: list[dict[str, Any]] = yaml.safe_load((HERE / "scenarios.yaml").read_text("utf-8"))
DEFAULT_DAY = date(2026, 11, 22)  # the as-of date of regimes.md


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference()


def test_scenario_ids_are_unique() -> None:
    ids = [s["id"] for s in SCENARIOS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario(scenario: dict[str, Any], rules: RuleSet, reference: Reference) -> None:
    transfer = parse_transfer(scenario["transfer"], today=DEFAULT_DAY, reference=reference)
    evaluation = evaluate(transfer, rules, reference)
    for code in REGIMES:
        expected = scenario["expect"].get(code) or {"verdict": "not_applicable", "mechanism": None}
        result = evaluation.regime(code)
        assert (result.verdict, result.mechanism) == (
            expected["verdict"],
            expected["mechanism"],
        ), f"{code}: {result.why}"
        assert result.applies is (result.verdict != "not_applicable")
        fired = {r.id for r in result.rules}
        assert set(expected.get("rules", [])) <= fired, f"{code} fired {sorted(fired)}"
        assert not set(expected.get("absent_rules", [])) & fired, f"{code} fired {sorted(fired)}"
        if "met" in expected:
            assert result.met is expected["met"]
        if "alternatives" in expected:
            assert list(result.alternatives) == expected["alternatives"]
        if "asks" in expected:
            assert any(expected["asks"] in q for q in result.questions), result.questions
        if "provisional" in expected:
            assert result.provisional is expected["provisional"], result.why
        if "branches" in expected:
            got = {b.id: {a.answer: a.verdict for a in b.answers} for b in result.if_unknown}
            assert got == expected["branches"], got


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["id"] for s in SCENARIOS])
def test_scenario_transfer_round_trips_through_contract_json(
    scenario: dict[str, Any], reference: Reference
) -> None:
    """transfer_to_dict's JSON parses back to the same Transfer, for every golden transfer
    (a review's evaluation history and POST /transfers/evaluate answer with it)."""
    transfer = parse_transfer(scenario["transfer"], today=DEFAULT_DAY, reference=reference)
    again = parse_transfer(transfer_to_dict(transfer), today=DEFAULT_DAY, reference=reference)
    assert again == transfer


def test_every_shared_scenario_is_in_the_repo(shared_dir: Path) -> None:
    """The repo's golden file carries every scenario of ../shared/golden/scenarios.yaml."""
    shared_file = shared_dir / "golden" / "scenarios.yaml"
    if not shared_file.is_file():
        pytest.skip("../shared/golden/scenarios.yaml is absent")
    shared_ids = {s["id"] for s in yaml.safe_load(shared_file.read_text("utf-8"))}
    assert shared_ids <= {s["id"] for s in SCENARIOS}
