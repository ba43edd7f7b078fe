"""Intent and entity recognition for the offline assistant: what a question asks, about what.

Pure functions over a question, the lexicon and the registry's names: vendors (exact names
and aliases, Chinese names, then typo-tolerant), countries and the role they play in the
question, taxonomy data categories and purposes, vendor kinds, statuses, head-counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assessments.catalog.names import name_key
from service.assistant.lexicon import (
    ENTITY_TABLES,
    Entry,
    Lexicon,
    Word,
    arabic_numbers,
    chinese_remainder,
    has_cjk,
    words_of,
)
from service.assistant.names import NameHit, RegistryNames

INTENTS = ("vendor_fact", "vendor_list", "transfer", "reviews", "help")
ASPECTS = (
    "processing",
    "hq",
    "dpf",
    "status",
    "data",
    "certifications",
    "mechanisms",
    "entity",
    "role",
    "covered_person",
    "sdk",
)

_COUNT = re.compile(
    r"(?<![A-Za-z0-9.])(\d{1,3}(?:[,\s]\d{3})+|\d+(?:\.\d+)?)\s*"
    r"(million|mio|mn|m|thousand|k|billion|bn|hundred thousand|万|百万|千万|亿)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MULTIPLIERS = {
    "million": 1_000_000,
    "mio": 1_000_000,
    "mn": 1_000_000,
    "m": 1_000_000,
    "thousand": 1_000,
    "k": 1_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "hundred thousand": 100_000,
    "万": 10_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
}
_PRONOUNS = frozenset({"we", "our", "i", "my", "us", "我们", "我司"})
_HQ_WORDS = frozenset(
    {
        "headquartered",
        "headquarter",
        "hq",
        "based",
        "incorporated",
        "domiciled",
        "registered",
        "from",
    }
)
_PROCESSING_WORDS = frozenset(
    {
        "process",
        "processe",
        "processing",
        "processed",
        "store",
        "stored",
        "storing",
        "host",
        "hosted",
        "hosting",
        "server",
        "located",
        "datum",
        "data",
    }
)
_ORG_WORDS = frozenset(
    {
        "office",
        "entity",
        "subsidiary",
        "affiliate",
        "branch",
        "team",
        "headquarter",
        "hq",
        "company",
        "group",
        "parent",
    }
)
_QUESTION_WORDS = frozenset(
    {
        "what",
        "which",
        "where",
        "who",
        "how",
        "is",
        "are",
        "can",
        "could",
        "do",
        "does",
        "did",
        "may",
        "should",
        "tell",
        "list",
        "show",
        "give",
        "name",
        "any",
        "has",
        "have",
        "will",
        "would",
    }
)


@dataclass(frozen=True, slots=True)
class VendorMention:
    """A registry vendor named in the question, and how it was recognised."""

    slug: str
    name: str
    surface: str
    exact: bool
    score: float


@dataclass(frozen=True, slots=True)
class CountryMention:
    """A country (or `EU`) in the question and its role: hq, processing, subjects, ..."""

    code: str
    surface: str
    role: str


@dataclass(frozen=True)
class Question:
    """What the offline assistant understood of a question."""

    text: str
    intent: str
    vendors: tuple[VendorMention, ...] = ()
    unknown_name: str | None = None
    aspects: tuple[str, ...] = ()
    countries: tuple[CountryMention, ...] = ()
    data_categories: tuple[str, ...] = ()
    ambiguous_categories: tuple[tuple[str, tuple[str, ...]], ...] = ()
    purposes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    count: int | None = None
    minors: bool = False
    dpf: bool = False
    mechanisms: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()
    regimes: tuple[str, ...] = ()
    open_only: bool = False
    ours: bool = False  # "our vendors", "we use": the portfolio, not the whole catalog
    reply_language: str = ""  # set on a follow-up merged with earlier turns: the asker's
    cues: frozenset[str] = field(default_factory=frozenset)

    @property
    def language(self) -> str:
        """The answer's language: the asker's on a follow-up, else Simplified Chinese for a
        question written in Chinese, English otherwise."""
        return self.reply_language or ("zh" if has_cjk(self.text) else "en")

    def countries_as(self, *roles: str) -> tuple[str, ...]:
        """Country codes mentioned in one of the roles, in order, once each."""
        return tuple(dict.fromkeys(c.code for c in self.countries if c.role in roles))


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    entry: Entry


def _match_phrases(words: Sequence[Word], lexicon: Lexicon) -> list[_Span]:
    """Every lexicon phrase in the words (all lengths; overlaps resolved by the caller)."""
    folded = [w.folded for w in words]
    spans: list[_Span] = []
    for i in range(len(folded)):
        for length in range(min(lexicon.longest, len(folded) - i), 0, -1):
            for entry in lexicon.phrases.get(tuple(folded[i : i + length]), ()):
                spans.append(_Span(i, i + length, entry))
    for word_index, word in enumerate(words):
        target = lexicon.upper_codes.get(word.surface)
        if target is not None:
            spans.append(_Span(word_index, word_index + 1, Entry("country", target)))
    return spans


def _cjk_matches(text: str, lexicon: Lexicon) -> list[Entry]:
    folded = text.casefold()
    return [entry for phrase, entry in lexicon.cjk_phrases if phrase in folded]


# Whose country a Chinese country name is, from the words around it.
_ZH_SUBJECTS = ("用户", "的用户", "客户", "居民", "公民", "个人", "人", "消费者", "员工", "儿童")
_ZH_ROLES = (
    (re.compile(r"(总部|总部位于|总部设在|注册于|注册在)\s*$"), "hq"),
    (re.compile(r"在\s*$"), "processing_or_hq"),
    (re.compile(r"(从|自|来自)\s*$"), "from"),
    (re.compile(r"(向|到|发往|传输到|传到|发送到|位于)\s*$"), "destination"),
)


def _cjk_countries(text: str, lexicon: Lexicon) -> list[CountryMention]:
    """Country names in Chinese, each with its role: 中国用户 (the people), 总部在美国 (HQ),
    在新加坡处理 (processing), 从德国 (the sender), 向美国 (the recipient)."""
    folded = text.casefold()
    found: dict[str, CountryMention] = {}
    for phrase, entry in lexicon.cjk_phrases:
        if entry.table != "country":
            continue
        at = folded.find(phrase)
        if at < 0 or entry.target in found:
            continue
        after, before = folded[at + len(phrase) :], folded[max(0, at - 6) : at]
        role = "unspecified"
        if after.startswith(_ZH_SUBJECTS):
            role = "subjects"
        else:
            for pattern, named in _ZH_ROLES:
                if pattern.search(before):
                    role = named
                    break
            if role == "processing_or_hq":
                role = "processing" if re.match(r".{0,6}(处理|存储|储存)", after) else "hq"
            if role == "from" and ("我们" in before or "我司" in before):
                role = "exporter"
        found[entry.target] = CountryMention(entry.target, phrase, role)
    return list(found.values())


def _resolve_entities(spans: Iterable[_Span], blocked: set[int]) -> list[_Span]:
    """Longest spans first, ties by table order; a word belongs to one entity at most."""
    candidates = [s for s in spans if s.entry.table in ENTITY_TABLES]
    order = {t: i for i, t in enumerate(ENTITY_TABLES)}
    candidates.sort(key=lambda s: (-(s.end - s.start), order[s.entry.table], s.start))
    taken = set(blocked)
    chosen: list[_Span] = []
    for span in candidates:
        cover = set(range(span.start, span.end))
        if cover & taken:
            continue
        taken |= cover
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _find_vendors(
    words: Sequence[Word], text: str, names: RegistryNames, lexicon: Lexicon, longest: int = 5
) -> tuple[list[tuple[int, int, NameHit, str]], list[NameHit]]:
    """Exact vendor names as word n-grams (longest first) plus Chinese names as substrings."""
    found: list[tuple[int, int, NameHit, str]] = []
    taken: set[int] = set()
    for length in range(min(longest, len(words)), 0, -1):
        for i in range(len(words) - length + 1):
            if any(j in taken for j in range(i, i + length)):
                continue
            span = words[i : i + length]
            surface = text[span[0].start : span[-1].end]
            key = "".join(name_key(w.surface) for w in span)
            hit = names.exact(key)
            if hit is None and length == 1 and key.endswith("s"):
                hit = names.exact(key[:-1])  # "Firebase's" was cut; "Umengs" -> Umeng
            if hit is None:
                continue
            if length == 1 and _looks_like_a_word(span[0], lexicon, i):
                continue
            taken.update(range(i, i + length))
            found.append((i, i + length, hit, surface))
    cjk_hits = [hit for _s, _e, hit in names.in_text(name_key(text))] if has_cjk(text) else []
    return sorted(found, key=lambda f: f[0]), cjk_hits


def _looks_like_a_word(word: Word, lexicon: Lexicon, index: int) -> bool:
    """A lower-case common word ("adjust", "segment") is not taken for a vendor's name."""
    if word.surface != word.surface.casefold():
        return (
            index == 0
            and word.folded in lexicon.common_words
            and len(word.surface) > 1
            and (word.surface[1:] == word.surface[1:].casefold())
        )
    return word.folded in lexicon.common_words or word.folded in lexicon.vocabulary


