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

from assessments.documents import vocabulary
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
        ("我们哪些供应商在中国？", "CN"),
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


# ---------------------------------------------------------------------------- Chinese both ways
# Vendor facts, review lists and unknown names asked in Chinese are answered in Chinese, with
# the record's values named by the documents' Chinese labels (assessments/documents/vocabulary).


def record(app: Flask, slug: str) -> Vendor:
    with app.app_context(), session_scope() as session:
        found = session.execute(select(Vendor).where(col(Vendor.slug) == slug)).scalar_one()
        session.expunge(found)
    return found


def chinese_prose(text: str) -> str:
    """The answer without names, ids, quotations, code and URLs: what is left is its prose."""
    quoted = (
        r"\*\*[^*]*\*\*|`[^`]*`|“[^”]*”|\([^)]*\)|（[^）]*）|/api/v1/\S+|[a-z]+(?:[._][a-z]+)+"
        r"|[A-Z][\w.&+-]*(?: [A-Z][\w.&+-]*)*"
    )
    return re.sub(quoted, "", text)


def assert_chinese(text: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]{4}", text), text
    assert not re.search(r"\b[a-z]{3,}\s+[a-z]{3,}\b", chinese_prose(text)), text


def _zh(kind: str, code: str) -> str:
    return vocabulary.label(kind, code, "zh")


def _overview(v: Vendor, text: str) -> None:
    assert v.hq_country and vocabulary.country(v.hq_country, "zh") in text
    assert v.category and _zh("vendor_categories", v.category) in text
    for category in v.data_categories:
        assert _zh("data_categories", category) in text
    assert _zh("vendor_statuses", v.status) in text


def _processing(v: Vendor, text: str) -> None:
    if v.processing_countries:
        for code in v.processing_countries:
            assert vocabulary.country(code, "zh") in text
    else:
        assert f"没有记录 **{v.name}** 在哪里处理数据" in text
        assert v.hq_country and vocabulary.country(v.hq_country, "zh") in text


def _dpf(v: Vendor, text: str) -> None:
    expected = {True: "是。", False: "否。", None: "不知道"}[v.dpf_certified]
    assert expected in text


def _status(v: Vendor, text: str) -> None:
    assert _zh("vendor_statuses", v.status) in text
    if v.status_since:
        assert v.status_since.isoformat() in text
    if v.status_note:
        assert v.status_note[:40] in text  # the record's note, quoted as written


def _data(v: Vendor, text: str) -> None:
    assert v.data_categories
    for category in v.data_categories:
        assert _zh("data_categories", category) in text and category in text


def _mechanisms(v: Vendor, text: str) -> None:
    assert v.transfer_mechanisms
    for mechanism in v.transfer_mechanisms:
        assert _zh("vendor_mechanisms", mechanism) in text


def _parent(v: Vendor, text: str) -> None:
    assert v.parent and v.parent in text
    for entity in v.legal_entities:
        assert entity["name"] in text and _zh("entity_roles", entity["role"]) in text


def _hq(v: Vendor, text: str) -> None:
    assert v.hq_country and f"总部位于{vocabulary.country(v.hq_country, 'zh')}" in text


def _role(v: Vendor, text: str) -> None:
    assert v.default_role and f"**{_zh('roles', v.default_role)}**" in text
    assert "在哪里处理数据" not in text  # "受托处理者" asks about the role, not the place


