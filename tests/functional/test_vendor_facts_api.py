"""Issue 12's facts in the registry: `catalog update` loads ownership, DPF, sanctions, history
and data locations; the vendors API returns them and derives parent / dpf_certified."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from flask import Flask

import vendor_data
from assessments.catalog.reference import load_reference
from service.catalog.services import snapshot_catalog, update_catalog
from service.db import session_scope
from tests.helpers import Headers

FACTS = {
    "ownership": {
        "parent": {"name": "Intuit Inc.", "country": "US", "share": 100, "since": "2021-11-01"},
        "ultimate_parent": {"name": "Intuit Inc.", "country": "US", "share": 100},
    },
    "dpf": {
        "status": "active",
        "entity": "The Acme Mailer Group LLC",
        "parts": ["eu_us", "swiss_us"],
        "checked": "2026-12-01",
    },
    "history": [
        {
            "date": "2021-11-01",
            "event": "acquired",
            "detail": "Intuit acquired Mailchimp",
            "to": "Intuit Inc.",
        }
    ],
    "data_locations": {"processing": ["US"], "selectable_regions": []},
}


def _catalog_with_facts(tmp_path: Path) -> Path:
    """The shipped catalog plus one made-up vendor that fills every new block."""
    copy = tmp_path / "catalog"
    shutil.copytree(vendor_data.DATA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    record = {
        "slug": "acme-mailer",
        "name": "Acme Mailer",
        "category": "email_marketing",
        "product_type": "service",
        "hq_country": "US",
        "legal_entities": [{"name": "The Acme Mailer Group LLC", "country": "US", "role": "hq"}],
        **FACTS,
        "covered_person_candidate": False,
        "sources": [
            {
                "url": "https://www.dataprivacyframework.gov/list",
                "retrieved": "2026-12-01",
                "facts": [
                    "legal_entities",
                    "hq_country",
                    "ownership",
                    "dpf",
                    "history",
                    "data_locations",
                ],
            }
        ],
        "last_verified": "2026-12-01",
    }
    path = copy / "vendors" / "acme-mailer.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return copy


def test_catalog_update_carries_the_new_facts_into_the_api(
    catalog_app: Flask, auth: Headers, tmp_path: Path
) -> None:
    catalog = _catalog_with_facts(tmp_path)
    with catalog_app.app_context(), session_scope() as session:
        report = update_catalog(
            session=session, snapshot=snapshot_catalog(catalog), reference=load_reference(catalog)
        )
    assert report.created == ["acme-mailer"]
    body = catalog_app.test_client().get("/api/v1/vendors/acme-mailer", headers=auth("viewer"))
    vendor = body.get_json()
    assert vendor["ownership"]["parent"]["name"] == "Intuit Inc."
    assert vendor["parent"] == "Intuit Inc."
    assert vendor["dpf"] == {**FACTS["dpf"], "note": None, "recertification_due": None}
    assert vendor["dpf_certified"] is True
    assert vendor["history"][0]["to"] == "Intuit Inc."
    assert vendor["processing_countries"] == ["US"]
    assert vendor["sanctions"] == [] and vendor["sanctioned"] is False


def test_patch_sets_sanctions_and_ownership_and_derives_parent(app: Flask, auth: Headers) -> None:
    client = app.test_client()
    legal = auth("legal")
    created = client.post(
        "/api/v1/vendors",
        json={"slug": "yoomoney", "name": "YooMoney", "hq_country": "RU"},
        headers=legal,
    )
    assert created.status_code == 201
    assert created.get_json()["ownership"] is None and created.get_json()["sanctioned"] is False
    etag = created.headers["ETag"]
    changes = {
        "ownership": {"parent": {"name": "Sberbank of Russia", "country": "RU", "share": 100}},
        "sanctions": [
            {
                "party": "Sberbank of Russia",
                "lists": ["ofac_sdn"],
                "designated": "2022-04-06",
                "through_ownership": True,
            }
        ],
    }
    patched = client.patch(
        "/api/v1/vendors/yoomoney", json=changes, headers={**legal, "If-Match": etag}
    )
    assert patched.status_code == 200, patched.get_json()
    vendor = patched.get_json()
    assert vendor["parent"] == "Sberbank of Russia"
    assert vendor["sanctioned"] is True
    assert vendor["sanctions"][0]["lists"] == ["ofac_sdn"]
    audit = client.get(
        "/api/v1/audit", query_string={"object_id": "yoomoney"}, headers=auth("admin")
    ).get_json()
    changed = audit["items"][0]["changes"]
    assert changed["sanctions"]["before"] == []
    assert changed["sanctions"]["after"][0]["party"] == "Sberbank of Russia"
    assert changed["parent"]["after"] == "Sberbank of Russia"


def test_a_legacy_field_and_its_block_together_are_422(app: Flask, auth: Headers) -> None:
    client = app.test_client()
    legal = auth("legal")
    bad = client.post(
        "/api/v1/vendors",
        json={
            "slug": "stripe",
            "name": "Stripe",
            "dpf_certified": True,
            "dpf": {"status": "not_listed", "checked": "2026-12-01"},
        },
        headers=legal,
    )
    assert bad.status_code == 422
    assert bad.mimetype == "application/problem+json"
    assert "dpf_certified" in bad.get_json()["errors"]


def test_vendor_page_shows_each_fact_with_its_source_age_sanctions_and_history(
    app: Flask, auth: Headers
) -> None:
    client = app.test_client()
    legal = auth("legal")
    body = {
        "slug": "payco",
        "name": "PayCo",
        "hq_country": "RU",
        "legal_entities": [{"name": "PayCo LLC", "country": "RU", "role": "hq"}],
        "ownership": {
            "parent": {
                "name": "PJSC Sberbank",
                "country": "RU",
                "share": 100,
                "since": "2020-04-01",
            }
        },
        "sanctions": [
            {
                "party": "PJSC Sberbank",
                "lists": ["ofac_sdn"],
                "designated": "2022-04-06",
                "through_ownership": True,
            }
        ],
        "history": [{"date": "2022-05-24", "event": "renamed", "detail": "Old Pay renamed PayCo"}],
        "sources": [
            {
                "url": "https://payco.example/about",
                "retrieved": "2020-01-10",
                "facts": ["hq_country", "legal_entities", "history"],
            },
            {
                "url": "https://sanctionssearch.ofac.treas.gov/",
                "retrieved": "2026-11-20",
                "facts": ["sanctions", "ownership"],
            },
        ],
    }
    assert client.post("/api/v1/vendors", json=body, headers=legal).status_code == 201
    page = client.get("/vendors/payco", headers=auth("viewer")).get_data(as_text=True)
    assert 'class="badge vstatus-sanctioned"' in page
    assert "applies to PayCo through ownership (OFAC 50% rule)" in page
    assert "parent: <strong>PJSC Sberbank</strong>" in page
    assert "2022-05-24</strong> renamed: Old Pay renamed PayCo" in page
    # every fact names its source and how old it is; an old source is marked stale
    old = r'payco.example/about</a>, <span class="stale">checked 2020-01-10 \(\d+ years ago\)'
    assert re.search(old, page)
    assert "sanctionssearch.ofac.treas.gov/</a>, <span class=" in page
    dpf_row = page.split("EU-US Data Privacy Framework</dt>")[1].split("</dd>")[0]
    assert "unknown" in dpf_row and "no source on record" in dpf_row


def test_a_derived_field_is_changed_through_its_block(app: Flask, auth: Headers) -> None:
    client = app.test_client()
    legal = auth("legal")
    body = {
        "slug": "acme-dpf",
        "name": "Acme DPF",
        "hq_country": "US",
        "dpf": {"status": "not_listed", "checked": "2026-12-01"},
    }
    created = client.post("/api/v1/vendors", json=body, headers=legal)
    assert created.get_json()["dpf_certified"] is False
    bad = client.patch(
        "/api/v1/vendors/acme-dpf",
        json={"dpf_certified": True},
        headers={**legal, "If-Match": created.headers["ETag"]},
    )
    assert bad.status_code == 422 and "dpf_certified" in bad.get_json()["errors"]
    ok = client.patch(
        "/api/v1/vendors/acme-dpf",
        json={"dpf": {"status": "active", "entity": "Acme DPF Inc.", "checked": "2026-12-02"}},
        headers={**legal, "If-Match": created.headers["ETag"]},
    )
    assert ok.status_code == 200 and ok.get_json()["dpf_certified"] is True


def test_catalog_vendors_with_blocks_export_and_import_again(
    catalog_app: Flask, auth: Headers, tmp_path: Path
) -> None:
    from service.vendors.io.export import export_vendors
    from service.vendors.io.upsert import import_file

    with catalog_app.app_context(), session_scope() as session:
        text = export_vendors(session=session, fmt="json")
    assert '"ownership": {' in text  # the shipped catalog fills ownership blocks
    with catalog_app.app_context(), session_scope() as session:
        report = import_file(
            session=session,
            data=text.encode(),
            reference=load_reference(Path(vendor_data.DATA_DIR)),
            fmt="json",
            dry_run=True,
        )
    # every record validates again (a derived field is not sent beside its block)
    assert report.created == [] and len(report.unchanged) + len(report.updated) > 200
