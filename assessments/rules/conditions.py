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


_PY_OPS = {
    "eq": "{x} == {v}",
    "ne": "{x} != {v}",
    "in": "{x} in {v}",
    "not_in": "{x} not in {v}",
    "gt": "{x} > {v}",
    "gte": "{x} >= {v}",
    "lt": "{x} < {v}",
    "lte": "{x} <= {v}",
    "contains": "{v} in {x}",
    "contains_any": "not {v}.isdisjoint({x})",
}


def _literal_key(value: Any) -> str:
    # The type too: 1, 1.0 and True compare equal but are different literals.
    return f"{type(value).__name__}:{value!r}"


class _Compiler:
    """Turns validated `when` trees into Python with Kleene (three-valued) logic.

    Only names the compiler invents reach the source: fact and param names and literal values
    are passed as constants, never spliced into the code. Each fact and param is read once per
    call into a local, however many conditions name it.
    """

    def __init__(self, *, shared_tests: bool = False) -> None:
        self.constants: dict[str, Any] = {}
        self.facts: dict[str, str] = {}
        self.params: dict[str, str] = {}
        # With shared_tests, each distinct fact test is computed once into a local up front,
        # however many conditions repeat it (for batches that evaluate every condition anyway).
        self.shared_tests = shared_tests
        self.tests: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.test_params: dict[str, str] = {}  # a shared test's local -> the param it compares to
        self.flag_tests: set[str] = set()  # shared tests' locals that are `eq`/`ne` true or false
        self._n = 0

    def _name(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def _constant(self, value: Any) -> str:
        name = self._name("c")
        self.constants[name] = frozenset(value) if isinstance(value, list) else value
        return name

    def _local(self, table: dict[str, str], name: str, prefix: str) -> str:
        if name not in table:
            table[name] = self._name(prefix)
        return table[name]

    def leaf(self, node: Mapping[str, Any]) -> str:
        ops = [k for k in node if k != "fact"]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            raise ConditionError(f"a fact test needs exactly one of {OPERATORS}: {dict(node)!r}")
        fact, op = node["fact"], ops[0]
        if not isinstance(fact, str):
            raise ConditionError(f"fact must be a name: {dict(node)!r}")
        value = node[op]
        if self.shared_tests:
            key = (fact, op, repr(value) if isinstance(value, Mapping) else _literal_key(value))
            if key not in self.tests:
                self.shared_tests = False
                local = self._name("T")
                self.tests[key] = (local, self.leaf(node))
                if isinstance(value, Mapping):
                    self.test_params[local] = value["param"]
                elif op in ("eq", "ne") and isinstance(value, bool):
                    self.flag_tests.add(local)
                self.shared_tests = True
            return self.tests[key][0]
        x = self._local(self.facts, fact, "F")
        unknown = f"{x} is None"
        if isinstance(value, Mapping):
            if set(value) != {"param"} or not isinstance(value["param"], str):
                raise ConditionError(f"a value must be a literal or {{param: ID}}, got {value!r}")
            v = self._local(self.params, value["param"], "P")
            unknown += f" or {v} is None"
        else:
            v = self._constant(value)
        test = _PY_OPS[op].format(x=x, v=v)
        # `True if test else False` is bool(test) without a call per leaf.
        return f"(None if {unknown} else (True if {test} else False))"

    def node(self, node: Any) -> str:
        if not isinstance(node, Mapping) or not node:
            raise ConditionError(f"a condition must be a non-empty mapping, got {node!r}")
        if "fact" in node:
            return self.leaf(node)
        if len(node) != 1:
            raise ConditionError(f"one combinator per mapping: {dict(node)!r}")
        ((key, arg),) = node.items()
        if key == "always":
            if arg is not True:
                raise ConditionError("always takes true")
            return "True"
        if key == "not":
            r, bind = self._bind(self.node(arg))
            return f"(None if {bind} is None else not {r})"
        if key in ("all", "any"):
            if not isinstance(arg, list) or not arg:
                raise ConditionError(f"{key} takes a non-empty list")
            bound = [self._bind(self.node(item)) for item in arg]
            names = [r for r, _ in bound]
            stop, result = ("False", "True") if key == "all" else ("True", "False")
            chain = " or ".join(f"{bind} is {stop}" for _, bind in bound)
            unknown = " or ".join(f"{r} is None" for r in names)
            return f"({stop} if {chain} else (None if {unknown} else {result}))"
        raise ConditionError(f"unknown combinator {key!r}; use one of {COMBINATORS}")

    def _bind(self, expression: str) -> tuple[str, str]:
        """A name for an operand's value and the code that binds it (a shared test already has
        its local)."""
        if expression.isidentifier():
            return expression, expression
        r = self._name("r")
        return r, f"({r} := {expression})"

    def function(self, expressions: list[str]) -> Callable[[Facts, Params], Any]:
        """One function reading each fact and param once and returning the expressions."""
        return self._define([f"    return ({''.join(e + ', ' for e in expressions)})"])

    def first_match(self, expressions: list[str]) -> Callable[[Facts, Params], Any]:
        """One function returning the index of the first true expression (-1 if none) and the
        indices of the unknown ones before it; later expressions are not evaluated."""
        body = ["    u = ()"]
        for i, expression in enumerate(expressions):
            body += [
                f"    r = {expression}",
                f"    if r is True: return {i}, u",
                f"    if r is None: u += ({i},)",
            ]
        body.append("    return -1, u")
        return self._define(body)

    def not_false(self, expressions: list[str]) -> Callable[[Facts, Params], Any]:
        """One function returning (index, result) for each expression that is not false, in
        order: the true and the unknown ones."""
        body = [f"    {local} = {test}" for local, test in self.tests.values()]
        body.append("    h = ()")
        for i, expression in enumerate(expressions):
            body += [f"    r = {expression}", f"    if r is not False: h += (({i}, r),)"]
        body.append("    return h")
        return self._define(body)

    def _define(
        self,
        body: list[str],
        facts: frozenset[str] | None = None,
        params: frozenset[str] | None = None,
    ) -> Callable[[Facts, Params], Any]:
        """The function `run(f, p)`: read each fact and param (of `facts` and `params`, else
        every one named) into its local, then `body`."""
        lines = ["def run(f, p):"]
        for name, local in self.facts.items():
            if facts is None or name in facts:
                lines.append(f"    {local} = f.get({self._constant(name)})")
        for name, local in self.params.items():
            if params is None or name in params:
                lines.append(f"    {local} = p.get({self._constant(name)})")
        lines += body
        namespace: dict[str, Any] = {"__builtins__": {}, **self.constants}
        # The source holds only compiler-made names; facts, params and literals are constants.
        exec(compile("\n".join(lines), "<rule conditions>", "exec"), namespace)
        run: Callable[[Facts, Params], Any] = namespace["run"]
        return run


def compile_condition(raw: Any) -> tuple[Predicate, References]:
    """Compile one `when` clause into a predicate over (facts, params) and what it refers to."""
    compiler = _Compiler()
    run = compiler.function([compiler.node(raw)])

    def predicate(facts: Facts, params: Params) -> bool | None:
        result: bool | None = run(facts, params)[0]
        return result

    return predicate, References(frozenset(compiler.facts), frozenset(compiler.params))


Outcomes = Callable[[Facts, Params], tuple[tuple[int, bool | None], ...]]


def compile_outcomes(conditions: list[Any]) -> Outcomes:
    """Compile several `when` clauses into one call returning (index, True or None) for each
    clause that is not false, in order; false ones, the common case, are left out."""
    compiler = _Compiler(shared_tests=True)
    expressions = [compiler.node(raw) for raw in conditions]
    run: Outcomes = compiler.not_false(expressions)
    return run


FirstMatch = Callable[[Facts, Params], tuple[int, tuple[int, ...]]]
DecisionKey = Callable[[Facts, Params], tuple[Any, ...]]


def compile_first_match(conditions: list[Any]) -> FirstMatch:
    """Compile an ordered list of `when` clauses into one call returning the index of the first
    that is true (-1 if none) and the indices of those before it that are unknown.

    Decision rules are tried in order and the first true one decides, so the conditions after
    it are never evaluated; the unknown ones before it are the questions that could change the
    decision.
    """
    compiler = _Compiler()
    expressions = [compiler.node(raw) for raw in conditions]
    run: FirstMatch = compiler.first_match(expressions)
    return run


def compile_decision_key(
    decisions: list[Any],
    then: list[Any],
    *,
    after: frozenset[str],
    read: tuple[str, ...] = (),
    keep: Callable[[str], bool] | None = None,
) -> DecisionKey:
    """Compile the `when` clauses of a day's rules into one call returning what all their
    outcomes are a function of (the params are fixed for the day): the outcome (True, False or
    None) of each distinct fact test in them, so that, say, head-counts on the same side of
    every threshold give the same key. Every clause is a Kleene combination of its tests.

    A flag, a fact whose every test is `eq` or `ne` true or false, stands in the key by its
    value instead: true, false or unknown determine the outcome of each of its tests (and for
    those values no two give the same outcomes), so the key partitions the facts as before, at
    the cost of one read instead of a test each.

    `decisions` are evaluated first; the facts in `after` are then set from their outcomes
    before `then` is evaluated, so the tests of `then` on those facts are left out. `read`:
    facts the caller reads beside the conditions, returned by value. `keep`: only the tests
    and reads of the facts it accepts (a part of the key; the parts for a partition of the facts
    together are the key).
    """
    # Compiling the clauses collects each distinct fact test once (shared_tests), in the
    # order the clauses name them: the compiler is the one walker of the vocabulary.
    compiler = _Compiler(shared_tests=True)
    for raw in decisions:
        compiler.node(raw)
    first = len(compiler.tests)
    for raw in then:
        compiler.node(raw)
    kept = [
        (fact, local, test)
        for i, ((fact, _op, _value), (local, test)) in enumerate(compiler.tests.items())
        if (i < first or fact not in after) and (keep is None or keep(fact))
    ]
    flags = {fact for fact, _, _ in kept}.difference(
        [fact for fact, local, _ in kept if local not in compiler.flag_tests]
    )
    body: list[str] = []
    parts: list[str] = []  # the key's locals, in the order the clauses first test them
    named: set[str] = set()
    params: set[str] = set()  # a part of the key compares with only some of the params
    for fact, local, test in kept:
        if fact not in flags:
            body.append(f"    {local} = {test}")
            parts.append(local)
        elif fact not in named:
            parts.append(compiler.facts[fact])
        named.add(fact)
        if local in compiler.test_params:
            params.add(compiler.test_params[local])
    reads = [fact for fact in dict.fromkeys(read) if keep is None or keep(fact)]
    parts += [compiler._local(compiler.facts, fact, "F") for fact in reads]
    body.append(f"    return ({''.join(p + ', ' for p in parts)})")
    return compiler._define(body, frozenset(named.union(reads)), frozenset(params))
