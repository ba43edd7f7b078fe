"""Build the contract and filing checklists a transfer's mechanisms call for, as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assessments.documents._data import load, safeguard_texts
from assessments.documents.facts import party, regime, sensitive, subject_counts
from assessments.documents.vocabulary import label, labels_of
from assessments.types import REGIMES

CHECKLIST_FILES: tuple[str, ...] = (
    "cn_security_assessment",
    "cn_standard_contract",
    "eu_scc",
    "us_doj_restricted",
    "us_ccpa_contract",
)
# A checklist item's statuses: still to do, done, or not applicable (counted in no progress).
OPEN, DONE, NOT_APPLICABLE = "open", "done", "n.a."
ITEM_STATUSES: tuple[str, ...] = (OPEN, DONE, NOT_APPLICABLE)
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
    for code in REGIMES:
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


PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "authority_eea": "Supervisory authority of {name}, where the exporter is established "
        "(Clause 13(a))",
        "law_eea": "Exporter established in {name}: law and courts of {name}",
        "authority_outside": "Exporter established outside the EEA ({name}): the supervisory "
        "authority of the Member State of its Art. 27 representative (Clause 13(b)), or, without "
        "one, of a Member State where the data subjects are ({where}) (Clause 13(c))",
        "subjects": "Data subjects: {value}",
        "categories": "Categories: {value}",
        "sensitive": "Sensitive data: {value}",
        "none_listed": "none listed",
        "purposes": "Purposes: {value}",
        "purpose_stated": "Purpose stated: {value}",
        "destinations": "Destinations: {value}",
        "volume": "This transfer: {n:,} individuals in mainland China",
        "volume_sensitive": " (sensitive PI: {value})",
        "volume_ordinary": " (non-sensitive PI)",
        "volume_ytd": "; already sent since 1 January: {ordinary:,} non-sensitive, "
        "{sensitive:,} sensitive",
        "exporter": "Exporter",
        "importer": "Importer",
        "subprocessors": "The vendor publishes a sub-processor list: {url}",
        "join": ", ",
        "sep": "; ",
    },
    "zh": {
        "authority_eea": "{name}的监管机构（数据出境方设立地，第13条(a)款）",
        "law_eea": "数据出境方设立于{name}：适用{name}的法律和法院",
        "authority_outside": "数据出境方设立于欧洲经济区以外（{name}）：其依第27条指定的代表"
        "所在成员国的监管机构（第13条(b)款）；未指定代表的，数据主体所在成员国（{where}）的监管"
        "机构（第13条(c)款）",
        "subjects": "数据主体：{value}",
        "categories": "数据类别：{value}",
        "sensitive": "敏感数据：{value}",
        "none_listed": "未列明",
        "purposes": "处理目的：{value}",
        "purpose_stated": "业务陈述的目的：{value}",
        "destinations": "目的地：{value}",
        "volume": "本次出境：中国大陆 {n:,} 人",
        "volume_sensitive": "（敏感个人信息：{value}）",
        "volume_ordinary": "（非敏感个人信息）",
        "volume_ytd": "；自当年1月1日起已出境：非敏感 {ordinary:,} 人，敏感 {sensitive:,} 人",
        "exporter": "数据出境方",
        "importer": "境外接收方",
        "subprocessors": "供应商公布的次级处理者清单：{url}",
        "join": "、",
        "sep": "；",
    },
}


def _values(
    review: Mapping[str, Any], vendor: Mapping[str, Any], module: int | None, language: str
) -> dict[str, str | None]:
    """The pre-filled values checklist items can name (None when the review is silent)."""
    words = PHRASES[language]
    join = words["join"]
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    exporter: Mapping[str, Any] = transfer.get("exporter") or {}
    importer: Mapping[str, Any] = transfer.get("importer") or {}
    categories = [str(c) for c in transfer.get("data_categories") or []]
    groups = subject_counts(transfer)
    country = str(exporter.get("country") or "")
    jurisdictions = sorted({j for j, _, _ in groups})
    name = label("countries", country, language) if country else ""
    law: str | None = None
    authority: str | None = None
    if country in EEA:
        authority = words["authority_eea"].format(name=name)
        law = words["law_eea"].format(name=name)
    elif country:
        where = join.join(labels_of("countries", jurisdictions, language))
        authority = words["authority_outside"].format(name=name, where=where)

    def listed(kind: str, codes: Iterable[object]) -> str:
        return join.join(labels_of(kind, codes, language))

    special = sensitive(categories, "gdpr_special")
    purposes = transfer.get("purposes") or []
    destinations = transfer.get("destinations") or []
    subjects = join.join(f"{label('countries', j, language)} {n:,}" for j, n, _ in groups)
    parts = (
        words["subjects"].format(value=subjects) if groups else "",
        words["categories"].format(value=listed("data_categories", categories))
        if categories
        else "",
        words["sensitive"].format(value=listed("data_categories", special) or words["none_listed"]),
        words["purposes"].format(value=listed("purposes", purposes)) if purposes else "",
        words["purpose_stated"].format(value=review["purpose"]) if review.get("purpose") else "",
        words["destinations"].format(value=listed("countries", destinations))
        if destinations
        else "",
    )
    description = words["sep"].join(part for part in parts if part)
    cn = [(n, m) for j, n, m in groups if j == "CN"]
    ytd = exporter.get("cn_outbound_ytd") or {}
    volume = None
    if cn:
        volume = words["volume"].format(n=sum(n for n, _ in cn))
        pipl = sensitive(categories, "pipl_sensitive")
        volume += (
            words["volume_sensitive"].format(value=listed("data_categories", pipl))
            if pipl
            else words["volume_ordinary"]
        )
        if ytd:
            volume += words["volume_ytd"].format(
                ordinary=int(ytd.get("non_sensitive") or 0),
                sensitive=int(ytd.get("sensitive") or 0),
            )
    measures = safeguard_texts(language)
    safeguards = [measures.get(s, s) for s in transfer.get("safeguards") or []]
    sub_url = (vendor.get("urls") or {}).get("subprocessors")
    recipient = _ccpa_recipient(transfer)
    exporter_role = exporter.get("role") or "controller"
    sides = (
        (words["exporter"], party(exporter, None, language), exporter_role),
        (words["importer"], party(importer, vendor.get("name"), language), importer.get("role")),
    )
    return {
        "module": _module_name(module, language) if module else None,
        "competent_authority": authority,
        "exporter_country": law,
        "parties": words["sep"].join(
            f"{side}: {text} ({label('roles', role, language) if role else ''})"
            for side, text, role in sides
            if text
        )
        or None,
        "transfer_description": description or None,
        "safeguards": words["sep"].join(safeguards) or None,
        "subprocessor_info": words["subprocessors"].format(url=sub_url) if sub_url else None,
        "volume": volume,
        "ccpa_recipient": _recipient_words(recipient, language) if recipient else None,
    }


def _module_name(module: int, language: str) -> str:
    """'Module 2 (controller to processor)' in the language."""
    if language == "zh":
        return str(load("checklists.zh.yaml")["modules"][module])
    return MODULE_NAMES[module]


def _recipient_words(recipient: str, language: str) -> str:
    """'service provider' / 'third party' in the language."""
    if language == "zh":
        return str(load("checklists.zh.yaml")["words"][recipient])
    return recipient.replace("_", " ")


def checklist_progress(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Counts of done/open/n.a. items and the share done of those that apply."""
    statuses = [str(item.get("status")) for item in items]
    done, na = statuses.count(DONE), statuses.count(NOT_APPLICABLE)
    applicable = len(statuses) - na
    return {
        "total": len(statuses),
        "applicable": applicable,
        "done": done,
        "open": statuses.count(OPEN),
        "na": na,
        "percent": round(100 * done / applicable) if applicable else 100,
    }


