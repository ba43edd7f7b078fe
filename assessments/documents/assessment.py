"""Build an impact assessment document (PIPIA, DPIA, TIA) as plain data from a review."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from assessments.documents._data import LANGUAGES, fact_labels, labels, load, safeguard_texts
from assessments.documents.facts import (
    compute_facts,
    party,
    regime,
    regime_summary,
    sensitive,
    severity_from_level,
    subject_counts,
)

KINDS: tuple[str, ...] = ("pipia", "dpia", "tia")
REGIME_ORDER: tuple[str, ...] = ("CN", "EU", "US")
SCHEMA_VERSION = 1
_PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


def template_for(kind: str, language: str) -> dict[str, Any]:
    """The section template of one kind in one language (the PIPIA has en and zh)."""
    if kind not in KINDS:
        raise ValueError(f"unknown assessment kind {kind!r}; expected one of {', '.join(KINDS)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    try:
        return load(f"{kind}.{language}.yaml")
    except FileNotFoundError:
        raise ValueError(f"{kind} is not available in language {language!r}") from None


def languages_for(kind: str) -> tuple[str, ...]:
    """The languages a kind of assessment can be generated in."""
    available = []
    for language in LANGUAGES:
        try:
            template_for(kind, language)
        except ValueError:
            continue
        available.append(language)
    return tuple(available)


def _fill(text: str, facts: Mapping[str, str | None], unknown: str) -> str:
    """Replace {fact} placeholders; a fact without a value prints the unknown marker."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "unknown":
            return unknown
        if key not in facts:
            raise KeyError(f"template names an unknown fact {key!r}")
        return facts[key] or unknown

    return "\n".join(line.rstrip() for line in _PLACEHOLDER.sub(value, text).strip().splitlines())


def _tagged(
    evaluation: Mapping[str, Any],
    codes: list[str],
    key: str,
    texts: tuple[str, ...],
    extras: tuple[str, ...],
) -> list[dict[str, Any]]:
    """The `key` entries (rules, obligations) of the given regimes, each tagged with its regime.

    Fields in `texts` become strings ("" when absent); fields in `extras` keep their value.
    """
    found = []
    for code in codes:
        for entry in regime(evaluation, code).get(key) or []:
            if isinstance(entry, Mapping):
                found.append(
                    {"regime": code}
                    | {name: str(entry.get(name) or "") for name in texts}
                    | {name: entry.get(name) for name in extras}
                )
    return found


def _rules(evaluation: Mapping[str, Any], codes: list[str]) -> list[dict[str, Any]]:
    """The fired rules of the given regimes, each tagged with its regime."""
    return _tagged(evaluation, codes, "rules", ("id", "citation", "explanation"), ("remediation",))


def _obligations(evaluation: Mapping[str, Any], codes: list[str]) -> list[dict[str, Any]]:
    """The obligations of the given regimes, each tagged with its regime."""
    return _tagged(evaluation, codes, "obligations", ("id", "text", "citation"), ("due",))


def _questions(evaluation: Mapping[str, Any], codes: list[str]) -> list[dict[str, str]]:
    """The open questions of the given regimes."""
    return [
        {"regime": code, "text": str(question)}
        for code in codes
        for question in regime(evaluation, code).get("questions") or []
    ]


def _ordered_regimes(primary: str) -> list[str]:
    """The primary regime first, then the others in their usual order."""
    return [primary, *(code for code in REGIME_ORDER if code != primary)]


