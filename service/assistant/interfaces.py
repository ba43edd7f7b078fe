"""The assistant's one interface and the plain types both back ends exchange."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from sqlmodel import Session

CitationKind = Literal["vendor", "review", "rule"]
EventKind = Literal["delta", "notice", "done"]


@dataclass(frozen=True, slots=True)
class Citation:
    """A record an answer rests on: a vendor slug, a review id or a rule id with its law."""

    kind: CitationKind
    id: str = field(metadata={"metadata": {"description": "vendor slug, review id or rule id"}})
    title: str
    citation: str | None = field(
        default=None, metadata={"metadata": {"description": "legal citation (rules)"}}
    )
    url: str | None = field(
        default=None, metadata={"metadata": {"description": "API path of the record"}}
    )

    def to_dict(self) -> dict[str, Any]:
        """The citation as JSON (its fields in order; every value is a string or None)."""
        return asdict(self)


@dataclass(frozen=True)
class Exchange:
    """One question answered inside a conversation, as the service stored it."""

    answer: str
    citations: list[dict[str, Any]]  # each a Citation.to_dict()
    backend: str = field(metadata={"metadata": {"description": "offline or llm"}})
    conversation_id: int
    notice: str | None = field(
        metadata={"metadata": {"description": "e.g. why the LLM answer fell back to offline"}}
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete answer: text, the records it cites and which back end produced it."""

    text: str
    citations: tuple[Citation, ...]
    backend: str
    intent: str | None = None
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """A piece of a streamed answer: text as it arrives, a notice, or the finished answer."""

    kind: EventKind
    text: str = ""
    answer: Answer | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """An earlier message of the conversation, for back ends that use context."""

    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks: their email and role decide which reviews the tools may show."""

    email: str
    role: str


@dataclass
class AskContext:
    """What a back end may use to answer: the session, the asker and earlier turns."""

    session: Session
    asker: Asker
    history: Sequence[Turn] = field(default_factory=tuple)


class Assistant(Protocol):
    """Answers a question, whole or as a stream of events ending with `done`."""

    name: str

    def answer(self, question: str, context: AskContext) -> Answer:
        """Answer the question in one piece."""
        ...

    def stream(self, question: str, context: AskContext) -> Iterator[Event]:
        """Answer the question as events; the last one is `done` with the whole answer."""
        ...


def unique_citations(citations: Sequence[Citation]) -> tuple[Citation, ...]:
    """Citations in first-seen order, each (kind, id) once."""
    seen: dict[tuple[str, str], Citation] = {}
    for citation in citations:
        seen.setdefault((citation.kind, citation.id), citation)
    return tuple(seen.values())
