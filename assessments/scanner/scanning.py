"""Scan a policy text: vendors, data categories, recipients, cross-border statements, ages."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assessments.scanner import lexicon as lx
from assessments.scanner.language import detect_language
from assessments.scanner.lexicon import CandidatePattern, Lexicon, Term, default_lexicon
from assessments.scanner.matcher import BRAND, Alias, Matcher
from assessments.scanner.text import FoldedText, Sentences, fold_key, fold_text, split_sentences
from assessments.scanner.types import (
    AgeThreshold,
    ArticleCitation,
    Candidate,
    CrossBorderStatement,
    Place,
    ScanReport,
    Span,
    TermHit,
    VendorDiff,
    VendorHit,
    VendorMatch,
)

_ADJACENT_CHARS = 24
_CONFIDENCE = {"legal_entity": 0.99, "domain": 0.9, "name": 0.95, "sdk": 0.95, "alias": 0.93}
_BRAND_CONFIDENCE = 0.6
_CANDIDATE_WINDOW = 160  # characters searched for a name next to its cue
_CUE_DISTANCE = 120  # a place or mechanism this close to a transfer cue makes a statement
_QUOTED = re.compile(r"[\"'“”„«»‘’]\s*([^\"'“”„«»‘’()]{2,40}?)\s*(?=[\"'“”„«»‘’])")
_CN_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_TEMPLATE_NOTE = re.compile(r"\[[^\[\]\n]{3,400}\]")
_LEADING_ARTICLE = re.compile(r"^(?:The|Our|This|That|These|Your|Their|Its|A|An)\s+")


@dataclass(frozen=True)
class _Found:
    """A lexicon term found in the text (original offsets)."""

    term: Term
    start: int
    end: int


class _Context:
    """The text, its folded form, sentences and lexicon hits, shared by the passes."""

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = text
        self.lexicon = lexicon
        self.folded: FoldedText = fold_text(text)
        self.sentences: Sentences = split_sentences(text)
        self.by_group: dict[str, list[_Found]] = defaultdict(list)
        raw: dict[str, list[tuple[int, int, int, Term]]] = defaultdict(list)
        for hit in lexicon.index.find(self.folded.folded):
            start = self.folded.to_original(hit.start)
            end = self.folded.to_original(hit.end - 1) + 1
            written = text[start:end]
            for payload in hit.payloads:
                term = lexicon.terms[payload]
                if term.accepts(written):
                    raw[term.group].append((hit.start, hit.end, payload, term))
        for group, items in raw.items():
            items.sort(key=lambda i: (i[0], -(i[1] - i[0])))
            last_end = -1
            for fstart, fend, _payload, term in items:
                if fstart < last_end:
                    continue
                last_end = fend
                start = self.folded.to_original(fstart)
                end = self.folded.to_original(fend - 1) + 1
                self.by_group[group].append(_Found(term, start, end))
        self.notes = self._template_notes()
        self._by_sentence: dict[str, dict[int, list[_Found]]] = {}

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    def sentence_key(self, pos: int) -> int:
        return self.sentences.bounds(pos)[0]

    def in_sentence(self, group: str, pos: int) -> list[_Found]:
        """The group's terms in the sentence holding `pos` (indexed by sentence on first use)."""
        index = self._by_sentence.get(group)
        if index is None:
            index = defaultdict(list)
            for found in self.by_group.get(group, ()):
                index[self.sentence_key(found.start)].append(found)
            self._by_sentence[group] = index
        return index.get(self.sentence_key(pos), [])

    def near(self, group: str, start: int, end: int) -> bool:
        """A term of the group within a few characters of [start, end), in the same sentence."""
        lo, hi = start - _ADJACENT_CHARS, end + _ADJACENT_CHARS
        return any(
            lo <= f.start < hi and not (f.start < end and f.end > start)
            for f in self.in_sentence(group, start)
        )

    def in_note(self, pos: int) -> bool:
        return any(s.start <= pos < s.end for s in self.notes)

    def _template_notes(self) -> tuple[Span, ...]:
        notes = []
        for match in _TEMPLATE_NOTE.finditer(self.text):
            body = match.group().casefold()
            if any(word in body for word in self.lexicon.template_note_words):
                notes.append(self.span(match.start(), match.end()))
        return tuple(notes)


# ---- vendors -------------------------------------------------------------------------------


