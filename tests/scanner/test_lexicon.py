"""The lexicon files: valid ids, every language covered, patterns that compile."""

from __future__ import annotations

from pathlib import Path

import yaml

import vendor_data
from assessments.scanner import Lexicon
from assessments.scanner import lexicon as lx


def catalog_ids(name: str, key: str) -> set[str]:
    data = yaml.safe_load((Path(vendor_data.DATA_DIR) / name).read_text(encoding="utf-8"))
    return {entry["id"] for entry in data[key]}


def test_data_category_ids_exist_in_the_taxonomy(lexicon: Lexicon) -> None:
    taxonomy = catalog_ids("taxonomy.yaml", "data_categories")
    assert lexicon.ids(lx.DATA_CATEGORY) <= taxonomy


def test_vendor_category_ids_exist_in_the_catalog(lexicon: Lexicon) -> None:
    categories = catalog_ids("categories.yaml", "categories")
    assert lexicon.ids(lx.VENDOR_CATEGORY) <= categories
    assert lexicon.ids(lx.CATEGORY_CUE) <= categories


def test_every_entry_has_all_four_languages() -> None:
    for name, keys in {
        "data_categories.yaml": ["data_categories"],
        "recipients.yaml": ["vendor_categories", "other_recipients"],
        "transfers.yaml": ["mechanisms", "regions"],
        "laws.yaml": ["laws", "rights"],
    }.items():
        data = yaml.safe_load((lx.LEXICON_DIR / name).read_text(encoding="utf-8"))
        for key in keys:
            for entry_id, by_lang in data[key].items():
                assert set(by_lang) == set(lx.LANGUAGES), (name, key, entry_id)
                assert all(by_lang[lang] for lang in lx.LANGUAGES), (name, key, entry_id)


def test_countries_come_in_four_languages(lexicon: Lexicon) -> None:
    names = {(t.lang, t.text) for t in lexicon.terms if t.group == lx.PLACE and t.id == "DE"}
    assert {("en", "Germany"), ("pl", "Niemcy"), ("de", "Deutschland"), ("zh", "德国")} <= names


def test_common_words_are_plain_lower_case_words(lexicon: Lexicon) -> None:
    assert len(lexicon.common_words) > 30_000
    assert {"adjust", "branch", "segment", "square", "stripe", "here"} <= lexicon.common_words
    assert all(w.isalpha() and w.islower() for w in lexicon.common_words)