def _country_role(words: Sequence[Word], start: int, end: int, lexicon: Lexicon) -> str:
    """Whose country it is: the people's, the vendor's HQ, where data is processed, ..."""
    after = [w.folded for w in words[end : end + 3]]
    before = [w.folded for w in words[max(0, start - 5) : start]]
    subjects = lexicon.subject_words
    if after and (after[0] in subjects or (len(after) > 1 and after[1] in subjects)):
        return "subjects"
    if after and after[0] in _ORG_WORDS:
        for word in reversed(before):
            if word == "from":
                return "exporter"
            if word in {"to", "into", "with"}:
                return "destination"
        return "exporter" if ("our" in before or "we" in before) else "hq"
    if (
        before
        and before[-1] in {"in", "inside", "within"}
        and len(before) > 1
        and (before[-2] in subjects or before[-2] in {"people", "person", "resident"})
    ):
        return "subjects"
    for word in reversed(before):
        if word == "from":
            return "exporter" if "our" in before else "from"
        if word in _HQ_WORDS:
            return "hq"
        if word in _PROCESSING_WORDS:
            return "processing"
        if word in {"to", "into"}:
            return "destination"
        if word in {"we", "our"}:
            return "exporter"
    return "unspecified"


def _count(text: str, words: Sequence[Word], lexicon: Lexicon) -> int | None:
    """A head-count: a number with a multiplier, or a number a few words before "users"."""
    subjects = lexicon.subject_words
    if has_cjk(text):
        converted = arabic_numbers(text)
        if converted != text:
            text, words = converted, words_of(converted)
    for match in _COUNT.finditer(text):
        digits = re.sub(r"[,\s]", "", match.group(1))
        multiplier = (match.group(2) or "").casefold()
        value = float(digits) * _MULTIPLIERS.get(multiplier, 1)
        following = [w.folded for w in words if w.start >= match.end()][:4]
        preceding = [w.folded for w in words if w.end <= match.start()][-2:]
        if preceding and preceding[-1] in {"iso", "soc", "under", "article", "art", "gdpr"}:
            continue
        counted = multiplier or any(w in subjects for w in following) or has_cjk(text)
        if counted and value >= 1:
            return int(value)
    return None


