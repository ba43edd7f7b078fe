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

from assessments.documents._data import load
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


def _fill(zh: str, values: Mapping[str, str]) -> str | None:
    out = []
    for literal, name, _spec, _conv in _FIELD.parse(zh):
        out.append(literal)
        if name is not None:
            if name not in values:
                return None
            out.append(values[name])
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


def translated_why(result: Mapping[str, Any], language: str) -> str:
    """A regime result's 'why' (the deciding rule's explanation) in the language."""
    why = str(result.get("why") or "")
    if language != "zh" or not why:
        return why
    flat = " ".join(why.split())
    for rule in result.get("rules") or []:
        if isinstance(rule, Mapping) and rule.get("id"):
            text = translate(str(rule["id"]), "explanation", flat)
            if text is not None:
                return text
    for key in _templates():
        if key.startswith(("CN-", "EU-", "US-")):
            text = translate(key, "explanation", flat)
            if text is not None:
                return text
    return why
