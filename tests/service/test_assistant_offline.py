"""The offline assistant on the shipped catalog: 50 questions, the right records cited.

Every expectation is checked against the registry itself (the cited vendors satisfy the
question's filter, a fact in the answer is the record's value, every cited rule exists in
the rule files with the same legal citation), so the set keeps testing the assistant, not
today's catalog, as the catalog grows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlmodel import col

from assessments.documents.vocabulary import country
from service import create_app
from service.assistant.interfaces import Answer, AskContext, Asker
from service.assistant.offline.assistant import OfflineAssistant
from service.assistant.tools.base import tool_context
from service.assistant.tools.reviews import list_reviews
from service.auth.services import create_user
from service.db import session_scope
from service.reviews import services as reviews
from service.transfers.services import get_rulebook, today
from service.vendors.models import Vendor
from tests.helpers import fresh_database_url

EEA = {
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
}


@pytest.fixture(scope="module")
def registry_app(
    database_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One app with the shipped catalog and three reviews, shared by the question set."""
    tmp = tmp_path_factory.mktemp("assistant")
    url = fresh_database_url(database_template, tmp)
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "DATA_DIR": tmp,
            "SECRET_KEY": "test",
            "AUTO_MIGRATE": False,
            "LOAD_CATALOG": True,
        }
    )
    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="buyer@example.test", role="procurement")
        # Separate exporters, so that no review's PRC head-count adds to another's.
        for vendor, count, status, exporter in (
            ("firebase", 2_000_000, "submitted", "Ningbo Jus Internet Technology"),
            ("google-analytics", 500_000, "draft", "Shanghai Example Retail"),
            ("mailchimp", 3_000_000, "submitted", "Hangzhou Example Games"),
        ):
            view = reviews.create_review(
                session=session,
                user=user,
                rulebook=get_rulebook(),
                day=today(),
                data={
                    "vendor": vendor,
                    "purpose": f"Analytics with {vendor}",
                    "status": status,
                    "transfer": {
                        "exporter": {
                            "name": exporter,
                            "country": "CN",
                            "ciio": False,
                            "cn_processing_volume": count,
                        },
                        "data_subjects": [{"jurisdiction": "CN", "count": count}],
                        "data_categories": ["identifiers.device"],
                        "purposes": ["analytics"],
                        "important_data": False,
                    },
                },
            )
            if vendor == "mailchimp":  # filed, then withdrawn: not open
                reviews.update_review(
                    session=session,
                    review=view.review,
                    changes={"status": "closed"},
                    user=user,
                    rulebook=get_rulebook(),
                    day=today(),
                )
    yield app
    app.extensions["xborder.engine"].dispose()


def ask(app: Flask, question: str, role: str = "legal") -> Answer:
    """The offline answer to a question, asked by a user of the role."""
    with app.app_context(), session_scope() as session:
        return OfflineAssistant().answer(question, AskContext(session, Asker("q@x.test", role)))


def vendor(app: Flask, slug: str) -> Vendor:
    with app.app_context(), session_scope() as session:
        found: Vendor = session.execute(select(Vendor).where(col(Vendor.slug) == slug)).scalar_one()
        session.expunge(found)
        return found


def cited(answer: Answer, kind: str) -> list[str]:
    return [c.id for c in answer.citations if c.kind == kind]


# ---------------------------------------------------------------------------- checks


def fact_matches(
    slug: str, check: Callable[[Vendor, str], bool]
) -> Callable[[Flask, Answer], None]:
    """The answer states the vendor record's value (whatever the catalog says today)."""

    def run(app: Flask, answer: Answer) -> None:
        record = vendor(app, slug)
        assert check(record, answer.text), answer.text

    return run


def dpf_stated(v: Vendor, answer: str) -> bool:
    expected = {True: "Yes.", False: "No.", None: "does not know"}[v.dpf_certified]
    return expected in answer


def processing_stated(v: Vendor, answer: str) -> bool:
    """The record's processing countries, or that it records none, in the answer's language."""
    if re.search(r"[\u4e00-\u9fff]{4}", answer):
        if not v.processing_countries:
            return f"没有记录 **{v.name}** 在哪里处理数据" in answer
        return all(country(c, "zh") in answer for c in v.processing_countries)
    if not v.processing_countries:
        return "does not record where" in answer
    return "processes data in" in answer


def hq_stated(v: Vendor, answer: str) -> bool:
    """The record's HQ country, named in Chinese (the question was Chinese)."""
    return v.hq_country is not None and f"总部位于{country(v.hq_country, 'zh')}" in answer


def status_stated(v: Vendor, answer: str) -> bool:
    return v.status.replace("_", " ") in answer and (v.status_note or "")[:40] in answer


