"""Words the UI shows for codes: verdicts, mechanisms, regimes, safeguards, statuses."""

from __future__ import annotations

from typing import Any

from assessments.catalog import vocabulary
from assessments.documents import checklists
from assessments.documents._data import labels as document_labels
from assessments.documents._data import safeguard_texts
from service.lifecycle import models as lifecycle_models
from service.reviews import models as review_models

_WORDS: dict[str, Any] = document_labels("en")

REGIMES: dict[str, str] = dict(_WORDS["regime_names"])
REGIME_SHORT: dict[str, str] = dict(_WORDS["regime_short"])
VERDICTS: dict[str, str] = dict(_WORDS["verdict_values"])
MECHANISMS: dict[str, str] = dict(_WORDS["mechanism_values"])
LEVELS: dict[str, str] = dict(_WORDS["level_values"])
SAFEGUARDS: dict[str, str] = safeguard_texts("en")
ASSESSMENT_STATUSES: dict[str, str] = dict(_WORDS["status_values"])
RISK_CATEGORIES: dict[str, str] = dict(_WORDS["category_values"])
SCALE: dict[str, str] = {str(k): str(v) for k, v in _WORDS["scale_values"].items()}

EXEMPTIONS = {
    "contract_necessity": "Really necessary to conclude or perform a contract the individual is "
    "party to (Provisions Art. 5(1))",
    "hr_management": "Really necessary for cross-border HR management of employees "
    "(Provisions Art. 5(2))",
    "emergency": "Needed in an emergency to protect someone's life, health or property "
    "(Provisions Art. 5(3))",
    "collected_abroad": "Collected and generated abroad, processed in China and sent back with "
    "no domestic data added (Provisions Art. 4)",
    "ftz_negative_list_clear": "Exporter in a free trade zone and the data is not on the zone's "
    "negative list (Provisions Art. 6)",
}
TRANSACTIONS = {
    "vendor_agreement": "Vendor agreement (the vendor provides a service)",
    "data_brokerage": "Data brokerage (selling or licensing the data)",
    "employment_agreement": "Employment agreement",
    "investment_agreement": "Investment agreement",
    "other": "Other",
}


def _words(codes: tuple[str, ...]) -> dict[str, str]:
    """Each code as words ("in_review" -> "In review"), in the vocabulary's order."""
    return {code: code.replace("_", " ").capitalize() for code in codes}


# The codes are owned by the models and the catalog vocabulary; only the words are here.
REVIEW_STATUSES = _words(review_models.STATUSES)
TASK_STATUSES = _words(lifecycle_models.TASK_STATUSES)
VENDOR_STATUSES = _words(vocabulary.VENDOR_STATUSES)
ASSESSMENT_KINDS = {
    "pipia": "PIPIA — China personal information protection impact assessment",
    "dpia": "DPIA — GDPR data protection impact assessment",
    "tia": "TIA — EU transfer impact assessment",
    "ccpa": "CCPA risk assessment — California (11 CCR § 7150)",
}
ROLES = {
    "admin": "Admin",
    "legal": "Legal / privacy",
    "procurement": "Procurement",
    "viewer": "Viewer",
}
ITEM_STATUSES = {
    checklists.OPEN: "Open",
    checklists.DONE: "Done",
    checklists.NOT_APPLICABLE: "Not applicable",
}
TRANSITION_BUTTONS = {
    "in_review": "Submit for review",
    "approved": "Approve",
    "rejected": "Reject",
    "draft": "Back to draft",
}
VERDICT_HELP = {
    "not_applicable": "This law does not reach the transfer.",
    "permitted": "Allowed without a transfer mechanism.",
    "mechanism_required": "Allowed once the mechanism below is in place.",
    "approval_required": "A regulator must approve before any data moves.",
    "prohibited": "This transfer may not happen.",
}
VERDICT_RANK = {v: i for i, v in enumerate(VERDICT_HELP)}
# Narrow screens (the heat map on a phone): one word per verdict.
VERDICT_SHORT = {
    "not_applicable": "n/a",
    "permitted": "permitted",
    "mechanism_required": "mechanism",
    "approval_required": "approval",
    "prohibited": "prohibited",
}


def verdict(code: str | None) -> str:
    """A verdict code in words."""
    return VERDICTS.get(code or "", code or "—")


def mechanism(code: str | None) -> str:
    """A mechanism code in words."""
    return MECHANISMS.get(code or "", code or "—")


def humanize(code: str | None) -> str:
    """An id in words when no label exists: 'in_review' -> 'in review'."""
    return (code or "").replace("_", " ").replace(".", " · ")


