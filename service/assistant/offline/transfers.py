"""Offline answers that run the engine or read reviews: "what do we need to send X to Y?".

A Transfer is built from what the question states and what the vendor record holds; every
fact filled in any other way is listed as an assumption, and what cannot be filled is asked
for instead of guessed. When the head-count is not stated, the engine runs for a handful of
people and for ten million, and the answer says where the result depends on it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessments.documents._data import labels
from assessments.documents.translations import translated, translated_question, translated_why
from assessments.documents.vocabulary import country as vocabulary_country
from assessments.documents.vocabulary import label, labels_of, table
from assessments.types import REGIMES
from service.assistant.interfaces import Citation
from service.assistant.names import RegistryNames
from service.assistant.offline.vendors import answer_template, unknown_vendor
from service.assistant.templates import render
from service.assistant.tools.base import ToolContext, ToolError, ToolResult
from service.assistant.tools.reviews import list_reviews, mechanism_family
from service.assistant.tools.transfers import evaluate_transfer
from service.assistant.tools.vendors import eea_countries, get_vendor, place_name
from service.assistant.understanding import Question

LOW_COUNT = 1
HIGH_COUNT = 10_000_000
_HAVE = re.compile(
    r"\b(already|in place|signed|we have|we've|have got|concluded|filed|passed)\b", re.I
)
# Mechanisms the question says are in place -> the safeguard ids of the transfer contract.
_SAFEGUARD_OF = {
    "eu_scc": "eu_scc",
    "eu_bcr": "eu_bcr",
    "cn_standard_contract": "cn_standard_contract_filed",
    "cn_certification": "cn_certification",
    "cn_security_assessment": "cn_security_assessment_passed",
    "us_doj_cisa_requirements": "cisa_security_requirements",
    "us_ccpa_contract": "ccpa_contract",
}


@dataclass
class Draft:
    """A Transfer being built from a question, with what was assumed and what is missing."""

    data: dict[str, Any] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    vendor: dict[str, Any] | None = None
    exporter_label: str = ""
    citations: list[Citation] = field(default_factory=list)


def _name(code: str) -> str:
    return place_name(code)


def _category(ctx: ToolContext, ident: str) -> str:
    return ctx.reference.category_name(ident).lower()


def _exporter(q: Question, draft: Draft, ctx: ToolContext) -> str | None:
    """Where we (the sender) are: stated, else where the people are."""
    stated = q.countries_as("exporter", "from")
    subjects = q.countries_as("subjects")
    code = stated[0] if stated else (subjects[0] if subjects else None)
    if code is None:
        draft.missing.append(
            "where we (the sender) are established, e.g. “from our German entity”, or where the "
            "people are, e.g. “EU users”"
        )
        return None
    if not stated:
        draft.assumptions.append(
            f"we (the sender) are established in {_name(code)}, where the people are; the "
            "question does not say (say e.g. “from our Singapore entity” to change it)"
        )
    if code == "EU":
        # Every EEA member state gives the same result: the engine only asks "in the EEA?".
        draft.exporter_label = "an EU/EEA member state"
        return sorted(eea_countries(ctx))[0]
    draft.exporter_label = _name(code.split("-")[0])
    return code.split("-")[0]


def _people(q: Question, draft: Draft, exporter: str | None) -> list[dict[str, Any]]:
    subjects = list(q.countries_as("subjects"))
    if not subjects:
        if exporter is None:
            return []
        place = "EU" if "EU" in q.countries_as("exporter", "from") else exporter
        subjects = [place]
        draft.assumptions.append(
            f"the people are in {_name(place)}, where we are; the question does not say"
        )
    if q.count is not None and len(subjects) > 1:
        draft.assumptions.append(f"the head-count ({q.count:,}) applies to each group of people")
    if q.minors:
        draft.assumptions.append("the groups include children, as the question says")
    return [
        {
            "jurisdiction": code,
            "count": q.count if q.count is not None else LOW_COUNT,
            "minors": q.minors,
        }
        for code in subjects
    ]


def _importer(q: Question, draft: Draft, ctx: ToolContext) -> dict[str, Any] | None:
    destinations = list(q.countries_as("destination"))
    if q.vendors:
        mention = q.vendors[0]
        found = get_vendor(ctx, mention.slug)
        draft.vendor = found.data.get("vendor")
        draft.citations.extend(found.citations)
        if not mention.exact:
            draft.assumptions.append(f"“{mention.surface}” is {mention.name}")
        if len(q.vendors) > 1:
            draft.assumptions.append(
                f"the recipient is {mention.name}; ask again for "
                + ", ".join(v.name for v in q.vendors[1:])
            )
        if destinations:
            draft.data["destinations"] = [d for d in destinations if d != "EU"]
        return {"vendor": mention.slug}
    if destinations:
        code = destinations[0]
        if code == "EU":
            draft.missing.append("which EU/EEA country the recipient is in")
            return None
        draft.assumptions.append(
            f"the recipient is established in {_name(code)} and acts as a processor (the "
            "default; say “as controller” otherwise)"
        )
        ours = re.search(r"\bour\b", q.text, re.I) is not None
        label = f"our entity in {_name(code)}" if ours else f"a recipient in {_name(code)}"
        return {"name": label, "country": code}
    draft.missing.append(
        "who receives the data: a vendor in the registry (by name) or the destination country"
    )
    return None


def _data_categories(q: Question, draft: Draft, ctx: ToolContext) -> list[str]:
    categories = list(q.data_categories)
    for surface, options in q.ambiguous_categories:
        if options[0] not in categories:
            categories.append(options[0])
            draft.assumptions.append(
                f"“{surface}” means {_category(ctx, options[0])}, the stricter reading (say "
                f"“{_category(ctx, options[-1])}” otherwise)"
            )
    if not categories and draft.vendor and draft.vendor["data_categories"]:
        categories = [c["id"] for c in draft.vendor["data_categories"]]
        draft.assumptions.append(
            f"the data is what the registry records {draft.vendor['name']} receiving: "
            + ", ".join(c["name"].lower() for c in draft.vendor["data_categories"])
        )
    if not categories:
        draft.missing.append("which personal data, e.g. device IDs, contact details, location")
    return categories


def build_draft(q: Question, ctx: ToolContext) -> Draft:
    """The Transfer the question describes, with its assumptions and gaps."""
    draft = Draft()
    importer = _importer(q, draft, ctx)
    exporter = _exporter(q, draft, ctx)
    people = _people(q, draft, exporter)
    categories = _data_categories(q, draft, ctx)
    safeguards = (
        [_SAFEGUARD_OF[m] for m in q.mechanisms if m in _SAFEGUARD_OF]
        if _HAVE.search(q.text)
        else []
    )
    if q.count is None and people:
        draft.assumptions.append(
            "the head-count is not stated: the engine ran for a handful of people and for "
            f"{HIGH_COUNT:,}; where the result differs, both are shown"
        )
    if not q.purposes:
        draft.assumptions.append(
            "no purpose stated (naming one, e.g. analytics, can change the result)"
        )
    if importer is None or exporter is None or not people or not categories:
        return draft
    draft.data.update(
        {
            "exporter": {"country": exporter, "role": "controller"},
            "importer": importer,
            "data_subjects": people,
            "data_categories": categories,
            "purposes": list(q.purposes),
            "safeguards": safeguards,
        }
    )
    return draft


def _with_count(data: Mapping[str, Any], count: int) -> dict[str, Any]:
    copied = copy.deepcopy(dict(data))
    for group in copied["data_subjects"]:
        group["count"] = count
    return copied


_PROVISIONAL = re.compile(
    r"^Provisional - open questions are answered on the strict side \(.*?\)\. "
)


def _why(result: Mapping[str, Any], language: str) -> str:
    """A regime's reasons in the language; a provisional verdict says so in Chinese too."""
    why = str(result.get("why") or "")
    provisional = _PROVISIONAL.match(why) if language == "zh" else None
    if provisional is None:
        return translated_why(result, language)
    rest = translated_why({**result, "why": why[provisional.end() :]}, language)
    return "暂定：未决问题按更严格的一侧假定（见下方未决问题）。" + rest


