"""The assistant's chat: conversations with cited answers (streamed by a small script)."""

from __future__ import annotations

import re
from typing import Any

from flask import g, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from service import errors
from service.assistant import services
from service.assistant.schemas import ChatRequestSchema
from service.auth.permissions import allow
from service.db import get_session
from service.reports.markup import render_text
from service.web import forms
from service.web.blueprint import web

_CODE = re.compile(r"`([^`<>]+)`")


def answer_html(text: str) -> Markup:
    """An answer's Markdown-like text as safe HTML, with `inline code` shown as code."""
    html = str(render_text(text))  # escaped text and fixed tags only
    return Markup(_CODE.sub(r"<code>\1</code>", html))


def citation_link(citation: dict[str, Any]) -> str | None:
    """The UI page of a cited record: vendors and reviews have one."""
    kind, ident = citation.get("kind"), str(citation.get("id") or "")
    if kind == "vendor" and ident:
        return url_for("web.vendor", slug=ident)
    if kind == "review" and ident.isdigit():
        return url_for("web.review", review_id=int(ident))
    return None


def _page(conversation_id: int | None, form: forms.FormState, status: int = 200) -> Any:
    session, user = get_session(), g.current_user
    conversations = services.list_conversations(session=session, user=user, per_page=30)
    current = None
    if conversation_id is not None:
        current = services.view_conversation(
            session=session, user=user, conversation_id=conversation_id
        )
    template = "web/_messages.html" if request.args.get("fragment") else "web/assistant.html"
    page = render_template(
        template,
        conversations=conversations,
        current=current,
        form=form,
        text=answer_html,
        link=citation_link,
    )
    return page, status


@allow("viewer")
@web.route("/assistant", methods=["GET", "POST"])
def assistant() -> Any:
    """Ask a question; answers come from the registry and the engine, with their citations."""
    if request.method == "GET":
        return _page(request.args.get("c", type=int), forms.FormState())
    session = get_session()
    values = forms.raw_values(request.form)
    body = {
        "message": forms.text(values.get("message"), blank=""),
        "conversation_id": forms.integer(values.get("conversation_id")),
    }
    try:
        data = forms.load(ChatRequestSchema(), {k: v for k, v in body.items() if v is not ...})
        exchange = services.chat(
            session=session,
            user=g.current_user,
            message=data["message"],
            conversation_id=data["conversation_id"],
            assistant=services.get_assistant(),
        )
    except errors.DomainError as exc:
        session.rollback()
        conversation = body["conversation_id"] if isinstance(body["conversation_id"], int) else None
        return _page(conversation, forms.state_from_error(values, exc), exc.status)
    session.commit()
    target = url_for("web.assistant", c=exchange.conversation_id)
    return redirect(f"{target}#latest", code=303)


@allow("viewer")
@web.post("/assistant/<int:conversation_id>/delete")
def delete_conversation(conversation_id: int) -> Response:
    """Delete one of your conversations."""
    session = get_session()
    services.delete_conversation(
        session=session, user=g.current_user, conversation_id=conversation_id
    )
    session.commit()
    return redirect(url_for("web.assistant"), code=303)
