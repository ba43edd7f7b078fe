"""Filled contracts: the EU Standard Contractual Clauses (Decision (EU) 2021/914) for the module
the engine chose, with legal's clause options and Annexes I-III filled from the review.

Three steps, all plain data:

- `contract_facts(review, evaluation, vendor)` — when the review's EU result names an SCC
  module, what the Annexes print (display strings, None when the review does not say) and the
  default options. The service stores it in the assessment document (``document["contracts"]``),
  so a saved version keeps the facts it was generated from.
- `option_problems(module, options)` — legal's options checked against the module (field ->
  messages; empty when they are valid).
- `build_contract(contract, ...)` — the renderable contract: the clause texts of the module
  exactly as published (``data/contracts/eu_scc.yaml``, a SHA-256 per clause), the chosen
  options, the filled Annexes. A fact or choice nobody made reads "[to be confirmed: ...]";
  nothing is invented.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from assessments.documents._data import load, safeguard_texts
from assessments.documents.checklists import EEA, MODULE_NAMES, SCC_MODULES
from assessments.documents.facts import regime, sensitive, subject_counts
from assessments.documents.vocabulary import label, labels_of

SCC_FILE = "contracts/eu_scc.yaml"
CONTRACTS: tuple[str, ...] = ("eu_scc",)
EU_MEMBER_STATES: frozenset[str] = EEA - {"IS", "LI", "NO"}
NINE_A: tuple[str, ...] = ("specific", "general")
THIRTEEN: tuple[str, ...] = ("established", "representative", "no_representative")
SEVENTEEN: tuple[str, ...] = ("option_1", "option_2")
# The blanks of the published text and the option that fills each.
BLANKS: dict[str, tuple[str, str]] = {
    "[Specify time period]": ("clause_9a_days", "time period"),
    "_______ (specify Member State)": ("governing_law", "Member State whose law governs"),
    "_______ (specify country)": ("governing_law", "country whose law governs"),
    "_____ (specify Member State)": ("courts", "Member State whose courts decide"),
    "_____ (specify country)": ("courts", "country whose courts decide"),
}
# What an open Annex field is called in its "to be confirmed" mark.
OPEN: dict[str, str] = {
    "name": "name",
    "address": "address",
    "contact": "contact person and details",
    "activities": "activities relevant to the transfer",
    "role": "role",
    "subjects": "categories of data subjects",
    "categories": "categories of personal data",
    "sensitive": "sensitive data and its safeguards",
    "frequency": "frequency of the transfer",
    "nature": "nature of the processing",
    "purposes": "purposes of the transfer",
    "retention": "retention period or its criteria",
    "processor_terms": "subject matter, nature and duration of the processing",
    "authority": "competent supervisory authority (Clause 13)",
    "measures": "the importer's specific technical and organisational measures",
    "processor_assistance": "the (sub-)processor's measures to assist the controller",
}
OPTION_KEYS: tuple[str, ...] = (
    "clause_7",
    "clause_9a",
    "clause_9a_days",
    "clause_11",
    "clause_13",
    "clause_13_state",
    "clause_17",
    "governing_law",
    "courts",
)


def tbc(what: str) -> str:
    """The visible mark of a fact or choice still open."""
    return f"[to be confirmed: {what}]"


def digest(value: Any) -> str:
    """SHA-256 of the compact, key-sorted JSON of a value (the clause checksum)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clause_digest(clause: Mapping[str, Any]) -> str:
    """The checksum of one clause: its number, title and blocks as published."""
    return digest({key: clause[key] for key in ("number", "title", "blocks")})


def scc_text() -> dict[str, Any]:
    """The published SCC texts (source, clauses, footnotes, appendix, annexes)."""
    return load(SCC_FILE)


# ---------------------------------------------------------------------------- facts


def _join(values: Iterable[object]) -> str | None:
    items = [str(v) for v in values if v]
    return "; ".join(items) or None


