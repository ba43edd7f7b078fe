"""The scanner's lexicon: YAML term lists per language, compiled once into one automaton."""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from assessments.scanner.phrases import PhraseIndex
from assessments.yamlio import safe_load

LEXICON_DIR = Path(__file__).parent / "lexicon"
LANGUAGES = ("en", "pl", "de", "zh")
_PYCOUNTRY_LOCALES = {"pl": "pl", "de": "de", "zh": "zh_CN"}

# Groups of terms in the one automaton.
DATA_CATEGORY = "data_category"
VENDOR_CATEGORY = "vendor_category"
OTHER_RECIPIENT = "other_recipient"
MECHANISM = "mechanism"
PLACE = "place"
LAW = "law"
RIGHT = "right"
TRANSFER_CUE = "transfer_cue"
IN_PRINCIPLE = "in_principle"
CHILD_CUE = "child_cue"
VENDOR_ADJACENT = "vendor_adjacent"
VENDOR_CONTEXT = "vendor_context"
CATEGORY_CUE = "category_cue"


@dataclass(frozen=True)
class Term:
    """One lexicon term: its group, the id it stands for, its language and spelling."""

    group: str
    id: str
    lang: str
    text: str
    case: str  # "exact" (acronyms), "initial" (capitalised names), "any"

    def accepts(self, found: str) -> bool:
        """True when `found` (the text as written) satisfies the term's case rule."""
        if self.case == "exact":
            return " ".join(found.split()) == " ".join(self.text.rstrip("*").split())
        if self.case == "initial":
            return found[:1].isupper() or not found[:1].isalpha()
        return True


@dataclass(frozen=True)
class AgePattern:
    """A regex for a children's age threshold."""

    kind: str
    regex: re.Pattern[str]


@dataclass(frozen=True)
class CandidatePattern:
    """How to spot an unknown third party: a cheap `anchor` (the cue), then `regex` near it.

    side "before": the name precedes the cue ("Acme Ltd", "Zorblax SDK"); "after": it follows
    ("provided by Quuxly"); "inside": the anchor match is the whole name (CJK "...有限公司").
    """

    kind: str
    anchor: re.Pattern[str]
    regex: re.Pattern[str]
    side: str


@dataclass(frozen=True)
class Lexicon:
    """Every term list the scanner uses, compiled."""

    terms: tuple[Term, ...]
    index: PhraseIndex
    storage_in_prc: tuple[re.Pattern[str], ...]
    age_patterns: tuple[AgePattern, ...]
    article_patterns: tuple[re.Pattern[str], ...]
    article_laws: Mapping[str, str]
    candidate_patterns: tuple[CandidatePattern, ...]
    self_words: frozenset[str]
    not_names: frozenset[str]
    template_note_words: tuple[str, ...]
    stopwords: Mapping[str, frozenset[str]]
    letters: Mapping[str, str]
    common_words: frozenset[str]

    def ids(self, group: str) -> frozenset[str]:
        """Every id of a group (e.g. the data categories the lexicon knows)."""
        return frozenset(t.id for t in self.terms if t.group == group)


def _read(name: str, directory: Path) -> Any:
    return safe_load((directory / name).read_text(encoding="utf-8"))


def _case_rule(text: str, group: str) -> str:
    letters = [ch for ch in text if ch.isalpha() and ch.isascii()]
    if letters and all(ch.isupper() for ch in letters) and len(letters) <= 6:
        return "exact"
    if group == PLACE and text[:1].isupper():
        return "initial"
    return "any"


def _terms(group: str, table: Mapping[str, Mapping[str, list[str]]]) -> Iterator[Term]:
    for term_id, by_lang in table.items():
        for lang, words in by_lang.items():
            for word in words:
                yield Term(group, str(term_id), lang, str(word), _case_rule(str(word), group))


def _flat(group: str, by_lang: Mapping[str, list[str]]) -> Iterator[Term]:
    for lang, words in by_lang.items():
        for word in words:
            yield Term(group, group, lang, str(word), _case_rule(str(word), group))


def _country_terms() -> Iterator[Term]:
    """Country names from pycountry: English, and its Polish, German, Chinese translations."""
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        for lang, locale in _PYCOUNTRY_LOCALES.items()
    }
    for country in pycountry.countries:
        code = country.alpha_2
        english = {
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        }
        for name in sorted(n for n in english if n and "," not in n):
            yield Term(PLACE, code, "en", name, _case_rule(name, PLACE))
        for lang, translation in translations.items():
            for source in sorted(n for n in english if n):
                name = translation.gettext(source)
                if (name != source or lang == "de") and "," not in name:
                    yield Term(PLACE, code, lang, name, _case_rule(name, PLACE))


