"""The EU SCC texts: every clause matches its published checksum; a filled module contains
exactly the published texts of that module, with the options chosen and nothing invented."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from assessments.documents.contracts import (
    build_contract,
    contract_facts,
    default_options,
    option_problems,
    scc_text,
)

EXPORTER = {"name": "Muster Apps GmbH", "country": "DE", "role": "controller"}


def _checksum(value: Any) -> str:
    """SHA-256 of compact, key-sorted JSON, computed here independently of the module."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_source_is_cited() -> None:
    source = scc_text()["source"]
    assert source["url"].startswith("https://eur-lex.europa.eu/")
    assert source["oj"].startswith("OJ L 199, 7.6.2021")
    assert source["celex"] == "32021D0914" and str(source["retrieved"]) == "2026-12-05"
    assert "2011/833/EU" in source["reuse"]


def test_every_clause_matches_its_checksum() -> None:
    data = scc_text()
    clauses = data["clauses"]
    assert [c["number"] for c in clauses] == [f"Clause {n}" for n in range(1, 19)]
    for clause in clauses:
        body = {key: clause[key] for key in ("number", "title", "blocks")}
        assert _checksum(body) == clause["sha256"], clause["number"]
    for note in data["footnotes"]:
        assert _checksum(note["text"]) == note["sha256"], note["number"]
    for annex in data["annexes"]:
        assert _checksum({k: v for k, v in annex.items() if k != "sha256"}) == annex["sha256"]


def test_a_changed_word_breaks_the_checksum() -> None:
    clause = json.loads(json.dumps(scc_text()["clauses"][16]))  # Clause 17
    clause["blocks"][0]["text"] = clause["blocks"][0]["text"].replace("EU", "US", 1)
    body = {key: clause[key] for key in ("number", "title", "blocks")}
    assert _checksum(body) != clause["sha256"]


def _expected(module: int, options: dict[str, Any]) -> list[str]:
    """The published texts of the module with the options applied, read from the data."""
    texts = []
    for clause in scc_text()["clauses"]:
        if clause["id"] == "7" and not options["clause_7"]:
            continue
        for block in clause["blocks"]:
            if block.get("modules") and module not in block["modules"]:
                continue
            option = block.get("option")
            if option and option["group"] == "clause_11" and not options["clause_11"]:
                continue
            chosen = options[option["group"]] if option else None
            if option and option["group"] != "clause_11" and chosen != option["value"]:
                continue
            if "text" in block:
                texts.append(block["text"])
    return texts


def _filled(text: str, law: str = "Ireland", days: int = 30) -> str:
    return (
        text.replace("[Specify time period]", f"{days} days")
        .replace("_______ (specify Member State)", law)
        .replace("_____ (specify Member State)", law)
    )


@pytest.mark.parametrize("module", [1, 2, 3])
def test_filled_module_contains_exactly_its_clause_texts(module: int) -> None:
    options = {
        **default_options(module, "DE"),
        "clause_9a_days": 30 if module in (2, 3) else None,
        "clause_11": True,
        "clause_13_state": "IE",
        "governing_law": "IE",
        "courts": "IE",
    }
    contract = build_contract({"module": module, "facts": {}, "options": options})
    rendered = [
        block["text"]
        for clause in contract["clauses"]
        for block in clause["blocks"]
        if block["kind"] == "text"
    ]
    assert rendered == [_filled(t) for t in _expected(module, options)]
    for clause in contract["clauses"]:
        for block in clause["blocks"]:
            if block["kind"] == "text":
                assert _filled(block["source"]) == block["text"]
    assert any("Clause 13" in c["number"] for c in contract["clauses"])
    others = {1: "MODULE TWO", 2: "8.1 Purpose limitation", 3: "8.9 Documentation"}
    assert all("[to be confirmed" not in text for text in rendered)
    headings = [
        b["text"] for c in contract["clauses"] for b in c["blocks"] if b["kind"] == "heading"
    ]
    if module == 1:
        assert "8.1 Purpose limitation" in headings and "8.1 Instructions" not in headings
    else:
        assert "8.1 Instructions" in headings and others[1] not in headings


