"""Every vendor the seed policies name resolves, by the spelling the policy uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments.catalog import NameIndex

# (seed file prefix, spelling exactly as written in the policy, expected slug)
SEED_SPELLINGS = [
    ("001", "PayPal", "paypal"),
    ("001", "Yandex Money", "yoomoney"),
    ("001", "QIWI", "qiwi"),
    ("001", "WebMoney", "webmoney"),
    ("001", "CloudPayments", "cloudpayments"),
    ("001", "AWS", "amazon-web-services"),
    ("001", "Microsoft Azure", "microsoft-azure"),
    ("001", "Facebook", "facebook"),
    ("002", "wechat", "wechat-opensdk"),
    ("003", "SMSSDK", "mobtech"),
    ("003", "MobTech", "mobtech"),
    ("003", "Admob", "google-admob"),
    ("003", "Mopub", "mopub"),
    ("003", "Unity ads", "unity-ads"),
    ("003", "Umeng+", "umeng"),
    ("003", "Firebase", "firebase"),
    ("003", "Crashlytics", "firebase"),
    ("003", "Google Maps", "google-maps-platform"),
    ("004", "ShopBack", "shopback"),
    ("004", "Google Analytics", "google-analytics"),
    ("004", "Google Ads", "google-ads"),
    ("004", "Bing Ads", "microsoft-advertising"),
    ("004", "FB Ads", "facebook"),
    ("004", "Facebook plugins", "facebook-social-plugins"),
    ("004", "Instagram", "instagram"),
    ("004", "LinkedIn", "linkedin"),
    ("004", "Twitter", "x-twitter"),
]

# Spellings from the brief and from Chinese/Russian policies (not in the seed texts).
OTHER_SPELLINGS = [
    ("AdMob", "google-admob"),
    ("Firebase Crashlytics", "firebase"),
    ("Firebase Analytics", "firebase"),
    ("Firebase Cloud Messaging", "firebase"),
    ("Firebase Installations", "firebase"),
    ("Facebook Audience Network", "meta-audience-network"),
    ("Facebook Login", "facebook-login"),
    ("Sign in with Apple", "sign-in-with-apple"),
    ("Google Sign-In", "google-sign-in"),
    ("YooMoney", "yoomoney"),
    ("Яндекс.Деньги", "yoomoney"),
    ("ЮMoney", "yoomoney"),
    ("Yandex.Money", "yoomoney"),
    ("MobTech SMSSDK", "mobtech"),
    ("U-App", "umeng"),
    ("U-Push", "umeng"),
    ("友盟+", "umeng"),
    ("极光推送", "jpush"),
    ("个推", "getui"),
    ("高德地图", "amap"),
    ("腾讯Bugly", "tencent-bugly"),
    ("支付宝", "alipay"),
    ("微信支付", "wechat-pay"),
    ("华为推送", "huawei-push"),
    ("小米推送", "xiaomi-push"),
    ("OPPO推送", "oppo-push"),
    ("vivo推送", "vivo-push"),
    ("荣耀推送", "honor-push"),
    ("神策数据", "sensors-data"),
    ("穿山甲", "csj"),
    ("优量汇", "tencent-ylh"),
    ("百度地图", "baidu-maps"),
    ("腾讯地图", "tencent-maps"),
    ("阿里云短信", "alibaba-cloud-sms"),
    ("腾讯云短信", "tencent-cloud-sms"),
    ("华为云", "huawei-cloud"),
    ("QQ互联", "qq-connect"),
    ("新浪微博", "weibo-sdk"),
    ("快手联盟", "kuaishou-ads"),
    ("百度联盟", "baidu-mobads"),
    ("TalkingData", "talkingdata"),
    ("GrowingIO", "growingio"),
    ("UnionPay", "unionpay"),
    ("银联", "unionpay"),
]


def seed_text(seeds_dir: Path, prefix: str) -> str:
    (path,) = seeds_dir.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("prefix", "spelling", "slug"), SEED_SPELLINGS)
def test_seed_vendor_resolves_by_its_seed_spelling(
    seeds_dir: Path, name_index: NameIndex, prefix: str, spelling: str, slug: str
) -> None:
    assert spelling in seed_text(seeds_dir, prefix), f"{spelling!r} no longer in seed {prefix}"
    match = name_index.resolve(spelling)
    assert match is not None, spelling
    assert match.slug == slug


@pytest.mark.parametrize(("spelling", "slug"), OTHER_SPELLINGS)
def test_vendor_resolves_by_policy_spelling(
    name_index: NameIndex, spelling: str, slug: str
) -> None:
    match = name_index.resolve(spelling)
    assert match is not None, spelling
    assert match.slug == slug
    assert match.exact
