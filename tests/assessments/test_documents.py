"""Assessment and checklist builders: structure, pre-filling, unknowns, sanitising, diffs."""

from __future__ import annotations

import copy
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import vendor_data
from assessments.catalog.reference import default_reference
from assessments.documents import (
    KINDS,
    build_assessment,
    build_checklists,
    checklist_progress,
    diff_documents,
    languages_for,
    sanitise_section_text,
)
from assessments.engine import evaluate
from assessments.rules.loader import default_rules
from assessments.transfers import apply_vendor_defaults, evaluation_to_dict, parse_transfer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "documents_sample.json"
FORBIDDEN = ("flask", "sqlmodel", "sqlalchemy", "openai", "weasyprint")


def evaluate_transfer(transfer: dict[str, Any], vendor: dict[str, Any] | None) -> dict[str, Any]:
    """The engine's Evaluation dict for a Transfer dict, with registry defaults from the vendor."""
    reference = default_reference()
    data = apply_vendor_defaults(transfer, vendor) if vendor else transfer
    parsed = parse_transfer(data, today=date(2026, 11, 22), reference=reference)
    return evaluation_to_dict(evaluate(parsed, default_rules(), reference))


def load_vendor(slug: str) -> dict[str, Any]:
    """A vendor record from the shipped catalog."""
    path = vendor_data.DATA_DIR / "vendors" / f"{slug}.yaml"
    record: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return record


@pytest.fixture
def sample() -> dict[str, Any]:
    """A review, its vendor record from the catalog and the engine's evaluation of it."""
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    vendor = load_vendor(data["vendor"])
    evaluation = evaluate_transfer(data["review"]["transfer"], vendor)
    return {"review": data["review"], "vendor": vendor, "evaluation": evaluation}


def _review(sample: dict[str, Any], **transfer: Any) -> dict[str, Any]:
    review = copy.deepcopy(sample["review"])
    review["transfer"].update(transfer)
    return review


