"""HTTP views of the assistant: chat (JSON or server-sent events) and the caller's conversations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Response, current_app, g, request, stream_with_context
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import page_headers
from service.assistant import services
from service.assistant.interfaces import Event, Exchange
from service.assistant.models import Conversation
from service.assistant.schemas import (
    ChatRequestSchema,
    ChatResponseSchema,
    ConversationDetailSchema,
    ConversationPageSchema,
    ConversationQueryArgsSchema,
)
from service.auth.models import User
from service.auth.permissions import allow
from service.db import get_session, session_scope
from service.paging import Page

blp = Blueprint(
    "assistant",
    __name__,
    url_prefix="/api/v1/assistant",
    description="Questions answered from the registry, the engine and reviews, with citations",
)

EVENT_STREAM = "text/event-stream"
STREAM_DESCRIPTION = (
    "The answer with its citations. With `Accept: text/event-stream` the answer streams as "
    "server-sent events instead: `meta` (conversation_id), `delta` and `notice` (text) as it "
    "is written, then `done` (this JSON) or `error`."
)


def _wants_stream() -> bool:
    best = request.accept_mimetypes.best_match([EVENT_STREAM, "application/json"])
    return best == EVENT_STREAM


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_stream(user: User, data: dict[str, Any]) -> Response:
    """Stream the answer as server-sent events: meta, delta/notice..., done (or error).

    The stream outlives the view, so it works in its own session (committed before `done`);
    a conversation id that is not the caller's is refused (404) before streaming starts.
    """
    conversation_id = data.get("conversation_id")
    if conversation_id is not None:
        services.get_conversation(session=get_session(), user=user, conversation_id=conversation_id)
    assistant = services.get_assistant()

    def events() -> Iterator[str]:
        exchange: Exchange | None = None
        try:
            with session_scope() as session:
                conversation = services.open_conversation(
                    session=session,
                    user=user,
                    conversation_id=conversation_id,
                    question=data["message"],
                )
                yield _sse("meta", {"conversation_id": conversation.id})
                for item in services.stream_chat(
                    session=session,
                    conversation=conversation,
                    user=user,
                    message=data["message"],
                    assistant=assistant,
                ):
                    if isinstance(item, Event):
                        if item.kind in ("delta", "notice"):
                            yield _sse(item.kind, {"text": item.text})
                    else:
                        exchange = item
        except Exception:
            current_app.logger.exception("assistant stream failed")
            yield _sse(
                "error",
                {"title": "Internal server error", "detail": "The answer could not be completed."},
            )
            return
        yield _sse("done", ChatResponseSchema().dump(exchange))

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(stream_with_context(events()), mimetype=EVENT_STREAM, headers=headers)


@blp.route("/chat")
class Chat(MethodView):
    @allow("viewer")
    @blp.arguments(ChatRequestSchema)
    @blp.response(200, ChatResponseSchema, description=STREAM_DESCRIPTION)
    def post(self, data: dict[str, Any]) -> Any:
        """Ask the assistant a question (Accept: text/event-stream streams the answer)."""
        session, user = get_session(), g.current_user
        if _wants_stream():
            return _event_stream(user, data)
        exchange = services.chat(
            session=session,
            user=user,
            message=data["message"],
            conversation_id=data["conversation_id"],
            assistant=services.get_assistant(),
        )
        session.commit()
        return exchange


@blp.route("/conversations")
class Conversations(MethodView):
    @allow("viewer")
    @blp.arguments(ConversationQueryArgsSchema, location="query")
    @blp.response(200, ConversationPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[Conversation], int, dict[str, str]]:
        """List your conversations, most recent first."""
        page = services.list_conversations(session=get_session(), user=g.current_user, **args)
        return page, 200, page_headers("assistant.Conversations", page)

    @allow("viewer")
    @blp.response(204)
    def delete(self) -> None:
        """Delete all your conversations."""
        session = get_session()
        services.delete_conversations(session=session, user=g.current_user)
        session.commit()


@blp.route("/conversations/<int:conversation_id>")
class ConversationItem(MethodView):
    @allow("viewer")
    @blp.response(200, ConversationDetailSchema)
    def get(self, conversation_id: int) -> services.ConversationView:
        """Read one of your conversations with its messages and citations."""
        return services.view_conversation(
            session=get_session(), user=g.current_user, conversation_id=conversation_id
        )

    @allow("viewer")
    @blp.response(204)
    def delete(self, conversation_id: int) -> None:
        """Delete one of your conversations."""
        session = get_session()
        services.delete_conversation(
            session=session, user=g.current_user, conversation_id=conversation_id
        )
        session.commit()
