"""The transfer risk engine: evaluate(transfer, rules, reference) -> Evaluation; pure, no clock."""

from __future__ import annotations

import itertools
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar, cast

from assessments.catalog.reference import Reference
from assessments.facts import (
    BUILDERS,
    OPEN_INPUTS,
    PROTECTIVE,
    Exposure,
    OpenInput,
    Profile,
    RegimeFacts,
    answers_of,
    cn_headcount,
    profile,
    volume,
)
from assessments.rules.conditions import DecisionKey
from assessments.rules.loader import ActiveRules, RegimeRules, Rule, RuleSet, Scoring, Track
from assessments.types import (
    REGIMES,
    VERDICTS,
    Answer,
    Branch,
    Evaluation,
    FiredRule,
    Level,
    Obligation,
    Overall,
    RegimeResult,
    Transfer,
    Verdict,
    Warning,
    evolve,
)

_RANK = {verdict: rank for rank, verdict in enumerate(VERDICTS)}
_REQUIRING = ("mechanism_required", "approval_required")


class _Formatter(string.Formatter):
    """str.format over facts and params that leaves unknown or unformattable fields as written."""

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key in kwargs and kwargs[key] is not None:
            return kwargs[key]
        raise KeyError(key)

    def vformat(self, format_string: str, args: Any, kwargs: Mapping[str, Any]) -> str:
        try:
            return super().vformat(format_string, args, kwargs)
        except (KeyError, ValueError, IndexError, AttributeError):
            return self._fieldwise(format_string, kwargs)

    def _fieldwise(self, format_string: str, kwargs: Mapping[str, Any]) -> str:
        out: list[str] = []
        for literal, name, spec, conv in self.parse(format_string):
            out.append(literal)
            if name is None:
                continue
            try:
                out.append(format(self.get_value(name, (), kwargs), spec or ""))
            except (KeyError, ValueError):
                conversion = ("!" + conv) if conv else ""
                out.append("{" + name + conversion + ((":" + spec) if spec else "") + "}")
        return "".join(out)


_FORMATTER = _Formatter()


@lru_cache(maxsize=2048)
def _placeholders(text: str) -> tuple[str, ...]:
    return tuple(name for _, name, _, _ in _FORMATTER.parse(text) if name)


class _Unknown:
    """Stands in for an unknown value: formats back to its own placeholder."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, spec: str) -> str:
        return "{" + self.name + (":" + spec if spec else "") + "}"


def _format(text: str, names: tuple[str, ...], values: tuple[Any, ...]) -> str:
    mapping = {n: (v if v is not None else _Unknown(n)) for n, v in zip(names, values, strict=True)}
    try:
        return text.format_map(mapping)  # C fast path
    except (KeyError, ValueError, IndexError, AttributeError, TypeError):
        return _FORMATTER.vformat(text, (), dict(zip(names, values, strict=True)))


def _render(text: str, facts: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Fill {fact} and {param} placeholders; a fact shadows a param of the same name."""
    names = _placeholders(text)
    if not names:
        return text
    return _format(text, names, tuple([facts[n] if n in facts else params.get(n) for n in names]))


_MEMO_LIMIT = 20_000
_T = TypeVar("_T")


def _find(memo: dict[Any, Any], key: Any) -> tuple[Any, Any]:
    """(key, what one of the engine's memos keeps under it, else None); (None, None) where the
    key holds an unhashable value, so that the caller neither reads nor fills the memo."""
    try:
        return key, memo.get(key)
    except TypeError:
        return None, None


# The decisions memo is two-level (engine._key_head): this many values of the key's stated
# part, each with this many entries, keep it within _MEMO_LIMIT decisions in all.
_PART_ENTRIES = 20
_PARTS = _MEMO_LIMIT // _PART_ENTRIES