def _case(**transfer: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A review around a Transfer, and the engine's evaluation of it."""
    review = {
        "id": 7,
        "requester": "Procurement",
        "business_owner": "Owner",
        "purpose": "test",
        "transfer": {"as_of": "2026-11-22", **transfer},
    }
    return review, evaluate_transfer(review["transfer"], None)


def test_documents_package_imports_nothing_of_the_edge() -> None:
    package = Path(sys.modules["assessments.documents"].__file__ or "").parent
    source = "".join(path.read_text(encoding="utf-8") for path in package.glob("*.py"))
    for module in FORBIDDEN:
        assert f"import {module}" not in source and f"from {module}" not in source


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_builds_with_sections_risks_and_rules(kind: str, sample: dict[str, Any]) -> None:
    doc = build_assessment(kind, sample["review"], sample["evaluation"], sample["vendor"])
    assert doc["kind"] == kind and doc["language"] == "en"
    assert [s["number"] for s in doc["sections"]] == [
        str(i) for i in range(1, len(doc["sections"]) + 1)
    ]
    assert all(s["title"] and s["citation"] and s["text"] for s in doc["sections"])
    categories = {r["category"] for r in doc["risks"]}
    assert {"illegitimate_access", "unwanted_modification", "disappearance"} <= categories
    for risk in doc["risks"]:
        assert set(risk) >= {"id", "risk", "likelihood", "severity", "measure", "residual", "owner"}
        # Ratings are reasoned from the facts, and the reasoning is printed next to them.
        assert risk["likelihood"] in (1, 2, 3, 4) and risk["likelihood_basis"]
        assert risk["severity"] in (1, 2, 3, 4) and risk["severity_basis"]
        assert risk["residual"] is None  # legal's call
    citations = {r["citation"] for r in doc["rules"]}
    fired = {
        rule["citation"]
        for result in sample["evaluation"]["regimes"].values()
        for rule in result.get("rules", [])
    }
    assert citations == fired
    json.dumps(doc)  # plain data only


def test_pipia_follows_pipl_and_standard_contract_measures(sample: dict[str, Any]) -> None:
    doc = build_assessment("pipia", sample["review"], sample["evaluation"], sample["vendor"])
    ids = [s["id"] for s in doc["sections"]]
    assert ids == [
        "overview",
        "legality",
        "data",
        "recipient",
        "destination",
        "post_export_risks",
        "rights_channels",
        "measures",
        "conclusion",
    ]
    citations = " ".join(s["citation"] for s in doc["sections"])
    for item in ("Art. 5(1)", "Art. 5(2)", "Art. 5(3)", "Art. 5(4)", "Art. 5(5)", "Art. 56(3)"):
        assert item in citations
    overview = doc["sections"][0]
    assert "Ningbo Jus Internet Technology (China)" in overview["text"]
    assert "CAC security assessment" in overview["text"]
    assert [r["citation"] for r in overview["findings"]] == [
        r["citation"] for r in sample["evaluation"]["regimes"]["CN"]["rules"]
    ]
    measures = next(s for s in doc["sections"] if s["id"] == "measures")
    assert [o["citation"] for o in measures["obligations"]] == [
        o["citation"] for o in sample["evaluation"]["regimes"]["CN"]["obligations"]
    ]
    leakage = doc["risks"][0]
    # Device ids and diagnostics are not sensitive: limited severity; 2.3 million people
    # raise the likelihood one step above the baseline.
    assert (leakage["severity"], leakage["likelihood"]) == (2, 3)
    assert "Device identifiers, Diagnostics" in leakage["severity_basis"]
    assert "2,300,000 people" in leakage["likelihood_basis"]
    # Measures: the mechanism and the obligations that address the event, with citations.
    assert "CAC security assessment (approval required)" in leakage["measure"]
    assert "[PIPL Art. 42]" in leakage["measure"]
    assert leakage["owner"] == "Zhang Min, Head of Mobile"
    law = next(r for r in doc["risks"] if r["category"] == "legal_environment")
    # EO 14086 redress is for EU individuals: it does not lower the risk for a PIPIA.
    assert law["likelihood"] == 3 and "FISA Section 702" in law["likelihood_basis"]


def test_unknown_facts_stay_unknown(sample: dict[str, Any]) -> None:
    doc = build_assessment("pipia", sample["review"], sample["evaluation"], sample["vendor"])
    facts = {f["key"]: f for s in doc["sections"] for f in s["facts"]}
    for key in ("retention", "rights_channel", "lawful_basis", "ciio"):
        assert facts[key]["unknown"] and facts[key]["value"] is None
    assert "Retention period at the recipient" in doc["unknowns"]
    data = next(s for s in doc["sections"] if s["id"] == "data")
    assert "Retention at the recipient: [unknown — to be confirmed]" in data["text"]
    assert facts["data_subjects"]["value"] == "China: 2,000,000, EU/EEA: 300,000"


def test_vendor_absent_leaves_vendor_facts_unknown(sample: dict[str, Any]) -> None:
    doc = build_assessment("pipia", sample["review"], sample["evaluation"], None)
    facts = {f["key"]: f for s in doc["sections"] for f in s["facts"]}
    assert facts["vendor_certifications"]["unknown"]
    assert facts["importer"]["value"] == "Google LLC (United States)"


def test_chinese_pipia_has_the_measures_headings(sample: dict[str, Any]) -> None:
    assert languages_for("pipia") == ("en", "zh")
    assert languages_for("dpia") == ("en",)
    doc = build_assessment(
        "pipia", sample["review"], sample["evaluation"], sample["vendor"], language="zh"
    )
    titles = [s["title"] for s in doc["sections"]]
    assert titles[0] == "评估概述"
    assert "个人信息出境后遭到篡改、破坏、泄露、丢失、非法利用等的风险" in titles
    assert "个人信息权益维护的渠道是否通畅" in titles
    assert doc["labels"]["risk_register"] == "风险登记表"
    assert "【未知，待确认】" in doc["sections"][1]["text"]
    with pytest.raises(ValueError):
        build_assessment("dpia", sample["review"], sample["evaluation"], None, language="zh")
    with pytest.raises(ValueError):
        build_assessment("memo", sample["review"], sample["evaluation"], None)


def test_dpia_screens_wp248_criteria(sample: dict[str, Any]) -> None:
    review = _review(
        sample,
        data_categories=["location.precise", "health"],
        purposes=["advertising"],
        data_subjects=[{"jurisdiction": "EU", "count": 50000, "minors": True}],
    )
    doc = build_assessment("dpia", review, sample["evaluation"], sample["vendor"])
    screening = {row["id"]: row for row in doc["sections"][0]["screening"]}
    assert len(screening) == 9
    assert screening["evaluation_scoring"]["status"] == "met"
    assert screening["systematic_monitoring"]["basis"] == "Precise location"
    assert screening["sensitive_data"]["status"] == "met"
    assert screening["vulnerable_subjects"]["basis"] == "Health data, children"
    assert screening["large_scale"]["status"] == "unknown"
    assert screening["automated_decision"]["status"] == "unknown"
    plain = build_assessment("dpia", sample["review"], sample["evaluation"], sample["vendor"])
    rows = {row["id"]: row for row in plain["sections"][0]["screening"]}
    assert rows["sensitive_data"]["status"] == "not_indicated"


def test_tia_has_six_steps_and_annex2_hint(sample: dict[str, Any]) -> None:
    doc = build_assessment("tia", sample["review"], sample["evaluation"], sample["vendor"])
    assert [s["title"].split(" — ")[0] for s in doc["sections"][:6]] == [
        f"Step {i}" for i in range(1, 7)
    ]
    step4 = doc["sections"][3]
    assert "Annex 2 use cases 6 and 7" in step4["text"]
    keyed = _review(sample, safeguards=["encryption_exporter_keys"])
    doc = build_assessment("tia", keyed, sample["evaluation"], sample["vendor"])
    assert "use case 1" in doc["sections"][3]["text"]
    assert "Encryption with keys held only by the exporter" in doc["risks"][0]["measure"]


def test_eu_scc_checklist_module_2_prefilled(sample: dict[str, Any]) -> None:
    review, evaluation = _case(
        exporter={"name": "Just Services", "country": "DE", "role": "controller"},
        importer={"name": "Example Analytics", "country": "IN", "role": "processor"},
        data_subjects=[{"jurisdiction": "EU", "count": 300000}],
        data_categories=["contact", "health"],
        purposes=["analytics"],
    )
    assert evaluation["regimes"]["EU"]["mechanism"] == "eu_scc_c2p"
    [checklist] = build_checklists(evaluation, review, sample["vendor"])
    assert checklist["id"] == "eu_scc" and checklist["module"] == 2
    items = {i["id"]: i for i in checklist["items"]}
    for clause in (
        "clause_7",
        "clause_9a",
        "clause_11",
        "clause_13",
        "clause_17",
        "clause_18",
        "annex_1a",
        "annex_1b",
        "annex_1c",
        "annex_2",
        "annex_3",
        "tia",
    ):
        item = items[f"eu_scc.{clause}"]
        assert item["citation"] and item["status"] == "open"
        assert set(item) >= {"id", "text", "citation", "status", "who", "when", "evidence"}
    assert "Module 2" in items["eu_scc.module"]["value"]
    assert "Supervisory authority of Germany" in items["eu_scc.clause_13"]["value"]
    assert "Sensitive data: Health data" in items["eu_scc.annex_1b"]["value"]
    assert "Just Services (Germany) (controller)" in items["eu_scc.annex_1a"]["value"]
    assert items["eu_scc.annex_2"]["value_unknown"]  # no safeguards declared
    assert checklist["progress"] == {
        "total": 15,
        "applicable": 15,
        "done": 0,
        "open": 15,
        "na": 0,
        "percent": 0,
    }


def test_eu_scc_module_1_marks_subprocessor_items_na() -> None:
    review, evaluation = _case(
        exporter={
            "name": "Example Shop",
            "country": "CN",
            "role": "controller",
            "targets_eu": True,
            "ciio": False,
        },
        importer={"name": "Example Partner", "country": "IN", "role": "controller"},
        important_data=False,
        data_subjects=[{"jurisdiction": "EU", "count": 3000}],
        data_categories=["contact"],
        purposes=["payment"],
    )
    [checklist] = build_checklists(evaluation, review, None)
    assert checklist["module"] == 1
    items = {i["id"]: i for i in checklist["items"]}
    assert items["eu_scc.annex_3"]["status"] == "n.a."
    assert items["eu_scc.clause_9a"]["evidence"] == "Not part of Module 1"
    assert "Clause 13(c)" in items["eu_scc.clause_13"]["value"]  # exporter outside the EEA


def test_china_standard_contract_checklist() -> None:
    review, evaluation = _case(
        exporter={"name": "Example Shop", "country": "CN", "role": "controller", "ciio": False},
        importer={"name": "Example CRM", "country": "US", "role": "processor"},
        important_data=False,
        data_subjects=[{"jurisdiction": "CN", "count": 150000}],
        data_categories=["contact"],
        purposes=["customer_support"],
        safeguards=["cn_standard_contract_filed"],
    )
    [checklist] = build_checklists(evaluation, review, None)
    assert checklist["id"] == "cn_standard_contract"
    items = {i["id"]: i for i in checklist["items"]}
    assert "within 10 working days" in items["cn_standard_contract.filing"]["when"]
    assert "3 months" in items["cn_standard_contract.pipia"]["text"]
    assert "commitment letter" in items["cn_standard_contract.filing_materials"]["text"]
    assert "150,000 individuals" in items["cn_standard_contract.eligibility"]["value"]
    assert "declares this mechanism" in items["cn_standard_contract.filing"]["evidence"]
    assert any("re-file" in i["text"] for i in checklist["items"])


def test_us_doj_restricted_transaction_checklist() -> None:
    review, evaluation = _case(
        exporter={
            "name": "Example US Shop",
            "country": "US",
            "role": "controller",
            "data_broker": False,
        },
        government_related_data=False,
        importer={
            "name": "Example Processor",
            "country": "RU",
            "role": "processor",
            "covered_person": True,
        },
        data_subjects=[{"jurisdiction": "US-CA", "count": 20000}],
        data_categories=["financial.payment_card", "contact"],
        purposes=["payment"],
    )
    [checklist] = build_checklists(evaluation, review, None)
    assert checklist["id"] == "us_doj_restricted"
    groups = " ".join(i["group"] for i in checklist["items"])
    assert "organisational" in groups and "data level" in groups and "Compliance" in groups
    citations = " ".join(i["citation"] for i in checklist["items"])
    for section in ("202.248", "202.1001", "202.1002", "202.1101"):
        assert section in citations


def test_ccpa_checklist_for_an_advertising_third_party() -> None:
    review, evaluation = _case(
        exporter={
            "name": "Example US App",
            "country": "US",
            "role": "controller",
            "ccpa_business": True,
        },
        importer={"name": "Example Ads", "country": "US", "role": "controller"},
        data_subjects=[{"jurisdiction": "US-CA", "count": 200000}],
        data_categories=["identifiers.advertising"],
        purposes=["advertising"],
    )
    [checklist] = build_checklists(evaluation, review, None)
    items = {i["id"]: i for i in checklist["items"]}
    assert items["us_ccpa_contract.recipient_type"]["value"] == "third party"
    assert items["us_ccpa_contract.sp_prohibitions"]["status"] == "n.a."
    assert items["us_ccpa_contract.third_party_terms"]["status"] == "open"


def test_security_assessment_checklist_and_permitted_regimes(sample: dict[str, Any]) -> None:
    checklists = build_checklists(sample["evaluation"], sample["review"], sample["vendor"])
    assert [c["id"] for c in checklists] == ["cn_security_assessment"]  # EU permitted via DPF
    texts = " ".join(i["text"] for i in checklists[0]["items"])
    assert "self-assessment" in texts.lower() and "3 years" in texts
    review, evaluation = _case(
        exporter={"name": "Example Shop", "country": "CN", "role": "controller", "ciio": False},
        importer={"name": "Example EDM", "country": "SG", "role": "processor"},
        important_data=False,
        data_subjects=[{"jurisdiction": "CN", "count": 5000}],
        data_categories=["contact"],
        purposes=["marketing"],
    )
    assert evaluation["regimes"]["CN"]["verdict"] == "permitted"
    assert build_checklists(evaluation, review, None) == []


def test_checklist_progress_counts() -> None:
    items = [{"status": "done"}, {"status": "open"}, {"status": "n.a."}, {"status": "done"}]
    assert checklist_progress(items) == {
        "total": 4,
        "applicable": 3,
        "done": 2,
        "open": 1,
        "na": 1,
        "percent": 67,
    }


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Plain **bold** text", "Plain **bold** text"),
        ('<img src="http://evil.test/x.png">Hello', "Hello"),
        ("<script>alert(1)</script>after", "after"),
        ("a < b && c > d", "a < b && c > d"),
        ("line one\r\n\r\n\r\n\r\nline two\x00\u200b", "line one\n\nline two"),
        ("<p>para</p><ul><li>item</li></ul>", "paraitem"),
    ],
)
def test_sanitise_section_text(raw: str, clean: str) -> None:
    assert sanitise_section_text(raw) == clean


