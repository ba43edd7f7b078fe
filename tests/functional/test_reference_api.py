"""The reference endpoints: what the law data says of each country, as JSON a client can read
(dates as ISO strings), for anyone signed in."""

from __future__ import annotations

from flask import Flask

from tests.helpers import Headers


def test_countries_carry_their_transfer_law_facts_with_iso_dates(app: Flask, auth: Headers) -> None:
    response = app.test_client().get("/api/v1/countries", headers=auth("viewer"))
    assert response.status_code == 200, response.get_json()
    countries = {c["code"]: c for c in response.get_json()}
    assert countries["DE"]["facts"]["eu_eea"] == {"code": "DE", "eu": True, "until": None}
    # The United Kingdom left on 31 Dec 2020 and has an adequacy decision since 28 Jun 2021.
    assert countries["GB"]["facts"]["eu_eea"]["until"] == "2020-12-31"
    first_adequacy = countries["GB"]["facts"]["eu_adequacy"][0]
    assert first_adequacy["effective_from"] == "2021-06-28"
    china = countries["CN"]["facts"]
    assert china["doj_country_of_concern"]["since"] == "2025-04-08"
    assert china["padfa_foreign_adversary"]["since"] == "2024-06-23"
    assert "government_access" in china
    # A country the law data says nothing of has no facts, not empty placeholders.
    assert countries["MX"]["facts"] == {}
