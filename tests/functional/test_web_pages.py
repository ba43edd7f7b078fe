"""The web UI over HTTP (no browser, no JavaScript): sign-in, pages per role, forms that keep
what was typed and show the API's field errors, CSRF, security headers, ETag conflicts."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask

from service.auth.services import create_user
from service.db import session_scope
from tests.helpers import HTML, PASSWORD, Browser, form_etag, no_inline_script

FIREBASE_REVIEW = {
    "vendor": "Firebase",
    "purpose": "Crash reporting and usage analytics",
    "transfer.exporter.name": "Ningbo Jus Internet Technology",
    "transfer.exporter.country": "CN",
    "transfer.exporter.role": "controller",
    "transfer.data_subjects.0.jurisdiction": "CN",
    "transfer.data_subjects.0.count": "2,000,000",
    "transfer.data_categories": ["identifiers.device", "usage.diagnostics"],
    "transfer.purposes": ["analytics"],
    "transfer.transaction": "vendor_agreement",
    "status": "submitted",
}

# Pages an admin opens from the navigation (and the forms behind them), for checks of every page.
ADMIN_PAGES = (
    "/",
    "/vendors",
    "/vendors/firebase/edit",
    "/reviews",
    "/reviews/new",
    "/assistant",
    "/me",
    "/admin/users",
    "/admin/audit",
)


# ---------------------------------------------------------------------------- sign-in


def test_anonymous_visitors_are_sent_to_sign_in(catalog_app: Flask) -> None:
    client = catalog_app.test_client()
    response = client.get("/", headers=HTML)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=/")
    page = client.get("/login", headers=HTML)
    assert page.status_code == 200 and 'name="password"' in page.text


def test_wrong_password_keeps_the_email_but_not_the_password(
    catalog_app: Flask, browser_for: Callable[[str], Browser]
) -> None:
    with catalog_app.app_context(), session_scope() as session:
        create_user(session=session, email="li@example.test", role="viewer", password=PASSWORD)
    browser = Browser(catalog_app.test_client())
    browser.get("/login")
    response = browser.post("/login", {"email": "li@example.test", "password": "wrong guess!!"})
    assert response.status_code == 401
    assert "The email or password is incorrect." in response.text
    assert 'value="li@example.test"' in response.text and "wrong guess" not in response.text


def test_sign_in_and_out(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("legal")
    home = browser.get("/")
    assert home.status_code == 200 and "Legal / privacy" in home.text
    assert browser.post("/auth/logout").status_code == 303
    assert browser.get("/").status_code == 303


def test_a_form_post_without_the_csrf_token_is_refused(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("legal")
    response = browser.client.post("/vendors/new", data={"slug": "x"}, headers=HTML)
    assert response.status_code == 403 and "CSRF" in response.text


def test_pages_carry_security_headers_and_no_inline_script(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("admin")
    for url in (*ADMIN_PAGES, "/vendors/firebase"):
        response = browser.get(url)
        assert response.status_code == 200, url
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        no_inline_script(response.text)
    asset = browser.client.get("/static/xborder.css")
    assert asset.status_code == 200 and asset.headers["X-Content-Type-Options"] == "nosniff"
    asset.close()


def test_programs_get_problem_json_from_ui_routes(catalog_app: Flask, auth: Any) -> None:
    response = catalog_app.test_client().post("/vendors/firebase/edit", headers=auth("viewer"))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


# ---------------------------------------------------------------------------- vendors


def test_vendor_search_and_filters(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("viewer")
    page = browser.get("/vendors?q=umeng")
    assert page.status_code == 200 and "/vendors/umeng" in page.text
    fragment = browser.get("/vendors?q=umeng&fragment=1")
    assert "<html" not in fragment.text and "/vendors/umeng" in fragment.text
    filtered = browser.get("/vendors?hq_country=cn&status=active")
    assert filtered.status_code == 200 and "vendor-row" in filtered.text
    bad = browser.get("/vendors?processing_country=ZZ")
    assert "is not an ISO 3166-1 alpha-2 country code" in bad.text
    picker = browser.get("/vendors/picker?q=firebas")
    assert 'data-slug="firebase"' in picker.text


def test_vendor_detail_shows_facts_sources_sdk_and_reviews(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("legal")
    filed = browser.post("/reviews/new", FIREBASE_REVIEW)
    assert filed.status_code == 303
    page = browser.get("/vendors/firebase").text
    for heading in ("Facts", "Sources", "SDK signatures", "Reviews that use Firebase", "History"):
        assert heading in page
    assert filed.headers["Location"] in page


def test_viewer_sees_no_edit_buttons_and_cannot_post(
    browser_for: Callable[[str], Browser],
) -> None:
    viewer = browser_for("viewer")
    page = viewer.get("/vendors/firebase").text
    assert "Edit vendor" not in page and "File a review" not in page and "History" not in page
    assert "Add a vendor" not in viewer.get("/vendors").text
    forged = viewer.post("/vendors/firebase/edit", {"name": "Forged"})
    assert forged.status_code == 403 and "may not do this" in forged.text
    assert viewer.get("/vendors/firebase/edit").status_code == 403
    assert viewer.post("/reviews/new", FIREBASE_REVIEW).status_code == 403


def test_new_vendor_shows_field_errors_and_keeps_the_input(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("procurement")
    response = browser.post(
        "/vendors/new",
        {
            "slug": "Not A Slug",
            "name": "Acme Analytics",
            "aliases": "Acme\nACME",
            "processing_countries": "US, XX",
            "data_categories": ["contact"],
        },
    )
    assert response.status_code == 422
    page = response.text
    assert "Use lowercase letters, digits and single hyphens." in page
    assert 'value="Acme Analytics"' in page and 'value="Not A Slug"' in page
    assert 'value="contact" checked' in page
    created = browser.post(
        "/vendors/new",
        {
            "slug": "acme-analytics",
            "name": "Acme Analytics",
            "category": "analytics_sdk",
            "hq_country": "US",
            "processing_countries": "US, IE",
            "status.value": "active",
            "sources.0.url": "https://acme.example/privacy",
            "sources.0.retrieved": "2026-11-01",
            "sources.0.facts": "hq_country, processing_countries",
        },
    )
    assert created.status_code == 303 and created.headers["Location"] == "/vendors/acme-analytics"
    page = browser.get("/vendors/acme-analytics").text
    assert "https://acme.example/privacy" in page and "Ireland" in page


def test_a_stale_edit_keeps_the_users_input_and_says_someone_changed_it(
    browser_for: Callable[[str], Browser],
) -> None:
    first, second = browser_for("legal"), browser_for("legal")
    form = first.get("/vendors/firebase/edit").text
    stale = form_etag(form)
    second_form = second.get("/vendors/firebase/edit").text
    assert "Firebase" in second_form
    saved = second.post(
        "/vendors/firebase/edit",
        {
            "etag": stale,
            "name": "Firebase",
            "description": "Edited first",
            "status.value": "active",
        },
    )
    assert saved.status_code == 303
    conflict = first.post(
        "/vendors/firebase/edit",
        {
            "etag": stale,
            "name": "Firebase",
            "description": "My careful edit",
            "status.value": "active",
        },
    )
    assert conflict.status_code == 412
    assert "Someone changed this vendor while you were editing" in conflict.text
    assert "My careful edit" in conflict.text
    assert "Edited first" in first.get("/vendors/firebase").text


# ---------------------------------------------------------------------------- reviews


def test_filing_a_review_shows_the_result_per_regime(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("procurement")
    form = browser.get("/reviews/new?vendor=firebase").text
    assert "Device identifiers" in form and "sensitive in China" in form
    response = browser.post("/reviews/new", FIREBASE_REVIEW)
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).text
    assert "CAC security assessment" in page and "approval required" in page
    assert "PIPL Art. 40" in page or "CAC Order No. 11" in page
    assert "Open questions" in page and "Rules that fired" in page


def test_the_review_form_takes_the_inputs_the_law_needs(
    browser_for: Callable[[str], Browser],
) -> None:
    """Issue 13: "Not known" stays unknown (a provisional result with both answers), and the
    new inputs - minors by age, processing volume, owners, DOJ and EU tools - reach the engine."""
    browser = browser_for("procurement")
    form = browser.get("/reviews/new?vendor=firebase").text
    for name in (
        "transfer.exporter.cn_processing_volume",
        "transfer.importer.owners.0.share",
        "transfer.data_subjects.0.under_14",
        "transfer.eu_derogation.basis",
        "transfer.us_exemptions",
        "transfer.government_related_data",
    ):
        assert f'name="{name}"' in form
    small = {
        **FIREBASE_REVIEW,
        "transfer.data_subjects.0.count": "50,000",
        "transfer.data_categories": ["contact"],
        "transfer.important_data": "no",
        "transfer.exporter.cn_processing_volume": "50,000",
    }
    response = browser.post("/reviews/new", small)
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).text
    assert "provisional" in page and "Provisional: it depends on" in page
    assert "critical information infrastructure operator" in page
    known = {
        **small,
        "transfer.exporter.ciio": "no",
        "transfer.data_subjects.0.minors": "on",
        "transfer.data_subjects.0.under_14": "10,000",
        "transfer.importer.owners.0.country": "CN",
        "transfer.importer.owners.0.share": "30",
    }
    response = browser.post("/reviews/new", known)
    assert response.status_code == 303
    page = browser.get(response.headers["Location"]).text
    assert (
        "Provisional: it depends on"
        not in page.split("What each law requires")[1].split("United States")[0]
    )
    assert "CAC security assessment" in page  # 10,000 minors under 14: sensitive PI
    review_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    stored = browser.client.get(f"/api/v1/reviews/{review_id}").get_json()
    group = stored["transfer"]["data_subjects"][0]
    assert group["minor_counts"] == {"under_14": 10_000}
    assert stored["transfer"]["importer"]["owners"] == [{"country": "CN", "share": 30}]
    assert "ccpa_business" not in stored["transfer"]["exporter"]  # "Not known" is left out


def test_review_errors_land_on_the_row_that_caused_them(
    browser_for: Callable[[str], Browser],
) -> None:
    browser = browser_for("procurement")
    unknown = browser.post("/reviews/new", {**FIREBASE_REVIEW, "vendor": "no such vendor"})
    assert unknown.status_code == 422
    assert "No vendor &#39;no such vendor&#39; in the registry" in unknown.text
    assert 'id="vendor-error"' in unknown.text
    data = {
        **FIREBASE_REVIEW,
        "transfer.data_subjects.0.count": "",
        "transfer.data_subjects.2.jurisdiction": "EU",
        "transfer.data_subjects.2.count": "lots",
    }
    response = browser.post("/reviews/new", data)
    assert response.status_code == 422
    page = response.text
    # The filled rows are shown first, so row 2 (EU, "lots") is now the second row.
    assert 'id="transfer-data_subjects-0-count-error"' in page
    assert 'id="transfer-data_subjects-1-count-error"' in page
    assert 'value="lots"' in page and 'value="Ningbo Jus Internet Technology"' in page


def test_portfolio_filters_and_heat_map(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("legal")
    assert browser.post("/reviews/new", FIREBASE_REVIEW).status_code == 303
    page = browser.get("/reviews").text
    assert "Heat map" in page and 'class="heat verdict-approval_required"' in page
    filtered = browser.get("/reviews?cn_verdict=permitted").text
    assert "No reviews match." in filtered
    assert "Must be one of" in browser.get("/reviews?cn_verdict=maybe").text


# ---------------------------------------------------------------------------- assessments


def _assessment(browser: Browser) -> str:
    review = browser.post("/reviews/new", FIREBASE_REVIEW).headers["Location"]
    review_id = review.rsplit("/", 1)[1]
    created = browser.post(f"/reviews/{review_id}/assessments", {"kind": "pipia", "language": "en"})
    assert created.status_code == 303
    return str(created.headers["Location"])


@pytest.fixture
def legal_assessment(browser_for: Callable[[str], Browser]) -> tuple[Browser, str]:
    """A signed-in legal user and the page of the assessment they generated (`_assessment`)."""
    legal = browser_for("legal")
    return legal, _assessment(legal)


def test_legal_edits_approves_and_downloads_an_assessment(
    legal_assessment: tuple[Browser, str], browser_for: Callable[[str], Browser]
) -> None:
    legal, url = legal_assessment
    page = legal.get(url).text
    value = form_etag(page)
    section = re.search(r'name="(section\.[^"]+)"', page)
    assert section is not None
    saved = legal.post(
        f"{url}/edit", {"etag": value, section.group(1): "Rewritten by legal.", "note": "tidy"}
    )
    assert saved.status_code == 303
    page = legal.get(url).text
    assert "version 2" in page and "Rewritten by legal." in page
    diff = legal.get(f"{url}/diff?from=1&to=2").text
    assert "Rewritten by legal." in diff
    stale = legal.post(f"{url}/edit", {"etag": value, section.group(1): "Lost?"})
    assert stale.status_code == 412 and "Lost?" in stale.text
    fresh = form_etag(page)
    assert legal.post(f"{url}/transition", {"etag": fresh, "to": "in_review"}).status_code == 303
    page = legal.get(url).text
    assert 'name="to" value="approved"' not in page  # four eyes: the submitter does not approve
    approver = browser_for("legal")
    page = approver.get(url).text
    assert 'name="to" value="approved"' in page
    assert 'name="override_reason"' in page  # key facts are still unknown: approving needs a reason
    fresh = form_etag(page)
    reason = {"override_reason": "Confirmed with the vendor by phone."}
    approved = approver.post(f"{url}/transition", {"etag": fresh, "to": "approved", **reason})
    assert approved.status_code == 303
    page = legal.get(url).text
    assert "approved by" in page
    pdf = legal.client.get(url.replace("/assessments/", "/api/v1/assessments/") + "/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # The page links the editable formats; the signed-in browser downloads them.
    for name, magic in (("report.docx", b"PK"), ("checklists.xlsx", b"PK")):
        link = url.replace("/assessments/", "/api/v1/assessments/") + f"/{name}"
        assert f'href="{link}"' in page
        download = legal.client.get(link)
        assert download.status_code == 200 and download.data.startswith(magic)
    portfolio = legal.get("/reviews").text
    assert 'href="/api/v1/exports/transfer-register.xlsx"' in portfolio


def _first_item(browser: Browser) -> tuple[str, str, str, str]:
    """A new assessment's page, its first checklist's tick form, and that checklist's first
    item: its id and ETag."""
    url = _assessment(browser)
    page = browser.get(url).text
    checklist = re.search(r'action="(/assessments/\d+/checklists/\d+)"', page)
    item = re.search(r'name="etag\.(\d+)"', page)
    assert checklist is not None and item is not None
    return url, checklist.group(1), item.group(1), form_etag(page, f"etag.{item.group(1)}")


def test_checklist_ticks_and_item_details(browser_for: Callable[[str], Browser]) -> None:
    legal = browser_for("legal")
    url, checklist, item_id, item_tag = _first_item(legal)
    ticked = legal.post(checklist, {f"etag.{item_id}": item_tag, "done": item_id})
    assert ticked.status_code == 303
    page = legal.get(url).text
    assert f'value="{item_id}" checked' in page and "1 of" in page
    detail = legal.post(
        f"{url}/items/{item_id}",
        {
            "etag": form_etag(page, f"etag.{item_id}"),
            "status": "done",
            "who": "Li Wei",
            "when": "2026-12-01",
            "evidence": "Signed copy in the DMS",
        },
    )
    assert detail.status_code == 303
    assert "Signed copy in the DMS" in legal.get(url).text


def test_checklist_forms_from_an_older_version_change_nothing(
    browser_for: Callable[[str], Browser],
) -> None:
    """A tick or an item form made before someone else changed the item answers 412, as the
    API's If-Match does, and records nothing; an item form without a status keeps it."""
    legal = browser_for("legal")
    url, checklist, item_id, old_tag = _first_item(legal)
    kept = legal.post(f"{url}/items/{item_id}", {"etag": old_tag, "who": "Li Wei"})
    assert kept.status_code == 303
    page = legal.get(url).text
    assert "Who: Li Wei." in page and f'value="{item_id}" checked' not in page
    stale_tick = legal.post(checklist, {f"etag.{item_id}": old_tag, "done": item_id})
    assert stale_tick.status_code == 412
    stale_form = legal.post(
        f"{url}/items/{item_id}", {"etag": old_tag, "status": "done", "who": "Someone else"}
    )
    assert stale_form.status_code == 412
    page = legal.get(url).text
    assert f'value="{item_id}" checked' not in page and "Someone else" not in page


