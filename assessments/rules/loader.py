"""Schema, records and loader for the rule files: cn.yaml, eu.yaml, us.yaml, scoring.yaml."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from assessments.rules.conditions import (
    ConditionError,
    DecisionKey,
    FirstMatch,
    Outcomes,
    Predicate,
    References,
    compile_condition,
    compile_decision_key,
    compile_first_match,
    compile_outcomes,
)
from assessments.schema_bases import StrictSchema
from assessments.types import MECHANISMS, SAFEGUARDS, VERDICTS, FiredRule, Obligation, in_force
from assessments.yamlio import safe_load

RULES_DIR = Path(__file__).resolve().parent
REGIME_FILES = {"CN": "cn.yaml", "EU": "eu.yaml", "US": "us.yaml"}
SCORING_FILE = "scoring.yaml"
_RULE_ID = validate.Regexp(r"^(CN|EU|US)-[A-Z0-9][A-Z0-9.\-]*$")


class RulesError(ValueError):
    """A rule file does not validate."""


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Param:
    """A dated number or value a rule compares against (thresholds live here, not in code)."""

    id: str
    value: Any
    citation: str
    effective_from: date | None = None
    effective_to: date | None = None
    note: str | None = None

    def in_force(self, on: date) -> bool:
        """Whether this version of the parameter applies on the day."""
        return in_force(self.effective_from, self.effective_to, on)


@dataclass(frozen=True, slots=True)
class MechanismSpec:
    """A transfer mechanism and the safeguards that show it is already in place."""

    id: str
    met_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ObligationTemplate:
    """An obligation a rule imposes; text may name facts in braces."""

    id: str
    text: str
    citation: str
    due: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a decision rule decides: a verdict and the mechanism it rests on."""

    verdict: str
    mechanism: str | None = None
    mechanism_fact: str | None = None
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: dated, cited, explained, with a condition in the closed vocabulary."""

    id: str
    regime: str
    kind: str
    citations: tuple[str, ...]
    explanation: str
    when: Any
    predicate: Predicate = field(repr=False, compare=False)
    references: References = field(repr=False, compare=False)
    track: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    remediation: str | None = None
    outcome: Outcome | None = None
    obligations: tuple[ObligationTemplate, ...] = ()
    question: str | None = None
    placeholders: tuple[str, ...] = ()
    # A rule whose texts name no fact or param reads the same for every transfer: its fired
    # entry and obligations, built once at load.
    fixed: tuple[FiredRule, tuple[Obligation, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def citation(self) -> str:
        """All citations joined for display."""
        return _join_citations(self.citations)

    def in_force(self, on: date) -> bool:
        """Whether the rule applies on the day."""
        return in_force(self.effective_from, self.effective_to, on)


@dataclass(frozen=True, slots=True)
class RegimeRules:
    """The rules of one regime, in file order (decision order matters within a track)."""

    regime: str
    title: str
    params: tuple[Param, ...]
    mechanisms: Mapping[str, MechanismSpec]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Track:
    """One decision track of a regime on one day: its rules in order, the first true one decides."""

    name: str
    rules: tuple[Rule, ...]
    # The track's conditions compiled into one call: (index of the first true, unknown before it).
    decide: FirstMatch = field(repr=False, compare=False)
    # The facts the engine adds for obligation rules once the track has decided.
    mechanism_fact: str
    verdict_fact: str
    applies_fact: str


@dataclass(frozen=True, slots=True)
class DecisionKeys:
    """The decision key of a day's rules (compile_decision_key) in two parts, for a partition
    of the facts: the engine computes the part of the facts no open answer changes once per
    transfer, and the other part per combination of answers. Together they are the key."""

    decisions: tuple[Any, ...]
    then: tuple[Any, ...]
    after: frozenset[str]
    read: tuple[str, ...]
    _parts: dict[tuple[str, ...], tuple[DecisionKey, DecisionKey]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def parts(self, stated: tuple[str, ...]) -> tuple[DecisionKey, DecisionKey]:
        """The key's tests and reads of the facts named in `stated`, and of every other fact
        (compiled once per partition)."""
        found = self._parts.get(stated)
        if found is None:
            names = frozenset(stated)
            found = self._parts[stated] = (
                self._compile(names.__contains__),
                self._compile(lambda fact: fact not in names),
            )
        return found

    def _compile(self, keep: Callable[[str], bool]) -> DecisionKey:
        clauses = list(self.decisions), list(self.then)
        return compile_decision_key(*clauses, after=self.after, read=self.read, keep=keep)


@dataclass(frozen=True, slots=True)
class ActiveRules:
    """The rules and parameter values of one regime on one day (built once per day and kept)."""

    params: Mapping[str, Any]
    tracks: tuple[Track, ...]
    obligations: tuple[Rule, ...]
    # The obligation and question rules' conditions compiled into one call: (index, outcome) of
    # each rule whose condition is true or unknown, in rule order.
    obligation_outcomes: Outcomes = field(repr=False, compare=False)
    # What every decision and obligation outcome of the day is a function of, compiled from the
    # same conditions (the engine's memo key for a regime's decisions; see compile_decision_key).
    decision_key: DecisionKeys = field(repr=False, compare=False)
    # Engine memo of the decisions per decision key and safeguards (engine._decisions): per
    # value of the key's part on the stated facts, the entries per (other part, safeguards).
    decisions: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # The open inputs' question rules found by id (engine._question), once per day.
    questions: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Scoring:
    """Score bands per verdict, exposure weights and level cut-offs (scoring.yaml)."""

    bands: Mapping[str, tuple[int, int]]
    weights: Mapping[str, float]
    levels: tuple[tuple[str, int], ...]
    met_factor: float
    protective_safeguards: Mapping[str, float]
    volume_decades: float
    # Derived once from the fields above, for the engine's per-evaluation arithmetic.
    weight_volume: float = field(init=False, repr=False, compare=False)
    weight_sensitivity: float = field(init=False, repr=False, compare=False)
    weight_exposure: float = field(init=False, repr=False, compare=False)
    weight_total: float = field(init=False, repr=False, compare=False)
    # (safeguard, factor the exposure is multiplied by when it is in place)
    protective_factors: tuple[tuple[str, float], ...] = field(init=False, repr=False, compare=False)
    _levels_by_score: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        w = self.weights
        derived = {
            "weight_volume": w.get("volume", 0.0),
            "weight_sensitivity": w.get("sensitivity", 0.0),
            "weight_exposure": w.get("exposure", 0.0),
            "weight_total": (
                w.get("volume", 0.0) + w.get("sensitivity", 0.0) + w.get("exposure", 0.0)
            )
            or 1.0,
            "protective_factors": tuple(
                (safeguard, 1.0 - reduction)
                for safeguard, reduction in self.protective_safeguards.items()
            ),
            "_levels_by_score": tuple(self._level(score) for score in range(101)),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # frozen: set once, here

    def level(self, score: int) -> str:
        """The level for a score (the highest level whose minimum the score reaches)."""
        if 0 <= score <= 100:
            return self._levels_by_score[score]
        return self._level(score)

    def _level(self, score: int) -> str:
        current = self.levels[0][0]
        for name, minimum in self.levels:
            if score >= minimum:
                current = name
        return current


@dataclass(frozen=True)
class RuleSet:
    """Every regime's rules plus scoring; `version` is a hash of the files' content."""

    version: str
    regimes: Mapping[str, RegimeRules]
    scoring: Scoring
    _active: dict[tuple[str, date], ActiveRules] = field(
        default_factory=dict, repr=False, compare=False
    )
    # Engine memo of rendered, immutable results per (rule id, values of its placeholders).
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    # Engine memo of regime results per signature (decisions, the values their texts name,
    # score; see engine._Once.signature).
    results: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def active(self, regime: str, on: date) -> ActiveRules:
        """The rules in force for a regime on a day (memoised; rule sets are immutable)."""
        key = (regime, on)
        cached = self._active.get(key)
        if cached is None:
            cached = _activate(self.regimes[regime], on)
            self._active[key] = cached
        return cached

    def all_rules(self) -> tuple[Rule, ...]:
        """Every rule of every regime."""
        return tuple(rule for r in self.regimes.values() for rule in r.rules)


@lru_cache(maxsize=1024)
def _join_citations(citations: tuple[str, ...]) -> str:
    return "; ".join(citations)


def _activate(regime: RegimeRules, on: date) -> ActiveRules:
    params: dict[str, Any] = {}
    for param in regime.params:
        if param.in_force(on):
            params[param.id] = param.value
    tracks: dict[str, list[Rule]] = {}
    obligations: list[Rule] = []
    for rule in regime.rules:
        if rule.kind == "decision":
            bucket = tracks.setdefault(rule.track or regime.regime, [])
            if rule.in_force(on):
                bucket.append(rule)
        elif rule.in_force(on):
            obligations.append(rule)
    built = tuple(_track(name, rules) for name, rules in tracks.items())
    # The facts the engine sets from the decisions before the obligation rules are evaluated.
    decided = {"mechanism", "verdict"}
    for track in built:
        decided.update((track.mechanism_fact, track.verdict_fact, track.applies_fact))
    return ActiveRules(
        params=params,
        tracks=built,
        obligations=tuple(obligations),
        obligation_outcomes=compile_outcomes([r.when for r in obligations]),
        decision_key=DecisionKeys(
            tuple([r.when for track in built for r in track.rules]),
            tuple([r.when for r in obligations]),
            after=frozenset(decided),
            # A decision's mechanism may be named by a fact (Outcome.mechanism_fact).
            read=tuple(
                sorted(
                    {
                        r.outcome.mechanism_fact
                        for track in built
                        for r in track.rules
                        if r.outcome is not None and r.outcome.mechanism_fact
                    }
                )
            ),
        ),
    )


def _track(name: str, rules: list[Rule]) -> Track:
    key = name.lower()
    return Track(
        name=name,
        rules=tuple(rules),
        decide=compile_first_match([r.when for r in rules]),
        mechanism_fact=f"{key}_mechanism",
        verdict_fact=f"{key}_verdict",
        applies_fact=f"{key}_applies",
    )


# ---------------------------------------------------------------------------- schemas


class ParamSchema(StrictSchema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    value = fields.Raw(required=True)
    effective_from = fields.Date(load_default=None, allow_none=True)
    effective_to = fields.Date(load_default=None, allow_none=True)
    citation = fields.String(required=True, validate=validate.Length(min=1))
    note = fields.String(load_default=None, allow_none=True)


class MechanismSchema(StrictSchema):
    id = fields.String(required=True, validate=validate.OneOf(MECHANISMS))
    met_by = fields.List(fields.String(validate=validate.OneOf(SAFEGUARDS)), load_default=[])


class ObligationSchema(StrictSchema):
    id = fields.String(required=True, validate=_RULE_ID)
    text = fields.String(required=True, validate=validate.Length(min=1))
    citation = fields.String(required=True, validate=validate.Length(min=1))
    due = fields.String(load_default=None, allow_none=True)


class OutcomeSchema(StrictSchema):
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    mechanism = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(MECHANISMS)
    )
    mechanism_fact = fields.String(load_default=None, allow_none=True)
    alternatives = fields.List(fields.String(validate=validate.OneOf(MECHANISMS)), load_default=[])


class RuleSchema(StrictSchema):
    id = fields.String(required=True, validate=_RULE_ID)
    kind = fields.String(
        required=True, validate=validate.OneOf(("decision", "obligation", "question"))
    )
    track = fields.String(load_default=None)
    citations = fields.List(
        fields.String(validate=validate.Length(min=1)),
        required=True,
        validate=validate.Length(min=1),
    )
    effective_from = fields.Date(required=True, allow_none=True)
    effective_to = fields.Date(required=True, allow_none=True)
    when = fields.Raw(required=True)
    explanation = fields.String(required=True, validate=validate.Length(min=1))
    remediation = fields.String(load_default=None, allow_none=True)
    outcome = fields.Nested(OutcomeSchema, load_default=None, allow_none=True)
    obligations = fields.List(fields.Nested(ObligationSchema), load_default=[])
    question = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _shape(self, data: dict[str, Any], **_: Any) -> None:
        decision = data["kind"] == "decision"
        if decision and data.get("outcome") is None:
            raise ValidationError("a decision rule needs an outcome", "outcome")
        if not decision and data.get("outcome") is not None:
            raise ValidationError("only decision rules have an outcome", "outcome")
        start, end = data.get("effective_from"), data.get("effective_to")
        if start and end and end < start:
            raise ValidationError("effective_to is before effective_from", "effective_to")
        try:
            compile_condition(data["when"])
        except ConditionError as exc:
            raise ValidationError(str(exc), "when") from exc


class RegimeFileSchema(StrictSchema):
    regime = fields.String(required=True, validate=validate.OneOf(tuple(REGIME_FILES)))
    title = fields.String(required=True)
    params = fields.List(fields.Nested(ParamSchema), load_default=[])
    mechanisms = fields.List(fields.Nested(MechanismSchema), load_default=[])
    rules = fields.List(fields.Nested(RuleSchema), required=True)


class BandSchema(StrictSchema):
    low = fields.Integer(required=True, validate=validate.Range(min=0, max=100))
    high = fields.Integer(required=True, validate=validate.Range(min=0, max=100))


class ScoringSchema(StrictSchema):
    bands = fields.Dict(
        keys=fields.String(validate=validate.OneOf(VERDICTS)),
        values=fields.Nested(BandSchema),
        required=True,
    )
    weights = fields.Dict(
        keys=fields.String(validate=validate.OneOf(("volume", "sensitivity", "exposure"))),
        values=fields.Float(validate=validate.Range(min=0)),
        required=True,
    )
    levels = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    met_factor = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    protective_safeguards = fields.Dict(
        keys=fields.String(validate=validate.OneOf(SAFEGUARDS)),
        values=fields.Float(validate=validate.Range(min=0, max=1)),
        required=True,
    )
    volume_decades = fields.Float(required=True, validate=validate.Range(min=1))
    note = fields.String(load_default=None)


# ---------------------------------------------------------------------------- loading


def _placeholders(*texts: str | None) -> tuple[str, ...]:
    names = (n for text in texts if text for _, n, _, _ in string.Formatter().parse(text) if n)
    return tuple(dict.fromkeys(names))


def _build_rule(raw: dict[str, Any], regime: str) -> Rule:
    predicate, references = compile_condition(raw["when"])
    outcome = raw["outcome"]
    citations = tuple(raw["citations"])
    explanation = raw["explanation"].strip()
    remediation = (raw["remediation"] or "").strip() or None
    obligations = tuple(ObligationTemplate(**o) for o in raw["obligations"])
    placeholders = _placeholders(
        raw["explanation"], raw["remediation"], *(o.text for o in obligations)
    )
    return Rule(
        placeholders=placeholders,
        id=raw["id"],
        regime=regime,
        kind=raw["kind"],
        track=raw["track"],
        citations=citations,
        effective_from=raw["effective_from"],
        effective_to=raw["effective_to"],
        when=raw["when"],
        predicate=predicate,
        references=references,
        explanation=explanation,
        remediation=remediation,
        outcome=Outcome(
            verdict=outcome["verdict"],
            mechanism=outcome["mechanism"],
            mechanism_fact=outcome["mechanism_fact"],
            alternatives=tuple(outcome["alternatives"]),
        )
        if outcome
        else None,
        obligations=obligations,
        question=raw["question"],
        fixed=None
        if placeholders
        else (
            FiredRule(raw["id"], _join_citations(citations), explanation, remediation),
            tuple(Obligation(o.id, o.text, o.citation, o.due) for o in obligations),
        ),
    )


def load_regime(path: Path) -> RegimeRules:
    """Load and validate one regime file."""
    try:
        data = RegimeFileSchema().load(safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise RulesError(f"{path.name}: {exc.messages}") from exc
    regime = data["regime"]
    rules = tuple(_build_rule(raw, regime) for raw in data["rules"])
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RulesError(f"{path.name}: duplicate rule id {rule.id}")
        if not rule.id.startswith(regime + "-"):
            raise RulesError(f"{path.name}: rule {rule.id} is not in regime {regime}")
        seen.add(rule.id)
    return RegimeRules(
        regime=regime,
        title=data["title"],
        params=tuple(Param(**p) for p in data["params"]),
        mechanisms={
            m["id"]: MechanismSpec(m["id"], tuple(m["met_by"])) for m in data["mechanisms"]
        },
        rules=rules,
    )


def load_scoring(path: Path) -> Scoring:
    """Load and validate scoring.yaml."""
    try:
        data = ScoringSchema().load(safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        raise RulesError(f"{path.name}: {exc.messages}") from exc
    missing = set(VERDICTS) - set(data["bands"])
    if missing:
        raise RulesError(f"{path.name}: no band for {sorted(missing)}")
    return Scoring(
        bands={k: (v["low"], v["high"]) for k, v in data["bands"].items()},
        weights=data["weights"],
        levels=tuple(sorted(data["levels"].items(), key=lambda kv: kv[1])),
        met_factor=data["met_factor"],
        protective_safeguards=data["protective_safeguards"],
        volume_decades=data["volume_decades"],
    )


def load_rules(rules_dir: Path | None = None) -> RuleSet:
    """Load every regime file and scoring.yaml; the version is a hash of their content."""
    base = rules_dir or RULES_DIR
    digest = hashlib.sha256()
    regimes: dict[str, RegimeRules] = {}
    for code, name in REGIME_FILES.items():
        path = base / name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        loaded = load_regime(path)
        if loaded.regime != code:
            raise RulesError(f"{name} declares regime {loaded.regime}, expected {code}")
        regimes[code] = loaded
    scoring_path = base / SCORING_FILE
    digest.update(SCORING_FILE.encode() + b"\0" + scoring_path.read_bytes())
    return RuleSet(
        version=digest.hexdigest()[:12],
        regimes=regimes,
        scoring=load_scoring(scoring_path),
    )


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The rules shipped with assessments/rules/, loaded once."""
    return load_rules()
