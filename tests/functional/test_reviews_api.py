"""The review API as procurement and legal meet it: file, read, change, evaluate, errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import col

from service.api_examples import ACTIVITY_FACTS, TRANSFER
from service.audit.models import AuditEvent
from service.db import session_scope
from service.reference.services import get_reference
from service.reviews.models import Review, ReviewEvaluation
from service.vendors.services import get_vendor, update_vendor
from tests.helpers import Headers, add_vendor, assert_problem, bearer_users, race_two_patches

URL = "/api/v1/reviews"
JUS = TRANSFER["exporter"]  # the golden Jus/Firebase scenario's exporter


def transfer(
    cn: int = 2_000_000,
    categories: tuple[str, ...] = ("identifiers.device",),
    exporter: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A review's transfer: people in mainland China (and the EU) to the review's vendor."""
    return {
        "exporter": exporter or JUS,
        "data_subjects": [
            {"jurisdiction": "CN", "count": cn},
            {"jurisdiction": "EU", "count": 300},
        ],
        "data_categories": list(categories),
        "purposes": ["analytics"],
        "important_data": False,
        **extra,
    }


def review_body(vendor: str = "cloudy", **kw: Any) -> dict[str, Any]:
    return {
        "vendor": vendor,
        "transfer": transfer(**kw),
        "purpose": "Crash analytics for the messaging app",
        "business_owner": "Mobile team",
    }


def rows(app: Flask) -> tuple[int, int, int]:
    """Reviews, evaluations and audit events in the database."""
    with app.app_context(), session_scope() as session:
        counts = [
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (Review, ReviewEvaluation, AuditEvent)
        ]
        return counts[0], counts[1], counts[2]


@contextmanager
def writes_nothing(app: Flask) -> Iterator[None]:
    """The block leaves the numbers of reviews, evaluations and audit events as they were."""
    before = rows(app)
    yield
    assert rows(app) == before


def audit_actions(app: Flask, review_id: int) -> list[str]:
    with app.app_context(), session_scope() as session:
        return list(
            session.execute(
                select(col(AuditEvent.action))
                .where(
                    col(AuditEvent.object_type) == "review",
                    col(AuditEvent.object_id) == str(review_id),
                )
                .order_by(col(AuditEvent.id))
            ).scalars()
        )


# A US cloud: a processor, DPF-certified.
CLOUDY: dict[str, Any] = {
    "slug": "cloudy",
    "name": "Cloudy",
    "hq_country": "US",
    "processing_countries": ["US"],
    "legal_entities": [{"name": "Cloudy, Inc.", "country": "US"}],
    "default_role": "processor",
    "dpf_certified": True,
}

# An ad network sunset since 2022.
OLD_ADS: dict[str, Any] = {
    "slug": "old-ads",
    "name": "Old Ads",
    "hq_country": "US",
    "processing_countries": ["US"],
    "status": {"value": "sunset", "since": date(2022, 1, 1), "note": "Retired."},
}


@pytest.fixture
def vendors(app: Flask) -> None:
    """A US cloud (processor, DPF-certified) and a sunset ad network."""
    add_vendor(app, **CLOUDY)
    add_vendor(app, **OLD_ADS)


@pytest.fixture
def users(app: Flask) -> dict[str, dict[str, str]]:
    """Headers for two procurement users, legal, admin and a viewer, by name."""
    return bearer_users(
        app,
        (
            ("alice", "procurement"),
            ("bob", "procurement"),
            ("lee", "legal"),
            ("ada", "admin"),
            ("vic", "viewer"),
        ),
    )


