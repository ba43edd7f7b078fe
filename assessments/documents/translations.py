"""Chinese texts of the engine's rules, obligations and questions, for the Chinese PIPIA.

The rules (assessments/rules/*.yaml) are written in English and filled by the engine with
the facts of a transfer. data/rules.zh.yaml carries a Simplified Chinese text per rule id
(explanation, remediation, question) and per obligation id (text, due), with the same
placeholders. To fill a Chinese text, the placeholders' values are read back from the
English text the engine produced, by matching it against its own English template; the
English rule files stay the one owner of the logic, this file only of the translation.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from functools import cache
from typing import Any

import pycountry

from assessments.catalog.reference import display_name
from assessments.documents._data import load
from assessments.documents.substance import LAW_NAMES_ZH
from assessments.documents.vocabulary import label, prose, table
from assessments.rules.loader import default_rules

_FIELD = string.Formatter()


@cache
def _templates() -> dict[str, dict[str, str]]:
    """English templates by rule or obligation id: {"explanation", "remediation", ...}."""
    found: dict[str, dict[str, str]] = {}
    for regime in default_rules().regimes.values():
        for rule in regime.rules:
            texts = {"explanation": rule.explanation}
            if rule.remediation:
                texts["remediation"] = rule.remediation
            if rule.question:
                texts["question"] = rule.question
            found[rule.id] = texts
            for obligation in rule.obligations:
                texts = {"text": obligation.text}
                if obligation.due:
                    texts["due"] = obligation.due
                found[obligation.id] = texts
    return found


@cache
def _pattern(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """A regex that reads a template's placeholder values back from the filled text."""
    parts: list[str] = []
    names: list[str] = []
    for literal, name, _spec, _conv in _FIELD.parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            group = f"g{len(names)}"
            names.append(name)
            parts.append(f"(?P<{group}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.DOTALL), tuple(names)


def _values(template: str, filled: str) -> dict[str, str] | None:
    """The placeholder values of a filled text, None when it does not follow the template."""
    pattern, names = _pattern(" ".join(template.split()))
    match = pattern.match(" ".join(filled.split()))
    if match is None:
        return None
    return {name: match.group(f"g{index}") for index, name in enumerate(names)}


@cache
def _country_codes() -> dict[str, str]:
    """Country codes by the English names the engine prints ('United States' -> 'US')."""
    names = {display_name(str(c.alpha_2)): str(c.alpha_2) for c in pycountry.countries}
    return names | {"EU/EEA": "EU"}


@cache
def _phrases() -> list[tuple[str, str]]:
    """English fragments of placeholder values and their Chinese, longest first."""
    found = dict(load("vocabulary.yaml")["zh"]["engine_phrases"])
    found |= {name: label("countries", code, "zh") for name, code in _country_codes().items()}
    found |= LAW_NAMES_ZH
    for kind in ("data_categories", "purposes", "transactions"):
        english, chinese = table(kind, "en"), table(kind, "zh")
        found |= {english[k]: chinese[k] for k in english if k in chinese}
    return sorted(found.items(), key=lambda pair: -len(pair[0]))


# Placeholders that hold a name as the user wrote it: never translated.
NAMES: frozenset[str] = frozenset({"importer_name"})


def _zh_value(name: str, value: str) -> str:
    """A placeholder value in Chinese: ids, country, law and category names, engine phrases."""
    if name in NAMES:
        return value
    parts = []
    for part in value.split(", "):
        for kind in ("data_categories", "purposes", "transactions", "mechanisms"):
            if part in table(kind, "zh"):
                part = table(kind, "zh")[part]
                break
        parts.append(part)
    text = prose("、".join(parts), "zh")
    for english, chinese in _phrases():
        if english in text:
            text = re.sub(rf"(?<![A-Za-z]){re.escape(english)}(?![A-Za-z])", chinese, text)
    return text.replace("; ", "；").replace(": ", "：").replace(" (", "（").replace(")", "）")


def _fill(zh: str, values: Mapping[str, str]) -> str | None:
    out = []
    for literal, name, _spec, _conv in _FIELD.parse(zh):
        out.append(literal)
        if name is not None:
            if name not in values:
                return None
            out.append(_zh_value(name, values[name]))
    return "".join(out)


def translate(key: str, field: str, filled: str) -> str | None:
    """The Chinese text of one field of a rule or obligation, None when none is on file."""
    zh = (load("rules.zh.yaml").get(key) or {}).get(field)
    if not zh:
        return None
    template = _templates().get(key, {}).get(field)
    if template is None:
        return None
    values = _values(template, filled)
    return _fill(" ".join(str(zh).split()), values) if values is not None else None


TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "rules": ("explanation", "remediation"),
    "obligations": ("text", "due"),
}


def translated(kind: str, entry: Mapping[str, Any], language: str) -> Mapping[str, Any]:
    """A rule or obligation entry with its texts in the language (as it is for English)."""
    if language != "zh":
        return entry
    result = dict(entry)
    for field in TEXT_FIELDS.get(kind, ()):
        if entry.get(field):
            text = translate(str(entry.get("id")), field, str(entry[field]))
            if text is not None:
                result[field] = text
    return result


@cache
def _questions() -> dict[str, str]:
    """Rule ids by their English question text."""
    return {
        " ".join(texts["question"].split()): key
        for key, texts in _templates().items()
        if "question" in texts
    }


def translated_question(question: str, language: str) -> str:
    """An open question in the language."""
    if language != "zh":
        return question
    flat = " ".join(question.split())
    for template, key in _questions().items():
        text = translate(key, "question", flat) if _values(template, flat) is not None else None
        if text is not None:
            return text
    return question


def _sequence(flat: str) -> str | None:
    """A text made of several rules' explanations one after the other, each translated."""
    if not flat:
        return ""
    for key, texts in _templates().items():
        template = texts.get("explanation")
        zh = (load("rules.zh.yaml").get(key) or {}).get("explanation")
        if not template or not zh:
            continue
        pattern, _names = _pattern(" ".join(template.split()))
        unanchored = re.compile(pattern.pattern.removesuffix(r"\Z") + r"(?= |\Z)", re.DOTALL)
        match = unanchored.match(flat)
        if match is None:
            continue
        head = translate(key, "explanation", match.group(0))
        rest = _sequence(flat[match.end() :].strip())
        if head is not None and rest is not None:
            return head + rest
    return None


def translated_why(result: Mapping[str, Any], language: str) -> str:
    """A regime result's 'why' (the deciding rules' explanations) in the language."""
    why = str(result.get("why") or "")
    if language != "zh" or not why:
        return why
    flat = " ".join(why.split())
    for rule in result.get("rules") or []:
        if isinstance(rule, Mapping) and rule.get("id"):
            text = translate(str(rule["id"]), "explanation", flat)
            if text is not None:
                return text
    return _sequence(flat) or why
