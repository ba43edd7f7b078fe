"""Vendor names and aliases of the registry, indexed for finding them inside a question.

Built from the registry's alias keys (`vendor_alias`, folded by `name_key` as the vendor
search does) and rebuilt only when that table changes, so a question costs one small query.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein
from sqlalchemy import func, select
from sqlmodel import Session, col

from assessments.catalog.names import name_key
from service.assistant.lexicon import has_cjk
from service.vendors.models import Vendor, VendorAlias

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


@dataclass(frozen=True)
class RegistryNames:
    """Folded alias key -> (slug, display name, alias), with the Chinese keys apart."""

    generation: tuple[int, int]
    by_key: dict[str, tuple[str, str, str]]
    keys: list[str]
    cjk_keys: tuple[str, ...]
    by_length: dict[int, list[str]]

    def _near_length(self, key: str, ratio: float) -> list[str]:
        """Keys whose length allows a similarity of `ratio` (saves comparing all of them)."""
        low, high = int(len(key) * ratio), int(len(key) / ratio) + 1
        return [k for n in range(low, high + 1) for k in self.by_length.get(n, ())]

    def exact(self, key: str) -> NameHit | None:
        """The vendor whose name or alias folds to exactly this key."""
        hit = self.by_key.get(key)
        return NameHit(hit[0], hit[1], hit[2], 100.0, True) if hit else None

    def in_text(self, folded_text: str) -> list[tuple[int, int, NameHit]]:
        """Chinese names found as substrings of the folded text, as (start, end, hit)."""
        found: list[tuple[int, int, NameHit]] = []
        for key in self.cjk_keys:
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
            self._near_length(key, FUZZY_SIMILARITY),
            scorer=fuzz.ratio,
            score_cutoff=70.0,
            limit=5,
        ):
            similarity = DamerauLevenshtein.normalized_similarity(key, candidate)
            if similarity < FUZZY_SIMILARITY:
                continue
            slug, name, alias = self.by_key[candidate]
            if best is None or similarity * 100 > best.score:
                best = NameHit(slug, name, alias, round(similarity * 100, 1), False)
        return best

    def suggestions(self, text: str, limit: int = 3) -> list[NameHit]:
        """Registry names that look somewhat like text (for "did you mean")."""
        key = name_key(text)
        if len(key) < 3:
            return []
        hits: dict[str, NameHit] = {}
        for candidate, score, _pos in process.extract(
            key,
            self._near_length(key, 0.6),
            scorer=fuzz.ratio,
            score_cutoff=75.0,
            limit=limit * 3,
        ):
            slug, name, alias = self.by_key[candidate]
            hits.setdefault(slug, NameHit(slug, name, alias, float(score), False))
        return list(hits.values())[:limit]


class NamesCache:
    """One RegistryNames per app, rebuilt when the alias table's size or newest row changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: RegistryNames | None = None

    def get(self, session: Session) -> RegistryNames:
        """The current index of the registry's names."""
        row = session.execute(
            select(func.count(col(VendorAlias.id)), func.coalesce(func.max(col(VendorAlias.id)), 0))
        ).one()
        generation = (int(row[0]), int(row[1]))
        with self._lock:
            if self._names is not None and self._names.generation == generation:
                return self._names
        names = _build(session, generation)
        with self._lock:
            self._names = names
        return names


def _build(session: Session, generation: tuple[int, int]) -> RegistryNames:
    rows = session.execute(
        select(
            col(VendorAlias.key),
            col(VendorAlias.alias),
            col(VendorAlias.is_name),
            col(Vendor.slug),
            col(Vendor.name),
        )
        .join(Vendor, col(Vendor.id) == col(VendorAlias.vendor_id))
        .order_by(col(VendorAlias.is_name).desc(), col(VendorAlias.id))
    ).all()
    by_key: dict[str, tuple[str, str, str]] = {}
    slugs: dict[str, str] = {}
    for key, alias, _is_name, slug, name in rows:
        by_key.setdefault(str(key), (str(slug), str(name), str(alias)))
        slugs.setdefault(str(slug), str(name))
    # A slug is a name too ("mopub", "google-maps"), unless another vendor owns that key.
    for slug, name in slugs.items():
        by_key.setdefault(name_key(slug), (slug, name, slug))
    cjk = tuple(sorted((k for k in by_key if has_cjk(k)), key=len, reverse=True))
    by_length: dict[int, list[str]] = {}
    for key in by_key:
        by_length.setdefault(len(key), []).append(key)
    return RegistryNames(generation, by_key, list(by_key), cjk, by_length)
