"""Offline answers about vendors: one vendor's facts, and lists by kind, country and data."""

from __future__ import annotations

import re
from typing import Any

from assessments.catalog.reference import Reference
from assessments.documents import vocabulary
from service.assistant.interfaces import Citation
from service.assistant.names import RegistryNames
from service.assistant.templates import render
from service.assistant.tools.base import ToolContext
from service.assistant.tools.vendors import (
    LIST_LIMIT,
    VendorFilter,
    eea_countries,
    find_vendors,
    get_vendor,
    place_name,
    sdk_categories,
)
from service.assistant.understanding import Question

_CERTIFICATION_WORDS = re.compile(r"\b(iso|soc|pci|certifications?|certificates?)\b", re.I)


# ---------------------------------------------------------------------------- vendor facts


def answer_template(name: str, language: str) -> str:
    """An answer template in the language: prompts/answers/zh/<name> for Chinese."""
    return f"answers/zh/{name}" if language == "zh" else f"answers/{name}"


def unknown_vendor(name: str, names: RegistryNames, language: str = "en") -> str:
    """The registry does not know a name: say so, show near names, say how to add it."""
    near = [{"name": h.name, "slug": h.slug} for h in names.suggestions(name)]
    return render(answer_template("unknown_vendor.md.j2", language), name=name, near=near)


