"""POST /api/v1/transfers/evaluate: a Transfer in, an Evaluation out, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessments.rules import RULES_DIR
from service.api_examples import TRANSFER
from service.models import utcnow
from service.transfers import services as transfers
from tests.functional.test_reviews_api import OLD_ADS, rows
from tests.helpers import Headers, add_vendor, assert_problem

URL = "/api/v1/transfers/evaluate"

# The golden Jus/Firebase scenario, the same body /api/docs shows as the example.
JUS_FIREBASE: dict[str, Any] = TRANSFER


@pytest.fixture
def viewer(auth: Headers) -> dict[str, str]:
    return auth("viewer")


def test_evaluates_the_golden_jus_firebase_transfer_and_stores_nothing(
    app: Flask, client: FlaskClient, viewer: dict[str, str]
) -> None:
    before = rows(app)
    response = client.post(URL, json=JUS_FIREBASE, headers=viewer)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    cn, eu, us = (body["regimes"][r] for r in ("CN", "EU", "US"))
    assert (cn["verdict"], cn["mechanism"]) == ("approval_required", "cn_security_assessment")
    assert (eu["verdict"], eu["mechanism"]) == ("permitted", "eu_dpf")
    assert us["verdict"] == "not_applicable"
    assert cn["rules"] and all(rule["citation"] for rule in cn["rules"])
    assert cn["obligations"] and all(o["citation"] for o in cn["obligations"])
    assert body["overall"]["level"] in {"low", "medium", "high", "critical"}
    assert body["rules_version"] and body["warnings"] == []
    assert rows(app) == before


def test_as_of_defaults_to_today_and_a_given_day_is_kept(
    client: FlaskClient, viewer: dict[str, str]
) -> None:
    today = client.post(URL, json=JUS_FIREBASE, headers=viewer).get_json()
    assert today["as_of"] == utcnow().date().isoformat() == today["transfer"]["as_of"]
    past = client.post(URL, json={**JUS_FIREBASE, "as_of": "2023-07-01"}, headers=viewer)
    assert past.get_json()["as_of"] == "2023-07-01"


def test_the_law_of_the_day_applies(client: FlaskClient, viewer: dict[str, str]) -> None:
    # 150,000 people's contact details from a PRC exporter to the US: under the 2024
    # Provisions (from 22 Mar 2024) a standard contract; before them, 100,000 people's PI
    # since 1 January already called for a CAC security assessment.
    transfer = {
        **JUS_FIREBASE,
        "data_subjects": [{"jurisdiction": "CN", "count": 150_000}],
        "data_categories": ["contact"],
    }
    after = client.post(URL, json={**transfer, "as_of": "2024-03-22"}, headers=viewer).get_json()
    before = client.post(URL, json={**transfer, "as_of": "2024-03-21"}, headers=viewer).get_json()
    assert after["regimes"]["CN"]["mechanism"] == "cn_standard_contract"
    assert before["regimes"]["CN"]["mechanism"] == "cn_security_assessment"


def test_importer_vendor_fills_importer_facts_from_the_registry(
    app: Flask, client: FlaskClient, viewer: dict[str, str]
) -> None:
    add_vendor(
        app,
        slug="example-cloud",
        name="Example Cloud",
        hq_country="US",
        legal_entities=[{"name": "Example Cloud, Inc.", "country": "US"}],
        processing_countries=["US", "IE"],
        default_role="processor",
        dpf_certified=True,
    )
    transfer = {**JUS_FIREBASE, "importer": {"vendor": "example-cloud"}}
    del transfer["destinations"]
    body = client.post(URL, json=transfer, headers=viewer).get_json()
    importer = body["transfer"]["importer"]
    assert importer == {
        "vendor": "example-cloud",
        "name": "Example Cloud, Inc.",
        "country": "US",
        "role": "processor",
        "dpf_certified": True,
        "covered_person": None,
        "owners": None,
        "gdpr_art3_2": None,
        "sanctions": [],
    }
    assert body["transfer"]["destinations"] == ["US", "IE"]
    # Facts the client gives win over the registry's.
    given = {**transfer, "importer": {"vendor": "example-cloud", "dpf_certified": False}}
    body = client.post(URL, json=given, headers=viewer).get_json()
    assert body["transfer"]["importer"]["dpf_certified"] is False
    assert body["regimes"]["EU"]["verdict"] == "mechanism_required"


def test_a_sunset_vendor_is_a_warning(
    app: Flask, client: FlaskClient, viewer: dict[str, str]
) -> None:
    add_vendor(app, **OLD_ADS)
    body = client.post(
        URL, json={**JUS_FIREBASE, "importer": {"vendor": "old-ads"}}, headers=viewer
    ).get_json()
    assert [w["code"] for w in body["warnings"]] == ["vendor_sunset"]
    assert "since 2022-01-01" in body["warnings"][0]["message"]


def test_unknown_vendor_is_a_field_error(
    app: Flask, client: FlaskClient, viewer: dict[str, str]
) -> None:
    before = rows(app)
    body = assert_problem(
        client.post(URL, json={**JUS_FIREBASE, "importer": {"vendor": "nope"}}, headers=viewer),
        422,
    )
    assert "nope" in body["errors"]["importer"]["vendor"][0]
    assert rows(app) == before


def test_the_answer_s_transfer_posts_back_for_an_international_organisation(
    client: FlaskClient, viewer: dict[str, str]
) -> None:
    """The answer's `transfer` (destinations filled in: the organisation's id when none are
    stated) is a valid body again, with the same result (it was a 422 on destinations)."""
    body = {
        "as_of": "2025-07-15",
        "exporter": {"name": "DE SaaS", "country": "DE", "role": "controller"},
        "importer": {"name": "European Patent Office", "country": "XEPO", "role": "controller"},
        "data_subjects": [{"jurisdiction": "DE", "count": 1000}],
        "data_categories": ["contact"],
    }
    first = client.post(URL, json=body, headers=viewer).get_json()
    assert first["transfer"]["destinations"] == ["XEPO"]
    again = client.post(URL, json=first["transfer"], headers=viewer)
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.get_json() == first
    eu = first["regimes"]["EU"]
    assert (eu["verdict"], eu["mechanism"]) == ("permitted", "eu_adequacy")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"extra": 1}, "extra"),
        ({"data_categories": ["not.a.category"]}, "data_categories"),
        ({"data_categories": []}, "data_categories"),
        ({"exporter": {"country": "XX"}}, "exporter"),
        ({"exporter": {"country": "CN", "nickname": "x"}}, "exporter"),
        ({"data_subjects": [{"jurisdiction": "CN", "count": -1}]}, "data_subjects"),
        ({"safeguards": ["magic"]}, "safeguards"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"importer": {"name": "No country"}}, "importer"),
    ],
)
def test_invalid_transfers_get_field_level_422(
    app: Flask, client: FlaskClient, viewer: dict[str, str], change: dict[str, Any], field: str
) -> None:
    before = rows(app)
    body = assert_problem(client.post(URL, json={**JUS_FIREBASE, **change}, headers=viewer), 422)
    assert field in body["errors"]
    assert rows(app) == before


def test_missing_required_parts_are_listed(client: FlaskClient, viewer: dict[str, str]) -> None:
    body = assert_problem(client.post(URL, json={}, headers=viewer), 422)
    assert {"exporter", "importer", "data_subjects", "data_categories"} <= set(body["errors"])


def test_a_body_that_is_not_an_object_is_422(client: FlaskClient, viewer: dict[str, str]) -> None:
    assert_problem(client.post(URL, json=[JUS_FIREBASE], headers=viewer), 422)


def test_malformed_json_is_400(client: FlaskClient, viewer: dict[str, str]) -> None:
    assert_problem(
        client.post(URL, data="{nope", content_type="application/json", headers=viewer), 400
    )


def test_wrong_content_type_is_415(client: FlaskClient, viewer: dict[str, str]) -> None:
    assert_problem(client.post(URL, data="a=b", content_type="text/plain", headers=viewer), 415)


def test_needs_credentials(client: FlaskClient) -> None:
    assert_problem(client.post(URL, json=JUS_FIREBASE), 401)


def test_rules_are_loaded_once_per_app(
    make_app: Callable[..., Flask],
    auth: Headers,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    calls: list[Path | None] = []
    real = transfers.load_rules  # type: ignore[attr-defined]

    def counting(rules_dir: Path | None = None) -> Any:
        calls.append(rules_dir)
        return real(rules_dir)

    monkeypatch.setattr(transfers, "load_rules", counting)
    app = make_app(RULES_DIR=str(RULES_DIR))
    client = app.test_client()
    headers = auth("viewer")
    for _ in range(3):
        assert client.post(URL, json=JUS_FIREBASE, headers=headers).status_code == 200
    assert calls == [RULES_DIR]
    assert transfers.get_rulebook(app) is transfers.get_rulebook(app)
