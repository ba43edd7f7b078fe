"""The five seed policies against the shipped catalog: exact vendor sets and key findings.

Expected findings come from reading each seed (../shared/seeds). Vendor sets are exact: a
vendor the policy does not disclose is as much a failure as one it discloses and we miss.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import vendor_data
from assessments.catalog import load_vendors
from assessments.scanner import Lexicon, Matcher, ScanReport, compile_matcher, scan
from assessments.scanner.types import TermHit

SEEDS = {
    "000": "000_5b1caefd9b7e4260.txt",  # JustCo (Singapore / PRC), categories only
    "001": "001_e8eb2ebfeb1a0c8c.txt",  # Just Services (EU + US SaaS)
    "002": "002_e95fd9fa29c7592d.txt",  # JINGdigital (Shanghai martech)
    "003": "003_d504d64d58fed2ef.txt",  # JusTalk (Ningbo), in Polish
    "004": "004_c3a05b5217a2d981.txt",  # Jusseum (EU online shop)
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    """The shipped catalog, compiled once for the module."""
    return compile_matcher(load_vendors(Path(vendor_data.DATA_DIR)))


@pytest.fixture(scope="module")
def reports(shared_dir: Path, matcher: Matcher, lexicon: Lexicon) -> dict[str, ScanReport]:
    """Each seed scanned once."""
    out = {}
    for key, name in SEEDS.items():
        path = shared_dir / "seeds" / name
        if not path.is_file():
            pytest.skip(f"seed {name} is not in ../shared/seeds")
        out[key] = scan(path.read_text(encoding="utf-8"), matcher, lexicon)
    return out


def ids(hits: tuple[TermHit, ...]) -> set[str]:
    return {h.id for h in hits}


def texts(hits: tuple[TermHit, ...], term_id: str) -> set[str]:
    return {s.text for h in hits if h.id == term_id for s in h.spans}


EXPECTED_VENDORS = {
    # Section 5 names recipients only by kind.
    "000": set(),
    # Hosting (AWS, Azure), payment systems, and "connect your account ... e.g., Facebook or
    # Google" (Google named bare in a log-in sentence: Google Sign-In).
    "001": {
        "amazon-web-services",
        "microsoft-azure",
        "paypal",
        "yoomoney",
        "qiwi",
        "webmoney",
        "cloudpayments",
        "facebook",
        "google-sign-in",
    },
    # Names no third party: SMS via mobile operators, live-broadcast platforms, partner SDKs.
    "002": set(),
    # The SDK list, plus social log-in "takiej jak Facebook, Apple lub Google".
    "003": {
        "mobtech",
        "google-admob",
        "facebook",
        "mopub",
        "unity-ads",
        "umeng",
        "firebase",
        "google-maps-platform",
        "sign-in-with-apple",
        "google-sign-in",
    },
    # Google Analytics, ShopBack, the Facebook "Like" plugin, and the social media pages it
    # keeps (Facebook, Twitter, LinkedIn, Instagram). "Google Ads, Bing Ads, FB Ads" sit in
    # a drafting note ("[If you use ..., please supplement this section]") and are not named.
    "004": {
        "google-analytics",
        "shopback",
        "facebook",
        "facebook-social-plugins",
        "x-twitter",
        "linkedin",
        "instagram",
    },
}


@pytest.mark.parametrize("seed", sorted(EXPECTED_VENDORS))
def test_vendor_sets_are_exact(seed: str, reports: dict[str, ScanReport]) -> None:
    report = reports[seed]
    assert {hit.slug for hit in report.vendors} == EXPECTED_VENDORS[seed]
    assert report.candidates == ()
    for hit in report.vendors:
        for match in hit.matches:
            assert match.evidence and match.span.text
            assert 0 < match.confidence <= 1


def test_seed_000_recipient_kinds_storage_and_children(reports: dict[str, ScanReport]) -> None:
    report = reports["000"]
    assert report.language.code == "en"
    assert ids(report.vendor_categories) == {
        "email_marketing",
        "payment_processor",
        "research_institution",
        "advertising_platform",
        "advertising_agency",
        "event_organiser",
        "it_provider",
        "courier",
        "hr_payroll",
        "insurer",
    }
    assert "Email Service Vendors" in texts(report.vendor_categories, "email_marketing")
    assert {"government", "financial_institution", "affiliates"} <= ids(report.other_recipients)
    (storage,) = report.storage_in_prc
    assert storage.text.endswith("stored in the People's Republic of China")
    prc = next(s for s in report.cross_border if s.storage_in_prc)
    assert prc.in_principle and {p.id for p in prc.places} == {"CN"}
    assert {"consent_to_transfer", "deidentification"} <= ids(report.mechanisms)
    assert [(a.kind, a.age) for a in report.children] == [("under", 14)]
    assert {"biometric", "contact", "financial.payment_card"} <= ids(report.data_categories)
    assert texts(report.data_categories, "biometric") >= {"security cameras"}


def test_seed_001_transfers_laws_and_rights(reports: dict[str, ScanReport]) -> None:
    report = reports["001"]
    assert texts(report.mechanisms, "eu_scc") == {"model contractual clauses"}
    assert {"US", "EU", "third_countries"} <= ids(report.places)
    scc = next(s for s in report.cross_border if "eu_scc" in s.mechanisms)
    assert "countries without adequate" in scc.span.text
    assert {"gdpr", "ccpa"} <= ids(report.laws)
    articles = {a.article for a in report.articles if a.law == "gdpr"}
    assert {"15", "16", "17", "18", "7(3)", "20(1)(a)", "77", "21(1)", "21(2)", "6(1)(b)"} <= (
        articles
    )
    assert {"access", "erasure", "portability", "opt_out_of_sale"} <= ids(report.rights)
    assert {"financial.payment_card", "identifiers.online"} <= ids(report.data_categories)
    assert report.storage_in_prc == () and report.children == ()


def test_seed_002_prc_storage_and_client_responsibility(reports: dict[str, ScanReport]) -> None:
    report = reports["002"]
    (storage,) = report.storage_in_prc
    assert "stored in the People\u2019s Republic of China" in storage.text
    assert {"pipl", "cn_dsl"} <= ids(report.laws)
    assert "cn_separate_consent" in ids(report.mechanisms)
    assert "cn_security_assessment" not in ids(report.mechanisms)  # "security impact assessment"
    assert {"telecom_operator", "live_streaming", "push_sdk"} <= ids(report.vendor_categories)
    assert [(a.kind, a.age) for a in report.children] == [("under", 14)]
    assert {c.name for c in report.own_entities} >= {
        "Shanghai Jingdigital Network Technology Co., LTD."
    }
    assert "location.precise" in ids(report.data_categories)  # "whereabouts"


def test_seed_003_polish_sdks_identifiers_and_transfers(reports: dict[str, ScanReport]) -> None:
    report = reports["003"]
    assert report.language.code == "pl"
    devices = texts(report.data_categories, "identifiers.device")
    assert {"IMEI", "androidID", "OAID", "IDFV"} <= devices
    assert "adresy IP" in texts(report.data_categories, "identifiers.online")
    assert ("under", 13, None) in [(a.kind, a.age, a.max_age) for a in report.children]
    assert ("range", 13, 16) in [(a.kind, a.age, a.max_age) for a in report.children]
    third = [s for s in report.cross_border if any(p.id == "third_countries" for p in s.places)]
    assert third and "eu_appropriate_safeguards" in third[0].mechanisms
    assert "państw trzecich" in third[0].span.text
    assert {"gdpr", "ccpa"} <= ids(report.laws)
    assert {c.name for c in report.own_entities} == {"Ningbo Jus Internet Technology Co., Ltd."}
    mobtech = next(h for h in report.vendors if h.slug == "mobtech")
    assert {m.span.text for m in mobtech.matches} == {"SMSSDK", "MobTech"}


def test_seed_004_shop_recipients_and_articles(reports: dict[str, ScanReport]) -> None:
    report = reports["004"]
    assert {"payment_processor", "courier", "collection_agency", "credit_check"} <= ids(
        report.vendor_categories
    )
    assert {"EEA", "third_countries"} <= ids(report.places)
    assert [a.article for a in report.articles if a.law == "gdpr"][:4] == [
        "4(7)",
        "6(1)",
        "6(1)(b)",
        "6(1)(f)",
    ]
    assert len(report.template_notes) == 3
    assert {"identifiers.online", "financial.account", "purchase.history"} <= ids(
        report.data_categories
    )
