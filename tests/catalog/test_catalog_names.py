"""Name resolution: vendor names as policies write them, in any script, with typos."""

from __future__ import annotations

import pytest

from assessments.catalog import NameIndex, name_key

INDEX = NameIndex(
    [
        ("umeng", ["Umeng+", "友盟+", "U-App"]),
        ("yoomoney", ["YooMoney", "Yandex.Money", "Яндекс.Деньги", "ЮMoney"]),
        ("unity-ads", ["Unity Ads"]),
        ("firebase", ["Firebase", "Firebase Crashlytics"]),
        ("qq-connect", ["QQ Connect", "QQ SDK"]),
        ("qiwi", ["QIWI"]),
    ]
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Umeng+", "umeng"),
        ("U-Meng", "umeng"),
        ("  UMENG ", "umeng"),
        ("友盟+", "友盟"),
        ("Яндекс.Деньги", "яндексденьги"),
        ("ＹｏｏＭｏｎｅｙ", "yoomoney"),
    ],
)
def test_name_key_folds_case_space_punctuation_and_width(text: str, key: str) -> None:
    assert name_key(text) == key


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("umeng", "umeng"),
        ("UMENG+", "umeng"),
        ("友盟+", "umeng"),
        ("Yandex Money", "yoomoney"),
        ("yandex-money", "yoomoney"),
        ("яндекс деньги", "yoomoney"),
        ("ЮMoney", "yoomoney"),
        ("Unity ads SDK", "unity-ads"),
        ("Umeng+ SDK", "umeng"),
        ("友盟+SDK", "umeng"),
        ("firebase crashlytics", "firebase"),
        ("qiwi", "qiwi"),
    ],
)
def test_exact_and_normalised_names_resolve(query: str, slug: str) -> None:
    match = INDEX.resolve(query)
    assert match is not None
    assert match.slug == slug
    assert match.exact


@pytest.mark.parametrize(
    ("query", "slug"),
    [("Firebse Crashlytics", "firebase"), ("Yandex Mony", "yoomoney"), ("Untiy Ads", "unity-ads")],
)
def test_typos_resolve_by_fuzzy_match(query: str, slug: str) -> None:
    match = INDEX.resolve(query)
    assert match is not None
    assert match.slug == slug
    assert not match.exact
    assert 85 <= match.score < 100


@pytest.mark.parametrize("query", ["Stripe", "QQ", "QIW", "", "+++", "Google"])
def test_unknown_or_too_short_names_do_not_guess(query: str) -> None:
    assert INDEX.resolve(query) is None


def test_search_ranks_one_entry_per_vendor() -> None:
    results = INDEX.search("firebase crash", min_score=50)
    assert results[0].slug == "firebase"
    assert len({r.slug for r in results}) == len(results)


def test_first_owner_of_a_key_wins() -> None:
    index = NameIndex([("a", ["Same"]), ("b", ["same"])])
    match = index.resolve("SAME")
    assert match is not None
    assert match.slug == "a"