def _summary(evaluation: Mapping[str, Any], words: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per regime for the summary table."""
    rows = []
    for code in REGIME_ORDER:
        result = regime(evaluation, code)
        if not result:
            continue
        verdict = result.get("verdict")
        mechanism = result.get("mechanism")
        rows.append(
            {
                "regime": code,
                "name": words["regime_names"].get(code, code),
                "applies": bool(result.get("applies")),
                "verdict": verdict,
                "verdict_label": words["verdict_values"].get(verdict, verdict),
                "mechanism": mechanism,
                "mechanism_label": words["mechanism_values"].get(mechanism, mechanism)
                if mechanism
                else None,
                "level": result.get("level") if result.get("applies") else None,
                "level_label": words["level_values"].get(result.get("level"))
                if result.get("applies")
                else None,
                "score": result.get("score") if result.get("applies") else None,
                "met": result.get("met"),
                "why": str(result.get("why") or ""),
                "summary": regime_summary(result, words),
            }
        )
    return rows


def _screening(
    transfer: Mapping[str, Any], facts: Mapping[str, str | None], words: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The WP248 criteria with met / not indicated / unknown and the facts behind each."""
    table = load("sensitivity.yaml")["wp248"]
    categories = set(transfer.get("data_categories") or [])
    purposes = set(transfer.get("purposes") or [])
    minors = any(m for _, _, m in subject_counts(transfer))
    rows = []
    for criterion in table["criteria"]:
        hits = sorted(categories & set(criterion.get("categories") or []))
        if criterion.get("taxonomy"):
            hits = sorted(set(hits) | set(sensitive(categories, criterion["taxonomy"])))
        hits += sorted(purposes & set(criterion.get("purposes") or []))
        if criterion.get("minors") and minors:
            hits.append("minors")
        decidable = any(k in criterion for k in ("categories", "purposes", "minors", "taxonomy"))
        if hits:
            status, basis = "met", ", ".join(hits)
        elif criterion.get("count_fact"):
            status, basis = "unknown", facts.get("data_subjects") or ""
        elif decidable:
            status, basis = "not_indicated", ""
        else:
            status, basis = "unknown", ""
        rows.append(
            {
                "id": criterion["id"],
                "number": criterion["number"],
                "title": criterion["title"],
                "status": status,
                "status_label": words["criterion_values"][status],
                "basis": basis,
            }
        )
    return rows


def _risks(
    template: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    transfer: Mapping[str, Any],
    owner: str | None,
    language: str,
    words: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The risk register: the template's feared events with what the review supports."""
    declared = set(transfer.get("safeguards") or [])
    measures = safeguard_texts(language)
    risks = []
    for number, item in enumerate(template.get("risks") or [], start=1):
        code = str(item.get("severity_from") or template["primary_regime"])
        result = regime(evaluation, code)
        severity = severity_from_level(result)
        in_place = [measures.get(s, s) for s in item.get("safeguards") or [] if s in declared]
        mechanism = result.get("mechanism") if result.get("applies") else None
        if mechanism and result.get("verdict") in ("mechanism_required", "approval_required"):
            label = words["mechanism_values"].get(mechanism, mechanism)
            if not result.get("met"):
                in_place.append(f"{label} ({words['verdict_values'][result['verdict']]})")
        risks.append(
            {
                "id": f"R{number}",
                "key": item["id"],
                "category": item["category"],
                "risk": item["risk"],
                "likelihood": None,
                "severity": severity,
                "basis": f"{code}: {words['level']} {words['level_values'][result['level']]}"
                if severity is not None
                else None,
                "measure": "; ".join(in_place) or None,
                "residual": None,
                "owner": owner,
                "source": "template",
            }
        )
    return risks


def _flatten(value: Any, prefix: str = "") -> list[list[str]]:
    """Rows of [path, value] for a nested structure, for the appendix tables."""
    if isinstance(value, Mapping):
        rows: list[list[str]] = []
        for key, item in value.items():
            rows += _flatten(item, f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, list | tuple):
        if all(not isinstance(item, Mapping | list | tuple) for item in value):
            return [[prefix, ", ".join(str(item) for item in value)]]
        rows = []
        for index, item in enumerate(value):
            rows += _flatten(item, f"{prefix}[{index}]")
        return rows
    return [[prefix, "" if value is None else str(value)]]


def _vendor_display(vendor_name: Any, importer_name: Any) -> str | None:
    """'Registry name (contracting entity)', or whichever of the two is known."""
    if vendor_name and importer_name and vendor_name != importer_name:
        return f"{vendor_name} ({importer_name})"
    return str(vendor_name or importer_name) if (vendor_name or importer_name) else None


def build_assessment(
    kind: str,
    review: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    vendor: Mapping[str, Any] | None,
    *,
    language: str = "en",
    date: str | None = None,
) -> dict[str, Any]:
    """An assessment document (plain data) pre-filled from a review, its evaluation and vendor."""
    template = template_for(kind, language)
    words = labels(language)
    names = fact_labels(language)
    unknown = str(words["unknown"])
    facts = compute_facts(review, evaluation, vendor, language)
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    primary = str(template["primary_regime"])
    codes = _ordered_regimes(primary)

    sections = []
    all_unknowns: list[str] = []
    for number, spec in enumerate(template["sections"], start=1):
        rows = [
            {"key": key, "label": names[key], "value": facts[key], "unknown": facts[key] is None}
            for key in spec.get("facts") or []
        ]
        unknowns = [row["label"] for row in rows if row["unknown"]]
        all_unknowns += [label for label in unknowns if label not in all_unknowns]
        section: dict[str, Any] = {
            "id": spec["id"],
            "number": str(number),
            "title": spec["title"],
            "citation": spec.get("citation") or "",
            "guidance": spec.get("guidance") or "",
            "text": _fill(spec.get("text") or "", facts, unknown),
            "facts": rows,
            "unknowns": unknowns,
            "findings": _rules(evaluation, list(spec.get("findings") or [])),
            "obligations": _obligations(evaluation, list(spec.get("obligations") or [])),
        }
        if spec.get("screening"):
            section["screening"] = _screening(transfer, facts, words)
        sections.append(section)

    exporter: Mapping[str, Any] = transfer.get("exporter") or {}
    importer: Mapping[str, Any] = transfer.get("importer") or {}
    vendor_name = (vendor or {}).get("name")
    as_of = str(evaluation.get("as_of") or transfer.get("as_of") or "")
    return {
        "schema": SCHEMA_VERSION,
        "kind": kind,
        "language": language,
        "title": template["title"],
        "short_title": template["short_title"],
        "framework": template["framework"],
        "primary_regime": primary,
        "company": exporter.get("name") or party(exporter),
        "vendor": _vendor_display(vendor_name, importer.get("name")),
        "vendor_slug": importer.get("vendor") or (vendor or {}).get("slug"),
        "subtitle": str(words["cover_transfer"]).format(
            exporter=facts["exporter"] or unknown, importer=facts["importer"] or unknown
        ),
        "review_id": review.get("id"),
        "requester": facts["requester"],
        "business_owner": facts["business_owner"],
        "as_of": as_of,
        "meta": {"version": 1, "status": "draft", "date": date or as_of},
        "labels": words,
        "overall": dict(evaluation.get("overall") or {}),
        "summary": _summary(evaluation, words),
        "sections": sections,
        "risks": _risks(template, evaluation, transfer, facts["business_owner"], language, words),
        "rules": _rules(evaluation, codes),
        "obligations": _obligations(evaluation, codes),
        "questions": _questions(evaluation, codes),
        "unknowns": all_unknowns,
        "appendix": {
            "review": _flatten({k: v for k, v in review.items() if k != "vendor"}),
            "vendor": _flatten(dict(vendor or {})),
            "evaluation": json.dumps(evaluation, indent=2, ensure_ascii=False, default=str),
        },
    }
