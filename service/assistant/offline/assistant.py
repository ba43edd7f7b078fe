"""The offline back end (the default): no network, no model.

It reads the question (understanding.py), calls the read-only tools (the same service
functions the API uses), and writes the answer from templates in prompts/answers/. It only
says what the records say; where they are silent it says so and what to add. The answers
live beside it: offline/vendors.py (vendor facts and lists) and offline/transfers.py (what a
transfer needs, and the asker's reviews).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from assessments.catalog.reference import Reference
from service.assistant.interfaces import Answer, AskContext, Citation, Event, unique_citations
from service.assistant.lexicon import Lexicon, has_cjk, load_lexicon
from service.assistant.names import RegistryNames
from service.assistant.offline.lifecycle import answer_changes, answer_overdue
from service.assistant.offline.transfers import answer_reviews, answer_transfer
from service.assistant.offline.vendors import answer_template, vendor_fact, vendor_list
from service.assistant.templates import render
from service.assistant.tools.base import tool_context
from service.assistant.understanding import Question, understand
from service.models import utcnow

NAME = "offline"


@dataclass(frozen=True)
class Composed:
    """An answer before it is wrapped: text, citations and the intent it answered."""

    text: str
    citations: tuple[Citation, ...]
    intent: str


def lexicon_for(reference: Reference) -> Lexicon:
    """The lexicon with the reference data's names (cached per reference content)."""
    return load_lexicon(
        tuple(sorted((k, v.name) for k, v in reference.data_categories.items())),
        tuple(sorted((k, v.name) for k, v in reference.purposes.items())),
        tuple(sorted((k, v.name) for k, v in reference.vendor_categories.items())),
    )


class OfflineAssistant:
    """Intent and entity recognition over the registry, answers from templates."""

    name = NAME

    def answer(self, question: str, context: AskContext) -> Answer:
        """Answer in one piece."""
        composed = self.compose(question, context)
        return Answer(composed.text, composed.citations, NAME, composed.intent)

    def stream(self, question: str, context: AskContext) -> Iterator[Event]:
        """The whole answer is ready at once; it is sent line by line, then `done`."""
        answer = self.answer(question, context)
        for line in answer.text.splitlines(keepends=True):
            yield Event("delta", line)
        yield Event("done", answer=answer)

    def compose(self, question: str, context: AskContext) -> Composed:
        """Understand the question and compose the answer from the records."""
        ctx = tool_context(context.session, context.asker, utcnow().date())
        names = RegistryNames(ctx.names.sync(context.session))
        lexicon = lexicon_for(ctx.reference)
        parsed = _follow_up(understand(question, lexicon, names), context, lexicon, names)
        handler = {
            "vendor_fact": vendor_fact,
            "vendor_list": vendor_list,
            "transfer": answer_transfer,
            "reviews": answer_reviews,
            "overdue": answer_overdue,
            "changes": answer_changes,
        }.get(parsed.intent)
        if handler is None:
            return Composed(render(answer_template("help.md.j2", parsed.language)), (), "help")
        text, citations = handler(parsed, ctx, names)
        return Composed(text, unique_citations(citations), parsed.intent)


_REFERS_BACK = re.compile(
    r"\b(it|its|they|them|their|this vendor|that vendor|this one|that one)\b|它|该供应商", re.I
)


# A follow-up to a transfer question: "and for 50,000 users?", "what about the EU?", "那欧盟呢？"
_CONTINUES = re.compile(
    r"^\s*(and|what about|how about|what if|and if|for|same for|then)\b"
    r"|^\s*(那|如果|换成|改为|改成)|呢\s*[？?]?\s*$",
    re.IGNORECASE,
)
_KEPT_ROLES = ("exporter", "from", "destination")


def _continued(earlier: Question, parsed: Question) -> Question:
    """An earlier transfer question with what a follow-up changes: the head-count, the people's
    places, the data, children, purposes; the vendor, the sender and the rest are kept."""
    countries = earlier.countries
    if parsed.countries:
        kept = tuple(c for c in earlier.countries if c.role in _KEPT_ROLES)
        if not any(c.role in ("exporter", "from") for c in kept):
            # The sender was where the people were: it stays when the people change.
            implied = [c for c in earlier.countries if c.role == "subjects"][:1]
            kept += tuple(replace(c, role="exporter") for c in implied)
        new = tuple(
            c if c.role in _KEPT_ROLES else replace(c, role="subjects") for c in parsed.countries
        )
        countries = kept + new
    return replace(
        earlier,
        count=parsed.count if parsed.count is not None else earlier.count,
        countries=countries,
        data_categories=parsed.data_categories or earlier.data_categories,
        ambiguous_categories=parsed.ambiguous_categories or earlier.ambiguous_categories,
        purposes=parsed.purposes or earlier.purposes,
        minors=parsed.minors or earlier.minors,
        intent="transfer",
        reply_language="zh" if has_cjk(parsed.text) else "en",
    )


def _conversation_transfer(
    context: AskContext, lexicon: Lexicon, names: RegistryNames
) -> Question | None:
    """The transfer the conversation is about so far: its last transfer question naming a
    vendor, with every follow-up after it applied."""
    state: Question | None = None
    for turn in context.history:
        if turn.role != "user":
            continue
        earlier = understand(turn.content, lexicon, names)
        if earlier.intent == "transfer" and earlier.vendors:
            state = earlier
        elif state is not None and not earlier.vendors and _CONTINUES.search(earlier.text):
            state = _continued(state, earlier)
        elif earlier.intent != "help":
            state = None
    return state


def _follow_up(
    parsed: Question, context: AskContext, lexicon: Lexicon, names: RegistryNames
) -> Question:
    """A question that refers back ("what data does it receive?") keeps the earlier vendor;
    a follow-up to a transfer question ("and for 50,000 users?") re-runs that transfer."""
    if (
        parsed.vendors
        or parsed.intent in ("vendor_list", "reviews", "overdue", "changes")
        or not context.history
    ):
        return parsed
    if _CONTINUES.search(parsed.text) and (
        parsed.count is not None or parsed.countries or parsed.data_categories or parsed.minors
    ):
        earlier = _conversation_transfer(context, lexicon, names)
        if earlier is not None:
            return _continued(earlier, parsed)
    if not _REFERS_BACK.search(parsed.text):
        return parsed
    for turn in reversed(context.history):
        if turn.role != "user":
            continue
        earlier = understand(turn.content, lexicon, names)
        if earlier.vendors:
            intent = "transfer" if parsed.intent == "transfer" else "vendor_fact"
            return replace(parsed, vendors=earlier.vendors[:1], unknown_name=None, intent=intent)
    return parsed
