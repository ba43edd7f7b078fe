"""Facts a reviewer states for one review where the registry has none ("the importer is
DPF-certified", with a source): checked like registry facts, and laid over the vendor's
registry facts for that review only. The registry wins as soon as it records the fact.

A fact stated by a procurement user is stored `pending` (who, when, source) and decides
nothing until a legal or admin user confirms it; see `is_pending`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from marshmallow import ValidationError

from assessments.catalog.validation import openable_url_problem
from assessments.catalog.vendors import (
    DataLocationsSchema,
    DpfSchema,
    OwnershipSchema,
    build_ownership,
    derived_legacy,
    is_country_code,
    owner_concern_reasons,
)
from assessments.catalog.vocabulary import DOJ_COUNTRIES_OF_CONCERN

# The facts a review may assert, and how each is checked.
ASSERTABLE_FACTS = ("dpf", "ownership", "hq_country", "data_locations")
_KEYS = frozenset({"fact", "value", "source_url", "note", "asserted_by", "asserted_at"})


def load_assertion(raw: Any, *, by: str, on: date) -> dict[str, Any]:
    """A checked assertion {fact, value, source_url, note, asserted_by, asserted_at}; raises
    ValidationError keyed by field. `by` and `on` are who states it and when (a stored
    assertion keeps its own)."""
    if not isinstance(raw, Mapping):
        raise ValidationError({"_schema": ["Write an object {fact, value, source_url, note}."]})
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - _KEYS)
    for key in unknown:
        problems[key] = ["Unknown field."]
    fact = raw.get("fact")
    if fact not in ASSERTABLE_FACTS:
        problems["fact"] = [f"Must be one of: {', '.join(ASSERTABLE_FACTS)}."]
    url = raw.get("source_url")
    why = openable_url_problem(url) if isinstance(url, str) and url else "is missing"
    if why:
        problems["source_url"] = [f"A source a person can open is required: the address {why}."]
    note = raw.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 1000):
        problems["note"] = ["At most 1000 characters of text."]
    asserted_at = _date(raw.get("asserted_at")) or on
    value: Any = None
    if fact in ASSERTABLE_FACTS:
        try:
            value = _value(str(fact), raw.get("value"), asserted_at)
        except ValidationError as exc:
            problems["value"] = exc.messages  # type: ignore[assignment]
    if problems:
        raise ValidationError(problems)
    return {
        "fact": fact,
        "value": value,
        "source_url": url,
        "note": note,
        "asserted_by": str(raw.get("asserted_by") or by),
        "asserted_at": asserted_at,
    }


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _value(fact: str, value: Any, asserted_at: date) -> Any:
    if fact == "hq_country":
        code = str(value or "").upper()
        if not is_country_code(code):
            raise ValidationError(["An ISO 3166-1 alpha-2 country code."])
        return code
    if not isinstance(value, Mapping):
        raise ValidationError(["An object."])
    if fact == "dpf":
        return DpfSchema().load({**value, "checked": value.get("checked") or asserted_at})
    if fact == "ownership":
        return OwnershipSchema().load(dict(value))
    loaded = DataLocationsSchema().load(dict(value))
    if not (loaded["processing"] or loaded["storage"] or loaded["selectable_regions"]):
        raise ValidationError(["Name at least one country or region."])
    return loaded


def is_pending(assertion: Mapping[str, Any]) -> bool:
    """True for an assertion awaiting legal's confirmation: it is shown, never applied."""
    return bool(assertion.get("pending"))


def registry_lacks(vendor: Mapping[str, Any], fact: str) -> bool:
    """True when the registry record (a vendor snapshot) does not state `fact`."""
    if fact == "dpf":
        return not vendor.get("dpf") and vendor.get("dpf_certified") is None
    if fact == "ownership":
        return not vendor.get("ownership") and not vendor.get("parent")
    if fact == "hq_country":
        return not vendor.get("hq_country")
    return not vendor.get("data_locations") and not vendor.get("processing_countries")


def with_assertions(
    vendor: Mapping[str, Any], assertions: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[bool]]:
    """The vendor's facts for one review: each assertion fills a fact the registry lacks
    (and what it decides: `dpf_certified`, `parent`, `processing_countries`, and the DOJ
    covered-person mark for a 50%+ owner in a country of concern). Returns the facts and, per
    assertion, whether it applies (False: the registry now records that fact, or the
    assertion is still pending confirmation)."""
    facts = dict(vendor)
    applied: list[bool] = []
    for assertion in assertions:
        fact = str(assertion.get("fact"))
        usable = (
            fact in ASSERTABLE_FACTS and registry_lacks(vendor, fact) and not is_pending(assertion)
        )
        applied.append(usable)
        if not usable:
            continue
        facts[fact] = assertion["value"]
        facts.update(derived_legacy({fact: assertion["value"]}))
        owners = build_ownership(assertion["value"]) if fact == "ownership" else None
        if owner_concern_reasons(owners, DOJ_COUNTRIES_OF_CONCERN):
            facts["covered_person_candidate"] = True
        if fact == "hq_country" and assertion["value"] in DOJ_COUNTRIES_OF_CONCERN:
            facts["covered_person_candidate"] = True
    return facts, applied
