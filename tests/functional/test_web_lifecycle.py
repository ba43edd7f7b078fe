"""The UI's due list (per person and per team), tasks and notification preferences: the
API's services and schemas behind pages, with roles, CSRF and problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from html import escape

import pytest
from flask import Flask
from sqlalchemy import select

from service.auth.services import create_token, get_user_by_email
from service.db import session_scope
from service.jobs import runtime as jobs_runtime
from service.lifecycle.models import Task
from tests.helpers import HTML, Browser, no_inline_script, sign_in
from tests.service.test_lifecycle import file_review


@pytest.fixture
def app(catalog_app: Flask) -> Iterator[Flask]:
    yield catalog_app
    jobs_runtime.runtime(catalog_app).stop()


def person(app: Flask, email: str, role: str) -> tuple[Browser, dict[str, str]]:
    """A signed-in browser and API headers for one new user."""
    browser = sign_in(app, email, role)
    with app.app_context(), session_scope() as session:
        user = get_user_by_email(session=session, email=email)
        _token, plain = create_token(session=session, user=user)
    return browser, {"Authorization": f"Bearer {plain}"}


def test_due_page_per_person_and_team_and_closing_a_task(app: Flask) -> None:
    owner, owner_api = person(app, "buyer@example.test", "procurement")
    counsel, legal_api = person(app, "counsel@example.test", "legal")
    api = app.test_client()
    review = file_review(api, owner_api)
    dated = api.patch(
        f"/api/v1/reviews/{review}/dates",
        json={"standard_contract_effective": "2026-09-30"},
        headers=owner_api,
    )
    assert dated.status_code == 200, dated.get_data(as_text=True)
    vendor = api.get("/api/v1/vendors/firebase", headers=legal_api)
    changed = api.patch(
        "/api/v1/vendors/firebase",
        json={"dpf": {"status": "not_listed", "checked": "2026-12-05"}},
        headers={**legal_api, "If-Match": vendor.headers["ETag"]},
    )
    assert changed.status_code == 200
    jobs_runtime.runtime(app).join()  # the re-assessment: a task for the owner

    page = owner.get("/due")
    assert page.status_code == 200, page.text
    no_inline_script(page.text)
    # 10 PRC working days after 30 September 2026: National Day off, Saturday 10 Oct worked.
    assert "2026-10-20" in page.text and "file the standard contract" in page.text
    with app.app_context(), session_scope() as session:
        task = session.execute(select(Task)).scalar_one()
    title = escape(task.title, quote=False)
    assert task.assignee == "buyer@example.test" and title in page.text
    assert f'action="/tasks/{task.id}/done"' in page.text

    assert "2026-10-20" not in counsel.get("/due").text  # legal's own list: not theirs
    team = counsel.get("/due?team=procurement&within_days=30")
    assert team.status_code == 200 and "2026-10-20" in team.text
    assert f'action="/tasks/{task.id}/done"' not in team.text  # not counsel's to close

    bad = owner.get("/due?within_days=-1")
    assert bad.status_code == 422 and "within_days" in bad.text
    problem = owner.client.get("/due?team=nobody", headers={"Accept": "application/json"})
    assert problem.status_code == 422 and problem.mimetype == "application/problem+json"

    assert counsel.post(f"/tasks/{task.id}/done").status_code == 403  # not the assignee
    forged = owner.client.post(f"/tasks/{task.id}/done", data={}, headers=HTML)
    assert forged.status_code in (400, 403)  # no CSRF token
    with app.app_context(), session_scope() as session:
        assert session.get(Task, task.id).status == "open"  # type: ignore[union-attr]
    done = owner.post(f"/tasks/{task.id}/done", {"back": "/due"})
    assert done.status_code == 303 and done.headers["Location"] == "/due"
    assert owner.get("/tasks").text.count(f'action="/tasks/{task.id}/done"') == 0
    closed = owner.get("/tasks?status=done")
    assert title in closed.text and "done" in closed.text
    assert title in counsel.get("/tasks?status=done&mine=false").text
    assert title not in counsel.get("/tasks?status=done").text


def test_notification_preferences_page(app: Flask) -> None:
    browser, headers = person(app, "viewer@example.test", "viewer")
    page = browser.get("/me/notifications")
    assert page.status_code == 200
    no_inline_script(page.text)
    assert page.text.count('name="events"') == 5 and page.text.count(" checked") == 6

    saved = browser.post("/me/notifications", {"events": ["verdict_changed"]})
    assert saved.status_code == 200 and "saved" in saved.text
    api = app.test_client().get("/api/v1/me/notifications", headers=headers).get_json()
    assert api == {"email": False, "events": ["verdict_changed"]}

    unknown = browser.post("/me/notifications", {"email": "on", "events": ["gossip"]})
    assert unknown.status_code == 422 and "Must be one of" in unknown.text
    none = browser.post("/me/notifications", {"email": "on"})
    assert none.status_code == 422 and "Tick at least one event" in none.text
    forged = browser.client.post("/me/notifications", data={"email": "on"}, headers=HTML)
    assert forged.status_code in (400, 403)
    api = app.test_client().get("/api/v1/me/notifications", headers=headers).get_json()
    assert api == {"email": False, "events": ["verdict_changed"]}  # nothing written
    assert "/me/notifications" in browser.get("/me").text


def test_the_done_button_shows_exactly_where_the_service_closes_the_task(app: Flask) -> None:
    """The pages read lifecycle.policy: a Done button on a procurement task for its assignee
    and an admin only, and whoever sees none is refused by the service (403). Legal and
    admins get the Whose filter, and with it everyone's tasks; the others do not."""
    people = {
        role: person(app, f"{role}@example.test", role)[0]
        for role in ("procurement", "legal", "admin", "viewer")
    }
    people["other"] = person(app, "other@example.test", "procurement")[0]
    with app.app_context(), session_scope() as session:
        review = file_review(app.test_client(), person(app, "filer@example.test", "legal")[1])
        task = Task(
            review_id=review, assignee="procurement@example.test", kind="verdict_changed", title="T"
        )
        session.add(task)
        session.flush()
        task_id = task.id
    button = f'action="/tasks/{task_id}/done"'
    shown = {who: button in b.get("/due?team=procurement").text for who, b in people.items()}
    assert shown == {
        "procurement": True,
        "legal": False,
        "admin": True,
        "viewer": False,
        "other": False,
    }
    for who, b in people.items():
        everyone = b.get("/tasks?mine=false").text
        overseer = who in ("legal", "admin")
        assert ('name="mine"' in everyone) is overseer, who
        listed = overseer or who == "procurement"  # everyone's tasks, or the assignee's own
        assert (button in everyone) is (listed and shown[who]), who
    for who in sorted(people, key=shown.__getitem__):  # the refused first, while it is open
        closed = people[who].post(f"/tasks/{task_id}/done", {"back": "/tasks"})
        assert closed.status_code == (303 if shown[who] else 403), who
