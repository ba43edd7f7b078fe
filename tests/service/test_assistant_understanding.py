"""How the offline assistant reads questions: counts, country roles, vocabulary, names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import vendor_data
from assessments.catalog.reference import load_reference
from assessments.types import MECHANISMS
from service.assistant.lexicon import LEXICON_FILE
from service.assistant.names import RegistryNames
from service.assistant.offline.assistant import lexicon_for
from service.assistant.tools.reviews import MECHANISM_FAMILIES
from service.assistant.understanding import Question, understand
from service.vendors.names import NameIndex

REFERENCE = load_reference(Path(vendor_data.DATA_DIR))


def names(*entries: tuple[str, str, str]) -> RegistryNames:
    """A registry of (key, slug, name) entries."""
    index = NameIndex()
    ids: dict[str, int] = {}
    rows: dict[str, list[tuple[str, str, bool]]] = {}
    labels: dict[str, str] = {}
    for key, slug, name in entries:
        ids.setdefault(slug, len(ids) + 1)
        rows.setdefault(slug, []).append((key, name, True))
        labels[slug] = name
    for slug, vendor_id in ids.items():
        index.put(vendor_id, slug, labels[slug], rows[slug])
    return RegistryNames(index)


REGISTRY = names(
    ("umeng", "umeng", "Umeng+"),
    ("友盟", "umeng", "Umeng+"),
    ("firebase", "firebase", "Firebase"),
    ("adjust", "adjust", "Adjust"),
    ("googlemaps", "google-maps", "Google Maps"),
)


def read(question: str) -> Question:
    return understand(question, lexicon_for(REFERENCE), REGISTRY)


def test_every_lexicon_target_exists_in_the_reference_data() -> None:
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    assert set(raw["data_categories"]) <= set(REFERENCE.data_categories)
    assert set(raw["purposes"]) <= set(REFERENCE.purposes)
    assert set(raw["vendor_kinds"]) - {"sdk"} <= set(REFERENCE.vendor_categories)
    for targets in raw["ambiguous_data_categories"].values():
        assert set(targets) <= set(REFERENCE.data_categories)
    assert set(raw["statuses"]) == {"active", "sunset", "licence_revoked", "sanctioned"}
    mechanisms = set(raw["cues"]["mechanism_words"])
    assert mechanisms <= set(MECHANISMS) | set(MECHANISM_FAMILIES)


@pytest.mark.parametrize(
    ("question", "count"),
    [
        ("send 2 million Chinese users' device IDs to Firebase", 2_000_000),
        ("send 500,000 EU customers' emails to Firebase", 500_000),
        ("send 10k users' emails", 10_000),
        ("把200万用户的设备标识发给友盟", 2_000_000),
        ("Is Firebase ISO 27001 certified?", None),
        ("How do we handle users under 14?", None),
    ],
)
def test_head_counts(question: str, count: int | None) -> None:
    assert read(question).count == count


@pytest.mark.parametrize(
    ("question", "roles"),
    [
        ("Which SDKs are headquartered in China?", {"CN": "hq"}),
        ("Which vendors process data in Russia?", {"RU": "processing"}),
        ("Can we use Umeng for EU users?", {"EU": "subjects"}),
        ("Can we send device IDs of users in China to Firebase?", {"CN": "subjects"}),
        (
            "Can we send HR data from Germany to our Shanghai office?",
            {"DE": "from", "CN": "destination"},
        ),
        (
            "Can we send EU users' data from our Singapore entity to Umeng?",
            {"EU": "subjects", "SG": "exporter"},
        ),
        ("Can we send data to US users?", {"US": "subjects"}),
        ("Can you send it to us?", {}),
    ],
)
def test_the_role_each_country_plays(question: str, roles: dict[str, str]) -> None:
    assert {c.code: c.role for c in read(question).countries} == roles


def test_vendor_names_exact_chinese_and_misspelled() -> None:
    assert [v.slug for v in read("Where does Google Maps process data?").vendors] == ["google-maps"]
    assert [v.slug for v in read("友盟的数据在哪里?").vendors] == ["umeng"]
    typo = read("Where does Umneg process data?").vendors
    assert [(v.slug, v.exact) for v in typo] == [("umeng", False)]
    assert read("Which vendors adjust their prices?").vendors == ()  # a verb, not Adjust
    assert [v.slug for v in read("Is Adjust in the DPF?").vendors] == ["adjust"]
    unknown = read("Where does Foobarly process data?")
    assert unknown.vendors == () and unknown.unknown_name == "Foobarly"


def test_data_categories_and_the_ambiguous_location() -> None:
    q = read("Can we send precise location and device IDs of EU users to Firebase?")
    assert set(q.data_categories) == {"location.precise", "identifiers.device"}
    vague = read("Which vendors receive location?")
    assert vague.ambiguous_categories == (
        ("location", ("location.precise", "location.approximate")),
    )
