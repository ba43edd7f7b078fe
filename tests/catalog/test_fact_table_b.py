"""Pinned facts for vendors l-z and the seed-002 platforms (issue 12, slice b).

Each row was checked against the source its record cites (retrieved 2026-12-05): the HQ
country and entity, the top of the ownership chain, the DPF entry, the designations and the
covered-person mark. The loaded catalog must hold exactly these facts, so a later edit that
changes one of them has to change this table too, on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import pytest

from assessments.catalog import VendorRecord


class Fact(NamedTuple):
    slug: str
    hq_country: str | None
    hq_entity: str | None  # the hq legal entity's name contains this text
    top_owner: str | None  # ownership.ultimate_parent.name, or None when independent/unknown
    top_owner_country: str | None
    independent: bool | None  # None: no ownership block
    dpf: str | None  # dpf.status, None when unknown
    sanctions: frozenset[tuple[str, str]]  # (party, list)
    candidate: bool | None
    status: str


NONE: frozenset[tuple[str, str]] = frozenset()
TENCENT = "Tencent Holdings Limited"

FACTS = [
    Fact(
        "linkedin",
        "US",
        "LinkedIn Corporation",
        "Microsoft Corporation",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "mailchimp",
        "US",
        "The Rocket Science Group LLC",
        "Intuit Inc.",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "mailgun",
        "US",
        "Mailgun Technologies, Inc.",
        "Sinch AB",
        "SE",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "mailjet",
        "FR",
        "Mailjet SAS",
        "Sinch AB (publ)",
        "SE",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact("mapbox", "US", "Mapbox Inc.", None, None, None, "active", NONE, False, "active"),
    Fact(
        "yoomoney",
        "RU",
        "YooMoney",
        "PJSC Sberbank of Russia",
        "RU",
        False,
        None,
        frozenset(
            {
                ("PJSC Sberbank of Russia", "ofac_sdn"),
                ("PJSC Sberbank of Russia", "uk_sanctions"),
                ("PJSC Sberbank of Russia", "eu_consolidated"),
            }
        ),
        True,
        "sanctioned",
    ),
    Fact("qiwi", "CY", "QIWI PLC", None, None, None, None, NONE, True, "licence_revoked"),
    Fact("tencent-maps", "CN", TENCENT, TENCENT, "CN", False, None, NONE, True, "active"),
    Fact("wechat-pay", "CN", TENCENT, TENCENT, "CN", False, None, NONE, True, "active"),
    Fact(
        "wechat-official-accounts", "CN", TENCENT, TENCENT, "CN", False, None, NONE, True, "active"
    ),
    Fact("qq-connect", "CN", TENCENT, TENCENT, "CN", False, None, NONE, True, "active"),
    Fact(
        "weibo-sdk",
        "CN",
        "Weibo Corporation",
        "SINA Corporation",
        "CN",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "yandex-appmetrica",
        "RU",
        "YANDEX LLC",
        "IJSC Yandex",
        "RU",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact("mytracker", "RU", "MKPAO VK", "MKPAO VK", "RU", False, None, NONE, True, "active"),
    Fact("vk-sdk", "RU", "V Kontakte", "MKPAO VK", "RU", False, None, NONE, True, "active"),
    Fact(
        "pangle",
        "SG",
        "Bytedance Pte. Ltd.",
        "ByteDance Ltd.",
        "CN",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "tiktok-for-business", None, None, "ByteDance Ltd.", "CN", False, None, NONE, True, "active"
    ),
    Fact(
        "slack",
        "US",
        "Slack Technologies, LLC",
        "Salesforce, Inc.",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "sendgrid", "US", "Twilio Inc.", "Twilio Inc.", "US", False, "active", NONE, False, "active"
    ),
    Fact(
        "segment", "US", "Twilio Inc.", "Twilio Inc.", "US", False, "active", NONE, None, "active"
    ),
    Fact(
        "tnt",
        "US",
        "FedEx Corporation",
        "FedEx Corporation",
        "US",
        False,
        None,
        NONE,
        False,
        "active",
    ),
    Fact("sap-successfactors", "DE", "SAP SE", "SAP SE", "DE", False, None, NONE, False, "active"),
    Fact(
        "mopub",
        "US",
        "AppLovin Corporation",
        "AppLovin Corporation",
        "US",
        False,
        None,
        NONE,
        False,
        "sunset",
    ),
    Fact("taboola", "US", "Taboola.com Ltd.", None, None, True, None, NONE, False, "active"),
    Fact(
        "teads",
        "US",
        "Teads Holding Co.",
        "Outbrain Inc.",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "vonage",
        "US",
        "Vonage Holdings Corp.",
        "Telefonaktiebolaget LM Ericsson",
        "SE",
        False,
        None,
        NONE,
        False,
        "active",
    ),
    Fact(
        "x-twitter",
        "US",
        "X Corp.",
        "xAI Holdings Corp.",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "vungle",
        "US",
        "Liftoff Mobile",
        "Liftoff Mobile, Inc.",
        "US",
        False,
        None,
        NONE,
        False,
        "active",
    ),
    Fact(
        "china-mobile",
        "HK",
        "China Mobile Limited",
        "China Mobile Communications Group",
        "CN",
        False,
        None,
        frozenset({("China Mobile Limited", "ofac_nscmic")}),
        True,
        "active",
    ),
    Fact(
        "china-telecom",
        "CN",
        "China Telecom Corporation Limited",
        "China Telecommunications Corporation",
        "CN",
        False,
        None,
        frozenset({("China Telecom Corporation Limited", "ofac_nscmic")}),
        True,
        "active",
    ),
    Fact(
        "china-unicom",
        "HK",
        "China Unicom (Hong Kong) Limited",
        "China United Network Communications Group",
        "CN",
        False,
        None,
        frozenset({("China Unicom (Hong Kong) Limited", "ofac_nscmic")}),
        True,
        "active",
    ),
    Fact(
        "taobao",
        "HK",
        "Alibaba Group Holding Limited",
        "Alibaba Group Holding Limited",
        "HK",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "tmall",
        "HK",
        "Alibaba Group Holding Limited",
        "Alibaba Group Holding Limited",
        "HK",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact("jd-com", "CN", "JD.com, Inc.", "JD.com, Inc.", "CN", False, None, NONE, True, "active"),
    Fact(
        "pinduoduo",
        "IE",
        "PDD Holdings Inc.",
        "PDD Holdings Inc.",
        "IE",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "douyin-ecommerce",
        "CN",
        "ByteDance Ltd.",
        "ByteDance Ltd.",
        "CN",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "kuaishou-live", "CN", "Kuaishou Technology", None, None, True, None, NONE, True, "active"
    ),
    Fact(
        "umeng",
        "CN",
        "友盟同欣",
        "Alibaba Group Holding Limited",
        "HK",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "uc-sdk",
        "CN",
        "动景",
        "Alibaba Group Holding Limited",
        "HK",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "oceanengine", "CN", "巨量引擎", "ByteDance Ltd.", "CN", False, None, NONE, True, "active"
    ),
    Fact(
        "omnicom-media-group",
        "US",
        "Omnicom Group Inc.",
        "Omnicom Group Inc.",
        "US",
        False,
        None,
        NONE,
        None,
        "active",
    ),
    Fact(
        "strato", "DE", "STRATO AG", "United Internet AG", "DE", False, None, NONE, False, "active"
    ),
    Fact("ovhcloud", "FR", "OVH Groupe", None, None, True, None, NONE, False, "active"),
    Fact(
        "zoho",
        "IN",
        "Zoho Corporation Private Limited",
        None,
        None,
        True,
        None,
        NONE,
        False,
        "active",
    ),
    Fact("nend", "JP", "ファンコミュニケーションズ", None, None, None, None, NONE, None, "sunset"),
    Fact(
        "meizu-push",
        "CN",
        "珠海市魅族通讯设备有限公司",
        "湖北星纪时代科技有限公司",
        "CN",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "mintegral",
        "CN",
        "Mobvista (Guangzhou)",
        "Mobvista Inc.",
        None,
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "xiaomi-push",
        "CN",
        "小米科技有限责任公司",
        "Xiaomi Corporation",
        "CN",
        False,
        None,
        NONE,
        True,
        "active",
    ),
    Fact(
        "zendesk",
        "US",
        "Zendesk, Inc.",
        "Zoro BidCo, Inc.",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact(
        "qualtrics",
        "US",
        "Qualtrics",
        "Quartz Holdco, LLC",
        "US",
        False,
        "active",
        NONE,
        False,
        "active",
    ),
    Fact("scaleway", "FR", "Scaleway", "Iliad SA", "FR", False, None, NONE, False, "active"),
    Fact("monday-com", "IL", "monday.com Ltd", None, None, True, None, NONE, False, "active"),
    Fact(
        "publicis-media",
        "FR",
        "Publicis Groupe",
        "Publicis Groupe S.A.",
        "FR",
        False,
        None,
        NONE,
        False,
        "active",
    ),
    Fact("vpon", "TW", "威朋大數據股份有限公司", None, None, None, None, NONE, None, "active"),
    Fact("maio", "JP", "アイモバイル", None, None, None, None, NONE, None, "active"),
    Fact(
        "worldpay",
        "US",
        "Worldpay, LLC",
        "Global Payments Inc.",
        "US",
        False,
        None,
        NONE,
        False,
        "active",
    ),
    Fact("meetup", "US", "Meetup LLC", "Bending Spoons", "IT", False, None, NONE, False, "active"),
    Fact("wpp-media", "GB", "WPP plc", "WPP plc", "GB", False, None, NONE, None, "active"),
    Fact("vivo-push", "CN", "维沃移动通信有限公司", None, None, None, None, NONE, True, "active"),
    Fact("stripe", "US", "Stripe Inc.", None, None, None, "active", NONE, False, "active"),
    Fact("paypal", "US", "PayPal Holdings, Inc.", None, None, True, None, NONE, None, "active"),
]


@pytest.mark.parametrize("fact", FACTS, ids=[f.slug for f in FACTS])
def test_vendor_holds_its_sourced_facts(vendors: Mapping[str, VendorRecord], fact: Fact) -> None:
    record = vendors[fact.slug]
    assert record.hq_country == fact.hq_country
    hq = record.hq_entity
    if fact.hq_entity is None:
        assert hq is None
    else:
        assert hq is not None and fact.hq_entity in hq.name, hq
    ownership = record.ownership
    if fact.independent is None:
        assert ownership is None
    else:
        assert ownership is not None
        assert ownership.independent is fact.independent
        top = ownership.ultimate_parent
        if fact.top_owner is None:
            assert top is None
        else:
            assert top is not None and fact.top_owner in top.name, top
            assert top.country == fact.top_owner_country
    assert (record.dpf.status if record.dpf else None) == fact.dpf
    designations = {(s.party, listed) for s in record.sanctions for listed in s.lists}
    assert designations == fact.sanctions
    assert record.covered_person_candidate is fact.candidate
    assert record.status.value == fact.status


def test_sanctioned_vendors_carry_the_sanctions_mark(vendors: Mapping[str, VendorRecord]) -> None:
    """A vendor whose 100% owner is on the SDN list is marked, not listed as an ordinary vendor."""
    yoomoney = vendors["yoomoney"]
    assert yoomoney.sanctioned
    sberbank = yoomoney.sanctions[0]
    assert sberbank.through_ownership
    assert str(sberbank.designated) == "2022-04-06"


DATED_EVENTS = [
    ("qiwi", "sold", "2024-01-29"),
    ("qiwi", "licence_revoked", "2024-02-21"),
    ("mailchimp", "acquired", "2021-11-01"),
    ("x-twitter", "acquired", "2025-03-28"),
    ("teads", "acquired", "2025-02-03"),
    ("worldpay", "acquired", "2026-01-09"),
    ("zendesk", "acquired", "2022-11-22"),
    ("qualtrics", "acquired", "2023-06-28"),
    ("meizu-push", "acquired", "2022-07-04"),
]


@pytest.mark.parametrize(("slug", "event", "day"), DATED_EVENTS)
def test_sales_and_revocations_are_dated(
    vendors: Mapping[str, VendorRecord], slug: str, event: str, day: str
) -> None:
    assert (event, day) in {(h.event, str(h.date)) for h in vendors[slug].history}
