"""What a scan reports besides vendors: data, recipients, transfers, ages, laws, diff."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from assessments.catalog.vendors import VendorRecord
from assessments.scanner import Lexicon, ScanReport, compile_matcher, diff, scan
from assessments.scanner.language import detect_language
from assessments.scanner.types import TermHit


@pytest.fixture
def run(make_vendor: Callable[..., VendorRecord], lexicon: Lexicon) -> Callable[[str], ScanReport]:
    matcher = compile_matcher(
        [
            make_vendor("firebase", "Firebase"),
            make_vendor("mobtech", "MobTech", aliases=("SMSSDK",)),
        ]
    )
    return lambda text: scan(text, matcher, lexicon)


def ids(hits: tuple[TermHit, ...]) -> set[str]:
    return {h.id for h in hits}


def test_data_categories_in_four_languages(run: Callable[[str], ScanReport]) -> None:
    report = run(
        "The SDK collects your IMEI, Android ID, OAID and IDFV. "
        "Zbieramy adresy IP i identyfikator reklamowy. "
        "Wir speichern Ihre E-Mail-Adressen. 我们收集您的手机号码和设备标识符。"
    )
    found = {h.id: {s.text for s in h.spans} for h in report.data_categories}
    assert found["identifiers.device"] == {"IMEI", "Android ID", "OAID", "IDFV", "设备标识符"}
    assert found["identifiers.online"] == {"adresy IP"}
    assert found["identifiers.advertising"] == {"identyfikator reklamowy"}
    assert found["contact"] == {"E-Mail-Adressen", "手机号码"}


def test_acronym_terms_need_capitals(run: Callable[[str], ScanReport]) -> None:
    report = run("Our teams use it to help us. Contact us.")
    assert report.data_categories == ()
    assert report.places == ()


def test_vendor_categories_and_other_recipients(run: Callable[[str], ScanReport]) -> None:
    report = run(
        "We disclose data to: EDM / Email Service Vendors; Payment processors and financial "
        "institutions; dostawcy usług płatniczych; Government Agencies."
    )
    assert ids(report.vendor_categories) == {"email_marketing", "payment_processor"}
    assert ids(report.other_recipients) == {"financial_institution", "government"}


def test_storage_in_prc_and_statements(run: Callable[[str], ScanReport]) -> None:
    report = run(
        "In principle, the personal information we collect and generate in the People's "
        "Republic of China will be stored in the People's Republic of China. "
        "We may transfer data to the U.S. under standard contractual clauses. "
        "如需向境外提供，我们将取得您的单独同意并通过安全评估。"
        "原则上，我们在中华人民共和国境内收集和产生的个人信息将存储在中华人民共和国境内。"
    )
    assert len(report.storage_in_prc) == 2
    first, second, third, fourth = report.cross_border
    assert first.storage_in_prc and first.in_principle
    assert {p.id for p in first.places} == {"CN"}
    assert {p.id for p in second.places} == {"US"} and second.mechanisms == ("eu_scc",)
    assert set(third.mechanisms) == {"cn_separate_consent", "cn_security_assessment"}
    assert {p.id for p in third.places} == {"abroad"}
    assert fourth.storage_in_prc and fourth.in_principle
    assert ids(report.mechanisms) == {"eu_scc", "cn_separate_consent", "cn_security_assessment"}


def test_security_impact_assessment_is_not_the_cac_assessment(
    run: Callable[[str], ScanReport],
) -> None:
    report = run("Before disclosure we carry out a security impact assessment.")
    assert ids(report.mechanisms) == {"pi_impact_assessment"}


def test_place_names_out_of_transfer_context_are_not_destinations(
    run: Callable[[str], ScanReport],
) -> None:
    report = run("Our office is in Singapore. We love China tea.")
    assert report.cross_border == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We consider anyone under the age of 14 to be a child.", [("under", 14, None)]),
        ("Usługi nie są dla osób poniżej 13 roku życia.", [("under", 13, None)]),
        ("Nie zbieramy danych dzieci poniżej 13 lat.", [("under", 13, None)]),
        ("We do not knowingly collect data from children under 13.", [("under", 13, None)]),
        ("użytkowników z UE w wieku od 13 do 16 lat", [("range", 13, 16)]),
        ("不满十四周岁的未成年人需监护人同意。", [("under", 14, None)]),
        ("14周岁以下的儿童", [("under", 14, None)]),
        ("Kinder unter 16 Jahren brauchen die Einwilligung der Eltern.", [("under", 16, None)]),
        ("We keep logs for under 30 days.", []),
    ],
)
def test_children_age_thresholds(
    text: str, expected: list[tuple[str, int, int | None]], run: Callable[[str], ScanReport]
) -> None:
    assert [(a.kind, a.age, a.max_age) for a in run(text).children] == expected


def test_laws_articles_and_rights(run: Callable[[str], ScanReport]) -> None:
    report = run(
        "Right of access: GDPR article 15. The legal basis is Article 6(1)(b) of the GDPR "
        "and GDPR Article 6.1 (f). Your rights under the CCPA and the PIPL (个人信息保护法)."
    )
    assert ids(report.laws) == {"gdpr", "ccpa", "pipl"}
    assert [(a.law, a.article) for a in report.articles] == [
        ("gdpr", "15"),
        ("gdpr", "6(1)(b)"),
        ("gdpr", "6(1)(f)"),
    ]
    assert "access" in ids(report.rights)


def test_unknown_third_parties_and_own_company(run: Callable[[str], ScanReport]) -> None:
    report = run(
        "Acme Widgets Co., Ltd. (\u201cWe\u201d or \u201cAcme\u201d) runs this app. "
        "Acme uses Firebase and the Zorblax SDK. Crash reports are provided by Quuxly. "
        "Payments are handled by Frobnicator Payments GmbH."
    )
    assert {c.name for c in report.candidates} == {"Zorblax", "Quuxly", "Frobnicator Payments GmbH"}
    assert {c.name for c in report.own_entities} == {"Acme Widgets Co., Ltd."}
    assert {h.slug for h in report.vendors} == {"firebase"}


def test_diff_against_reviewed_vendors(run: Callable[[str], ScanReport]) -> None:
    report = run("JusTalk uses SMSSDK from MobTech and Firebase.")
    result = diff(report, ["firebase", "umeng"])
    assert result.disclosed_not_reviewed == ("mobtech",)
    assert result.reviewed_not_disclosed == ("umeng",)
    assert result.disclosed_and_reviewed == ("firebase",)


def test_report_is_json_ready(run: Callable[[str], ScanReport]) -> None:
    report = run("Firebase collects IP addresses; transfers to the U.S. use SCCs.")
    plain = json.loads(json.dumps(report.to_dict()))
    assert plain["vendors"][0]["slug"] == "firebase"
    assert plain["vendors"][0]["evidence"].startswith("Firebase collects")
    assert plain["language"]["code"] == "en"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("We collect your personal data and we share it with our partners.", "en"),
        ("Zbieramy Twoje dane osobowe i udostępniamy je naszym partnerom.", "pl"),
        ("Wir erheben Ihre personenbezogenen Daten und geben sie an Partner weiter.", "de"),
        ("我们收集您的个人信息，并与合作伙伴共享。", "zh"),
        ("", "und"),
    ],
)
def test_language(text: str, code: str, lexicon: Lexicon) -> None:
    assert detect_language(text, lexicon).code == code


def test_a_platform_company_named_bare_resolves_to_the_cued_product_else_itself(
    make_vendor: Callable[..., VendorRecord], lexicon: Lexicon
) -> None:
    google = ("Google LLC", "US")
    matcher = compile_matcher(
        [
            make_vendor("google", "Google", category="app_platform", entities=(google,)),
            make_vendor(
                "google-sign-in", "Google Sign-In", category="social_sdk", entities=(google,)
            ),
            make_vendor("google-analytics", "Google Analytics", entities=(google,)),
        ]
    )

    def found(text: str) -> set[str]:
        return {h.slug for h in scan(text, matcher, lexicon).vendors}

    assert found("You can log in with your Google account.") == {"google-sign-in"}
    assert found("We share your app usage with Google for our store listing.") == {"google"}
    assert found("We use Google Analytics. For more, read the privacy policy of Google.") == {
        "google-analytics"
    }