def _capitalised(written: str, alias: Alias) -> bool:
    first = next((ch for ch in alias.text if ch.isalpha()), "")
    got = next((ch for ch in written if ch.isalpha()), "")
    return not first.isupper() or got.isupper()


def _title_as_written(written: str, alias: Alias) -> bool:
    """A name of several words whose two or more capitals all appear as the name writes them."""
    words, said = alias.text.split(), written.split()
    capitals = [i for i, w in enumerate(words) if w[:1].isupper()]
    if len(words) < 2 or len(said) != len(words) or len(capitals) < 2:
        return False
    return all(said[i][:1].isupper() for i in capitals)


def _find_vendors(
    ctx: _Context, matcher: Matcher, language: str
) -> tuple[list[tuple[str, VendorMatch]], list[tuple[int, int]]]:
    """Registry vendors named in the text, and every raw alias span (accepted or not)."""
    accepted: list[tuple[str, VendorMatch]] = []
    pending: list[tuple[Alias, int, int]] = []
    brands: list[tuple[int, int, int]] = []
    raw_spans: list[tuple[int, int]] = []
    sentence_vendors: dict[int, set[str]] = defaultdict(set)
    for hit in matcher.find(ctx.folded.folded):
        start = ctx.folded.to_original(hit.start)
        end = ctx.folded.to_original(hit.end - 1) + 1
        raw_spans.append((start, end))
        if ctx.in_note(start):
            continue
        alias = matcher.aliases[hit.payloads[0]]
        written = ctx.text[start:end]
        if alias.exact_case and " ".join(written.split()) != alias.text:
            continue
        if alias.how == BRAND:
            brands.append((hit.payloads[0], start, end))
            continue
        lower = not any(ch.isupper() for ch in written) and any(ch.isupper() for ch in alias.text)
        if alias.ambiguous or lower:
            pending.append((alias, start, end))
            continue
        confidence = _CONFIDENCE[alias.how] + (0.02 if written == alias.text else 0.0)
        accepted.append((alias.slug, _match(ctx, alias, start, end, min(confidence, 0.99))))
        sentence_vendors[ctx.sentence_key(start)].add(alias.slug)
    for alias, start, end in pending:
        written = ctx.text[start:end]
        lower = not any(ch.isupper() for ch in written) and any(ch.isupper() for ch in alias.text)
        adjacent = ctx.near(lx.VENDOR_ADJACENT, start, end)
        others = sentence_vendors[ctx.sentence_key(start)] - {alias.slug}
        context = bool(others) or bool(
            [f for f in ctx.in_sentence(lx.VENDOR_CONTEXT, start) if not f.start <= start < f.end]
        )
        if not alias.ambiguous:  # a distinctive name written in lower case: "wechat", "braze"
            if adjacent:
                accepted.append((alias.slug, _match(ctx, alias, start, end, 0.75)))
            continue
        if lower or not _capitalised(written, alias):
            continue
        capital_counts = language != "de" and not ctx.sentences.is_initial(start)
        if adjacent:
            accepted.append((alias.slug, _match(ctx, alias, start, end, 0.85)))
        elif _title_as_written(written, alias) and language != "de":
            # "Sign in with Apple", "New Relic": several capitals as the name writes them
            accepted.append((alias.slug, _match(ctx, alias, start, end, 0.8)))
        elif capital_counts and context:
            accepted.append((alias.slug, _match(ctx, alias, start, end, 0.7)))
    accepted.extend(_resolve_brands(ctx, matcher, brands, accepted))
    return accepted, raw_spans


def _resolve_brands(
    ctx: _Context,
    matcher: Matcher,
    brands: list[tuple[int, int, int]],
    accepted: list[tuple[str, VendorMatch]],
) -> list[tuple[str, VendorMatch]]:
    """A company named bare ("Google") counts as its one product the sentence points to."""
    out: list[tuple[str, VendorMatch]] = []
    named: dict[int, set[str]] = defaultdict(set)
    for slug, match in accepted:
        named[ctx.sentence_key(match.span.start)].add(slug)
    anywhere = {slug for slug, _match_ in accepted}
    for index, start, end in brands:
        alias = matcher.aliases[index]
        written = ctx.text[start:end]
        products = matcher.brands[index]
        if named[ctx.sentence_key(start)] & {slug for slug, _ in products}:
            continue  # a product of this company is named right here: the company is its maker
        if not _capitalised(written, alias) or not any(ch.isupper() for ch in written):
            continue
        if alias.ambiguous and ctx.sentences.is_initial(start):
            continue
        kinds = {f.term.id for f in ctx.in_sentence(lx.CATEGORY_CUE, start)}
        chosen = {slug for slug, category in products if category in kinds}
        company = matcher.brand_fallback.get(index)
        if len(chosen) == 1 and (company is None or company[1] not in kinds):
            slug = chosen.pop()
            out.append((slug, _match(ctx, alias, start, end, _BRAND_CONFIDENCE)))
        elif company is not None and not anywhere & {slug for slug, _ in products}:
            # "PayPal", "Apple": the vendor of that name itself, unless the text named one
            # of its products (then the bare name is their maker)
            named_as = Alias(company[0], alias.text, "name", alias.ambiguous, alias.exact_case)
            confidence = 0.7 if alias.ambiguous else _CONFIDENCE["name"]
            out.append((company[0], _match(ctx, named_as, start, end, confidence)))
    return out


