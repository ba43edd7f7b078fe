"""Official lists a user downloaded — the US Consolidated Screening List, the IAB TCF Global
Vendor List (+ Additional Vendor Information List), a DPF participant list export — read,
matched to vendors by legal entity and alias, and turned into a diff of facts.

Pure: the caller reads the file; nothing here fetches anything. docs/catalog.md describes
each format (with the column names / JSON keys it reads) and how entries are matched."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from assessments.catalog.names import name_key

KINDS = ("csl", "tcf_gvl", "dpf")

CSL_URL = "https://www.trade.gov/consolidated-screening-list"
GVL_URL = "https://vendor-list.consensu.org/v3/vendor-list.json"
AVIL_URL = "https://vendor-list.consensu.org/v2/additional-vendor-information-list.json"
DPF_URL = "https://www.dataprivacyframework.gov/list"

LIST_LABELS = {
    "csl": "US Consolidated Screening List",
    "tcf_gvl": "IAB TCF Global Vendor List",
    "dpf": "Data Privacy Framework list",
}

# CSL `source` values (the list an entry is on) -> our sanctions list ids. Lists without an id
# in assessments/catalog/vocabulary.py SANCTION_LISTS are reported as skipped, never dropped.
_CSL_SOURCES: tuple[tuple[str, str], ...] = (
    ("(sdn)", "ofac_sdn"),
    ("specially designated nationals", "ofac_sdn"),
    ("(ssi)", "ofac_ssi"),
    ("sectoral sanctions", "ofac_ssi"),
    ("(cmic)", "ofac_nscmic"),
    ("military-industrial complex", "ofac_nscmic"),
    ("(el)", "bis_entity"),
    ("entity list", "bis_entity"),
)
CSL_LISTS = frozenset(code for _, code in _CSL_SOURCES)

# AVIL `transferMechanisms` values -> our transfer mechanism ids ("Adequacy decision" and
# "Other" name no mechanism a DPA offers).
_AVIL_MECHANISMS = {"sccs": "eu_scc", "bcrs": "eu_bcr"}

_DPF_PARTS = (
    ("uk", "uk_extension"),
    ("swiss", "swiss_us"),
    ("eu", "eu_us"),
)


class ListFormatError(ValueError):
    """The file is not in the format of the list kind; `message` says what is wrong."""


@dataclass(frozen=True)
class ListEntry:
    """One entry of an official list: who it names and the facts it states."""

    ref: str  # the entry's id in the file (CSL _id, GVL vendor id, DPF row number)
    name: str
    aliases: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OfficialList:
    """A parsed list file: its kind, the address it comes from, its date and entries."""

    kind: str
    source_url: str
    published: date | None
    entries: tuple[ListEntry, ...]


@dataclass(frozen=True)
class VendorFacts:
    """What the matcher needs of a registry vendor."""

    slug: str
    names: tuple[str, ...]
    entity_names: tuple[str, ...] = ()
    owners: tuple[tuple[str, float | None], ...] = ()  # (owner name, share or None)
    us_presence: bool = False
    sanctions: tuple[Mapping[str, Any], ...] = ()
    dpf: Mapping[str, Any] | None = None
    urls: Mapping[str, str] = field(default_factory=dict)
    transfer_mechanisms: tuple[str, ...] = ()
    status: str = "active"


@dataclass(frozen=True)
class FactChange:
    """One fact an import would set: new, changed, removed, or confirmed (re-checked)."""

    slug: str
    fact: str  # sanctions | dpf | status | urls | transfer_mechanisms
    change: str = field(
        metadata={"metadata": {"description": "new | changed | removed | confirmed"}}
    )
    before: Any
    after: Any
    entry: str  # "<ref> <name>" of the list entry, or "(not in the list)"
    source: str
    date: date


@dataclass(frozen=True)
class Skipped:
    """An entry that matched a vendor but gives no fact we record, and why."""

    entry: str
    slug: str
    reason: str


@dataclass
class ListDiff:
    """What importing a list would change, and the entries it could not place."""

    kind: str
    source: str
    date: date
    changes: list[FactChange] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    entries: int = 0

    def changed_vendors(self) -> dict[str, list[FactChange]]:
        """The changes grouped by vendor slug, in order."""
        grouped: dict[str, list[FactChange]] = {}
        for change in self.changes:
            grouped.setdefault(change.slug, []).append(change)
        return grouped


# ---- parsing --------------------------------------------------------------------------------


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ListFormatError(f"the file is not UTF-8 text ({exc.reason})") from exc


def _json(data: bytes) -> Any:
    try:
        return json.loads(_text(data))
    except json.JSONDecodeError as exc:
        raise ListFormatError(f"not JSON: {exc.msg} at line {exc.lineno}") from exc


def _csv_rows(data: bytes, required: Sequence[str]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(_text(data)))
    headers = [h.strip() for h in reader.fieldnames or []]
    missing = [h for h in required if h not in headers]
    if missing:
        raise ListFormatError(f"missing column(s) {', '.join(missing)}; the header is {headers}")
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]


def _date(value: Any) -> date | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _split(value: Any) -> tuple[str, ...]:
    """A CSL list cell ("a; b") or JSON list as a tuple of non-empty strings."""
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in str(value or "").split(";") if p.strip())


def parse_csl(data: bytes, filename: str = "") -> OfficialList:
    """The trade.gov Consolidated Screening List, CSV (columns `_id`, `source`, `type`,
    `programs`, `name`, `start_date`, `alt_names`, `source_list_url`, ...) or JSON
    (`{"results": [...]}` with the same keys, lists as arrays). Only `type` Entity rows."""
    is_json = filename.lower().endswith(".json") or data.lstrip()[:1] in (b"{", b"[")
    if is_json:
        raw = _json(data)
        rows = raw.get("results") if isinstance(raw, Mapping) else raw
        if not isinstance(rows, list):
            raise ListFormatError('expected {"results": [...]} or a list of entries')
    else:
        rows = _csv_rows(data, ("_id", "source", "name", "type"))
    entries = []
    for index, row in enumerate(rows, 1):
        if not isinstance(row, Mapping) or not row.get("name"):
            raise ListFormatError(f"entry {index} has no name")
        if str(row.get("type") or "").strip().casefold() != "entity":
            continue  # individuals, vessels and aircraft are not vendors
        source = str(row.get("source") or "")
        entries.append(
            ListEntry(
                ref=str(row.get("_id") or row.get("id") or row.get("entity_number") or index),
                name=str(row["name"]).strip(),
                aliases=_split(row.get("alt_names")),
                facts={
                    "list": csl_list_id(source),
                    "source": source,
                    "programs": _split(row.get("programs")),
                    "designated": _date(row.get("start_date")),
                    "source_list_url": str(row.get("source_list_url") or "") or None,
                },
            )
        )
    return OfficialList("csl", CSL_URL, None, tuple(entries))


def csl_list_id(source: str) -> str | None:
    """Our sanctions list id for a CSL `source` value, or None when we have none."""
    folded = source.casefold()
    return next((code for marker, code in _CSL_SOURCES if marker in folded), None)


def parse_gvl(data: bytes, avil: bytes | None = None) -> OfficialList:
    """The IAB TCF Global Vendor List v3 (`gvlSpecificationVersion` 3, `lastUpdated`,
    `vendors: {id: {id, name, urls: [{langId, privacy, legIntClaim}], deletedDate}}`) and,
    when given, the Additional Vendor Information List (`vendors: {id: {legalAddress,
    internationalTransfers, transferMechanisms}}`)."""
    raw = _json(data)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("vendors"), Mapping):
        raise ListFormatError("not a Global Vendor List: no `vendors` object")
    version = raw.get("gvlSpecificationVersion")
    if version != 3:
        raise ListFormatError(f"gvlSpecificationVersion {version!r}: only version 3 is read")
    extra: Mapping[str, Any] = {}
    if avil is not None:
        avil_raw = _json(avil)
        if not isinstance(avil_raw, Mapping) or not isinstance(avil_raw.get("vendors"), Mapping):
            raise ListFormatError("not an Additional Vendor Information List: no `vendors`")
        extra = avil_raw["vendors"]
    entries = []
    for key, vendor in raw["vendors"].items():
        if not isinstance(vendor, Mapping) or not vendor.get("name"):
            raise ListFormatError(f"vendor {key} has no name")
        urls = [u for u in vendor.get("urls") or [] if isinstance(u, Mapping)]
        english = next((u for u in urls if u.get("langId") == "en"), urls[0] if urls else {})
        info = extra.get(str(key)) or {}
        mechanisms = info.get("transferMechanisms") or info.get("transfersMechanisms") or []
        entries.append(
            ListEntry(
                ref=str(vendor.get("id", key)),
                name=str(vendor["name"]).strip(),
                facts={
                    "privacy_policy": english.get("privacy"),
                    "deleted": _date(vendor.get("deletedDate")),
                    "international_transfers": info.get("internationalTransfers"),
                    "transfer_mechanisms": tuple(
                        _AVIL_MECHANISMS[m.casefold()]
                        for m in mechanisms
                        if isinstance(m, str) and m.casefold() in _AVIL_MECHANISMS
                    ),
                },
            )
        )
    return OfficialList("tcf_gvl", GVL_URL, _date(raw.get("lastUpdated")), tuple(entries))


def _column(row: Mapping[str, str], *names: str) -> str:
    folded = {k.casefold(): v for k, v in row.items()}
    return next((folded[n] for n in names if folded.get(n)), "")


def _dpf_parts(row: Mapping[str, str]) -> tuple[str, ...]:
    combined = _column(row, "programs", "program", "frameworks", "framework", "dpf parts")
    if combined:
        text = combined.casefold()
        found = {part for marker, part in _DPF_PARTS if marker in text}
        without_uk = text.replace("uk extension to the eu-u.s.", "")
        if "uk_extension" in found and "eu-u.s." not in without_uk and "eu-us" not in without_uk:
            found.discard("eu_us")  # "UK Extension to the EU-U.S. DPF" alone names no EU part
        return tuple(p for p in ("eu_us", "uk_extension", "swiss_us") if p in found)
    flags = {
        "eu_us": _column(row, "eu-u.s. dpf", "eu-us dpf", "eu_us"),
        "uk_extension": _column(
            row, "uk extension", "uk extension to the eu-u.s. dpf", "uk_extension"
        ),
        "swiss_us": _column(row, "swiss-u.s. dpf", "swiss-us dpf", "swiss_us"),
    }
    yes = {"yes", "y", "true", "1", "active", "x"}
    return tuple(p for p, v in flags.items() if v.casefold() in yes)


def parse_dpf(data: bytes) -> OfficialList:
    """A DPF participant list export (CSV): `Organization Name`, `Status` (Active / Inactive)
    and the parts, either one `Programs` column ("EU-U.S. DPF; UK Extension to the EU-U.S. DPF;
    Swiss-U.S. DPF") or one yes/no column per part (`EU-U.S. DPF`, `UK Extension`,
    `Swiss-U.S. DPF`)."""
    rows = _csv_rows(data, ())
    if rows and not _column(rows[0], "organization name", "organization", "name"):
        raise ListFormatError("missing column `Organization Name`")
    entries = []
    for index, row in enumerate(rows, 1):
        name = _column(row, "organization name", "organization", "name")
        status = _column(row, "status", "participation status").casefold()
        if not name:
            raise ListFormatError(f"row {index} has no organization name")
        if status not in {"active", "inactive"}:
            raise ListFormatError(f"row {index}: status {status!r} is neither Active nor Inactive")
        entries.append(
            ListEntry(ref=str(index), name=name, facts={"status": status, "parts": _dpf_parts(row)})
        )
    return OfficialList("dpf", DPF_URL, None, tuple(entries))


def parse_list(
    kind: str, data: bytes, filename: str = "", extra: bytes | None = None
) -> OfficialList:
    """Parse a list file of `kind` (csl | tcf_gvl | dpf); `extra` is the AVIL for tcf_gvl."""
    if kind == "csl":
        return parse_csl(data, filename)
    if kind == "tcf_gvl":
        return parse_gvl(data, extra)
    if kind == "dpf":
        return parse_dpf(data)
    raise ListFormatError(f"unknown list kind {kind!r}: one of {', '.join(KINDS)}")


# ---- matching and the diff ------------------------------------------------------------------


def _keys(names: Iterable[str]) -> set[str]:
    return {k for k in (name_key(n) for n in names) if k}


def _index(vendors: Sequence[VendorFacts]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for vendor in vendors:
        for key in _keys((*vendor.names, *vendor.entity_names)):
            index.setdefault(key, []).append(vendor.slug)
    return index


def _matches(entry: ListEntry, index: Mapping[str, list[str]]) -> list[str]:
    found: dict[str, None] = {}
    for key in _keys((entry.name, *entry.aliases)):
        found.update(dict.fromkeys(index.get(key, [])))
    return list(found)


def diff_list(parsed: OfficialList, vendors: Sequence[VendorFacts], retrieved: date) -> ListDiff:
    """The facts importing `parsed` would set on `vendors`, dated `retrieved` (the day the
    user downloaded the file), with the entries that matched no vendor."""
    diff = ListDiff(parsed.kind, parsed.source_url, retrieved, entries=len(parsed.entries))
    if parsed.kind == "csl":
        _diff_csl(parsed, vendors, diff)
    elif parsed.kind == "dpf":
        _diff_dpf(parsed, vendors, diff)
    else:
        _diff_gvl(parsed, vendors, diff)
    return diff


def _label(entry: ListEntry) -> str:
    return f"{entry.ref} {entry.name}"


def _diff_csl(parsed: OfficialList, vendors: Sequence[VendorFacts], diff: ListDiff) -> None:
    index = _index(vendors)
    owner_index: dict[str, list[tuple[str, float | None, str]]] = {}
    for vendor in vendors:
        for owner, share in vendor.owners:
            for key in _keys((owner,)):
                owner_index.setdefault(key, []).append((vendor.slug, share, owner))
    wanted: dict[str, list[tuple[ListEntry, dict[str, Any]]]] = {}
    for entry in parsed.entries:
        direct = _matches(entry, index)
        via = [
            hit for key in _keys((entry.name, *entry.aliases)) for hit in owner_index.get(key, [])
        ]
        if not direct and not via:
            diff.unmatched.append(_label(entry))
            continue
        code = entry.facts["list"]
        targets = [(slug, False, None) for slug in direct] + [
            (slug, True, share) for slug, share, _owner in via if slug not in direct
        ]
        for slug, through, share in targets:
            if code is None:
                diff.skipped.append(
                    Skipped(_label(entry), slug, f"list {entry.facts['source']!r} has no id here")
                )
                continue
            if through and share is not None and share < 50:
                diff.skipped.append(
                    Skipped(_label(entry), slug, f"owner holds {share:g}% (< 50%: OFAC 50% rule)")
                )
                continue
            note = f"CSL: {entry.facts['source']}"
            if entry.facts["programs"]:
                note += f"; programs {', '.join(entry.facts['programs'])}"
            if through and share is None:
                note += "; the owner's share is not known: treated as 50% or more"
            wanted.setdefault(slug, []).append(
                (
                    entry,
                    {
                        "party": entry.name,
                        "lists": [code],
                        "designated": entry.facts["designated"],
                        "through_ownership": through,
                        "note": note,
                    },
                )
            )
    for vendor in vendors:
        _csl_vendor(vendor, wanted.get(vendor.slug, []), parsed, diff)


def _csl_vendor(
    vendor: VendorFacts,
    wanted: list[tuple[ListEntry, dict[str, Any]]],
    parsed: OfficialList,
    diff: ListDiff,
) -> None:
    current = [dict(s) for s in vendor.sanctions]
    listed_parties = {name_key(s["party"]) for _, s in wanted}
    for entry, sanction in wanted:
        key = name_key(sanction["party"])
        same = next((s for s in current if name_key(str(s.get("party", ""))) == key), None)
        if same is None:
            _add(diff, vendor, "sanctions", "new", None, sanction, _label(entry), parsed)
        elif sanction["lists"][0] not in (same.get("lists") or []):
            after = {**same, "lists": [*same.get("lists", []), *sanction["lists"]]}
            _add(diff, vendor, "sanctions", "changed", same, after, _label(entry), parsed)
        else:
            _add(diff, vendor, "sanctions", "confirmed", same, same, _label(entry), parsed)
        blocked = not sanction["through_ownership"] and sanction["lists"] == ["ofac_sdn"]
        if blocked and vendor.status != "sanctioned":
            after_status = {"value": "sanctioned", "since": sanction["designated"]}
            _add(
                diff,
                vendor,
                "status",
                "changed",
                vendor.status,
                after_status,
                _label(entry),
                parsed,
            )
    for sanction in current:
        csl_lists = [c for c in sanction.get("lists") or [] if c in CSL_LISTS]
        if csl_lists and name_key(str(sanction.get("party", ""))) not in listed_parties:
            kept = [c for c in sanction["lists"] if c not in CSL_LISTS]
            remaining = {**sanction, "lists": kept} if kept else None
            _add(
                diff,
                vendor,
                "sanctions",
                "removed",
                sanction,
                remaining,
                "(not in the list)",
                parsed,
            )


def _diff_dpf(parsed: OfficialList, vendors: Sequence[VendorFacts], diff: ListDiff) -> None:
    index = _index(vendors)
    dpf_index: dict[str, list[str]] = {}
    for vendor in vendors:
        if vendor.dpf and vendor.dpf.get("entity"):
            for key in _keys((str(vendor.dpf["entity"]),)):
                dpf_index.setdefault(key, []).append(vendor.slug)
    by_slug = {v.slug: v for v in vendors}
    seen: set[str] = set()
    for entry in parsed.entries:
        slugs = list(dict.fromkeys([*_matches(entry, dpf_index), *_matches(entry, index)]))
        if not slugs:
            diff.unmatched.append(_label(entry))
            continue
        for slug in slugs:
            vendor = by_slug[slug]
            if not vendor.us_presence:
                diff.skipped.append(Skipped(_label(entry), slug, "no US HQ or US legal entity"))
                continue
            seen.add(slug)
            after = {
                "status": entry.facts["status"],
                "entity": entry.name,
                "parts": list(entry.facts["parts"]),
                "checked": diff.date,
                "note": f"{LIST_LABELS['dpf']} export",
            }
            before = dict(vendor.dpf) if vendor.dpf else None
            if before is None:
                change = "new"
            elif _same_dpf(before, after):
                change = "confirmed"
            else:
                change = "changed"
            _add(diff, vendor, "dpf", change, before, after, _label(entry), parsed)
    for vendor in vendors:
        listed = vendor.dpf and vendor.dpf.get("status") in {"active", "inactive"}
        if listed and vendor.slug not in seen and vendor.dpf is not None:
            after = {
                "status": "not_listed",
                "entity": None,
                "parts": [],
                "checked": diff.date,
                "note": f"not found in the {LIST_LABELS['dpf']} export",
            }
            _add(
                diff, vendor, "dpf", "removed", dict(vendor.dpf), after, "(not in the list)", parsed
            )


def _same_dpf(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return (
        before.get("status") == after["status"]
        and name_key(str(before.get("entity") or "")) == name_key(after["entity"])
        and sorted(before.get("parts") or []) == sorted(after["parts"])
    )


def _diff_gvl(parsed: OfficialList, vendors: Sequence[VendorFacts], diff: ListDiff) -> None:
    index = _index(vendors)
    by_slug = {v.slug: v for v in vendors}
    for entry in parsed.entries:
        slugs = _matches(entry, index)
        if not slugs:
            diff.unmatched.append(_label(entry))
            continue
        for slug in slugs:
            vendor = by_slug[slug]
            if entry.facts["deleted"] is not None:
                reason = f"deleted from the GVL on {entry.facts['deleted'].isoformat()}"
                diff.skipped.append(Skipped(_label(entry), slug, reason))
                continue
            privacy = entry.facts["privacy_policy"]
            label = _label(entry)
            if privacy and not vendor.urls.get("privacy_policy"):
                _add(diff, vendor, "urls.privacy_policy", "new", None, privacy, label, parsed)
            offered = entry.facts["transfer_mechanisms"]
            added = [m for m in offered if m not in vendor.transfer_mechanisms]
            if added:
                before = list(vendor.transfer_mechanisms)
                _add(
                    diff,
                    vendor,
                    "transfer_mechanisms",
                    "new",
                    before,
                    [*before, *added],
                    _label(entry),
                    parsed,
                )


def _add(
    diff: ListDiff,
    vendor: VendorFacts,
    fact: str,
    change: str,
    before: Any,
    after: Any,
    entry: str,
    parsed: OfficialList,
) -> None:
    diff.changes.append(
        FactChange(vendor.slug, fact, change, before, after, entry, parsed.source_url, diff.date)
    )


def updated_facts(vendor: VendorFacts, changes: Sequence[FactChange]) -> dict[str, Any]:
    """The vendor fields (API field names) after applying `changes`, which are the diff's
    changes of this vendor; confirmed facts are written too, with their new check date."""
    result: dict[str, Any] = {}
    sanctions = [dict(s) for s in vendor.sanctions]
    mechanisms = list(vendor.transfer_mechanisms)
    for change in changes:
        if change.fact == "sanctions" and change.change != "confirmed":
            key = name_key(str((change.before or change.after)["party"]))
            at = next(
                (i for i, s in enumerate(sanctions) if name_key(str(s.get("party", ""))) == key),
                None,
            )
            if at is None and change.after is not None:
                sanctions.append(dict(change.after))
            elif at is not None and change.after is None:
                del sanctions[at]
            elif at is not None:
                sanctions[at] = dict(change.after)
            result["sanctions"] = sanctions
        elif change.fact == "dpf":
            result["dpf"] = dict(change.after)
        elif change.fact == "status":
            result["status"] = {**change.after, "note": f"{change.entry} ({change.source})"}
        elif change.fact == "urls.privacy_policy":
            urls = {**vendor.urls, **result.get("urls", {})}
            result["urls"] = {**urls, "privacy_policy": change.after}
        elif change.fact == "transfer_mechanisms":
            mechanisms += [m for m in change.after if m not in mechanisms]
            result["transfer_mechanisms"] = mechanisms
    return result


def fact_names(changes: Sequence[FactChange]) -> list[str]:
    """The record fact names (as `sources[].facts` writes them) that `changes` touch."""
    return list(dict.fromkeys(c.fact.split(".")[0] for c in changes))


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(name: str) -> str:
    """A file name fit to quote in a source note."""
    return _SAFE.sub("_", name)[:120] or "upload"