def every_listed(predicate: Callable[[Vendor], bool]) -> Callable[[Flask, Answer], None]:
    """Every vendor the list cites satisfies the question's filter."""

    def run(app: Flask, answer: Answer) -> None:
        slugs = cited(answer, "vendor")
        assert slugs, answer.text
        for slug in slugs:
            assert predicate(vendor(app, slug)), slug

    return run


def rules_are_real(regime: str | None = None) -> Callable[[Flask, Answer], None]:
    """Every cited rule exists in the rule files with the same legal citation."""

    def run(app: Flask, answer: Answer) -> None:
        with app.app_context():
            known = {rule.id: rule for rule in get_rulebook().rules.all_rules()}
        rules = [c for c in answer.citations if c.kind == "rule"]
        assert rules, answer.text
        for rule in rules:
            assert rule.id in known, rule.id
            assert rule.citation, rule.id
        if regime:
            assert any(r.id.startswith(f"{regime}-") for r in rules), [r.id for r in rules]

    return run


def count_stated(app: Flask, answer: Answer) -> None:
    with app.app_context(), session_scope() as session:
        total = session.execute(
            select(func.count())
            .select_from(Vendor)
            .where(col(Vendor.hq_country) == "RU", col(Vendor.archived).is_(False))
        ).scalar_one()
    assert f"**{total}**" in answer.text


def dpf_total_stated(app: Flask, answer: Answer) -> None:
    """The list's total is the registry's count of DPF participants (the list shows a page)."""
    with app.app_context(), session_scope() as session:
        total = session.execute(
            select(func.count())
            .select_from(Vendor)
            .where(col(Vendor.dpf_certified).is_(True), col(Vendor.archived).is_(False))
        ).scalar_one()
    assert f"The registry has {total} vendors" in answer.text, answer.text


def sdk_kind(v: Vendor) -> bool:
    return v.product_type == "sdk" or (v.category or "").endswith("_sdk")


@dataclass(frozen=True)
class Case:
    """A question, what it is, the records it must cite, and further checks."""

    question: str
    intent: str
    vendors: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    checks: tuple[Callable[[Flask, Answer], None], ...] = ()
    no_citations: bool = False
    reviews: tuple[str, ...] = field(default=())  # vendor slugs of the cited reviews


