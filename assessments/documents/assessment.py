"""Build an impact assessment document (PIPIA, DPIA, TIA) as plain data from a review."""

from __future__ import annotations

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
    subject_counts,
)
from assessments.documents.substance import profile, rate
from assessments.documents.translations import translated, translated_question, translated_why
from assessments.documents.vocabulary import prose, table
from assessments.types import REGIMES

KINDS: tuple[str, ...] = ("pipia", "dpia", "tia", "ccpa")
# The regime whose law asks for each kind.
KIND_REGIMES: dict[str, str] = {"pipia": "CN", "dpia": "EU", "tia": "EU", "ccpa": "US"}
# A CCPA risk assessment is owed when the engine finds the 11 CCR § 7150 trigger.
CCPA_RISK_ASSESSMENT = "US-CCPA-7150-RA"
SCHEMA_VERSION = 2
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


def applicable_kinds(evaluation: Mapping[str, Any]) -> dict[str, str | None]:
    """Each kind with None when the evaluation calls for it, else why it does not apply."""
    reasons: dict[str, str | None] = {}
    for kind in KINDS:
        code = KIND_REGIMES[kind]
        result = regime(evaluation, code)
        if kind == "ccpa":
            owed = any(
                isinstance(o, Mapping) and o.get("id") == CCPA_RISK_ASSESSMENT
                for o in result.get("obligations") or []
            )
            reasons[kind] = (
                None
                if owed
                else (
                    "The CCPA regulations (11 CCR § 7150) do not call for a risk assessment here: "
                    "no selling or sharing and no sensitive personal information of California "
                    "consumers was found."
                )
            )
        elif result.get("applies"):
            reasons[kind] = None
        else:
            law = {"CN": "PRC law (PIPL)", "EU": "the GDPR"}[code]
            reasons[kind] = (
                f"A {kind.upper()} is for transfers {law} applies to; it does not apply here."
            )
    return reasons


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
    language: str,
    words: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The `key` entries (rules, obligations) of the given regimes, each tagged with its regime.

    Fields in `texts` become strings ("" when absent); fields in `extras` keep their value.
    """
    found: list[dict[str, Any]] = []
    for code in codes:
        for entry in regime(evaluation, code).get(key) or []:
            if isinstance(entry, Mapping):
                entry = translated(key, entry, language)
                item: dict[str, Any] = {
                    "regime": code,
                    "regime_name": str(words["regime_names"].get(code, code)),
                }
                item |= {name: _words(entry.get(name), name, language) for name in texts}
                item |= {name: _words(entry.get(name), name, language) or None for name in extras}
                found.append(item)
    return found


def _words(value: Any, name: str, language: str) -> str:
    """A text field of an engine entry, ids in words (ids and citations stay as they are)."""
    text = str(value or "")
    return text if name in ("id", "citation") else prose(text, language)


def _rules(
    evaluation: Mapping[str, Any], codes: list[str], language: str, words: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The fired rules of the given regimes, each tagged with its regime."""
    return _tagged(
        evaluation,
        codes,
        "rules",
        ("id", "citation", "explanation"),
        ("remediation",),
        language,
        words,
    )