def test_sanitise_rejects_oversized_text() -> None:
    with pytest.raises(ValueError):
        sanitise_section_text("x" * 10, max_chars=5)


def test_diff_documents_reports_section_and_risk_changes(sample: dict[str, Any]) -> None:
    old = build_assessment("dpia", sample["review"], sample["evaluation"], sample["vendor"])
    new = copy.deepcopy(old)
    new["sections"][1]["text"] += "\nThe DPO was consulted."
    new["risks"][0]["likelihood"] = 4
    new["risks"].append({"id": "R9", "category": "rights", "risk": "Custom risk"})
    diff = diff_documents(old, new, label_old="v1", label_new="v2")
    assert diff["changed"]
    [section] = diff["sections"]
    assert section["id"] == "description" and "+The DPO was consulted." in section["diff"]
    before = old["risks"][0]["likelihood"]
    assert before != 4
    assert diff["risks"]["changed"] == [{"id": "R1", "fields": {"likelihood": [before, 4]}}]
    assert [r["id"] for r in diff["risks"]["added"]] == ["R9"]
    assert not diff_documents(old, copy.deepcopy(old))["changed"]


@pytest.mark.parametrize("category", sorted(default_reference().data_categories))
def test_engine_documents_and_dpia_screening_agree_on_sensitivity(category: str) -> None:
    """Issue 17: which categories are sensitive lives in the taxonomy alone. For every id the
    PIPIA's "sensitive PI", the DPIA's "special categories", the WP248 screening's criterion 4
    and the engine read it the same way."""
    treatment = default_reference().data_categories[category]
    review, evaluation = _case(
        exporter={"name": "Example Shop", "country": "CN", "role": "controller", "ciio": False},
        importer={"name": "Example Cloud", "country": "DE", "role": "processor"},
        important_data=False,
        data_subjects=[{"jurisdiction": "CN", "count": 20000}, {"jurisdiction": "DE", "count": 10}],
        data_categories=[category],
    )
    pipia = build_assessment("pipia", review, evaluation, None)
    dpia = build_assessment("dpia", review, evaluation, None)
    facts = {row["key"]: row["value"] for s in pipia["sections"] for row in s.get("facts", [])}
    dpia_facts = {row["key"]: row["value"] for s in dpia["sections"] for row in s.get("facts", [])}
    pipl_says = facts.get("sensitive_pipl") not in (None, "no", "No")
    assert pipl_says is treatment.cn.sensitive, facts.get("sensitive_pipl")
    # The engine: sensitive PI of 20,000 people needs a security assessment, else a contract.
    cn = evaluation["regimes"]["CN"]
    assert (cn["mechanism"] == "cn_security_assessment") is treatment.cn.sensitive, cn["why"]
    special = dpia_facts.get("special_gdpr") not in (None, "no", "No")
    assert special is (treatment.eu.special is not None)
    screening = next(s["screening"] for s in dpia["sections"] if "screening" in s)
    criterion = next(r for r in screening if r["number"] == 4)
    assert (criterion["status"] == "met") is (
        treatment.eu.special is not None or treatment.eu.highly_personal
    )