def test_assessment_moves_from_an_older_page_change_nothing(
    legal_assessment: tuple[Browser, str],
) -> None:
    """A transition or a refresh sent from a page made before the assessment changed answers
    412, as the API's If-Match does, and moves nothing; the page says to reload (it keeps no
    text of the user's, unlike the edit form's)."""
    legal, url = legal_assessment
    page = legal.get(url).text
    old = form_etag(page)
    assert legal.post(f"{url}/transition", {"etag": old, "to": "in_review"}).status_code == 303
    for stale in (
        legal.post(f"{url}/transition", {"etag": old, "to": "draft"}),
        legal.post(f"{url}/refresh", {"etag": old}),
    ):
        assert stale.status_code == 412
        assert "reload it and try again" in stale.text and "kept below" not in stale.text
    page = legal.get(url).text
    assert "In review: the text is locked." in page and "version 1" in page


def test_procurement_cannot_generate_or_edit_assessments(
    browser_for: Callable[[str], Browser],
) -> None:
    legal, procurement = browser_for("legal"), browser_for("procurement")
    url = _assessment(legal)
    page = procurement.get(url).text
    assert "Save as version" not in page and "<textarea" not in page.split('id="checklists"')[0]
    assert procurement.post(f"{url}/edit", {"etag": "x"}).status_code == 403
    review = procurement.get("/reviews/1").text
    assert "Generate assessment" not in review