CASES = [
    # -- one vendor's facts
    Case(
        "Where does Umeng process data?",
        "vendor_fact",
        ("umeng",),
        checks=(fact_matches("umeng", processing_stated),),
    ),
    Case(
        "Is Firebase in the Data Privacy Framework?",
        "vendor_fact",
        ("firebase",),
        checks=(fact_matches("firebase", dpf_stated),),
    ),
    Case(
        "What happened to MoPub?",
        "vendor_fact",
        ("mopub",),
        checks=(fact_matches("mopub", status_stated),),
    ),
    Case("Where is YooMoney headquartered?", "vendor_fact", ("yoomoney",), ("headquartered in",)),
    Case("What data does AdMob receive?", "vendor_fact", ("google-admob",), ("receives",)),
    Case(
        "Is QIWI still active?",
        "vendor_fact",
        ("qiwi",),
        checks=(fact_matches("qiwi", status_stated),),
    ),
    Case("Who operates MobTech?", "vendor_fact", ("mobtech",), ("Legal entities on record",)),
    Case("Does Stripe offer SCCs?", "vendor_fact", ("stripe",), ("Transfer mechanisms",)),
    Case(
        "What certifications does Stripe have?",
        "vendor_fact",
        ("stripe",),
        ("Certifications on record",),
    ),
    Case("Tell me about Alipay", "vendor_fact", ("alipay",), ("Headquarters:",)),
    Case(
        "Is Tencent Bugly in the DPF?",
        "vendor_fact",
        ("tencent-bugly",),
        checks=(fact_matches("tencent-bugly", dpf_stated),),
    ),
    Case(
        "What is the status of WebMoney?",
        "vendor_fact",
        ("webmoney",),
        checks=(fact_matches("webmoney", status_stated),),
    ),
    Case("Where is Facebook Audience Network based?", "vendor_fact", ("meta-audience-network",)),
    Case("What does Google Analytics collect?", "vendor_fact", ("google-analytics",)),
    Case(
        "Is Unity Ads a covered person under the DOJ rule?",
        "vendor_fact",
        ("unity-ads",),
        ("covered person",),
    ),
    Case("Where is Mailchimp based?", "vendor_fact", ("mailchimp",)),
    # -- old names, Chinese names, misspellings
    Case(
        "Where does Yandex Money process data?",
        "vendor_fact",
        ("yoomoney",),
        checks=(fact_matches("yoomoney", processing_stated),),
    ),
    Case(
        "友盟在哪里处理数据?",
        "vendor_fact",
        ("umeng",),
        checks=(fact_matches("umeng", processing_stated),),
    ),
    Case(
        "友盟+的总部在哪里?", "vendor_fact", ("umeng",), checks=(fact_matches("umeng", hq_stated),)
    ),
    Case("Where does Umneg process data?", "vendor_fact", ("umeng",), ("I read “Umneg”",)),
    Case(
        "Is Firebse DPF certified?",
        "vendor_fact",
        ("firebase",),
        checks=(fact_matches("firebase", dpf_stated),),
    ),
    Case(
        "Is Strpe in the DPF?",
        "vendor_fact",
        ("stripe",),
        checks=(fact_matches("stripe", dpf_stated),),
    ),
    Case("What happened to mopub?", "vendor_fact", ("mopub",)),
    # -- vendors the registry does not know: say so, cite nothing, never guess
    Case(
        "Where does Foobarly process data?",
        "vendor_fact",
        (),
        ("no vendor called “Foobarly”", "POST /api/v1/vendors"),
        no_citations=True,
    ),
    Case(
        "Is Acme Analytics in the DPF?", "vendor_fact", (), ("no vendor called",), no_citations=True
    ),
    Case(
        "Can we use Zyxwvut Cloud for EU users?",
        "transfer",
        (),
        ("no vendor called",),
        no_citations=True,
    ),
    Case(
        "Where is Quuxly Push based?",
        "vendor_fact",
        (),
        ("no vendor called “Quuxly Push”",),
        no_citations=True,
    ),
    # -- lists
    Case(  # the whole list outgrew one page (25); the analytics SDKs fit on one
        "Which analytics SDKs are headquartered in China?",
        "vendor_list",
        ("umeng",),
        checks=(every_listed(lambda v: v.hq_country == "CN" and sdk_kind(v)),),
    ),
    Case(
        "Which payment processors are based in Russia?",
        "vendor_list",
        ("yoomoney",),
        checks=(
            every_listed(lambda v: v.hq_country == "RU" and v.category == "payment_processor"),
        ),
    ),
    Case(
        "Which vendors receive precise location?",
        "vendor_list",
        ("amap",),
        checks=(every_listed(lambda v: "location.precise" in v.data_categories),),
    ),
    Case(
        "Which push SDKs are based in China?",
        "vendor_list",
        ("jpush",),
        checks=(every_listed(lambda v: v.category == "push_sdk" and v.hq_country == "CN"),),
    ),
    Case(
        "Which vendors are sunset?",
        "vendor_list",
        ("mopub",),
        checks=(every_listed(lambda v: v.status == "sunset"),),
    ),
    Case(
        "Which vendors had their licence revoked?",
        "vendor_list",
        ("qiwi",),
        checks=(every_listed(lambda v: v.status == "licence_revoked"),),
    ),
    Case(
        "How many vendors are headquartered in Russia?",
        "vendor_list",
        ("yoomoney",),
        checks=(count_stated,),
    ),
    Case(
        "Which email providers are based in the EU?",
        "vendor_list",
        (),
        checks=(every_listed(lambda v: v.category == "email_marketing" and v.hq_country in EEA),),
    ),
    Case(
        "Which vendors participate in the DPF?",
        "vendor_list",
        (),
        checks=(every_listed(lambda v: v.dpf_certified is True), dpf_total_stated),
    ),
    Case(
        "Which ad networks are headquartered in China?",
        "vendor_list",
        (),
        checks=(every_listed(lambda v: v.category == "ads_sdk" and v.hq_country == "CN"),),
    ),
    Case(
        "Which Chinese SDKs receive precise location?",
        "vendor_list",
        ("amap",),
        checks=(
            every_listed(
                lambda v: v.hq_country == "CN" and "location.precise" in v.data_categories
            ),
        ),
    ),
    Case(
        "Which SDKs receive device IDs?",
        "vendor_list",
        (),
        checks=(every_listed(lambda v: "identifiers.device" in v.data_categories and sdk_kind(v)),),
    ),
    # -- what a transfer needs: the engine, its rules, the assumptions
    Case(
        "What do we need to send 2 million Chinese users' device IDs to Firebase?",
        "transfer",
        ("firebase",),
        ("CAC security assessment", "2,000,000 people in China", "Assumptions"),
        checks=(rules_are_real("CN"),),
    ),
    Case(
        "Can we use Umeng for EU users?",
        "transfer",
        ("umeng",),
        # Issue 13: Umeng needs the identifiers in clear text in China (EDPB Use Case 6).
        (
            "Do not transfer",
            "what the registry records Umeng+ receiving",
            "head-count is not stated",
        ),
        checks=(rules_are_real("EU"),),
    ),
    Case(
        "Can we send 500,000 EU customers' email addresses to Mailchimp for marketing?",
        "transfer",
        ("mailchimp",),
        ("500,000 people in the EU/EEA",),
        checks=(rules_are_real("EU"),),
    ),
    Case(
        "Can we share precise location of 50,000 US users with AMap?",
        "transfer",
        ("amap",),
        ("CISA",),
        checks=(rules_are_real("US"),),
    ),
    # The registry records no data for MoPub (no source states it), so the answer asks for it,
    # but says first that MoPub is sunset.
    Case(
        "Can we use MoPub for EU users?",
        "transfer",
        ("mopub",),
        ("**Warning:**", "sunset", "which personal data"),
    ),
    Case(
        "Can we send device IDs of EU users to MoPub?",
        "transfer",
        ("mopub",),
        ("**Warning:**", "sunset"),
        checks=(rules_are_real("EU"),),
    ),
    Case(
        "Can we send HR data from Germany to our Shanghai office?",
        "transfer",
        (),
        ("our entity in China", "employment data"),
        checks=(rules_are_real("EU"),),
    ),
    Case(
        "What do we need before sending HR data to our Shanghai office?",
        "transfer",
        (),
        ("I have to know", "where we (the sender) are established"),
        no_citations=True,
    ),
    Case(
        "We already signed SCCs with Umeng: can we send device IDs of 20,000 EU users to it?",
        "transfer",
        ("umeng",),
        # Signed SCCs do not help where destination law defeats every measure (issue 13).
        ("prohibited", "EU-TIA-DEFEATED", "Which SCCs are signed"),
        checks=(rules_are_real("EU"),),
    ),
    # -- the company's reviews
    Case(
        "Which open reviews need a CAC security assessment?",
        "reviews",
        (),
        ("1 open review ",),
        reviews=("firebase",),
    ),
    Case(
        "Which reviews need a China standard contract?",
        "reviews",
        (),
        reviews=("google-analytics",),
    ),
    Case("Which reviews of Firebase are open?", "reviews", (), reviews=("firebase",)),
    # -- anything else
    Case("hello", "help", (), ("Which SDKs are headquartered in China?",), no_citations=True),
]