@pytest.mark.parametrize(
    ("question", "slug", "check"),
    [
        ("友盟是哪家公司？", "umeng", _overview),
        ("Firebase 在哪里处理数据？", "firebase", _processing),
        ("Firebase参加了数据隐私框架吗？", "firebase", _dpf),
        ("MoPub现在的状态是什么？", "mopub", _status),
        ("友盟接收哪些数据？", "umeng", _data),
        ("Stripe提供哪些出境机制？", "stripe", _mechanisms),
        ("极光推送的母公司是谁？", "jpush", _parent),
        ("个推的总部在哪里？", "getui", _hq),
        ("阿里云是受托处理者吗？", "alibaba-cloud", _role),
    ],
)
def test_chinese_vendor_facts_are_answered_in_chinese_from_the_record(
    portfolio_app: Flask, question: str, slug: str, check: Any
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "vendor_fact", answer.text
    assert vendors_cited(answer) == {slug}
    check(record(portfolio_app, slug), answer.text)
    assert_chinese(answer.text)
    assert f"`{slug}`" in answer.text  # the source: the registry record


def _reviews(app: Flask, mechanisms: set[str]) -> set[int]:
    """The reviews whose result in some regime rests on one of the mechanisms."""
    with app.app_context(), session_scope() as session:
        rows = session.execute(select(Review)).scalars().all()
        return {
            int(r.id)
            for r in rows
            if r.id is not None and {r.cn_mechanism, r.eu_mechanism, r.us_mechanism} & mechanisms
        }


_SCC = {"eu_scc_c2c", "eu_scc_c2p", "eu_scc_p2p", "eu_scc_p2c"}


@pytest.mark.parametrize(
    ("question", "mechanisms"),
    [
        ("哪些审查需要向网信办申报？", {"cn_security_assessment"}),
        ("哪些审查需要网信办申报或备案？", {"cn_security_assessment", "cn_standard_contract"}),
        ("哪些审查需要个人信息出境标准合同？", {"cn_standard_contract"}),
        ("Which reviews need a CAC filing?", {"cn_security_assessment", "cn_standard_contract"}),
        (
            "Which reviews need a CAC filing or an SCC?",
            {"cn_security_assessment", "cn_standard_contract"} | _SCC,
        ),
    ],
)
def test_reviews_by_the_mechanism_they_need(
    portfolio_app: Flask, question: str, mechanisms: set[str]
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "reviews", answer.text
    expected = _reviews(portfolio_app, mechanisms)
    assert expected, "the fixture has such a review"
    cited = {int(c.id) for c in answer.citations if c.kind == "review"}
    assert cited == expected, answer.text
    assert f"{len(expected)} " in answer.text
    if re.search(r"[\u4e00-\u9fff]", question):
        assert_chinese(answer.text)
        words = labels("zh")
        with portfolio_app.app_context(), session_scope() as session:
            for review_id in expected:
                review = session.get(Review, review_id)
                assert review is not None
                assert (
                    f"**审查 {review_id}**（{_zh('review_statuses', review.status)}）"
                    in answer.text
                )
                assert words["verdict_values"][review.cn_verdict] in answer.text
                if review.cn_mechanism:
                    assert words["mechanism_values"][review.cn_mechanism] in answer.text


def test_open_reviews_needing_approval_in_china_asked_in_chinese(portfolio_app: Flask) -> None:
    answer = ask(portfolio_app, "哪些未关闭的审查在中国需经监管机构批准？")
    assert answer.intent == "reviews", answer.text
    with portfolio_app.app_context(), session_scope() as session:
        rows = session.execute(select(Review)).scalars().all()
        expected = {
            r.id for r in rows if r.status in OPEN_STATUSES and r.cn_verdict == "approval_required"
        }
    assert expected
    assert {int(c.id) for c in answer.citations if c.kind == "review"} == expected, answer.text
    assert_chinese(answer.text)


@pytest.mark.parametrize(
    ("question", "name", "language"),
    [
        ("向Foobarly发送200万中国用户的设备ID需要什么？", "Foobarly", "zh"),
        ("Foobarly在哪里处理数据？", "Foobarly", "zh"),
        ("小鹅通在哪里处理数据？", "小鹅通", "zh"),
        ("小鹅通是哪家公司？", "小鹅通", "zh"),
        ("向小鹅通发送两百万中国用户的设备ID需要什么？", "小鹅通", "zh"),
        ("向Acme Widgets发送5万欧盟用户的邮箱需要什么？", "Acme Widgets", "zh"),
        ("Is Foobarly DPF certified?", "Foobarly", "en"),
        ("Can we send device IDs of 20,000 EU users to Acme Widgets?", "Acme Widgets", "en"),
        ("Where does Foobarly Cloud process data?", "Foobarly Cloud", "en"),
    ],
)
def test_an_unknown_vendor_is_quoted_by_its_name_not_the_sentence(
    portfolio_app: Flask, question: str, name: str, language: str
) -> None:
    answer = ask(portfolio_app, question)
    assert f"“{name}”" in answer.text, answer.text
    quoted = re.findall(r"“([^”]*)”", answer.text)
    assert quoted[0] == name  # the name alone: never the question around it
    assert not any(c.kind in ("vendor", "rule") for c in answer.citations)  # nothing is guessed
    if language == "zh":
        assert_chinese(answer.text)
        assert "登记册中没有名为" in answer.text
    else:
        assert "The registry has no vendor called" in answer.text


def test_a_latin_vendor_inside_a_chinese_transfer_question_is_found(portfolio_app: Flask) -> None:
    """The issue's own example: Firebase is found, and the answer is the engine's, in Chinese."""
    answer = ask(portfolio_app, "向Firebase发送200万中国用户的设备ID需要什么？")
    assert answer.intent == "transfer" and "firebase" in vendors_cited(answer)
    assert "没有名为" not in answer.text and "2,000,000" in answer.text
    assert_chinese(answer.text)


def test_rule_citations_carry_the_whole_explanation(portfolio_app: Flask) -> None:
    """Source titles are shown whole: a rule's citation title is its full explanation as the
    engine wrote it, never cut at a sentence or a length."""
    answer = ask(portfolio_app, "向Firebase发送200万中国用户的设备ID需要什么？")
    evaluation = _engine(
        portfolio_app,
        {
            "exporter": {"country": "CN", "role": "controller"},
            "importer": {"vendor": "firebase"},
            "data_subjects": [{"jurisdiction": "CN", "count": 2_000_000}],
            "data_categories": ["identifiers.device"],
        },
    )
    explanations = {
        r["id"]: r["explanation"] for res in evaluation["regimes"].values() for r in res["rules"]
    }
    rules = [c for c in answer.citations if c.kind == "rule"]
    assert rules
    for citation in rules:
        assert citation.title == " ".join(explanations[citation.id].split())
        assert not citation.title.endswith("…")


@pytest.mark.parametrize(
    ("question", "category"),
    [
        ("哪些推送SDK在中国？", "push_sdk"),
        ("哪些广告SDK的总部在中国？", "ads_sdk"),
        ("Which push SDKs are headquartered in China?", "push_sdk"),
    ],
)
def test_a_kind_of_sdk_named_in_chinese_narrows_the_catalog_list(
    portfolio_app: Flask, question: str, category: str
) -> None:
    answer = ask(portfolio_app, question)
    assert answer.intent == "vendor_list", answer.text
    with portfolio_app.app_context(), session_scope() as session:
        expected = set(
            session.execute(
                select(Vendor.slug).where(
                    col(Vendor.category) == category,
                    col(Vendor.hq_country) == "CN",
                    col(Vendor.archived).is_(False),
                )
            ).scalars()
        )
    assert expected
    assert vendors_cited(answer) == expected, answer.text
    assert f"{len(expected)} " in answer.text


def test_a_chinese_question_the_assistant_cannot_place_gets_chinese_help(
    portfolio_app: Flask,
) -> None:
    answer = ask(portfolio_app, "你好，你能做什么？")
    assert answer.intent == "help" and answer.citations == ()
    assert_chinese(answer.text)
    # Every example it offers is a question it answers with records behind it.
    for example in re.findall(r"“([^”]+)”", answer.text):
        assert ask(portfolio_app, example).intent != "help", example