# ---------------------------------------------------------------------------- assistant


def test_the_assistant_answers_without_javascript_with_linked_citations(
    browser_for: Callable[[str], Browser],
) -> None:
    viewer = browser_for("viewer")
    response = viewer.post("/assistant", {"message": "Where does Umeng process data?"})
    assert response.status_code == 303
    page = viewer.get(response.headers["Location"].split("#")[0]).text
    assert "Where does Umeng process data?" in page
    assert re.search(r'<a href="/vendors/[a-z0-9-]*umeng[a-z0-9-]*">', page)
    empty = viewer.post("/assistant", {"message": ""})
    assert empty.status_code == 422 and 'id="error-summary"' in empty.text


# ---------------------------------------------------------------------------- admin


def test_admin_manages_users_and_tokens_and_legal_reads_the_audit_log(
    browser_for: Callable[[str], Browser],
) -> None:
    admin = browser_for("admin")
    created = admin.post("/admin/users", {"email": "new@example.test", "role": "legal"})
    assert created.status_code == 200 and 'id="initial-password"' in created.text
    again = admin.get("/admin/users").text
    assert "new@example.test" in again and 'id="initial-password"' not in again
    bad = admin.post("/admin/users", {"email": "not-an-email", "role": "legal"})
    assert bad.status_code == 422 and "Not a valid email address." in bad.text
    token = admin.post("/me/tokens", {"name": "CI export"})
    found = re.search(r'id="new-token">([^<]+)<', token.text)
    assert found is not None and found.group(1).startswith("xb_")
    assert found.group(1) not in admin.get("/me").text
    legal = browser_for("legal")
    audit = legal.get("/admin/audit?object_type=user").text
    assert "new@example.test" in audit
    assert legal.get("/admin/users").status_code == 403
    header = legal.get("/").text.split("<main", 1)[0]
    assert "/admin/audit" in header and "/admin/users" not in header