def _keep(memo: dict[Any, Any], key: Any, value: _T, limit: int = _MEMO_LIMIT) -> _T:
    """Keep `value` under `key` in one of the engine's memos and return it; a memo holding
    `limit` entries starts afresh (bounded memory, no bookkeeping of which entries are old)."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


Fired = tuple[FiredRule, tuple[Obligation, ...]]


def _fire(rules: RuleSet, rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Fired:
    """The rule's fired entry and obligations, rendered; shared while the values repeat."""
    names = rule.placeholders
    key: Any = rule.id
    if names:
        values = tuple([facts[n] if n in facts else params.get(n) for n in names])
        # The types too: True and 1 (or 1 and 1.0) are equal keys that render differently.
        key = (rule.id, values, tuple(map(type, values)))
    memo = rules.memo
    key, found = _find(memo, key)
    if found is not None:
        return cast(Fired, found)
    built = (
        FiredRule(
            id=rule.id,
            citation=rule.citation,
            explanation=_render(rule.explanation, facts, params),
            remediation=_render(rule.remediation, facts, params) if rule.remediation else None,
        ),
        tuple(
            Obligation(id=o.id, text=_render(o.text, facts, params), citation=o.citation, due=o.due)
            for o in rule.obligations
        ),
    )
    return built if key is None else _keep(memo, key, built)


@dataclass(slots=True, eq=False)
class _TrackResult:
    """One track's decision on one set of facts (mutable slots: built on every pass)."""

    track: Track
    index: int
    unknown: tuple[int, ...]
    rule: Rule | None
    verdict: str
    mechanism: str | None
    met: bool | None


def _met(regime: RegimeRules, mechanism: str | None, safeguards: frozenset[str]) -> bool | None:
    if mechanism is None:
        return None
    spec = regime.mechanisms.get(mechanism)
    if spec is None or not spec.met_by:
        return None
    return not safeguards.isdisjoint(spec.met_by)


def _decide(
    regime: RegimeRules,
    active: ActiveRules,
    facts: dict[str, Any],
    safeguards: frozenset[str],
) -> list[_TrackResult]:
    params = active.params
    results: list[_TrackResult] = []
    for track in active.tracks:
        index, unknown = track.decide(facts, params)
        out = track.rules[index].outcome if index >= 0 else None
        if out is None:
            results.append(_TrackResult(track, index, unknown, None, "not_applicable", None, None))
            continue
        mechanism = out.mechanism or (facts.get(out.mechanism_fact) if out.mechanism_fact else None)
        met = _met(regime, mechanism, safeguards) if out.verdict in _REQUIRING else None
        if met is False:
            # An acceptable alternative already in place carries the transfer instead.
            for alternative in out.alternatives:
                if _met(regime, alternative, safeguards):
                    mechanism, met = alternative, True
                    break
        results.append(
            _TrackResult(track, index, unknown, track.rules[index], out.verdict, mechanism, met)
        )
    return results


def _alternatives(rule: Rule | None, mechanism: str | None) -> tuple[str, ...]:
    if rule is None or rule.outcome is None:
        return ()
    options = [rule.outcome.mechanism, *rule.outcome.alternatives]
    return tuple([m for m in options if m and m != mechanism])


def _score(
    scoring: Scoring,
    applicable: list[_TrackResult],
    figures: Exposure,
    safeguards: frozenset[str],
) -> int:
    """The highest score of the applicable tracks (at least one): the regime's exposure in
    [0, 1], weighted, then reduced by protective safeguards (the same for every track), placed
    in each track's verdict band (reduced again where its mechanism is met). One function, not
    one call per track: it runs once per combination of answers."""
    exposure = (
        volume(figures.people, scoring.volume_decades) * scoring.weight_volume
        + figures.sensitivity * scoring.weight_sensitivity
        + figures.exposure * scoring.weight_exposure
    ) / scoring.weight_total
    if not safeguards.isdisjoint(scoring.protective_safeguards):  # most transfers have none
        for safeguard, factor in scoring.protective_factors:
            if safeguard in safeguards:
                exposure *= factor
    best = 0
    for i, t in enumerate(applicable):
        low, high = scoring.bands[t.verdict]
        if high <= low:
            score = low
        else:
            r = exposure * scoring.met_factor if t.met else exposure
            score = low + round(min(1.0, max(0.0, r)) * (high - low))
        if i == 0 or score > best:
            best = score
    return best


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items)) if items else ()


