"""Assistant operations: ask (whole or streamed), keep conversations per user, list and delete.

Keyword-only functions taking a session; they flush, never commit. The back end is the
offline one unless an OpenAI-compatible endpoint is configured (LLM_BASE_URL + LLM_MODEL).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from service import errors
from service.assistant.interfaces import (
    Answer,
    AskContext,
    Asker,
    Assistant,
    Event,
    Exchange,
    Turn,
)
from service.assistant.models import Conversation, Message
from service.assistant.offline.assistant import OfflineAssistant
from service.audit.services import record_event
from service.auth.models import User
from service.db import flush
from service.models import utcnow
from service.paging import Page, paginate

HISTORY_TURNS = 10
TITLE_LENGTH = 80


@dataclass(frozen=True)
class ConversationView:
    """A conversation as the API and the page show it: its fields and messages, oldest first."""

    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    messages: list[Message]


def get_assistant(app: Flask | None = None) -> Assistant:
    """The configured back end: the LLM one when an endpoint and model are set, else offline."""
    app = app or current_app
    offline = OfflineAssistant()
    base_url, model = app.config.get("LLM_BASE_URL"), app.config.get("LLM_MODEL")
    if not base_url or not model:
        return offline
    from service.assistant.llm import LlmAssistant

    return LlmAssistant(
        base_url=str(base_url),
        model=str(model),
        api_key=app.config.get("LLM_API_KEY"),
        timeout=float(app.config.get("LLM_TIMEOUT") or 30.0),
        fallback=offline,
    )


def _asker(user: User) -> Asker:
    return Asker(email=user.email, role=user.role)


def open_conversation(
    *, session: Session, user: User, conversation_id: int | None, question: str
) -> Conversation:
    """The user's conversation with this id (404 for anyone else's), or a new one."""
    if conversation_id is not None:
        return get_conversation(session=session, user=user, conversation_id=conversation_id)
    assert user.id is not None
    title = " ".join(question.split())
    if len(title) > TITLE_LENGTH:
        title = title[: TITLE_LENGTH - 1].rstrip() + "…"
    conversation = Conversation(user_id=user.id, title=title)
    session.add(conversation)
    flush(session, "conversation")
    record_event(
        session=session,
        action="create",
        object_type="conversation",
        object_id=str(conversation.id),
        after={"user": user.email},
    )
    return conversation


def _history(session: Session, conversation: Conversation) -> list[Turn]:
    if conversation.id is None:
        return []
    rows = session.execute(
        select(col(Message.role), col(Message.content))
        .where(col(Message.conversation_id) == conversation.id)
        .order_by(col(Message.id).desc())
        .limit(HISTORY_TURNS)
    ).all()
    return [Turn("user" if r[0] == "user" else "assistant", str(r[1])) for r in reversed(rows)]


def record_exchange(
    *, session: Session, conversation: Conversation, question: str, answer: Answer
) -> Exchange:
    """Keep the question and the answer (with its citations) in the conversation."""
    assert conversation.id is not None
    citations = [c.to_dict() for c in answer.citations]
    session.add(Message(conversation_id=conversation.id, role="user", content=question))
    session.add(
        Message(
            conversation_id=conversation.id,
            role="assistant",
            content=answer.text,
            citations=citations,
            backend=answer.backend,
            notice=answer.notice,
        )
    )
    conversation.updated_at = utcnow()
    flush(session, "conversation")
    return Exchange(
        answer=answer.text,
        citations=citations,
        backend=answer.backend,
        conversation_id=conversation.id,
        notice=answer.notice,
    )


def chat(
    *,
    session: Session,
    user: User,
    message: str,
    conversation_id: int | None,
    assistant: Assistant,
) -> Exchange:
    """Answer a question in the user's conversation (a new one without conversation_id)."""
    conversation = open_conversation(
        session=session, user=user, conversation_id=conversation_id, question=message
    )
    context = AskContext(session, _asker(user), _history(session, conversation))
    answer = assistant.answer(message, context)
    return record_exchange(
        session=session, conversation=conversation, question=message, answer=answer
    )


def stream_chat(
    *,
    session: Session,
    conversation: Conversation,
    user: User,
    message: str,
    assistant: Assistant,
) -> Iterator[Event | Exchange]:
    """The answer's events as they come, then the stored Exchange (last item)."""
    context = AskContext(session, _asker(user), _history(session, conversation))
    answer: Answer | None = None
    for event in assistant.stream(message, context):
        if event.kind == "done":
            answer = event.answer
        yield event
    if answer is None:
        raise RuntimeError("the assistant's stream ended without an answer")
    yield record_exchange(
        session=session, conversation=conversation, question=message, answer=answer
    )


def ask(*, session: Session, asker: Asker, question: str, assistant: Assistant) -> Answer:
    """Answer without keeping anything (the CLI without --user)."""
    return assistant.answer(question, AskContext(session, asker))


def get_conversation(*, session: Session, user: User, conversation_id: int) -> Conversation:
    """The user's own conversation; another user's is as absent as a missing one (404)."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.user_id != user.id:
        raise errors.NotFound(f"No conversation {conversation_id}.")
    return conversation


def view_conversation(*, session: Session, user: User, conversation_id: int) -> ConversationView:
    """The user's conversation with its messages."""
    conversation = get_conversation(session=session, user=user, conversation_id=conversation_id)
    messages = session.execute(
        select(Message)
        .where(col(Message.conversation_id) == conversation.id)
        .order_by(col(Message.id))
    ).scalars()
    assert conversation.id is not None
    return ConversationView(
        conversation.id,
        conversation.title,
        conversation.created_at,
        conversation.updated_at,
        list(messages),
    )


def list_conversations(
    *, session: Session, user: User, page: int = 1, per_page: int = 20
) -> Page[Conversation]:
    """The user's conversations, most recently used first."""
    mine = col(Conversation.user_id) == user.id
    statement = (
        select(Conversation)
        .where(mine)
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
    )
    return paginate(session, statement, page=page, per_page=per_page)


def _delete(session: Session, conversation: Conversation) -> None:
    count = session.execute(
        select(func.count())
        .select_from(Message)
        .where(col(Message.conversation_id) == conversation.id)
    ).scalar_one()
    session.execute(delete(Message).where(col(Message.conversation_id) == conversation.id))
    record_event(
        session=session,
        action="delete",
        object_type="conversation",
        object_id=str(conversation.id),
        before={"messages": int(count)},
    )
    session.delete(conversation)


def delete_conversation(*, session: Session, user: User, conversation_id: int) -> None:
    """Delete one of the user's conversations with its messages (the audit keeps no content)."""
    _delete(session, get_conversation(session=session, user=user, conversation_id=conversation_id))
    flush(session, "conversation")


def delete_conversations(*, session: Session, user: User) -> int:
    """Delete all of the user's conversations; how many there were."""
    conversations = list(
        session.execute(select(Conversation).where(col(Conversation.user_id) == user.id)).scalars()
    )
    for conversation in conversations:
        _delete(session, conversation)
    flush(session, "conversation")
    return len(conversations)
