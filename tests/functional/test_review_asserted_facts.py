"""§7: procurement states, for one review, a fact the registry lacks ("the importer is
DPF-certified", with a source). It stays pending until legal or an admin confirms it (issue 18
§4); then it reaches the evaluation, shows as user-asserted, is audited, and stops applying
once the registry records the fact. Legal's own statements apply at once."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tests.helpers import Headers, form_etag, sign_in

VENDOR = {
    "slug": "acme-crm",
    "name": "Acme CRM",
    "hq_country": "US",
    "default_role": "processor",
    "legal_entities": [{"name": "Acme CRM, Inc.", "country": "US", "role": "hq"}],
}
TRANSFER = {
    "exporter": {"name": "Example GmbH", "country": "DE"},
    "data_subjects": [{"jurisdiction": "EU", "count": 20_000}],
    "data_categories": ["contact"],
    "purposes": ["marketing"],
}
DPF_ASSERTION = {
    "fact": "dpf",
    "value": {"status": "active", "entity": "Acme CRM, Inc.", "parts": ["eu_us"]},
    "source_url": "https://acme-crm.example/privacy#dpf",
    "note": "Privacy policy section 9 states DPF participation.",
}


def _eu(review: dict[str, Any]) -> tuple[str, str | None]:
    eu = review["evaluation"]["regimes"]["EU"]
    return eu["verdict"], eu["mechanism"]


def file_crm(client: FlaskClient, headers: dict[str, str], asserted: list[Any] | None) -> Any:
    """File a CRM review of acme-crm stating these facts (None: a plain review)."""
    body: dict[str, Any] = {"vendor": "acme-crm", "transfer": TRANSFER, "purpose": "CRM"}
    if asserted is not None:
        body["asserted_facts"] = asserted
    return client.post("/api/v1/reviews", json=body, headers=headers)


def test_an_asserted_dpf_fact_reaches_the_evaluation_and_is_audited(
    app: Flask, auth: Headers
) -> None:
    client = app.test_client()
    assert client.post("/api/v1/vendors", json=VENDOR, headers=auth("legal")).status_code == 201
    buyer = auth("procurement")
    plain = file_crm(client, buyer, None)
    assert plain.status_code == 201, plain.get_json()
    assert _eu(plain.get_json())[1] != "eu_dpf"
    stated = file_crm(client, buyer, [DPF_ASSERTION])
    assert stated.status_code == 201, stated.get_json()
    review = stated.get_json()
    # procurement's statement is pending: shown, but the EU verdict does not rest on it
    assert _eu(review) == _eu(plain.get_json())
    [asserted] = review["asserted_facts"]
    assert asserted["applies"] is False and asserted["pending"] is True
    assert asserted["asserted_by"].endswith("@example.test")
    assert asserted["value"]["checked"] == asserted["asserted_at"]
    [pending] = review["pending_facts"]
    assert pending["index"] == 0 and pending["source_url"] == DPF_ASSERTION["source_url"]
    confirm = f"/api/v1/reviews/{review['id']}/asserted-facts/0/confirm"
    etag = stated.headers["ETag"]
    refused = client.post(confirm, headers={**buyer, "If-Match": etag})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    # resubmitting it does not confirm it
    etag = client.get(f"/api/v1/reviews/{review['id']}", headers=buyer).headers["ETag"]
    resent = client.patch(
        f"/api/v1/reviews/{review['id']}",
        json={"asserted_facts": [DPF_ASSERTION]},
        headers={**buyer, "If-Match": etag},
    )
    assert resent.status_code == 200, resent.get_json()
    assert resent.get_json()["pending_facts"] and _eu(resent.get_json())[1] != "eu_dpf"
    legal = auth("legal")
    confirmed = client.post(confirm, headers={**legal, "If-Match": resent.headers["ETag"]})
    assert confirmed.status_code == 200, confirmed.get_json()
    review = confirmed.get_json()
    assert _eu(review) == ("permitted", "eu_dpf") and review["pending_facts"] == []
    [asserted] = review["asserted_facts"]
    assert asserted["applies"] is True and asserted["confirmed_by"].startswith("legal")
    again_confirmed = client.post(confirm, headers={**legal, "If-Match": confirmed.headers["ETag"]})
    assert again_confirmed.status_code == 404
    audit = client.get(
        "/api/v1/audit",
        query_string={"object_type": "review", "object_id": str(review["id"])},
        headers=auth("admin"),
    ).get_json()
    actions = [item["action"] for item in audit["items"]]
    assert "confirm_fact" in actions
    created = audit["items"][-1]["changes"]["asserted_facts"]["after"]
    assert created[0]["source_url"] == DPF_ASSERTION["source_url"]
    assert created[0]["pending"] is True
    [confirmation] = [i for i in audit["items"] if i["action"] == "confirm_fact"]
    assert confirmation["actor"].startswith("legal")
    assert confirmation["changes"]["asserted_facts"]["after"][0]["confirmed_by"]
    # the registry later records the DPF status: it wins, and the assertion no longer applies
    etag = client.get("/api/v1/vendors/acme-crm", headers=legal).headers["ETag"]
    recorded = client.patch(
        "/api/v1/vendors/acme-crm",
        json={
            "dpf": {"status": "not_listed", "checked": "2026-12-01"},
            "sources": [
                {
                    "url": "https://www.dataprivacyframework.gov/list",
                    "retrieved": "2026-12-01",
                    "facts": ["dpf"],
                }
            ],
        },
        headers={**legal, "If-Match": etag},
    )
    assert recorded.status_code == 200
    again = client.post(f"/api/v1/reviews/{review['id']}/evaluate", headers=buyer)
    assert again.status_code == 200, again.get_json()
    reread = client.get(f"/api/v1/reviews/{review['id']}", headers=buyer).get_json()
    assert reread["asserted_facts"][0]["applies"] is False
    assert _eu(reread)[1] != "eu_dpf"


def test_assertions_need_a_source_a_person_can_open(app: Flask, auth: Headers) -> None:
    client = app.test_client()
    assert client.post("/api/v1/vendors", json=VENDOR, headers=auth("legal")).status_code == 201
    bad = file_crm(
        client,
        auth("procurement"),
        [
            {**DPF_ASSERTION, "source_url": "seed 001.txt"},
            {**DPF_ASSERTION, "fact": "favourite_colour"},
        ],
    )
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    errors = bad.get_json()["errors"]["asserted_facts"]
    assert "source_url" in errors["0"] and "fact" in errors["1"]
    listed = client.get("/api/v1/reviews", headers=auth("legal")).get_json()
    assert listed["total"] == 0


def test_the_review_form_states_a_fact_and_the_page_shows_it_as_user_asserted(
    app: Flask, auth: Headers
) -> None:
    client = app.test_client()
    assert client.post("/api/v1/vendors", json=VENDOR, headers=auth("legal")).status_code == 201
    browser = sign_in(app, "buyer@example.test", "procurement")
    form = browser.get("/reviews/new?vendor=acme-crm").text
    assert "Facts the registry lacks (this review only)" in form
    fields = {
        "vendor": "acme-crm",
        "purpose": "CRM",
        "transfer.exporter.name": "Example GmbH",
        "transfer.exporter.country": "DE",
        "transfer.exporter.role": "controller",
        "transfer.data_subjects.0.jurisdiction": "EU",
        "transfer.data_subjects.0.count": "20000",
        "transfer.data_categories": ["contact"],
        "transfer.purposes": ["marketing"],
        "transfer.transaction": "vendor_agreement",
        "status": "submitted",
        "asserted_facts.0.kind": "dpf_active",
        "asserted_facts.0.value": "Acme CRM, Inc.",
        "asserted_facts.0.source_url": "not a link",
    }
    refused = browser.post("/reviews/new", fields)
    assert refused.status_code == 422
    assert "A source a person can open is required" in refused.text
    fields["asserted_facts.0.source_url"] = DPF_ASSERTION["source_url"]
    filed = browser.post("/reviews/new", fields)
    assert filed.status_code == 303, filed.text
    page = browser.get(filed.headers["Location"]).text
    assert "user-asserted" in page and "DPF-certified (active) — Acme CRM, Inc." in page
    assert "stated by buyer@example.test" in page and "pending: not used until legal" in page
    assert "Confirm this fact" not in page  # procurement may not confirm
    counsel = sign_in(app, "counsel@example.test", "legal")
    shown = counsel.get(filed.headers["Location"]).text
    assert "Confirm this fact" in shown
    done = counsel.post(
        filed.headers["Location"] + "/asserted-facts/0/confirm", {"etag": form_etag(shown)}
    )
    assert done.status_code == 303, done.text
    page = counsel.get(filed.headers["Location"]).text
    assert "used in this evaluation" in page and "Confirm this fact" not in page


def test_legal_states_a_fact_that_applies_at_once(app: Flask, auth: Headers) -> None:
    client = app.test_client()
    legal = auth("legal")
    assert client.post("/api/v1/vendors", json=VENDOR, headers=legal).status_code == 201
    stated = file_crm(client, legal, [DPF_ASSERTION])
    assert stated.status_code == 201, stated.get_json()
    review = stated.get_json()
    assert _eu(review) == ("permitted", "eu_dpf") and review["pending_facts"] == []
    assert review["asserted_facts"][0]["applies"] is True
    # a client cannot mark its own statement as confirmed or pending
    forged = file_crm(client, auth("procurement"), [{**DPF_ASSERTION, "pending": False}])
    assert (
        forged.status_code == 422
        and "pending" in forged.get_json()["errors"]["asserted_facts"]["0"]
    )


def test_a_new_statement_is_credited_to_the_caller(app: Flask, auth: Headers) -> None:
    """Who stated a fact is the signed-in user, not whatever the body names."""
    client = app.test_client()
    assert client.post("/api/v1/vendors", json=VENDOR, headers=auth("legal")).status_code == 201
    procurement = auth("procurement")
    me = client.get("/api/v1/me", headers=procurement).get_json()["email"]
    stated = file_crm(
        client, procurement, [{**DPF_ASSERTION, "asserted_by": "legal-lead@example.test"}]
    )
    assert stated.status_code == 201, stated.get_json()
    fact = stated.get_json()["asserted_facts"][0]
    assert fact["asserted_by"] == me and fact["pending"] is True


def _background_write(app: Flask, review_id: int) -> None:
    """Another connection commits a new version of the review (a re-assessment job's write)
    after the request under test has read it."""
    with app.extensions["xborder.engine"].begin() as other:
        other.execute(
            text("UPDATE review SET version = version + 1 WHERE id = :id"), {"id": review_id}
        )


def test_evaluate_runs_again_when_a_background_write_lands_between_read_and_write(
    app: Flask, auth: Headers, monkeypatch: Any
) -> None:
    """A re-assessment job (started by a vendor change) may write the review while a person
    asks to evaluate it. The person sent no version, so that is not their conflict: the
    evaluation runs again on the fresh row. A change sent with If-Match still gets 412."""
    from service.reviews import services

    client = app.test_client()
    assert client.post("/api/v1/vendors", json=VENDOR, headers=auth("legal")).status_code == 201
    buyer = auth("procurement")
    filed = file_crm(client, buyer, None)
    review_id = filed.get_json()["id"]
    real_evaluate, real_update = services.evaluate_review, services.update_review
    interleaved: list[int] = []

    def background_write() -> None:
        _background_write(app, review_id)
        interleaved.append(review_id)

    def evaluate_after_a_background_write(**kwargs: Any) -> Any:
        if not interleaved:
            background_write()
        return real_evaluate(**kwargs)

    monkeypatch.setattr(services, "evaluate_review", evaluate_after_a_background_write)
    evaluated = client.post(f"/api/v1/reviews/{review_id}/evaluate", headers=buyer)
    assert evaluated.status_code == 200, evaluated.get_json()
    assert interleaved == [review_id]
    history = client.get(f"/api/v1/reviews/{review_id}/evaluations", headers=buyer).get_json()
    assert history["total"] == 2  # the filing's evaluation and this one, once

    def update_after_a_background_write(**kwargs: Any) -> Any:
        background_write()
        return real_update(**kwargs)

    monkeypatch.setattr(services, "update_review", update_after_a_background_write)
    etag = client.get(f"/api/v1/reviews/{review_id}", headers=buyer).headers["ETag"]
    changed = client.patch(
        f"/api/v1/reviews/{review_id}",
        json={"purpose": "CRM and newsletters"},
        headers={**buyer, "If-Match": etag},
    )
    assert changed.status_code == 412, changed.get_json()
    assert changed.mimetype == "application/problem+json"
    assert client.get(f"/api/v1/reviews/{review_id}", headers=buyer).get_json()["purpose"] == "CRM"


def test_confirming_a_fact_after_a_background_write_is_412_and_writes_nothing(
    app: Flask, auth: Headers, monkeypatch: Any
) -> None:
    """Legal confirms with If-Match, so a write landing between the read and the write means
    the version they confirmed against is gone: 412, as for any change sent with If-Match, and
    the fact stays pending."""
    from service.reviews import services

    client = app.test_client()
    assert client.post("/api/v1/vendors", json=VENDOR, headers=auth("legal")).status_code == 201
    buyer, legal = auth("procurement"), auth("legal")
    filed = file_crm(client, buyer, [DPF_ASSERTION])
    review_id = filed.get_json()["id"]
    real_confirm = services.confirm_asserted_fact

    def confirm_after_a_background_write(**kwargs: Any) -> Any:
        _background_write(app, review_id)
        return real_confirm(**kwargs)

    monkeypatch.setattr(services, "confirm_asserted_fact", confirm_after_a_background_write)
    confirmed = client.post(
        f"/api/v1/reviews/{review_id}/asserted-facts/0/confirm",
        headers={**legal, "If-Match": filed.headers["ETag"]},
    )
    assert confirmed.status_code == 412, confirmed.get_json()
    assert confirmed.mimetype == "application/problem+json"
    review = client.get(f"/api/v1/reviews/{review_id}", headers=buyer).get_json()
    assert review["asserted_facts"][0]["pending"] is True
    history = client.get(f"/api/v1/reviews/{review_id}/evaluations", headers=buyer).get_json()
    assert history["total"] == 1  # the filing's evaluation only
    audit = client.get(
        "/api/v1/audit",
        query_string={"object_type": "review", "object_id": str(review_id)},
        headers=auth("admin"),
    ).get_json()
    assert [item["action"] for item in audit["items"]] == ["create"]