# The decisions memo's entries for one value of the key's part on the stated facts, and the
# function of its other part.
KeyHead = tuple[dict[Any, "_Decided"], DecisionKey]
Outcomes = tuple[tuple[int, "bool | None"], ...]


_SERIALS = itertools.count()

# A regime pass's facts in the order a name is looked up in them (_Once.layers).
Layers = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


@dataclass(slots=True, eq=False)
class _Decided:
    """A regime's decisions on one set of facts: each track's result, the winner, the facts set
    from them, the obligation outcomes and "met". A function of the day's decision key and the
    safeguards only (ActiveRules.decision_key), so transfers with equal keys share one.

    `serial` names this one set of decisions (on one day's rules) in the result memo's keys:
    never reused, so a key holding it stands for everything above without rebuilding it. Only
    decisions the decisions memo keeps get one: no later transfer can meet the others again,
    so no result is memoised on them."""

    tracks: list[_TrackResult]
    applicable: list[_TrackResult]
    winner: _TrackResult | None
    written: dict[str, Any]  # the facts set from the decisions
    outcomes: Outcomes
    met: bool | None
    verdict: Verdict  # the winner's, else not_applicable
    mechanism: str | None  # the winner's
    active: ActiveRules
    serial: int | None = None
    # Worked out from the decisions on first use (see _Once.questions and _Once.signature).
    _asks: tuple[str, ...] | None = None
    _fixed_questions: tuple[str, ...] | None = None
    _names: tuple[str, ...] | None = None

    def asks(self) -> tuple[str, ...]:
        """The question texts (unrendered) of the undecided rules before each track's decision,
        then of the unknown and true question rules, in that order."""
        if self._asks is None:
            asks: list[str] = []
            for t in self.tracks:
                for i in t.unknown:
                    question = t.track.rules[i].question
                    if question:
                        asks.append(question)
            for i, outcome in self.outcomes:
                rule = self.active.obligations[i]
                if (outcome is None or rule.kind == "question") and rule.question:
                    asks.append(rule.question)
            self._asks = tuple(asks)
            if not any([_placeholders(question) for question in asks]):
                # No question names a fact or param: they read the same for every transfer.
                self._fixed_questions = _unique(asks)
        return self._asks

    def fixed_questions(self) -> tuple[str, ...] | None:
        """The questions as rendered, where none of their texts names a fact or param."""
        self.asks()
        return self._fixed_questions

    def text_names(self) -> tuple[str, ...]:
        """Every fact or param a text of the result on these decisions can name: its questions,
        the deciding rules' texts and, where a track applies, the obligations that hold."""
        if self._names is None:
            names = [name for ask in self.asks() for name in _placeholders(ask)]
            for t in self.tracks:
                if t.rule is not None:
                    names.extend(t.rule.placeholders)
            if self.winner is not None:
                for i, outcome in self.outcomes:
                    rule = self.active.obligations[i]
                    if outcome is not None and rule.kind != "question":
                        names.extend(rule.placeholders)
            self._names = tuple(dict.fromkeys(names))
        return self._names


