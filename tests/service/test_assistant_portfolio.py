"""The assistant on "our" portfolio and in Chinese: answers checked against the records and the
engine, not against fixed strings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from assessments.documents._data import labels
from assessments.documents.translations import translated_question
from service.activities import services as activities
from service.assistant.interfaces import Answer, AskContext, Asker, Turn
from service.assistant.lexicon import arabic_numbers, words_of
from service.assistant.offline.assistant import OfflineAssistant
from service.auth.services import create_user
from service.db import session_scope
from service.reviews.models import OPEN_STATUSES, Review
from service.transfers.services import evaluate_transfer, get_rulebook, today
from service.vendors.models import Vendor
from tests.service.test_assistant_offline import registry_app as _catalog_app  # noqa: F401

JUS = {"name": "Ningbo Jus Internet Technology", "country": "CN"}


@pytest.fixture(scope="module")
def portfolio_app(_catalog_app: Flask) -> Iterator[Flask]:  # noqa: F811
    """The shipped catalog, the offline suite's reviews (firebase, google-analytics open;
    mailchimp closed) and an activity using Umeng and Stripe."""
    with _catalog_app.app_context(), session_scope() as session:
        user = create_user(session=session, email="ann@example.test", role="procurement")
        activities.create_activity(
            session=session,
            user=user,
            rulebook=get_rulebook(),
            day=today(),
            data={
                "name": "JusTalk app",
                "facts": {
                    "exporter": JUS,
                    "data_subjects": [
                        {"jurisdiction": "CN", "count": 300_000},
                        {"jurisdiction": "EU", "count": 50_000},
                    ],
                    "data_categories": ["identifiers.device"],
                    "purposes": ["analytics"],
                },
                "vendors": [{"vendor": "umeng"}, {"vendor": "stripe"}],
            },
        )
    yield _catalog_app


def ask(app: Flask, question: str, history: tuple[tuple[str, str], ...] = ()) -> Answer:
    with app.app_context(), session_scope() as session:
        turns = tuple(Turn(role, content) for role, content in history)  # type: ignore[arg-type]
        context = AskContext(session, Asker("q@x.test", "legal"), history=turns)
        return OfflineAssistant().answer(question, context)


def ours(app: Flask) -> dict[str, Vendor]:
    """The vendors with an open review, from the records."""
    with app.app_context(), session_scope() as session:
        found = (
            session.execute(
                select(Vendor)
                .join(Review, col(Review.vendor_id) == col(Vendor.id))
                .where(col(Review.status).in_(OPEN_STATUSES))
            )
            .scalars()
            .all()
        )
        for v in found:
            session.expunge(v)
    return {v.slug: v for v in found}


def vendors_cited(answer: Answer) -> set[str]:
    return {c.id for c in answer.citations if c.kind == "vendor"}


@pytest.mark.parametrize(
    ("question", "hq"),
    [
        ("Which of our vendors are in China?", "CN"),
        ("Which of our vendors are headquartered in the United States?", "US"),
        ("Which vendors do we use that are based in China?", "CN"),
        ("我们的供应商中哪些在中国？", "CN"),
        ("我们使用的供应商哪些总部在美国？", "US"),
    ],
)
def test_our_vendors_are_the_portfolio_not_the_catalog(
    portfolio_app: Flask, question: str, hq: str
) -> None:
    answer = ask(portfolio_app, question)
    expected = {s for s, v in ours(portfolio_app).items() if v.hq_country == hq}
    assert expected, "the fixture has such a vendor"
    assert vendors_cited(answer) == expected, answer.text


@pytest.mark.parametrize(
    "question", ["Which SDKs are headquartered in China?", "哪些SDK的总部在中国？"]
)
def test_market_questions_still_search_the_catalog(portfolio_app: Flask, question: str) -> None:
    answer = ask(portfolio_app, question)
    cited = vendors_cited(answer)
    assert len(cited) > len(ours(portfolio_app)), answer.text
    assert cited - set(ours(portfolio_app)), "vendors we do not use are listed too"


def _engine_rules(app: Flask, transfer: dict[str, object]) -> set[str]:
    with app.app_context(), session_scope() as session:
        result = evaluate_transfer(
            session=session, data=transfer, rulebook=get_rulebook(), day=today()
        )
    return {r["id"] for regime in result.evaluation["regimes"].values() for r in regime["rules"]}


@pytest.mark.parametrize(
    "question",
    [
        "向Firebase发送200万中国用户的设备ID需要什么？",
        "向Firebase发送两百万中国用户的设备ID需要什么？",
        "What do we need to send 2 million Chinese users' device IDs to Firebase?",
    ],
)
def test_chinese_transfer_questions_run_the_engine(portfolio_app: Flask, question: str) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "transfer", answer.text
    assert "firebase" in vendors_cited(answer)
    fired = _engine_rules(
        portfolio_app,
        {
            "exporter": {"country": "CN"},
            "importer": {"vendor": "firebase"},
            "data_subjects": [{"jurisdiction": "CN", "count": 2_000_000}],
            "data_categories": ["identifiers.device"],
        },
    )
    cited_rules = {c.id for c in answer.citations if c.kind == "rule"}
    assert cited_rules
    # The CN rules the engine fires for 2,000,000 people are the ones the answer cites.
    assert {r for r in fired if r.startswith("cn")} <= cited_rules, (fired, cited_rules)


def test_chinese_and_english_questions_cite_the_same_records(portfolio_app: Flask) -> None:
    zh = ask(portfolio_app, "向Firebase发送两百万中国用户的设备ID需要什么？")
    en = ask(
        portfolio_app, "What do we need to send 2 million Chinese users' device IDs to Firebase?"
    )
    assert set(zh.citations) == set(en.citations)


def test_umeng_for_eu_users_in_chinese_is_a_transfer_question(portfolio_app: Flask) -> None:
    answer = ask(portfolio_app, "友盟可以用于欧盟用户吗？")
    assert answer.intent == "transfer", answer.text
    english = ask(portfolio_app, "Can we use Umeng for EU users?")
    assert set(answer.citations) == set(english.citations)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("两百万", "2000000"),
        ("二十万", "200000"),
        ("一千五百万", "15000000"),
        ("三千", "3000"),
        ("五万", "50000"),
        ("一亿", "100000000"),
        ("百度", "百度"),
        ("千万不要", "千万不要"),
        ("200万", "200万"),
    ],
)
def test_chinese_numerals(text: str, value: str) -> None:
    assert arabic_numbers(text) == value


def test_a_latin_name_inside_chinese_is_a_word() -> None:
    words = [w.surface for w in words_of("向Firebase发送200万")]
    assert words == ["向", "Firebase", "发送", "200", "万"]


def _engine(app: Flask, transfer: dict[str, object]) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        result = evaluate_transfer(
            session=session, data=transfer, rulebook=get_rulebook(), day=today()
        )
    return dict(result.evaluation)


@pytest.mark.parametrize(
    ("question", "transfer"),
    [
        (
            "向Firebase发送两百万中国用户的设备ID需要什么？",
            {
                "exporter": {"country": "CN", "role": "controller"},
                "importer": {"vendor": "firebase"},
                "data_subjects": [{"jurisdiction": "CN", "count": 2_000_000}],
                "data_categories": ["identifiers.device"],
            },
        ),
        (
            "向Firebase发送五万中国用户的设备ID需要什么？",
            {
                "exporter": {"country": "CN", "role": "controller"},
                "importer": {"vendor": "firebase"},
                "data_subjects": [{"jurisdiction": "CN", "count": 50_000}],
                "data_categories": ["identifiers.device"],
            },
        ),
    ],
)
def test_chinese_questions_get_chinese_answers_with_the_engines_verdicts(
    portfolio_app: Flask, question: str, transfer: dict[str, Any]
) -> None:
    answer = ask(portfolio_app, question)
    evaluation = _engine(portfolio_app, transfer)
    words = labels("zh")
    for code, result in evaluation["regimes"].items():
        assert words["regime_names"][code] in answer.text
        if result["applies"]:
            assert words["verdict_values"][result["verdict"]] in answer.text, answer.text
    assert words["level_values"][evaluation["overall"]["level"]] in answer.text
    # Chinese prose: no English sentence outside names, ids and citations.
    quoted = r"\([^)]*\)|（[^）]*）|`[^`]*`|\*\*[^*]*\*\*|[a-z_]+\.[a-z_.]+|[a-z]+_[a-z_]+"
    prose = re.sub(quoted, "", answer.text)
    assert not re.search(r"\b(the|and|of|is|are|to)\b [a-z]+ [a-z]+", prose), prose


def _cn_verdict(app: Flask, count: int, subjects: str = "CN", exporter: str = "CN") -> str:
    evaluation = _engine(
        app,
        {
            "exporter": {"country": exporter, "role": "controller"},
            "importer": {"vendor": "firebase"},
            "data_subjects": [{"jurisdiction": subjects, "count": count}],
            "data_categories": ["identifiers.device"],
        },
    )
    return str(evaluation["regimes"]["CN"]["verdict"])


@pytest.mark.parametrize(
    ("first", "then", "count"),
    [
        (
            "What do we need to send 2 million Chinese users' device IDs to Firebase?",
            "And for 50,000 users?",
            50_000,
        ),
        ("向Firebase发送两百万中国用户的设备ID需要什么？", "那五万用户呢？", 50_000),
        (
            "What do we need to send 50,000 Chinese users' device IDs to Firebase?",
            "what about 3 million users?",
            3_000_000,
        ),
    ],
)
def test_follow_ups_keep_the_vendor_and_change_the_number(
    portfolio_app: Flask, first: str, then: str, count: int
) -> None:
    answer = ask(portfolio_app, then, history=(("user", first), ("assistant", "...")))
    assert answer.intent == "transfer", answer.text
    assert "firebase" in vendors_cited(answer)
    assert f"{count:,}" in answer.text
    direct = ask(
        portfolio_app,
        f"What do we need to send {count:,} Chinese users' device IDs to Firebase?",
    )
    assert set(answer.citations) == set(direct.citations)


def test_a_follow_up_about_the_eu_keeps_the_sender_and_the_number(portfolio_app: Flask) -> None:
    history = (
        ("user", "What do we need to send 2 million Chinese users' device IDs to Firebase?"),
        ("assistant", "..."),
        ("user", "And for 50,000 users?"),
        ("assistant", "..."),
    )
    answer = ask(portfolio_app, "What about the EU?", history=history)
    assert answer.intent == "transfer", answer.text
    assert "50,000" in answer.text and "EU/EEA" in answer.text
    # The sender stays in China: the engine's CN verdict for EU people sent from China.
    assert "from China" in answer.text
    verdict = _cn_verdict(portfolio_app, 50_000, subjects="EU", exporter="CN")
    assert labels("en")["verdict_values"][verdict] in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("友盟在哪里处理数据？", "umeng"),
        ("极光推送的总部在哪里？", "jpush"),
        ("个推的总部在哪里？", "getui"),
        ("高德地图在哪里处理数据？", "amap"),
        ("支付宝的总部在哪里？", "alipay"),
        ("百度地图在哪里处理数据？", "baidu-maps"),
        ("腾讯地图的总部在哪里？", "tencent-maps"),
    ],
)
def test_chinese_vendor_names_find_the_record(
    portfolio_app: Flask, question: str, slug: str
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "vendor_fact", answer.text
    assert vendors_cited(answer) == {slug}


@pytest.mark.parametrize(
    ("question", "slug", "count"),
    [
        ("向极光推送发送10万中国用户的设备ID需要什么？", "jpush", 100_000),
        ("向个推发送三百万中国用户的设备ID需要什么？", "getui", 3_000_000),
        ("把两万中国用户的设备ID发给Firebase需要什么？", "firebase", 20_000),
        ("向Mailchimp发送一百万中国用户的设备ID需要什么？", "mailchimp", 1_000_000),
    ],
)
def test_chinese_transfer_answers_follow_the_engine(
    portfolio_app: Flask, question: str, slug: str, count: int
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "transfer", answer.text
    assert f"{count:,}" in answer.text
    evaluation = _engine(
        portfolio_app,
        {
            "exporter": {"country": "CN", "role": "controller"},
            "importer": {"vendor": slug},
            "data_subjects": [{"jurisdiction": "CN", "count": count}],
            "data_categories": ["identifiers.device"],
        },
    )
    cn = evaluation["regimes"]["CN"]
    assert labels("zh")["verdict_values"][cn["verdict"]] in answer.text, answer.text
    cited_rules = {c.id for c in answer.citations if c.kind == "rule"}
    assert {r["id"] for r in cn["rules"]} <= cited_rules


@pytest.mark.parametrize(
    ("question", "country"),
    [
        ("Which of our vendors process data in the United States?", "US"),
        ("我们的供应商中哪些在美国处理数据？", "US"),
        ("Which of our vendors process data in China?", "CN"),
        ("我们的供应商中哪些在中国处理数据？", "CN"),
    ],
)
def test_our_vendors_by_processing_country(
    portfolio_app: Flask, question: str, country: str
) -> None:
    answer = ask(portfolio_app, question)
    portfolio = ours(portfolio_app)
    expected = {s for s, v in portfolio.items() if country in (v.processing_countries or [])}
    assert vendors_cited(answer) == expected, answer.text


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("Which of our vendors receive device identifiers?", "identifiers.device"),
        ("Which of our vendors receive precise location?", "location.precise"),
        ("我们的供应商中哪些接收设备ID？", "identifiers.device"),
        ("我们的供应商中哪些接收精确位置？", "location.precise"),
    ],
)
def test_our_vendors_by_data_category(portfolio_app: Flask, question: str, category: str) -> None:
    answer = ask(portfolio_app, question)
    expected = {s for s, v in ours(portfolio_app).items() if category in (v.data_categories or [])}
    assert vendors_cited(answer) == expected, answer.text


@pytest.mark.parametrize(
    ("history", "then", "count", "where"),
    [
        (("Can we use Umeng for EU users?",), "And for 2 million users?", 2_000_000, "EU/EEA"),
        (("向Firebase发送两百万中国用户的设备ID需要什么？",), "那欧盟用户呢？", 2_000_000, "欧盟"),
        (
            (
                "What do we need to send 2 million Chinese users' device IDs to Firebase?",
                "And for 50,000 users?",
            ),
            "And for 80,000 users?",
            80_000,
            "China",
        ),
        (
            ("What do we need to send 2 million Chinese users' device IDs to Firebase?",),
            "what about 300,000 users?",
            300_000,
            "China",
        ),
    ],
)
def test_follow_up_chains(
    portfolio_app: Flask, history: tuple[str, ...], then: str, count: int, where: str
) -> None:
    turns = tuple(t for q in history for t in (("user", q), ("assistant", "...")))
    answer = ask(portfolio_app, then, history=turns)
    assert answer.intent == "transfer", answer.text
    assert f"{count:,}" in answer.text and where in answer.text, answer.text


@pytest.mark.parametrize(
    "question", ["What is still unknown in our reviews?", "我们的审查中还有哪些未知？"]
)
def test_what_is_still_unknown_lists_open_reviews_with_the_engines_questions(
    portfolio_app: Flask, question: str
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "reviews", answer.text
    with portfolio_app.app_context(), session_scope() as session:
        rows = (
            session.execute(select(Review).where(col(Review.status).in_(OPEN_STATUSES)))
            .scalars()
            .all()
        )
        expected = {
            r.id
            for r in rows
            if any(res.get("questions") for res in (r.evaluation or {}).get("regimes", {}).values())
        }
        first = next(r for r in rows if r.id in expected) if expected else None
        one_question = (
            next(
                q
                for res in first.evaluation["regimes"].values()
                for q in res.get("questions") or []
            )
            if first is not None
            else None
        )
    cited = {int(c.id) for c in answer.citations if c.kind == "review"}
    assert cited == expected, answer.text
    if one_question is not None:
        zh = re.search(r"[\u4e00-\u9fff]", question) is not None
        assert (translated_question(one_question, "zh") if zh else one_question) in answer.text


@pytest.mark.parametrize(
    "question",
    ["我们的供应商中哪些在中国？", "哪些SDK的总部在中国？", "我们的供应商中哪些在美国处理数据？"],
)
def test_chinese_list_questions_are_answered_in_chinese(
    portfolio_app: Flask, question: str
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "vendor_list"
    english = re.sub(
        r"\*\*[^*]*\*\*|`[^`]*`|\([^)]*\)|（[^）]*）|[A-Z][A-Za-z]*|/api/v1/\S+", "", answer.text
    )
    assert not re.search(r"\b[a-z]{3,}\s+[a-z]{3,}\b", english), answer.text
    for citation in answer.citations:
        assert citation.title.split(" (")[0] in answer.text or citation.id in answer.text