@pytest.fixture
def filed(client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A review alice filed: 2,000,000 people in mainland China to a US cloud."""
    response = client.post(URL, json=review_body(), headers=users["alice"])
    assert response.status_code == 201, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    body["etag"] = response.headers["ETag"]
    return body


def patch(
    client: FlaskClient,
    review: dict[str, Any],
    body: Any,
    headers: dict[str, str],
    etag: str | None = None,
) -> Any:
    current = etag or client.get(f"{URL}/{review['id']}", headers=headers).headers["ETag"]
    return client.patch(
        f"{URL}/{review['id']}", json=body, headers={**headers, "If-Match": current}
    )


# ---------------------------------------------------------------------------- happy paths


def test_file_a_review_and_read_its_evaluation(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    assert filed["status"] == "draft" and filed["requester"] == "alice@example.test"
    assert filed["vendor"] == {
        "slug": "cloudy",
        "name": "Cloudy",
        "status": "active",
        "archived": False,
    }
    assert filed["verdicts"] == {
        "CN": "approval_required",
        "EU": "permitted",
        "US": "not_applicable",
    }
    cn = filed["evaluation"]["regimes"]["CN"]
    assert cn["mechanism"] == "cn_security_assessment"
    assert cn["rules"] and all(r["citation"] and r["explanation"] for r in cn["rules"])
    assert filed["evaluation_count"] == 1 and filed["rules_version"]
    assert filed["warnings"] == []
    read = client.get(f"{URL}/{filed['id']}", headers=users["vic"])
    assert read.status_code == 200 and read.headers["ETag"] == filed["etag"]
    assert read.get_json()["evaluation"] == filed["evaluation"]
    assert audit_actions(app, filed["id"]) == ["create"]


def test_patch_re_evaluates_and_keeps_the_history(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    # 50,000 people's device ids: below every PRC threshold -> exempt.
    change = {"transfer": {"data_subjects": [{"jurisdiction": "CN", "count": 50_000}]}}
    response = patch(client, filed, change, users["alice"], etag=filed["etag"])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["ETag"] != filed["etag"]
    assert body["verdicts"]["CN"] == "permitted"
    assert body["evaluation"]["regimes"]["CN"]["mechanism"] == "cn_exempt"
    assert body["transfer"]["exporter"] == JUS  # merge patch: the rest is kept
    assert body["evaluation_count"] == 2
    history = client.get(f"{URL}/{filed['id']}/evaluations", headers=users["vic"]).get_json()
    assert history["total"] == 2
    assert [e["reason"] for e in history["items"]] == ["update", "create"]
    assert [e["seq"] for e in history["items"]] == [2, 1]
    newest, oldest = history["items"]
    assert newest["evaluation"]["regimes"]["CN"]["verdict"] == "permitted"
    assert oldest["evaluation"]["regimes"]["CN"]["verdict"] == "approval_required"
    assert newest["evaluated_by"] == "alice@example.test" and newest["rules_version"]
    assert newest["transfer"]["importer"]["country"] == "US"  # as the engine saw it
    with app.app_context(), session_scope() as session:
        event = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "update")
        ).scalar_one()
        assert event.changes["verdicts"]["before"]["CN"] == "approval_required"
        assert event.changes["verdicts"]["after"]["CN"] == "permitted"
        assert "transfer" in event.changes


def test_evaluate_on_demand_adds_to_the_history(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    response = client.post(f"{URL}/{filed['id']}/evaluate", headers=users["lee"])
    assert response.status_code == 200
    assert response.get_json()["evaluation_count"] == 2
    assert response.headers["ETag"] != filed["etag"]
    history = client.get(f"{URL}/{filed['id']}/evaluations?per_page=1", headers=users["vic"])
    assert history.get_json()["items"][0]["reason"] == "evaluate"
    assert history.get_json()["items"][0]["evaluated_by"] == "lee@example.test"
    assert 'rel="next"' in history.headers["Link"] and history.headers["X-Total-Count"] == "2"
    assert audit_actions(app, filed["id"]) == ["create", "evaluate"]


def test_a_pinned_as_of_replays_that_day(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    body = review_body(cn=150_000, categories=("contact",))
    body["transfer"]["as_of"] = "2024-03-21"
    review = client.post(URL, json=body, headers=users["alice"]).get_json()
    assert review["as_of"] == "2024-03-21"
    assert review["evaluation"]["regimes"]["CN"]["mechanism"] == "cn_security_assessment"
    unpinned = patch(client, review, {"transfer": {"as_of": None}}, users["alice"]).get_json()
    assert unpinned["evaluation"]["regimes"]["CN"]["mechanism"] == "cn_standard_contract"
    assert "as_of" not in unpinned["transfer"]


def test_the_same_exporters_other_reviews_fill_cn_outbound_ytd(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    # 60,000 people alone is below the 100,000 standard-contract threshold; 60,000 + 60,000
    # since 1 January is not.
    first = client.post(URL, json=review_body(cn=60_000), headers=users["alice"]).get_json()
    assert first["evaluation"]["regimes"]["CN"]["mechanism"] == "cn_exempt"
    assert first["cn_outbound_ytd"]["non_sensitive"] == 0
    second = client.post(URL, json=review_body(cn=60_000), headers=users["bob"]).get_json()
    ytd = second["cn_outbound_ytd"]
    assert (ytd["non_sensitive"], ytd["sensitive"], ytd["source"]) == (60_000, 0, "other_reviews")
    assert ytd["reviews"] == [first["id"]] and ytd["review_count"] == 1
    assert "upper bound" in ytd["note"]
    cn = second["evaluation"]["regimes"]["CN"]
    assert (cn["verdict"], cn["mechanism"]) == ("mechanism_required", "cn_standard_contract")
    history = client.get(f"{URL}/{second['id']}/evaluations", headers=users["vic"]).get_json()
    engine_saw = history["items"][0]["transfer"]["exporter"]["cn_outbound_ytd"]
    assert engine_saw == {"non_sensitive": 60_000, "sensitive": 0}

    # Biometric data is sensitive PI: it counts on the sensitive side.
    third = client.post(
        URL, json=review_body(cn=1_000, categories=("biometric",)), headers=users["bob"]
    ).get_json()
    assert third["cn_outbound_ytd"]["non_sensitive"] == 120_000
    refreshed = client.post(f"{URL}/{first['id']}/evaluate", headers=users["alice"]).get_json()
    assert refreshed["cn_outbound_ytd"]["non_sensitive"] == 60_000
    assert refreshed["cn_outbound_ytd"]["sensitive"] == 1_000
    assert refreshed["cn_outbound_ytd"]["reviews"] == [second["id"], third["id"]]

    # Another exporter's reviews do not count; a declared figure wins.
    other = review_body(cn=60_000, exporter={"name": "Other Co", "country": "CN"})
    assert (
        client.post(URL, json=other, headers=users["bob"]).get_json()["cn_outbound_ytd"][
            "non_sensitive"
        ]
        == 0
    )
    declared = review_body(cn=60_000)
    declared["transfer"]["exporter"] = {**JUS, "cn_outbound_ytd": {"non_sensitive": 10}}
    body = client.post(URL, json=declared, headers=users["bob"]).get_json()
    assert body["cn_outbound_ytd"]["source"] == "declared"
    assert body["evaluation"]["regimes"]["CN"]["mechanism"] == "cn_exempt"

    # A closed review no longer counts.
    closed = patch(client, second, {"status": "closed"}, users["bob"])
    assert closed.status_code == 200
    again = client.post(f"{URL}/{first['id']}/evaluate", headers=users["alice"]).get_json()
    assert again["cn_outbound_ytd"]["reviews"] == [third["id"], body["id"]]


@pytest.mark.parametrize(
    ("earlier", "later", "counted"),
    [
        ("2025-12-31", "2026-01-02", False),  # Order No. 16: the window restarts on 1 January
        ("2023-06-01", "2024-03-01", True),  # Order No. 11: since 1 January of the previous year
        ("2022-12-31", "2024-03-21", False),  # ... but not two years back
    ],
)
def test_the_running_total_resets_with_the_counting_window(
    client: FlaskClient,
    vendors: None,
    users: dict[str, dict[str, str]],
    earlier: str,
    later: str,
    counted: bool,
) -> None:
    first = review_body(cn=60_000)
    first["transfer"]["as_of"] = earlier
    first_id = client.post(URL, json=first, headers=users["alice"]).get_json()["id"]
    second = review_body(cn=60_000)
    second["transfer"]["as_of"] = later
    body = client.post(URL, json=second, headers=users["alice"]).get_json()
    ytd = body["cn_outbound_ytd"]
    assert ytd["reviews"] == ([first_id] if counted else [])
    # Before 22 March 2024 the 300 EU users' PI exported from China counted too.
    assert ytd["non_sensitive"] == (60_300 if counted else 0)
    assert ytd["window_start"] == ("2023-01-01" if later < "2024-03-22" else "2026-01-01")


def test_an_exempt_review_adds_nothing_to_the_running_total(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    hr = review_body(
        cn=90_000,
        categories=("employment",),
        purposes=["hr_management"],
        exemptions=["hr_management"],
    )
    exempt = client.post(URL, json=hr, headers=users["alice"]).get_json()
    assert exempt["evaluation"]["regimes"]["CN"]["mechanism"] == "cn_exempt"
    after = client.post(URL, json=review_body(cn=60_000), headers=users["alice"]).get_json()
    assert after["cn_outbound_ytd"]["non_sensitive"] == 0
    reading = " ".join(r["explanation"] for r in after["evaluation"]["regimes"]["CN"]["rules"])
    assert "not counted towards the totals" in reading


def test_the_dsp_12_month_total_is_kept_per_counterparty(
    app: Flask, client: FlaskClient, users: dict[str, dict[str, str]]
) -> None:
    add_vendor(app, slug="prc-lab", name="PRC Lab", hq_country="CN")
    add_vendor(app, slug="prc-lab-2", name="PRC Lab 2", hq_country="CN")

    def filed(vendor: str, people: int, as_of: str) -> dict[str, Any]:
        body = {
            "vendor": vendor,
            "purpose": "lab work",
            "transfer": {
                "as_of": as_of,
                "exporter": {"name": "US Clinic", "country": "US", "data_broker": False},
                "importer": {"role": "processor"},
                "data_subjects": [{"jurisdiction": "US", "count": people}],
                "data_categories": ["health"],
                "government_related_data": False,
            },
        }
        response = client.post(URL, json=body, headers=users["alice"])
        assert response.status_code == 201, response.get_data(as_text=True)
        result: dict[str, Any] = response.get_json()
        return result

    filed("prc-lab", 9_000, "2025-11-23")
    other_vendor = filed("prc-lab-2", 1_001, "2026-11-22")
    assert other_vendor["evaluation"]["regimes"]["US"]["verdict"] == "permitted"  # below bulk
    same = filed("prc-lab", 1_001, "2026-11-22")  # 9,000 + 1,001 over 12 months: bulk
    us = same["evaluation"]["regimes"]["US"]
    assert (us["verdict"], us["mechanism"]) == ("mechanism_required", "us_doj_cisa_requirements")
    history = client.get(f"{URL}/{same['id']}/evaluations", headers=users["vic"]).get_json()
    assert history["items"][0]["transfer"]["us_prior_12m"] == 9_000
    outside = filed("prc-lab", 1_001, "2026-11-23")  # the 9,000 fell out of the 12 months
    assert outside["evaluation"]["regimes"]["US"]["verdict"] == "permitted"


def test_a_sunset_vendor_warns(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    review = client.post(URL, json=review_body("old-ads"), headers=users["alice"]).get_json()
    assert [w["code"] for w in review["warnings"]] == ["vendor_sunset"]
    assert "Old Ads" in review["warnings"][0]["message"]
    listed = client.get(f"{URL}?vendor=old-ads", headers=users["vic"]).get_json()["items"]
    assert listed[0]["warnings"] == review["warnings"]


def test_a_registry_status_change_shows_at_the_next_read(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    with app.app_context(), session_scope() as session:
        vendor = get_vendor(session=session, slug="cloudy")
        update_vendor(
            session=session,
            vendor=vendor,
            reference=get_reference(),
            changes={"status": {"value": "sanctioned", "since": None, "note": None}},
        )
    review = client.get(f"{URL}/{filed['id']}", headers=users["vic"]).get_json()
    assert [w["code"] for w in review["warnings"]] == ["vendor_sanctioned"]
    assert review["vendor"]["status"] == "sanctioned"


def test_list_filters_sort_and_pages(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    ids = []
    # Three exporters, so that no review's head-count adds to another's.
    for n, (cn, vendor) in enumerate(
        ((2_000_000, "cloudy"), (50_000, "cloudy"), (150_000, "old-ads"))
    ):
        exporter = {"name": f"Ningbo Jus {n}", "country": "CN", "ciio": False}
        body = review_body(vendor, cn=cn, categories=("contact",), exporter=exporter)
        ids.append(client.post(URL, json=body, headers=users["alice"]).get_json()["id"])
    viewer = users["vic"]

    def listed(query: str) -> list[int]:
        response = client.get(f"{URL}?{query}", headers=viewer)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["id"] for r in response.get_json()["items"]]

    assert listed("sort=id") == ids
    assert listed("sort=-id") == ids[::-1]
    assert listed("vendor=old-ads") == [ids[2]]
    assert listed("cn_verdict=approval_required") == [ids[0]]
    assert listed("cn_verdict=permitted") == [ids[1]]
    assert listed("mechanism=cn_standard_contract") == [ids[2]]
    assert listed("mechanism=eu_dpf&sort=id") == ids[:2]  # old-ads: DPF status unknown
    assert listed("status=submitted") == []
    assert listed("exporter=ningbo%20jus&sort=id") == ids
    # Several values of one filter: any of them; filters together: all of them.
    both = "cn_verdict=approval_required&cn_verdict=permitted&sort=id"
    assert listed(both) == ids[:2]
    assert listed(f"{both}&mechanism=cn_standard_contract&mechanism=eu_dpf") == ids[:2]
    assert listed("status=draft&status=submitted&sort=id") == ids
    assert listed("verdict=approval_required") == [ids[0]]  # in any regime, once
    bad = client.get(f"{URL}?status=draft&status=lost", headers=viewer)
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    page = client.get(f"{URL}?per_page=2&sort=id", headers=viewer)
    assert page.get_json()["total"] == 3 and page.headers["X-Total-Count"] == "3"
    assert [r["id"] for r in page.get_json()["items"]] == ids[:2]
    assert 'rel="next"' in page.headers["Link"] and "page=2" in page.headers["Link"]


def test_lifecycle_draft_to_approved_to_closed(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    steps = [("alice", "submitted"), ("lee", "in_review"), ("lee", "approved"), ("alice", "closed")]
    for who, status in steps:
        response = patch(client, filed, {"status": status}, users[who])
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json()["status"] == status
    assert audit_actions(app, filed["id"]) == ["create"] + ["update"] * 4


# ---------------------------------------------------------------------------- roles


def test_viewer_reads_but_cannot_file(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    with writes_nothing(app):
        assert client.get(URL, headers=users["vic"]).status_code == 200
        assert_problem(client.post(URL, json=review_body(), headers=users["vic"]), 403)
        assert_problem(client.post(f"{URL}/{filed['id']}/evaluate", headers=users["vic"]), 403)
        assert_problem(patch(client, filed, {"purpose": "x"}, users["vic"]), 403)


def test_procurement_changes_only_its_own_reviews(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    with writes_nothing(app):
        assert_problem(patch(client, filed, {"purpose": "mine now"}, users["bob"]), 403)
        assert_problem(client.post(f"{URL}/{filed['id']}/evaluate", headers=users["bob"]), 403)
    for who in ("lee", "ada"):
        response = patch(client, filed, {"business_owner": who}, users[who])
        assert response.status_code == 200
    assert client.get(f"{URL}/{filed['id']}", headers=users["bob"]).status_code == 200


def test_procurement_cannot_approve(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    assert patch(client, filed, {"status": "submitted"}, users["alice"]).status_code == 200
    with writes_nothing(app):
        assert_problem(patch(client, filed, {"status": "in_review"}, users["alice"]), 403)


def test_unauthenticated_is_401(client: FlaskClient, filed: dict[str, Any]) -> None:
    assert_problem(client.get(URL), 401)
    assert_problem(client.post(URL, json=review_body()), 401)


# ---------------------------------------------------------------------------- errors


def test_if_match_is_required_and_stale_is_412(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    alice = users["alice"]
    with writes_nothing(app):
        assert_problem(
            client.patch(f"{URL}/{filed['id']}", json={"purpose": "x"}, headers=alice), 428
        )
    assert patch(client, filed, {"purpose": "first"}, alice, etag=filed["etag"]).status_code == 200
    with writes_nothing(app):
        assert_problem(patch(client, filed, {"purpose": "lost"}, alice, etag=filed["etag"]), 412)
    assert client.get(f"{URL}/{filed['id']}", headers=alice).get_json()["purpose"] == "first"


def test_concurrent_patches_with_one_etag_lose_no_update(
    app: Flask, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    url = f"{URL}/{filed['id']}"
    winner = race_two_patches(app, url, "purpose", users["lee"], filed["etag"])
    final = app.test_client().get(f"{URL}/{filed['id']}", headers=users["lee"]).get_json()
    assert final["purpose"] == winner and final["version"] == 2 and final["evaluation_count"] == 2


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({**review_body(), "vendor": "nope"}, ("vendor",)),
        ({**review_body(), "extra": 1}, ("extra",)),
        ({k: v for k, v in review_body().items() if k != "purpose"}, ("purpose",)),
        ({**review_body(), "status": "approved"}, ("status",)),
        (
            {**review_body(), "transfer": {**transfer(), "data_categories": ["x.y"]}},
            ("transfer", "data_categories"),
        ),
        ({**review_body(), "transfer": {**transfer(), "surprise": True}}, ("transfer", "surprise")),
        (
            {**review_body(), "transfer": {**transfer(), "exporter": {"country": "CN"}}},
            ("transfer", "exporter", "name"),
        ),
        (
            {**review_body(), "transfer": {**transfer(), "importer": {"vendor": "old-ads"}}},
            ("transfer", "importer", "vendor"),
        ),
        ({**review_body(), "transfer": ["not", "an", "object"]}, ("transfer",)),
    ],
)
def test_invalid_reviews_are_422_with_field_errors_and_write_nothing(
    app: Flask,
    client: FlaskClient,
    vendors: None,
    users: dict[str, dict[str, str]],
    body: dict[str, Any],
    path: tuple[str, ...],
) -> None:
    with writes_nothing(app):
        errors: Any = assert_problem(client.post(URL, json=body, headers=users["alice"]), 422)
        for key in ("errors", *path):
            assert key in errors, errors
            errors = errors[key]


def test_invalid_patch_is_422_and_writes_nothing(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    with writes_nothing(app):
        body = assert_problem(
            patch(client, filed, {"transfer": {"data_subjects": [{"count": 5}]}}, users["alice"]),
            422,
        )
        assert "jurisdiction" in body["errors"]["transfer"]["data_subjects"]["0"]
        body = assert_problem(patch(client, filed, {"vendor": "nope"}, users["alice"]), 422)
        assert "vendor" in body["errors"]
        assert_problem(patch(client, filed, {"status": "paused"}, users["alice"]), 422)


def test_bad_transitions_and_read_only_reviews_are_409(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    lee = users["lee"]
    with writes_nothing(app):
        body = assert_problem(patch(client, filed, {"status": "approved"}, lee), 409)
        assert "status" in body["errors"]
    for status in ("submitted", "in_review", "approved"):
        assert patch(client, filed, {"status": status}, lee).status_code == 200
    with writes_nothing(app):
        assert_problem(patch(client, filed, {"purpose": "changed after approval"}, lee), 409)
    assert patch(client, filed, {"status": "closed"}, lee).status_code == 200
    with writes_nothing(app):
        assert_problem(patch(client, filed, {"status": "draft"}, lee), 409)
        assert_problem(client.post(f"{URL}/{filed['id']}/evaluate", headers=lee), 409)


def test_unknown_review_is_404(
    app: Flask, client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    lee = users["lee"]
    with writes_nothing(app):
        assert_problem(client.get(f"{URL}/999", headers=lee), 404)
        assert_problem(client.get(f"{URL}/999/evaluations", headers=lee), 404)
        assert_problem(client.post(f"{URL}/999/evaluate", headers=lee), 404)
        assert_problem(
            client.patch(f"{URL}/999", json={"purpose": "x"}, headers={**lee, "If-Match": '"x"'}),
            404,
        )


def test_a_body_over_one_mebibyte_is_413(
    app: Flask, client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    with writes_nothing(app):
        huge = {**review_body(), "purpose": "x" * (1024 * 1024 + 10)}
        assert_problem(client.post(URL, json=huge, headers=users["alice"]), 413)


def test_malformed_json_is_400_and_wrong_type_415(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    alice = users["alice"]
    with writes_nothing(app):
        assert_problem(
            client.post(URL, data="{nope", content_type="application/json", headers=alice), 400
        )
        assert_problem(
            client.post(URL, data="vendor=x", content_type="text/plain", headers=alice), 415
        )
        etag = {"If-Match": filed["etag"]}
        assert_problem(
            client.patch(
                f"{URL}/{filed['id']}",
                data="purpose=x",
                content_type="application/x-www-form-urlencoded",
                headers={**alice, **etag},
            ),
            415,
        )


def test_bad_query_values_are_422(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    body = assert_problem(
        client.get(f"{URL}?cn_verdict=maybe&mechanism=x&per_page=1000", headers=users["vic"]), 422
    )
    assert set(body["errors"]) == {"cn_verdict", "mechanism", "per_page"}


def test_an_empty_patch_changes_nothing(
    app: Flask, client: FlaskClient, filed: dict[str, Any], users: dict[str, dict[str, str]]
) -> None:
    with writes_nothing(app):
        response = patch(client, filed, {}, users["alice"], etag=filed["etag"])
        assert response.status_code == 200 and response.headers["ETag"] == filed["etag"]


# ---------------------------------------------------------------------------- the seed companies

SEED_SETUPS: list[tuple[str, str, dict[str, Any], dict[str, tuple[str, str | None]]]] = [
    (
        "003 JusTalk -> Firebase (analytics, crash reports)",
        "firebase",
        ACTIVITY_FACTS,  # the golden Jus/Firebase transfer, its importer the vendor
        {"CN": ("approval_required", "cn_security_assessment")},
    ),
    (
        "003 JusTalk -> Umeng+ (EU users' device ids to the PRC)",
        "umeng",
        {
            "exporter": JUS,
            "data_subjects": [
                {"jurisdiction": "CN", "count": 2_000_000},
                {"jurisdiction": "EU", "count": 300_000},
            ],
            "data_categories": ["identifiers.device", "usage.app_activity"],
            "purposes": ["analytics"],
        },
        # Issue 13: whether the app targets EU users is unstated, and Umeng needs the device ids
        # in clear text in China (EDPB Use Case 6): provisionally "do not transfer".
        {"CN": ("not_applicable", None), "EU": ("prohibited", "eu_no_transfer")},
    ),
    (
        "000 JustCo (China) -> Mailchimp (EDM, 50,000 members)",
        "mailchimp",
        {
            "exporter": {"name": "JustCo (China)", "country": "CN"},
            "importer": {"role": "processor"},
            "data_subjects": [{"jurisdiction": "CN", "count": 50_000}],
            "data_categories": ["contact"],
            "purposes": ["marketing"],
        },
        # Issue 13: CIIO status and important data unstated -> provisional, the strict branch.
        {"CN": ("approval_required", "cn_security_assessment")},
    ),
    (
        "001 Just Services -> AWS (hosting in the US, DPF)",
        "amazon-web-services",
        {
            "exporter": {"name": "Just Services", "country": "DE"},
            "importer": {
                "name": "Amazon Web Services, Inc.",
                "country": "US",
                "role": "processor",
                "dpf_certified": True,
            },
            "data_subjects": [{"jurisdiction": "EU", "count": 500_000}],
            "data_categories": ["contact", "account", "identifiers.online"],
            "purposes": ["hosting"],
        },
        {"EU": ("permitted", "eu_dpf"), "CN": ("not_applicable", None)},
    ),
    (
        "002 JINGdigital -> Tencent Cloud SMS (stays in the PRC)",
        "tencent-cloud-sms",
        {
            "exporter": {"name": "Shanghai Jingdigital Network Technology", "country": "CN"},
            "importer": {"country": "CN", "role": "processor"},
            "destinations": ["CN"],
            "data_subjects": [{"jurisdiction": "CN", "count": 300_000}],
            "data_categories": ["contact"],
            "purposes": ["sms_verification"],
        },
        {
            "CN": ("not_applicable", None),
            "EU": ("not_applicable", None),
            "US": ("not_applicable", None),
        },
    ),
    (
        "004 Jusseum -> Google Analytics (EU shoppers to Google LLC, DPF)",
        "google-analytics",
        {
            "exporter": {"name": "Jusseum", "country": "DE"},
            "importer": {"role": "processor", "dpf_certified": True},
            "data_subjects": [{"jurisdiction": "EU", "count": 100_000}],
            "data_categories": ["identifiers.online", "usage.browsing"],
            "purposes": ["analytics"],
        },
        {"EU": ("permitted", "eu_dpf")},
    ),
]


@pytest.mark.parametrize(
    ("label", "vendor", "transfer_json", "expected"), SEED_SETUPS, ids=[s[0] for s in SEED_SETUPS]
)
def test_procurement_files_each_seed_companys_set_up(
    catalog_app: Flask,
    auth: Headers,
    label: str,
    vendor: str,
    transfer_json: dict[str, Any],
    expected: dict[str, tuple[str, str | None]],
) -> None:
    client = catalog_app.test_client()
    body = {"vendor": vendor, "transfer": transfer_json, "purpose": label, "status": "submitted"}
    response = client.post(URL, json=body, headers=auth("procurement"))
    assert response.status_code == 201, response.get_data(as_text=True)
    review = response.get_json()
    for regime, (verdict, mechanism) in expected.items():
        result = review["evaluation"]["regimes"][regime]
        assert (result["verdict"], result["mechanism"]) == (verdict, mechanism), result["why"]
        if result["applies"]:
            assert result["rules"] and all(r["citation"] for r in result["rules"])
    assert review["vendor"]["slug"] == vendor and review["status"] == "submitted"


def test_mopub_in_the_catalog_is_sunset_and_warns(catalog_app: Flask, auth: Headers) -> None:
    client = catalog_app.test_client()
    body = {
        "vendor": "mopub",
        "transfer": {
            "exporter": JUS,
            "data_subjects": [{"jurisdiction": "EU", "count": 300_000}],
            "data_categories": ["identifiers.advertising"],
            "purposes": ["advertising"],
        },
        "purpose": "Ads SDK still in the app",
    }
    review = client.post(URL, json=body, headers=auth("procurement")).get_json()
    assert [w["code"] for w in review["warnings"]] == ["vendor_sunset"]
    assert review["warnings"][0]["message"].startswith("MoPub")