def localized_vendor(vendor: dict[str, Any], language: str) -> dict[str, Any]:
    """A vendor's facts with every id and country named in the language (the documents'
    labels, assessments/documents/vocabulary.py); record text stays as the record wrote it."""

    def place(value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return None
        return {**value, "name": vocabulary.country(value["code"], language)}

    return {
        **vendor,
        "hq_country": place(vendor["hq_country"]),
        "processing_countries": [place(c) for c in vendor["processing_countries"]],
        "legal_entities": [
            {
                **e,
                "country": place(e["country"]),
                "role_label": vocabulary.label("entity_roles", e["role"], language)
                if e["role"]
                else None,
            }
            for e in vendor["legal_entities"]
        ],
        "data_categories": [
            {**c, "name": vocabulary.label("data_categories", c["id"], language)}
            for c in vendor["data_categories"]
        ],
        "category_name": vocabulary.label("vendor_categories", vendor["category"], language)
        if vendor["category"]
        else None,
        "mechanism_labels": vocabulary.labels_of(
            "vendor_mechanisms", vendor["transfer_mechanisms"], language
        ),
        "certification_labels": vocabulary.labels_of(
            "certifications", vendor["certifications"], language
        ),
        "status_label": vocabulary.label("vendor_statuses", vendor["status"]["value"], language),
        "role_label": vocabulary.label("roles", vendor["default_role"], language)
        if vendor["default_role"]
        else None,
        "history": [
            {**h, "event_label": vocabulary.label("vendor_events", h.get("event"), language)}
            for h in vendor["history"]
        ],
    }


def vendor_fact(q: Question, ctx: ToolContext, names: RegistryNames) -> tuple[str, list[Citation]]:
    language = q.language
    if not q.vendors:
        return unknown_vendor(q.unknown_name or q.text, names, language), []
    aspects = list(q.aspects)
    if "dpf" in aspects and "certifications" in aspects and not _CERTIFICATION_WORDS.search(q.text):
        aspects.remove("certifications")
    asks_status = re.search(
        r"happen|still|sunset|retired|licen|sanction|discontinu|active", q.text, re.I
    )
    if "dpf" in aspects and "status" in aspects and asks_status is None:
        aspects.remove("status")  # "the DPF status of X" asks about the DPF
    asks_where = re.search(r"\bwhere\b|\bcountr|在哪|哪里|哪个国家|哪些国家", q.text, re.I)
    if "role" in aspects and "processing" in aspects and asks_where is None:
        aspects.remove("processing")  # "受托处理者" / "processor" asks about the role
    asks_hq = re.search(r"headquarter|\bbased\b|\bhq\b", q.text, re.I) is not None
    if "processing" in aspects and "hq" in aspects and not asks_hq:
        aspects.remove("hq")
    parts: list[str] = []
    citations: list[Citation] = []
    for mention in q.vendors[:3]:
        result = get_vendor(ctx, mention.slug)
        if not result.data.get("found"):
            parts.append(unknown_vendor(mention.surface, names, language))
            continue
        vendor = result.data["vendor"]
        parts.append(
            render(
                answer_template("vendor_fact.md.j2", language),
                vendor=localized_vendor(vendor, "zh") if language == "zh" else vendor,
                aspects=aspects or ["overview"],
                matched={"surface": mention.surface, "exact": mention.exact},
            )
        )
        citations.extend(result.citations)
    return "\n\n".join(parts), citations


# ---------------------------------------------------------------------------- vendor lists


def vendor_list(q: Question, ctx: ToolContext, names: RegistryNames) -> tuple[str, list[Citation]]:
    reference = ctx.reference
    categories: set[str] = set()
    kinds: list[dict[str, str]] = []
    specific = any(k.endswith("_sdk") for k in q.kinds)
    for kind in q.kinds:
        if kind == "sdk" and specific:
            continue  # "推送SDK": the push SDKs, not every SDK
        if kind == "sdk":
            categories |= sdk_categories(reference)
            kinds.append({"id": "sdk", "name": "SDKs"})
        elif kind in reference.vendor_categories:
            categories.add(kind)
            label = reference.vendor_categories[kind].name
            kinds.append({"id": kind, "name": f"vendors in the category “{label}”"})

    def codes(*roles: str) -> tuple[frozenset[str], list[str]]:
        found: set[str] = set()
        labels: list[str] = []
        for code in q.countries_as(*roles):
            if code == "EU":
                found |= eea_countries(ctx)
                labels.append("the EU/EEA")
            elif len(code) == 2:
                found.add(code)
                labels.append(place_name(code))
        return frozenset(found), labels

    processing, processing_labels = codes("processing")
    hq, hq_labels = codes("hq", "from", "unspecified", "exporter", "subjects", "destination")
    data = list(q.data_categories)
    assumed: list[str] = []
    for surface, options in q.ambiguous_categories:
        if options and options[0] not in data:
            data.append(options[0])
            assumed.append(
                f"“{surface}” read as {_category_name(reference, options[0])}; ask about "
                + " or ".join(_category_name(reference, o) for o in options[1:])
                + " for the others"
            )
    wanted = VendorFilter(
        categories=frozenset(categories),
        hq_countries=hq,
        processing_countries=processing,
        data_categories=frozenset(data),
        statuses=frozenset(q.statuses),
        dpf_certified=True if q.dpf else None,
        in_use=q.ours,
    )
    result = find_vendors(ctx, wanted, LIST_LIMIT)
    if q.language == "zh":
        return _vendor_list_zh(q, result.data, kinds, data, hq, processing), list(result.citations)
    filters = {
        "kinds": kinds,
        "hq": hq_labels,
        "processing": processing_labels,
        "data": [_category_name(reference, c) for c in data],
        "statuses": [s.replace("_", " ") for s in q.statuses],
        "dpf": q.dpf,
        "ours": q.ours,
        "purposes": [_purpose_name(reference, p) for p in q.purposes],
    }
    text = render(
        "answers/vendor_list.md.j2",
        filters=filters,
        total=result.data["total"],
        vendors=result.data["vendors"],
        more=result.data["total"] - result.data["shown"],
        assumed=assumed,
        how_many="how many" in q.text.casefold(),
    )
    return text, list(result.citations)


def _zh_places(q: Question, roles: tuple[str, ...], found: frozenset[str]) -> list[str]:
    places = [c for c in q.countries_as(*roles) if c == "EU" or len(c) == 2]
    if not found:
        return []
    return ["欧盟/欧洲经济区" if c == "EU" else vocabulary.country(c, "zh") for c in places]


def _vendor_list_zh(
    q: Question,
    data: dict[str, Any],
    kinds: list[dict[str, str]],
    categories: list[str],
    hq: frozenset[str],
    processing: frozenset[str],
) -> str:
    """A vendor list answered in Chinese: the same records, Chinese names for the filters."""
    filters = {
        "kinds": [
            "SDK" if k["id"] == "sdk" else vocabulary.label("vendor_categories", k["id"], "zh")
            for k in kinds
        ],
        "hq": _zh_places(
            q, ("hq", "from", "unspecified", "exporter", "subjects", "destination"), hq
        ),
        "processing": _zh_places(q, ("processing",), processing),
        "data": vocabulary.labels_of("data_categories", categories, "zh"),
        "statuses": vocabulary.labels_of("vendor_statuses", q.statuses, "zh"),
        "dpf": q.dpf,
        "ours": q.ours,
    }
    vendors = [
        {
            **v,
            "category_name": vocabulary.label("vendor_categories", v["category"], "zh")
            if v.get("category")
            else None,
            "country": vocabulary.country(v["hq_country"]["code"], "zh")
            if v.get("hq_country")
            else None,
            "status_name": vocabulary.label("vendor_statuses", v["status"], "zh"),
        }
        for v in data["vendors"]
    ]
    return render(
        "answers/zh/vendor_list.md.j2",
        filters=filters,
        total=data["total"],
        vendors=vendors,
        more=data["total"] - data["shown"],
    )


def _category_name(reference: Reference, ident: str) -> str:
    return reference.category_name(ident).lower()


def _purpose_name(reference: Reference, ident: str) -> str:
    return reference.purpose_name(ident).lower()
