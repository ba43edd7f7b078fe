"""The closed match vocabulary: three-valued logic, params, and refusal of anything else."""

from __future__ import annotations

from typing import Any

import pytest

from assessments.rules.conditions import ConditionError, compile_condition, compile_decision_key

WHEN = {
    "all": [
        {"fact": "count", "gte": {"param": "threshold"}},
        {"any": [{"fact": "flag", "eq": True}, {"not": {"fact": "kind", "in": ["a", "b"]}}]},
    ]
}


@pytest.mark.parametrize(
    ("facts", "params", "expected"),
    [
        ({"count": 5, "flag": True}, {"threshold": 3}, True),
        ({"count": 5, "flag": False, "kind": "c"}, {"threshold": 3}, True),
        ({"count": 5, "flag": False, "kind": "a"}, {"threshold": 3}, False),
        ({"count": 1, "flag": None}, {"threshold": 3}, False),  # False wins over unknown in all
        ({"count": 5, "flag": None, "kind": "a"}, {"threshold": 3}, None),
        ({"count": 5, "flag": None, "kind": "c"}, {"threshold": 3}, True),  # True wins in any
        ({"count": 5, "flag": True}, {}, None),  # a missing param is unknown
        ({}, {"threshold": 3}, None),
    ],
)
def test_kleene_logic(facts: dict[str, Any], params: dict[str, Any], expected: bool | None) -> None:
    predicate, refs = compile_condition(WHEN)
    assert predicate(facts, params) is expected
    assert refs.facts == {"count", "flag", "kind"} and refs.params == {"threshold"}


@pytest.mark.parametrize(
    ("when", "facts", "expected"),
    [
        ({"always": True}, {}, True),
        ({"fact": "x", "ne": 1}, {"x": 2}, True),
        ({"fact": "x", "not_in": [1, 2]}, {"x": 2}, False),
        ({"fact": "x", "gt": 1}, {"x": 1}, False),
        ({"fact": "x", "lt": 1}, {"x": 0}, True),
        ({"fact": "x", "lte": 1}, {"x": 1}, True),
        ({"fact": "s", "contains": "a"}, {"s": frozenset({"a"})}, True),
        ({"fact": "s", "contains_any": ["b", "c"]}, {"s": ("a", "c")}, True),
        ({"fact": "s", "contains_any": ["b"]}, {"s": ()}, False),
    ],
)
def test_operators(when: dict[str, Any], facts: dict[str, Any], expected: bool) -> None:
    predicate, _ = compile_condition(when)
    assert predicate(facts, {}) is expected


@pytest.mark.parametrize(
    "when",
    [
        {"fact": "x", "matches": ".*"},
        {"fact": "x", "eq": 1, "ne": 2},
        {"fact": "x", "eq": {"python": "__import__('os')"}},
        {"all": []},
        {"all": [{"always": True}], "any": [{"always": True}]},
        {"always": False},
        {"xor": [{"always": True}]},
        {"fact": 3, "eq": 1},
        "always",
    ],
)
def test_anything_outside_the_vocabulary_is_refused(when: Any) -> None:
    with pytest.raises(ConditionError):
        compile_condition(when)


def test_literals_never_become_code() -> None:
    predicate, _ = compile_condition({"fact": "x", "eq": "__import__('os').system('false')"})
    assert predicate({"x": "__import__('os').system('false')"}, {}) is True


def test_decision_key_is_each_test_outcome_then_the_facts_read() -> None:
    key = compile_decision_key(
        [{"all": [{"fact": "n", "gte": {"param": "min"}}, {"fact": "kind", "eq": "a"}]}],
        [{"any": [{"fact": "verdict", "eq": "x"}, {"fact": "n", "lt": 10}]}],
        after=frozenset({"verdict"}),
        read=("mech",),
    )
    params = {"min": 100}
    base = key({"n": 150, "kind": "a", "verdict": "x", "mech": "m"}, params)
    # Head-counts on the same side of every threshold, and facts in `after`, share a key.
    assert key({"n": 999, "kind": "a", "verdict": "y", "mech": "m"}, params) == base
    assert key({"n": 99, "kind": "a", "mech": "m"}, params) != base  # below min
    assert key({"n": 5, "kind": "a", "mech": "m"}, params) != key(
        {"n": 50, "kind": "a", "mech": "m"}, params
    )
    assert key({"n": None, "kind": "a", "mech": "m"}, params) != base  # unknown
    assert key({"n": 150, "kind": "b", "mech": "m"}, params) != base
    assert key({"n": 150, "kind": "a", "mech": "other"}, params) != base  # read by value
    assert key({"n": 150, "kind": "a", "mech": "m"}, {"min": 200}) != base


def test_decision_key_parts_together_are_the_key() -> None:
    """Split by a partition of the facts (`keep`), the parts hold every test and read of the
    key once: equal parts on both sides mean an equal key, and a change to a fact of either
    side changes that part."""
    clauses: dict[str, Any] = {
        "decisions": [
            {"all": [{"fact": "n", "gte": {"param": "min"}}, {"fact": "kind", "eq": "a"}]}
        ],
        "then": [{"any": [{"fact": "verdict", "eq": "x"}, {"fact": "n", "lt": 10}]}],
        "after": frozenset({"verdict"}),
        "read": ("mech",),
    }
    whole = compile_decision_key(**clauses)
    stated = {"kind", "mech"}
    first = compile_decision_key(**clauses, keep=stated.__contains__)
    rest = compile_decision_key(**clauses, keep=lambda fact: fact not in stated)
    params = {"min": 100}
    for facts in (
        {"n": 150, "kind": "a", "mech": "m"},
        {"n": 5, "kind": "b", "mech": None},
        {"n": None, "kind": "a", "mech": "other"},
    ):
        assert sorted(map(repr, first(facts, params) + rest(facts, params))) == sorted(
            map(repr, whole(facts, params))
        )
    assert first({"n": 1, "kind": "a", "mech": "m"}, params) == first(
        {"kind": "a", "mech": "m"}, params
    )
    assert rest({"n": 150}, params) != rest({"n": 5}, params)
    assert first({"kind": "a", "mech": "m"}, params) != first({"kind": "b", "mech": "m"}, params)


def test_decision_key_holds_a_flag_by_value() -> None:
    """A fact tested only for equality with true or false stands in the key once, by value;
    a fact with any other test keeps a slot per test."""
    key = compile_decision_key(
        [{"fact": "flag", "eq": True}, {"fact": "kind", "eq": "a"}],
        [{"not": {"fact": "flag", "eq": False}}, {"fact": "kind", "ne": True}],
        after=frozenset(),
    )
    assert key({"flag": True, "kind": "a"}, {}) == (True, True, True)
    assert key({"flag": None, "kind": "b"}, {}) == (None, False, True)
    assert len({key({"flag": flag}, {}) for flag in (True, False, None)}) == 3
