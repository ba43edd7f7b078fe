"""Writing validated import records: upsert by slug in the caller's transaction."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from sqlalchemy import select
from sqlmodel import Session, col

from assessments.catalog.reference import Reference
from service.db import chunks
from service.vendors import bulk, services
from service.vendors.io.parsing import parse_file
from service.vendors.io.validation import validate_rows
from service.vendors.models import Vendor


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), by slug."""

    dry_run: bool = False
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# The steps of an import that go item by item: "validate" (the parsed rows), then "write"
# (the valid records). Parsing comes first and reports nothing: the rows are counted by it.
ImportStep = Literal["validate", "write"]
Tick = Callable[[int], None]


class StepProgress(Protocol):
    """Told of each step as it starts, with how many items it has: it answers a context that
    gives the callback the step calls with each item's count done (or None: no ticks), and
    that closes as the step ends."""

    def __call__(self, step: ImportStep, total: int) -> AbstractContextManager[Tick | None]: ...


def _step(
    progress: StepProgress | None, step: ImportStep, total: int
) -> AbstractContextManager[Tick | None]:
    return nullcontext() if progress is None else progress(step, total)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector around a bulk import.

    An import allocates millions of small, acyclic objects; each full collection would walk
    all of them again, which costs more than the work itself. Collection resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _existing(session: Session, slugs: Sequence[str]) -> dict[str, Vendor]:
    found: dict[str, Vendor] = {}
    for part in chunks(slugs):
        found.update(
            (v.slug, v)
            for v in session.execute(select(Vendor).where(col(Vendor.slug).in_(part))).scalars()
        )
    return found


def import_records(
    *,
    session: Session,
    records: Sequence[Mapping[str, Any]],
    reference: Reference,
    dry_run: bool = False,
    progress: Tick | None = None,
) -> ImportReport:
    """Upsert validated records by slug: update existing vendors, then create new ones."""
    report = ImportReport(dry_run=dry_run)
    existing = _existing(session, [r["slug"] for r in records])
    new: list[Mapping[str, Any]] = []
    for record in records:
        vendor = existing.get(record["slug"])
        if vendor is None:
            new.append(record)
            continue
        before = services.vendor_snapshot(vendor)
        changes = {k: v for k, v in record.items() if k != "slug"}
        services.update_vendor(session=session, vendor=vendor, changes=changes, reference=reference)
        changed = services.vendor_snapshot(vendor) != before
        (report.updated if changed else report.unchanged).append(record["slug"])
        if progress is not None:
            progress(1)
    report.created = bulk.bulk_create_vendors(
        session=session, records=new, reference=reference, progress=progress
    )
    return report


def import_file(
    *,
    session: Session,
    data: bytes | str,
    fmt: str,
    reference: Reference,
    dry_run: bool = False,
    progress: StepProgress | None = None,
) -> ImportReport:
    """Parse, validate whole, then upsert; the caller commits (or rolls back a dry run).
    `progress` is told of the validate and write steps (a progress bar per step)."""
    with gc_paused():
        rows, problems = parse_file(data, fmt)
        with _step(progress, "validate", len(rows)) as tick:
            records = validate_rows(
                session=session, rows=rows, reference=reference, problems=problems, progress=tick
            )
        with _step(progress, "write", len(records)) as tick:
            return import_records(
                session=session,
                records=records,
                reference=reference,
                dry_run=dry_run,
                progress=tick,
            )