def test_a_user_form_from_an_older_page_answers_412_and_changes_nothing(
    browser_for: Callable[[str], Browser],
) -> None:
    """The admin's user forms carry the user's ETag: a form from before someone else changed
    the user is refused with the user page's message, and the user keeps the other change."""
    admin = browser_for("admin")
    created = admin.post("/admin/users", {"email": "new@example.test", "role": "legal"})
    assert created.status_code == 200

    def row() -> str:
        found = re.search(
            r"<tr>\s*<td>new@example\.test</td>.*?</tr>", admin.get("/admin/users").text, re.S
        )
        assert found is not None
        return found.group(0)

    shown = row()
    action = re.search(r'action="(/admin/users/[0-9]+)"', shown)
    assert action is not None
    old = form_etag(shown)
    assert admin.post(action.group(1), {"etag": old, "role": "viewer"}).status_code == 303
    stale = admin.post(action.group(1), {"etag": old, "role": "admin"})
    assert stale.status_code == 412
    assert "Someone changed this user since you opened the page" in stale.text
    assert 'value="viewer" selected' in row()


def test_saving_an_untouched_vendor_form_changes_nothing(
    browser_for: Callable[[str], Browser],
) -> None:
    legal = browser_for("legal")
    page = legal.get("/vendors/firebase/edit").text
    fields: dict[str, Any] = {}
    for name, value in re.findall(
        r'<input id="[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', page
    ):
        fields[name] = html.unescape(value)
    for name, value in re.findall(r'name="([^"]+)" rows="\d+"[^>]*>([^<]*)</textarea>', page):
        fields[name] = html.unescape(value)  # what a browser submits for the field's text
    for name in re.findall(r'<select id="[^"]+" name="([^"]+)"', page):
        block = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        chosen = re.search(r'<option value="([^"]*)" selected>', block)
        fields[name] = chosen.group(1) if chosen else ""
    for name in ("data_categories", "purposes", "certifications", "transfer_mechanisms"):
        fields[name] = re.findall(rf'name="{name}" value="([^"]+)" checked', page)
    fields["etag"] = form_etag(page)
    assert legal.post("/vendors/firebase/edit", fields).status_code == 303
    history = legal.get("/admin/audit?object_type=vendor&object_id=firebase").text
    assert "0 events" in history