def _match(ctx: _Context, alias: Alias, start: int, end: int, confidence: float) -> VendorMatch:
    return VendorMatch(
        span=ctx.span(start, end),
        how=alias.how,
        alias=alias.text,
        confidence=round(confidence, 2),
        evidence=ctx.sentences.sentence(start),
    )


def _vendor_hits(matcher: Matcher, found: list[tuple[str, VendorMatch]]) -> tuple[VendorHit, ...]:
    grouped: dict[str, list[VendorMatch]] = defaultdict(list)
    for slug, match in found:
        grouped[slug].append(match)
    hits = [
        VendorHit(
            slug=slug,
            name=matcher.names.get(slug, slug),
            confidence=max(m.confidence for m in matches),
            matches=tuple(sorted(matches, key=lambda m: m.span.start)),
        )
        for slug, matches in grouped.items()
    ]
    return tuple(sorted(hits, key=lambda h: h.matches[0].span.start))


# ---- unknown third parties ----------------------------------------------------------------


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    i = bisect_left(spans, (start, -1))
    return any(s < end and e > start for s, e in spans[max(i - 2, 0) : i + 2])


def _candidate_matches(text: str, pattern: CandidatePattern) -> list[re.Match[str]]:
    """Matches of a candidate pattern, looked for only around its cheap anchor."""
    if pattern.side == "inside":
        return list(pattern.anchor.finditer(text))
    seen: dict[tuple[int, int], re.Match[str]] = {}
    for anchor in pattern.anchor.finditer(text):
        if pattern.side == "before":
            lo, hi = max(0, anchor.start() - _CANDIDATE_WINDOW), anchor.end()
        else:
            lo, hi = anchor.start(), min(len(text), anchor.end() + _CANDIDATE_WINDOW)
        for match in pattern.regex.finditer(text, lo, hi):
            if match.start("cue") == anchor.start():
                seen.setdefault((match.start(), match.end()), match)
                break
    return [seen[k] for k in sorted(seen)]


def _self_definition(ctx: _Context, end: int) -> set[str] | None:
    """("We" or "JINGdigital") right after a name: the policy's own company and its short names."""
    tail = ctx.text[end : end + 160]
    open_at = tail.find("(")
    if open_at < 0 or open_at > 8:
        return None
    close_at = tail.find(")", open_at)
    inside = tail[open_at + 1 : close_at if close_at > 0 else None]
    if not any(q in inside for q in "\"'“”„«»‘’"):
        return None
    words = {w.casefold() for w in re.findall(r"\w+", inside)}
    if not words & ctx.lexicon.self_words:
        return None
    quoted = {q.strip() for q in _QUOTED.findall(inside)}
    return {
        fold_key(q)
        for q in quoted
        if q[:1].isupper() and q.casefold() not in ctx.lexicon.self_words
    }


