"""The issue-12 record blocks (ownership, dpf, sanctions, history, data_locations, scoped
certifications, SCC modules) load, and the legacy fields are derived from them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from assessments.catalog import load_vendors, read_catalog, validate_catalog
from assessments.catalog.coverage import fact_coverage, stale_facts
from assessments.catalog.validation import openable_url_problem
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
    text = (
        US_VENDOR.replace("event: acquired", "event: rebranded")
        + "sanctions:\n  - {party: Acme Group Inc., lists: [naughty_list]}\n"
    )
    problems = validate_catalog(make_catalog(tmp_path, {"acme-mail": text}))
    assert any("history.0.event" in p.message for p in problems)
    assert any("sanctions.0.lists.0" in p.message for p in problems)


# ---- issue-12 checks -----------------------------------------------------------------------

CN_OWNED = """\
slug: acme-sdk
name: Acme SDK
category: analytics_sdk
product_type: sdk
hq_country: SG
legal_entities:
  - {name: "Acme SDK Pte. Ltd.", country: SG, role: hq}
ownership:
  parent: {name: Acme Holdings Ltd., country: SG, share: 100}
  ultimate_parent: {name: Big Group Holding Ltd., country: CN, organised_in: KY, share: 60}
covered_person_candidate: false
sources:
  - url: "https://acme.example/about"
    retrieved: 2026-12-01
    facts: [legal_entities, hq_country, ownership]
