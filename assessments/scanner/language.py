"""Language of a policy among English, Polish, German and Chinese: script, then function words.

Four languages that differ this much are told apart reliably by their script (Han) and by
function words and diacritics; a statistical detector (langdetect, lingua) would add a
dependency, model data and nondeterminism for no gain on this set.
"""

from __future__ import annotations

import re

from assessments.scanner.lexicon import Lexicon
from assessments.scanner.text import is_cjk
from assessments.scanner.types import Language

_WORD = re.compile(r"[^\W\d_]+")
_LETTER = re.compile(r"[^\W\d_]")
_HAN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SAMPLE = 20_000


def detect_language(text: str, lexicon: Lexicon) -> Language:
    """The most likely of en/pl/de/zh with a 0-1 confidence; `und` when there is no text."""
    sample = text[:_SAMPLE]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return Language("und", 0.0, ())
    han = len(_HAN.findall(sample))
    words = [w.lower() for w in _WORD.findall(sample) if not is_cjk(w[0])]
    lowered = sample.lower()
    scores: dict[str, float] = {"zh": han / letters}
    latin = max(letters - han, 1)
    for lang, stopwords in lexicon.stopwords.items():
        hits = sum(1 for w in words if w in stopwords)
        score = hits / max(len(words), 1)
        special = lexicon.letters.get(lang, "")
        if special:
            score += 5 * sum(lowered.count(ch) for ch in special) / latin
        scores[lang] = score * (1 - scores["zh"])
    best = max(scores, key=lambda k: scores[k])
    total = sum(scores.values()) or 1.0
    return Language(
        best,
        round(scores[best] / total, 2),
        tuple(sorted(((k, round(v, 3)) for k, v in scores.items()), key=lambda kv: -kv[1])),
    )
