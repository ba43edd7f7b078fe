"""Derive the display facts of an assessment from a review, its evaluation and a vendor."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assessments.catalog.reference import default_reference
from assessments.documents._data import labels, safeguard_texts
from assessments.documents.substance import destination_law
from assessments.documents.vocabulary import label, labels_of, separator
from assessments.facts import sensitive_categories

REGIME_FACTS: dict[str, str] = {"CN": "cn_result", "EU": "eu_result", "US": "us_result"}
LEVEL_TO_SCALE: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


def _text(value: object) -> str | None:
    """A stripped string, or None when the value is empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _join(values: Iterable[object], sep: str = ", ") -> str | None:
    """Joined non-empty values, or None when there are none."""
    items = [str(value) for value in values if _text(value) is not None]
    return sep.join(items) or None


def _flag(value: object, words: Mapping[str, Any]) -> str | None:
    """yes/no for a boolean, None (unknown) for anything else."""
    if value is True:
        return str(words["yes"])
    if value is False:
        return str(words["no"])
    return None


def regime(evaluation: Mapping[str, Any], code: str) -> dict[str, Any]:
    """One regime's result from an evaluation dict ({} when absent)."""
    regimes = evaluation.get("regimes") or {}
    result = regimes.get(code) if isinstance(regimes, Mapping) else None
    return dict(result) if isinstance(result, Mapping) else {}


def regime_summary(result: Mapping[str, Any], words: Mapping[str, Any]) -> str | None:
    """A one-line reading of a regime result: verdict, mechanism, level and score."""
    verdict = result.get("verdict")
    if not verdict:
        return None
    parts = [str(words["verdict_values"].get(verdict, verdict))]
    mechanism = result.get("mechanism")
    if mechanism:
        parts.append(str(words["mechanism_values"].get(mechanism, mechanism)))
    if result.get("applies") and result.get("level"):
        level = words["level_values"].get(result["level"], result["level"])
        parts.append(f"{words['level']} {level} ({result.get('score', '')})")
    if result.get("met"):
        parts.append(str(words["met"]))
    return " — ".join(parts)


def subject_counts(transfer: Mapping[str, Any]) -> list[tuple[str, int, bool]]:
    """(jurisdiction, count, minors) for each group of data subjects."""
    groups = []
    for group in transfer.get("data_subjects") or []:
        if isinstance(group, Mapping) and group.get("jurisdiction"):
            count = int(group.get("count") or 0)
            groups.append((str(group["jurisdiction"]), count, bool(group.get("minors"))))
    return groups


def sensitive(categories: Iterable[str], table: str) -> list[str]:
    """The categories a regime treats as sensitive (`table`: a key of facts.SENSITIVITY), as
    the taxonomy says - the same reading as the engine's."""
    return sensitive_categories(default_reference(), categories, table)


def _vendor_entities(vendor: Mapping[str, Any], language: str) -> str | None:
    """The vendor's contracting entities as 'name (country)'."""
    entities = []
    for entity in vendor.get("legal_entities") or []:
        if isinstance(entity, Mapping) and entity.get("name"):
            country = entity.get("country")
            name = str(entity["name"])
            where = f" ({label('countries', country, language)})" if country else ""
            entities.append(name + where)
    return _join(entities)


def _vendor_urls(vendor: Mapping[str, Any], language: str) -> str | None:
    """The vendor's published documents, as text (never as links)."""
    urls = vendor.get("urls") or {}
    if not isinstance(urls, Mapping):
        return None
    return _join(
        f"{label('url_kinds', key, language)}: {value}" for key, value in urls.items() if value
    )


def party(side: Mapping[str, Any], fallback: str | None = None, language: str = "en") -> str | None:
    """'Name (Country)' for an exporter or importer."""
    name = _text(side.get("name")) or fallback
    country = _text(side.get("country"))
    if name and country:
        return f"{name} ({label('countries', country, language)})"
    return name