def _unknown_name(
    text: str,
    words: Sequence[Word],
    covered: set[int],
    spans: Sequence[_Span],
    lexicon: Lexicon,
) -> tuple[str, tuple[int, ...]] | None:
    """The likeliest name of something the registry does not know (capitalised words; in a
    Chinese question, a Latin word or what is left of the Chinese once known words are cut)."""
    lexical = {i for span in spans for i in range(span.start, span.end)}
    if has_cjk(text):
        return _unknown_name_in_chinese(text, words, covered, lexical, lexicon)
    best: list[int] = []
    run: list[int] = []
    for i, word in enumerate(words):
        capitalised = word.surface[:1].isupper() or (word.surface[:1].isdigit() and bool(run))
        # A capitalised common word ("Acme Analytics") continues a name but never starts one.
        plain = (
            i in lexical or word.folded in lexicon.common_words or word.folded in lexicon.vocabulary
        )
        usable = (
            i not in covered
            and (capitalised or has_cjk(word.surface))
            and word.folded not in _QUESTION_WORDS
            and word.surface not in lexicon.upper_codes
            and (not plain or (bool(run) and run[-1] == i - 1))
        )
        if usable:
            run.append(i)
            continue
        if len(run) > len(best):
            best = run
        run = []
    if len(run) > len(best):
        best = run
    cues = {
        i
        for span in spans
        if span.entry.table.startswith("cue:")
        for i in range(span.start, span.end)
    } - {
        i
        for span in spans
        if span.entry.table in ENTITY_TABLES
        for i in range(span.start, span.end)
    }
    while len(best) > 1 and best[-1] in cues:
        best = best[:-1]  # "Is Foobarly DPF certified?" names Foobarly
    if not best:
        for i, word in enumerate(words[:-1]):
            follows = word.folded in {"about", "use", "does", "is", "to", "with"}
            if follows and i + 1 not in covered and i + 1 not in lexical:
                nxt = words[i + 1].folded
                known = lexicon.common_words | lexicon.vocabulary | _QUESTION_WORDS
                if nxt not in known and len(nxt) > 2:
                    best = [i + 1]
                    break
    if not best:
        return None
    return text[words[best[0]].start : words[best[-1]].end], tuple(best)


