"""The scan page files an activity; the activity page shows what the reviews say."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from service.activities.models import Activity
from service.db import session_scope
from service.reviews.models import Review
from tests.helpers import Browser, no_inline_script

POLICY = (
    "Privacy policy of JusTalk.\n"
    "We use Firebase Crashlytics to collect crash reports and your device identifiers.\n"
    "Umeng analytics receives your device ID and app usage.\n"
    "Where data leaves the EEA we rely on standard contractual clauses.\n"
)


def _scan(browser: Browser) -> str:
    browser.get("/scan")
    response = browser.post("/scan", {"text": POLICY})
    assert response.status_code == 200, response.text
    return response.text


def test_scan_highlights_vendors_and_prefills_the_activity(
    browser_for: Callable[[str], Browser],
) -> None:
    page = _scan(browser_for("procurement"))
    no_inline_script(page)
    assert re.search(r'<mark class="scan-vendor" title="[^"]*Firebase[^"]*">', page)
    # Found vendors are ticked, each with the sentence that names it.
    assert re.search(r'name="vendors" value="firebase" checked', page)
    assert "We use Firebase Crashlytics" in page
    # A data category the scan found is pre-ticked and shows its sentence; the stated SCCs are
    # shown with their sentence but not ticked as a safeguard.
    assert re.search(r'name="facts.data_categories" value="identifiers.device" checked', page)
    assert re.search(r'name="facts.safeguards" value="eu_scc">', page)
    assert "we rely on standard contractual clauses" in page


def test_filing_from_a_scan_creates_the_activity_and_one_review_per_ticked_vendor(
    catalog_app: Flask,
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("procurement")
    page = _scan(browser)
    disclosures = re.search(r'name="disclosures" value="([^"]*)"', page)
    assert disclosures is not None
    raw = html.unescape(disclosures.group(1))  # as a browser sends the hidden field
    form = {
        "disclosures": raw,
        "source": "pasted text",
        "policy_text": POLICY,
        "mode": "new",
        "vendors": ["firebase"],
        "name": "JusTalk app",
        "facts.exporter.name": "Ningbo Jus Internet Technology",
        "facts.exporter.country": "CN",
        "facts.exporter.role": "controller",
        "facts.data_subjects.0.jurisdiction": "CN",
        "facts.data_subjects.0.count": "2,000,000",
        "facts.data_categories": ["identifiers.device"],
        "facts.purposes": ["analytics"],
    }
    missing_name = browser.post("/scan/file", {**form, "facts.exporter.name": ""})
    assert missing_name.status_code == 422 and "Name the exporter" in missing_name.text
    with catalog_app.app_context(), session_scope() as session:
        assert session.execute(select(Activity)).first() is None
    response = browser.post("/scan/file", form)
    assert response.status_code == 303, response.text
    with catalog_app.app_context(), session_scope() as session:
        activity = session.execute(select(Activity)).scalar_one()
        reviews = session.execute(select(Review)).scalars().all()
        assert [r.activity_id for r in reviews] == [activity.id]
        assert reviews[0].transfer["data_subjects"] == [
            {"jurisdiction": "CN", "count": 2_000_000, "minors": False}
        ]
        assert {v["slug"] for v in activity.disclosures["vendors"]} >= {"firebase"}
        assert json.dumps(activity.disclosures)  # stored as JSON
        verdict = reviews[0].cn_verdict
        questions = [
            q for r in reviews[0].evaluation["regimes"].values() for q in r.get("questions") or []
        ]
    shown = browser.get(response.headers["Location"]).text
    no_inline_script(shown)
    assert "JusTalk app" in shown and "Heat map" in shown
    assert f"verdict-{verdict}" in shown
    # Each open question of the engine is listed once, with the reviews that ask it.
    from markupsafe import escape

    for question in questions:
        assert shown.count(str(escape(question))) == 1, question
    # Umeng was disclosed but not ticked: the page names it as disclosed without a review.
    gaps = shown.split("Disclosed, no review", 1)[1]
    assert "Umeng" in gaps.split("</ul>", 1)[0] or "umeng" in gaps.split("</ul>", 1)[0]


def test_viewers_scan_but_do_not_file(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("viewer")
    page = _scan(browser)
    assert 'action="/scan/file"' not in page
    assert browser.post("/scan/file", {"name": "x"}).status_code == 403