@dataclass(slots=True, eq=False)
class _Once:
    """One regime's facts and decisions for one transfer; the result is built on demand.

    Combining open answers needs only the verdict, mechanism and score of each combination,
    the stated transfer's questions, and the full result of the one the headline rests on; so
    the facts are merged, and the score computed, only where read."""

    code: str
    rules: RuleSet
    stated: dict[str, Any]  # the builder's stated facts (shared by every combination)
    built: RegimeFacts  # the facts the answers add, and the exposure
    safeguards: frozenset[str]  # the safeguards that count
    decided: _Decided  # and the day's rules they were made on (decided.active)
    # The decisions' verdict and mechanism, as slots of their own: _pick and the combined key
    # read them for every combination.
    verdict: Verdict
    mechanism: str | None
    _facts: dict[str, Any] | None = None
    _score: int | None = None

    def layers(self) -> Layers:
        """The pass's facts in the order a name is looked up in them: those set from the
        decisions, the answered ones, the stated ones (the one definition of that order)."""
        return self.decided.written, self.built.facts, self.stated

    @property
    def facts(self) -> dict[str, Any]:
        """Every fact of the regime: stated, answered, then those set from the decisions."""
        if self._facts is None:
            self._facts = _merge(self.layers())
        return self._facts

    def view(self) -> Mapping[str, Any]:
        """The facts: merged where they were, else read in place (a few reads cost less than
        merging them all)."""
        return self._facts if self._facts is not None else _FactsView(self.layers())

    @property
    def score(self) -> int:
        """The highest score of the applicable tracks (0 where none applies)."""
        if self._score is None:
            decided, built = self.decided, self.built
            self._score = 0
            if decided.winner is not None:
                scoring = self.rules.scoring
                self._score = _score(scoring, decided.applicable, built.exposure, self.safeguards)
        return self._score

    def questions(self) -> tuple[str, ...]:
        """The result's questions: of the undecided rules before each track's decision, then
        of the unknown and true question rules."""
        fixed = self.decided.fixed_questions()
        if fixed is not None:
            return fixed
        facts, params = self.facts, self.decided.active.params
        return _unique([_render(question, facts, params) for question in self.decided.asks()])

    def signature(self) -> Any | None:
        """What the result is a function of: the decisions (their serial: the rules in force,
        each track's decision, mechanism and met, the obligation outcomes), the values (and
        types: True and 1 render differently) of the facts and params its texts name, and the
        score. Unhashable where a value is (the memo then builds the result afresh); None for
        decisions not kept in the decisions memo."""
        if self.decided.serial is None:
            return None
        values = self._values(self.decided.text_names())
        return (self.decided.serial, values, tuple(map(type, values)), self.score)

    def _values(self, names: tuple[str, ...]) -> tuple[Any, ...]:
        """The values of these facts or params (a fact shadows a param of the same name): from
        the merged facts where they were merged, else from the pass's own facts, as the merge
        would order them (a signature reads a few names; merging them all costs more)."""
        params = self.decided.active.params
        if self._facts is not None:
            facts = self._facts
            return tuple([facts[n] if n in facts else params.get(n) for n in names])
        written, answered, stated = self.layers()
        values: list[Any] = []
        for n in names:
            if n in written:
                values.append(written[n])
            elif n in answered:
                values.append(answered[n])
            elif n in stated:
                values.append(stated[n])
            else:
                values.append(params.get(n))
        return tuple(values)

    def result(self, sig: Any | None) -> RegimeResult:
        """The regime's result; with its signature (None: no memo), built once per signature."""
        cache = self.rules.results
        sig, found = (None, None) if sig is None else _find(cache, sig)
        if found is not None:
            return cast(RegimeResult, found)
        return self._build() if sig is None else _keep(cache, sig, self._build())

    def _build(self) -> RegimeResult:
        rules, facts, active, code = self.rules, self.facts, self.decided.active, self.code
        params = active.params
        # An applicable track always rests on a rule; its entry is rendered once, for rules and
        # why.
        decided = [
            t.rule.fixed[0] if t.rule.fixed else _fire(rules, t.rule, facts, params)[0]
            for t in self.decided.applicable
            if t.rule is not None
        ]
        questions = self.questions()
        winner = self.decided.winner
        if winner is None:
            reasons = [
                _render(t.rule.explanation, facts, params)
                for t in self.decided.tracks
                if t.rule is not None
            ]
            why = " ".join(_unique(reasons)) or "No rule of this regime reaches the transfer."
            return RegimeResult(
                regime=code, applies=False, why=why, verdict="not_applicable", questions=questions
            )
        fired: list[FiredRule] = list(decided)
        obligations: list[Obligation] = []
        for i, outcome in self.decided.outcomes:
            rule = active.obligations[i]
            if outcome is not None and rule.kind != "question":
                entry, duties = rule.fixed or _fire(rules, rule, facts, params)
                fired.append(entry)
                obligations.extend(duties)
        return RegimeResult(
            regime=code,
            applies=True,
            why=" ".join(_unique([entry.explanation for entry in decided])),
            verdict=cast(Verdict, winner.verdict),
            mechanism=winner.mechanism,
            alternatives=_alternatives(winner.rule, winner.mechanism),
            met=self.decided.met,
            level=cast(Level, rules.scoring.level(self.score)),
            score=self.score,
            obligations=tuple(obligations),
            rules=tuple(fired),
            questions=questions,
        )


