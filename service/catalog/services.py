"""Bring catalog records into the registry without overwriting local edits."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session

from service import errors
from service.db import session_scope
from service.reference.services import Reference, load_reference
from service.vendors import services as vendors
from service.vendors.models import Vendor
from service.vendors.schemas import VendorCreateSchema


@dataclass(frozen=True)
class CatalogSnapshot:
    """The catalog's vendor records as validated input, with the catalog version."""

    version: str
    records: list[dict[str, Any]]
    hashes: dict[str, str]


@dataclass
class UpdateReport:
    """What a catalog update did, by slug."""

    version: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_local_edits: list[str] = field(default_factory=list)


def _record_hash(raw: Any) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()


def read_catalog(data_dir: Path) -> CatalogSnapshot:
    """Read and validate every vendor file; raise ValidationFailed listing every bad file."""
    schema = VendorCreateSchema()
    records: list[dict[str, Any]] = []
    hashes: dict[str, str] = {}
    problems: dict[str, Any] = {}
    digest = hashlib.sha256()
    for path in sorted((data_dir / "vendors").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        digest.update(path.name.encode() + b"\0" + text.encode())
        raw = yaml.safe_load(text)
        try:
            record = schema.load(raw, unknown="exclude")
        except ValidationError as exc:
            problems[path.name] = exc.messages
            continue
        records.append(record)
        hashes[record["slug"]] = _record_hash(raw)
    if problems:
        raise errors.ValidationFailed("Catalog files are invalid.", errors=problems)
    return CatalogSnapshot(digest.hexdigest()[:16], records, hashes)


def update_catalog(
    *, session: Session, snapshot: CatalogSnapshot, reference: Reference
) -> UpdateReport:
    """Create new catalog vendors and update changed ones that nobody edited locally."""
    report = UpdateReport(snapshot.version)
    existing = {v.slug: v for v in session.execute(select(Vendor)).scalars()}
    for record in snapshot.records:
        slug = record["slug"]
        record_hash = snapshot.hashes[slug]
        vendor = existing.get(slug)
        if vendor is None:
            vendors.create_vendor(
                session=session,
                data=record,
                reference=reference,
                origin="catalog",
                catalog_version=snapshot.version,
                catalog_hash=record_hash,
                audit=False,
            )
            report.created.append(slug)
        elif vendor.catalog_hash == record_hash:
            report.unchanged.append(slug)
        elif vendor.locally_edited or vendor.origin != "catalog":
            report.kept_local_edits.append(slug)
        else:
            changes = {k: v for k, v in record.items() if k != "slug"}
            vendors.update_vendor(
                session=session,
                vendor=vendor,
                changes=changes,
                reference=reference,
                from_catalog=(snapshot.version, record_hash),
            )
            report.updated.append(slug)
    return report


def load_if_empty(app: Flask) -> UpdateReport | None:
    """On first start (an empty registry), load the whole catalog."""
    with session_scope(app) as session:
        if session.execute(select(func.count()).select_from(Vendor)).scalar_one():
            return None
        data_dir = Path(app.config["CATALOG_DIR"])
        return update_catalog(
            session=session, snapshot=read_catalog(data_dir), reference=load_reference(data_dir)
        )