def _entity(vendor: Mapping[str, Any], name: str | None) -> Mapping[str, Any]:
    """The vendor's legal entity of that name, else its first one ({} when none)."""
    entities = [e for e in vendor.get("legal_entities") or [] if isinstance(e, Mapping)]
    return next((e for e in entities if name and e.get("name") == name), None) or (
        entities[0] if entities else {}
    )


def default_options(module: int, exporter_country: str | None) -> dict[str, Any]:
    """Sensible defaults: docking clause in, general authorisation, no optional redress body;
    in Modules 1-3 Clause 13, governing law and courts follow the exporter's establishment in
    the EU, and stay open (None) when it is elsewhere or unknown, and always in Module 4."""
    in_eu = exporter_country in EU_MEMBER_STATES
    # Module 4 names any country allowing third-party beneficiary rights: legal's call.
    law = exporter_country if in_eu and module != 4 else None
    return {
        "clause_7": True,
        "clause_9a": "general" if module in (2, 3) else None,
        "clause_9a_days": None,
        "clause_11": False,
        "clause_13": ("established" if in_eu else None) if module != 4 else None,
        "clause_13_state": law if module != 4 else None,
        "clause_17": (("option_2" if in_eu else "option_1") if module in (2, 3) else "option_1")
        if module != 4
        else None,
        "governing_law": law,
        "courts": law,
    }


