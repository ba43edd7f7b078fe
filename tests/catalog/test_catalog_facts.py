"""A fact table of well-known vendors: the catalog must agree with what their sources say."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from assessments.catalog import VendorRecord

# slug, HQ country, text in the name of the HQ (or sole operating) entity, DOJ candidate
FACTS = [
    ("google-analytics", "US", "Google LLC", False),
    ("firebase", "US", "Google LLC", False),
    ("google-admob", "US", "Google LLC", False),
    ("sign-in-with-apple", "US", "Apple Inc.", False),
    ("mopub", "US", "AppLovin Corporation", False),
    ("yoomoney", "RU", "YooMoney", True),
    ("cloudpayments", "RU", "CLOUDPAYMENTS", True),
    ("qiwi", "CY", "QIWI PLC", True),
    ("vk-sdk", "RU", "V Kontakte", True),
    ("talkingdata", "CN", "Beijing Tendcloud Tianxia Technology", True),
    ("jpush", "CN", "深圳市和讯华谷信息技术有限公司", True),
    ("getui", "CN", "每日互动股份有限公司", True),
    ("umeng", "CN", "友盟同欣（北京）科技有限公司", True),
    ("mobtech", "CN", "上海游昆信息技术有限公司", True),
    ("amap", "CN", "高德软件有限公司", True),
    ("alipay", "CN", "支付宝（中国）网络技术有限公司", True),
]


@pytest.mark.parametrize(("slug", "country", "entity", "candidate"), FACTS)
def test_well_known_vendor_facts(
    vendors: Mapping[str, VendorRecord], slug: str, country: str, entity: str, candidate: bool
) -> None:
    record = vendors[slug]
    assert record.hq_country == country
    names = [e.name for e in record.legal_entities]
    if record.hq_entity is not None:
        names = [record.hq_entity.name]
    assert any(entity in name for name in names), names
    assert record.covered_person_candidate is candidate


def test_eu_contracting_entities_are_recorded(vendors: Mapping[str, VendorRecord]) -> None:
    regional = {
        "meta-audience-network": ("Meta Platforms Ireland Limited", "IE"),
        "paypal": ("PayPal (Europe) S.à r.l. et Cie, S.C.A.", "LU"),
        "amazon-web-services": ("Amazon Web Services EMEA SARL", "LU"),
        "microsoft-azure": ("Microsoft Ireland Operations Ltd.", "IE"),
        "unity-ads": ("Unity Technologies ApS", "DK"),
        "cloudpayments": ("SIA 'CLOUD PAYMENTS INTERNATIONAL' (reg. 50103762261)", "LV"),
    }
    for slug, (name, country) in regional.items():
        entities = {(e.name, e.country) for e in vendors[slug].legal_entities}
        assert (name, country) in entities, slug


def test_sdk_signatures_come_from_tracker_lists(vendors: Mapping[str, VendorRecord]) -> None:
    umeng = vendors["umeng"].sdk
    assert umeng is not None
    assert "com.umeng." in umeng.android_packages
    jpush = vendors["jpush"]
    assert jpush.sdk is not None
    assert "cn.jpush.android" in jpush.sdk.android_packages
    assert any(s.ref == "Exodus tracker 343" for s in jpush.sources)


def test_unknown_facts_stay_empty(vendors: Mapping[str, VendorRecord]) -> None:
    # No stored source states these, so the catalog must not claim them.
    assert vendors["webmoney"].hq_country is None
    # unionpay: the 云闪付 privacy policy names its operator; the entity is recorded from it.
    assert [e.name for e in vendors["unionpay"].legal_entities] == ["中国银联股份有限公司"]
    # DPF status is claimed only from a dated `dpf` block that a source names (issue 12).
    for slug in ("firebase", "paypal"):
        record = vendors[slug]
        if record.dpf_certified is not None:
            assert record.dpf is not None
            assert any("dpf" in s.facts and s.url for s in record.sources)