class _Controls(HTMLParser):
    """Form controls and the ids that a <label for> names."""

    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.controls: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        if tag in ("input", "select", "textarea") and found.get("type") not in ("hidden",):
            self.controls.append(found)


def test_every_form_control_has_a_label(browser_for: Callable[[str], Browser]) -> None:
    admin = browser_for("admin")
    url = _assessment(admin)
    for page in (*ADMIN_PAGES, "/vendors/new", url):
        parser = _Controls()
        parser.feed(admin.get(page).text)
        unlabelled = [
            c
            for c in parser.controls
            if c.get("id") not in parser.labelled and not c.get("aria-label")
        ]
        assert not unlabelled, (page, unlabelled[:3])


def test_review_workflow_buttons(browser_for: Callable[[str], Browser]) -> None:
    owner, other = browser_for("procurement"), browser_for("procurement")
    url = owner.post("/reviews/new", FIREBASE_REVIEW).headers["Location"]
    page = owner.get(url).text
    assert "Mark draft" in page and "Mark closed" in page and "Mark approved" not in page
    assert '<button class="button quiet" type="submit">Mark closed</button>' in page
    assert '<button class="button" type="submit">Mark draft</button>' in page
    tag = form_etag(page)
    assert owner.post(f"{url}/status", {"etag": tag, "status": "draft"}).status_code == 303
    assert "Draft" in owner.get(url).text
    assert owner.post(f"{url}/status", {"etag": tag, "status": "submitted"}).status_code == 412
    assert owner.post(f"{url}/evaluate").status_code == 303
    assert "3 evaluations" in owner.get(url).text  # create, update, evaluate
    assert "Evaluate again" not in other.get(url).text
    assert other.post(f"{url}/evaluate").status_code == 403