class _FactsView(Mapping[str, Any]):
    """A pass's facts read in place from its layers (_Once.layers), the first holding a name
    giving its value, as merging them would."""

    __slots__ = ("_layers",)

    def __init__(self, layers: Layers) -> None:
        self._layers = layers

    def __getitem__(self, name: str) -> Any:
        written, answered, stated = self._layers
        if name in written:
            return written[name]
        if name in answered:
            return answered[name]
        return stated[name]

    def __contains__(self, name: object) -> bool:
        return any([name in facts for facts in self._layers])

    def __iter__(self) -> Iterator[str]:
        return iter(_merge(self._layers))

    def __len__(self) -> int:
        return len(_merge(self._layers))


def _merge(layers: Layers) -> dict[str, Any]:
    """Facts layered as in _Once.layers, merged into one mapping."""
    merged: dict[str, Any] = {}
    for facts in reversed(layers):
        merged.update(facts)
    return merged


def _decisions(
    regime: RegimeRules,
    active: ActiveRules,
    stated: dict[str, Any],
    answered: dict[str, Any],
    safeguards: frozenset[str],
    head: KeyHead | None,
) -> _Decided:
    """Decide every track, set the facts the obligation rules read after the decisions, and
    evaluate those rules; with `head` (the memo's entries for the decision key's part on the
    stated facts, and the function of its other part, which reads none of them), once per
    (decision key, safeguards) and day."""
    key: Any = None
    if head is not None:
        entries = head[0]
        try:
            key = (head[1](answered, active.params), safeguards)
            found: _Decided | None = entries.get(key)
        except TypeError:  # an unhashable or incomparable value: decide without the memo
            key, found = None, None
        if found is not None:
            return found
    facts = {**stated, **answered}
    tracks = _decide(regime, active, facts, safeguards)
    # The winner is the first applicable track with the most stringent verdict.
    applicable: list[_TrackResult] = []
    winner: _TrackResult | None = None
    written: list[tuple[str, Any]] = []
    for t in tracks:
        # "none" (not None): after the decisions the absence of a mechanism is a known fact.
        applies = t.verdict != "not_applicable"
        written += [
            (t.track.mechanism_fact, t.mechanism or "none"),
            (t.track.verdict_fact, t.verdict),
            (t.track.applies_fact, applies),
        ]
        if applies:
            applicable.append(t)
            if winner is None or _RANK[t.verdict] > _RANK[winner.verdict]:
                winner = t
    written.append(("mechanism", (winner.mechanism if winner else None) or "none"))
    written.append(("verdict", winner.verdict if winner else "not_applicable"))
    facts.update(written)
    outcomes = active.obligation_outcomes(facts, active.params)
    met: bool | None = None
    if winner is not None and winner.verdict in _REQUIRING:
        # "met": every mechanism this regime requires is already among the safeguards.
        requiring = [t.met for t in applicable if t.verdict in _REQUIRING]
        met = False if False in requiring else (None if None in requiring else True)
    decided = _Decided(
        tracks,
        applicable,
        winner,
        dict(written),
        outcomes,
        met,
        cast(Verdict, winner.verdict) if winner is not None else "not_applicable",
        winner.mechanism if winner is not None else None,
        active,
    )
    if key is None:
        return decided
    decided.serial = next(_SERIALS)
    return _keep(entries, key, decided, _PART_ENTRIES)


