"""Pinned facts for vendors a-k (issue 12): HQ, ownership, DPF, sanctions and data locations.

Every row was checked against the source named in the vendor's record (a privacy policy, an
SEC or exchange filing, a regulator's notice). The test asserts that the shipped catalog holds
exactly these facts, so a data edit that changes one of them has to change this table too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pytest

from assessments.catalog import VendorRecord

ALL_DPF_PARTS = ("eu_us", "uk_extension", "swiss_us")


@dataclass(frozen=True)
class Facts:
    slug: str
    hq_country: str
    hq_entity: str
    # ownership: "independent", or (ultimate parent name, its country or None, share or None)
    owner: str | tuple[str, str | None, float | None] | None
    # dpf: None (no dpf block) or (status, entity, parts)
    dpf: tuple[str, str, tuple[str, ...]] | None
    candidate: bool | None  # None: not decided in the record (ownership not sourced)
    # sanctions: (party, list) pairs; status value
    sanctions: tuple[tuple[str, str], ...] = ()
    status: str = "active"
    storage: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    history: tuple[tuple[date, str], ...] = field(default=())


GOOGLE_DPF = ("active", "Google LLC", ALL_DPF_PARTS)
ALPHABET = ("Alphabet Inc.", "US", 100.0)
META_DPF = ("active", "Meta Platforms, Inc.", ("eu_us",))
ALIBABA = ("Alibaba Group Holding Limited", "CN", None)
HUAWEI = ("Huawei Investment & Holding Co., Ltd.", "CN", None)
BAIDU = ("Baidu, Inc.", "CN", None)

FACTS = [
    Facts("google-analytics", "US", "Google LLC", ALPHABET, GOOGLE_DPF, False),
    Facts("google-ads", "US", "Google LLC", ALPHABET, GOOGLE_DPF, False),
    Facts("google-cloud", "US", "Google LLC", ALPHABET, GOOGLE_DPF, False),
    Facts("google-sign-in", "US", "Google LLC", ALPHABET, GOOGLE_DPF, False),
    Facts("firebase", "US", "Google LLC", ALPHABET, GOOGLE_DPF, False),
    Facts("facebook", "US", "Meta Platforms, Inc.", "independent", META_DPF, False),
    Facts("instagram", "US", "Meta Platforms, Inc.", "independent", META_DPF, False),
    Facts(
        "amazon-web-services",
        "US",
        "Amazon Web Services, Inc.",
        ("Amazon.com, Inc.", "US", None),
        ("active", "Amazon Web Services, Inc.", ("eu_us", "uk_extension", "swiss_us")),
        False,
    ),
    Facts("alibaba-cloud", "CN", "阿里云计算有限公司", ALIBABA, None, True),
    Facts("dingtalk-open-platform", "CN", "钉钉（中国）信息技术有限公司", ALIBABA, None, True),
    Facts(
        "amap",
        "CN",
        "高德软件有限公司",
        ("Alibaba Group Holding Limited", "CN", 100.0),
        None,
        True,
    ),
    Facts(
        "alipay",
        "CN",
        "支付宝（中国）网络技术有限公司",
        ("Ant Group Co., Ltd.", "CN", None),
        None,
        True,
    ),
    Facts("huawei-push", "CN", "Huawei Technologies Co., Ltd.", HUAWEI, None, True),
    Facts("huawei-mobile-services", "CN", "华为技术有限公司", HUAWEI, None, True),
    Facts(
        "honor-push",
        "CN",
        "荣耀终端技术有限公司",
        ("Shenzhen Zhixin New Information Technology Co., Ltd.", "CN", None),
        None,
        True,
        history=((date(2020, 11, 17), "sold"),),
    ),
    Facts(
        "douyin-open-platform",
        "CN",
        "北京微播视界科技有限公司",
        ("ByteDance Ltd.", "CN", None),
        None,
        True,
    ),
    Facts("baidu-maps", "CN", "Baidu, Inc.", BAIDU, None, True),
    Facts("baidu-mobads", "CN", "Baidu, Inc.", BAIDU, None, True),
    Facts(
        "kuaishou-ads",
        "CN",
        "Kuaishou Technology",
        ("Kuaishou Technology", "CN", None),
        None,
        True,
    ),
    Facts(
        "adjust",
        "DE",
        "Adjust GmbH",
        ("AppLovin Corporation", "US", 100.0),
        None,
        False,
        history=((date(2021, 4, 20), "sold"),),
    ),
    Facts("ironsource", "", "", ("Unity Software Inc.", "US", None), None, None, storage=("US",)),
    Facts(
        "datadog",
        "US",
        "Datadog, Inc.",
        "independent",
        ("active", "Datadog, Inc.", ALL_DPF_PARTS),
        False,
        regions=("US", "EU", "JP", "AU"),
    ),
    Facts(
        "cloudflare",
        "US",
        "Cloudflare, Inc.",
        "independent",
        ("active", "Cloudflare, Inc.", ("eu_us", "uk_extension", "swiss_us")),
        False,
    ),
    Facts(
        "hubspot",
        "US",
        "HubSpot, Inc.",
        "independent",
        ("active", "HubSpot, Inc.", ALL_DPF_PARTS),
        False,
    ),
    Facts(
        "klaviyo",
        "US",
        "Klaviyo, Inc.",
        "independent",
        ("active", "Klaviyo, Inc.", ("eu_us", "uk_extension")),
        False,
        storage=("US",),
    ),
    Facts("here", "NL", "HERE Global B.V.", "independent", None, False),
    Facts(
        "branch",
        "US",
        "Branch Metrics, Inc.",
        None,
        ("active", "Branch Metrics, Inc.", ALL_DPF_PARTS),
        False,
    ),
    Facts(
        "fastly",
        "US",
        "Fastly, Inc.",
        "independent",
        ("active", "Fastly, Inc.", ALL_DPF_PARTS),
        False,
    ),
    Facts("ionos", "DE", "IONOS SE", ("United Internet AG", "DE", 63.8), None, False),
    Facts("dpd", "FR", "Geopost SA", ("La Poste S.A.", "FR", None), None, False),
    Facts("adgeneration", "JP", "Supership株式会社", None, None, False),
    Facts(
        "cloudpayments",
        "RU",
        "CLOUDPAYMENTS",
        ("TCS Group Holding", None, None),
        None,
        True,
        sanctions=(
            ("JSC Tinkoff Bank", "eu_consolidated"),
            ("JSC Tinkoff Bank", "uk_sanctions"),
            ("JSC Tinkoff Bank", "ofac_sdn"),
        ),
        status="sanctioned",
    ),
]


@pytest.mark.parametrize("facts", FACTS, ids=[f.slug for f in FACTS])
def test_vendor_facts_a_to_k(vendors: Mapping[str, VendorRecord], facts: Facts) -> None:
    record = vendors[facts.slug]

    if facts.hq_country:
        assert record.hq_country == facts.hq_country
        assert record.hq_entity is not None
        assert facts.hq_entity in record.hq_entity.name
    assert record.covered_person_candidate is facts.candidate

    ownership = record.ownership
    if facts.owner is None:
        assert ownership is None
    elif isinstance(facts.owner, str):
        assert facts.owner == "independent"
        assert ownership is not None and ownership.independent
        assert ownership.parent is None and ownership.ultimate_parent is None
    else:
        name, country, share = facts.owner
        assert ownership is not None and not ownership.independent
        top = ownership.ultimate_parent
        assert top is not None
        assert (top.name, top.country, top.share) == (name, country, share)

    if facts.dpf is None:
        assert record.dpf is None
    else:
        status, entity, parts = facts.dpf
        assert record.dpf is not None
        assert (record.dpf.status, record.dpf.entity) == (status, entity)
        assert set(record.dpf.parts) == set(parts)

    assert {(s.party, lst) for s in record.sanctions for lst in s.lists} == set(facts.sanctions)
    assert all(s.through_ownership for s in record.sanctions)
    assert record.status.value == facts.status

    locations = record.data_locations
    if facts.storage or facts.regions:
        assert locations is not None
        assert tuple(locations.storage) == facts.storage
        assert tuple(locations.selectable_regions) == facts.regions

    assert {(h.date, h.event) for h in record.history} >= set(facts.history)
