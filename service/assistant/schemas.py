"""Marshmallow schemas of the assistant API: the chat request and answer, conversations."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.assistant.interfaces import Citation, Exchange
from service.models import MAX_ROW_ID
from service.paging import PageArgs, page_schema
from service.schemas import dataclass_schema


class ChatRequestSchema(Schema):
    """A question, optionally continuing one of the caller's conversations."""

    message = fields.String(required=True, validate=validate.Length(1, 2000))
    conversation_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ROW_ID)
    )


# A record the answer rests on; `kind` is a Literal, which marshmallow-dataclass would dump
# as a Raw field with a choice (no "type" in the OpenAPI): it stays the String it was.
CitationSchema = dataclass_schema(
    Citation,
    "CitationSchema",
    kind=fields.String(metadata={"description": "vendor, review or rule"}),
)

# The answer, its citations, the back end that produced it and the conversation (the service
# keeps each citation as the dict it stores).
ChatResponseSchema = dataclass_schema(
    Exchange, "ChatResponseSchema", citations=fields.List(fields.Nested(CitationSchema))
)


class MessageSchema(Schema):
    """A question or an answer in a conversation."""

    id = fields.Integer()
    role = fields.String()
    content = fields.String()
    citations = fields.List(fields.Nested(CitationSchema))
    backend = fields.String(allow_none=True)
    notice = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()


class ConversationSchema(Schema):
    """A conversation (its title is the first question)."""

    id = fields.Integer()
    title = fields.String()
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()


class ConversationDetailSchema(ConversationSchema):
    """A conversation with its messages, oldest first."""

    messages = fields.List(fields.Nested(MessageSchema))


ConversationPageSchema = page_schema(
    ConversationSchema, "ConversationPageSchema", "One page of the caller's conversations."
)


class ConversationQueryArgsSchema(PageArgs):
    """Pagination of the conversation list."""
