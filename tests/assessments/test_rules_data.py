"""Rule files: each validates, ids are unique, referenced ids exist, thresholds are data."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from assessments.catalog.reference import load_reference
from assessments.engine import evaluate
from assessments.facts import FACTS
from assessments.rules import RULES_DIR, RulesError, load_rules
from assessments.rules.docs import render
from assessments.rules.loader import REGIME_FILES, load_regime
from assessments.transfers import parse_transfer
from assessments.types import MECHANISMS, SAFEGUARDS
from vendor_data import DATA_DIR

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 11, 22)
PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)(?::[^}]*)?\}")


@pytest.mark.parametrize("name", sorted(REGIME_FILES.values()))
def test_each_rule_file_validates(name: str) -> None:
    regime = load_regime(RULES_DIR / name)
    assert regime.rules


def test_rule_ids_are_unique_across_files() -> None:
    rules = load_rules().all_rules()
    ids = [r.id for r in rules]
    obligation_ids = [o.id for r in rules for o in r.obligations]
    assert len(ids) == len(set(ids))
    assert len(obligation_ids) == len(set(obligation_ids))


def test_every_referenced_id_exists() -> None:
    ruleset = load_rules()
    for code, regime in ruleset.regimes.items():
        params = {p.id for p in regime.params}
        facts = set(FACTS[code])
        for rule in regime.rules:
            assert rule.references.facts <= facts, (rule.id, rule.references.facts - facts)
            assert rule.references.params <= params, (rule.id, rule.references.params - params)
            if rule.outcome is not None:
                named = [rule.outcome.mechanism, *rule.outcome.alternatives]
                for mechanism in filter(None, named):
                    assert mechanism in regime.mechanisms, (rule.id, mechanism)
                if rule.outcome.mechanism_fact:
                    assert rule.outcome.mechanism_fact in facts
            texts = [rule.explanation, rule.remediation or "", rule.question or ""]
            texts += [o.text for o in rule.obligations]
            for text in texts:
                for name in PLACEHOLDER.findall(text):
                    assert name in facts or name in params, (rule.id, name)
        for mechanism in regime.mechanisms.values():
            assert mechanism.id in MECHANISMS
            assert set(mechanism.met_by) <= set(SAFEGUARDS)


def test_params_resolve_wherever_their_rules_are_in_force() -> None:
    ruleset = load_rules()
    for code, regime in ruleset.regimes.items():
        for rule in regime.rules:
            if not rule.references.params:
                continue
            for day in filter(None, (rule.effective_from, rule.effective_to)):
                active = ruleset.active(code, day)
                missing = rule.references.params - set(active.params)
                assert not missing, (rule.id, day, missing)


def test_rules_version_is_a_content_hash(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert load_rules(copy).version == load_rules().version
    with (copy / "eu.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the content\n")
    assert load_rules(copy).version != load_rules().version


def _copy_rules(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def _cn_transfer(count: int) -> dict[str, object]:
    return {
        "exporter": {"country": "CN", "ciio": False},
        "importer": {"country": "SG"},
        "important_data": False,
        "data_subjects": [{"jurisdiction": "CN", "count": count}],
        "data_categories": ["contact"],
    }


def test_a_threshold_change_in_rule_data_changes_the_verdict(tmp_path: Path) -> None:
    reference = load_reference()
    transfer = parse_transfer(_cn_transfer(60000), today=DAY, reference=reference)
    before = evaluate(transfer, load_rules(), reference).regime("CN")
    assert before.verdict == "permitted"

    copy = _copy_rules(tmp_path)
    data = yaml.safe_load((copy / "cn.yaml").read_text("utf-8"))
    for param in data["params"]:
        if param["id"] == "sc_nonsensitive_min":
            param["value"] = 50000
    (copy / "cn.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    after = evaluate(transfer, load_rules(copy), reference).regime("CN")
    assert (after.verdict, after.mechanism) == ("mechanism_required", "cn_standard_contract")


def test_a_threshold_change_in_taxonomy_data_changes_the_verdict(tmp_path: Path) -> None:
    raw = {
        "exporter": {"country": "US", "data_broker": False},
        "importer": {"country": "CN"},
        "government_related_data": False,
        "data_subjects": [{"jurisdiction": "US", "count": 5000}],
        "data_categories": ["health"],
    }
    rules = load_rules()
    reference = load_reference()
    transfer = parse_transfer(raw, today=DAY, reference=reference)
    assert evaluate(transfer, rules, reference).regime("US").verdict == "permitted"

    data_dir = tmp_path / "vendor_data"
    data_dir.mkdir()
    shutil.copy(DATA_DIR / "countries.yaml", data_dir)
    shutil.copy(DATA_DIR / "categories.yaml", data_dir)
    taxonomy = (DATA_DIR / "taxonomy.yaml").read_text("utf-8")
    changed = taxonomy.replace(
        "{category: personal_health, threshold: 10000",
        "{category: personal_health, threshold: 1000",
    )
    assert changed != taxonomy
    (data_dir / "taxonomy.yaml").write_text(changed, "utf-8")
    edited = load_reference(data_dir)
    result = evaluate(parse_transfer(raw, today=DAY, reference=edited), rules, edited)
    assert result.regime("US").mechanism == "us_doj_cisa_requirements"


@pytest.mark.parametrize(
    ("needle", "replacement", "message"),
    [
        ("{fact: export, eq: false}", "{fact: export, equals: false}", "when"),
        ("verdict: not_applicable}", "verdict: forbidden}", "verdict"),
        ("id: CN-0-NO-EXPORT", "id: CN-P4-COLLECTED-ABROAD", "duplicate"),
        ('citations: ["PIPL Art. 74"]', "citations: []", "citations"),
    ],
)
def test_invalid_rule_files_are_rejected(
    tmp_path: Path, needle: str, replacement: str, message: str
) -> None:
    copy = _copy_rules(tmp_path)
    text = (copy / "cn.yaml").read_text("utf-8")
    assert needle in text
    (copy / "cn.yaml").write_text(text.replace(needle, replacement, 1), "utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules(copy)


def test_docs_rules_md_is_current() -> None:
    """docs/rules.md is what `python -m assessments.rules.docs` prints."""
    expected = render(load_rules(), load_reference())
    actual = (REPO / "docs" / "rules.md").read_text("utf-8")
    assert actual == expected, "regenerate: python -m assessments.rules.docs > docs/rules.md"


def test_every_rule_is_exercised_by_a_golden_scenario() -> None:
    """Every rule that can fire (or ask) does so in at least one golden scenario."""
    scenarios = yaml.safe_load((REPO / "tests" / "golden" / "scenarios.yaml").read_text("utf-8"))
    rules = load_rules()
    reference = load_reference()
    fired: set[str] = set()
    asked: set[str] = set()
    for scenario in scenarios:
        transfer = parse_transfer(scenario["transfer"], today=DAY, reference=reference)
        for result in evaluate(transfer, rules, reference).regimes:
            fired |= {r.id for r in result.rules}
            asked |= set(result.questions)
    missing = []
    for rule in rules.all_rules():
        if rule.kind == "question":
            prefix = rule.question.split("{")[0][:40] if rule.question else ""
            if not any(q.startswith(prefix) for q in asked):
                missing.append(rule.id)
        elif (rule.outcome is None or rule.outcome.verdict != "not_applicable") and (
            rule.id not in fired
        ):
            missing.append(rule.id)
    assert not missing
