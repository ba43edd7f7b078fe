"""The Chinese PIPIA is Chinese throughout; the English one has no Chinese.

A Chinese-reading check: after the user's own words (names, the stated purpose), links and
citations are set aside, no English word may remain but a short list of proper names and
abbreviations a Chinese lawyer reads as such.
"""

from __future__ import annotations

import copy
import json
import re
import string
from pathlib import Path
from typing import Any

import pytest

from assessments.documents import build_assessment, build_checklists
from assessments.documents._data import load
from assessments.documents.translations import _templates, report
from tests.assessments.test_documents import evaluate_transfer, load_vendor
from tests.helpers import strings_in

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "documents_sample.json"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Proper names and abbreviations kept in Chinese legal writing (laws, bodies, standards).
PROPER = frozenset(
    {
        "SDK",
        "CISA",
        "TC260",
        "ISO",
        "IEC",
        "SOC",
        "PCI",
        "DSS",
        "CSA",
        "STAR",
        "TISAX",
        "HIPAA",
        "PADFA",  # the statute's name, kept as the zh labels keep it ("PADFA 禁止的转移")
        "FedRAMP",
        "APEC",
        "CBPR",
        "PRP",
        "TRUSTe",
        "BSI",
        "Latombe",
        "Schrems",
        "WP248",
        "EDPB",
        "CNIL",
        "GPC",
    }
)
# Where the user's own words or citations live: not checked for language.
USER_FIELDS = frozenset(
    {
        "company",
        "vendor",
        "requester",
        "business_owner",
        "owner",
        "citation",
        "id",
        "key",
        "regime",
        "verdict",
        "mechanism",
        "level",
        "category",
        "source",
        "status",
        "kind",
        "language",
        "vendor_slug",
        "primary_regime",
        "as_of",
        "short_title",
        "labels",
        "meta",
        "rules_version",
    }
)
CITATION = re.compile(
    r"\[[^\]]*\]"  # [PIPL Art. 39]
    r"|https?://\S+"
    r"|\d+ U\.S\.C\.[^，。；）]*|\d+ CFR [^，。；）]*|\d+ CCR[^，。；）]*"
    r"|C-\d+/\d+( P)?|\(EU\) \d{4}/\d+|\d{4}/\d+/E[CU]"
    r"|\([ivx]+\)"  # clause options (ii), (iii)
)


def _english_words(text: str, user_words: set[str]) -> set[str]:
    for phrase in user_words:
        text = text.replace(phrase, "")
    text = CITATION.sub("", text)
    return {w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text) if w not in PROPER}


def _scenarios() -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]]:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    vendor = load_vendor(data["vendor"])
    review = data["review"]
    sensitive = copy.deepcopy(review)
    sensitive["transfer"].update(
        importer={"name": "Example Analytics", "country": "US", "role": "processor"},
        data_subjects=[
            {"jurisdiction": "CN", "count": 150_000, "minors": True},
            {"jurisdiction": "EU", "count": 20_000},
            {"jurisdiction": "US-CA", "count": 50_000},
        ],
        data_categories=["location.precise", "health", "identifiers.advertising"],
        purposes=["advertising", "analytics"],
        safeguards=["pseudonymisation"],
    )
    china = copy.deepcopy(review)
    china["transfer"].update(
        exporter={"name": "Example GmbH", "country": "DE", "role": "controller"},
        importer={"name": "Example Shanghai", "country": "CN", "role": "processor"},
        destinations=["CN", "HK"],
        data_subjects=[{"jurisdiction": "EU", "count": 5_000}, {"jurisdiction": "CN", "count": 50}],
    )
    return [
        (review, evaluate_transfer(review["transfer"], vendor), vendor),
        (sensitive, evaluate_transfer(sensitive["transfer"], None), None),
        (china, evaluate_transfer(china["transfer"], None), None),
    ]


def test_every_rule_text_has_a_current_chinese_text_with_the_same_placeholders() -> None:
    # To fix: python -m assessments.documents.translations lists what to (re)translate.
    assert report() == []
    zh = load("rules.zh.yaml")
    fields = string.Formatter()
    for key, texts in _templates().items():
        for field, english in texts.items():
            chinese = (zh.get(key) or {}).get(field)
            assert chinese and CJK.search(chinese), f"{key}.{field} has no Chinese text"
            names = {n for _, n, _, _ in fields.parse(english) if n}
            assert names == {n for _, n, _, _ in fields.parse(chinese) if n}, key


@pytest.mark.parametrize("index", [0, 1, 2])
def test_chinese_pipia_reads_in_chinese(index: int) -> None:
    review, evaluation, vendor = _scenarios()[index]
    doc = build_assessment("pipia", review, evaluation, vendor, language="zh")
    doc["checklists"] = build_checklists(evaluation, review, vendor, "zh")
    user = (
        {
            str(v)
            for v in (
                review.get("purpose"),
                review.get("requester"),
                review.get("business_owner"),
                (vendor or {}).get("name"),
            )
            if v
        }
        | {
            str(side.get("name"))
            for side in (
                review["transfer"].get("exporter") or {},
                review["transfer"].get("importer") or {},
            )
            if side.get("name")
        }
        | {str(e.get("name")) for e in (vendor or {}).get("legal_entities") or []}
    )
    texts = strings_in(doc, USER_FIELDS)
    leftovers = {word for text in texts for word in _english_words(text, user)}
    assert not leftovers, sorted(leftovers)
    assert doc["rules"] and all(CJK.search(r["explanation"]) for r in doc["rules"])
    assert all(CJK.search(item["text"]) for c in doc["checklists"] for item in c["items"])


@pytest.mark.parametrize("kind", ["pipia", "dpia", "tia"])
def test_english_documents_have_no_chinese(kind: str) -> None:
    for review, evaluation, vendor in _scenarios():
        doc = build_assessment(kind, review, evaluation, vendor)
        doc["checklists"] = build_checklists(evaluation, review, vendor)
        found = [text for text in strings_in(doc, USER_FIELDS) if CJK.search(text)]
        assert not found, found[:3]