def _evaluate_once(
    code: str,
    stated: dict[str, Any],
    built: RegimeFacts,
    stated_safeguards: frozenset[str],
    rules: RuleSet,
    active: ActiveRules,
    head: KeyHead | None,
) -> _Once:
    """One regime's decisions on one set of its facts (unknowns stay unknown)."""
    safeguards = stated_safeguards if built.safeguards is None else built.safeguards
    d = _decisions(rules.regimes[code], active, stated, built.facts, safeguards, head)
    return _Once(code, rules, stated, built, safeguards, d, d.verdict, d.mechanism)


_MAX_COMBINATIONS = 64


def _key_head(active: ActiveRules, stated: dict[str, Any]) -> KeyHead | None:
    """The decisions memo's entries for the decision key's part on the stated facts (which no
    answer changes, so every combination of answers shares it: looked up once per transfer)
    and the function of the part on the others; None where a value is incomparable (no
    memo)."""
    first, rest = active.decision_key.parts(tuple(stated))
    try:
        part = first(stated, active.params)
        entries = active.decisions.get(part)
    except TypeError:
        return None
    if entries is None:
        entries = _keep(active.decisions, part, {}, _PARTS)
    return entries, rest


def _question(rules: RuleSet, active: ActiveRules, rule_id: str, facts: Mapping[str, Any]) -> str:
    """The text of an open input's question rule, rendered on the stated facts."""
    rule: Rule | None = active.questions.get(rule_id)
    if rule is None and rule_id not in active.questions:
        # The rule, or its dated version (id plus a suffix), found once per day.
        rule = active.questions[rule_id] = next(
            (
                r
                for r in active.obligations
                if (r.id == rule_id or r.id.startswith(rule_id + "-")) and r.question
            ),
            None,
        )
    if rule is None or rule.question is None:
        return rule_id
    return _render(rule.question, facts, active.params)


def evaluate_regime(
    code: str,
    transfer: Transfer,
    rules: RuleSet,
    reference: Reference,
    prof: Profile | None = None,
    *,
    memo: bool = True,
) -> RegimeResult:
    """Evaluate one regime (CN, EU or US) for a transfer.

    A fact the transfer leaves open that could change the verdict (facts.OPEN_INPUTS) is never
    decided on the lax side: the regime is evaluated under every combination of answers, the
    headline (verdict, level, score and what they rest on) is the strictest, and each question
    whose answers lead to different verdicts is listed in `if_unknown` with the verdict under
    each answer (the strictest over the other open answers). Stating a fact can only narrow
    the combinations, so it never makes the headline stricter than leaving it open.

    Every call computes the facts and decisions of each combination; the full result is built
    only for the combination the headline rests on. With `memo` (the default) results are
    kept in the rule set per signature (decisions, the values their texts name, score), and
    the combined result per (headline signature, each combination's verdict, mechanism and
    score, the stated transfer's questions, the open questions). memo=False neither reads nor
    fills the memo, building what it returns from scratch: the reference the tests and the
    benchmark compare the memoised results against.
    """
    if prof is None:
        prof = profile(reference, transfer.data_categories, transfer.purposes)
    active = rules.active(code, transfer.as_of)
    builder = BUILDERS[code]
    # The facts no answer changes are read once; each combination of answers finishes them.
    stated = builder.stated(transfer, reference, prof, active.params)
    answers = answers_of(transfer, builder.inputs)
    safeguards = transfer.safeguards
    head = _key_head(active, stated.facts) if memo else None
    facts = stated.facts
    base = _evaluate_once(
        code, facts, builder.answered(stated, answers), safeguards, rules, active, head
    )
    # The open finders and the questions read a few of the base pass's facts in place.
    seen = base.view()
    opens = OPEN_INPUTS[code](transfer, reference, active.params, seen, answers)
    if not opens:
        return base.result(base.signature() if memo else None)
    choices = list(itertools.product(*[range(len(o.answers)) for o in opens]))
    if len(choices) > _MAX_COMBINATIONS:  # never with today's inputs; keep the cost bounded
        raise ValueError(f"{code}: {len(choices)} combinations of open answers")
    results: list[_Once] = []
    for choice in choices:
        given = dict(answers)
        for o, j in zip(opens, choice, strict=True):
            given[o.id] = o.answers[j][1]
        built = builder.answered(stated, given)
        results.append(_evaluate_once(code, facts, built, safeguards, rules, active, head))
    asked = tuple([_question(rules, active, o.rule, seen) for o in opens])
    picked = _pick(choices, results)
    chosen, questions = results[picked[2]], base.questions()
    key: Any = None
    cache = rules.results
    sig = chosen.signature() if memo else None
    if sig is not None:
        # The combined result is looked up before the headline's own: on a hit neither is built.
        key = (
            sig,
            questions,
            tuple([(r.verdict, r.mechanism, r.score) for r in results]),
            tuple([(o.id, tuple([label for label, _ in o.answers])) for o in opens]),
            asked,
        )
        key, found = _find(cache, key)
        if found is not None:
            return cast(RegimeResult, found)
    headline = chosen.result(None if key is None else key[0])
    combined = _combine(rules, questions, opens, choices, results, picked, headline, asked)
    return combined if key is None else _keep(cache, key, combined)


