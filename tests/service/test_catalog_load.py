"""The shipped catalog loads into the registry on first start and updates keep local edits."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import vendor_data
from assessments.catalog.reference import load_reference
from assessments.catalog.validation import read_catalog
from assessments.catalog.vendors import Sanction, VendorRecord, VendorStatus
from service.catalog.cli import catalog_stats
from service.catalog.services import snapshot_catalog, update_catalog
from service.db import session_scope
from service.vendors.models import Vendor
from tests.helpers import Headers


def test_first_start_loads_every_catalog_vendor(catalog_app: Flask) -> None:
    expected = len(list((vendor_data.DATA_DIR / "vendors").glob("*.yaml")))
    with catalog_app.app_context(), session_scope() as session:
        count = session.execute(select(func.count()).select_from(Vendor)).scalar_one()
        origins = set(session.execute(select(Vendor.origin)).scalars())
    assert count == expected >= 200
    assert origins == {"catalog"}


def test_catalog_vendors_are_searchable(catalog_app: Flask, auth: Headers) -> None:
    client: FlaskClient = catalog_app.test_client()
    headers = auth("viewer")
    for query, slug in (("Umeng+", "umeng"), ("友盟", "umeng"), ("Yandex Money", "yoomoney")):
        items = client.get("/api/v1/vendors", query_string={"q": query}, headers=headers)
        assert items.get_json()["items"][0]["slug"] == slug, query


def _catalog_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "catalog"
    shutil.copytree(vendor_data.DATA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def _edit_record(catalog: Path, slug: str, **changes: object) -> None:
    path = catalog / "vendors" / f"{slug}.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record.update(changes)
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")


def test_update_brings_changes_but_keeps_local_edits(
    catalog_app: Flask, auth: Headers, tmp_path: Path
) -> None:
    client = catalog_app.test_client()
    legal = auth("legal")
    etag = client.get("/api/v1/vendors/stripe", headers=legal).headers["ETag"]
    edited = client.patch(
        "/api/v1/vendors/stripe",
        json={"notes": "Our DPA signed 2026-03"},
        headers={**legal, "If-Match": etag},
    )
    assert edited.get_json()["locally_edited"] is True

    catalog = _catalog_copy(tmp_path)
    _edit_record(catalog, "stripe", description="Changed upstream")
    _edit_record(catalog, "mailchimp", description="Changed upstream too")
    with catalog_app.app_context(), session_scope() as session:
        report = update_catalog(
            session=session, snapshot=snapshot_catalog(catalog), reference=load_reference(catalog)
        )
    assert report.kept_local_edits == ["stripe"]
    assert report.updated == ["mailchimp"]
    assert report.created == []
    stripe = client.get("/api/v1/vendors/stripe", headers=legal).get_json()
    assert stripe["notes"] == "Our DPA signed 2026-03"
    assert stripe["description"] != "Changed upstream"
    mailchimp = client.get("/api/v1/vendors/mailchimp", headers=legal).get_json()
    assert mailchimp["description"] == "Changed upstream too"
    assert mailchimp["catalog_version"] == report.version


def test_update_creates_new_catalog_vendors(catalog_app: Flask, tmp_path: Path) -> None:
    catalog = _catalog_copy(tmp_path)
    record = yaml.safe_load((catalog / "vendors" / "mailchimp.yaml").read_text(encoding="utf-8"))
    record.update(
        slug="mailchimp-transactional", name="Mailchimp Transactional", aliases=["Mandrill"]
    )
    (catalog / "vendors" / "mailchimp-transactional.yaml").write_text(
        yaml.safe_dump(record, allow_unicode=True), encoding="utf-8"
    )
    with catalog_app.app_context(), session_scope() as session:
        report = update_catalog(
            session=session, snapshot=snapshot_catalog(catalog), reference=load_reference(catalog)
        )
    assert report.created == ["mailchimp-transactional"]
    assert not report.updated and not report.kept_local_edits


SDN = {"party": "Sberbank of Russia", "lists": ["ofac_sdn"], "through_ownership": True}


@pytest.mark.parametrize(
    ("sanctions", "status", "expected"),
    [([], "active", False), ([SDN], "active", True), ([], "sanctioned", True)],
)
def test_a_catalog_record_and_a_registry_vendor_with_the_same_facts_agree_on_sanctioned(
    sanctions: list[dict[str, Any]], status: str, expected: bool
) -> None:
    """`catalog stats` counts records, the API and the pages show registry vendors: a
    designation of the vendor or an owner, or the status alone, is sanctioned on both."""
    record = VendorRecord(
        slug="yoomoney",
        name="YooMoney",
        category="payments",
        product_type="service",
        sources=(),
        last_verified=date(2025, 1, 1),
        status=VendorStatus(status),
        sanctions=tuple(Sanction(**{**s, "lists": tuple(s["lists"])}) for s in sanctions),
    )
    vendor = Vendor(slug="yoomoney", name="YooMoney", status=status, sanctions=sanctions)
    assert record.sanctioned is vendor.sanctioned is expected


def test_catalog_stats_counts_the_vendors_the_registry_calls_sanctioned(catalog_app: Flask) -> None:
    catalog = read_catalog(vendor_data.DATA_DIR)
    with catalog_app.app_context(), session_scope() as session:
        registry = {v.slug for v in session.scalars(select(Vendor)) if v.sanctioned}
    assert {r.slug for r in catalog.vendors if r.sanctioned} == registry
    assert catalog_stats(catalog)["coverage"]["sanctioned"] == len(registry) > 0
