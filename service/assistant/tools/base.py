"""What every assistant tool shares: its context, its result, its citations, its table entry.

The tools (service/assistant/tools/) are read-only, defined once with JSON schemas and
shared by both back ends: each calls the same service functions as the HTTP API and returns
plain data plus the citations of the records it read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from assessments.catalog.reference import Reference
from service.assistant.interfaces import Asker, Citation
from service.reference.services import get_reference
from service.vendors.names import NameIndex, name_index


class ToolError(ValueError):
    """A tool was called with arguments it cannot use; the message is safe to show."""


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns: JSON-able data and the citations of the records it read."""

    data: dict[str, Any]
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class ToolContext:
    """What tools may use: the request's session, the asker, reference data and the day."""

    session: Session
    asker: Asker
    reference: Reference
    names: NameIndex
    today: date


def tool_context(session: Session, asker: Asker, today: date) -> ToolContext:
    """A tool context for the running app (its reference data and the registry's names)."""
    return ToolContext(session, asker, get_reference(), name_index(), today)


# ---------------------------------------------------------------------------- citations


def vendor_citation(slug: str, name: str) -> Citation:
    """The citation of a vendor record."""
    return Citation("vendor", slug, name, None, f"/api/v1/vendors/{slug}")


def review_citation(review_id: int, title: str) -> Citation:
    """The citation of a review."""
    return Citation("review", str(review_id), title, None, f"/api/v1/reviews/{review_id}")


def rule_citation(rule_id: str, legal: str, explanation: str) -> Citation:
    """The citation of an engine rule with the law it rests on."""
    return Citation("rule", rule_id, explanation, legal, None)


@dataclass(frozen=True)
class Tool:
    """A read-only tool: its name, JSON-schema parameters and the function that runs it."""

    name: str
    parameters: dict[str, Any]
    run: Callable[[ToolContext, dict[str, Any]], ToolResult]