FIELD_LABELS = {
    "vendor": "Vendor",
    "purpose": "What the vendor will do",
    "business_owner": "Business owner",
    "requester": "Requested by",
    "status": "Status",
    "transfer": "Transfer",
    "transfer.as_of": "Apply the law as of",
    "transfer.exporter": "Your company",
    "transfer.exporter.name": "Company name",
    "transfer.exporter.country": "Established in",
    "transfer.exporter.role": "Your role for this data",
    "transfer.exporter.ciio": "Critical information infrastructure operator",
    "transfer.data_subjects": "Whose data",
    "transfer.data_subjects.#.jurisdiction": "Group {n}: where the people are",
    "transfer.data_subjects.#.count": "Group {n}: how many people",
    "transfer.data_subjects.#.minors": "Group {n}: children",
    "transfer.data_subjects.#.minor_counts.under_13": "Group {n}: children under 13",
    "transfer.data_subjects.#.minor_counts.under_14": "Group {n}: children under 14",
    "transfer.data_subjects.#.minor_counts.under_16": "Group {n}: children under 16",
    "transfer.data_subjects.#.minor_counts.under_17": "Group {n}: children under 17",
    "transfer.exporter.ccpa_business": "CCPA business",
    "transfer.exporter.data_broker": "Data broker",
    "transfer.exporter.targets_eu": "Targets or monitors people in the EU",
    "transfer.exporter.cn_processing_volume": "People whose PI you process in all",
    "transfer.exporter.ccpa_thresholds.annual_revenue_usd": "Annual gross revenue (USD)",
    "transfer.exporter.ccpa_thresholds.consumers_traded": "Consumers bought, sold or shared",
    "transfer.exporter.ccpa_thresholds.revenue_share_selling": "Revenue share from selling (%)",
    "transfer.importer.dpf_certified": "Vendor DPF-certified",
    "transfer.importer.gdpr_art3_2": "Vendor subject to GDPR Art. 3(2)",
    "transfer.importer.owners.#.country": "Owner {n}: country",
    "transfer.importer.owners.#.share": "Owner {n}: share",
    "transfer.us_exemptions": "DOJ exemptions",
    "transfer.government_related_data": "Government-related data",
    "transfer.us_prior_12m": "US persons sent to this vendor in the 12 months before",
    "transfer.eu_scc_terms.decision": "SCCs signed: decision",
    "transfer.eu_scc_terms.signed": "SCCs signed on",
    "transfer.eu_derogation.basis": "Art. 49 derogation",
    "transfer.eu_derogation.occasional": "Occasional transfer",
    "transfer.eu_tia": "Transfer impact assessment found",
    "transfer.data_categories": "Data categories",
    "transfer.purposes": "Purposes",
    "transfer.transaction": "Kind of deal",
    "transfer.safeguards": "Safeguards in place",
    "transfer.exemptions": "PRC exemptions",
    "transfer.important_data": "Important data",
    "sources.#.url": "Source {n}: URL",
    "sources.#.retrieved": "Source {n}: retrieved",
    "sources.#.ref": "Source {n}: reference",
    "sources.#.facts": "Source {n}: facts it supports",
    "legal_entities.#.name": "Entity {n}: name",
    "legal_entities.#.role": "Entity {n}: role",
    "legal_entities.#.country": "Entity {n}: country",
    "status.value": "Status",
    "status.since": "Status since",
    "sdk.android_packages": "Android package prefixes",
    "sdk.ios_frameworks": "iOS frameworks",
    "sdk.domains": "Domains",
    "risks.#.category": "Risk {n}: feared event",
    "risks.#.risk": "Risk {n}: description",
    "risks.#.likelihood": "Risk {n}: likelihood",
    "risks.#.severity": "Risk {n}: severity",
    "risks.#.residual": "Risk {n}: residual risk",
    "description": "Description",
    "aliases": "Other names",
    "name": "Name",
    "category": "Category",
    "hq_country": "Headquarters",
    "processing_countries": "Processes data in",
    "notes": "Notes",
    "last_verified": "Facts last verified",
    "urls": "Links",
    "sdk": "SDK signatures",
    "sources": "Sources",
    "legal_entities": "Legal entities",
    "expires_in_days": "Expires after (days)",
    "message": "Your question",
}


def field(path: str) -> str:
    """A form field's name as the page labels it: 'transfer.data_subjects.0.count' ->
    'Group 1: how many people'; unknown paths in words."""
    parts = path.split(".")
    numbers = [int(p) for p in parts if p.isdigit()]
    key = ".".join("#" if p.isdigit() else p for p in parts)
    label = FIELD_LABELS.get(key)
    if label is None:
        # A list field's item (e.g. data_categories.3) is reported under the list.
        trimmed = ".".join(p for p in parts if not p.isdigit())
        label = FIELD_LABELS.get(trimmed) or humanize(trimmed.removeprefix("transfer."))
        return label[:1].upper() + label[1:]
    return label.format(n=numbers[0] + 1 if numbers else "")
