"""One Aho-Corasick automaton over folded phrases, with word boundaries for spaced scripts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from assessments.scanner.text import fold_key, is_word_char

PREFIX_MARK = "*"  # a trailing `*` on a lexicon term: match any word ending (Polish inflection)


@dataclass(frozen=True)
class PhraseHit:
    """A phrase found in folded text: folded offsets and the payloads stored for its key."""

    start: int
    end: int
    key: str
    payloads: tuple[int, ...]


class PhraseIndex:
    """Phrases compiled once into one automaton; `find` returns boundary-checked hits.

    Latin (and other spaced-script) edges of a phrase must sit on a word boundary; CJK edges
    need none. A phrase ending in `*` matches a word prefix and is extended to the word end.
    """

    def __init__(self, phrases: Iterable[tuple[str, int]]) -> None:
        grouped: dict[str, list[int]] = {}
        prefix_keys: set[str] = set()
        for phrase, payload in phrases:
            prefix = phrase.endswith(PREFIX_MARK)
            key = fold_key(phrase.rstrip(PREFIX_MARK))
            if not key:
                continue
            if prefix:
                prefix_keys.add(key)
            grouped.setdefault(key, []).append(payload)
        self._automaton = ahocorasick.Automaton()
        for key, payloads in grouped.items():
            self._automaton.add_word(key, (key, tuple(dict.fromkeys(payloads)), key in prefix_keys))
        self.size = len(grouped)
        if grouped:
            self._automaton.make_automaton()

    def find(self, folded: str) -> list[PhraseHit]:
        """Every boundary-respecting hit, overlapping ones included, in text order."""
        if not self.size:
            return []
        hits: list[PhraseHit] = []
        n = len(folded)
        for last, (key, payloads, prefix) in self._automaton.iter(folded):
            end = last + 1
            start = end - len(key)
            if is_word_char(key[0]) and start > 0 and is_word_char(folded[start - 1]):
                continue
            if prefix:
                while end < n and is_word_char(folded[end]):
                    end += 1
            elif is_word_char(key[-1]) and end < n and is_word_char(folded[end]):
                continue
            hits.append(PhraseHit(start, end, key, payloads))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        return hits


def longest_leftmost(hits: list[PhraseHit]) -> list[PhraseHit]:
    """Drop hits that overlap an earlier or longer one (input sorted by start, longest first)."""
    kept: list[PhraseHit] = []
    last_end = -1
    for hit in hits:
        if hit.start >= last_end:
            kept.append(hit)
            last_end = hit.end
        elif kept and hit.start == kept[-1].start and hit.end > kept[-1].end:
            kept[-1] = hit
            last_end = hit.end
    return kept
