"""Name normalisation shared by the registry's search, the catalog checks and the scanner."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein


def name_key(text: str) -> str:
    """Fold a vendor name to a comparison key: NFKC, case-folded, letters and digits only.

    "Umeng+", "UMeng" and "u-meng" share a key; scripts are kept, so "友盟+" folds to "友盟"
    and "Яндекс.Деньги" to "яндексденьги".
    """
    if text.isascii():  # NFKC leaves ASCII as it is, and casefold is lower() there
        return text.lower().translate(_ASCII_NOT_ALNUM)
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(filter(str.isalnum, folded))


_ASCII_NOT_ALNUM = dict.fromkeys(i for i in range(128) if not chr(i).isalnum())


# Words that name the form of a product, not the vendor: "Unity ads SDK" is "Unity Ads".
_GENERIC_WORDS = frozenset({"sdk", "sdks", "api", "apis", "plugin", "plugins", "library", "the"})
_MIN_FUZZY_KEY = 4


def _stripped_key(text: str) -> str:
    """The name key without generic words (SDK, API, plugin) around the vendor's name."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    words = "".join(ch if ch.isalnum() else " " for ch in folded).split()
    kept = [w for w in words if w not in _GENERIC_WORDS]
    key = "".join(kept)
    # "友盟SDK" has no space before SDK.
    for suffix in ("sdk",):
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            key = key[: -len(suffix)]
    return key


@dataclass(frozen=True)
class NameMatch:
    """A vendor found for a name: its slug, the name or alias that matched, and how well."""

    slug: str
    matched: str
    score: float
    exact: bool


class NameIndex:
    """Resolve names as policies write them to vendor slugs: exact keys first, then typos."""

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]) -> None:
        self._by_key: dict[str, tuple[str, str]] = {}
        for slug, names in entries:
            for name in names:
                key = name_key(name)
                if key:
                    self._by_key.setdefault(key, (slug, name))
        self._keys = list(self._by_key)

    def resolve(self, query: str, *, min_score: float = 85.0) -> NameMatch | None:
        """The best vendor for `query`, or None when nothing is close enough."""
        for key in (name_key(query), _stripped_key(query)):
            if key in self._by_key:
                slug, matched = self._by_key[key]
                return NameMatch(slug=slug, matched=matched, score=100.0, exact=True)
        found = self.search(query, limit=1, min_score=min_score)
        return found[0] if found else None

    def search(self, query: str, *, limit: int = 10, min_score: float = 75.0) -> list[NameMatch]:
        """Vendors whose names are close to `query`, best first, one entry per vendor."""
        key = _stripped_key(query) or name_key(query)
        if len(key) < _MIN_FUZZY_KEY:
            hit = self._by_key.get(key)
            return [NameMatch(hit[0], hit[1], 100.0, True)] if hit else []
        # Damerau-Levenshtein counts a swapped pair of letters ("Untiy") as one edit.
        scored = process.extract(
            key,
            self._keys,
            scorer=DamerauLevenshtein.normalized_similarity,
            score_cutoff=min_score / 100,
            limit=limit * 4,
        )
        results: list[NameMatch] = []
        seen: set[str] = set()
        for candidate, score, _ in scored:
            slug, matched = self._by_key[candidate]
            if slug in seen:
                continue
            seen.add(slug)
            results.append(NameMatch(slug, matched, round(score * 100, 1), candidate == key))
            if len(results) == limit:
                break
        return results