def _regimes(evaluation: Mapping[str, Any], language: str = "en") -> list[dict[str, Any]]:
    """Each regime's result for the template, in the language of the question: the Chinese
    texts of the engine's own rules (assessments/documents/translations.py), same citations."""
    words = labels(language)
    out: list[dict[str, Any]] = []
    for code, result in evaluation["regimes"].items():
        mechanism = result.get("mechanism")
        out.append(
            {
                "code": code,
                "name": words["regime_names"].get(code, code),
                "applies": result["applies"],
                "why": _why(result, language),
                "verdict": result["verdict"],
                "verdict_label": words["verdict_values"].get(result["verdict"], result["verdict"]),
                "mechanism": mechanism,
                "mechanism_label": words["mechanism_values"].get(mechanism, mechanism)
                if mechanism
                else None,
                "alternatives": [
                    words["mechanism_values"].get(a, a) for a in result.get("alternatives", [])
                ],
                "met": result.get("met"),
                "level": result.get("level"),
                "score": result.get("score"),
                "obligations": [
                    translated("obligations", o, language) for o in result.get("obligations", [])
                ],
                "rules": result.get("rules", []),
                "questions": [
                    translated_question(q, language) for q in result.get("questions", [])
                ],
                "depends": None,
            }
        )
    return out