def _candidates(
    ctx: _Context, vendor_spans: Sequence[tuple[int, int]]
) -> tuple[tuple[Candidate, ...], tuple[Candidate, ...]]:
    """Third parties the registry lacks, and the names the policy defines as itself."""
    common = ctx.lexicon.common_words
    found: dict[str, list[tuple[Span, str]]] = {}
    own: set[str] = set()
    spans = sorted(vendor_spans)
    for candidate_pattern in ctx.lexicon.candidate_patterns:
        kind = candidate_pattern.kind
        for match in _candidate_matches(ctx.text, candidate_pattern):
            name = _LEADING_ARTICLE.sub("", match.group("name")).strip(" ,")
            start = match.start("name") + match.group("name").find(name)
            end = start + len(name)
            if kind == "legal_form":
                end = match.end()
                name = ctx.text[start:end]
            tokens = re.findall(r"[^\W_]+", name.casefold())
            core = [t for t in tokens if t not in {"sdk", "sdks", "inc", "ltd", "llc", "co"}]
            if not core or all(t in common for t in core) or len(name) < 3:
                continue
            if name in ctx.lexicon.not_names:
                continue
            if _overlaps(start, end, spans) or ctx.in_note(start):
                continue
            key = fold_key(re.sub(r"[\W_]+", " ", name))
            defined = _self_definition(ctx, end) if kind == "legal_form" else None
            if defined is not None:
                own.add(key)
                own.update(defined)
            found.setdefault(key, []).append((ctx.span(start, end), kind))
    candidates: list[Candidate] = []
    selves: list[Candidate] = []
    for key, items in found.items():
        items.sort(key=lambda i: i[0].start)
        spans_ = tuple(dict.fromkeys(span for span, _ in items))
        candidate = Candidate(
            name=" ".join(spans_[0].text.split()),
            cue=items[0][1],
            spans=spans_,
            evidence=ctx.sentences.sentence(spans_[0].start),
        )
        (selves if key in own else candidates).append(candidate)
    return tuple(candidates), tuple(selves)


# ---- term groups -----------------------------------------------------------------------------


def _term_hits(ctx: _Context, group: str) -> tuple[TermHit, ...]:
    grouped: dict[str, list[Span]] = defaultdict(list)
    for found in ctx.by_group.get(group, ()):
        grouped[found.term.id].append(ctx.span(found.start, found.end))
    hits = [
        TermHit(id=term_id, spans=tuple(spans), evidence=ctx.sentences.sentence(spans[0].start))
        for term_id, spans in grouped.items()
    ]
    return tuple(sorted(hits, key=lambda h: h.spans[0].start))


def _cross_border(
    ctx: _Context,
) -> tuple[tuple[CrossBorderStatement, ...], tuple[TermHit, ...], tuple[Span, ...]]:
    storage: list[Span] = []
    prc = sorted(
        {ctx.sentences.bounds(f.start) for f in ctx.by_group.get(lx.PLACE, ()) if f.term.id == "CN"}
    )
    for s_start, s_end in prc:  # the pattern names the PRC: look only where the PRC is named
        for pattern in ctx.lexicon.storage_in_prc:
            for match in pattern.finditer(ctx.text, s_start, s_end):
                if not any(s.start <= match.start() < s.end for s in storage):
                    storage.append(ctx.span(match.start(), match.end()))
    storage.sort(key=lambda s: s.start)
    cues: dict[int, list[_Found]] = defaultdict(list)
    for found in ctx.by_group.get(lx.TRANSFER_CUE, ()):
        cues[ctx.sentence_key(found.start)].append(found)
    places: dict[int, list[_Found]] = defaultdict(list)
    for found in ctx.by_group.get(lx.PLACE, ()):
        places[ctx.sentence_key(found.start)].append(found)
    mechanisms: dict[int, list[_Found]] = defaultdict(list)
    for found in ctx.by_group.get(lx.MECHANISM, ()):
        mechanisms[ctx.sentence_key(found.start)].append(found)
    storage_keys = {ctx.sentence_key(s.start) for s in storage}
    principle = {ctx.sentence_key(f.start) for f in ctx.by_group.get(lx.IN_PRINCIPLE, ())}
    statements: list[CrossBorderStatement] = []
    named_places: dict[str, list[Span]] = defaultdict(list)

    def close(key: int) -> bool:
        named = places.get(key, []) + mechanisms.get(key, [])
        return any(
            abs(c.start - n.start) <= _CUE_DISTANCE for c in cues.get(key, ()) for n in named
        )

    for key in sorted({k for k in set(places) | set(mechanisms) if close(k)} | storage_keys):
        start, end = ctx.sentences.bounds(key)
        here = [Place(f.term.id, ctx.span(f.start, f.end)) for f in places.get(key, ())]
        for place in here:
            named_places[place.id].append(place.span)
        statements.append(
            CrossBorderStatement(
                span=ctx.span(start, end),
                places=tuple(here),
                mechanisms=tuple(dict.fromkeys(f.term.id for f in mechanisms.get(key, ()))),
                storage_in_prc=key in storage_keys,
                in_principle=key in principle,
            )
        )
    place_hits = tuple(
        sorted(
            (
                TermHit(pid, tuple(spans), ctx.sentences.sentence(spans[0].start))
                for pid, spans in named_places.items()
            ),
            key=lambda h: h.spans[0].start,
        )
    )
    return tuple(statements), place_hits, tuple(storage)


