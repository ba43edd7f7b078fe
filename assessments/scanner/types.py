"""The scanner's results: frozen dataclasses with `to_dict` for JSON (a field's metadata
names its closed vocabulary or says what it holds, for the API's schemas)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """Where a finding sits in the scanned text: character offsets and the exact text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class VendorMatch:
    """One place a registry vendor is named, and how (name, alias, sdk, legal_entity, domain)."""

    span: Span
    how: str = field(
        metadata={"metadata": {"enum": ["name", "alias", "sdk", "legal_entity", "domain", "brand"]}}
    )
    alias: str
    confidence: float
    evidence: str


@dataclass(frozen=True)
class VendorHit:
    """A registry vendor the text discloses, with every span that names it."""

    slug: str
    name: str
    confidence: float
    matches: tuple[VendorMatch, ...]

    @property
    def evidence(self) -> str:
        """The sentence of the most confident match."""
        return max(self.matches, key=lambda m: m.confidence).evidence


@dataclass(frozen=True)
class Candidate:
    """A third party named in the text that no registry vendor matches: a record to add."""

    name: str
    cue: str = field(metadata={"metadata": {"enum": ["legal_form", "sdk", "provided_by"]}})
    spans: tuple[Span, ...]
    evidence: str


@dataclass(frozen=True)
class TermHit:
    """A lexicon id (data category, vendor category, mechanism, law, right...) and its spans."""

    id: str
    spans: tuple[Span, ...]
    evidence: str


@dataclass(frozen=True)
class Place:
    """A country (ISO code) or region id named in a cross-border statement."""

    id: str = field(
        metadata={"metadata": {"description": "ISO 3166-1 alpha-2 code or a region id"}}
    )
    span: Span


@dataclass(frozen=True)
class CrossBorderStatement:
    """A sentence about sending, storing or accessing data across borders."""

    span: Span
    places: tuple[Place, ...]
    mechanisms: tuple[str, ...]
    storage_in_prc: bool
    in_principle: bool


@dataclass(frozen=True)
class AgeThreshold:
    """A children's age threshold: `under` an age, or a `range` of ages with a special rule."""

    kind: str = field(metadata={"metadata": {"enum": ["under", "range"]}})
    age: int
    max_age: int | None
    span: Span
    evidence: str


@dataclass(frozen=True)
class ArticleCitation:
    """A cited article of a law, e.g. GDPR 6(1)(b)."""

    law: str
    article: str
    span: Span


@dataclass(frozen=True)
class Language:
    """The language detected, with a 0-1 confidence and the score of each candidate."""

    code: str
    confidence: float
    scores: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class ScanReport:
    """Everything a policy discloses that the scanner recognises."""

    language: Language
    characters: int
    catalog_version: str
    vendors: tuple[VendorHit, ...]
    candidates: tuple[Candidate, ...]
    own_entities: tuple[Candidate, ...]
    vendor_categories: tuple[TermHit, ...]
    other_recipients: tuple[TermHit, ...]
    data_categories: tuple[TermHit, ...]
    cross_border: tuple[CrossBorderStatement, ...]
    places: tuple[TermHit, ...]
    mechanisms: tuple[TermHit, ...]
    storage_in_prc: tuple[Span, ...]
    children: tuple[AgeThreshold, ...]
    laws: tuple[TermHit, ...]
    articles: tuple[ArticleCitation, ...]
    rights: tuple[TermHit, ...]
    template_notes: tuple[Span, ...]

    @property
    def vendor_slugs(self) -> frozenset[str]:
        """The slugs of every registry vendor found."""
        return frozenset(hit.slug for hit in self.vendors)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready primitives."""
        out = asdict(self)
        for hit, plain in zip(self.vendors, out["vendors"], strict=True):
            plain["evidence"] = hit.evidence
        out["language"]["scores"] = dict(self.language.scores)
        return out


@dataclass(frozen=True)
class VendorDiff:
    """A report's vendors against the vendors a review covers."""

    disclosed_not_reviewed: tuple[str, ...]
    reviewed_not_disclosed: tuple[str, ...]
    disclosed_and_reviewed: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready primitives."""
        return asdict(self)
