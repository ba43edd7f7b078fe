"""Build the contract and filing checklists a transfer's mechanisms call for, as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assessments.documents._data import load, safeguard_texts
from assessments.documents.facts import party, regime, sensitive, subject_counts
from assessments.documents.vocabulary import label, labels_of

CHECKLIST_FILES: tuple[str, ...] = (
    "cn_security_assessment",
    "cn_standard_contract",
    "eu_scc",
    "us_doj_restricted",
    "us_ccpa_contract",
)
ITEM_STATUSES: tuple[str, ...] = ("open", "done", "n.a.")
ACTIVE_VERDICTS: tuple[str, ...] = ("mechanism_required", "approval_required")
SCC_MODULES: dict[str, int] = {"eu_scc_c2c": 1, "eu_scc_c2p": 2, "eu_scc_p2p": 3, "eu_scc_p2c": 4}
MODULE_NAMES: dict[int, str] = {
    1: "Module 1 (controller to controller)",
    2: "Module 2 (controller to processor)",
    3: "Module 3 (processor to processor)",
    4: "Module 4 (processor to controller)",
}
# EU Member States and the EEA EFTA states (GDPR applies via the EEA Agreement).
EEA: frozenset[str] = frozenset(
    {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "IE", "IT", "LV"}
    | {"LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"}
)
SAFEGUARD_FOR: dict[str, str] = {
    "eu_scc": "eu_scc",
    "cn_standard_contract": "cn_standard_contract_filed",
    "cn_security_assessment": "cn_security_assessment_passed",
    "us_doj_restricted": "cisa_security_requirements",
    "us_ccpa_contract": "ccpa_contract",
}
# A CCPA contract is owed wherever a US regime result cites § 1798.100(d), whatever its mechanism.
CCPA_CITATION = "1798.100(d)"


def _mechanisms(evaluation: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    """(regime, mechanism, result) for each regime whose verdict calls for a mechanism."""
    found: list[tuple[str, str, Mapping[str, Any]]] = []
    for code in ("CN", "EU", "US"):
        result = regime(evaluation, code)
        mechanism = result.get("mechanism")
        if result.get("applies") and mechanism and result.get("verdict") in ACTIVE_VERDICTS:
            found.append((code, str(mechanism), result))
    return found


def _cites_ccpa(result: Mapping[str, Any]) -> bool:
    """Whether a regime result cites the CCPA contract requirement."""
    entries: Iterable[Any] = [*(result.get("obligations") or []), *(result.get("rules") or [])]
    return any(
        isinstance(entry, Mapping) and CCPA_CITATION in str(entry.get("citation") or "")
        for entry in entries
    )


def _ccpa_recipient(transfer: Mapping[str, Any]) -> str | None:
    """service_provider / third_party when the review shows it, None when legal must decide."""
    purposes = set(transfer.get("purposes") or [])
    role = (transfer.get("importer") or {}).get("role")
    if "advertising" in purposes:
        return "third_party"
    if role == "processor":
        return "service_provider"
    if role == "controller":
        return "third_party"
    return None


def _values(
    review: Mapping[str, Any], vendor: Mapping[str, Any], module: int | None
) -> dict[str, str | None]:
    """The pre-filled values checklist items can name (None when the review is silent)."""
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    exporter: Mapping[str, Any] = transfer.get("exporter") or {}
    importer: Mapping[str, Any] = transfer.get("importer") or {}
    categories = [str(c) for c in transfer.get("data_categories") or []]
    groups = subject_counts(transfer)
    country = str(exporter.get("country") or "")
    jurisdictions = sorted({j for j, _, _ in groups})
    name = label("countries", country, "en") if country else ""
    if country in EEA:
        authority: str | None = (
            f"Supervisory authority of {name}, where the exporter is established (Clause 13(a))"
        )
        law: str | None = f"Exporter established in {name}: law and courts of {name}"
    elif country:
        authority = (
            f"Exporter established outside the EEA ({name}): the supervisory authority of "
            "the Member State of its Art. 27 representative (Clause 13(b)), or, without one, "
            "of a Member State where the data subjects are "
            f"({', '.join(labels_of('countries', jurisdictions, 'en'))}) (Clause 13(c))"
        )
        law = None
    else:
        authority = law = None
    special = sensitive(categories, "gdpr_special")
    description = "; ".join(
        part
        for part in (
            "Data subjects: "
            + ", ".join(f"{label('countries', j, 'en')} {n:,}" for j, n, _ in groups)
            if groups
            else "",
            "Categories: " + ", ".join(labels_of("data_categories", categories, "en"))
            if categories
            else "",
            "Sensitive data: "
            + (", ".join(labels_of("data_categories", special, "en")) or "none listed"),
            "Purposes: " + ", ".join(labels_of("purposes", transfer.get("purposes") or [], "en"))
            if transfer.get("purposes")
            else "",
            f"Purpose stated: {review['purpose']}" if review.get("purpose") else "",
            "Destinations: "
            + ", ".join(labels_of("countries", transfer.get("destinations") or [], "en"))
            if transfer.get("destinations")
            else "",
        )
        if part
    )
    cn = [(n, m) for j, n, m in groups if j == "CN"]
    ytd = exporter.get("cn_outbound_ytd") or {}
    volume = None
    if cn:
        volume = f"This transfer: {sum(n for n, _ in cn):,} individuals in mainland China"
        pipl = sensitive(categories, "pipl_sensitive")
        volume += (
            f" (sensitive PI: {', '.join(labels_of('data_categories', pipl, 'en'))})"
            if pipl
            else " (non-sensitive PI)"
        )
        if ytd:
            volume += (
                f"; already sent since 1 January: {int(ytd.get('non_sensitive') or 0):,} "
                f"non-sensitive, {int(ytd.get('sensitive') or 0):,} sensitive"
            )
    safeguards = [safeguard_texts("en").get(s, s) for s in transfer.get("safeguards") or []]
    sub_url = (vendor.get("urls") or {}).get("subprocessors")
    recipient = _ccpa_recipient(transfer)
    return {
        "module": MODULE_NAMES.get(module) if module else None,
        "competent_authority": authority,
        "exporter_country": law,
        "parties": "; ".join(
            f"{label}: {text} ({role})"
            for label, text, role in (
                ("Exporter", party(exporter), exporter.get("role") or "controller"),
                ("Importer", party(importer, vendor.get("name")), importer.get("role")),
            )
            if text
        )
        or None,
        "transfer_description": description or None,
        "safeguards": "; ".join(safeguards) or None,
        "subprocessor_info": f"The vendor publishes a sub-processor list: {sub_url}"
        if sub_url
        else None,
        "volume": volume,
        "ccpa_recipient": recipient.replace("_", " ") if recipient else None,
    }


def checklist_progress(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Counts of done/open/n.a. items and the share done of those that apply."""
    statuses = [str(item.get("status")) for item in items]
    done, na = statuses.count("done"), statuses.count("n.a.")
    applicable = len(statuses) - na
    return {
        "total": len(statuses),
        "applicable": applicable,
        "done": done,
        "open": statuses.count("open"),
        "na": na,
        "percent": round(100 * done / applicable) if applicable else 100,
    }


