"""Official lists read offline (CSL, TCF GVL + AVIL, DPF export): parsed from fixture files in
each documented format, matched by legal entity and alias, and turned into a fact diff."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assessments.catalog.lists import (
    FactChange,
    ListDiff,
    ListFormatError,
    VendorFacts,
    diff_list,
    parse_list,
    updated_facts,
)

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"
DAY = date(2026, 12, 5)

VENDORS = [
    VendorFacts(
        "yoomoney",
        ("YooMoney", "ЮMoney"),
        ("YooMoney NBCO LLC",),
        owners=(("PJSC Sberbank", 100.0),),
    ),
    VendorFacts("acme-pay", ("Acme Pay",), ("Acme Pay LLC",)),
    VendorFacts("minority", ("Minority Co",), owners=(("Sberbank", 25.0),)),
    VendorFacts("excloud", ("ExCloud",), ("Example Cloud Technology Co. Ltd.",)),
    VendorFacts(
        "delisted",
        ("Delisted",),
        sanctions=(
            {
                "party": "Delisted Corp",
                "lists": ["ofac_sdn", "eu_consolidated"],
                "designated": "2019-01-01",
                "through_ownership": False,
                "note": None,
            },
        ),
    ),
    VendorFacts("acme-mailer", ("Acme Mailer",), ("Acme Mailer Group LLC",), us_presence=True),
    VendorFacts(
        "lapsed",
        ("Lapsed Analytics",),
        ("Lapsed Analytics, Inc.",),
        us_presence=True,
        dpf={
            "status": "active",
            "entity": "Lapsed Analytics, Inc.",
            "parts": ["eu_us"],
            "checked": "2025-01-01",
        },
    ),
    VendorFacts(
        "vanished",
        ("Vanished",),
        us_presence=True,
        dpf={
            "status": "active",
            "entity": "Vanished Inc.",
            "parts": ["eu_us"],
            "checked": "2025-01-01",
        },
    ),
    VendorFacts("acme-sdk", ("Acme SDK",), ("Acme Sdk Pte. Ltd.",)),
    VendorFacts("acme-ads", ("Acme Ads",), ("Acme Ads SA",)),
    VendorFacts("gone-media", ("Gone Media",), ("Gone Media Ltd",)),
]


def _read(name: str) -> bytes:
    return (LISTS / name).read_bytes()


def _changes(diff: ListDiff) -> dict[tuple[str, str], list[FactChange]]:
    found: dict[tuple[str, str], list[FactChange]] = {}
    for c in diff.changes:
        found.setdefault((c.slug, c.fact), []).append(c)
    return found


@pytest.mark.parametrize("fixture", ["csl.csv", "csl.json"])
def test_csl_marks_the_vendor_and_the_vendor_whose_owner_is_designated(fixture: str) -> None:
    parsed = parse_list("csl", _read(fixture), fixture)
    assert all(e.name != "JOHN EXAMPLE" for e in parsed.entries)  # individuals are not vendors
    diff = diff_list(parsed, VENDORS, DAY)
    changes = _changes(diff)
    [owner] = changes[("yoomoney", "sanctions")]
    assert owner.change == "new"
    assert owner.after["through_ownership"] is True
    assert owner.after["lists"] == ["ofac_sdn"]
    assert owner.after["designated"] == date(2022, 4, 6)
    assert owner.source == "https://www.trade.gov/consolidated-screening-list"
    assert owner.date == DAY
    [direct] = changes[("acme-pay", "sanctions")]
    assert direct.after["through_ownership"] is False
    [status] = changes[("acme-pay", "status")]
    assert status.after == {"value": "sanctioned", "since": date(2023, 5, 19)}
    assert ("minority", "sanctions") not in changes  # 25 % is below OFAC's 50 % rule
    assert any(s.slug == "minority" and "50%" in s.reason for s in diff.skipped)
    [removed] = changes[("delisted", "sanctions")]
    assert removed.change == "removed"
    assert removed.after["lists"] == ["eu_consolidated"]
    if fixture == "csl.csv":
        assert changes[("excloud", "sanctions")][0].after["lists"] == ["bis_entity"]
        assert any(s.slug == "acme-pay" and "Denied Persons" in s.reason for s in diff.skipped)
        assert diff.unmatched == ["c1a5 UNRELATED TRADING FZE"]


def test_applying_csl_changes_gives_the_new_sanctions_list() -> None:
    diff = diff_list(parse_list("csl", _read("csl.csv"), "csl.csv"), VENDORS, DAY)
    grouped = diff.changed_vendors()
    delisted = next(v for v in VENDORS if v.slug == "delisted")
    assert updated_facts(delisted, grouped["delisted"])["sanctions"][0]["lists"] == [
        "eu_consolidated"
    ]
    pay = next(v for v in VENDORS if v.slug == "acme-pay")
    facts = updated_facts(pay, grouped["acme-pay"])
    assert facts["sanctions"][0]["party"] == "ACME PAY LLC"
    assert facts["status"]["value"] == "sanctioned"


def test_dpf_export_sets_new_changed_and_removed_status() -> None:
    diff = diff_list(parse_list("dpf", _read("dpf.csv")), VENDORS, DAY)
    changes = _changes(diff)
    [new] = changes[("acme-mailer", "dpf")]
    assert new.change == "new"
    assert new.after["parts"] == ["eu_us", "uk_extension", "swiss_us"]
    assert new.after["entity"] == "Acme Mailer Group LLC"
    assert new.after["checked"] == DAY
    [lapsed] = changes[("lapsed", "dpf")]
    assert (lapsed.change, lapsed.after["status"]) == ("changed", "inactive")
    [gone] = changes[("vanished", "dpf")]
    assert (gone.change, gone.after["status"]) == ("removed", "not_listed")
    assert any(s.slug == "acme-sdk" and "US" in s.reason for s in diff.skipped)
    assert diff.unmatched == ["3 Somebody Else Corp."]


def test_dpf_export_with_one_column_per_part() -> None:
    [entry] = parse_list("dpf", _read("dpf_columns.csv")).entries
    assert entry.facts["parts"] == ("eu_us", "swiss_us")


def test_gvl_with_avil_fills_privacy_url_and_mechanisms() -> None:
    parsed = parse_list("tcf_gvl", _read("gvl.json"), "gvl.json", _read("avil.json"))
    assert parsed.published == date(2026, 11, 27)
    diff = diff_list(parsed, VENDORS, DAY)
    changes = _changes(diff)
    assert changes[("acme-ads", "urls.privacy_policy")][0].after == (
        "https://acme-ads.example/privacy"
    )
    assert changes[("acme-ads", "transfer_mechanisms")][0].after == ["eu_scc"]
    assert any(s.slug == "gone-media" and "deleted" in s.reason for s in diff.skipped)
    assert diff.unmatched == ["93 Nobody We Know GmbH"]


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("csl", b"name,type\nX,Entity\n", "missing column"),
        ("tcf_gvl", b'{"gvlSpecificationVersion": 2, "vendors": {}}', "only version 3"),
        ("tcf_gvl", b"[1, 2", "not JSON"),
        ("dpf", b"Organization Name,Status\nAcme,Pending\n", "neither Active nor Inactive"),
        ("dpf", b"\xff\xfe", "not UTF-8"),
        ("nope", b"", "unknown list kind"),
    ],
)
def test_bad_files_say_what_is_wrong(kind: str, data: bytes, message: str) -> None:
    with pytest.raises(ListFormatError, match=message):
        parse_list(kind, data)
