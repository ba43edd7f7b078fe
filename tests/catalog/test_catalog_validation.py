"""Bad catalog files are reported with their file and line, and nothing bad is loaded."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from assessments.catalog import CatalogError, Problem, load_vendors, validate_catalog

CATEGORIES = """\
categories:
  - {id: analytics_sdk, name: Analytics SDK, kind: sdk, description: App analytics SDKs.}
  - {id: payment_processor, name: Payments, kind: service, description: Processes payments.}
"""

GOOD = """\
slug: {slug}
name: {name}
aliases: {aliases}
category: analytics_sdk
product_type: sdk
hq_country: CN
legal_entities:
  - {{name: "Example Analytics Co., Ltd.", country: CN, role: hq}}
data_categories: [identifiers.device]
purposes: [analytics]
covered_person_candidate: true
sources:
  - url: "https://example.com/privacy"
    retrieved: 2026-11-20
    facts: [legal_entities, hq_country]
last_verified: 2026-11-21
"""


def make_catalog(root: Path, vendors: dict[str, str], categories: str = CATEGORIES) -> Path:
    """Write a throw-away catalog: categories.yaml plus one file per vendor."""
    data = root / "vendor_data"
    (data / "vendors").mkdir(parents=True)
    (data / "categories.yaml").write_text(categories, encoding="utf-8")
    for slug, text in vendors.items():
        (data / "vendors" / f"{slug}.yaml").write_text(dedent(text), encoding="utf-8")
    return data


def good(slug: str, name: str, aliases: str = "[]") -> str:
    return GOOD.format(slug=slug, name=name, aliases=aliases)


def where(problems: list[Problem], fragment: str) -> Problem:
    """The one problem whose message contains `fragment`."""
    found = [p for p in problems if fragment in p.message]
    assert len(found) == 1, (fragment, problems)
    return found[0]


def test_a_good_catalog_has_no_problems(tmp_path: Path) -> None:
    data = make_catalog(tmp_path, {"acme": good("acme", "Acme Analytics")})
    assert validate_catalog(data) == []
    assert [v.slug for v in load_vendors(data)] == ["acme"]


def test_unknown_field_is_reported_at_its_line(tmp_path: Path) -> None:
    text = good("acme", "Acme").replace(
        "product_type: sdk\n", "product_type: sdk\nfavourite_colour: blue\n"
    )
    data = make_catalog(tmp_path, {"acme": text})
    problem = where(validate_catalog(data), "Unknown field")
    assert problem.file == "vendor_data/vendors/acme.yaml"
    assert problem.line == 6
    assert str(problem).startswith("vendor_data/vendors/acme.yaml:6: favourite_colour")


def test_bad_country_in_a_nested_entity_points_at_the_entity(tmp_path: Path) -> None:
    text = good("acme", "Acme").replace("country: CN, role: hq", "country: XX, role: hq")
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme": text})), "'XX'")
    assert problem.line == 8
    assert "legal_entities.0.country" in problem.message


def test_unknown_category_and_taxonomy_ids(tmp_path: Path) -> None:
    text = (
        good("acme", "Acme")
        .replace("category: analytics_sdk", "category: astrology")
        .replace("[identifiers.device]", "[identifiers.device, horoscope]")
        .replace("purposes: [analytics]", "purposes: [fortune_telling]")
    )
    problems = validate_catalog(make_catalog(tmp_path, {"acme": text}))
    assert where(problems, "unknown category 'astrology'").line == 4
    assert where(problems, "unknown data category 'horoscope'").line == 9
    assert where(problems, "unknown purpose 'fortune_telling'").line == 10


def test_duplicate_alias_across_vendors_is_normalised(tmp_path: Path) -> None:
    vendors = {
        "acme": good("acme", "Acme", "[友盟+]"),
        "umeng-copy": good("umeng-copy", "Copy", "[' 友盟 ']"),
    }
    problem = where(
        validate_catalog(make_catalog(tmp_path, vendors)), "already used by vendor 'acme'"
    )
    assert problem.file.endswith("umeng-copy.yaml")
    assert problem.line == 3


def test_duplicate_slug_and_file_name_mismatch(tmp_path: Path) -> None:
    vendors = {"acme": good("acme", "Acme"), "other": good("acme", "Other")}
    problems = validate_catalog(make_catalog(tmp_path, vendors))
    assert where(problems, "does not match the file name").file.endswith("other.yaml")
    assert where(problems, "duplicate slug 'acme'").line == 1


def test_filled_fact_without_a_source(tmp_path: Path) -> None:
    text = good("acme", "Acme").replace(
        "facts: [legal_entities, hq_country]", "facts: [hq_country]"
    )
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme": text})), "no source lists it")
    assert problem.line == 7
    assert problem.message.startswith("legal_entities")


def test_missing_sources_and_bad_dates(tmp_path: Path) -> None:
    text = good("acme", "Acme")
    text = text[: text.index("sources:")] + "last_verified: 2026-02-30\n"
    problems = validate_catalog(make_catalog(tmp_path, {"acme": text}))
    assert where(problems, "sources: Missing data").line == 1
    assert where(problems, "Not a valid date").line == 12


def test_url_source_needs_retrieval_date(tmp_path: Path) -> None:
    text = good("acme", "Acme").replace("    retrieved: 2026-11-20\n", "")
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme": text})), "retrieval date")
    assert problem.line == 13


def test_country_of_concern_requires_covered_person_flag(tmp_path: Path) -> None:
    text = good("acme", "Acme").replace(
        "covered_person_candidate: true", "covered_person_candidate: false"
    )
    problem = where(validate_catalog(make_catalog(tmp_path, {"acme": text})), "country of concern")
    assert problem.line == 11


def test_yaml_syntax_error_and_duplicate_key(tmp_path: Path) -> None:
    vendors = {
        "broken": "slug: broken\nname: [unclosed\ncategory: analytics_sdk\n",
        "twice": good("twice", "Twice") + "name: Again\n",
    }
    problems = validate_catalog(make_catalog(tmp_path, vendors))
    syntax = where(problems, "YAML syntax error")
    assert syntax.file.endswith("broken.yaml")
    assert syntax.line is not None
    assert where(problems, "duplicate key 'name'").line == 17


def test_bad_categories_file_is_reported(tmp_path: Path) -> None:
    bad = CATEGORIES + "  - {id: analytics_sdk, name: Again, kind: sdk, description: Duplicate.}\n"
    bad += "  - {id: BadId, name: Bad, kind: gadget, description: Wrong id and kind.}\n"
    problems = validate_catalog(make_catalog(tmp_path, {"acme": good("acme", "Acme")}, bad))
    assert where(problems, "duplicate category id").line == 4
    assert all(p.file == "vendor_data/categories.yaml" for p in problems)


def test_load_vendors_raises_with_every_problem(tmp_path: Path) -> None:
    text = good("acme", "Acme").replace("product_type: sdk", "product_type: gizmo")
    with pytest.raises(CatalogError) as raised:
        load_vendors(make_catalog(tmp_path, {"acme": text}))
    assert raised.value.problems[0].line == 5
    assert "acme.yaml:5" in str(raised.value)


def test_a_sunset_status_needs_a_date_or_a_note_saying_when(tmp_path: Path) -> None:
    sunset = good("acme", "Acme").replace(
        "facts: [legal_entities, hq_country]", "facts: [legal_entities, hq_country, status]"
    )
    undated = sunset + "status: {value: sunset, since: null, note: null}\n"
    problem = where(validate_catalog(make_catalog(tmp_path / "a", {"acme": undated})), "since")
    assert problem.message.startswith("status")
    # The source gave only the month: the note says so, and no day is invented.
    month_only = sunset + "status: {value: sunset, since: null, note: ended in March 2024}\n"
    assert validate_catalog(make_catalog(tmp_path / "b", {"acme": month_only})) == []


@pytest.mark.parametrize(
    ("history", "warned"),
    [
        ("", True),
        # Sold by Tencent to someone else: the old name no longer implies the group owns it.
        (
            "history:\n  - {date: 2020-07-25, event: sold, detail: Tencent sold it, to: Acme}\n",
            False,
        ),
        # Sold to Tencent: the group is the owner now and must be named.
        (
            "history:\n  - {date: 2020-07-25, event: sold, detail: sold to Tencent, to: Tencent}\n",
            True,
        ),
    ],
)
def test_a_group_mentioned_in_the_record_must_be_named_as_owner_unless_sold_away(
    tmp_path: Path, history: str, warned: bool
) -> None:
    text = good("acme", "Acme", aliases="[Tencent Acme]") + history
    problems = validate_catalog(make_catalog(tmp_path, {"acme": text}), strict=True)
    assert any("mentions Tencent" in p.message for p in problems) is warned


def test_a_group_is_named_by_whole_words_only(tmp_path: Path) -> None:
    text = good("acme", "Acme", aliases="[PT Sinar Digital Terdepan]")
    problems = validate_catalog(make_catalog(tmp_path, {"acme": text}), strict=True)
    assert not any("mentions" in p.message for p in problems)