def test_the_set_covers_every_question_type() -> None:
    assert len(CASES) >= 40
    assert {c.intent for c in CASES} == {
        "vendor_fact",
        "vendor_list",
        "transfer",
        "reviews",
        "help",
    }


@pytest.mark.parametrize("case", CASES, ids=[c.question for c in CASES])
def test_offline_answers_cite_the_right_records(registry_app: Flask, case: Case) -> None:
    answer = ask(registry_app, case.question)
    assert answer.backend == "offline"
    assert answer.intent == case.intent, answer.text
    for slug in case.vendors:
        assert slug in cited(answer, "vendor"), (slug, answer.text)
    for phrase in case.says:
        assert phrase in answer.text, (phrase, answer.text)
    if case.no_citations:
        assert answer.citations == (), answer.citations
    if case.reviews:
        review_vendors = [c.title for c in answer.citations if c.kind == "review"]
        assert len(review_vendors) == len(case.reviews), answer.text
        for slug, title in zip(case.reviews, review_vendors, strict=True):
            assert vendor(registry_app, slug).name in title
    for check in case.checks:
        check(registry_app, answer)


def test_answers_never_name_vendors_they_do_not_cite(registry_app: Flask) -> None:
    answer = ask(registry_app, "Which analytics SDKs are headquartered in China?")
    for citation in answer.citations:
        assert f"`{citation.id}`" in answer.text
    assert "Umeng+" in answer.text


def test_a_review_matching_in_several_regimes_counts_once(registry_app: Flask) -> None:
    # Firebase's review has PRC subjects only: not applicable under both the EU and US law.
    with registry_app.app_context(), session_scope() as session:
        ctx = tool_context(session, Asker("q@x.test", "legal"), today())
        result = list_reviews(ctx, {"verdict": "not_applicable", "vendor": "firebase"})
    [review] = result.data["reviews"]
    regimes = review["regimes"]
    assert regimes["EU"]["verdict"] == regimes["US"]["verdict"] == "not_applicable"
    assert result.data["total"] == 1


def test_vendor_answers_carry_the_sanctions_mark(registry_app: Flask) -> None:
    with registry_app.app_context(), session_scope() as session:
        marked = [v for v in session.execute(select(Vendor)).scalars() if v.sanctions]
        names = {v.slug: (v.name, v.sanctions[0]["party"]) for v in marked}
    assert names, "the shipped catalog records sanctioned vendors (issue 12 §3)"
    for slug, (name, party) in sorted(names.items())[:3]:
        answer = ask(registry_app, f"Where is {name} headquartered?")
        assert slug in cited(answer, "vendor"), answer.text
        assert "**Sanctions:**" in answer.text and party in answer.text, answer.text
    clean = ask(registry_app, "Where is Mailchimp headquartered?")
    assert "Sanctions" not in clean.text
