"""`xborder ask "question"`: the assistant from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlmodel import col

from service.assistant import services
from service.assistant.interfaces import Asker
from service.auth.models import User
from service.clikit import dumps
from service.db import session_scope


@click.command("ask")
@click.argument("question")
@click.option(
    "--user",
    "email",
    metavar="EMAIL",
    help="Ask as this user: their role decides which reviews are read, and the exchange is "
    "kept in their conversations. Without it the operator asks as admin and nothing is kept.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer and citations as JSON.")
@with_appcontext
def ask(question: str, email: str | None, as_json: bool) -> None:
    """Ask the assistant a question; the answer cites the records it used."""

    with session_scope() as session:
        assistant = services.get_assistant()
        if email:
            user = session.execute(
                select(User).where(col(User.email) == email.strip().lower())
            ).scalar_one_or_none()
            if user is None or user.disabled:
                raise click.ClickException(f"No active user {email}.")
            exchange = services.chat(
                session=session,
                user=user,
                message=question,
                conversation_id=None,
                assistant=assistant,
            )
            text, citations = exchange.answer, exchange.citations
            backend, conversation = exchange.backend, exchange.conversation_id
        else:
            answer = services.ask(
                session=session,
                asker=Asker("cli", "admin"),
                question=question,
                assistant=assistant,
            )
            text, citations = answer.text, [c.to_dict() for c in answer.citations]
            backend, conversation = answer.backend, None
    if as_json:
        click.echo(
            dumps(
                {
                    "answer": text,
                    "citations": citations,
                    "backend": backend,
                    "conversation_id": conversation,
                }
            )
        )
        return
    click.echo(text)
    if citations:
        click.echo("\nCited:")
        for c in citations:
            legal = f" — {c['citation']}" if c.get("citation") else ""
            click.echo(f"  [{c['kind']}] {c['id']}: {c['title']}{legal}")
    click.echo(f"\n({backend} assistant)")