def contract_facts(
    review: Mapping[str, Any], evaluation: Mapping[str, Any], vendor: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The contracts the evaluation calls for, each with its Annex facts and default options."""
    result = regime(evaluation, "EU")
    mechanism = str(result.get("mechanism") or "")
    module = SCC_MODULES.get(mechanism)
    if not result.get("applies") or module is None:
        return {}
    vendor = vendor or {}
    transfer: Mapping[str, Any] = review.get("transfer") or {}
    exporter: Mapping[str, Any] = transfer.get("exporter") or {}
    importer: Mapping[str, Any] = transfer.get("importer") or {}
    categories = [str(c) for c in transfer.get("data_categories") or []]
    purposes = [str(p) for p in transfer.get("purposes") or []]
    purpose_words = _join([", ".join(labels_of("purposes", purposes, "en")), review.get("purpose")])
    importer_name = importer.get("name") or vendor.get("name")
    entity = _entity(vendor, importer.get("name"))
    groups = subject_counts(transfer)
    subjects = _join(
        f"People in {label('countries', j, 'en')}: {n:,}" + (" (children included)" if m else "")
        for j, n, m in groups
    )
    special = sensitive(categories, "gdpr_special")
    measures = safeguard_texts("en")
    declared = [measures.get(str(s), str(s)) for s in transfer.get("safeguards") or []]
    certified = labels_of("certifications", vendor.get("certifications") or [], "en")
    toms = declared + ([f"Certifications: {', '.join(certified)}"] if certified else [])
    urls: Mapping[str, Any] = vendor.get("urls") or {}
    destinations = labels_of("countries", transfer.get("destinations") or [], "en")
    role = importer.get("role")
    facts = {
        "exporter": {
            "name": exporter.get("name"),
            "country": label("countries", exporter["country"], "en")
            if exporter.get("country")
            else None,
            "address": None,
            "contact": None,
            "activities": purpose_words,
            "role": exporter.get("role") or "controller",
        },
        "importer": {
            "name": importer_name,
            "country": label("countries", importer["country"], "en")
            if importer.get("country")
            else None,
            "address": entity.get("address"),
            "contact": None,
            "activities": _join([vendor.get("description")]),
            "role": role,
        },
        "subjects": subjects,
        "categories": ", ".join(labels_of("data_categories", categories, "en")) or None,
        "sensitive": ", ".join(labels_of("data_categories", special, "en")) if special else "None",
        "sensitive_safeguards": "; ".join(declared) or None if special else None,
        "frequency": review.get("frequency"),
        "nature": f"Processing by {importer_name} as {role} for: {purpose_words}"
        if importer_name and role and purpose_words
        else None,
        "purposes": purpose_words,
        "retention": review.get("retention"),
        "destinations": ", ".join(destinations) or None,
        "measures": toms,
        "subprocessor_url": urls.get("subprocessors"),
    }
    country = str(exporter.get("country") or "") or None
    return {
        "eu_scc": {
            "mechanism": mechanism,
            "module": module,
            "exporter_country": country,
            "facts": facts,
            "options": default_options(module, country),
        }
    }


# ---------------------------------------------------------------------------- options


def option_problems(module: int, options: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a set of options for this module (empty when nothing is)."""
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    unknown = sorted(set(options) - set(OPTION_KEYS))
    for key in unknown:
        add(key, f"Not an SCC option; use {', '.join(OPTION_KEYS)}.")
    if options.get("clause_9a") is not None and module not in (2, 3):
        add("clause_9a", "Clause 9 (sub-processors) is part of Modules 2 and 3 only.")
    if options.get("clause_9a_days") is not None and options.get("clause_9a") is None:
        add("clause_9a_days", "Choose the Clause 9(a) option the period belongs to.")
    if module == 4:
        for key in ("clause_13", "clause_13_state", "clause_17"):
            if options.get(key) is not None:
                add(key, "Module 4 has no such choice.")
    if options.get("clause_17") == "option_2" and module not in (2, 3):
        add("clause_17", "Clause 17 Option 2 is for Modules 2 and 3 only.")
    for key in ("governing_law", "courts", "clause_13_state"):
        code = options.get(key)
        if code is None:
            continue
        if key != "clause_13_state" and module == 4:
            if not label("countries", code, "en") or len(str(code)) != 2:
                add(key, "Give an ISO 3166-1 alpha-2 country code.")
        elif code not in EU_MEMBER_STATES:
            add(key, "Give the ISO code of an EU Member State (Clauses 13, 17 and 18).")
    return problems


def _choice_words(module: int, options: Mapping[str, Any]) -> list[dict[str, str]]:
    """The options in words, for the contract's cover and the web page."""

    def country(key: str, what: str) -> str:
        code = options.get(key)
        return label("countries", code, "en") if code else tbc(what)

    rows = [
        {
            "clause": "Clause 7 (docking clause)",
            "choice": "Included" if options.get("clause_7") else "Not used",
        }
    ]
    if module in (2, 3):
        nine = {
            "specific": "Option 1: specific prior authorisation",
            "general": "Option 2: general written authorisation",
        }.get(str(options.get("clause_9a")), tbc("Clause 9(a) option"))
        days = options.get("clause_9a_days")
        nine += f"; {days} days" if days else f"; {tbc('time period')}"
        rows.append({"clause": "Clause 9(a) (sub-processors)", "choice": nine})
    rows.append(
        {
            "clause": "Clause 11(a) (independent dispute resolution body)",
            "choice": "Included" if options.get("clause_11") else "Not used",
        }
    )
    if module != 4:
        thirteen = {
            "established": "Exporter established in an EU Member State",
            "representative": "Exporter outside the EU with an Art. 27(1) representative",
            "no_representative": "Exporter outside the EU without a representative",
        }.get(str(options.get("clause_13")), tbc("Clause 13(a) alternative"))
        rows.append(
            {
                "clause": "Clause 13 (supervision)",
                "choice": f"{thirteen}; {country('clause_13_state', 'Member State')}",
            }
        )
        seventeen = {"option_1": "Option 1", "option_2": "Option 2"}.get(
            str(options.get("clause_17")), tbc("Clause 17 option")
        )
        rows.append(
            {
                "clause": "Clause 17 (governing law)",
                "choice": f"{seventeen}; {country('governing_law', 'Member State')}",
            }
        )
    else:
        rows.append(
            {"clause": "Clause 17 (governing law)", "choice": country("governing_law", "country")}
        )
    rows.append({"clause": "Clause 18 (forum)", "choice": country("courts", "courts")})
    return rows


# ---------------------------------------------------------------------------- contract


def _fill(text: str, options: Mapping[str, Any], unknowns: list[str]) -> str:
    """A published text with its blanks filled from the options (or marked to be confirmed)."""
    for blank, (key, what) in BLANKS.items():
        if blank not in text:
            continue
        value = options.get(key)
        if value is None:
            unknowns.append(what)
            text = text.replace(blank, tbc(what))
        elif key == "clause_9a_days":
            text = text.replace(blank, f"{int(value)} days")
        else:
            text = text.replace(blank, label("countries", value, "en"))
    return text


def _level(label_text: str | None, previous: str | None) -> int:
    """1 for (a)-(z), 2 for roman numerals (i), (ii) ... (an (i) after (h) is a letter)."""
    if not label_text:
        return 0
    inner = label_text.strip("()")
    roman = set(inner) <= set("ivx")
    if roman and not (inner == "i" and previous == "(h)"):
        return 2
    return 1


def _clauses(
    module: int, options: Mapping[str, Any], unknowns: list[str]
) -> tuple[list[dict[str, Any]], list[int]]:
    """The module's clauses with the options applied, and the footnotes they cite."""
    out: list[dict[str, Any]] = []
    notes: list[int] = []
    for clause in scc_text()["clauses"]:
        if clause["id"] == "7" and not options.get("clause_7"):
            continue
        blocks: list[dict[str, Any]] = []
        previous: str | None = None
        pending: set[str] = set()
        for block in clause["blocks"]:
            modules = block.get("modules")
            if modules and module not in modules:
                continue
            option = block.get("option")
            if option:
                chosen = options.get(option["group"])
                if option["group"] == "clause_11":
                    if not chosen:
                        continue
                elif chosen is None:
                    # Nobody chose: every alternative stays, under one visible note.
                    if option["group"] not in pending:
                        pending.add(option["group"])
                        what = f"which alternative of {clause['number']} applies"
                        unknowns.append(what)
                        blocks.append({"kind": "pending", "text": tbc(what)})
                elif chosen != option["value"]:
                    continue
            if "heading" in block:
                blocks.append({"kind": "heading", "text": block["heading"]})
                continue
            text = _fill(block["text"], options, unknowns)
            blocks.append(
                {
                    "kind": "text",
                    "label": block.get("label"),
                    "level": _level(block.get("label"), previous),
                    "text": text,
                    "source": block["text"],
                    "notes": list(block.get("notes") or []),
                }
            )
            previous = block.get("label") or previous
            notes.extend(block.get("notes") or [])
        if not blocks:
            continue  # a clause with no text in this module (Clause 13 in Module 4)
        out.append(
            {
                "number": clause["number"],
                "title": clause["title"],
                "section": clause.get("section"),
                "blocks": blocks,
            }
        )
    return out, sorted(set(notes))


def _row(label_text: str, value: object, what: str, unknowns: list[str]) -> dict[str, Any]:
    if value is None or value == "" or value == []:
        unknowns.append(what)
        return {"label": label_text, "value": tbc(what), "unknown": True}
    if isinstance(value, list):
        value = "\n".join(f"- {v}" for v in value)
    return {"label": label_text, "value": str(value), "unknown": False}


def _annexes(
    module: int, facts: Mapping[str, Any], options: Mapping[str, Any], unknowns: list[str]
) -> list[dict[str, Any]]:
    """Annexes I.A-I.C, II and III of the module, filled."""
    annexes = []
    authority = None
    state = options.get("clause_13_state")
    if options.get("clause_13") and state:
        authority = (
            f"The competent supervisory authority of {label('countries', state, 'en')}, "
            "in accordance with Clause 13(a)"
        )
    for annex in scc_text()["annexes"]:
        if module not in annex["modules"]:
            continue
        parts: list[dict[str, Any]] = []
        if annex["id"] == "I.A":
            for part in annex["parts"]:
                side: Mapping[str, Any] = facts.get(part["side"]) or {}
                name = side.get("name")
                if name and side.get("country"):
                    name = f"{name} ({side['country']})"
                values = {
                    "name": name,
                    "address": side.get("address"),
                    "contact": side.get("contact"),
                    "activities": side.get("activities"),
                    "role": side.get("role"),
                }
                rows = []
                for field in part["fields"]:
                    if field["key"] == "signature":
                        rows.append({"label": field["label"], "value": "", "unknown": False})
                        continue
                    what = f"{part['side']}'s {OPEN[field['key']]}"
                    rows.append(_row(field["label"], values[field["key"]], what, unknowns))
                parts.append({"intro": part["intro"], "rows": rows})
        elif annex["id"] == "III":
            url = facts.get("subprocessor_url")
            what = "the sub-processors authorised" + (
                f" (the vendor publishes its list at {url})" if url else ""
            )
            rows = [_row(field["label"], None, what, []) for field in annex["fields"][:1]]
            unknowns.append(what)
            parts.append({"intro": annex["intro"], "rows": rows})
        else:
            # What the review declares is in place for the transfer (either party's); the
            # importer's own specific measures are never on record, so they stay open.
            own = OPEN["measures"]
            if annex["id"] == "II":
                unknowns.append(own)
            safeguards = facts.get("sensitive_safeguards")
            special = facts.get("sensitive")
            restrictions = "restrictions and safeguards for the sensitive data"
            if special and special != "None" and not safeguards and annex["id"] == "I.B":
                unknowns.append(restrictions)
            values = {
                **facts,
                "measures": [
                    *(f"Declared in the review: {m}" for m in facts.get("measures") or []),
                    tbc(own),
                ],
                "sensitive": (
                    f"{special}. Safeguards declared in the review: {safeguards}"
                    if safeguards
                    else (f"{special}. {tbc(restrictions)}" if special != "None" else special)
                )
                if special
                else None,
                "processor_terms": None,
                "authority": authority,
                "processor_assistance": None,
            }
            rows = [
                _row(field["label"], values.get(field["key"]), OPEN[field["key"]], unknowns)
                for field in annex["fields"]
                if module in (field.get("modules") or [module])
            ]
            parts.append({"intro": None, "rows": rows})
        annexes.append(
            {
                "id": annex["id"],
                "annex": annex["annex"],
                "heading": annex["heading"],
                "notes": list(annex.get("notes") or []),
                "parts": parts,
            }
        )
    return annexes


def build_contract(
    contract: Mapping[str, Any],
    *,
    company: str | None = None,
    vendor: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The SCCs of the stored contract (facts + options), ready to render."""
    module = int(contract["module"])
    options: Mapping[str, Any] = contract.get("options") or {}
    facts: Mapping[str, Any] = contract.get("facts") or {}
    text = scc_text()
    unknowns: list[str] = []
    clauses, cited = _clauses(module, options, unknowns)
    annexes = _annexes(module, facts, options, unknowns)
    footnotes = [dict(f) for f in text["footnotes"] if f["number"] in cited]
    return {
        "kind": "contract",
        "contract": "eu_scc",
        "language": "en",
        "title": "Standard Contractual Clauses",
        "subtitle": f"Commission Implementing Decision (EU) 2021/914 — {MODULE_NAMES[module]}",
        "module": module,
        "mechanism": contract.get("mechanism"),
        "company": company,
        "vendor": vendor,
        "meta": dict(meta or {}),
        "source": dict(text["source"]),
        "options": _choice_words(module, options),
        "clauses": clauses,
        "footnotes": footnotes,
        "appendix": dict(text["appendix"]),
        "annexes": annexes,
        "unknowns": list(dict.fromkeys(unknowns)),
    }