def _run(
    draft: Draft, q: Question, ctx: ToolContext, language: str = "en"
) -> tuple[dict[str, Any], list[Citation]]:
    """Evaluate the draft (twice when the head-count is unknown); the template's context."""
    if q.count is not None:
        result = evaluate_transfer(ctx, draft.data)
        regimes = _regimes(result.data["evaluation"], language)
        return _context(result, regimes, True, draft.exporter_label), list(result.citations)
    low = evaluate_transfer(ctx, _with_count(draft.data, LOW_COUNT))
    high = evaluate_transfer(ctx, _with_count(draft.data, HIGH_COUNT))
    regimes = _regimes(high.data["evaluation"], language)
    for regime, few in zip(regimes, _regimes(low.data["evaluation"], language), strict=True):
        if (few["verdict"], few["mechanism"]) != (regime["verdict"], regime["mechanism"]):
            regime["depends"] = {"low": few, "high_count": HIGH_COUNT}
    context = _context(high, regimes, False, draft.exporter_label)
    return context, [*high.citations, *low.citations]


def _context(
    result: ToolResult, regimes: list[dict[str, Any]], count_known: bool, exporter: str
) -> dict[str, Any]:
    data = result.data
    transfer = data["transfer"]
    evaluation = data["evaluation"]
    return {
        "transfer": {
            "exporter": exporter,
            "importer": _importer_label(data.get("vendor"), transfer["importer"]),
            "has_vendor": data.get("vendor") is not None,
            "importer_country": _name(transfer["importer"]["country"]),
            "importer_country_code": transfer["importer"]["country"],
            "exporter_code": transfer["exporter"]["country"],
            "destinations": [_name(d) for d in transfer.get("destinations") or []],
            "people": [
                {
                    "where": _name(g["jurisdiction"]),
                    "code": g["jurisdiction"],
                    "count": g["count"] if count_known else None,
                    "minors": g.get("minors", False),
                }
                for g in transfer["data_subjects"]
            ],
            "data": transfer["data_categories"],
            "purposes": transfer.get("purposes") or [],
            "safeguards": transfer.get("safeguards") or [],
        },
        "warnings": [w["message"] for w in data.get("warnings") or []],
        "overall": evaluation["overall"],
        "as_of": evaluation["as_of"],
        "regimes": regimes,
        "count_known": count_known,
        "high_count": HIGH_COUNT,
    }


def _importer_label(vendor: Mapping[str, Any] | None, importer: Mapping[str, Any]) -> str:
    entity = importer.get("name")
    if vendor is None:
        return str(entity or "the recipient")
    if entity and entity != vendor["name"]:
        return f"{vendor['name']} ({entity})"
    return str(vendor["name"])


def answer_transfer(
    q: Question, ctx: ToolContext, names: RegistryNames
) -> tuple[str, list[Citation]]:
    """What a transfer needs, per regime, from the engine; assumptions and gaps stated."""
    if not q.vendors and q.unknown_name and not q.countries_as("destination"):
        return unknown_vendor(q.unknown_name, names, q.language), []
    draft = build_draft(q, ctx)
    language = q.language
    template = answer_template("transfer.md.j2", language)
    if draft.missing:
        text = render(template, draft=_draft_view(draft), result=None, error=None)
        return text, draft.citations
    try:
        result, citations = _run(draft, q, ctx, language)
    except ToolError as exc:
        text = render(template, draft=_draft_view(draft), result=None, error=str(exc))
        return text, draft.citations
    transfer = result["transfer"]
    transfer["data_labels"] = [_category(ctx, c) for c in transfer["data"]]
    if language == "zh":
        _in_chinese(result, draft)
    text = render(template, draft=_draft_view(draft), result=result, error=None)
    return text, [*draft.citations, *citations]


def _in_chinese(result: dict[str, Any], draft: Draft) -> None:
    """The template context's names in Chinese: countries, data categories, purposes."""
    transfer = result["transfer"]
    transfer["data_labels"] = labels_of("data_categories", transfer["data"], "zh")
    transfer["purpose_labels"] = labels_of("purposes", transfer["purposes"], "zh")
    transfer["importer_country"] = vocabulary_country(transfer["importer_country_code"], "zh")
    for group in transfer["people"]:
        group["where"] = (
            "欧盟/欧洲经济区" if group["code"] == "EU" else vocabulary_country(group["code"], "zh")
        )
    eu_member = draft.exporter_label.startswith("an EU")
    exporter = vocabulary_country(transfer["exporter_code"], "zh")
    transfer["exporter"] = "欧盟/欧洲经济区成员国" if eu_member else exporter
    words = labels("zh")
    result["overall"] = {
        **result["overall"],
        "level_label": words["level_values"].get(result["overall"]["level"]),
    }


