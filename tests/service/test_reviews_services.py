"""Review services below HTTP: merge patch, the engine's own head-count, replayable history."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from assessments.catalog.reference import default_reference
from assessments.engine import cn_outbound_contribution, evaluate
from assessments.facts import Flow, cn_window_start, dsp_window_start, tally
from assessments.rules import RULES_DIR, default_rules, load_rules
from assessments.transfers import parse_transfer
from service.auth.models import User
from service.auth.services import create_user
from service.db import session_scope
from service.reference.services import get_reference
from service.reviews import services
from service.reviews.models import ReviewEvaluation
from service.transfers.services import get_rulebook
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
        (transfer(data_subjects=[{"jurisdiction": "CN", "count": 10, "minors": True}]), (0, 10)),
        (  # only the stated minors under 14 are sensitive PI
            transfer(
                data_subjects=[{"jurisdiction": "CN", "count": 10, "minor_counts": {"under_14": 3}}]
            ),
            (7, 3),
        ),
        (  # an Art. 5(2) HR flow is exempt and, by default, not counted
            transfer(
                purposes=["hr_management"],
                exemptions=["hr_management"],
                data_categories=["employment"],
                important_data=False,
            ),
            (0, 0),
        ),
        (  # before 22 March 2024 foreigners' PI exported from China counted
            transfer(as_of="2024-03-21", data_subjects=[{"jurisdiction": "DE", "count": 50}]),
            (50, 0),
        ),
        (transfer(importer={"country": "CN"}, destinations=["CN"]), (0, 0)),  # stays in the PRC
        (transfer(exporter={"name": "Just Services", "country": "DE"}), (0, 0)),
        (transfer(data_subjects=[{"jurisdiction": "EU", "count": 1_000}]), (0, 0)),
    ],
)
def test_a_review_adds_to_the_prc_totals_what_the_engine_counts(
    data: dict[str, Any], expected: tuple[int, int]
) -> None:
    reference = default_reference()
    parsed = parse_transfer(data, today=DAY)
    assert cn_outbound_contribution(parsed, default_rules(), reference) == expected


def test_exempt_flows_count_when_the_rule_parameter_says_so(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    text = (copy / "cn.yaml").read_text("utf-8")
    needle = "  - id: exempt_flows_counted\n    value: false"
    assert needle in text
    (copy / "cn.yaml").write_text(text.replace(needle, needle.replace("false", "true")), "utf-8")
    hr = transfer(purposes=["hr_management"], exemptions=["hr_management"], important_data=False)
    parsed = parse_transfer(hr, today=DAY)
    assert cn_outbound_contribution(parsed, load_rules(copy), default_reference()) == (1_000, 0)
    result = evaluate(parsed, load_rules(copy), default_reference()).regime("CN")
    assert "are counted towards the totals" in " ".join(r.explanation for r in result.rules)


@pytest.mark.parametrize(
    ("on", "start"),
    [
        (date(2024, 3, 21), date(2023, 1, 1)),  # Order No. 11: 1 January of the previous year
        (date(2024, 3, 22), date(2024, 1, 1)),  # Order No. 16: 1 January of the current year
        (date(2026, 11, 22), date(2026, 1, 1)),
    ],
)
def test_the_prc_counting_window_follows_the_law_in_force(on: date, start: date) -> None:
    assert cn_window_start(on) == start


def test_the_dsp_window_is_the_preceding_12_months() -> None:
    assert dsp_window_start(date(2026, 11, 22)) == date(2025, 11, 23)
    assert dsp_window_start(date(2028, 2, 29)) == date(2027, 3, 1)
    flows = [Flow(date(2025, 11, 22), 5), Flow(date(2025, 11, 23), 7), Flow(date(2026, 11, 22), 1)]
    assert tally(flows, dsp_window_start(date(2026, 11, 22)), date(2026, 11, 22)).first == 8


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
            data={
                "slug": "cloudy",
                "name": "Cloudy",
                "hq_country": "US",
                "processing_countries": ["US"],
            },
            reference=get_reference(),
        )
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