def _build(
    name: str,
    code: str,
    mechanism: str,
    review: Mapping[str, Any],
    vendor: Mapping[str, Any],
) -> dict[str, Any]:
    """One checklist from its data file."""
    spec = load(f"checklists/{name}.yaml")
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    module = SCC_MODULES.get(mechanism)
    values = _values(review, vendor, module)
    recipient = _ccpa_recipient(transfer)
    declared = SAFEGUARD_FOR.get(name) in set(transfer.get("safeguards") or [])
    items = []
    for item in spec["items"]:
        status, evidence = "open", None
        modules = item.get("modules")
        recipients = item.get("recipients")
        if module and modules and module not in modules:
            status, evidence = "n.a.", f"Not part of Module {module}"
        elif recipient and recipients and recipient not in recipients:
            status, evidence = "n.a.", f"Recipient is a {recipient.replace('_', ' ')}"
        elif declared:
            evidence = "The review declares this mechanism in place; attach the proof."
        key = item.get("value")
        items.append(
            {
                "id": f"{spec['id']}.{item['id']}",
                "group": item.get("group") or "",
                "text": item["text"],
                "citation": item["citation"],
                "status": status,
                "who": item.get("who"),
                "when": item.get("when"),
                "evidence": evidence,
                "value": values.get(key) if key else None,
                "value_unknown": bool(key) and values.get(key) is None,
            }
        )
    return {
        "id": spec["id"],
        "regime": code,
        "mechanism": mechanism,
        "module": module,
        "title": spec["title"] + (f" — {MODULE_NAMES[module]}" if module else ""),
        "citation": spec["citation"],
        "items": items,
        "progress": checklist_progress(items),
    }


def build_checklists(
    evaluation: Mapping[str, Any], review: Mapping[str, Any], vendor: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The checklists the evaluation's mechanisms require, pre-filled from the review."""
    vendor = vendor or {}
    wanted: list[tuple[str, str, str]] = []
    for code, mechanism, result in _mechanisms(evaluation):
        for name in CHECKLIST_FILES:
            if mechanism in load(f"checklists/{name}.yaml")["mechanisms"]:
                wanted.append((name, code, mechanism))
        if code == "US" and mechanism != "us_ccpa_contract" and _cites_ccpa(result):
            wanted.append(("us_ccpa_contract", code, "us_ccpa_contract"))
    seen: set[str] = set()
    checklists = []
    for name, code, mechanism in wanted:
        if name not in seen:
            seen.add(name)
            checklists.append(_build(name, code, mechanism, review, vendor))
    return checklists
