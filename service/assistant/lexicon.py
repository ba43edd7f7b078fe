"""The offline assistant's vocabulary: phrases for taxonomy ids, countries, kinds and cues."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

from assessments.yamlio import safe_load

LEXICON_FILE = Path(__file__).resolve().parent / "lexicon.yaml"

# Tables whose matches compete for the same words; longer phrases win, then this order.
ENTITY_TABLES = ("kind", "data_category", "ambiguous", "purpose", "status", "country")

_APOSTROPHE = re.compile(r"(?<=\w)['’]s?(?=\W|$)")
# A word: a run of Latin letters and digits, or a run of Chinese characters, so that a Latin
# name inside a Chinese sentence ("向Firebase发送") is a word of its own.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[^\W{_HAN}]+|[{_HAN}]+")
# Chinese numerals with a unit (两百万, 二十万, 一千万); a run without a digit character (百度,
# 千万 "by all means") is not a number.
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1_000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")


def _cn_value(run: str) -> int | None:
    """The value of a Chinese numeral run, or None when it is not a number with a unit."""
    has_unit = any(c in _CN_UNITS or c in _CN_BIG for c in run)
    if not has_unit or not any(c in _CN_DIGITS for c in run):
        return None
    total = section = number = 0
    for char in run:
        if char in _CN_DIGITS:
            number = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (number or 1) * _CN_UNITS[char]
            number = 0
        else:
            total = (total + section + number) * _CN_BIG[char]
            section = number = 0
    return total + section + number


def arabic_numbers(text: str) -> str:
    """Chinese numerals with a unit written as digits: 两百万 -> 2000000, 二十万 -> 200000."""

    def one(match: re.Match[str]) -> str:
        value = _cn_value(match.group(0))
        return match.group(0) if value is None else str(value)

    return _CN_NUMBER.sub(one, text)


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Whether the text contains Chinese characters."""
    return _CJK.search(text) is not None


def stem(word: str) -> str:
    """A crude plural fold applied to both questions and phrases, so they agree."""
    if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a question: as written, folded, and where it starts in the text."""

    surface: str
    folded: str
    start: int
    end: int


def words_of(text: str) -> list[Word]:
    """The words of a text with possessives dropped ("users'" and "Firebase's" lose the s)."""
    cleaned = _APOSTROPHE.sub(lambda m: " " * len(m.group(0)), text)
    normal = unicodedata.normalize("NFKC", cleaned)
    return [
        Word(m.group(0), stem(m.group(0).casefold()), m.start(), m.end())
        for m in _WORD.finditer(normal)
    ]


def fold_phrase(phrase: str) -> tuple[str, ...]:
    """A phrase as the tuple of folded words it matches."""
    return tuple(w.folded for w in words_of(phrase))


@dataclass(frozen=True, slots=True)
class Entry:
    """What a phrase means: a table ("country", "cue:processing", ...) and a target id."""

    table: str
    target: str


@dataclass(frozen=True)
class Lexicon:
    """Phrases by folded words (Latin) and by text (Chinese), and the never-a-vendor words."""

    phrases: Mapping[tuple[str, ...], tuple[Entry, ...]]
    cjk_phrases: tuple[tuple[str, Entry], ...]
    longest: int
    common_words: frozenset[str]
    upper_codes: Mapping[str, str]
    vocabulary: frozenset[str]
    subject_words: frozenset[str]  # one-word names of people: users, customers, 用户, ...
    chinese_stop: tuple[str, ...] = ()  # Chinese phrases and function words, longest first


def _add(
    phrases: dict[tuple[str, ...], list[Entry]],
    cjk: list[tuple[str, Entry]],
    phrase: str,
    entry: Entry,
) -> None:
    if has_cjk(phrase):
        cjk.append((unicodedata.normalize("NFKC", phrase).casefold(), entry))
        return
    key = fold_phrase(phrase)
    if key and entry not in phrases.setdefault(key, []):
        phrases[key].append(entry)


def _names_of_country(country: Any) -> Iterable[str]:
    for attr in ("name", "common_name", "official_name"):
        value = getattr(country, attr, None)
        if value:
            yield str(value)


@lru_cache(maxsize=4)
def load_lexicon(
    data_categories: tuple[tuple[str, str], ...],
    purposes: tuple[tuple[str, str], ...],
    vendor_categories: tuple[tuple[str, str], ...],
) -> Lexicon:
    """Build the lexicon from lexicon.yaml plus the reference data's ids and display names."""
    raw = safe_load(LEXICON_FILE.read_text(encoding="utf-8"))
    phrases: dict[tuple[str, ...], list[Entry]] = {}
    cjk: list[tuple[str, Entry]] = []
    for ident, name in data_categories:
        _add(phrases, cjk, name, Entry("data_category", ident))
    for ident, name in purposes:
        _add(phrases, cjk, name, Entry("purpose", ident))
    for ident, name in vendor_categories:
        for part in name.split(" / "):
            _add(phrases, cjk, part, Entry("kind", ident))
    for table, section in (
        ("data_category", "data_categories"),
        ("purpose", "purposes"),
        ("kind", "vendor_kinds"),
        ("status", "statuses"),
        ("country", "country_names"),
    ):
        for target, words in raw[section].items():
            for phrase in words:
                _add(phrases, cjk, str(phrase), Entry(table, str(target)))
    for word, targets in raw["ambiguous_data_categories"].items():
        _add(phrases, cjk, str(word), Entry("ambiguous", ",".join(targets)))
    for country in pycountry.countries:
        for name in _names_of_country(country):
            _add(phrases, cjk, name, Entry("country", country.alpha_2))
    for cue, words in raw["cues"].items():
        if isinstance(words, dict):
            for target, sub in words.items():
                for phrase in sub:
                    _add(phrases, cjk, str(phrase), Entry(f"cue:{cue}", str(target)))
            continue
        for phrase in words:
            _add(phrases, cjk, str(phrase), Entry(f"cue:{cue}", cue))
    upper = {str(code): _upper_target(str(code)) for code in raw["country_codes_upper"]}
    vocabulary = frozenset(w for key in phrases for w in key)
    stop = {phrase for phrase, _entry in cjk}
    stop |= {unicodedata.normalize("NFKC", str(w)) for w in raw["chinese_function_words"]}
    return Lexicon(
        phrases={k: tuple(v) for k, v in phrases.items()},
        cjk_phrases=tuple(sorted(cjk, key=lambda item: -len(item[0]))),
        longest=max(len(k) for k in phrases),
        common_words=frozenset(stem(str(w).casefold()) for w in raw["common_words"]),
        upper_codes=upper,
        vocabulary=vocabulary,
        subject_words=frozenset(
            key[0]
            for key, entries in phrases.items()
            if len(key) == 1 and any(e.table == "cue:subjects" for e in entries)
        ),
        chinese_stop=tuple(sorted(stop, key=lambda w: (-len(w), w))),
    )


def chinese_remainder(text: str, lexicon: Lexicon) -> list[str]:
    """The pieces of a Chinese text left when every phrase the lexicon knows, every function
    word and every numeral is cut out: where an unknown name can be ("向小鹅通发送" -> 小鹅通)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    for phrase in lexicon.chinese_stop:
        folded = folded.replace(phrase, " ")
    folded = _CN_NUMBER.sub(" ", folded)
    return [piece for piece in re.findall(rf"[{_HAN}]+", folded) if len(piece) >= 2]


def _upper_target(code: str) -> str:
    return {"USA": "US", "UK": "GB", "EEA": "EU", "PRC": "CN", "UAE": "AE"}.get(code, code)
