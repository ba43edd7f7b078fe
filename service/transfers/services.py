"""Transfer evaluation at the edge: rules loaded once per app, registry facts, the day as_of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlmodel import Session, col

from assessments.catalog.reference import Reference
from assessments.engine import evaluate
from assessments.rules import RuleSet, default_rules, load_rules
from assessments.transfers import (
    TransferSchema,
    apply_vendor_defaults,
    evaluation_to_dict,
)
from assessments.types import Transfer
from service import errors
from service.extensions import once_per_app
from service.models import utcnow
from service.reference.services import get_reference
from service.vendors.models import Vendor

RULEBOOK_KEY = "xborder.rulebook"

# Vendor statuses that make every transfer to the vendor worth a prominent warning.
WARNING_STATUSES = {
    "sunset": "is sunset (discontinued by its provider)",
    "licence_revoked": "has had its licence revoked",
    "sanctioned": "is under sanctions",
}


@dataclass(frozen=True)
class RuleBook:
    """The engine's inputs besides the transfer: the rules and the reference data."""

    rules: RuleSet
    reference: Reference
    _schemas: dict[date, TransferSchema] = field(default_factory=dict, repr=False, compare=False)

    def transfer_schema(self, day: date) -> TransferSchema:
        """A TransferSchema defaulting as_of to `day`, kept: building one costs more than a load."""
        schema = self._schemas.get(day)
        if schema is None:
            if len(self._schemas) > 8:
                self._schemas.clear()
            schema = self._schemas[day] = TransferSchema(today=day, reference=self.reference)
        return schema


@dataclass(frozen=True)
class TransferEvaluation:
    """A transfer as the engine saw it, the engine's answer as contract JSON, and warnings."""

    transfer: Transfer
    evaluation: dict[str, Any]
    warnings: list[dict[str, Any]]


def today() -> date:
    """The day (UTC) whose law applies when a client names none; the engine has no clock."""
    return utcnow().date()


def get_rulebook(app: Flask | None = None) -> RuleBook:
    """This app's rules and reference data, loaded on first use and kept in app.extensions."""
    app = app or current_app

    def make() -> RuleBook:
        rules_dir = app.config.get("RULES_DIR")
        rules = load_rules(Path(rules_dir)) if rules_dir else default_rules()
        return RuleBook(rules=rules, reference=get_reference(app))

    return once_per_app(app, RULEBOOK_KEY, make)


def vendor_warnings(vendor: Vendor) -> list[dict[str, Any]]:
    """What a transfer to this vendor must say: sunset, licence revoked, sanctioned, archived."""
    warnings: list[dict[str, Any]] = []
    if vendor.status in WARNING_STATUSES:
        since = f" since {vendor.status_since.isoformat()}" if vendor.status_since else ""
        note = f": {vendor.status_note.rstrip('.')}" if vendor.status_note else ""
        warnings.append(
            {
                "code": f"vendor_{vendor.status}",
                "message": f"{vendor.name} {WARNING_STATUSES[vendor.status]}{since}{note}.",
                "vendor": vendor.slug,
            }
        )
    if vendor.archived:
        warnings.append(
            {
                "code": "vendor_archived",
                "message": f"{vendor.name} is archived in the registry; "
                "its facts are not maintained.",
                "vendor": vendor.slug,
            }
        )
    return warnings


def find_vendor(*, session: Session, slug: str, field: tuple[str, ...]) -> Vendor:
    """The registry vendor with this slug; 422 naming `field` (a path) when there is none."""
    vendor: Vendor | None = (
        session.execute(select(Vendor).where(col(Vendor.slug) == slug)).scalars().first()
    )
    if vendor is None:
        message = [f"No vendor '{slug}' in the registry (GET /api/v1/vendors?q=...)."]
        raise errors.ValidationFailed(f"Unknown vendor '{slug}'.", errors=_nest(field, message))
    return vendor


def _nest(path: tuple[str, ...], leaf: Any) -> dict[str, Any]:
    node: Any = leaf
    for key in reversed(path):
        node = {key: node}
    result: dict[str, Any] = node
    return result


def build_transfer(
    *,
    data: Mapping[str, Any],
    vendor: Vendor | None,
    day: date,
    rulebook: RuleBook,
    prefix: tuple[str, ...] = (),
) -> Transfer:
    """Fill importer facts from the registry vendor unless given, then parse; 422 on bad fields."""
    merged: Mapping[str, Any] = data
    if vendor is not None and isinstance(data.get("importer", {}), Mapping):
        merged = apply_vendor_defaults(data, vendor, day)
    try:
        transfer: Transfer = rulebook.transfer_schema(day).load(dict(merged))
        return transfer
    except ValidationError as exc:
        raise errors.ValidationFailed(
            "The transfer has invalid fields; see errors.", errors=_nest(prefix, exc.messages)
        ) from exc


def evaluate_transfer(
    *, session: Session, data: Mapping[str, Any], rulebook: RuleBook, day: date
) -> TransferEvaluation:
    """Evaluate a Transfer (contract JSON) without storing anything; `day` is the as_of default."""
    if not isinstance(data, Mapping):
        raise errors.ValidationFailed(errors={"_schema": ["A transfer must be a JSON object."]})
    importer = data.get("importer")
    vendor = None
    if isinstance(importer, Mapping) and isinstance(importer.get("vendor"), str):
        vendor = find_vendor(session=session, slug=importer["vendor"], field=("importer", "vendor"))
    transfer = build_transfer(data=data, vendor=vendor, day=day, rulebook=rulebook)
    result = evaluate(transfer, rulebook.rules, rulebook.reference)
    evaluation = evaluation_to_dict(result)
    return TransferEvaluation(
        transfer=transfer,
        evaluation=evaluation,
        warnings=merge_warnings(vendor, evaluation),
    )


def merge_warnings(vendor: Vendor | None, evaluation: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The registry's warnings about the vendor, then the engine's (e.g. sanctions), each once."""
    found = vendor_warnings(vendor) if vendor is not None else []
    seen = {w["message"] for w in found}
    for warning in evaluation.get("warnings") or []:
        if warning["message"] not in seen:
            seen.add(warning["message"])
            found.append({**warning, "vendor": vendor.slug if vendor is not None else None})
    return found
