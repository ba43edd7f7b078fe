"""How much of the catalog is known (issue 12's coverage table) and which facts are stale."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from assessments.catalog.vendors import VendorRecord

STALE_AFTER = timedelta(days=365)


def has_us_presence(record: VendorRecord) -> bool:
    """A US HQ or a US legal entity: the vendors whose DPF status matters."""
    return record.hq_country == "US" or any(e.country == "US" for e in record.legal_entities)


def _hq(v: VendorRecord) -> bool:
    return bool(v.hq_country) and v.hq_entity is not None


def _ownership(v: VendorRecord) -> bool:
    o = v.ownership
    if o is None:
        return False
    return o.independent or (o.parent is not None and o.ultimate_parent is not None)


def _locations(v: VendorRecord) -> bool:
    return (v.data_locations is not None and v.data_locations.filled) or bool(
        v.processing_countries
    )


def _url(kind: str) -> Callable[[VendorRecord], bool]:
    return lambda v: bool((v.urls or {}).get(kind))


@dataclass(frozen=True)
class FactTarget:
    """One row of the coverage table: which vendors it concerns, what counts, the target."""

    key: str
    label: str
    has: Callable[[VendorRecord], bool]
    target: float | None  # percent; None: "wherever the vendor states it"
    applies: Callable[[VendorRecord], bool] = lambda _v: True


FACT_TARGETS: tuple[FactTarget, ...] = (
    FactTarget("hq", "HQ country and HQ legal entity", _hq, 95),
    FactTarget("ownership", "ownership (parent + ultimate parent, or independent)", _ownership, 90),
    FactTarget(
        "dpf",
        "DPF status (vendors with a US HQ or US entity)",
        lambda v: v.dpf is not None,
        90,
        has_us_presence,
    ),
    FactTarget("data_locations", "data locations (countries or regions)", _locations, 60),
    FactTarget("dpa_url", "DPA URL", _url("dpa"), 60),
    FactTarget("subprocessors_url", "sub-processor list URL", _url("subprocessors"), 40),
    FactTarget(
        "transfer_mechanisms",
        "transfer mechanisms of the DPA",
        lambda v: bool(v.transfer_mechanisms),
        None,
    ),
    FactTarget("certifications", "certifications", lambda v: bool(v.certifications), None),
    FactTarget("sanctions", "sanctions designations", lambda v: bool(v.sanctions), None),
    FactTarget("history", "status history (renames, sales)", lambda v: bool(v.history), None),
)


@dataclass(frozen=True)
class Coverage:
    """How many of the vendors a fact concerns have it, against its target."""

    key: str
    label: str
    have: int
    of: int
    target: float | None
    missing: tuple[str, ...]  # slugs

    @property
    def percent(self) -> float:
        """Share of the concerned vendors that have the fact (100 when none is concerned)."""
        return 100.0 if self.of == 0 else round(100.0 * self.have / self.of, 1)

    @property
    def meets_target(self) -> bool | None:
        """Whether the target is met; None for facts without a target."""
        return None if self.target is None else self.percent >= self.target


def fact_coverage(vendors: Iterable[VendorRecord]) -> list[Coverage]:
    """Every row of issue 12's coverage table, with the slugs of the vendors missing it."""
    vendors = list(vendors)
    rows = []
    for fact in FACT_TARGETS:
        concerned = [v for v in vendors if fact.applies(v)]
        missing = tuple(v.slug for v in concerned if not fact.has(v))
        rows.append(
            Coverage(
                key=fact.key,
                label=fact.label,
                have=len(concerned) - len(missing),
                of=len(concerned),
                target=fact.target,
                # a fact "wherever stated" has no list of vendors that miss it
                missing=missing if fact.target is not None else (),
            )
        )
    return rows


@dataclass(frozen=True)
class StaleFact:
    """A fact whose newest source was read more than STALE_AFTER ago (or never dated)."""

    slug: str
    fact: str
    checked: date | None
    source: str


def stale_facts(vendors: Iterable[VendorRecord], today: date) -> list[StaleFact]:
    """Facts not re-checked within STALE_AFTER of `today`: per vendor and fact, the newest
    source naming it is older (a source without a retrieval date was never dated)."""
    found: list[StaleFact] = []
    for vendor in vendors:
        newest: dict[str, tuple[date | None, str]] = {}
        for source in vendor.sources:
            label = source.url or source.ref or "?"
            for fact in source.facts:
                known = newest.get(fact)
                if known is None or (
                    source.retrieved is not None
                    and (known[0] is None or source.retrieved > known[0])
                ):
                    newest[fact] = (source.retrieved, label)
        if vendor.dpf is not None:
            known = newest.get("dpf")
            if known is None or known[0] is None or vendor.dpf.checked > known[0]:
                newest["dpf"] = (vendor.dpf.checked, "dpf.checked")
        for fact, (checked, label) in sorted(newest.items()):
            if checked is None or today - checked > STALE_AFTER:
                found.append(StaleFact(vendor.slug, fact, checked, label))
    return found


# A fact written in the legacy field is supported by a source naming either name.
_FACT_SYNONYMS = {
    "ownership": ("ownership", "parent"),
    "dpf": ("dpf", "dpf_certified"),
    "data_locations": ("data_locations", "processing_countries"),
}


@dataclass(frozen=True)
class FactSource:
    """A source that states a fact, with how long ago it was read."""

    label: str  # the url, else the ref
    url: str | None
    retrieved: date | None
    age: str  # "today", "3 months ago", "never dated"
    stale: bool  # read more than STALE_AFTER ago, or never dated


def describe_age(retrieved: date | None, today: date) -> str:
    """How long ago a source was read, in words a reader takes in at a glance."""
    if retrieved is None:
        return "never dated"
    days = (today - retrieved).days
    if days <= 0:
        return "today"
    if days < 45:
        return f"{days} day{'s' if days > 1 else ''} ago"
    if days < 548:
        months = round(days / 30.44)
        return f"{months} month{'s' if months > 1 else ''} ago"
    years = round(days / 365.25)
    return f"{years} years ago"


def fact_provenance(
    sources: Iterable[Mapping[str, Any]], today: date
) -> dict[str, list[FactSource]]:
    """For every fact name, the sources that state it, newest first (sources as stored in the
    registry: dicts with url, ref, retrieved (date or ISO text) and facts)."""
    found: dict[str, list[FactSource]] = {}
    for source in sources:
        retrieved = source.get("retrieved")
        if isinstance(retrieved, str):
            retrieved = date.fromisoformat(retrieved[:10])
        url = source.get("url")
        entry = FactSource(
            label=str(url or source.get("ref") or "?"),
            url=str(url) if url else None,
            retrieved=retrieved,
            age=describe_age(retrieved, today),
            stale=retrieved is None or today - retrieved > STALE_AFTER,
        )
        for fact in source.get("facts") or ():
            for name, synonyms in _FACT_SYNONYMS.items():
                if fact in synonyms and fact != name:
                    found.setdefault(name, []).append(entry)
            found.setdefault(str(fact), []).append(entry)
    for entries in found.values():
        entries.sort(key=lambda e: e.retrieved or date.min, reverse=True)
    return found
