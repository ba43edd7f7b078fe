"""The transfer risk engine: evaluate(transfer, rules, reference) -> Evaluation; pure, no clock."""

from __future__ import annotations

import itertools
import string
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, cast

from assessments.catalog.reference import Reference
from assessments.facts import (
    BUILDERS,
    OPEN_INPUTS,
    PROTECTIVE,
    Exposure,
    Profile,
    cn_headcount,
    profile,
    volume,
)
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
Fired = tuple[FiredRule, tuple[Obligation, ...]]


def _fire(rules: RuleSet, rule: Rule, facts: Mapping[str, Any], params: Mapping[str, Any]) -> Fired:
    """The rule's fired entry and obligations, rendered; shared while the values repeat."""
    names = rule.placeholders
    key: Any = (
        (rule.id, tuple([facts[n] if n in facts else params.get(n) for n in names]))
        if names
        else rule.id
    )
    memo = rules.memo
    try:
        found: Fired | None = memo.get(key)
    except TypeError:  # an unhashable value: no memo
        key, found = None, None
    if found is not None:
        return found
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
    if key is not None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = built
    return built


class _TrackResult:
    __slots__ = ("mechanism", "met", "rule", "track", "verdict")

    def __init__(
        self,
        track: Track,
        rule: Rule | None,
        verdict: str,
        mechanism: str | None,
        met: bool | None,
    ) -> None:
        self.track = track
        self.rule = rule
        self.verdict = verdict
        self.mechanism = mechanism
        self.met = met


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
    questions: list[str],
) -> list[_TrackResult]:
    params = active.params
    results: list[_TrackResult] = []
    for track in active.tracks:
        index, unknown = track.decide(facts, params)
        for i in unknown:  # undecided rules before the one that decides: their questions
            question = track.rules[i].question
            if question:
                questions.append(_render(question, facts, params))
        out = track.rules[index].outcome if index >= 0 else None
        if out is None:
            results.append(_TrackResult(track, None, "not_applicable", None, None))
            continue
        mechanism = out.mechanism or (facts.get(out.mechanism_fact) if out.mechanism_fact else None)
        met = _met(regime, mechanism, safeguards) if out.verdict in _REQUIRING else None
        if met is False:
            # An acceptable alternative already in place carries the transfer instead.
            for alternative in out.alternatives:
                if _met(regime, alternative, safeguards):
                    mechanism, met = alternative, True
                    break
        results.append(_TrackResult(track, track.rules[index], out.verdict, mechanism, met))
    return results


def _alternatives(rule: Rule | None, mechanism: str | None) -> tuple[str, ...]:
    if rule is None or rule.outcome is None:
        return ()
    options = [rule.outcome.mechanism, *rule.outcome.alternatives]
    return tuple([m for m in options if m and m != mechanism])


def _exposure(scoring: Scoring, exposure: Exposure, safeguards: frozenset[str]) -> float:
    """The regime's exposure in [0, 1] before the verdict's band: weighted, then reduced by
    protective safeguards (the same for every track of the regime)."""
    r = (
        volume(exposure.people, scoring.volume_decades) * scoring.weight_volume
        + exposure.sensitivity * scoring.weight_sensitivity
        + exposure.exposure * scoring.weight_exposure
    ) / scoring.weight_total
    for safeguard, factor in scoring.protective_factors:
        if safeguard in safeguards:
            r *= factor
    return r


def _score(scoring: Scoring, verdict: str, exposure: float, met: bool | None) -> int:
    low, high = scoring.bands[verdict]
    if high <= low:
        return low
    r = exposure * scoring.met_factor if met else exposure
    return low + round(min(1.0, max(0.0, r)) * (high - low))


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items)) if items else ()


