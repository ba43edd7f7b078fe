"""The closed match vocabulary of rule `when` clauses, compiled to three-valued predicates.

A condition is one of:

    {always: true}
    {all: [cond, ...]}   {any: [cond, ...]}   {not: cond}
    {fact: NAME, OP: VALUE}   OP in eq ne in not_in gt gte lt lte contains contains_any

VALUE is a literal or `{param: ID}` (a dated parameter of the same regime file). A fact that
is `None` is unknown: the leaf is unknown, `all`/`any`/`not` propagate it (Kleene logic), and a
rule whose condition is unknown does not fire but asks its question. Gaps are never a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Facts = Mapping[str, Any]
Params = Mapping[str, Any]
Predicate = Callable[[Facts, Params], bool | None]

OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "contains_any")
COMBINATORS = ("all", "any", "not", "always")


class ConditionError(ValueError):
    """A `when` clause is outside the vocabulary."""


@dataclass(frozen=True, slots=True)
class References:
    """The facts and params a condition names (for the rules-data tests and docs)."""

    facts: frozenset[str]
    params: frozenset[str]


def _value_getter(value: Any) -> tuple[Callable[[Params], Any], str | None]:
    if isinstance(value, Mapping):
        if set(value) != {"param"} or not isinstance(value["param"], str):
            raise ConditionError(f"a value must be a literal or {{param: ID}}, got {value!r}")
        name = value["param"]
        return (lambda params: params.get(name)), name
    if isinstance(value, list):
        frozen = frozenset(value)
        return (lambda _params: frozen), None
    return (lambda _params: value), None


def _leaf(fact: str, op: str, value: Any) -> tuple[Predicate, str | None]:
    get, param = _value_getter(value)

    def unknown_or(fn: Callable[[Any, Any], bool]) -> Predicate:
        def predicate(facts: Facts, params: Params) -> bool | None:
            actual = facts.get(fact)
            expected = get(params)
            if actual is None or expected is None:
                return None
            return fn(actual, expected)

        return predicate

    table: dict[str, Callable[[Any, Any], bool]] = {
        "eq": lambda a, e: bool(a == e),
        "ne": lambda a, e: bool(a != e),
        "in": lambda a, e: a in e,
        "not_in": lambda a, e: a not in e,
        "gt": lambda a, e: bool(a > e),
        "gte": lambda a, e: bool(a >= e),
        "lt": lambda a, e: bool(a < e),
        "lte": lambda a, e: bool(a <= e),
        "contains": lambda a, e: e in a,
        "contains_any": lambda a, e: not frozenset(a).isdisjoint(e),
    }
    return unknown_or(table[op]), param


def compile_condition(raw: Any) -> tuple[Predicate, References]:
    """Compile a `when` clause into a predicate over (facts, params) and what it refers to."""
    facts: set[str] = set()
    params: set[str] = set()

    def build(node: Any) -> Predicate:
        if not isinstance(node, Mapping) or not node:
            raise ConditionError(f"a condition must be a non-empty mapping, got {node!r}")
        if "fact" in node:
            ops = [k for k in node if k != "fact"]
            if len(ops) != 1 or ops[0] not in OPERATORS:
                raise ConditionError(f"a fact test needs exactly one of {OPERATORS}: {node!r}")
            if not isinstance(node["fact"], str):
                raise ConditionError(f"fact must be a name: {node!r}")
            facts.add(node["fact"])
            predicate, param = _leaf(node["fact"], ops[0], node[ops[0]])
            if param is not None:
                params.add(param)
            return predicate
        if len(node) != 1:
            raise ConditionError(f"one combinator per mapping: {node!r}")
        ((key, arg),) = node.items()
        if key == "always":
            if arg is not True:
                raise ConditionError("always takes true")
            return lambda _f, _p: True
        if key == "not":
            inner = build(arg)

            def negate(f: Facts, p: Params) -> bool | None:
                result = inner(f, p)
                return None if result is None else not result

            return negate
        if key in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                raise ConditionError(f"{key} takes a non-empty list")
            parts = tuple(build(item) for item in arg)
            return _all(parts) if key == "all" else _any(parts)
        raise ConditionError(f"unknown combinator {key!r}; use one of {COMBINATORS}")

    predicate = build(raw)
    return predicate, References(frozenset(facts), frozenset(params))


def _all(parts: tuple[Predicate, ...]) -> Predicate:
    def predicate(f: Facts, p: Params) -> bool | None:
        unknown = False
        for part in parts:
            result = part(f, p)
            if result is False:
                return False
            if result is None:
                unknown = True
        return None if unknown else True

    return predicate


def _any(parts: tuple[Predicate, ...]) -> Predicate:
    def predicate(f: Facts, p: Params) -> bool | None:
        unknown = False
        for part in parts:
            result = part(f, p)
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    return predicate