def test_sign_in_never_redirects_to_another_site(catalog_app: Flask) -> None:
    with catalog_app.app_context(), session_scope() as session:
        create_user(session=session, email="li@example.test", role="viewer", password=PASSWORD)
    for target, expected in (
        ("//evil.example/x", "/"),
        ("https://evil.example", "/"),
        ("/vendors?q=umeng", "/vendors?q=umeng"),
    ):
        browser = Browser(catalog_app.test_client())
        browser.get("/login")
        response = browser.post(
            "/login", {"email": "li@example.test", "password": PASSWORD, "next": target}
        )
        assert response.status_code == 303 and response.headers["Location"] == expected


def test_out_of_date_assessment_is_refreshed_in_one_click(
    legal_assessment: tuple[Browser, str],
) -> None:
    legal, url = legal_assessment
    page = legal.get(url).text
    assert "Out of date" not in page
    assert "Likelihood basis: baseline 2" in page  # each generated rating shows its reasoning
    # Re-evaluate the review with other facts (the API, with the session's CSRF token).
    review_id = re.search(r'href="/reviews/(\d+)"', page)
    assert review_id is not None
    api = f"/api/v1/reviews/{review_id.group(1)}"
    etag = legal.client.get(api).headers["ETag"]
    change = {"transfer": {"data_subjects": [{"jurisdiction": "CN", "count": 50_000}]}}
    changed = legal.client.patch(
        api, json=change, headers={"If-Match": etag, "X-CSRF-Token": legal.csrf}
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    page = legal.get(url).text
    assert "Out of date" in page and "Refresh from the latest evaluation" in page
    refresh_form = re.search(r'action="[^"]+/refresh">.*?</form>', page, re.S)
    assert refresh_form is not None
    refreshed = legal.post(f"{url}/refresh", {"etag": form_etag(refresh_form.group(0))})
    assert refreshed.status_code == 303 and "diff?from=1&to=2" in refreshed.headers["Location"]
    diff = legal.get(refreshed.headers["Location"]).text
    assert "50,000" in diff
    assert "Out of date" not in legal.get(url).text