def _evaluate_once(
    code: str,
    transfer: Transfer,
    rules: RuleSet,
    reference: Reference,
    prof: Profile,
) -> tuple[RegimeResult, dict[str, Any]]:
    """Evaluate one regime on the facts as stated (unknowns stay unknown); also its facts."""
    regime = rules.regimes[code]
    active = rules.active(code, transfer.as_of)
    params = active.params
    built = BUILDERS[code](transfer, reference, prof, params)
    facts = built.facts
    safeguards = transfer.safeguards if built.safeguards is None else built.safeguards
    questions: list[str] = []
    tracks = _decide(regime, active, facts, safeguards, questions)

    # The winner is the first applicable track with the most stringent verdict.
    applicable: list[_TrackResult] = []
    winner: _TrackResult | None = None
    for t in tracks:
        # "none" (not None): after the decisions the absence of a mechanism is a known fact.
        facts[t.track.mechanism_fact] = t.mechanism or "none"
        facts[t.track.verdict_fact] = t.verdict
        applies = facts[t.track.applies_fact] = t.verdict != "not_applicable"
        if applies:
            applicable.append(t)
            if winner is None or _RANK[t.verdict] > _RANK[winner.verdict]:
                winner = t
    facts["mechanism"] = (winner.mechanism if winner else None) or "none"
    facts["verdict"] = winner.verdict if winner else "not_applicable"

    # An applicable track always rests on a rule; its entry is rendered once, for rules and why.
    decided = [
        t.rule.fixed[0] if t.rule.fixed else _fire(rules, t.rule, facts, params)[0]
        for t in applicable
        if t.rule is not None
    ]
    fired: list[FiredRule] = list(decided)
    obligations: list[Obligation] = []
    for i, outcome in active.obligation_outcomes(facts, params):
        rule = active.obligations[i]
        if outcome is None or rule.kind == "question":
            # Unknown: the rule asks; a question rule asks when its condition holds.
            if rule.question:
                questions.append(_render(rule.question, facts, params))
        elif winner is not None:  # an inapplicable regime reports only its questions
            entry, duties = rule.fixed or _fire(rules, rule, facts, params)
            fired.append(entry)
            obligations.extend(duties)

    if winner is None:
        reasons = [_render(t.rule.explanation, facts, params) for t in tracks if t.rule is not None]
        why = " ".join(_unique(reasons)) or "No rule of this regime reaches the transfer."
        return RegimeResult(
            regime=code,
            applies=False,
            why=why,
            verdict="not_applicable",
            questions=_unique(questions),
        ), facts

    # "met": every mechanism this regime requires is already among the safeguards.
    met: bool | None = None
    if winner.verdict in _REQUIRING:
        requiring = [t.met for t in applicable if t.verdict in _REQUIRING]
        met = False if False in requiring else (None if None in requiring else True)
    scoring = rules.scoring
    exposure = _exposure(scoring, built.exposure, safeguards)
    score = max([_score(scoring, t.verdict, exposure, t.met) for t in applicable])
    result = RegimeResult(
        regime=code,
        applies=True,
        why=" ".join(_unique([entry.explanation for entry in decided])),
        verdict=cast(Verdict, winner.verdict),
        mechanism=winner.mechanism,
        alternatives=_alternatives(winner.rule, winner.mechanism),
        met=met,
        level=cast(Level, scoring.level(score)),
        score=score,
        obligations=tuple(obligations),
        rules=tuple(fired),
        questions=_unique(questions),
    )
    return result, facts


_MAX_COMBINATIONS = 64


def _strictness(result: RegimeResult) -> tuple[int, int]:
    return _RANK[result.verdict], result.score


def _question(rules: RuleSet, code: str, on: Any, rule_id: str, facts: Mapping[str, Any]) -> str:
    """The text of an open input's question rule, rendered on the stated facts."""
    active = rules.active(code, on)
    for rule in active.obligations:  # the rule, or its dated version (id plus a suffix)
        if (rule.id == rule_id or rule.id.startswith(rule_id + "-")) and rule.question:
            return _render(rule.question, facts, active.params)
    return rule_id


def evaluate_regime(
    code: str,
    transfer: Transfer,
    rules: RuleSet,
    reference: Reference,
    prof: Profile | None = None,
) -> RegimeResult:
    """Evaluate one regime (CN, EU or US) for a transfer.

    A fact the transfer leaves open that could change the verdict (facts.OPEN_INPUTS) is never
    decided on the lax side: the regime is evaluated under every combination of answers, the
    headline (verdict, level, score and what they rest on) is the strictest, and each question
    whose answers lead to different verdicts is listed in `if_unknown` with the verdict under
    each answer (the strictest over the other open answers). Stating a fact can only narrow
    the combinations, so it never makes the headline stricter than leaving it open.
    """
    if prof is None:
        prof = profile(reference, transfer.data_categories, transfer.purposes)
    base, facts = _evaluate_once(code, transfer, rules, reference, prof)
    params = rules.active(code, transfer.as_of).params
    opens = OPEN_INPUTS[code](transfer, reference, params, facts)
    if not opens:
        return base
    choices = list(itertools.product(*[range(len(o.answers)) for o in opens]))
    if len(choices) > _MAX_COMBINATIONS:  # never with today's inputs; keep the cost bounded
        raise ValueError(f"{code}: {len(choices)} combinations of open answers")
    results: list[RegimeResult] = []
    for choice in choices:
        variant = transfer
        for o, j in zip(opens, choice, strict=True):
            variant = o.answers[j][1](variant)
        results.append(_evaluate_once(code, variant, rules, reference, prof)[0])
    n = len(results)
    strictest = max(range(n), key=lambda i: (_strictness(results[i]), -i))
    # The answers are listed strictest first, so among equals the later combination is laxer.
    laxest = min(range(n), key=lambda i: (_strictness(results[i]), -i))
    top = results[strictest]
    # What the headline rests on: of the combinations reaching the strictest verdict, the one
    # that assumes least (closest to the laxest combination).
    chosen = min(
        (i for i in range(n) if results[i].verdict == top.verdict),
        key=lambda i: (sum(a != b for a, b in zip(choices[i], choices[laxest], strict=True)), i),
    )
    headline = results[chosen]
    score = max(r.score for r in results if _RANK[r.verdict] == _RANK[top.verdict])
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
        question = _question(rules, code, transfer.as_of, o.rule, facts)
        branches.append(Branch(o.id, question, tuple(found)))
        assumed.append(f"{o.id.replace('_', ' ')}: {o.answers[choices[chosen][i]][0]}")
        for a in found:
            if a.mechanism and a.mechanism != headline.mechanism:
                alternatives.append(a.mechanism)
    questions = _unique(list(base.questions) + [b.question for b in branches])
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


def evaluate(transfer: Transfer, rules: RuleSet, reference: Reference) -> Evaluation:
    """Evaluate a transfer under every regime on transfer.as_of; no clock, no I/O."""
    prof = profile(reference, transfer.data_categories, transfer.purposes)
    results = tuple([evaluate_regime(code, transfer, rules, reference, prof) for code in REGIMES])
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