def _common_words(directory: Path) -> frozenset[str]:
    with (directory / "common_words.en.txt").open(encoding="utf-8") as handle:
        return frozenset(
            line.strip() for line in handle if line.strip() and not line.startswith("#")
        )


def _candidate_patterns(cues: Mapping[str, Any]) -> tuple[CandidatePattern, ...]:
    token = r"(?:[A-Z0-9][\w&+'’\-]*|\([A-Z][\w ]*\))"
    joiner = r"(?:[ ](?:&|and|of|und|de)[ ]|[ ])"
    name = rf"(?<![\w])(?P<name>{token}(?:{joiner}{token}){{0,6}})"
    suffixes = "|".join(cues["candidate_suffixes"])
    after = "|".join(re.escape(w) for w in cues["candidate_after"])
    before = "|".join(re.escape(w) for words in cues["candidate_before"].values() for w in words)
    cjk_suffix = "|".join(re.escape(s) for s in cues["cjk_company_suffixes"])
    cjk_name = r"[\u4e00-\u9fff（）()]{2,30}?"
    short = r"(?P<name>[A-Z][\w+\-]*(?:[ ][A-Z][\w+\-]*){0,3})"
    return (
        CandidatePattern(
            "legal_form",
            re.compile(rf"(?<![\w])(?:{suffixes})(?![\w])"),
            re.compile(rf"{name},?[ ](?P<cue>{suffixes})(?![\w])"),
            "before",
        ),
        CandidatePattern(
            "sdk",
            re.compile(rf"(?<![\w])(?:{after})\b"),
            re.compile(rf"(?<![\w]){short}[ ](?P<cue>{after})\b"),
            "before",
        ),
        CandidatePattern(
            "provided_by",
            re.compile(rf"(?:{before})[ ]"),
            re.compile(rf"(?P<cue>{before})[ ]{short}"),
            "after",
        ),
        CandidatePattern(
            "legal_form",
            re.compile(rf"(?P<name>{cjk_name}(?P<cue>{cjk_suffix}))"),
            re.compile(rf"(?P<name>{cjk_name}(?P<cue>{cjk_suffix}))"),
            "inside",
        ),
    )


def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Read the lexicon files of `directory` and compile them."""
    data = _read("data_categories.yaml", directory)
    recipients = _read("recipients.yaml", directory)
    transfers = _read("transfers.yaml", directory)
    laws = _read("laws.yaml", directory)
    children = _read("children.yaml", directory)
    cues = _read("vendors.yaml", directory)
    language = _read("language.yaml", directory)

    terms: list[Term] = [
        *_terms(DATA_CATEGORY, data["data_categories"]),
        *_terms(VENDOR_CATEGORY, recipients["vendor_categories"]),
        *_terms(OTHER_RECIPIENT, recipients["other_recipients"]),
        *_terms(MECHANISM, transfers["mechanisms"]),
        *_terms(PLACE, transfers["regions"]),
        *_terms(PLACE, transfers["country_forms"]),
        *_country_terms(),
        *_flat(TRANSFER_CUE, transfers["transfer_cues"]),
        *_flat(IN_PRINCIPLE, transfers["in_principle"]),
        *_terms(LAW, laws["laws"]),
        *_terms(RIGHT, laws["rights"]),
        *_flat(CHILD_CUE, children["child_cues"]),
        *_flat(VENDOR_ADJACENT, cues["adjacent"]),
        *_flat(VENDOR_CONTEXT, cues["context"]),
        *_terms(CATEGORY_CUE, cues["category_cues"]),
    ]
    unique = tuple(dict.fromkeys(terms))
    index = PhraseIndex((term.text, i) for i, term in enumerate(unique))
    return Lexicon(
        terms=unique,
        index=index,
        storage_in_prc=tuple(re.compile(p) for p in transfers["storage_in_prc"]),
        age_patterns=tuple(
            AgePattern(p["kind"], re.compile(p["regex"])) for p in children["patterns"]
        ),
        article_patterns=tuple(re.compile(p) for p in laws["article_patterns"]),
        article_laws=dict(laws["article_laws"]),
        candidate_patterns=_candidate_patterns(cues),
        self_words=frozenset(w.casefold() for w in cues["self_words"]),
        not_names=frozenset(cues["not_names"]),
        template_note_words=tuple(w.casefold() for w in cues["template_note_words"]),
        stopwords={k: frozenset(v) for k, v in language["stopwords"].items()},
        letters=dict(language["letters"]),
        common_words=_common_words(directory),
    )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon shipped with the scanner, compiled once per process."""
    return load_lexicon()