last_verified: 2026-12-01
"""


def test_an_indirect_owner_in_china_with_50_percent_makes_a_candidate(tmp_path: Path) -> None:
    problem = where(
        validate_catalog(make_catalog(tmp_path, {"acme-sdk": CN_OWNED})), "covered-person"
    )
    assert "ultimate_parent Big Group Holding Ltd. (CN) holds 60%" in problem.message
    assert problem.line == 11
    fixed = CN_OWNED.replace("covered_person_candidate: false", "covered_person_candidate: true")
    assert validate_catalog(make_catalog(tmp_path / "ok", {"acme-sdk": fixed})) == []


def test_a_minority_or_unknown_share_is_not_enforced(tmp_path: Path) -> None:
    minority = CN_OWNED.replace("share: 60", "share: 49.9")
    unknown = CN_OWNED.replace("share: 60", "share: null")
    assert validate_catalog(make_catalog(tmp_path / "a", {"acme-sdk": minority})) == []
    assert validate_catalog(make_catalog(tmp_path / "b", {"acme-sdk": unknown})) == []


def test_a_russian_hq_still_makes_a_candidate(tmp_path: Path) -> None:
    text = (
        CN_OWNED.replace("country: SG, role: hq", "country: RU, role: hq")
        .replace("hq_country: SG", "hq_country: RU")
        .replace("share: 60", "share: 10")
    )
    where(validate_catalog(make_catalog(tmp_path, {"acme-sdk": text})), "HQ country RU")


def test_dpf_only_for_a_us_hq_or_us_entity(tmp_path: Path) -> None:
    text = CN_OWNED.replace(
        "covered_person_candidate: false",
        "covered_person_candidate: true\ndpf: {status: not_listed, checked: 2026-12-01}",
    ).replace("ownership]", "ownership, dpf]")
    where(validate_catalog(make_catalog(tmp_path, {"acme-sdk": text})), "US HQ or a US legal")


def test_a_sale_newer_than_the_stated_owner_needs_the_newer_fact_or_a_note(
    tmp_path: Path,
) -> None:
    sale = "history:\n  - {date: 2023-05-01, event: sold, detail: Sold to NewCo, to: NewCo Ltd.}\n"
    text = US_VENDOR.replace("history:\n", sale + "  #\n").replace(
        "  - {date: 2019-03-01, event: acquired", "  - {date: 2019-03-01, event: acquired"
    )
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme-mail": text})), "newer fact")
    assert "sold to 'NewCo Ltd.' on 2023-05-01" in problem.message
    noted = text.replace("ownership:\n", "ownership:\n  note: NewCo sale not completed (SEC 8-K)\n")
    assert validate_catalog(make_catalog(tmp_path / "ok", {"acme-mail": noted})) == []


def test_strict_checks_warn_and_fail_only_under_strict(tmp_path: Path) -> None:
    text = (
        US_VENDOR.replace(
            '  - url: "https://acme.example/dpa"',
            "  - ref: seed 003_x.txt\n    facts: [data_categories]\n"
            '  - url: "https://files.example/dump.zip:/tmp/x/dpa.txt"',
        )
        + "data_categories: [identifiers.device]\n"
    )
    data = make_catalog(tmp_path, {"acme-mail": text})
    catalog = read_catalog(data)
    assert catalog.problems == ()
    assert [v.slug for v in catalog.vendors] == ["acme-mail"]
    messages = [w.message for w in catalog.warnings]
    assert any("points inside an archive (.zip)" in m for m in messages)
    assert any("'seed 003_x.txt' has no url a person can open" in m for m in messages)
    unsourced = "data_categories is filled but no source with an openable"
    assert any(m.startswith(unsourced) for m in messages)
    strict = read_catalog(data, strict=True)
    assert strict.vendors == ()
    assert {p.severity for p in strict.problems} == {"error"}
    assert len(strict.problems) == len(catalog.warnings)


def test_openable_url_rules() -> None:
    assert openable_url_problem("https://www.dataprivacyframework.gov/list") is None
    assert (
        openable_url_problem("https://web.archive.org/web/2016/https://example.com/privacy") is None
    )
    assert openable_url_problem("https://example.com/a.tar.gz/docs/x.md") is not None
    assert openable_url_problem("ftp://example.com/x") is not None


def test_stale_facts_are_those_whose_newest_source_is_over_a_year_old(tmp_path: Path) -> None:
    text = US_VENDOR.replace(
        '  - url: "https://acme.example/dpa"\n    retrieved: 2026-12-01',
        '  - url: "https://acme.example/dpa"\n    retrieved: 2025-06-01',
    )
    [record] = load_vendors(make_catalog(tmp_path, {"acme-mail": text}))
    stale = stale_facts([record], date(2026, 12, 5))
    assert {s.fact for s in stale} == {"data_locations", "transfer_mechanisms", "certifications"}
    assert all(s.checked == date(2025, 6, 1) for s in stale)
    assert stale_facts([record], date(2026, 5, 31)) == []


def test_coverage_rows_list_the_vendors_missing_each_fact(tmp_path: Path) -> None:
    data = make_catalog(
        tmp_path,
        {
            "acme-mail": US_VENDOR,
            "acme-sdk": CN_OWNED.replace(
                "covered_person_candidate: false", "covered_person_candidate: true"
            ),
        },
    )
    rows = {r.key: r for r in fact_coverage(load_vendors(data))}
    assert (rows["dpf"].have, rows["dpf"].of, rows["dpf"].missing) == (1, 1, ())
    assert rows["dpa_url"].missing == ("acme-mail", "acme-sdk")
    assert rows["dpa_url"].meets_target is False
    assert (rows["ownership"].percent, rows["ownership"].meets_target) == (100.0, True)
    assert rows["data_locations"].missing == ("acme-sdk",)


def test_a_vendor_whose_owner_is_designated_elsewhere_is_marked(tmp_path: Path) -> None:
    bank = CN_OWNED.replace("acme-sdk", "big-bank").replace("Acme SDK", "Big Bank").replace(
        "Acme SDK Pte. Ltd.", "Big Bank PLC"
    ).replace("ownership]", "ownership, sanctions]") + (
        "sanctions:\n"
        "  - {party: Big Group Holding Ltd., lists: [ofac_sdn], designated: 2022-04-06}\n"
    )
    owned = CN_OWNED.replace("covered_person_candidate: false", "covered_person_candidate: true")
    bank = bank.replace("covered_person_candidate: false", "covered_person_candidate: true")
    catalog = read_catalog(make_catalog(tmp_path, {"acme-sdk": owned, "big-bank": bank}))
    [warning] = [w for w in catalog.warnings if "is designated" in w.message]
    assert warning.file.endswith("acme-sdk.yaml") and "'big-bank'" in warning.message