def test_module_four_has_no_supervision_clause_and_blank_country() -> None:
    contract = build_contract({"module": 4, "facts": {}, "options": default_options(4, "DE")})
    numbers = [c["number"] for c in contract["clauses"]]
    assert "Clause 13" not in numbers and "Clause 9" not in numbers  # Modules 1-3 / 2-3 only
    law = contract["clauses"][numbers.index("Clause 17")]["blocks"][0]["text"]
    assert "[to be confirmed: country whose law governs]" in law
    assert [a["id"] for a in contract["annexes"]] == ["I.A", "I.B"]


def test_unknown_facts_and_choices_are_marked_not_invented() -> None:
    options = default_options(2, "US")  # exporter outside the EU: Clause 13/17/18 stay open
    assert options["clause_13"] is None and options["governing_law"] is None
    contract = build_contract(
        {"module": 2, "facts": {"exporter": {}, "importer": {}}, "options": options}
    )
    clause13 = next(c for c in contract["clauses"] if c["number"] == "Clause 13")
    pending = [b for b in clause13["blocks"] if b["kind"] == "pending"]
    assert pending and pending[0]["text"].startswith("[to be confirmed:")
    # Nobody chose: all three published alternatives stay, under the note.
    assert (
        sum(1 for b in clause13["blocks"] if b["kind"] == "text" and b["text"].startswith("[Where"))
        == 3
    )
    rows = {
        row["label"]: row
        for annex in contract["annexes"]
        for part in annex["parts"]
        for row in part["rows"]
    }
    assert rows["Address"]["unknown"] and rows["Address"]["value"].startswith("[to be confirmed:")
    assert "the sub-processors authorised" in contract["unknowns"]
    assert "the importer's specific technical and organisational measures" in contract["unknowns"]
    health = build_contract(
        {"module": 2, "facts": {"sensitive": "Health data"}, "options": options}
    )
    assert "restrictions and safeguards for the sensitive data" in health["unknowns"]
    assert "time period" in contract["unknowns"]


def test_option_problems() -> None:
    assert option_problems(2, default_options(2, "DE")) == {}
    assert "clause_17" in option_problems(1, {"clause_17": "option_2"})
    assert "clause_9a" in option_problems(1, {"clause_9a": "general"})
    assert "governing_law" in option_problems(2, {"governing_law": "US"})
    assert "governing_law" not in option_problems(4, {"governing_law": "US"})
    assert "clause_13" in option_problems(4, {"clause_13": "established"})
    assert "bogus" in option_problems(2, {"bogus": 1})


def test_facts_only_for_an_scc_module() -> None:
    review = {
        "transfer": {
            "exporter": EXPORTER,
            "importer": {"name": "Baidu, Inc.", "country": "CN", "role": "processor"},
            "data_subjects": [{"jurisdiction": "DE", "count": 1200}],
            "data_categories": ["identifiers.device", "health"],
            "purposes": ["analytics"],
            "destinations": ["CN"],
        }
    }
    evaluation = {"regimes": {"EU": {"applies": True, "mechanism": "eu_scc_c2p"}}}
    vendor = {"legal_entities": [{"name": "Baidu, Inc.", "address": "Beijing"}]}
    facts = contract_facts(review, evaluation, vendor)["eu_scc"]
    assert facts["module"] == 2 and facts["options"]["governing_law"] == "DE"
    assert facts["facts"]["importer"]["address"] == "Beijing"
    assert "Health" in facts["facts"]["sensitive"]
    assert facts["facts"]["retention"] is None
    dpf = {"regimes": {"EU": {"applies": True, "mechanism": "eu_dpf"}}}
    assert contract_facts(review, dpf, vendor) == {}