def _obligations(
    evaluation: Mapping[str, Any], codes: list[str], language: str, words: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The obligations of the given regimes, each tagged with its regime."""
    return _tagged(
        evaluation, codes, "obligations", ("id", "text", "citation"), ("due",), language, words
    )


def _questions(
    evaluation: Mapping[str, Any], codes: list[str], language: str
) -> list[dict[str, str]]:
    """The open questions of the given regimes."""
    return [
        {"regime": code, "text": prose(translated_question(str(question), language), language)}
        for code in codes
        for question in regime(evaluation, code).get("questions") or []
    ]


def _ordered_regimes(primary: str) -> list[str]:
    """The primary regime first, then the others in their usual order."""
    return [primary, *(code for code in REGIMES if code != primary)]


def _summary(
    evaluation: Mapping[str, Any], words: Mapping[str, Any], language: str
) -> list[dict[str, Any]]:
    """One row per regime for the summary table."""
    rows = []
    for code in REGIMES:
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
                "why": prose(translated_why(result, language), language),
                "summary": regime_summary(result, words),
            }
        )
    return rows


def _hit_words(hits: list[str], language: str, words: Mapping[str, Any]) -> list[str]:
    """Screening hits (category or purpose ids, 'minors') in words."""
    names = table("data_categories", language) | table("purposes", language)
    return [str(words["minors"]) if hit == "minors" else names.get(hit, hit) for hit in hits]


def _screening(
    transfer: Mapping[str, Any],
    facts: Mapping[str, str | None],
    words: Mapping[str, Any],
    language: str,
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
            status, basis = "met", ", ".join(_hit_words(hits, language, words))
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


def _measures(
    item: Mapping[str, Any],
    result: Mapping[str, Any],
    declared: set[str],
    obligations: list[dict[str, Any]],
    language: str,
    words: Mapping[str, Any],
) -> list[str]:
    """Measures against one feared event: safeguards in place, the mechanism, obligations."""
    measures = safeguard_texts(language)
    found = [
        f"{measures.get(s, s)}（{words['in_place']}）"
        if language == "zh"
        else f"{measures.get(s, s)} ({words['in_place']})"
        for s in item.get("safeguards") or []
        if s in declared
    ]
    mechanism = result.get("mechanism") if result.get("applies") else None
    if mechanism and result.get("verdict") in ("mechanism_required", "approval_required"):
        name = words["mechanism_values"].get(mechanism, mechanism)
        state = words["met"] if result.get("met") else words["verdict_values"][result["verdict"]]
        found.append(f"{name}（{state}）" if language == "zh" else f"{name} ({state})")
    prefixes = tuple(load("risk_measures.yaml").get(item["category"]) or ())
    for obligation in obligations:
        if prefixes and obligation["id"].startswith(prefixes):
            found.append(f"{obligation['text']} [{obligation['citation']}]")
    return found


def _risks(
    template: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    transfer: Mapping[str, Any],
    facts: Mapping[str, str | None],
    obligations: list[dict[str, Any]],
    language: str,
    words: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The risk register: the template's feared events, rated from the review's facts.

    Likelihood and severity come from substance.rate (categories, volume, children,
    destination, safeguards) with the basis of each printed beside it; measures are the
    declared safeguards, the mechanism the engine chose and the obligations that address
    the event. The residual risk is legal's call and stays unknown.
    """
    declared = set(transfer.get("safeguards") or [])
    facts_profile = profile(transfer)
    risks = []
    for number, item in enumerate(template.get("risks") or [], start=1):
        code = str(item.get("severity_from") or template["primary_regime"])
        result = regime(evaluation, code)
        rating = rate(
            item["category"],
            facts_profile,
            language,
            regime=str(template["primary_regime"]),
            rights_channel_known=facts.get("rights_channel") is not None,
        )
        in_place = _measures(
            item,
            result,
            declared,
            [o for o in obligations if o["regime"] == code],
            language,
            words,
        )
        risks.append(
            {
                "id": f"R{number}",
                "key": item["id"],
                "category": item["category"],
                "risk": item["risk"],
                **rating,
                "measure": "\n".join(f"- {m}" for m in in_place) or None,
                "residual": None,
                "owner": facts.get("business_owner"),
                "source": "template",
            }
        )
    return risks


def _appendix(
    review: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    vendor: Mapping[str, Any] | None,
    facts: Mapping[str, str | None],
    summary: list[dict[str, Any]],
    language: str,
    words: Mapping[str, Any],
) -> dict[str, list[list[str]]]:
    """The review, the vendor record and the evaluation as label/value tables."""
    names = fact_labels(language)
    unknown = str(words["unknown"])

    def rows(keys: tuple[str, ...]) -> list[list[str]]:
        return [[names[key], facts.get(key) or unknown] for key in keys]

    review_rows = [
        [str(words["review"]), str(review.get("id") or unknown)],
        *rows(
            (
                "exporter",
                "exporter_role",
                "ciio",
                "importer",
                "importer_role",
                "destinations",
                "data_subjects",
                "minors",
                "data_categories",
                "purposes",
                "purpose_text",
                "transaction",
                "safeguards",
                "exemptions",
                "important_data",
                "requester",
                "business_owner",
            )
        ),
    ]
    vendor_keys = (
        "vendor_name",
        "vendor_parent",
        "vendor_category",
        "vendor_legal_entities",
        "vendor_processing_countries",
        "vendor_certifications",
        "vendor_transfer_mechanisms",
        "vendor_dpf",
        "vendor_status",
        "vendor_urls",
        "vendor_last_verified",
    )
    evaluation_rows = [
        [str(words["as_of"]), str(evaluation.get("as_of") or unknown)],
        [str(words["rules_version"]), str(evaluation.get("rules_version") or unknown)],
    ]
    for row in summary:
        evaluation_rows.append([str(row["name"]), row["summary"] or str(row["verdict_label"])])
    overall = evaluation.get("overall") or {}
    if overall.get("level"):
        level = words["level_values"].get(overall["level"], overall["level"])
        evaluation_rows.append([str(words["overall"]), f"{level} ({overall.get('score')})"])
    return {
        "review": review_rows,
        "vendor": rows(vendor_keys) if vendor else [],
        "evaluation": evaluation_rows,
    }


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
        # Facts the text names but the table does not list (long analyses) count too.
        named = [
            key
            for key in _PLACEHOLDER.findall(spec.get("text") or "")
            if key in facts and key not in (spec.get("facts") or [])
        ]
        unknowns = [row["label"] for row in rows if row["unknown"]]
        unknowns += [names[key] for key in named if facts[key] is None]
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
            "findings": _rules(evaluation, list(spec.get("findings") or []), language, words),
            "obligations": _obligations(
                evaluation, list(spec.get("obligations") or []), language, words
            ),
        }
        if spec.get("screening"):
            section["screening"] = _screening(transfer, facts, words, language)
        sections.append(section)

    exporter: Mapping[str, Any] = transfer.get("exporter") or {}
    importer: Mapping[str, Any] = transfer.get("importer") or {}
    vendor_name = (vendor or {}).get("name")
    as_of = str(evaluation.get("as_of") or transfer.get("as_of") or "")
    rules = _rules(evaluation, codes, language, words)
    obligations = _obligations(evaluation, codes, language, words)
    summary = _summary(evaluation, words, language)
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
        "summary": summary,
        "sections": sections,
        "risks": _risks(template, evaluation, transfer, facts, obligations, language, words),
        "rules": rules,
        "obligations": obligations,
        "questions": _questions(evaluation, codes, language),
        "unknowns": all_unknowns,
        "appendix": _appendix(review, evaluation, vendor, facts, summary, language, words),
    }
