"""Text folding with offset mapping, sentence bounds and script helpers for the scanner."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

# One character in, one character out: typographic quotes, dashes and unusual spaces become
# their plain forms so that lexicon terms written plainly match policies typeset with care.
_ONE_TO_ONE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\t": " ",
        "\n": " ",
        "\r": " ",
        "\f": " ",
        "\v": " ",
        "\u00ad": " ",
    }
)
_SPACE_RUN = re.compile(r" {2,}")

# Sentence ends: . ! ? followed by space and an upper-case letter/digit/quote/bullet, CJK
# full stops and semicolons, and line breaks (bullets, headings and table rows end a sentence).
_SENTENCE_END = re.compile(
    r"[.!?](?=\s+[\"'“„(]?[A-ZĄĆĘŁŃÓŚŹŻÄÖÜ0-9•\-\u4e00-\u9fff])|[。！？；]|\n\s*"
)
# ... unless the full stop ends an abbreviation or an initial ("e.g.", "Co.", "U.S.").
_ABBREVIATION = re.compile(
    r"(?:\b[A-Za-z]|\b[A-Z][a-z]|\be\.g|\bi\.e|\bNo|\bCo|\bInc|\bLtd|\bArt|\bnp|\bz o\.o|"
    r"\bttd|\bvs|\betc|\bapprox)$"
)


_RARE = re.compile("[" + "".join(chr(c) for c in _ONE_TO_ONE if chr(c) not in "\n\t\r") + "]")


def fold_char_text(text: str) -> str:
    """Lower-case `text` one character at a time, so the result has the same length."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)
    # Line breaks and tabs are common: plain replace; the rest are rare: substitute if present.
    low = low.replace("\n", " ").replace("\t", " ").replace("\r", " ")
    if _RARE.search(low):
        low = _RARE.sub(lambda m: str(_ONE_TO_ONE[ord(m.group())]), low)
    return low


def fold_key(phrase: str) -> str:
    """The folded form of a lexicon or vendor phrase: as texts are folded, spaces single."""
    return _SPACE_RUN.sub(" ", fold_char_text(phrase.strip()))


@dataclass(frozen=True)
class FoldedText:
    """A policy text folded for matching, with a map from folded offsets back to the text."""

    original: str
    folded: str
    _starts: tuple[int, ...] = field(default=(0,), repr=False)
    _shifts: tuple[int, ...] = field(default=(0,), repr=False)

    def to_original(self, pos: int) -> int:
        """The offset in the original text of folded offset `pos`."""
        if len(self._starts) == 1:
            return pos
        return pos + self._shifts[bisect_right(self._starts, pos) - 1]


def fold_text(text: str) -> FoldedText:
    """Fold `text` for matching: lower case, plain punctuation, runs of spaces collapsed."""
    low = fold_char_text(text)
    starts = [0]
    shifts = [0]
    pieces: list[str] = []
    last = 0
    removed = 0
    for match in _SPACE_RUN.finditer(low):
        pieces.append(low[last : match.start() + 1])
        removed += match.end() - match.start() - 1
        last = match.end()
        starts.append(match.end() - removed)
        shifts.append(removed)
    if len(starts) == 1:
        return FoldedText(text, low)
    pieces.append(low[last:])
    return FoldedText(text, "".join(pieces), tuple(starts), tuple(shifts))


@dataclass(frozen=True)
class Sentences:
    """Sentence boundaries of a text, for evidence and context windows."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def bounds(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding offset `pos`."""
        i = max(bisect_right(self.starts, pos) - 1, 0)
        return self.starts[i], self.ends[i]

    def sentence(self, pos: int, limit: int = 400) -> str:
        """The sentence holding `pos`, whitespace-normalised and cut to about `limit` chars."""
        start, end = self.bounds(pos)
        if end - start > limit:
            start = max(start, pos - limit // 2)
            end = min(end, start + limit)
        return " ".join(self.text[start:end].split())

    def is_initial(self, pos: int) -> bool:
        """True when only bullets, numbers, quotes or punctuation precede `pos` in its sentence."""
        start, _ = self.bounds(pos)
        return not any(ch.isalpha() for ch in self.text[start:pos])


def split_sentences(text: str) -> Sentences:
    """Find sentence boundaries (Latin and CJK punctuation, line breaks)."""
    starts = [0]
    ends: list[int] = []
    for match in _SENTENCE_END.finditer(text):
        first = match.group()[0]
        if first == "." and _ABBREVIATION.search(text, max(0, match.start() - 8), match.start()):
            continue
        ends.append(match.start() + 1 if first in ".!?。！？；" else match.start())
        starts.append(match.end())
    ends.append(len(text))
    return Sentences(text, tuple(starts), tuple(ends))


def is_cjk(ch: str) -> bool:
    """True for Han, kana and Hangul characters (matched without word boundaries)."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x2FA1F
    )


def is_word_char(ch: str) -> bool:
    """A letter or digit of a script written with spaces between words (not CJK)."""
    if ch < "\u2e80":
        return ch.isalnum() or ch == "_"
    return ch.isalnum() and not is_cjk(ch)


def has_cjk(text: str) -> bool:
    """True when `text` holds at least one CJK character."""
    return any(is_cjk(ch) for ch in text)
