"""The Transfer schema, vendor defaults and the Evaluation JSON of the transfer contract."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from marshmallow import ValidationError

from assessments.catalog.reference import load_reference
from assessments.engine import evaluate
from assessments.rules import load_rules
from assessments.transfers import apply_vendor_defaults, evaluation_to_dict, parse_transfer

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