def _unknown_name_in_chinese(
    text: str, words: Sequence[Word], covered: set[int], lexical: set[int], lexicon: Lexicon
) -> tuple[str, tuple[int, ...]] | None:
    """In a Chinese question: the first run of Latin words that are not ordinary vocabulary
    ("向Acme Widgets发送…" -> Acme Widgets), else the first piece of Chinese no known word
    covers ("小鹅通在哪里处理数据？" -> 小鹅通); never the whole sentence."""
    known = lexicon.common_words | lexicon.vocabulary | _QUESTION_WORDS
    run: list[int] = []
    for i, word in enumerate(words):
        latin = not has_cjk(word.surface) and not word.surface.isdigit()
        usable = (
            latin
            and i not in covered
            and (i not in lexical or bool(run))
            and (word.folded not in known or bool(run))
            and word.surface not in lexicon.upper_codes
            and len(word.surface) > 1
        )
        if usable and (not run or run[-1] == i - 1):
            run.append(i)
        elif run:
            break
    while run and (run[-1] in lexical or words[run[-1]].folded in known):
        run.pop()  # "Acme SDK" names Acme
    if run:
        return text[words[run[0]].start : words[run[-1]].end], tuple(run)
    for i, word in enumerate(words):
        if i in covered or not has_cjk(word.surface):
            continue
        pieces = chinese_remainder(word.surface, lexicon)
        if pieces:
            return pieces[0], (i,)
    return None


def _vendor_mentions(
    text: str, words: Sequence[Word], names: RegistryNames, lexicon: Lexicon, spans: list[_Span]
) -> tuple[list[VendorMention], set[int], str | None]:
    exact, cjk_hits = _find_vendors(words, text, names, lexicon)
    mentions = [VendorMention(h.slug, h.name, surface, True, 100.0) for _s, _e, h, surface in exact]
    mentions += [VendorMention(h.slug, h.name, h.alias, True, 100.0) for h in cjk_hits]
    covered = {i for s, e, _h, _surface in exact for i in range(s, e)}
    lexical = {i for span in spans for i in range(span.start, span.end)}
    unknown: str | None = None
    if not mentions:
        candidate = _unknown_name(text, words, covered, spans, lexicon)
        if candidate is not None:
            surface, positions = candidate
            hit = names.closest(surface)
            if hit is None and len(positions) > 1:
                for pos in positions:  # "Firebse Analytics": try each unusual word alone
                    if pos in lexical or words[pos].folded in lexicon.vocabulary:
                        continue
                    hit = names.closest(words[pos].surface)
                    if hit is not None:
                        surface = words[pos].surface
                        positions = (pos,)
                        break
            if hit is not None:
                mentions.append(VendorMention(hit.slug, hit.name, surface, False, hit.score))
                covered |= set(positions)
            else:
                unknown = surface
    unique: dict[str, VendorMention] = {}
    for mention in mentions:
        unique.setdefault(mention.slug, mention)
    return list(unique.values()), covered, unknown


