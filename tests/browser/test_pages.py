"""More of the UI in a real browser: a phone without JavaScript, a full portfolio, an edit
conflict, and the admin pages; every page is saved as a screenshot for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.auth.services import get_user_by_email
from service.db import session_scope
from service.reviews.services import create_review
from service.transfers.services import get_rulebook, today

pytestmark = pytest.mark.browser

Page = Any
PHONE = {"width": 390, "height": 844}

PORTFOLIO = [
    (
        "firebase",
        "CN",
        "Ningbo Jus Internet Technology",
        [("CN", 2_000_000)],
        ["identifiers.device"],
    ),
    (
        "umeng",
        "DE",
        "Berlin Apps GmbH",
        [("EU", 400_000)],
        ["identifiers.device", "usage.app_activity"],
    ),
    (
        "stripe",
        "US",
        "Acme Commerce Inc.",
        [("US", 250_000), ("EU", 50_000)],
        ["financial.payment_card", "contact"],
    ),
    ("firebase", "DE", "Berlin Apps GmbH", [("EU", 90_000)], ["usage.diagnostics"]),
    (
        "umeng",
        "US",
        "Acme Commerce Inc.",
        [("US", 2_000_000)],
        ["location.precise", "identifiers.advertising"],
    ),
]


def test_a_phone_without_javascript_files_a_review(
    page_as: Callable[..., Page],
    shoot: Callable[[Page, str], Path],
) -> None:
    page = page_as("procurement", **PHONE, java_script_enabled=False)
    shoot(page, "phone-01-home")
    page.goto("/reviews/new")
    page.get_by_role("textbox", name="Vendor", exact=True).fill("Firebase")
    page.get_by_label("What will the vendor do for you?").fill("Crash reporting")
    page.get_by_label("Company name").fill("Ningbo Jus Internet Technology")
    page.get_by_label("Established in").select_option("CN")
    page.get_by_label("Where (group 1)").select_option("CN")
    page.get_by_label("How many people (group 1)").fill("two million")
    page.get_by_label("Device identifiers").check()
    page.get_by_role("button", name="File review and see the result").click()
    # The server's validation comes back next to the field, with everything else kept.
    assert "Not a valid integer." in page.locator(".field-error").first.inner_text()
    assert page.get_by_label("Company name").input_value() == "Ningbo Jus Internet Technology"
    assert page.get_by_label("Device identifiers").is_checked()
    shoot(page, "phone-02-review-form-errors")
    page.get_by_label("How many people (group 1)").fill("2000000")
    page.get_by_role("button", name="File review and see the result").click()
    page.wait_for_url(re.compile(r".*/reviews/\d+$"))
    assert page.get_by_text("CAC security assessment").first.is_visible()
    shoot(page, "phone-03-review-result")
    page.goto("/vendors?q=umeng")
    shoot(page, "phone-04-vendor-search")


def test_portfolio_heat_map_with_several_reviews(
    catalog_app: Flask,
    users: dict[str, str],
    page_as: Callable[..., Page],
    shoot: Callable[[Page, str], Path],
) -> None:
    with catalog_app.app_context(), session_scope() as session:
        user = get_user_by_email(session=session, email=users["legal"])
        for vendor, country, exporter, people, data in PORTFOLIO:
            transfer = {
                "exporter": {"name": exporter, "country": country},
                "data_subjects": [{"jurisdiction": j, "count": n} for j, n in people],
                "data_categories": data,
                "purposes": ["analytics"],
            }
            create_review(
                session=session,
                data={
                    "vendor": vendor,
                    "transfer": transfer,
                    "purpose": f"{vendor} for {exporter}",
                },
                user=user,
                rulebook=get_rulebook(catalog_app),
                day=today(),
            )
    page = page_as("legal")
    page.goto("/reviews")
    heat = page.locator("table.heatmap")
    assert heat.locator("tbody tr").count() == 3
    shoot(page, "13-portfolio-heat-map")
    heat.locator("tbody tr", has_text="Umeng").locator("td.heat").nth(1).locator("a").click()
    assert "/reviews?" in page.url and "vendor=umeng" in page.url
    shoot(page, "14-portfolio-filtered")
    phone = page_as("viewer", **PHONE)
    phone.goto("/reviews")
    shoot(phone, "phone-05-portfolio")


def test_two_editors_one_vendor_the_second_sees_a_friendly_conflict(
    page_as: Callable[..., Page],
    shoot: Callable[[Page, str], Path],
) -> None:
    first, second = page_as("legal"), page_as("legal")
    for page in (first, second):
        page.goto("/vendors/firebase/edit")
    shoot(first, "15-vendor-edit")
    second.get_by_label("Description").fill("Changed by a colleague.")
    second.get_by_role("button", name="Save changes").click()
    second.wait_for_url("**/vendors/firebase")
    first.get_by_label("Description").fill("My careful edit.")
    first.get_by_role("button", name="Save changes").click()
    assert "Someone changed this vendor" in first.locator("#conflict").inner_text()
    assert first.get_by_label("Description").input_value() == "My careful edit."
    shoot(first, "16-vendor-edit-conflict")


def test_admin_pages(
    page_as: Callable[..., Page],
    shoot: Callable[[Page, str], Path],
) -> None:
    page = page_as("admin")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_label("Email").fill("wang.fang@example.test")
    page.locator("#f-role").select_option("legal")
    page.get_by_role("button", name="Add user").click()
    assert page.locator("#initial-password").inner_text().strip()
    shoot(page, "17-admin-users")
    page.get_by_role("link", name=re.compile("Admin User")).click()
    page.get_by_label("Name").fill("CI export")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("xb_")
    shoot(page, "18-my-tokens")
    page.goto("/me")
    assert page.locator("#new-token").count() == 0
    assert page.locator("table").get_by_text("CI export").count() == 1
    page.get_by_role("link", name="Audit log").click()
    assert "wang.fang@example.test" in page.locator(".timeline").inner_text()
    shoot(page, "19-audit-log")
