"""Email notifications over SMTP (against a local aiosmtpd sink), preferences, approvals."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.db import session_scope
from service.jobs import runtime as jobs_runtime
from service.notifications.models import Delivery, OutboxMessage
from tests.helpers import EU_ANALYTICS_REVIEW

OVERRIDE = {"override_reason": "Facts confirmed by phone with the vendor; record follows."}


class Sink:
    """aiosmtpd's Controller on a free loopback port, keeping every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], Any]] = []
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                parsed = message_from_bytes(envelope.content)
                sink.messages.append((list(envelope.rcpt_tos), parsed))
                return "250 OK"

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def to(self, address: str) -> list[Any]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def sink() -> Iterator[Sink]:
    found = Sink()
    yield found
    found.controller.stop()


@pytest.fixture
def client(catalog_app: Flask, sink: Sink) -> Iterator[FlaskClient]:
    catalog_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port)
    yield catalog_app.test_client()
    jobs_runtime.runtime(catalog_app).stop()


def bearer(make_token: Callable[..., str], role: str, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(role, email=email)}"}


def _move(client: FlaskClient, url: str, headers: dict[str, str], to: str, **extra: Any) -> Any:
    etag = client.get(url, headers=headers).headers["ETag"]
    return client.post(
        f"{url}/transitions", json={"to": to, **extra}, headers={**headers, "If-Match": etag}
    )


def test_approval_requested_and_decided_are_emailed_by_preference(
    catalog_app: Flask, client: FlaskClient, make_token: Callable[..., str], sink: Sink
) -> None:
    buyer = bearer(make_token, "procurement", "buyer@example.test")
    anna = bearer(make_token, "legal", "anna@example.test")
    ben = bearer(make_token, "legal", "ben@example.test")
    quiet = bearer(make_token, "legal", "quiet@example.test")
    opted = client.patch("/api/v1/me/notifications", json={"email": False}, headers=quiet)
    assert opted.status_code == 200 and opted.get_json()["email"] is False
    bad = client.patch("/api/v1/me/notifications", json={"events": ["nope"]}, headers=quiet)
    assert bad.status_code == 422
    body = EU_ANALYTICS_REVIEW
    review = client.post("/api/v1/reviews", json=body, headers=buyer).get_json()["id"]
    url = client.post(
        f"/api/v1/reviews/{review}/assessments", json={"kind": "dpia"}, headers=anna
    ).headers["Location"]
    assert _move(client, url, anna, "in_review").status_code == 200
    jobs_runtime.runtime(catalog_app).join()
    assert [m["Subject"] for m in sink.to("ben@example.test")] == [
        f"Approval requested: DPIA {url.rsplit('/', 1)[1]} of review {review}"
    ]
    assert sink.to("anna@example.test") == [] and sink.to("quiet@example.test") == []

    decided = _move(client, url, ben, "approved", **OVERRIDE)
    assert decided.status_code == 200, decided.get_data(as_text=True)
    jobs_runtime.runtime(catalog_app).join()
    for person in ("anna@example.test", "buyer@example.test"):
        subjects = [m["Subject"] for m in sink.to(person)]
        assert subjects == [f"DPIA {url.rsplit('/', 1)[1]} of review {review} approved"]
    with catalog_app.app_context(), session_scope() as session:
        sent = session.execute(select(OutboxMessage)).scalars().all()
        assert {m.status for m in sent} == {"sent"} and len(sent) == 3
        assert len(session.execute(select(Delivery)).scalars().all()) == 3


def test_webhooks_are_for_admins_and_need_an_http_url(
    client: FlaskClient, make_token: Callable[..., str]
) -> None:
    admin = bearer(make_token, "admin", "root@example.test")
    legal = bearer(make_token, "legal", "law@example.test")
    refused = client.post("/api/v1/webhooks", json={"url": "http://x"}, headers=legal)
    assert refused.status_code == 403
    bad = client.post("/api/v1/webhooks", json={"url": "file:///etc/passwd"}, headers=admin)
    assert bad.status_code == 422 and "url" in bad.get_json()["errors"]
    made = client.post("/api/v1/webhooks", json={"url": "https://hooks.example/x"}, headers=admin)
    assert made.status_code == 201 and len(made.get_json()["secret"]) == 64
    listed = client.get("/api/v1/webhooks", headers=admin).get_json()
    assert "secret" not in listed[0]
    gone = client.delete(f"/api/v1/webhooks/{listed[0]['id']}", headers=admin)
    assert gone.get_json()["active"] is False
