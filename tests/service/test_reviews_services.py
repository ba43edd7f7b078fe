"""Review services below HTTP: merge patch, the engine's own head-count, replayable history."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from assessments.catalog.reference import default_reference
from assessments.transfers import parse_transfer
from service.auth.models import User
from service.auth.services import create_user
from service.db import session_scope
from service.reference.services import get_reference
from service.reviews import services
from service.reviews.models import ReviewEvaluation
from service.transfers.services import get_rulebook, own_cn_outbound
from service.vendors.services import create_vendor

DAY = date(2026, 11, 22)
JUS = {"name": "Ningbo Jus Internet Technology", "country": "CN"}


def transfer(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "as_of": DAY.isoformat(),
        "exporter": JUS,
        "importer": {"name": "Cloudy, Inc.", "country": "US"},
        "data_subjects": [{"jurisdiction": "CN", "count": 1_000}],
        "data_categories": ["contact"],
    }
    return {**base, **kw}


@pytest.mark.parametrize(
    ("target", "patch", "expected"),
    [
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": 9}}, {"a": 1, "b": {"c": 9, "d": 3}}),
        ({"a": 1, "b": 2}, {"b": None}, {"a": 1}),
        ({"a": [1, 2]}, {"a": [3]}, {"a": [3]}),
        ({"a": {"b": 1}}, {"a": 5}, {"a": 5}),
        ({}, {"a": {"b": None, "c": 1}}, {"a": {"c": 1}}),
    ],
)
def test_merge_patch_follows_rfc_7396(
    target: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert services.merge_patch(target, patch) == expected
    assert services.merge_patch(target, patch) is not target


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (transfer(), (1_000, 0)),
        (transfer(data_categories=["biometric"]), (0, 1_000)),
        (transfer(data_categories=["contact", "biometric"]), (1_000, 1_000)),
        (transfer(data_subjects=[{"jurisdiction": "CN", "count": 10, "minors": True}]), (10, 10)),
        (transfer(importer={"country": "CN"}, destinations=["CN"]), (0, 0)),  # stays in the PRC
        (transfer(exporter={"name": "Just Services", "country": "DE"}), (0, 0)),
        (transfer(data_subjects=[{"jurisdiction": "EU", "count": 1_000}]), (0, 0)),
    ],
)
def test_own_cn_outbound_counts_as_the_engine_does(
    data: dict[str, Any], expected: tuple[int, int]
) -> None:
    reference = default_reference()
    assert own_cn_outbound(parse_transfer(data, today=DAY), reference) == expected


def test_exporter_key_folds_names() -> None:
    assert services.exporter_key("Ningbo Jus Internet Technology", "CN") == services.exporter_key(
        "ningbo  jus internet-technology", "CN"
    )
    assert services.exporter_key("Jus", "CN") != services.exporter_key("Jus", "HK")


@pytest.fixture
def legal(app: Flask) -> User:
    with app.app_context(), session_scope() as session:
        user = create_user(session=session, email="lee@example.test", role="legal")
        create_vendor(
            session=session,
            data={"slug": "cloudy", "name": "Cloudy", "hq_country": "US",
                  "processing_countries": ["US"]},
            reference=get_reference(),
        )  # fmt: skip
    return user


def test_history_rows_replay_to_the_same_evaluation(app: Flask, legal: User) -> None:
    from assessments.engine import evaluate
    from assessments.transfers import evaluation_to_dict

    with app.app_context(), session_scope() as session:
        rulebook = get_rulebook()
        data = {"vendor": "cloudy", "transfer": transfer(), "purpose": "CRM"}
        view = services.create_review(
            session=session, data=data, user=legal, rulebook=rulebook, day=DAY
        )
        services.evaluate_review(
            session=session, review=view.review, user=legal, rulebook=rulebook, day=DAY
        )
        rows = session.execute(select(ReviewEvaluation)).scalars().all()
        assert [r.seq for r in rows] == [1, 2]
        for row in rows:
            replayed = parse_transfer(row.transfer, today=DAY)
            result = evaluation_to_dict(evaluate(replayed, rulebook.rules, rulebook.reference))
            assert result == row.evaluation
            assert row.rules_version == rulebook.rules.version
            assert row.reference_version == rulebook.reference.version


def test_services_flush_and_leave_the_commit_to_the_edge(app: Flask, legal: User) -> None:
    with app.app_context():
        with session_scope() as session:
            data = {"vendor": "cloudy", "transfer": transfer(), "purpose": "CRM"}
            services.create_review(
                session=session, data=data, user=legal, rulebook=get_rulebook(), day=DAY
            )
            session.rollback()
        with session_scope() as session:
            assert services.count_open_reviews(session=session) == 0