def understand(text: str, lexicon: Lexicon, names: RegistryNames) -> Question:
    """Read a question: its intent and every entity it names."""
    text = text.strip()
    words = words_of(text)
    spans = _match_phrases(words, lexicon)
    cjk_entries = _cjk_matches(text, lexicon) if has_cjk(text) else []
    cues = {s.entry.table[4:] for s in spans if s.entry.table.startswith("cue:")}
    cues |= {e.table[4:] for e in cjk_entries if e.table.startswith("cue:")}
    vendors, vendor_words, unknown = _vendor_mentions(text, words, names, lexicon, spans)
    entities = _resolve_entities(spans, vendor_words)
    entities_cjk = [e for e in cjk_entries if e.table in ENTITY_TABLES]

    def targets(table: str) -> tuple[str, ...]:
        found = [s.entry.target for s in entities if s.entry.table == table]
        found += [e.target for e in entities_cjk if e.table == table]
        return tuple(dict.fromkeys(found))

    countries = [
        CountryMention(
            s.entry.target,
            text[words[s.start].start : words[s.end - 1].end],
            _country_role(words, s.start, s.end, lexicon),
        )
        for s in entities
        if s.entry.table == "country"
    ]
    countries += _cjk_countries(text, lexicon)
    ambiguous = tuple(
        (text[words[s.start].start : words[s.end - 1].end], tuple(s.entry.target.split(",")))
        for s in entities
        if s.entry.table == "ambiguous"
    )
    cue_targets = {
        table: tuple(
            dict.fromkeys(
                [s.entry.target for s in spans if s.entry.table == f"cue:{table}"]
                + [e.target for e in cjk_entries if e.table == f"cue:{table}"]
            )
        )
        for table in ("mechanism_words", "verdict_words", "regime_words")
    }
    folded = {w.folded for w in words}
    pronoun = bool(folded & _PRONOUNS) or any(p in text for p in ("我们", "我司"))
    count = _count(text, words, lexicon)
    aspects = tuple(a for a in ASPECTS if a in cues)
    use_for = re.search(r"\buse\b.+\bfor\b", text, re.IGNORECASE) is not None
    subjects = any(c.role == "subjects" for c in countries)
    intent = _lifecycle_intent(text) or _intent(
        cues=cues,
        vendors=vendors,
        unknown=unknown,
        pronoun=pronoun,
        use_for=use_for,
        subjects=subjects,
        count=count,
        kinds=targets("kind"),
        countries=countries,
        data=targets("data_category"),
        statuses=targets("status"),
        aspects=aspects,
    )
    return Question(
        text=text,
        intent=intent,
        vendors=tuple(vendors),
        unknown_name=unknown,
        aspects=aspects,
        countries=tuple(countries),
        data_categories=targets("data_category"),
        ambiguous_categories=ambiguous,
        purposes=targets("purpose"),
        kinds=targets("kind"),
        statuses=targets("status"),
        count=count,
        minors="minors" in cues,
        dpf="dpf" in cues,
        mechanisms=cue_targets["mechanism_words"],
        verdicts=cue_targets["verdict_words"],
        regimes=cue_targets["regime_words"],
        open_only="open" in cues,
        ours=_OURS.search(text) is not None,
        cues=frozenset(cues),
    )


# "Our" vendors: the ones the company uses (open reviews, activities), not the catalog.
_OURS = re.compile(
    r"\b(our|ours|we use|we're using|we are using|we work with|do we use)\b"
    r"|我们的|我们使用|我们用|我们在用|我们(?:有)?哪些|我司|本公司|公司使用",
    re.IGNORECASE,
)


# "What is overdue?" / "我们有哪些逾期事项？" and "What changed since last month?" /
# "上个月以来有什么变化？": the lifecycle records (deadlines, tasks, verdict changes).
_OVERDUE = re.compile(
    r"\b(overdue|past due|missed (deadlines?|due dates?)|behind schedule)\b"
    r"|逾期|过期|超期|到期未|已过截止|错过",
    re.IGNORECASE,
)
_CHANGED = re.compile(
    r"\b(what|which)\b.*\b(changed?|changes)\b.*\b(since|last|past|recent(ly)?)\b"
    r"|\b(recent|latest) (verdict )?changes\b"
    r"|(以来|最近|近期|上个月|上月|过去).*(变化|变动|改变|变更)",
    re.IGNORECASE,
)


def _lifecycle_intent(text: str) -> str | None:
    """ "overdue" or "changes" when the question asks about the lifecycle records."""
    if _OVERDUE.search(text):
        return "overdue"
    if _CHANGED.search(text):
        return "changes"
    return None


def _intent(
    *,
    cues: set[str],
    vendors: Sequence[VendorMention],
    unknown: str | None,
    pronoun: bool,
    use_for: bool,
    subjects: bool,
    count: int | None,
    kinds: tuple[str, ...],
    countries: Sequence[CountryMention],
    data: tuple[str, ...],
    statuses: tuple[str, ...],
    aspects: tuple[str, ...],
) -> str:
    """Pick the question type from the cues and entities found."""
    if "reviews" in cues:
        return "reviews"
    transferish = "transfer" in cues or use_for
    if (
        transferish
        and (pronoun or subjects or count is not None)
        and (
            vendors
            or unknown
            or subjects
            or data
            or any(c.role in {"destination", "exporter"} for c in countries)
        )
    ):
        return "transfer"
    # "Where does Foobarly Cloud process data?" asks about one (unknown) vendor, not a list.
    listish = "list" in cues or "vendor_words" in cues or (bool(kinds) and unknown is None)
    if (
        not vendors
        and listish
        and (kinds or countries or data or statuses or "vendor_words" in cues or "dpf" in cues)
    ):
        return "vendor_list"
    if vendors:
        return "vendor_fact"
    if unknown is not None and (aspects or "overview" in cues or transferish or "list" in cues):
        return "vendor_fact"
    # A bare unknown name: Latin words stand for a name; what is left of a Chinese sentence
    # with no cue ("你好，你能做什么？") is not taken for one.
    if unknown is not None and len(unknown) > 1 and not has_cjk(unknown):
        return "vendor_fact"
    return "help"