def test_only_applicable_kinds_are_offered(sample: dict[str, Any]) -> None:
    from assessments.documents import applicable_kinds

    kinds = applicable_kinds(sample["evaluation"])
    # China and the EU apply to the sample; no Californians, so no CCPA risk assessment.
    assert kinds["pipia"] is None and kinds["dpia"] is None and kinds["tia"] is None
    assert kinds["ccpa"] is not None and "11 CCR § 7150" in kinds["ccpa"]
    review, evaluation = _case(
        exporter={"name": "Acme Inc", "country": "US", "role": "controller", "ccpa_business": True},
        importer={"name": "Ads Ltd", "country": "GB", "role": "controller"},
        destinations=["GB"],
        data_subjects=[{"jurisdiction": "US-CA", "count": 200_000}],
        data_categories=["identifiers.advertising", "usage.app_activity"],
        purposes=["advertising"],
    )
    kinds = applicable_kinds(evaluation)
    assert kinds["ccpa"] is None
    assert kinds["pipia"] is not None and "PIPL" in kinds["pipia"]
    assert kinds["dpia"] is not None
    doc = build_assessment("ccpa", review, evaluation, None)
    assert doc["primary_regime"] == "US" and doc["short_title"] == "CCPA RA"
    facts = {f["key"]: f["value"] for s in doc["sections"] for f in s["facts"]}
    assert facts["ccpa_consumers"] == "200,000"
    trigger = doc["sections"][0]
    assert any("7150" in o["citation"] for o in doc["sections"][6]["obligations"])
    assert trigger["findings"] and all(f["regime"] == "US" for f in trigger["findings"])
