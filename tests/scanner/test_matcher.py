"""Vendor matching: aliases in every script, ambiguity, cues, offsets and precision."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.catalog.vendors import VendorRecord
from assessments.scanner import Lexicon, compile_matcher, scan
from assessments.scanner.matcher import is_ambiguous

MakeVendor = Callable[..., VendorRecord]


@pytest.fixture
def registry(make_vendor: MakeVendor) -> list[VendorRecord]:
    """Vendors whose names are ordinary words next to ones whose names are not."""
    return [
        make_vendor("adjust", "Adjust", category="attribution", entities=(("Adjust GmbH", "DE"),)),
        make_vendor("branch", "Branch", aliases=("Branch Metrics",), category="attribution"),
        make_vendor("segment", "Segment", aliases=("Twilio Segment",), category="analytics_sdk"),
        make_vendor("square", "Square", category="payment_processor"),
        make_vendor("stripe", "Stripe", category="payment_processor", domains=("stripe.com",)),
        make_vendor("braze", "Braze", category="engagement"),
        make_vendor("here", "HERE", aliases=("HERE Technologies",), category="maps_sdk"),
        make_vendor(
            "umeng",
            "Umeng+",
            aliases=("友盟+", "友盟", "Umeng", "U-App"),
            entities=(("北京锐讯灵通科技有限公司", "CN"),),
            packages=("com.umeng.",),
            domains=("umeng.com",),
        ),
        make_vendor("firebase", "Firebase", aliases=("Firebase Crashlytics", "Crashlytics")),
        make_vendor("yoomoney", "YooMoney", aliases=("Yandex.Money", "ЮMoney", "Яндекс.Деньги")),
        make_vendor(
            "google-sign-in",
            "Google Sign-In",
            category="social_sdk",
            entities=(("Google LLC", "US"),),
        ),
        make_vendor(
            "google-analytics",
            "Google Analytics",
            entities=(("Google LLC", "US"),),
        ),
    ]


def slugs(text: str, vendors: list[VendorRecord], lexicon: Lexicon) -> set[str]:
    return {hit.slug for hit in scan(text, compile_matcher(vendors), lexicon).vendors}


def test_ambiguity_comes_from_the_common_word_list(lexicon: Lexicon) -> None:
    common = lexicon.common_words
    assert is_ambiguous("Adjust", "name", common)
    assert is_ambiguous("Square", "name", common)
    assert is_ambiguous("HERE", "name", common)
    assert is_ambiguous("QQ", "alias", common)  # too short to trust alone
    assert is_ambiguous("友盟", "alias", common)  # two Han characters
    assert not is_ambiguous("Firebase", "name", common)
    assert not is_ambiguous("友盟+", "name", common)
    assert not is_ambiguous("Adjust GmbH", "legal_entity", common)


@pytest.mark.parametrize(
    "text",
    [
        "You can adjust your settings at any time.",
        "Adjust your browser settings to refuse cookies.",
        "Our Shanghai branch handles complaints; a new Branch office opens soon.",
        "We segment our customers by region. Each Segment of the market differs.",
        "The meeting room is on Square One, next to the town square.",
        "A stripe of paint marks the entrance.",
        "Engineers braze the joints of the frame.",
        "Click here to read more. Here you can change your choices.",
        "HERE IS WHAT WE COLLECT.",
        "Our Branch metrics are reported weekly.",
    ],
)
def test_ordinary_words_are_not_vendors(
    text: str, registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    assert slugs(text, registry, lexicon) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We integrate the Adjust SDK to attribute app installs.", {"adjust"}),
        ("Install attribution is provided by Adjust GmbH.", {"adjust"}),
        ("Deep links are handled by the Branch SDK.", {"branch"}),
        ("Events go to Twilio Segment for analytics.", {"segment"}),
        (
            "Card payments are processed by Stripe and Square as payment processors.",
            {"stripe", "square"},
        ),
        ("We send push campaigns through Braze.", {"braze"}),
        ("Maps are provided by HERE Technologies.", {"here"}),
        ("Here Technologies. Branch Metrics links.", {"here", "branch"}),
        ("Our app uses the HERE SDK for maps.", {"here"}),
        ("See https://stripe.com/privacy for details.", {"stripe"}),
    ],
)
def test_ambiguous_names_count_with_capital_and_cue(
    text: str, expected: set[str], registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    assert slugs(text, registry, lexicon) == expected


def test_aliases_in_every_script_and_signatures(
    registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    text = (
        "本应用集成了友盟+统计SDK（北京锐讯灵通科技有限公司）。"
        "Payments via Яндекс.Деньги or Yandex Money. "
        "The package com.umeng.analytics talks to alog.umeng.com."
    )
    report = scan(text, compile_matcher(registry), lexicon)
    found = {hit.slug: hit for hit in report.vendors}
    assert set(found) == {"umeng", "yoomoney"}
    hows = {m.how for m in found["umeng"].matches}
    assert hows == {"alias", "legal_entity", "sdk", "domain"}
    for hit in report.vendors:
        for match in hit.matches:
            assert text[match.span.start : match.span.end] == match.span.text
            assert match.span.text in match.evidence or "\n" in match.span.text


def test_short_cjk_alias_needs_a_cue(registry: list[VendorRecord], lexicon: Lexicon) -> None:
    assert slugs("我们与友盟合作。", registry, lexicon) == set()
    assert slugs("我们接入了友盟SDK。", registry, lexicon) == {"umeng"}


def test_latin_names_need_word_boundaries(registry: list[VendorRecord], lexicon: Lexicon) -> None:
    assert slugs("Firebaseline and preFirebase are not vendors.", registry, lexicon) == set()
    assert slugs("使用Firebase收集崩溃信息。", registry, lexicon) == {"firebase"}


def test_longest_name_wins(registry: list[VendorRecord], lexicon: Lexicon) -> None:
    report = scan("We use Firebase Crashlytics.", compile_matcher(registry), lexicon)
    (hit,) = report.vendors
    assert [m.span.text for m in hit.matches] == ["Firebase Crashlytics"]


def test_lower_case_distinctive_name_needs_an_adjacent_cue(
    registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    assert slugs("the crashlytics dashboard", registry, lexicon) == set()
    assert slugs("the crashlytics SDK reports crashes", registry, lexicon) == {"firebase"}


def test_company_name_resolves_to_the_product_the_sentence_names(
    registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    login = "You can log in with your Google account."
    assert slugs(login, registry, lexicon) == {"google-sign-in"}
    assert slugs("Google may process your data.", registry, lexicon) == set()
    both = "We use Google Analytics; see Google's policy on analytics."
    assert slugs(both, registry, lexicon) == {"google-analytics"}


def test_shared_legal_entity_is_a_conflict_not_a_guess(
    registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    matcher = compile_matcher(registry)
    assert "google llc" in matcher.conflicts
    assert slugs("Data goes to Google LLC.", registry, lexicon) == set()


def test_catalog_version_changes_with_the_records(
    registry: list[VendorRecord], make_vendor: MakeVendor
) -> None:
    first = compile_matcher(registry).version
    assert compile_matcher(list(registry)).version == first
    assert compile_matcher([*registry, make_vendor("mixpanel", "Mixpanel")]).version != first


def test_template_notes_are_not_disclosures(registry: list[VendorRecord], lexicon: Lexicon) -> None:
    text = "6.6 Ads [If you use Firebase or Stripe, please supplement this section]. Done."
    report = scan(text, compile_matcher(registry), lexicon)
    assert report.vendors == ()
    assert len(report.template_notes) == 1


def test_german_capitals_are_no_evidence(registry: list[VendorRecord], lexicon: Lexicon) -> None:
    german = "Wir speichern Daten. Jedes Segment des Marktes wird von Partnern analysiert."
    assert slugs(german, registry, lexicon) == set()
    assert slugs("Wir nutzen das Segment SDK für Analysen.", registry, lexicon) == {"segment"}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                "Firebase",
                "Umeng+",
                "友盟+",
                " ",
                "  ",
                "\n",
                "\u00a0",
                "\u2019",
                "İ",
                "ß",
                "SDK",
                "Yandex  Money",
                "x",
                ".",
                "com.umeng.push",
                "Crashlytics",
            ]
        ),
        max_size=40,
    )
)
def test_spans_always_point_at_the_text(
    pieces: list[str], registry: list[VendorRecord], lexicon: Lexicon
) -> None:
    text = "".join(pieces)
    report = scan(text, compile_matcher(registry), lexicon)
    spans = [m.span for hit in report.vendors for m in hit.matches]
    spans += [s for hit in report.data_categories for s in hit.spans]
    for span in spans:
        assert text[span.start : span.end] == span.text
