"""`xborder reviews list|reevaluate`: re-running open reviews after a rule change."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlmodel import col

from assessments.rules import RULES_DIR
from service.audit.models import AuditEvent
from service.auth.models import User
from service.auth.services import create_user
from service.cli import main
from service.db import session_scope
from service.reference.services import get_reference
from service.reviews import services
from service.reviews.models import Review, ReviewEvaluation
from service.transfers.services import get_rulebook
from service.vendors.services import create_vendor

DAY = date(2026, 11, 22)


def cn_transfer(exporter: str, count: int) -> dict[str, Any]:
    return {
        "exporter": {"name": exporter, "country": "CN", "ciio": False},
        "data_subjects": [{"jurisdiction": "CN", "count": count}],
        "data_categories": ["contact"],
        "important_data": False,
    }


def changed_rules(tmp_path: Path) -> Path:
    """The shipped rules with the PRC standard-contract threshold lowered to 50,000 people."""
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    cn = target / "cn.yaml"
    text = cn.read_text(encoding="utf-8")
    old = "id: sc_nonsensitive_min\n    value: 100000"
    assert old in text
    cn.write_text(text.replace(old, "id: sc_nonsensitive_min\n    value: 50000"), encoding="utf-8")
    return target


@pytest.fixture
def reviews(app: Flask) -> dict[str, int]:
    """Open and closed reviews of two exporters, filed under the shipped rules."""
    ids: dict[str, int] = {}
    with app.app_context(), session_scope() as session:
        user: User = create_user(session=session, email="lee@example.test", role="legal")
        create_vendor(
            session=session,
            data={"slug": "cloudy", "name": "Cloudy", "hq_country": "US"},
            reference=get_reference(),
        )
        rulebook = get_rulebook()
        for name, exporter, count, status in (
            ("small", "Small Co", 60_000, "approved"),
            ("tiny", "Tiny Co", 1_000, "draft"),
            ("closed", "Closed Co", 60_000, "draft"),
        ):
            data = {"vendor": "cloudy", "transfer": cn_transfer(exporter, count), "purpose": name}
            view = services.create_review(
                session=session, data=data, user=user, rulebook=rulebook, day=DAY
            )
            view.review.status = status
            ids[name] = int(view.review.id or 0)
        closed = session.get(Review, ids["closed"])
        assert closed is not None
        closed.status = "closed"
    return ids


def evaluations(app: Flask, review_id: int) -> list[ReviewEvaluation]:
    with app.app_context(), session_scope() as session:
        return list(
            session.execute(
                select(ReviewEvaluation)
                .where(col(ReviewEvaluation.review_id) == review_id)
                .order_by(col(ReviewEvaluation.seq))
            ).scalars()
        )


def test_reevaluate_after_a_rule_change_reports_changed_verdicts(
    app: Flask,
    make_app: Callable[..., Flask],
    reviews: dict[str, int],
    tmp_path: Path,
) -> None:
    old_version = get_rulebook(app).rules.version
    changed = make_app(RULES_DIR=str(changed_rules(tmp_path)))
    result = changed.test_cli_runner().invoke(
        main, ["reviews", "reevaluate", "--as-of", "2026-11-22"]
    )
    assert result.exit_code == 0, result.output
    assert "2 open reviews re-evaluated" in result.output
    assert "1 verdicts changed" in result.output
    assert (
        f"review {reviews['small']} (Small Co -> cloudy) CN: permitted (cn_exempt) -> "
        "mechanism_required (cn_standard_contract)"
    ) in result.output

    history = evaluations(changed, reviews["small"])
    assert [(e.seq, e.reason) for e in history] == [(1, "create"), (2, "reevaluate")]
    assert history[0].rules_version == old_version
    assert history[1].rules_version == get_rulebook(changed).rules.version != old_version
    assert history[1].evaluated_by.startswith("cli:")
    assert [e.seq for e in evaluations(changed, reviews["tiny"])] == [1, 2]
    assert [e.seq for e in evaluations(changed, reviews["closed"])] == [1]  # closed: left alone
    with changed.app_context(), session_scope() as session:
        review = session.get(Review, reviews["small"])
        assert review is not None and review.status == "approved"
        assert (review.cn_verdict, review.cn_mechanism) == (
            "mechanism_required",
            "cn_standard_contract",
        )
        actions = (
            session.execute(
                select(col(AuditEvent.action)).where(col(AuditEvent.object_type) == "review")
            )
            .scalars()
            .all()
        )
        assert actions.count("reevaluate") == 2


def test_reevaluate_json_report(app: Flask, reviews: dict[str, int]) -> None:
    result = app.test_cli_runner().invoke(main, ["reviews", "reevaluate", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert report["evaluated"] == 2 and report["changed"] == [] and report["failed"] == {}


def test_list_shows_verdicts_and_filters(app: Flask, reviews: dict[str, int]) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["reviews", "list"])
    assert result.exit_code == 0, result.output
    assert "Small Co" in result.output and "3 of 3 reviews" in result.output
    result = runner.invoke(main, ["reviews", "list", "--status", "approved", "--json"])
    listed = json.loads(result.output)
    assert [r["id"] for r in listed["items"]] == [reviews["small"]]
    assert listed["items"][0]["verdicts"]["CN"] == "permitted"


def test_a_review_changed_during_the_run_stops_it_and_nothing_is_written(
    app: Flask, reviews: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = services._write_evaluations

    def concurrent_edit(session: Any, table: Any, updates: Any, *rest: Any) -> None:
        # Another writer bumps one review's version between the run's read and its write.
        session.execute(table.update().where(table.c.id == updates[0]["p_id"]).values(version=99))
        real(session, table, updates, *rest)

    def version() -> int:
        with app.app_context(), session_scope() as session:
            review = session.get(Review, reviews["small"])
            assert review is not None
            return review.version

    before = version()
    monkeypatch.setattr(services, "_write_evaluations", concurrent_edit)
    result = app.test_cli_runner().invoke(main, ["reviews", "reevaluate"])
    assert result.exit_code == 1
    assert "changed while they were being re-evaluated" in result.output
    assert [e.seq for e in evaluations(app, reviews["small"])] == [1]
    assert version() == before  # the whole run rolled back, the other edit included
