"""The issue-12 record blocks (ownership, dpf, sanctions, history, data_locations, scoped
certifications, SCC modules) load, and the legacy fields are derived from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assessments.catalog import load_vendors, validate_catalog
from tests.catalog.test_catalog_validation import make_catalog, where

US_VENDOR = """\
slug: acme-mail
name: Acme Mail
category: analytics_sdk
product_type: service
hq_country: US
legal_entities:
  - {name: "Acme Mail, Inc.", country: US, role: hq}
ownership:
  parent: {name: Acme Holdings LLC, country: US, share: 100, since: 2019-03-01}
  ultimate_parent: {name: Acme Group Inc., country: US, share: 100}
dpf:
  status: active
  entity: "Acme Mail, Inc."
  parts: [eu_us, uk_extension]
  checked: 2026-12-01
history:
  - {date: 2019-03-01, event: acquired, detail: "Acquired by Acme Holdings", to: Acme Holdings LLC}
data_locations:
  processing: [US, IE]
  selectable_regions: [EU, US]
  note: EU region on request
transfer_mechanisms: [eu_scc_c2p, eu_scc_p2p, uk_addendum]
certifications:
  - iso_27001
  - {id: soc2, scope: "SOC 2 Type II, the mail platform"}
covered_person_candidate: false
sources:
  - url: "https://acme.example/privacy"
    retrieved: 2026-12-01
    facts: [legal_entities, hq_country, ownership, dpf, history]
  - url: "https://acme.example/dpa"
    retrieved: 2026-12-01
    facts: [data_locations, transfer_mechanisms, certifications]
last_verified: 2026-12-01
"""


def test_new_blocks_load_and_derive_the_legacy_fields(tmp_path: Path) -> None:
    data = make_catalog(tmp_path, {"acme-mail": US_VENDOR})
    assert validate_catalog(data) == []
    [record] = load_vendors(data)
    assert record.parent == "Acme Holdings LLC"
    assert record.dpf_certified is True
    assert record.processing_countries == ("US", "IE")
    assert record.ownership is not None and record.ownership.ultimate_parent is not None
    assert record.ownership.ultimate_parent.name == "Acme Group Inc."
    assert record.dpf is not None and record.dpf.parts == ("eu_us", "uk_extension")
    assert record.dpf.checked == date(2026, 12, 1)
    assert record.certifications == ("iso_27001", "soc2")
    assert record.certification_scopes == {"soc2": "SOC 2 Type II, the mail platform"}
    assert record.history[0].event == "acquired" and record.history[0].to == "Acme Holdings LLC"
    assert record.data_locations is not None
    assert record.data_locations.selectable_regions == ("EU", "US")
    plain = record.to_plain()
    assert plain["dpf"]["status"] == "active" and plain["dpf_certified"] is True


def test_a_not_listed_dpf_status_derives_not_certified(tmp_path: Path) -> None:
    text = US_VENDOR.replace(
        'status: active\n  entity: "Acme Mail, Inc."\n  parts: [eu_us, uk_extension]\n',
        "status: not_listed\n",
    )
    [record] = load_vendors(make_catalog(tmp_path, {"acme-mail": text}))
    assert record.dpf_certified is False


def test_legacy_field_beside_its_block_is_refused(tmp_path: Path) -> None:
    text = US_VENDOR.replace("category:", "parent: Someone Else\ncategory:")
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme-mail": text})), "replaces")
    assert "`ownership` replaces `parent`" in problem.message


def test_independent_with_a_parent_is_refused(tmp_path: Path) -> None:
    text = US_VENDOR.replace("ownership:\n", "ownership:\n  independent: true\n")
    where(validate_catalog(make_catalog(tmp_path, {"acme-mail": text})), "independent vendor")


def test_an_active_dpf_entry_names_its_entity(tmp_path: Path) -> None:
    text = US_VENDOR.replace('  entity: "Acme Mail, Inc."\n', "")
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme-mail": text})), "entity")
    assert problem.line == 11


def test_unknown_sanction_list_and_history_event_are_refused(tmp_path: Path) -> None:
    text = US_VENDOR.replace(
        "event: acquired", "event: rebranded"
    ) + "sanctions:\n  - {party: Acme Group Inc., lists: [naughty_list]}\n"
    problems = validate_catalog(make_catalog(tmp_path, {"acme-mail": text}))
    assert any("history.0.event" in p.message for p in problems)
    assert any("sanctions.0.lists.0" in p.message for p in problems)