def _draft_view(draft: Draft) -> dict[str, Any]:
    return {
        "assumptions": list(draft.assumptions),
        "missing": list(draft.missing),
        "vendor": draft.vendor,
    }


def answer_reviews(
    q: Question, ctx: ToolContext, names: RegistryNames
) -> tuple[str, list[Citation]]:
    """The asker's readable reviews that match the question's filters, in its language."""
    filters = review_filters(q)
    result = list_reviews(ctx, filters)
    language = q.language
    reviews = result.data["reviews"]
    if language == "zh":
        reviews = [_review_in_chinese(r) for r in reviews]
    text = render(
        answer_template("reviews.md.j2", language),
        filters=_filter_view(filters, language),
        reviews=reviews,
        total=result.data["total"],
        scope=result.data["scope"],
        searched=result.data.get("searched", 0),
        open_total=result.data.get("open_total", 0),
        regime_short=labels(language)["regime_short"],
    )
    return text, list(result.citations)


def _review_in_chinese(review: Mapping[str, Any]) -> dict[str, Any]:
    """One review's summary named in Chinese: status, regimes, verdicts, mechanisms, level,
    and the engine's open questions (the Chinese texts of its rules)."""
    words = labels("zh")
    regimes = []
    for code, result in review["regimes"].items():
        mechanism = result.get("mechanism")
        regimes.append(
            {
                "name": words["regime_names"].get(code, code),
                "short": words["regime_short"].get(code, code),
                "verdict": words["verdict_values"].get(result["verdict"], result["verdict"]),
                "mechanism": words["mechanism_values"].get(mechanism, mechanism)
                if mechanism
                else None,
                "questions": [translated_question(x, "zh") for x in result.get("questions", [])],
            }
        )
    level = review["overall"]["level"]
    return {
        **review,
        "status_label": label("review_statuses", review["status"], "zh"),
        "exporter": {
            **review["exporter"],
            "country_label": vocabulary_country(review["exporter"]["country"], "zh")
            if review["exporter"]["country"]
            else "未记录",
        },
        "regime_view": regimes,
        "level_label": words["level_values"].get(level, level) if level else "未评定",
    }


# "What is still unknown in our reviews?": the open reviews with open questions.
_STILL_UNKNOWN = re.compile(
    r"\b(unknown|open questions?|unanswered|not (yet )?known)\b|未知|不确定|未决|待确认|还不知道",
    re.IGNORECASE,
)


def review_filters(q: Question) -> dict[str, Any]:
    """Review filters named in the question: open, vendor, mechanism, verdict, regime."""
    filters: dict[str, Any] = {}
    if q.open_only:
        filters["open"] = True
    if _STILL_UNKNOWN.search(q.text):
        filters["unknown"] = True
    if q.vendors:
        filters["vendor"] = q.vendors[0].slug
    if q.mechanisms:
        filters["mechanism"] = q.mechanisms[0] if len(q.mechanisms) == 1 else list(q.mechanisms)
    if q.verdicts:
        filters["verdict"] = q.verdicts[0]
    regimes = [r for r in q.regimes if r in REGIMES]
    if regimes and "mechanism" not in filters:
        filters["regime"] = regimes[0]
    return filters


def _filter_view(filters: Mapping[str, Any], language: str = "en") -> dict[str, Any]:
    words = labels(language)
    mechanism = filters.get("mechanism")
    verdict = filters.get("verdict")
    regime = filters.get("regime")
    return {
        "open": bool(filters.get("open")),
        "unknown": bool(filters.get("unknown")),
        "vendor": filters.get("vendor"),
        "mechanism": _mechanism_name(mechanism, language) if mechanism else None,
        "verdict": words["verdict_values"].get(verdict, verdict) if verdict else None,
        "regime": words["regime_names"].get(regime, regime) if regime else None,
    }


def _mechanism_name(mechanism: str | list[str], language: str) -> str:
    """Mechanisms in words: an id, a family the registry names ("eu_scc": SCCs), or the
    members of a family ("cn_cac_filing") or of a list, joined with "or"."""
    values = [mechanism] if isinstance(mechanism, str) else mechanism
    words = labels(language)["mechanism_values"]
    named: list[str] = []
    for value in values:
        if value in words:
            named.append(str(words[value]))
        elif value in table("vendor_mechanisms", language):
            named.append(label("vendor_mechanisms", value, language))
        else:
            named += [str(words.get(m, m)) for m in mechanism_family(value)]
    return ("”或“" if language == "zh" else " or ").join(dict.fromkeys(named))
