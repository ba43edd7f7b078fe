"""The shipped catalog: every file validates and its records are consistent."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import pycountry
import pytest

import vendor_data
from assessments.catalog import (
    Catalog,
    VendorRecord,
    catalog_version,
    load_vendors,
    name_key,
    validate_catalog,
)

DATA_DIR = Path(vendor_data.DATA_DIR)

# Categories the product promises (design.md, seed 000): they must stay in categories.yaml.
REQUIRED_CATEGORIES = {
    "payment_processor",
    "analytics_sdk",
    "ads_sdk",
    "push_sdk",
    "sms_sdk",
    "maps_sdk",
    "crash_sdk",
    "social_sdk",
    "attribution",
    "engagement",
    "monitoring",
    "email_marketing",
    "crm",
    "customer_support",
    "messaging",
    "cloud",
    "cdn",
    "courier",
    "hr_payroll",
    "identity",
    "research_institution",
    "advertising_agency",
    "event_organiser",
    "it_provider",
    "insurer",
    "collection_agency",
    "credit_check",
    "cashback",
}


def test_every_catalog_file_validates(catalog: Catalog) -> None:
    assert catalog.problems == (), "\n".join(str(p) for p in catalog.problems)


def test_the_shipped_catalog_passes_the_strict_checks() -> None:
    """Every filled fact of every shipped record is named by a source a reader can open, with
    the day it was read (issue 12, source discipline): a new record or fact without one fails."""
    problems = validate_catalog(DATA_DIR, strict=True)
    assert problems == [], "\n".join(str(p) for p in problems[:20])


def test_load_vendors_returns_350_plus_records() -> None:
    assert len(load_vendors(DATA_DIR)) >= 350


def test_slugs_are_unique_and_match_file_names(catalog: Catalog) -> None:
    vendors = catalog.vendors
    slugs = [v.slug for v in vendors]
    assert len(slugs) == len(set(slugs))
    files = {p.stem for p in (DATA_DIR / "vendors").glob("*.yaml")}
    assert set(slugs) == files


def test_names_and_aliases_are_unique_across_vendors(catalog: Catalog) -> None:
    owner: dict[str, str] = {}
    for vendor in catalog.vendors:
        for name in vendor.names:
            key = name_key(name)
            assert owner.setdefault(key, vendor.slug) == vendor.slug, (name, owner[key])


def test_country_codes_are_iso_3166_alpha_2(catalog: Catalog) -> None:
    for vendor in catalog.vendors:
        codes = [vendor.hq_country, *vendor.processing_countries]
        codes += [e.country for e in vendor.legal_entities]
        for code in filter(None, codes):
            assert pycountry.countries.get(alpha_2=code) is not None, (vendor.slug, code)


def test_vendor_categories_exist(catalog: Catalog) -> None:
    ids = {c.id for c in catalog.categories}
    assert ids >= REQUIRED_CATEGORIES
    assert {v.category for v in catalog.vendors} <= ids


def test_every_vendor_has_sources(catalog: Catalog) -> None:
    for vendor in catalog.vendors:
        assert vendor.sources, vendor.slug
        assert all(s.url or s.ref for s in vendor.sources), vendor.slug


def test_taxonomy_ids_come_from_the_taxonomy_file(catalog: Catalog) -> None:
    assert catalog.taxonomy.from_file == (DATA_DIR / "taxonomy.yaml").is_file()
    for vendor in catalog.vendors:
        assert set(vendor.data_categories) <= catalog.taxonomy.data_categories, vendor.slug
        assert set(vendor.purposes) <= catalog.taxonomy.purposes, vendor.slug


def test_catalog_version_is_stable_and_tracks_changes(tmp_path: Path) -> None:
    copy = tmp_path / "vendor_data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    assert catalog_version(copy) == catalog_version(DATA_DIR)
    target = next((copy / "vendors").glob("*.yaml"))
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert catalog_version(copy) != catalog_version(DATA_DIR)


def test_records_carry_a_content_hash_and_plain_form(vendors: Mapping[str, VendorRecord]) -> None:
    vendor = vendors["firebase"]
    assert len(vendor.content_hash) == 64
    plain = vendor.to_plain()
    assert plain["slug"] == "firebase"
    assert isinstance(plain["last_verified"], str)
    assert plain["legal_entities"][0]["name"] == "Google LLC"


@pytest.mark.parametrize("slug", ["mopub", "qiwi"])
def test_non_active_statuses_have_a_date_and_a_source(
    vendors: Mapping[str, VendorRecord], slug: str
) -> None:
    vendor = vendors[slug]
    assert vendor.status.value != "active"
    assert vendor.status.since is not None
    assert any("status" in s.facts for s in vendor.sources)


# Vendors the catalog issue names for the China/seed part: they must stay in the catalog.
REQUIRED_VENDORS = {
    "mobtech",
    "google-admob",
    "meta-audience-network",
    "facebook-login",
    "facebook-social-plugins",
    "mopub",
    "unity-ads",
    "umeng",
    "firebase",
    "google-maps-platform",
    "google-analytics",
    "google-sign-in",
    "sign-in-with-apple",
    "paypal",
    "yoomoney",
    "qiwi",
    "webmoney",
    "cloudpayments",
    "shopback",
    "amazon-web-services",
    "microsoft-azure",
    "jpush",
    "getui",
    "huawei-push",
    "xiaomi-push",
    "oppo-push",
    "vivo-push",
    "honor-push",
    "talkingdata",
    "sensors-data",
    "growingio",
    "tencent-bugly",
    "amap",
    "baidu-maps",
    "tencent-maps",
    "alipay",
    "wechat-pay",
    "unionpay",
    "wechat-opensdk",
    "qq-connect",
    "weibo-sdk",
    "csj",
    "pangle",
    "tencent-ylh",
    "baidu-mobads",
    "kuaishou-ads",
    "alibaba-cloud-sms",
    "tencent-cloud-sms",
    "alibaba-cloud",
    "tencent-cloud",
    "huawei-cloud",
}


def test_required_vendors_are_present(catalog: Catalog) -> None:
    assert REQUIRED_VENDORS - {v.slug for v in catalog.vendors} == set()