def _number(value: str) -> int:
    if value.isdigit():
        return int(value)
    if value == "十":
        return 10
    if value.startswith("十"):
        return 10 + _CN_NUMERALS.get(value[1:], 0)
    if "十" in value:
        tens, _, units = value.partition("十")
        return _CN_NUMERALS.get(tens, 0) * 10 + _CN_NUMERALS.get(units, 0)
    return _CN_NUMERALS.get(value, 0)


def _children(ctx: _Context) -> tuple[AgeThreshold, ...]:
    """Age thresholds, read only in sentences that speak of children, minors or age."""
    sentences = sorted({ctx.sentences.bounds(f.start) for f in ctx.by_group.get(lx.CHILD_CUE, ())})
    out: dict[tuple[int, int], AgeThreshold] = {}
    for s_start, s_end in sentences:
        for pattern in ctx.lexicon.age_patterns:
            for match in pattern.regex.finditer(ctx.text, s_start, s_end):
                start, end = match.start(), match.end()
                if any(s <= start < e for s, e in out):
                    continue
                groups = match.groupdict()
                age = _number(groups["age"])
                max_age = _number(groups["max_age"]) if groups.get("max_age") else None
                if not 1 <= age <= 21:
                    continue
                out[(start, end)] = AgeThreshold(
                    kind=pattern.kind,
                    age=age,
                    max_age=max_age,
                    span=ctx.span(start, end),
                    evidence=ctx.sentences.sentence(start),
                )
    return tuple(out[k] for k in sorted(out))


def _normalise_article(raw: str) -> str:
    parts: list[str] = re.findall(r"\d+|[a-z]", raw)
    if not parts:
        return raw
    return parts[0] + "".join(f"({p})" for p in parts[1:])


def _articles(ctx: _Context) -> tuple[ArticleCitation, ...]:
    out: dict[int, ArticleCitation] = {}
    for pattern in ctx.lexicon.article_patterns:
        for match in pattern.finditer(ctx.text):
            if any(c.span.start <= match.start() < c.span.end for c in out.values()):
                continue
            word = str(match.group("law"))
            law = ctx.lexicon.article_laws.get(word, word.lower())
            out[match.start()] = ArticleCitation(
                law=law,
                article=_normalise_article(match.group("art")),
                span=ctx.span(match.start(), match.end()),
            )
    return tuple(out[k] for k in sorted(out))


def scan(text: str, matcher: Matcher, lexicon: Lexicon | None = None) -> ScanReport:
    """Everything the scanner recognises in a policy text."""
    lex = lexicon or default_lexicon()
    ctx = _Context(text, lex)
    language = detect_language(text, lex)
    found, raw_spans = _find_vendors(ctx, matcher, language.code)
    candidates, own = _candidates(ctx, raw_spans)
    statements, places, storage = _cross_border(ctx)
    return ScanReport(
        language=language,
        characters=len(text),
        catalog_version=matcher.version,
        vendors=_vendor_hits(matcher, found),
        candidates=candidates,
        own_entities=own,
        vendor_categories=_term_hits(ctx, lx.VENDOR_CATEGORY),
        other_recipients=_term_hits(ctx, lx.OTHER_RECIPIENT),
        data_categories=_term_hits(ctx, lx.DATA_CATEGORY),
        cross_border=statements,
        places=places,
        mechanisms=_term_hits(ctx, lx.MECHANISM),
        storage_in_prc=storage,
        children=_children(ctx),
        laws=_term_hits(ctx, lx.LAW),
        articles=_articles(ctx),
        rights=_term_hits(ctx, lx.RIGHT),
        template_notes=ctx.notes,
    )


def diff(report: ScanReport, reviewed_vendor_slugs: Iterable[str]) -> VendorDiff:
    """Vendors the policy discloses that no review covers, and reviewed vendors it omits."""
    disclosed = report.vendor_slugs
    reviewed = frozenset(reviewed_vendor_slugs)
    return VendorDiff(
        disclosed_not_reviewed=tuple(sorted(disclosed - reviewed)),
        reviewed_not_disclosed=tuple(sorted(reviewed - disclosed)),
        disclosed_and_reviewed=tuple(sorted(disclosed & reviewed)),
    )