def _pick(choices: list[tuple[int, ...]], results: list[_Once]) -> tuple[int, int, int]:
    """The strictest and the laxest combination, and the one the headline rests on."""
    ranks = [(_RANK[r.verdict], r.score) for r in results]
    # The answers are listed strictest first, so among equals the later combination is laxer:
    # the strictest is the first of the highest ranks, the laxest the last of the lowest.
    strictest = laxest = 0
    for i, rank in enumerate(ranks):
        if rank > ranks[strictest]:
            strictest = i
        if rank <= ranks[laxest]:
            laxest = i
    top = results[strictest].verdict
    # What the headline rests on: of the combinations reaching the strictest verdict, the one
    # that assumes least (closest to the laxest combination; the first among equals).
    lax = choices[laxest]
    chosen, fewest = -1, 0
    for i, r in enumerate(results):
        if r.verdict == top:
            differ = sum([a != b for a, b in zip(choices[i], lax, strict=True)])
            if chosen < 0 or differ < fewest:
                chosen, fewest = i, differ
    return strictest, laxest, chosen


def _combine(
    rules: RuleSet,
    base_questions: tuple[str, ...],
    opens: tuple[OpenInput, ...],
    choices: list[tuple[int, ...]],
    results: list[_Once],
    picked: tuple[int, int, int],
    headline: RegimeResult,
    asked: tuple[str, ...],
) -> RegimeResult:
    """The headline and branches from each combination of open answers."""
    strictest, laxest, chosen = picked
    top = results[strictest].verdict
    score = max(r.score for r in results if r.verdict == top)
    index = {c: i for i, c in enumerate(choices)}
    branches: list[Branch] = []
    alternatives = list(headline.alternatives)
    assumed: list[str] = []
    for i, o in enumerate(opens):
        found: list[Answer] | None = None
        # Each answer with the other open questions at their laxest answers, else (where only a
        # combination matters) at their strictest.
        for reference_ in (choices[laxest], choices[strictest]):
            answers = []
            for j, (label, _) in enumerate(o.answers):
                r = results[index[(*reference_[:i], j, *reference_[i + 1 :])]]
                answers.append(Answer(label, r.verdict, r.mechanism))
            if len({a.verdict for a in answers}) > 1:
                found = answers
                break
        if found is None:
            continue
        branches.append(Branch(o.id, asked[i], tuple(found)))
        assumed.append(f"{o.id.replace('_', ' ')}: {o.answers[choices[chosen][i]][0]}")
        for a in found:
            if a.mechanism and a.mechanism != headline.mechanism:
                alternatives.append(a.mechanism)
    questions = _unique(list(base_questions) + [b.question for b in branches])
    if not branches:
        return evolve(
            headline,
            score=score,
            level=cast(Level, rules.scoring.level(score)),
            questions=questions,
        )
    why = (
        f"Provisional - open questions are answered on the strict side ({'; '.join(assumed)}). "
        + headline.why
    )
    if any(b.id == "dpf_certified" for b in branches) and headline.mechanism != "eu_dpf":
        name = _MECHANISM_NAMES.get(headline.mechanism or "", headline.mechanism or "")
        why = f"{name}, unless the importer is DPF-certified (unknown). {why}"
    return evolve(
        headline,
        why=why,
        score=score,
        level=cast(Level, rules.scoring.level(score)),
        alternatives=_unique([a for a in alternatives if a != headline.mechanism]),
        questions=questions,
        provisional=True,
        if_unknown=tuple(branches),
    )


