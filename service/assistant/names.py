"""Vendor names and aliases of the registry, for finding them inside a question.

A view of the app's one name index (service/vendors/names.py): the registry's alias keys
(folded by `name_key` as the vendor search does) and slugs, kept in step with the registry
version, so a question costs one small query however often vendors are written.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from assessments.catalog.names import name_key
from service.assistant.lexicon import has_cjk
from service.vendors.names import NameIndex

MIN_FUZZY_KEY = 4
FUZZY_SIMILARITY = 0.8  # at most one typo in five letters


@dataclass(frozen=True, slots=True)
class NameHit:
    """A vendor found by one of its names: slug, display name, the alias and how well."""

    slug: str
    name: str
    alias: str
    score: float
    exact: bool


class RegistryNames:
    """Folded key -> (slug, display name, alias), with the Chinese keys apart."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index

    def exact(self, key: str) -> NameHit | None:
        """The vendor whose name or alias folds to exactly this key."""
        entry = self.index.exact(key)
        return NameHit(entry.slug, entry.name, entry.alias, 100.0, True) if entry else None

    def in_text(self, folded_text: str) -> list[tuple[int, int, NameHit]]:
        """Chinese names found as substrings of the folded text, as (start, end, hit)."""
        found: list[tuple[int, int, NameHit]] = []
        for key in self.index.keys_where(has_cjk):
            start = folded_text.find(key)
            if start >= 0:
                hit = self.exact(key)
                if hit is not None:
                    found.append((start, start + len(key), hit))
        return found

    def closest(self, text: str) -> NameHit | None:
        """The vendor whose name is within about one typo of text, if one is."""
        key = name_key(text)
        if len(key) < MIN_FUZZY_KEY:
            return None
        best: NameHit | None = None
        for candidate, _score, _pos in process.extract(
            key,
            self.index.near_length(key, FUZZY_SIMILARITY),
            scorer=fuzz.ratio,
            score_cutoff=70.0,
            limit=5,
        ):
            similarity = DamerauLevenshtein.normalized_similarity(key, candidate)
            if similarity < FUZZY_SIMILARITY:
                continue
            hit = self.exact(candidate)
            if hit is not None and (best is None or similarity * 100 > best.score):
                best = NameHit(hit.slug, hit.name, hit.alias, round(similarity * 100, 1), False)
        return best

    def suggestions(self, text: str, limit: int = 3) -> list[NameHit]:
        """Registry names that look somewhat like text (for "did you mean")."""
        key = name_key(text)
        if len(key) < 3:
            return []
        hits: dict[str, NameHit] = {}
        for candidate, score, _pos in process.extract(
            key,
            self.index.near_length(key, 0.6),
            scorer=fuzz.ratio,
            score_cutoff=75.0,
            limit=limit * 3,
        ):
            hit = self.exact(candidate)
            if hit is not None:
                fuzzy = NameHit(hit.slug, hit.name, hit.alias, float(score), False)
                hits.setdefault(hit.slug, fuzzy)
        return list(hits.values())[:limit]