def _build(
    name: str,
    code: str,
    mechanism: str,
    review: Mapping[str, Any],
    vendor: Mapping[str, Any],
    language: str,
) -> dict[str, Any]:
    """One checklist from its data file, in the language (checklists.zh.yaml for Chinese)."""
    spec = load(f"checklists/{name}.yaml")
    zh = load("checklists.zh.yaml") if language == "zh" else None
    own: Mapping[str, Any] = zh[spec["id"]] if zh else {}
    roles: Mapping[str, str] = zh["roles"] if zh else {}
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    module = SCC_MODULES.get(mechanism)
    values = _values(review, vendor, module, language)
    recipient = _ccpa_recipient(transfer)
    declared = SAFEGUARD_FOR.get(name) in set(transfer.get("safeguards") or [])
    items = []
    for item in spec["items"]:
        status, evidence = OPEN, None
        modules = item.get("modules")
        recipients = item.get("recipients")
        words = zh["words"] if zh else None
        if module and modules and module not in modules:
            status = NOT_APPLICABLE
            evidence = (
                words["not_in_module"].format(module=module)
                if words
                else f"Not part of Module {module}"
            )
        elif recipient and recipients and recipient not in recipients:
            status = NOT_APPLICABLE
            evidence = (
                words["recipient_is"].format(recipient=_recipient_words(recipient, language))
                if words
                else f"Recipient is a {recipient.replace('_', ' ')}"
            )
        elif declared:
            evidence = (
                words["declared"]
                if words
                else "The review declares this mechanism in place; attach the proof."
            )
        key = item.get("value")
        texts: Mapping[str, Any] = (own.get("items") or {}).get(item["id"]) or {}
        group = item.get("group") or ""
        who = item.get("who")
        items.append(
            {
                "id": f"{spec['id']}.{item['id']}",
                "group": (own.get("groups") or {}).get(group, group),
                "text": texts.get("text") or item["text"],
                "citation": item["citation"],
                "status": status,
                "who": roles.get(who, who) if who else who,
                "when": texts.get("when") or item.get("when"),
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
        "title": (own.get("title") or spec["title"])
        + (f" — {_module_name(module, language)}" if module else ""),
        "citation": spec["citation"],
        "items": items,
        "progress": checklist_progress(items),
    }


def build_checklists(
    evaluation: Mapping[str, Any],
    review: Mapping[str, Any],
    vendor: Mapping[str, Any] | None,
    language: str = "en",
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
            checklists.append(_build(name, code, mechanism, review, vendor, language))
    return checklists