_MECHANISM_NAMES = {
    "eu_scc_c2c": "SCCs",
    "eu_scc_c2p": "SCCs",
    "eu_scc_p2p": "SCCs",
    "eu_scc_p2c": "SCCs",
    "eu_bcr": "BCRs",
    "eu_no_transfer": "Do not transfer",
    "eu_derogation": "An Art. 49 derogation",
    "eu_adequacy": "Adequacy",
}


def _warnings(transfer: Transfer) -> tuple[Warning, ...]:
    """Sanctions designations of the importer or its owners (never a verdict of their own)."""
    found: list[Warning] = []
    for s in transfer.importer.sanctions:
        since = f" since {s.designated.isoformat()}" if s.designated else ""
        via = " (the importer is caught through its ownership)" if s.through_ownership else ""
        found.append(
            Warning(
                "sanctions",
                f"{s.party} is designated on {', '.join(s.lists)}{since}{via}: check the "
                "sanctions rules (e.g. OFAC's 50% rule) before any dealing; data-protection "
                "verdicts do not cover them.",
            )
        )
    return tuple(found)


def cn_outbound_contribution(
    transfer: Transfer,
    rules: RuleSet,
    reference: Reference,
    cn: RegimeResult | None = None,
) -> tuple[int, int]:
    """What this transfer adds to its exporter's PRC running totals: (non-sensitive, sensitive).

    The head-count of facts.cn_headcount, except that a flow resting on an Arts. 4-6
    exemption (rule parameter `exempt_flow_rules`) adds nothing unless the parameter
    `exempt_flows_counted` says exempt flows count. `cn` is the transfer's CN result when the
    caller has it (else it is evaluated here).
    """
    count = cn_headcount(transfer, reference)
    if not (count.non_sensitive or count.sensitive):
        return 0, 0
    params = rules.active("CN", transfer.as_of).params
    if not params.get("exempt_flows_counted"):
        result = cn if cn is not None else evaluate_regime("CN", transfer, rules, reference)
        exempting = set(params.get("exempt_flow_rules") or ())
        if result.mechanism == "cn_exempt" and any(r.id in exempting for r in result.rules):
            return 0, 0
    return count.non_sensitive, count.sensitive


def evaluate(
    transfer: Transfer, rules: RuleSet, reference: Reference, *, memo: bool = True
) -> Evaluation:
    """Evaluate a transfer under every regime on transfer.as_of; no clock, no I/O.

    `memo`: see evaluate_regime (False: no memo; the same answer, slower)."""
    prof = profile(reference, transfer.data_categories, transfer.purposes)
    results = tuple(
        [evaluate_regime(code, transfer, rules, reference, prof, memo=memo) for code in REGIMES]
    )
    worst = results[0]
    for result in results:  # the first of the highest scores
        if result.score > worst.score:
            worst = result
    return Evaluation(
        as_of=transfer.as_of,
        overall=Overall(level=worst.level, score=worst.score),
        regimes=results,
        rules_version=rules.version,
        warnings=_warnings(transfer),
    )


__all__ = ["PROTECTIVE", "cn_outbound_contribution", "evaluate", "evaluate_regime"]
