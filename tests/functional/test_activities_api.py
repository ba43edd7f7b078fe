"""Processing activities: facts held once, one review per vendor inheriting them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import col

from service.activities.models import Activity
from service.audit.models import AuditEvent
from service.db import session_scope
from service.reviews.models import Review
from service.transfers.services import get_rulebook, today
from tests.functional.test_reviews_api import CLOUDY, JUS
from tests.helpers import add_vendor, assert_problem, bearer_users

URL = "/api/v1/activities"


def facts(
    cn: int = 200_000, categories: tuple[str, ...] = ("identifiers.device",)
) -> dict[str, Any]:
    return {
        "exporter": JUS,
        "data_subjects": [
            {"jurisdiction": "CN", "count": cn},
            {"jurisdiction": "EU", "count": 300},
        ],
        "data_categories": list(categories),
        "purposes": ["analytics"],
    }


@pytest.fixture
def users(app: Flask) -> dict[str, dict[str, str]]:
    """Headers for two procurement users, legal and a viewer, by name."""
    people = (("alice", "procurement"), ("bob", "procurement"), ("lee", "legal"), ("vic", "viewer"))
    return bearer_users(app, people)


@pytest.fixture
def vendors(app: Flask) -> None:
    add_vendor(app, **CLOUDY)
    add_vendor(
        app,
        slug="pushy",
        name="Pushy",
        hq_country="SG",
        processing_countries=["SG"],
        legal_entities=[{"name": "Pushy Pte. Ltd.", "country": "SG"}],
        default_role="processor",
    )


def create(client: FlaskClient, headers: dict[str, str], **extra: Any) -> Any:
    body = {
        "name": "JusTalk app",
        "facts": facts(),
        "vendors": [{"vendor": "cloudy"}, {"vendor": "pushy"}],
        **extra,
    }
    return client.post(URL, json=body, headers=headers)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context(), session_scope() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Activity, Review, AuditEvent)
        )


def get_review(client: FlaskClient, review_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(f"/api/v1/reviews/{review_id}", headers=headers)
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    body["etag"] = response.headers["ETag"]
    return body


def test_an_activity_files_one_review_per_vendor_with_its_facts(
    app: Flask, client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    response = create(client, users["alice"])
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"{URL}/{body['id']}")
    assert [r["vendor"] for r in body["reviews"]] == ["cloudy", "pushy"]
    for short in body["reviews"]:
        review = get_review(client, short["id"], users["alice"])
        assert review["activity"] == body["id"]
        assert review["transfer"]["data_subjects"] == facts()["data_subjects"]
        assert review["transfer"]["exporter"] == JUS
        assert review["evaluation"]["regimes"]["CN"]["applies"] is True
        assert review["purpose"] == "JusTalk app"
    with app.app_context(), session_scope() as session:
        actions = session.execute(select(col(AuditEvent.object_type), col(AuditEvent.action))).all()
    assert ("activity", "create") in actions
    assert sum(1 for a in actions if a == ("review", "create")) == 2


def test_changing_the_activity_re_evaluates_its_reviews_keeping_overrides(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    headers = users["alice"]
    pushy = {"vendor": "pushy", "transfer": {"data_categories": ["contact"]}}
    body = {"name": "JusTalk app", "facts": facts(), "vendors": [{"vendor": "cloudy"}, pushy]}
    created = client.post(URL, json=body, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    activity = created.get_json()
    before = {r["id"]: get_review(client, r["id"], headers) for r in activity["reviews"]}
    assert before[activity["reviews"][1]["id"]]["transfer"]["data_categories"] == ["contact"]

    change = {"facts": {"data_subjects": [{"jurisdiction": "CN", "count": 2_000_000}]}}
    assert_problem(client.patch(f"{URL}/{activity['id']}", json=change, headers=headers), 428)
    assert_problem(
        client.patch(
            f"{URL}/{activity['id']}", json=change, headers={**headers, "If-Match": '"stale"'}
        ),
        412,
    )
    response = client.patch(
        f"{URL}/{activity['id']}",
        json=change,
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert sorted(response.get_json()["reviews_updated"]) == sorted(before)
    assert response.headers["ETag"] != created.headers["ETag"]
    for review_id, old in before.items():
        new = get_review(client, review_id, headers)
        assert new["transfer"]["data_subjects"] == [{"jurisdiction": "CN", "count": 2_000_000}]
        assert new["transfer"]["data_categories"] == old["transfer"]["data_categories"]
        assert new["evaluation_count"] > old["evaluation_count"]
        # The other review's 2,000,000 people count towards this one's PRC running total.
        assert new["cn_outbound_ytd"]["source"] == "other_reviews"
        assert new["cn_outbound_ytd"]["review_count"] == 1
        sibling = next(r for r in before if r != review_id)
        assert new["cn_outbound_ytd"]["reviews"] == [sibling]


def test_a_review_in_an_activity_patches_its_overrides(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    headers = users["alice"]
    activity = create(client, headers).get_json()
    review = get_review(client, activity["reviews"][0]["id"], headers)
    response = client.patch(
        f"/api/v1/reviews/{review['id']}",
        json={"transfer": {"purposes": ["crash_reporting"]}},
        headers={**headers, "If-Match": review["etag"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["activity_overrides"] == {"purposes": ["crash_reporting"]}
    assert response.get_json()["transfer"]["purposes"] == ["crash_reporting"]
    # A later activity change keeps the override and takes the rest.
    current = client.get(f"{URL}/{activity['id']}", headers=headers)
    changed = client.patch(
        f"{URL}/{activity['id']}",
        json={"facts": {"purposes": ["advertising"], "data_categories": ["contact"]}},
        headers={**headers, "If-Match": current.headers["ETag"]},
    )
    assert changed.status_code == 200, changed.get_data(as_text=True)
    after = get_review(client, review["id"], headers)
    assert after["transfer"]["purposes"] == ["crash_reporting"]
    assert after["transfer"]["data_categories"] == ["contact"]


def test_approved_reviews_keep_their_facts_and_are_named(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    activity = create(client, users["alice"]).get_json()
    approved_id = activity["reviews"][0]["id"]
    for status in ("submitted", "in_review", "approved"):
        review = get_review(client, approved_id, users["lee"])
        moved = client.patch(
            f"/api/v1/reviews/{approved_id}",
            json={"status": status},
            headers={**users["lee"], "If-Match": review["etag"]},
        )
        assert moved.status_code == 200, moved.get_data(as_text=True)
    kept = get_review(client, approved_id, users["lee"])
    current = client.get(f"{URL}/{activity['id']}", headers=users["lee"])
    response = client.patch(
        f"{URL}/{activity['id']}",
        json={"facts": {"purposes": ["advertising"]}},
        headers={**users["lee"], "If-Match": current.headers["ETag"]},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["reviews_updated"] == [activity["reviews"][1]["id"]]
    assert "approved" in body["reviews_not_updated"][str(approved_id)]
    assert get_review(client, approved_id, users["lee"])["transfer"] == kept["transfer"]


def test_bad_input_is_refused_and_nothing_is_written(
    app: Flask, client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    before = counts(app)
    no_exporter = {"name": "X", "facts": {"data_categories": ["identifiers.device"]}}
    body = assert_problem(client.post(URL, json=no_exporter, headers=users["alice"]), 422)
    assert "name" in body["errors"]["facts"]["exporter"]
    stray = {"name": "X", "facts": {**facts(), "importer": {"country": "US"}}}
    body = assert_problem(client.post(URL, json=stray, headers=users["alice"]), 422)
    assert "importer" in body["errors"]["facts"]
    bad_category = {"name": "X", "facts": facts(categories=("no.such.category",))}
    body = assert_problem(client.post(URL, json=bad_category, headers=users["alice"]), 422)
    assert "data_categories" in body["errors"]["facts"]
    unknown_vendor = {
        "name": "X",
        "facts": facts(),
        "vendors": [{"vendor": "cloudy"}, {"vendor": "nobody"}],
    }
    body = assert_problem(client.post(URL, json=unknown_vendor, headers=users["alice"]), 422)
    assert "vendor" in body["errors"]["vendors"]["1"]
    twice = {"name": "X", "facts": facts(), "vendors": [{"vendor": "cloudy"}, {"vendor": "cloudy"}]}
    assert_problem(client.post(URL, json=twice, headers=users["alice"]), 422)
    assert_problem(client.post(URL, data="name=x", headers=users["alice"]), 415)
    assert counts(app) == before


def test_roles(client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]) -> None:
    assert_problem(create(client, users["vic"]), 403)
    created = create(client, users["alice"])
    activity = created.get_json()
    assert client.get(f"{URL}/{activity['id']}", headers=users["vic"]).status_code == 200
    listed = client.get(URL, headers=users["vic"], query_string={"vendor": "pushy"})
    assert [a["id"] for a in listed.get_json()["items"]] == [activity["id"]]
    assert listed.get_json()["items"][0]["review_count"] == 2
    assert (
        client.get(URL, headers=users["vic"], query_string={"q": "nothing"}).get_json()["items"]
        == []
    )
    change = {"name": "Renamed"}
    etag = {"If-Match": created.headers["ETag"]}
    assert_problem(
        client.patch(f"{URL}/{activity['id']}", json=change, headers={**users["bob"], **etag}), 403
    )
    assert_problem(
        client.post(
            f"{URL}/{activity['id']}/vendors",
            json={"vendors": [{"vendor": "cloudy"}]},
            headers=users["bob"],
        ),
        403,
    )
    renamed = client.patch(f"{URL}/{activity['id']}", json=change, headers={**users["lee"], **etag})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Renamed"
    assert_problem(client.get(f"{URL}/999999", headers=users["vic"]), 404)


def test_adding_a_vendor_already_open_in_the_activity_is_a_conflict(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    activity = create(client, users["alice"]).get_json()
    response = client.post(
        f"{URL}/{activity['id']}/vendors",
        json={"vendors": [{"vendor": "cloudy"}]},
        headers=users["alice"],
    )
    assert_problem(response, 409)


def test_overview_heat_map_prc_total_unknowns_and_policy_gaps(
    app: Flask, client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    disclosures = {
        "source": "privacy.html",
        "vendors": [
            {"slug": "cloudy", "name": "Cloudy", "sentence": "We use Cloudy."},
            {"slug": "adsy", "name": "Adsy", "sentence": "Adsy shows ads."},
        ],
        "data_categories": [
            {"id": "identifiers.device", "sentence": "We collect device IDs."},
            {"id": "location.precise", "sentence": "We collect GPS location."},
        ],
    }
    created = create(client, users["alice"], disclosures=disclosures)
    activity = created.get_json()
    response = client.get(f"{URL}/{activity['id']}/overview", headers=users["vic"])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    reviews = {r["id"]: get_review(client, r["id"], users["vic"]) for r in activity["reviews"]}
    for row in body["heat_map"]:
        review = reviews[row["review"]]
        for regime in ("CN", "EU", "US"):
            assert row["cells"][regime]["verdict"] == review["verdicts"][regime]
    expected_questions = sorted(
        (rid, regime, q)
        for rid, r in reviews.items()
        for regime, result in r["evaluation"]["regimes"].items()
        for q in result["questions"]
    )
    assert sorted((u["review"], u["regime"], u["question"]) for u in body["unknown"]) == (
        expected_questions
    )
    with app.app_context(), session_scope() as session:
        rows = session.execute(select(Review)).scalars().all()
        non = sum(r.cn_outbound_non_sensitive for r in rows)
        sen = sum(r.cn_outbound_sensitive for r in rows)
        params = get_rulebook().rules.active("CN", today()).params
    prc = body["prc"]
    assert (prc["non_sensitive"], prc["sensitive"]) == (non, sen)
    assert non > 0  # two reviews of 200,000 people in mainland China each
    by_param = {t["param"]: t for t in prc["thresholds"]}
    assert by_param["sc_nonsensitive_min"]["value"] == params["sc_nonsensitive_min"]
    assert by_param["sc_nonsensitive_min"]["reached"] is (non >= params["sc_nonsensitive_min"])
    gaps = body["disclosures"]
    assert [v["slug"] for v in gaps["undisclosed_vendors"]] == ["pushy"]
    assert [v["slug"] for v in gaps["disclosed_without_review"]] == ["adsy"]
    assert gaps["categories_disclosed_not_reviewed"] == ["location.precise"]
    assert gaps["categories_reviewed_not_disclosed"] == []


def test_cli_quotes_the_line_of_a_file_that_is_not_yaml(app: Flask, tmp_path: Any) -> None:
    from service.cli import main

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\n  facts: {data_categories: [contact]}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        main, ["activities", "create", str(bad), "--as", "alice@example.test"]
    )
    assert result.exit_code == 1
    assert f"{bad}: not YAML or JSON (mapping values are not allowed here" in result.output
    assert "line 2, column 8:\n      facts: {data_categories: [contact]}\n" in result.output


def test_cli_creates_lists_and_shows_an_activity(
    app: Flask, tmp_path: Any, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    import json

    from service.cli import main

    runner = app.test_cli_runner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nfacts: {data_categories: [identifiers.device]}\n", encoding="utf-8")
    before = counts(app)
    result = runner.invoke(main, ["activities", "create", str(bad), "--as", "alice@example.test"])
    assert result.exit_code != 0 and "exporter" in result.output
    viewer = runner.invoke(main, ["activities", "create", str(bad), "--as", "vic@example.test"])
    assert viewer.exit_code != 0
    assert counts(app) == before
    good = tmp_path / "activity.json"
    good.write_text(
        json.dumps({"name": "JusTalk app", "facts": facts(), "vendors": [{"vendor": "cloudy"}]}),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["activities", "create", str(good), "--as", "alice@example.test"])
    assert result.exit_code == 0, result.output
    assert "1 reviews (cloudy)" in result.output
    listed = runner.invoke(main, ["activities", "list", "--vendor", "cloudy"])
    assert "JusTalk app" in listed.output and "1 of 1 activities" in listed.output
    with app.app_context(), session_scope() as session:
        activity_id = session.execute(select(col(Activity.id))).scalar_one()
        events = (
            session.execute(
                select(col(AuditEvent.actor)).where(col(AuditEvent.object_type) == "activity")
            )
            .scalars()
            .all()
        )
    assert len(events) == 1 and events[0].startswith("cli")  # the shell user is audited
    shown = json.loads(runner.invoke(main, ["activities", "show", str(activity_id)]).output)
    assert [r["vendor"] for r in shown["reviews"]] == ["cloudy"]
    assert shown["heat_map"][0]["vendor"] == "cloudy"


def test_in_use_lists_only_our_vendors(
    client: FlaskClient, vendors: None, users: dict[str, dict[str, str]]
) -> None:
    add = {"vendors": [{"vendor": "pushy"}]}
    body = {"name": "Push only", "facts": facts(), **add}
    assert client.post(URL, json=body, headers=users["alice"]).status_code == 201
    everything = client.get("/api/v1/vendors", headers=users["vic"]).get_json()["items"]
    ours = client.get(
        "/api/v1/vendors", headers=users["vic"], query_string={"in_use": "true"}
    ).get_json()["items"]
    assert {v["slug"] for v in everything} == {"cloudy", "pushy"}
    assert [v["slug"] for v in ours] == ["pushy"]
