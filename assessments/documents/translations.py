"""Chinese texts of the engine's rules, obligations and questions, for the Chinese PIPIA.

The rules (assessments/rules/*.yaml) are written in English and filled by the engine with
the facts of a transfer. data/rules.zh.yaml carries a Simplified Chinese text per rule id
(explanation, remediation, question) and per obligation id (text, due), with the same
placeholders. To fill a Chinese text, the placeholders' values are read back from the
English text the engine produced, by matching it against its own English template; the
English rule files stay the one owner of the logic, this file only of the translation.
"""

from __future__ import annotations

import hashlib
import re
import string
import sys
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
    for pattern in load("vocabulary.yaml")["zh"]["engine_patterns"]:
        value = re.sub(str(pattern["en"]), str(pattern["zh"]), value)
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


def fingerprint(english: str) -> str:
    """What rules.zh.yaml `source` records for an English text."""
    return hashlib.sha1(" ".join(english.split()).encode("utf-8")).hexdigest()[:10]


def status(key: str, field: str) -> str:
    """'ok', 'missing' (no Chinese) or 'stale' (the English changed since it was translated)."""
    entry = load("rules.zh.yaml").get(key) or {}
    template = _templates().get(key, {}).get(field)
    if not entry.get(field) or template is None:
        return "missing"
    if (entry.get("source") or {}).get(field) != fingerprint(template):
        return "stale"
    return "ok"


def translate(key: str, field: str, filled: str) -> str | None:
    """The Chinese text of one field of a rule or obligation; None when there is none, or when
    it translates an older English text (never a stale translation)."""
    if status(key, field) != "ok":
        return None
    zh = str(load("rules.zh.yaml")[key][field])
    template = _templates()[key][field]
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


# How the engine words a provisional verdict (assessments/engine.py) and the open facts it
# assumed (assessments/facts.py OpenInput ids and answers), in Chinese.
_UNLESS_DPF = re.compile(r"^(?P<name>.+?), unless the importer is DPF-certified \(unknown\)\. ")
_PROVISIONAL = re.compile(
    r"^Provisional - open questions are answered on the strict side \((?P<assumed>[^()]*)\)\. "
)
OPEN_FACTS: dict[str, str] = {
    "ciio": "关键信息基础设施运营者",
    "important data": "重要数据",
    "processing volume": "处理规模",
    "dpf certified": "数据隐私框架认证",
    "targets eu": "针对欧盟境内个人",
    "ownership": "所有权",
    "data broker": "数据经纪商",
    "ccpa business": "《加州消费者隐私法》所称企业",
}
ENGINE_MECHANISM_NAMES: dict[str, str] = {
    "SCCs": "标准合同条款",
    "BCRs": "约束性企业规则",
    "Do not transfer": "不得传输",
    "An Art. 49 derogation": "第49条例外",
    "Adequacy": "充分性决定",
}
ANSWERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^yes$"), "是"),
    (re.compile(r"^no$"), "否"),
    (re.compile(r"^neither$"), "均否"),
    (re.compile(r"^([\d,]+) or more$"), r"\1 人及以上"),
    (re.compile(r"^fewer than ([\d,]+)$"), r"少于 \1 人"),
    (re.compile(r"^([\d.]+)% or more from a country of concern$"), r"受关注国家持股 \1% 及以上"),
    (
        re.compile(r"^([\d.]+)% or more from a foreign adversary country, under ([\d.]+)%$"),
        r"外国对手国家持股 \1% 及以上、低于 \2%",
    ),
)


def _assumed(text: str) -> str | None:
    """'targets eu: yes; dpf certified: no' in Chinese, None for an unknown fact or answer."""
    parts = []
    for item in text.split("; "):
        fact, _, answer = item.partition(": ")
        words = next((p.sub(zh, answer) for p, zh in ANSWERS if p.match(answer)), None)
        if fact not in OPEN_FACTS or words is None:
            return None
        parts.append(f"{OPEN_FACTS[fact]}：{words}")
    return "；".join(parts)


def translated_why(result: Mapping[str, Any], language: str) -> str:
    """A regime result's 'why' (the deciding rules' explanations) in the language."""
    why = str(result.get("why") or "")
    if language != "zh" or not why:
        return why
    flat = " ".join(why.split())
    prefix = ""
    if match := _UNLESS_DPF.match(flat):
        name = ENGINE_MECHANISM_NAMES.get(match["name"])
        if name is None:
            return why
        prefix += f"{name}，除非接收方已通过数据隐私框架认证（未知）。"
        flat = flat[match.end() :]
    if match := _PROVISIONAL.match(flat):
        assumed = _assumed(match["assumed"])
        if assumed is None:
            return why
        prefix += f"暂定：未决问题按较严格的情形作答（{assumed}）。"
        flat = flat[match.end() :]
    body = _why_body(result, flat)
    return prefix + body if body is not None else why


def _why_body(result: Mapping[str, Any], flat: str) -> str | None:
    """The deciding rules' explanations of a 'why', translated."""
    for rule in result.get("rules") or []:
        if isinstance(rule, Mapping) and rule.get("id"):
            text = translate(str(rule["id"]), "explanation", flat)
            if text is not None:
                return text
    return _sequence(flat)


def report() -> list[str]:
    """Every rule text whose Chinese is missing or stale, with the English to translate."""
    return [
        f"{state}: {key}.{field}: {' '.join(english.split())}"
        for key, texts in _templates().items()
        for field, english in texts.items()
        if (state := status(key, field)) != "ok"
    ]


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    lines = report()
    print("\n".join(lines) or "every rule text has a current Chinese translation")
    sys.exit(1 if lines else 0)
