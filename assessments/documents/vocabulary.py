"""Labels for every id a document prints (data categories, purposes, roles, mechanisms ...).

English names of data categories and purposes come from vendor_data/taxonomy.yaml, vendor
categories from vendor_data/categories.yaml, countries from pycountry (zh via its zh_CN
catalogue); the rest, and every Chinese label, from data/vocabulary.yaml. A document never
prints a raw id: `label` falls back to the id in words only for ids outside the vocabularies
(the vocabulary test keeps that from happening for ids the product knows).
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import pycountry

import vendor_data
from assessments.catalog.reference import default_reference, display_name
from assessments.documents._data import load, safeguard_texts
from assessments.yamlio import safe_load

KINDS: tuple[str, ...] = (
    "data_categories",
    "purposes",
    "vendor_categories",
    "roles",
    "transactions",
    "exemptions",
    "certifications",
    "vendor_mechanisms",
    "url_kinds",
    "vendor_statuses",
    "vendor_events",
    "entity_roles",
    "review_statuses",
    "safeguards",
    "mechanisms",
    "countries",
)


@cache
def _english_names() -> dict[str, dict[str, str]]:
    """English names the catalog owns: taxonomy data categories, purposes, vendor categories."""
    reference = default_reference()
    path = vendor_data.DATA_DIR / "categories.yaml"
    categories = safe_load(path.read_text(encoding="utf-8"))["categories"]
    return {
        "data_categories": {key: c.name for key, c in reference.data_categories.items()},
        "purposes": {key: p.name for key, p in reference.purposes.items()},
        "vendor_categories": {str(c["id"]): str(c["name"]) for c in categories},
    }


@cache
def _zh_countries() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])


@cache
def _zh_subdivisions() -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True
    )


def country(code: str, language: str) -> str:
    """A country (or `EU`, `US-CA`) in words."""
    table = load("vocabulary.yaml")[language]["special"]
    if code in table:
        return str(table[code])
    if language == "zh" and "-" not in code:
        record: Any = pycountry.countries.get(alpha_2=code)
        if record is not None:
            return _zh_countries().gettext(str(record.name))
    if language == "zh" and "-" in code:
        subdivision: Any = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
        if subdivision is not None:
            country_name = country(code.split("-")[0], language)
            return country_name + _zh_subdivisions().gettext(str(subdivision.name))
    return display_name(code, default_reference())


def humanize(code: str) -> str:
    """An id in words: 'usage.app_activity' -> 'usage app activity'."""
    return code.replace("_", " ").replace(".", " ")


def table(kind: str, language: str) -> dict[str, str]:
    """Every label of one vocabulary in one language."""
    if kind == "safeguards":
        return safeguard_texts(language)
    if kind == "mechanisms":
        values = load("labels.yaml")[language]["mechanism_values"]
        return {str(k): str(v) for k, v in values.items()}
    own = dict(load("vocabulary.yaml")[language].get(kind) or {})
    if language == "en" and kind in _english_names():
        return _english_names()[kind] | own
    return {str(k): str(v) for k, v in own.items()}


def label(kind: str, code: object, language: str) -> str:
    """One id of a vocabulary in words (the id in words when the vocabulary lacks it)."""
    text = str(code)
    if kind == "countries":
        return country(text, language)
    return table(kind, language).get(text) or humanize(text)


def labels_of(kind: str, codes: Iterable[object], language: str) -> list[str]:
    """Several ids of one vocabulary in words, in order."""
    return [label(kind, code, language) for code in codes]


_TOKEN = re.compile(r"(?<![\w./-])([a-z][a-z0-9]*(?:[._][a-z0-9]+)+)(?![\w/-]|\.\w)")
# Engine texts quote a few PRC terms of art; the English report gives them in words.
EN_GLOSSARY: dict[str, str] = {"以上": "and above", "不满": "below"}
_PROSE_KINDS: tuple[str, ...] = (
    "mechanisms",
    "safeguards",
    "vendor_mechanisms",
    "data_categories",
    "purposes",
    "transactions",
    "exemptions",
)


def prose(text: str, language: str) -> str:
    """Engine text with every id it quotes (eu_scc_c2p, identifiers.device ...) in words."""

    def word(match: re.Match[str]) -> str:
        code = match.group(1)
        for kind in _PROSE_KINDS:
            found = table(kind, language).get(code)
            if found:
                return found
        return code

    text = _TOKEN.sub(word, text)
    if language == "en":
        for term, words in EN_GLOSSARY.items():
            text = text.replace(term, words)
    return text


_WIDE = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full-width
_CJK_GAP = re.compile(f"(?<=[{_WIDE}])[ \\n]+(?=[{_WIDE}])")


def tidy(text: str, language: str) -> str:
    """Chinese text without the spaces a folded YAML line leaves between two characters."""
    return _CJK_GAP.sub("", text) if language == "zh" else text


def separator(language: str) -> str:
    """How a list of words is joined: ', ' in English, '、' in Chinese."""
    return "、" if language == "zh" else ", "
