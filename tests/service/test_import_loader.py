"""The import's per-row loader (`validation.RowLoader`) against the vendor create schema, and
the write path's shortcuts (`audit.diff` for creations, `storable.unstorable_text`'s paths), each
checked against the plain statement of its rule."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from service.audit.services import SECRET_FIELDS, diff
from service.storable import MAX_JSON_DEPTH, UNSTORABLE, unstorable_text
from service.vendors.io.validation import RowLoader
from service.vendors.schemas import VendorCreateSchema

BASE = {"slug": "acme", "name": "Acme"}
# A legacy field beside the block that decides it: the schema refuses each of these rows,
# whichever of the two fields the loader memoises.
CONFLICTS = [
    {"parent": "Foo Corp", "ownership": {"independent": True}},
    {"dpf_certified": True, "dpf": {"status": "active", "checked": "2026-01-05"}},
    {
        "processing_countries": ["US"],
        "data_locations": {"processing": ["US"], "storage": [], "selectable_regions": []},
    },
]


def schema_result(row: dict[str, Any]) -> Any:
    try:
        return dict(VendorCreateSchema().load(row))
    except ValidationError as exc:
        return exc.messages


def loader_result(loader: RowLoader, row: dict[str, Any]) -> Any:
    try:
        return loader.load(row)
    except ValidationError as exc:
        return exc.messages


@pytest.mark.parametrize("extra", CONFLICTS)
def test_a_legacy_field_beside_its_block_is_refused_as_the_schema_refuses_it(
    extra: dict[str, Any],
) -> None:
    row = {**BASE, **extra}
    expected = schema_result(row)
    assert isinstance(expected, dict) and set(expected) & set(extra), expected
    loader = RowLoader()
    # Twice: the second time the repeating field's value comes from the loader's memo.
    assert loader_result(loader, row) == expected
    assert loader_result(loader, row) == expected
    # Either field alone still loads as the schema loads it.
    for name, value in extra.items():
        assert loader_result(loader, {**BASE, name: value}) == schema_result({**BASE, name: value})


ids = st.sampled_from(["US", "CN", "de", "XX", "", "analytics_sdk", "identifiers.device"])
rows = st.fixed_dictionaries(
    {"slug": st.sampled_from(["acme", "Bad Slug"]), "name": st.sampled_from(["Acme", ""])},
    optional={
        "hq_country": ids | st.none() | st.booleans(),
        "processing_countries": st.lists(ids, max_size=3) | st.none(),
        "data_categories": st.lists(ids, max_size=3),
        "category": ids | st.none(),
        "dpf_certified": st.booleans() | st.none() | st.just("yes"),
        "parent": st.sampled_from(["Foo Corp", None, ""]),
        "ownership": st.sampled_from([None, {"independent": True}, {"independent": "x"}]),
        "last_verified": st.sampled_from(["2026-01-05", "soon", None]),
        "status": st.sampled_from([{"value": "active"}, {"value": "nope"}, "active"]),
        # The checks across fields (schemas.across_fields_errors): aliases that repeat when
        # case-folded, and a text over the vendor limit.
        "aliases": st.sampled_from([["Acme Ltd", "ACME LTD"], ["Acme Ltd", "Acme"], []]),
        "notes": st.sampled_from(["short", "x" * 10_001, None]),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(rows, min_size=1, max_size=6))
def test_the_loader_loads_every_row_as_the_schema_does(batch: list[dict[str, Any]]) -> None:
    loader = RowLoader()  # one loader for the batch: later rows meet memoised values
    for row in batch:
        assert loader_result(loader, row) == schema_result(row)


def plain_diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    before, after = before or {}, after or {}
    return {
        key: {"before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if key not in SECRET_FIELDS and before.get(key) != after.get(key)
    }


values = st.none() | st.booleans() | st.integers(-2, 2) | st.text(max_size=2) | st.just([])
records = st.dictionaries(st.sampled_from(["a", "b", "z", *sorted(SECRET_FIELDS)]), values)


@settings(max_examples=300, deadline=None)
@given(st.none() | st.just({}) | records, st.none() | records)
def test_diff_matches_the_plain_rule(before: Any, after: Any) -> None:
    assert diff(before, after) == plain_diff(before, after)


def plain_unstorable(value: Any, path: str = "", depth: int = 0) -> tuple[str, str] | None:
    if isinstance(value, str):
        bad = "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value)
        return (path or "_", UNSTORABLE) if bad else None
    if isinstance(value, dict | list):
        if depth >= MAX_JSON_DEPTH:
            return path or "_", f"Nested deeper than {MAX_JSON_DEPTH} levels."
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (found := plain_unstorable(key, where, depth)):
                return found
            if found := plain_unstorable(item, where, depth + 1):
                return found
    return None


texts = st.sampled_from(["", "ok", "é", "a\x00b", "\ud800", "友盟"])
nested = st.recursive(
    texts | st.none() | st.integers(0, 3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=10,
)


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = {"k": [value]}
    return value


@settings(max_examples=500, deadline=None)
@given(nested, st.sampled_from(["", "top"]), st.sampled_from([0, 1, MAX_JSON_DEPTH - 1]))
def test_unstorable_text_matches_the_plain_rule(value: Any, path: str, depth: int) -> None:
    assert unstorable_text(value, path, depth=depth) == plain_unstorable(value, path, depth)


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH // 2 - 1, MAX_JSON_DEPTH // 2, MAX_JSON_DEPTH])
def test_unstorable_text_depth_paths(levels: int) -> None:
    assert unstorable_text(deep(levels)) == plain_unstorable(deep(levels))
