"""The assistant over HTTP and the CLI: chat (JSON and server-sent events), conversations, roles."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlmodel import col

from service.assistant.models import Conversation, Message
from service.audit.models import AuditEvent
from service.db import session_scope
from tests.helpers import UMENG_SDK, Headers, add_vendor

CHAT = "/api/v1/assistant/chat"
CONVERSATIONS = "/api/v1/assistant/conversations"


@pytest.fixture
def registry(app: Flask) -> Flask:
    """A small registry: enough for the assistant to answer from records."""
    add_vendor(app, **UMENG_SDK)
    return app


def parse_sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    """Server-sent events as (event, data) pairs."""
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def count(app: Flask, model: Any) -> int:
    with app.app_context(), session_scope() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_a_viewer_asks_and_gets_a_cited_answer(
    registry: Flask, client: FlaskClient, auth: Headers
) -> None:
    response = client.post(
        CHAT, json={"message": "Where is Umeng headquartered?"}, headers=auth("viewer")
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["backend"] == "offline"
    assert "**Umeng+** is headquartered in China" in body["answer"]
    assert body["citations"] == [
        {
            "kind": "vendor",
            "id": "umeng",
            "title": "Umeng+",
            "citation": None,
            "url": "/api/v1/vendors/umeng",
        }
    ]
    assert isinstance(body["conversation_id"], int)


def test_the_answer_streams_as_server_sent_events(
    registry: Flask, client: FlaskClient, auth: Headers
) -> None:
    headers = {**auth("viewer"), "Accept": "text/event-stream"}
    response = client.post(CHAT, json={"message": "友盟在哪里?"}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    events = parse_sse(response.get_data(as_text=True))
    assert events[0][0] == "meta"
    deltas = "".join(data["text"] for name, data in events if name == "delta")
    name, done = events[-1]
    assert name == "done"
    assert done["answer"] == deltas.strip()
    assert done["conversation_id"] == events[0][1]["conversation_id"]
    assert [c["id"] for c in done["citations"]] == ["umeng"]
    assert count(registry, Message) == 2  # kept once the stream finished


def test_conversations_are_kept_per_user_and_can_be_deleted(
    registry: Flask, client: FlaskClient, auth: Headers
) -> None:
    alice, bob = auth("viewer"), auth("procurement")
    first = client.post(CHAT, json={"message": "Where is Umeng headquartered?"}, headers=alice)
    cid = first.get_json()["conversation_id"]
    follow = client.post(
        CHAT,
        json={"message": "What data does it receive?", "conversation_id": cid},
        headers=alice,
    )
    assert follow.get_json()["conversation_id"] == cid
    assert [c["id"] for c in follow.get_json()["citations"]] == ["umeng"]  # "it" is Umeng+
    listing = client.get(CONVERSATIONS, headers=alice).get_json()
    assert listing["total"] == 1
    assert listing["items"][0]["title"] == "Where is Umeng headquartered?"
    detail = client.get(f"{CONVERSATIONS}/{cid}", headers=alice).get_json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "user", "assistant"]
    assert detail["messages"][1]["citations"][0]["id"] == "umeng"
    assert detail["messages"][1]["backend"] == "offline"
    # Someone else's conversation does not exist for bob: not readable, not continuable.
    assert client.get(f"{CONVERSATIONS}/{cid}", headers=bob).status_code == 404
    assert client.delete(f"{CONVERSATIONS}/{cid}", headers=bob).status_code == 404
    other = client.post(CHAT, json={"message": "hi", "conversation_id": cid}, headers=bob)
    assert other.status_code == 404
    assert client.get(CONVERSATIONS, headers=bob).get_json()["total"] == 0
    # Deleting removes the messages; the audit trail keeps no content.
    assert client.delete(f"{CONVERSATIONS}/{cid}", headers=alice).status_code == 204
    assert client.get(f"{CONVERSATIONS}/{cid}", headers=alice).status_code == 404
    assert count(registry, Message) == 0
    with registry.app_context(), session_scope() as session:
        events = (
            session.execute(select(AuditEvent).where(col(AuditEvent.object_type) == "conversation"))
            .scalars()
            .all()
        )
        assert {e.action for e in events} == {"create", "delete"}
        assert "Umeng" not in json.dumps([e.changes for e in events])


def test_a_user_deletes_all_their_conversations(
    registry: Flask, client: FlaskClient, auth: Headers
) -> None:
    alice, bob = auth("viewer"), auth("viewer")
    for question in ("hello", "Where is Umeng headquartered?"):
        client.post(CHAT, json={"message": question}, headers=alice)
    client.post(CHAT, json={"message": "hello"}, headers=bob)
    assert client.delete(CONVERSATIONS, headers=alice).status_code == 204
    assert client.get(CONVERSATIONS, headers=alice).get_json()["total"] == 0
    assert client.get(CONVERSATIONS, headers=bob).get_json()["total"] == 1
    assert count(registry, Conversation) == 1


def test_the_conversation_list_pages_as_every_list_does(
    registry: Flask, client: FlaskClient, auth: Headers
) -> None:
    """GET /assistant/conversations sends X-Total-Count and a Link header (first, prev, next,
    last), as docs/api.md says every list does."""
    alice = auth("viewer")
    for question in ("hello", "Where is Umeng headquartered?", "What data does Umeng receive?"):
        client.post(CHAT, json={"message": question}, headers=alice)
    first = client.get(f"{CONVERSATIONS}?per_page=2", headers=alice)
    assert first.get_json()["total"] == 3 and first.headers["X-Total-Count"] == "3"
    link = first.headers["Link"]
    assert 'rel="next"' in link and "page=2" in link and "per_page=2" in link
    assert 'rel="prev"' not in link and 'rel="last"' in link
    last = client.get(f"{CONVERSATIONS}?per_page=2&page=2", headers=alice)
    assert len(last.get_json()["items"]) == 1 and last.headers["X-Total-Count"] == "3"
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "message"),
        ({"message": ""}, "message"),
        ({"message": "x" * 2001}, "message"),
        ({"message": "hi", "conversation_id": "abc"}, "conversation_id"),
        ({"message": "hi", "extra": 1}, "extra"),
    ],
)
def test_bad_requests_get_problem_details(
    registry: Flask, client: FlaskClient, auth: Headers, body: dict[str, Any], field: str
) -> None:
    response = client.post(CHAT, json=body, headers=auth("viewer"))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert count(registry, Conversation) == 0


def test_signing_in_is_required(registry: Flask, client: FlaskClient) -> None:
    assert client.post(CHAT, json={"message": "hello"}).status_code == 401
    assert client.get(CONVERSATIONS).status_code == 401


def test_xborder_ask_on_the_command_line(registry: Flask) -> None:
    runner = registry.test_cli_runner()
    from service.cli import main

    result = runner.invoke(main, ["ask", "Where is Umeng headquartered?"])
    assert result.exit_code == 0, result.output
    assert "**Umeng+** is headquartered in China" in result.output
    assert "[vendor] umeng: Umeng+" in result.output
    assert "(offline assistant)" in result.output
    as_json = runner.invoke(main, ["ask", "--json", "Is Foobarly in the DPF?"])
    assert json.loads(as_json.output)["citations"] == []
    assert count(registry, Conversation) == 0  # without --user nothing is kept


def test_xborder_ask_as_a_user_keeps_the_exchange(
    registry: Flask, make_token: Callable[..., str]
) -> None:
    make_token("viewer", email="cli@example.test")
    from service.cli import main

    result = registry.test_cli_runner().invoke(
        main, ["ask", "--user", "cli@example.test", "What data does Umeng receive?"]
    )
    assert result.exit_code == 0, result.output
    assert count(registry, Message) == 2
    missing = registry.test_cli_runner().invoke(main, ["ask", "--user", "no@x.test", "hi"])
    assert missing.exit_code != 0 and "No active user" in missing.output
