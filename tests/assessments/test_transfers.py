"""The Transfer schema, vendor defaults and the Evaluation JSON of the transfer contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from marshmallow import ValidationError

from assessments.catalog.reference import default_reference, load_reference
from assessments.engine import evaluate
from assessments.rules import default_rules, load_rules
from assessments.transfers import (
    apply_vendor_defaults,
    evaluation_to_dict,
    parse_transfer,
    transfer_to_dict,
)

DAY = date(2026, 11, 22)
CONTRACT_EXAMPLE: dict[str, Any] = {
    "as_of": "2026-11-22",
    "exporter": {
        "name": "Ningbo Jus Internet Technology",
        "country": "CN",
        "role": "controller",
        "ciio": False,
        "us_person": False,
        "ccpa_business": False,
    },
    "importer": {
        "vendor": "firebase",
        "name": "Google LLC",
        "country": "US",
        "role": "processor",
        "dpf_certified": True,
        "covered_person": False,
    },
    "destinations": ["US"],
    "data_subjects": [
        {"jurisdiction": "CN", "count": 2000000, "minors": False},
        {"jurisdiction": "EU", "count": 300000},
    ],
    "data_categories": ["identifiers.device", "usage.diagnostics"],
    "purposes": ["analytics"],
    "transaction": "vendor_agreement",
    "safeguards": [],
    "exemptions": [],
    "important_data": False,
}


def test_the_contract_example_parses_and_evaluates() -> None:
    transfer = parse_transfer(CONTRACT_EXAMPLE, today=DAY)
    assert transfer.as_of == DAY
    assert transfer.importer.dpf_certified is True
    evaluation = evaluate(transfer, load_rules(), load_reference())
    body = evaluation_to_dict(evaluation)
    assert body["as_of"] == "2026-11-22"
    assert set(body["overall"]) == {"level", "score"}
    assert set(body["regimes"]) == {"CN", "EU", "US"}
    keys = {
        "applies",
        "why",
        "verdict",
        "mechanism",
        "alternatives",
        "met",
        "level",
        "score",
        "obligations",
        "rules",
        "questions",
    }
    for regime in body["regimes"].values():
        assert keys <= set(regime)
    cn = body["regimes"]["CN"]
    assert (cn["verdict"], cn["mechanism"]) == ("approval_required", "cn_security_assessment")
    assert body["overall"]["score"] == max(r["score"] for r in body["regimes"].values())
    assert {"id", "text", "citation", "due"} == set(cn["obligations"][0])
    assert {"id", "citation", "explanation"} <= set(cn["rules"][0])
    assert body["regimes"]["US"] == {
        **body["regimes"]["US"],
        "applies": False,
        "verdict": "not_applicable",
        "mechanism": None,
    }


def test_defaults_fill_in() -> None:
    transfer = parse_transfer(
        {
            "exporter": {"country": "DE"},
            "importer": {"country": "SG"},
            "data_subjects": [{"jurisdiction": "DE", "count": 5}],
            "data_categories": ["contact"],
        },
        today=DAY,
    )
    assert transfer.as_of == DAY
    assert transfer.exporter.role == "controller"
    assert transfer.importer.role == "processor"
    assert transfer.destinations == ("SG",)
    assert transfer.transaction == "vendor_agreement"
    assert transfer.purposes == () and transfer.safeguards == frozenset()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"colour": "red"}, ("colour",)),
        ({"exporter": {"country": "China"}}, ("exporter", "country")),
        ({"exporter": {"country": "CN", "mood": "x"}}, ("exporter", "mood")),
        ({"importer": {"country": "ZZ"}}, ("importer", "country")),
        ({"destinations": ["Mars"]}, ("destinations", 0)),
        ({"data_subjects": [{"jurisdiction": "US-XX", "count": 1}]}, ("data_subjects", 0)),
        ({"data_subjects": [{"jurisdiction": "US", "count": -1}]}, ("data_subjects", 0)),
        ({"data_subjects": []}, ("data_subjects",)),
        ({"data_categories": []}, ("data_categories",)),
        ({"data_categories": ["contact", "dna"]}, ("data_categories", 1)),
        ({"purposes": ["world_domination"]}, ("purposes", 0)),
        ({"transaction": "gift"}, ("transaction",)),
        ({"safeguards": ["prayer"]}, ("safeguards", 0)),
        ({"exemptions": ["vibes"]}, ("exemptions", 0)),
        ({"exporter": {"country": "CN", "role": "owner"}}, ("exporter", "role")),
        ({"as_of": "yesterday"}, ("as_of",)),
    ],
)
def test_invalid_transfers_get_field_level_errors(
    change: dict[str, Any], path: tuple[Any, ...]
) -> None:
    raw = {**CONTRACT_EXAMPLE, **change}
    with pytest.raises(ValidationError) as caught:
        parse_transfer(raw, today=DAY)
    node: Any = caught.value.messages
    for key in path:
        assert key in node, (key, caught.value.messages)
        node = node[key]


def test_subdivisions_eu_and_organisations_are_accepted() -> None:
    raw = {
        **CONTRACT_EXAMPLE,
        "importer": {"country": "XEPO", "role": "controller"},
        "data_subjects": [
            {"jurisdiction": "US-CA", "count": 1},
            {"jurisdiction": "EU", "count": 2},
        ],
    }
    transfer = parse_transfer(raw, today=DAY)
    assert transfer.importer.country == "XEPO"


@dataclass
class VendorRecord:
    slug: str = "umeng"
    name: str = "Umeng+"
    hq_country: str = "CN"
    processing_countries: list[str] = field(default_factory=lambda: ["CN"])
    default_role: str = "processor"
    dpf_certified: bool | None = None
    covered_person_candidate: bool = True
    legal_entities: list[dict[str, str]] = field(
        default_factory=lambda: [
            {"name": "Umeng Tongxin (Beijing) Technology", "country": "CN", "role": "hq"}
        ]
    )


def test_vendor_defaults_from_an_object() -> None:
    filled = apply_vendor_defaults(
        {
            "exporter": {"country": "US"},
            "importer": {"vendor": "umeng"},
            "data_subjects": [{"jurisdiction": "US", "count": 1}],
            "data_categories": ["contact"],
        },
        VendorRecord(),
    )
    assert filled["importer"] == {
        "vendor": "umeng",
        "name": "Umeng Tongxin (Beijing) Technology",
        "country": "CN",
        "role": "processor",
        "covered_person": True,
    }
    assert filled["destinations"] == ["CN"]
    assert parse_transfer(filled, today=DAY).importer.covered_person is True


def test_vendor_defaults_from_a_mapping_do_not_override_given_facts() -> None:
    vendor = {
        "name": "Google",
        "hq_country": "US",
        "processing_countries": ["US", "IE"],
        "default_role": "processor",
        "dpf_certified": True,
        "covered_person_candidate": False,
        "legal_entities": [],
    }
    filled = apply_vendor_defaults(
        {"importer": {"role": "controller", "dpf_certified": False}, "destinations": ["US"]},
        vendor,
    )
    assert filled["importer"] == {
        "name": "Google",
        "country": "US",
        "role": "controller",
        "dpf_certified": False,
    }
    assert filled["destinations"] == ["US"]


# Issue 12 registry blocks (REGISTRY_FORMAT.md): ownership, dpf, sanctions.
REGISTRY_VENDOR = {
    "slug": "yoomoney",
    "name": "YooMoney",
    "hq_country": "SG",
    "legal_entities": [{"name": "Example Pay Pte", "country": "SG", "role": "hq"}],
    "ownership": {
        "independent": False,
        "parent": {"name": "Example Holding", "country": "CY", "share": 100},
        "ultimate_parent": {"name": "Sberbank of Russia", "country": "RU", "share": 75},
    },
    "dpf": {"status": "not_listed", "checked": "2026-12-05"},
    "sanctions": [
        {
            "party": "Sberbank of Russia",
            "lists": ["ofac_sdn", "eu_consolidated"],
            "designated": date(2022, 4, 6),
            "through_ownership": True,
            "note": None,
        },
    ],
}


def _brokerage(importer: dict[str, object]) -> dict[str, object]:
    return {
        "as_of": "2026-11-22",
        "exporter": {"country": "US", "data_broker": True},
        "importer": importer,
        "data_subjects": [{"jurisdiction": "US", "count": 50}],
        "data_categories": ["location.precise"],
        "transaction": "data_brokerage",
        "government_related_data": False,
    }


def test_registry_ownership_dpf_and_sanctions_become_transfer_inputs() -> None:
    filled = apply_vendor_defaults(_brokerage({"vendor": "yoomoney"}), REGISTRY_VENDOR)
    importer = filled["importer"]
    assert importer["owners"] == [
        {"name": "Example Holding", "country": "CY", "share": 100},
        {"name": "Sberbank of Russia", "country": "RU", "share": 75},
    ]
    assert importer["dpf_certified"] is False  # not_listed
    assert importer["sanctions"][0]["designated"] == "2022-04-06"
    transfer = parse_transfer(filled, today=DAY)
    evaluation = evaluate(transfer, default_rules(), default_reference())
    us = evaluation.regime("US")
    # 75% held from Russia: foreign-adversary controlled (PADFA, 20%), no volume threshold; a
    # DOJ covered person too (50%), but 50 devices is below the DSP's bulk threshold.
    assert (us.verdict, us.mechanism) == ("prohibited", "us_padfa_prohibited")
    assert "US-DSP-BELOW-BULK" in {r.id for r in us.rules}
    assert not us.provisional
    [warning] = evaluation.warnings
    assert warning.code == "sanctions" and "Sberbank of Russia" in warning.message
    assert "ofac_sdn" in warning.message
    assert evaluation_to_dict(evaluation)["warnings"][0]["code"] == "sanctions"


def test_unknown_registry_ownership_is_a_question_never_a_pass() -> None:
    vendor = {k: v for k, v in REGISTRY_VENDOR.items() if k not in ("ownership", "sanctions")}
    filled = apply_vendor_defaults(_brokerage({"vendor": "yoomoney"}), vendor)
    assert "owners" not in filled["importer"]
    us = evaluate(parse_transfer(filled, today=DAY), default_rules(), default_reference())
    result = us.regime("US")
    assert result.provisional and result.verdict == "prohibited"
    assert [b.id for b in result.if_unknown] == ["ownership"]
    assert any("importer.owners" in q for q in result.questions)


def test_an_independent_vendor_is_stated_as_owned_by_no_one() -> None:
    vendor = {**REGISTRY_VENDOR, "ownership": {"independent": True}, "sanctions": []}
    filled = apply_vendor_defaults(_brokerage({"vendor": "yoomoney"}), vendor)
    assert filled["importer"]["owners"] == []
    result = evaluate(parse_transfer(filled, today=DAY), default_rules(), default_reference())
    assert result.regime("US").verdict == "not_applicable" and not result.warnings


def test_new_inputs_round_trip_through_contract_json() -> None:
    data = {
        "as_of": "2026-11-22",
        "exporter": {
            "country": "CN",
            "ciio": False,
            "cn_processing_volume": 5,
            "ccpa_thresholds": {"annual_revenue_usd": 1},
            "targets_eu": True,
        },
        "importer": {
            "country": "US",
            "owners": [{"country": "CN", "share": 10}],
            "gdpr_art3_2": True,
        },
        "data_subjects": [
            {
                "jurisdiction": "CN",
                "count": 10,
                "minor_counts": {"under_14": 2},
                "category_counts": {"contact": 4},
            }
        ],
        "data_categories": ["contact"],
        "us_exemptions": ["travel"],
        "government_related_data": False,
        "us_prior_12m": 3,
        "eu_scc_terms": {"decision": "2021/914", "signed": "2022-01-01"},
        "eu_derogation": {"basis": "legal_claims", "occasional": True},
        "eu_tia": "effective",
    }
    transfer = parse_transfer(data, today=DAY)
    assert parse_transfer(transfer_to_dict(transfer), today=DAY) == transfer
    assert transfer.data_subjects[0].minors  # a stated minor count marks the group


@pytest.mark.parametrize(
    ("group", "field"),
    [
        ({"jurisdiction": "CN", "count": 5, "minor_counts": {"under_14": 6}}, "minor_counts"),
        (
            {"jurisdiction": "CN", "count": 5, "minor_counts": {"under_13": 3, "under_14": 2}},
            "minor_counts",
        ),
        ({"jurisdiction": "CN", "count": 5, "category_counts": {"contact": 6}}, "category_counts"),
        ({"jurisdiction": "CN", "count": 5, "category_counts": {"health": 1}}, "category_counts"),
    ],
)
def test_inconsistent_group_counts_are_field_errors(group: dict[str, object], field: str) -> None:
    data = {
        "exporter": {"country": "CN"},
        "importer": {"country": "US"},
        "data_subjects": [group],
        "data_categories": ["contact"],
    }
    with pytest.raises(ValidationError) as caught:
        parse_transfer(data, today=DAY)
    assert field in str(caught.value.messages)


def test_an_unknown_dpf_status_reads_sccs_unless_certified() -> None:
    """Issue 12 section 7: never "no adequacy covers the United States" while the recipient's
    DPF status is unknown; the result names eu_dpf as the alternative and asks."""
    data = {
        "as_of": "2026-11-22",
        "exporter": {"country": "DE"},
        "importer": {"country": "US", "role": "processor"},
        "data_subjects": [{"jurisdiction": "DE", "count": 100}],
        "data_categories": ["contact"],
    }
    eu = evaluate(parse_transfer(data, today=DAY), default_rules(), default_reference())
    result = eu.regime("EU")
    assert result.why.startswith("SCCs, unless the importer is DPF-certified (unknown).")
    assert "no adequacy" not in result.why.lower()
    assert "eu_dpf" in result.alternatives and result.provisional
    assert any("Data Privacy Framework List" in q for q in result.questions)
    stated = {**data, "importer": {**data["importer"], "dpf_certified": False}}
    known = evaluate(parse_transfer(stated, today=DAY), default_rules(), default_reference())
    assert "it is not DPF-certified" in known.regime("EU").why
    assert "eu_dpf" not in known.regime("EU").alternatives
