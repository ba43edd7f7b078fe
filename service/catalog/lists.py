"""Import an official list file into the registry: a diff first; with `apply`, every vendor
change goes through update_vendor (audited as `list_import`). The files come from the user:
this service never fetches a list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from assessments.catalog.lists import (
    KINDS,
    LIST_LABELS,
    FactChange,
    ListDiff,
    ListFormatError,
    VendorFacts,
    diff_list,
    fact_names,
    parse_list,
    safe_filename,
    updated_facts,
)
from assessments.catalog.reference import Reference
from service import errors
from service.models import jsonable, utcnow
from service.notifications.triggers import list_import_applied
from service.vendors import services as vendors
from service.vendors.models import Vendor


@dataclass
class ListImport:
    """The diff of an import and, when applied, the vendors changed."""

    diff: ListDiff
    applied: bool = False
    updated: list[str] = field(default_factory=list)


def _facts(vendor: Vendor) -> VendorFacts:
    ownership = vendor.ownership or {}
    owners = tuple(
        (str(o["name"]), o.get("share"))
        for o in (ownership.get("parent"), ownership.get("ultimate_parent"))
        if o and o.get("name")
    )
    entities = tuple(str(e.get("name")) for e in vendor.legal_entities if e.get("name"))
    countries = {vendor.hq_country, *(e.get("country") for e in vendor.legal_entities)}
    return VendorFacts(
        slug=vendor.slug,
        names=(vendor.name, *vendor.aliases),
        entity_names=entities,
        owners=owners,
        us_presence="US" in countries,
        sanctions=tuple(vendor.sanctions),
        dpf=vendor.dpf or None,
        urls=dict(vendor.urls or {}),
        transfer_mechanisms=tuple(vendor.transfer_mechanisms),
        status=vendor.status,
    )


def ensure_kind(kind: str) -> None:
    """404 unless `kind` (a path parameter) names a list this service reads."""
    if kind not in KINDS:
        raise errors.NotFound(f"No list kind '{kind}': one of {', '.join(KINDS)}.")


def import_list(
    *,
    session: Session,
    kind: str,
    data: bytes,
    filename: str,
    reference: Reference,
    extra: bytes | None = None,
    retrieved: date | None = None,
    apply: bool = False,
) -> ListImport:
    """Read a list file, diff it against every non-archived vendor, and apply it if asked.

    `retrieved` is the day the user downloaded the file (default: the date the file states,
    else today). Bad files raise ValidationFailed (422) and write nothing."""
    try:
        parsed = parse_list(kind, data, filename, extra)
    except ListFormatError as exc:
        label = LIST_LABELS.get(kind, kind)
        raise errors.ValidationFailed(
            f"The file is not a readable {label} file.", errors={"file": [str(exc)]}
        ) from exc
    day = retrieved or parsed.published or utcnow().date()
    rows = {
        v.slug: v
        for v in session.execute(select(Vendor).where(col(Vendor.archived).is_(False))).scalars()
    }
    diff = diff_list(parsed, [_facts(v) for v in rows.values()], day)
    result = ListImport(diff)
    if not apply:
        return result
    for slug, changes in diff.changed_vendors().items():
        vendor = rows[slug]
        update = updated_facts(_facts(vendor), changes)
        update["sources"] = [*vendor.sources, _source(diff, changes, filename)]
        if vendor.last_verified is None or vendor.last_verified < day:
            update["last_verified"] = day
        vendors.update_vendor(
            session=session,
            vendor=vendor,
            changes=update,
            reference=reference,
            action="list_import",
        )
        result.updated.append(slug)
    result.applied = True
    list_import_applied(session=session, kind=kind, updated=result.updated, source=diff.source)
    return result


def _source(diff: ListDiff, changes: list[FactChange], filename: str) -> dict[str, Any]:
    entries = sorted({c.entry for c in changes})
    return {
        "url": diff.source,
        "ref": None,
        "retrieved": diff.date,
        "facts": fact_names(changes),
        "note": (
            f"Imported from a {LIST_LABELS[diff.kind]} file ({safe_filename(filename)}); "
            f"entries: {'; '.join(entries)}"
        )[:2000],
    }


def diff_to_plain(result: ListImport) -> dict[str, Any]:
    """The import as JSON-ready values (dates as ISO strings), for the API and `--json`."""
    diff = result.diff
    plain: dict[str, Any] = jsonable(
        {
            "kind": diff.kind,
            "source": diff.source,
            "date": diff.date,
            "entries": diff.entries,
            "applied": result.applied,
            "updated": result.updated,
            "changes": [c.__dict__ for c in diff.changes],
            "unmatched": diff.unmatched,
            "skipped": [s.__dict__ for s in diff.skipped],
        }
    )
    return plain
