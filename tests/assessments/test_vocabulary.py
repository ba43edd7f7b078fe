"""Every id a document prints has a label in English and Chinese; no id reaches the prose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

import vendor_data
from assessments.catalog.reference import default_reference
from assessments.catalog.vocabulary import (
    CERTIFICATIONS,
    ENTITY_ROLES,
    HISTORY_EVENTS,
    STATUS_VALUES,
    TRANSFER_MECHANISMS,
    URL_KINDS,
)
from assessments.documents import build_assessment
from assessments.documents._data import load
from assessments.documents.vocabulary import label, prose, table
from assessments.types import EXEMPTIONS, ROLES, SAFEGUARDS, TRANSACTIONS
from service.reviews.models import STATUSES as REVIEW_STATUSES
from tests.helpers import strings_in

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "documents_sample.json"
# An id as the product spells them: snake_case or dotted (identifiers.device, eu_scc_c2p).
ID_PATTERN = re.compile(r"\b[a-z]+(?:[._][a-z0-9]+)+\b")


def _vocabularies() -> dict[str, set[str]]:
    reference = default_reference()
    categories = yaml.safe_load(
        (vendor_data.DATA_DIR / "categories.yaml").read_text(encoding="utf-8")
    )["categories"]
    return {
        "data_categories": set(reference.data_categories),
        "purposes": set(reference.purposes),
        "vendor_categories": {c["id"] for c in categories},
        "roles": set(ROLES),
        "transactions": set(TRANSACTIONS),
        "exemptions": set(EXEMPTIONS),
        "certifications": set(CERTIFICATIONS),
        "vendor_mechanisms": set(TRANSFER_MECHANISMS),
        "url_kinds": set(URL_KINDS),
        "vendor_statuses": set(STATUS_VALUES),
        "vendor_events": set(HISTORY_EVENTS),
        "entity_roles": set(ENTITY_ROLES),
        "review_statuses": set(REVIEW_STATUSES),
        "safeguards": set(SAFEGUARDS),
    }


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_id_has_a_label(language: str) -> None:
    for kind, ids in _vocabularies().items():
        missing = ids - set(table(kind, language))
        assert not missing, f"{kind} ({language}) lacks labels for {sorted(missing)}"


def test_chinese_labels_are_chinese_and_countries_translate() -> None:
    for kind in _vocabularies():
        for code, text in table(kind, "zh").items():
            if kind != "certifications":
                assert re.search(r"[\u4e00-\u9fff]", text), (kind, code, text)
    assert label("countries", "US", "zh") == "美国"
    assert label("countries", "US", "en") == "United States"
    assert label("countries", "EU", "zh") == "欧盟 / 欧洲经济区"


def test_destination_law_covers_every_government_access_country() -> None:
    for language in ("en", "zh"):
        texts = load("destination_law.yaml")[language]
        assert set(default_reference().government_access) <= set(texts)


def test_prose_replaces_ids_but_not_urls_or_citations() -> None:
    text = "Fallback SCCs (eu_scc_c2p); see https://a.example/sub_processors.html; 50 U.S.C. 1881a"
    out = prose(text, "en")
    assert "eu_scc_c2p" not in out and "Module 2 (controller to processor)" in out
    assert "https://a.example/sub_processors.html" in out and "50 U.S.C. 1881a" in out
    assert prose("threshold (以上)", "en") == "threshold (and above)"


# Fields that hold codes for the program (CSS classes, lookups), never printed as such.
CODE_FIELDS = frozenset({"id", "key", "regime", "verdict", "mechanism", "level", "category"})


@pytest.mark.parametrize("kind", ["pipia", "dpia", "tia"])
def test_no_internal_code_in_the_document(kind: str) -> None:
    from tests.assessments.test_documents import evaluate_transfer, load_vendor

    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    vendor = load_vendor(data["vendor"])
    evaluation = evaluate_transfer(data["review"]["transfer"], vendor)
    doc = build_assessment(kind, data["review"], evaluation, vendor)
    known = set().union(*_vocabularies().values()) | set(table("mechanisms", "en"))
    visible = [
        s
        for key in ("sections", "summary", "risks", "rules", "obligations", "questions", "appendix")
        for s in strings_in(doc[key], CODE_FIELDS)
        if not s.startswith("http")
    ]
    leaked = {
        match
        for text in visible
        for match in ID_PATTERN.findall(re.sub(r"https?://\S+", "", text))
        if match in known
    }
    assert not leaked, leaked
    assert not any(re.search(r"[\u4e00-\u9fff]", text) for text in visible)  # English only