def compute_facts(
    review: Mapping[str, Any],
    evaluation: Mapping[str, Any],
    vendor: Mapping[str, Any] | None,
    language: str,
) -> dict[str, str | None]:
    """Every fact key of facts.yaml with its display value, None when unknown."""
    words = labels(language)
    vendor = vendor or {}
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    exporter: Mapping[str, Any] = transfer.get("exporter") or {}
    importer: Mapping[str, Any] = transfer.get("importer") or {}
    categories = [str(c) for c in transfer.get("data_categories") or []]
    groups = subject_counts(transfer)
    safeguards = [str(s) for s in transfer.get("safeguards") or []]
    measures = safeguard_texts(language)
    status = vendor.get("status")
    status_value = status.get("value") if isinstance(status, Mapping) else status
    sub_url = (vendor.get("urls") or {}).get("subprocessors") if vendor else None
    destinations = [str(d) for d in transfer.get("destinations") or []] or [
        str(c) for c in vendor.get("processing_countries") or []
    ]

    def words_of(kind: str, codes: Iterable[object]) -> str | None:
        return _join(labels_of(kind, codes, language), separator(language))

    facts: dict[str, str | None] = {
        "exporter": party(exporter, language=language),
        "exporter_role": words_of("roles", [exporter["role"]] if exporter.get("role") else []),
        "ciio": _flag(exporter.get("ciio"), words),
        "importer": party(importer, _text(vendor.get("name")), language),
        "importer_role": words_of(
            "roles", [r] if (r := importer.get("role") or vendor.get("default_role")) else []
        ),
        "vendor_name": _text(vendor.get("name")),
        "vendor_parent": _text(vendor.get("parent")),
        "vendor_category": words_of(
            "vendor_categories", [c] if (c := vendor.get("category")) else []
        ),
        "vendor_legal_entities": _vendor_entities(vendor, language),
        "vendor_processing_countries": words_of(
            "countries", vendor.get("processing_countries") or []
        ),
        "vendor_certifications": words_of("certifications", vendor.get("certifications") or []),
        "vendor_transfer_mechanisms": words_of(
            "vendor_mechanisms", vendor.get("transfer_mechanisms") or []
        ),
        "vendor_dpf": _flag(importer.get("dpf_certified", vendor.get("dpf_certified")), words),
        "vendor_status": words_of("vendor_statuses", [status_value] if status_value else []),
        "vendor_urls": _vendor_urls(vendor, language),
        "vendor_last_verified": _text(vendor.get("last_verified")),
        "destinations": words_of("countries", destinations),
        "data_subjects": _join(f"{label('countries', j, language)}: {n:,}" for j, n, _ in groups),
        "subject_total": f"{sum(n for _, n, _ in groups):,}" if groups else None,
        "minors": str(words["yes"] if any(m for _, _, m in groups) else words["no"])
        if groups
        else None,
        "data_categories": words_of("data_categories", categories),
        "sensitive_pipl": words_of("data_categories", sensitive(categories, "pipl_sensitive"))
        or str(words["no"]),
        "special_gdpr": words_of("data_categories", sensitive(categories, "gdpr_special"))
        or str(words["no"]),
        "purposes": words_of("purposes", transfer.get("purposes") or []),
        "purpose_text": _text(review.get("purpose")),
        "transaction": words_of("transactions", [t] if (t := transfer.get("transaction")) else []),
        "safeguards": _join(measures.get(s, s) for s in safeguards) or str(words["none_declared"]),
        "exemptions": words_of("exemptions", transfer.get("exemptions") or [])
        or str(words["none_declared"]),
        "important_data": _flag(transfer.get("important_data"), words),
        "requester": _text(review.get("requester")),
        "business_owner": _text(review.get("business_owner")),
        # Not part of a Transfer: legal fills these in; until then they stay unknown.
        "retention": _text(review.get("retention")),
        "frequency": _text(review.get("frequency")),
        "rights_channel": None,
        "onward_transfers": None,
        "sub_processors": f"{vendor.get('name') or 'vendor'}: {sub_url}" if sub_url else None,
        # Pre-written from the reference data the engine uses (countries.yaml).
        "destination_law": destination_law(destinations, transfer.get("as_of"), language)
        if destinations
        else None,
        "lawful_basis": _text(review.get("lawful_basis")),
        "ccpa_consumers": f"{sum(n for j, n, _ in groups if j == 'US-CA'):,}"
        if any(j == "US-CA" for j, _, _ in groups)
        else None,
        "sensitive_ccpa": words_of("data_categories", sensitive(categories, "ccpa_sensitive"))
        or str(words["no"]),
        "reevaluation": None,
    }
    for code, key in REGIME_FACTS.items():
        facts[key] = regime_summary(regime(evaluation, code), words)
    facts["annex2_use_case"] = _annex2(safeguards, language)
    return facts


ANNEX2_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "encryption_exporter_keys": "EDPB Annex 2 use case 1 (storage with keys held only by "
        "the exporter) may apply if the importer never needs the data in clear text.",
        "pseudonymisation": "EDPB Annex 2 use case 2 (pseudonymised data, re-identification "
        "data kept by the exporter) may apply.",
        "clear_text": "If the importer needs access to the data in clear text (Annex 2 use "
        "cases 6 and 7) and the destination's law allows disproportionate access, the EDPB "
        "found no effective technical measure.",
    },
    "zh": {
        "encryption_exporter_keys": "若境外接收方无需访问明文，可适用 EDPB 附件 2 用例 1"
        "（密钥仅由出境方持有的存储）。",
        "pseudonymisation": "可适用 EDPB 附件 2 用例 2（去标识化数据，重新识别信息由出境方保存）。",
        "clear_text": "若接收方需要访问明文（附件 2 用例 6、7）且所在地法律允许不相称的访问，"
        "EDPB 认为不存在有效的技术措施。",
    },
}


def _annex2(safeguards: list[str], language: str) -> str:
    """Which EDPB Annex 2 use cases the declared safeguards point to."""
    texts = ANNEX2_TEXTS[language]
    found = [texts[s] for s in ("encryption_exporter_keys", "pseudonymisation") if s in safeguards]
    return " ".join(found) if found else texts["clear_text"]


def severity_from_level(result: Mapping[str, Any]) -> int | None:
    """The CNIL severity (1-4) the engine's level for a regime suggests, None if not rated."""
    if not result.get("applies"):
        return None
    level = result.get("level")
    return LEVEL_TO_SCALE.get(str(level)) if level else None
