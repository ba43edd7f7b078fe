"""Re-assessment when a vendor fact, the rules or a date changes; tasks, history, deadlines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.db import session_scope
from service.jobs import runtime as jobs_runtime
from service.jobs.models import Job
from service.lifecycle import deadlines
from service.lifecycle.services import passed_dates, tick
from service.notifications.delivery import sign
from service.notifications.models import Delivery, OutboxMessage
from service.reviews.models import Review
from service.transfers.services import get_rulebook
from tests.helpers import Headers, WebhookReceiver, wait_for_jobs


def file_review(
    catalog_client: FlaskClient,
    headers: dict[str, str],
    vendor: str = "firebase",
    exporter: str = "Acme GmbH",
) -> int:
    body = {
        "vendor": vendor,
        "transfer": {
            "exporter": {"name": exporter, "country": "DE", "role": "controller"},
            "data_subjects": [{"jurisdiction": "EU", "count": 300_000}],
            "data_categories": ["identifiers.device", "usage.diagnostics"],
            "purposes": ["analytics", "crash_reporting"],
        },
        "purpose": "Crash reporting",
    }
    response = catalog_client.post("/api/v1/reviews", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return int(response.get_json()["id"])


def eu_outcome(app: Flask, review_id: int) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        review = session.get(Review, review_id)
        assert review is not None
        return {"verdict": review.eu_verdict, "mechanism": review.eu_mechanism}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    found = WebhookReceiver()
    yield found
    found.close()


def test_a_vendor_fact_change_reassesses_tasks_the_owner_and_notifies_once(
    catalog_app: Flask,
    catalog_client: FlaskClient,
    auth: Headers,
    make_token: Callable[..., str],
    receiver: WebhookReceiver,
) -> None:
    admin = auth("admin")
    hook = catalog_client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["verdict_changed"]},
        headers=admin,
    ).get_json()
    owner_token = make_token("procurement", email="buyer@example.test")
    owner = {"Authorization": f"Bearer {owner_token}"}
    review = file_review(catalog_client, owner)
    legal = auth("legal")
    assessment = catalog_client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "dpia"}, headers=legal
    )
    assert assessment.status_code == 201, assessment.get_data(as_text=True)
    before = eu_outcome(catalog_app, review)

    vendor = catalog_client.get("/api/v1/vendors/firebase", headers=legal)
    changed = catalog_client.patch(
        "/api/v1/vendors/firebase",
        json={"dpf": {"status": "not_listed", "checked": "2026-12-05"}},
        headers={**legal, "If-Match": vendor.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    wait_for_jobs(catalog_app)

    after = eu_outcome(catalog_app, review)
    assert before != after
    history = catalog_client.get(f"/api/v1/reviews/{review}/changes", headers=owner).get_json()
    assert len(history["changes"]) == 1
    change = history["changes"][0]
    assert change["cause_kind"] == "vendor_fact"
    assert "firebase" in change["cause"] and "dpf" in change["cause"]
    assert change["before"]["EU"] == before and change["after"]["EU"] == after
    assert history["assessments_out_of_date"] == [assessment.get_json()["id"]]

    tasks = catalog_client.get("/api/v1/tasks", headers=owner).get_json()
    assert [t["review_id"] for t in tasks] == [review]
    assert tasks[0]["kind"] == "verdict_changed" and tasks[0]["assignee"] == "buyer@example.test"
    done = catalog_client.post(f"/api/v1/tasks/{tasks[0]['id']}/done", headers=legal)
    assert done.status_code == 403  # only its assignee (or an admin)
    done = catalog_client.post(f"/api/v1/tasks/{tasks[0]['id']}/done", headers=owner)
    assert done.status_code == 200 and done.get_json()["status"] == "done"

    assert len(receiver.requests) == 1  # sent once
    headers, body = receiver.requests[0]
    stamp = headers["X-Xborder-Timestamp"]
    assert headers["X-Xborder-Signature"] == sign(hook["secret"], stamp, body)
    import json

    payload = json.loads(body)
    assert payload["text"].startswith(f"Verdict changed: Review {review}")
    assert payload["xborder"]["event"] == "verdict_changed"
    assert payload["xborder"]["review"] == review


def test_a_change_to_a_vendor_nobody_reviews_starts_no_job(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    vendor = catalog_client.get("/api/v1/vendors/firebase", headers=legal)
    catalog_client.patch(
        "/api/v1/vendors/firebase",
        json={"notes": "checked"},
        headers={**legal, "If-Match": vendor.headers["ETag"]},
    )
    with catalog_app.app_context(), session_scope() as session:
        assert session.execute(select(Job)).first() is None


def test_a_receiver_that_is_down_loses_nothing(
    catalog_app: Flask,
    catalog_client: FlaskClient,
    auth: Headers,
    receiver: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jobs_runtime, "MIN_BACKOFF_MS", 10)
    monkeypatch.setattr(jobs_runtime, "MAX_BACKOFF_MS", 20)
    catalog_client.post("/api/v1/webhooks", json={"url": receiver.url}, headers=auth("admin"))
    receiver.status = 503
    review = file_review(catalog_client, auth("procurement"))
    legal = auth("legal")
    vendor = catalog_client.get("/api/v1/vendors/firebase", headers=legal)
    catalog_client.patch(
        "/api/v1/vendors/firebase",
        json={"dpf": {"status": "not_listed", "checked": "2026-12-05"}},
        headers={**legal, "If-Match": vendor.headers["ETag"]},
    )
    wait_for_jobs(catalog_app)
    with catalog_app.app_context(), session_scope() as session:
        message = session.execute(select(OutboxMessage)).scalar_one()
        assert message.status == "pending" and message.data["review"] == review
        log = session.execute(select(Delivery)).scalars().all()
        assert len(log) == message.attempts >= 2 and not any(d.ok for d in log)
        assert log[0].detail == "RuntimeError: HTTP 503"
    # The receiver is back; the tick sends what is due.
    receiver.status = 200
    with catalog_app.app_context(), session_scope() as session:
        session.execute(
            OutboxMessage.__table__.update().values(next_attempt_at=message.created_at)  # type: ignore[attr-defined]
        )
    with catalog_app.app_context(), session_scope() as session:
        assert (
            tick(session=session, actor="cron", day=date(2026, 12, 5))["notifications_resent"] == 1
        )
    wait_for_jobs(catalog_app)
    with catalog_app.app_context(), session_scope() as session:
        message = session.execute(select(OutboxMessage)).scalar_one()
        assert message.status == "sent"
        assert session.execute(select(Delivery).where(Delivery.ok)).scalars().all()  # type: ignore[arg-type]
    sent = [r for r in receiver.requests if r[0]["X-Xborder-Delivery"] == str(message.id)]
    assert len(sent) == message.attempts


def test_tick_reassesses_once_when_a_date_passes(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    file_review(catalog_client, auth("procurement"))
    with catalog_app.app_context(), session_scope() as session:
        first = tick(session=session, actor="cron", day=date(2026, 12, 30))
    assert first["causes"] == [] and first["reassess_job"] is None  # the first tick: baseline
    with catalog_app.app_context(), session_scope() as session:
        second = tick(session=session, actor="cron", day=date(2027, 1, 2))
    assert second["causes"] == ["2027-01-01: PRC outbound counting restarts for the new year."]
    with catalog_app.app_context(), session_scope() as session:
        again = tick(session=session, actor="cron", day=date(2027, 1, 2))
    assert again["reassess_job"] is None and again["causes"] == []
    wait_for_jobs(catalog_app)
    with catalog_app.app_context(), session_scope() as session:
        job = session.get(Job, second["reassess_job"])
        assert job is not None and job.status == "succeeded" and job.result is not None
        assert job.result["evaluated"] == 1


def test_tick_reassesses_when_the_rules_version_changes(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers
) -> None:
    from service.settings.models import Setting

    with catalog_app.app_context(), session_scope() as session:
        session.add(Setting(key="lifecycle.rules_version", value="1999.1", updated_by="old"))
        session.add(Setting(key="lifecycle.last_tick", value="2026-12-05", updated_by="old"))
    with catalog_app.app_context(), session_scope() as session:
        report = tick(session=session, actor="cron", day=date(2026, 12, 5))
        version = get_rulebook().rules.version
    assert report["causes"] == [f"Rules version changed from 1999.1 to {version}."]
    wait_for_jobs(catalog_app)


def test_passed_dates_name_rule_dates_and_new_year(catalog_app: Flask) -> None:
    with catalog_app.app_context():
        rules = get_rulebook().rules
    found = dict(passed_dates(rules, date(2024, 3, 20), date(2024, 3, 23)))
    assert date(2024, 3, 22) in found and "takes effect" in found[date(2024, 3, 22)]
    assert "ceases to apply" in found[date(2024, 3, 22)]  # the 2022 rules end on the 21st
    assert dict(passed_dates(rules, date(2024, 12, 31), date(2025, 1, 1))) == {
        date(2025, 1, 1): "PRC outbound counting restarts for the new year"
    }


# ------------------------------------------------------------------------------ deadlines


# The State Council's holiday notices, as read on 2026-12-05 (Xinhua's full text, reprinted):
# 2025: 国办发明电〔2024〕12号 of 2024-11-12, https://m.gmw.cn/2024-11/12/content_1303894933.htm
#   National Day and Mid-autumn: 1-8 October off; Sunday 28 September and Saturday 11 October
#   worked.
# 2026: the notice of 2025-11-04, https://politics.gmw.cn/2025-11/04/content_38391083.htm
#   Spring Festival: 15-23 February off; Saturdays 14 and 28 February worked. National Day:
#   1-7 October off; Sunday 20 September and Saturday 10 October worked.
NOTICE_DAYS = {
    date(2025, 9, 28): True,  # a Sunday worked
    date(2025, 10, 8): False,  # a Wednesday off
    date(2025, 10, 11): True,  # a Saturday worked
    date(2026, 2, 14): True,
    date(2026, 2, 23): False,  # a Monday off
    date(2026, 2, 28): True,
    date(2026, 9, 20): True,
    date(2026, 10, 7): False,
    date(2026, 10, 10): True,
    date(2026, 12, 7): True,  # an ordinary Monday
    date(2026, 12, 5): False,  # an ordinary Saturday
}


def test_prc_working_days_follow_the_state_council_notices() -> None:
    assert {d: deadlines.prc_working_day(d) for d in NOTICE_DAYS} == NOTICE_DAYS
    add = deadlines.add_prc_working_days
    # 10 working days after a contract takes effect, across National Day 2026: 1-7 October
    # off, Saturday 10 October worked (Monday to Friday alone would say 14 October).
    assert add(date(2026, 9, 30), 10) == (date(2026, 10, 20), [])
    assert add(date(2026, 2, 13), 10) == (date(2026, 3, 5), [])  # Spring Festival 2026
    assert add(date(2025, 9, 26), 5) == (date(2025, 10, 10), [])  # 28 Sep worked, 1-8 Oct off
    assert add(date(2026, 10, 9), -3) == (date(2026, 9, 29), [])
    assert add(date(2026, 12, 4), 10) == (date(2026, 12, 18), [])  # Fri -> Fri
    # A year without a published notice: counted Monday to Friday, and said so.
    assert add(date(2029, 12, 5), -60) == (date(2029, 9, 12), [2029])
    assert deadlines.add_years(date(2024, 2, 29), 3) == date(2027, 2, 28)


def test_due_list_and_calendar_feed(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, make_token: Callable[..., str]
) -> None:
    token = make_token("procurement", email="owner@example.test")
    owner = {"Authorization": f"Bearer {token}"}
    review = file_review(catalog_client, owner)
    bad = catalog_client.patch(
        f"/api/v1/reviews/{review}/dates", json={"signed": "2026-01-01"}, headers=owner
    )
    assert bad.status_code == 422
    entered = catalog_client.patch(
        f"/api/v1/reviews/{review}/dates",
        json={"standard_contract_effective": "2026-12-04", "cac_assessment_issued": "2024-01-15"},
        headers=owner,
    )
    assert entered.status_code == 200, entered.get_data(as_text=True)
    items = catalog_client.get(f"/api/v1/reviews/{review}/deadlines", headers=owner).get_json()
    by_key = {d["key"]: d["due"] for d in items}
    assert by_key["sc_filing"] == "2026-12-18"
    assert by_key["cac_expiry"] == "2027-01-15"
    assert by_key["cac_extension_window"] == "2026-10-23"  # 60 PRC working days before
    provisional = {d["key"]: d["provisional"] for d in items}
    assert provisional["sc_filing"] is None
    assert "2027" in provisional["cac_extension_window"]  # January 2027 is not published yet
    due = catalog_client.get("/api/v1/due?within_days=30", headers=owner).get_json()
    assert {d["key"] for d in due["deadlines"]} >= {"sc_filing", "cac_extension_window"}
    team = catalog_client.get("/api/v1/due?team=procurement&within_days=30", headers=auth("legal"))
    assert {d["review_id"] for d in team.get_json()["deadlines"]} == {review}
    assert catalog_client.get("/api/v1/due?team=legal", headers=owner).get_json()["deadlines"] == []

    feed = catalog_client.post("/api/v1/me/calendar-feed", headers=owner)
    assert feed.status_code == 201
    path = feed.get_json()["url"].removeprefix("http://localhost")
    ics = catalog_client.get(path)
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    from icalendar import Calendar

    events = Calendar.from_ical(ics.data).walk("VEVENT")
    assert {str(e["uid"]) for e in events} >= {f"review-{review}-sc_filing@xborder"}
    assert catalog_client.delete("/api/v1/me/calendar-feed", headers=owner).status_code == 204
    assert catalog_client.get(path).status_code == 404


def test_a_command_that_changes_facts_waits_for_the_reassessment(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, tmp_path: Any
) -> None:
    import json

    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from service.cli import main

    review = file_review(catalog_client, auth("procurement"))
    before = eu_outcome(catalog_app, review)
    vendor = catalog_client.get("/api/v1/vendors/firebase", headers=auth("legal")).get_json()
    path = tmp_path / "vendors.json"
    lapsed = {
        "slug": "firebase",
        "name": vendor["name"],
        "hq_country": vendor["hq_country"],
        "dpf": {"status": "not_listed", "checked": "2026-12-05"},
    }
    path.write_text(json.dumps([lapsed]))
    result = CliRunner().invoke(
        main, ["vendors", "import", str(path)], obj=ScriptInfo(create_app=lambda: catalog_app)
    )
    assert result.exit_code == 0, result.output
    # No broker: the command ran the re-assessment before it returned.
    with catalog_app.app_context(), session_scope() as session:
        job = session.execute(select(Job).where(Job.kind == "reassess")).scalar_one()  # type: ignore[arg-type]
        assert job.status == "succeeded" and job.result is not None
        assert job.result["changed_reviews"] == [review]
    assert eu_outcome(catalog_app, review) != before


def test_tick_reminds_owners_of_deadlines_once_a_day(
    catalog_app: Flask, catalog_client: FlaskClient, auth: Headers, receiver: WebhookReceiver
) -> None:
    catalog_client.post(
        "/api/v1/webhooks",
        json={"url": receiver.url, "events": ["deadline_approaching"]},
        headers=auth("admin"),
    )
    owner = auth("procurement")
    review = file_review(catalog_client, owner)
    catalog_client.patch(
        f"/api/v1/reviews/{review}/dates",
        json={"standard_contract_effective": "2026-12-04"},
        headers=owner,
    )
    # Filing due 2026-12-18: reminded 7 days before, not on the days between.
    for day in (date(2026, 12, 10), date(2026, 12, 11), date(2026, 12, 11)):
        with catalog_app.app_context(), session_scope() as session:
            tick(session=session, actor="cron", day=day)
        wait_for_jobs(catalog_app)
    assert len(receiver.requests) == 1
    import json

    payload = json.loads(receiver.requests[0][1])["xborder"]
    assert payload == {
        "event": "deadline_approaching",
        "review": review,
        "deadline": "sc_filing",
        "due": "2026-12-18",
    }
