"""The import's shortcuts, each against what it stands in for: `validation.plain_check` against
marshmallow's own `deserialize`, `RowLoader` against the create schema on rows with every kind
of per-vendor field, `db.insert_rows`/`copy_rows` against a Core insert, and `name_key`,
`jsonable` and `oversized` against the plain statements of their rules."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Boolean, Column, Date, Integer, MetaData, String, Table, insert
from sqlmodel import Session

from assessments.catalog.names import name_key
from assessments.catalog.vendors import LegalEntitySchema, SdkSchema
from service.db import copy_rows, insert_rows, make_engine
from service.models import JSONType, UTCDateTime, jsonable
from service.vendors.io.validation import RowLoader, plain_check
from service.vendors.schemas import (
    MAX_LIST_ITEMS,
    MAX_TEXT_CHARS,
    VendorCreateSchema,
    oversized,
)
from tests.helpers import plain_oversized

# ---- plain_check against Field.deserialize --------------------------------------------------


class Toy(Schema):
    """Shapes the vendor schemas use, and some they do not (yet)."""

    required = fields.String(required=True, validate=validate.Length(2, 5))
    defaulted = fields.String(load_default="d", validate=validate.OneOf(["d", "e"]))
    nullable = fields.String(load_default=None, allow_none=True)
    strict = fields.String(allow_none=False)
    words = fields.List(fields.String(validate=validate.Length(1, 3)), load_default=list)
    bounded = fields.List(fields.String(), validate=validate.Length(max=2), allow_none=True)

    class Meta:
        unknown = "raise"


class Lenient(Schema):
    name = fields.String()

    class Meta:
        unknown = "exclude"


FIELDS: dict[str, fields.Field[Any]] = {
    **{f"vendor.{n}": f for n, f in VendorCreateSchema().load_fields.items()},
    **{f"entity.{n}": f for n, f in LegalEntitySchema().load_fields.items()},
    **{f"sdk.{n}": f for n, f in SdkSchema().load_fields.items()},
    **{f"toy.{n}": f for n, f in Toy().load_fields.items()},
    "nested toy": fields.Nested(Toy),
    "nested toy or null": fields.Nested(Toy, allow_none=True),
    "list of toys": fields.List(fields.Nested(Toy)),
    "lenient nested": fields.Nested(Lenient),
    "bytes string": fields.String(),
}
CHECKS = {name: check for name, f in FIELDS.items() if (check := plain_check(f)) is not None}

scalars = (
    st.sampled_from(
        ["", "a", "ab", "abc", "abcdef", "d", "e", "US", "de", "XX", "hq", "nope", b"ab", 3, True]
    )
    | st.none()
)
entities = st.fixed_dictionaries(
    {},
    optional={
        "name": st.sampled_from(["Acme Ltd", "A", "", None, 7]),
        "country": st.sampled_from(["US", "de", "XX", None, 1]),
        "role": st.sampled_from(["hq", "contracting", "nope", None]),
        "address": st.sampled_from(["1 Road", None, 2]),
        "note": st.sampled_from(["n", None]),
        "bogus": st.just(1),
    },
)
toys = st.fixed_dictionaries(
    {},
    optional={
        "required": scalars,
        "defaulted": scalars,
        "nullable": scalars,
        "strict": scalars,
        "words": st.lists(scalars, max_size=3) | scalars,
        "bounded": st.lists(scalars, max_size=3) | st.none(),
        "name": scalars,
        "bogus": st.just(1),
    },
)
values = st.recursive(
    scalars | entities | toys,
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner),
    max_leaves=6,
)


def deserialized(field: fields.Field[Any], value: Any) -> tuple[bool, Any]:
    try:
        return True, field.deserialize(value)
    except ValidationError as exc:
        return False, exc.messages


def test_the_fields_each_vendor_has_its_own_of_get_a_plain_check() -> None:
    for name in ("slug", "name", "aliases", "description", "legal_entities", "parent", "sdk"):
        assert f"vendor.{name}" in CHECKS
    # Shapes it cannot mirror are left to marshmallow.
    for name in ("vendor.hq_country", "vendor.urls", "vendor.sources", "lenient nested"):
        assert name not in CHECKS


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(sorted(CHECKS)), values)
def test_a_value_the_plain_check_passes_loads_to_the_same_value(name: str, value: Any) -> None:
    ok, expected = deserialized(FIELDS[name], value)
    try:
        got = CHECKS[name](value)
    except Exception:  # refused: the loader hands the row to the schema
        return
    assert ok, (name, value, expected)
    assert got == expected and repr(got) == repr(expected)  # same keys, order and types


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("vendor.slug", "acme-2"),
        ("vendor.aliases", ["A", "b"]),
        ("vendor.description", None),
        ("vendor.legal_entities", [{"name": "Acme Ltd", "role": "hq", "country": "DE"}]),
        ("vendor.sdk", {"domains": ["x.com"]}),
        ("nested toy", {"required": "abc"}),
    ],
)
def test_the_usual_values_pass_the_plain_check(name: str, value: Any) -> None:
    assert CHECKS[name](value) == FIELDS[name].deserialize(value)


# ---- RowLoader against the schema, per-vendor fields ----------------------------------------

texts = st.sampled_from(["", "A", "Acme", "acme", "x" * 201, "x" * (MAX_TEXT_CHARS + 1)])
# Rows that are mostly valid, each with up to two fields from the edge cases below, so that
# both the loader's plain path and its fallbacks are met (and a row's only fault can be one
# only the checks across fields find: repeated aliases, a size, a legacy field).
valid = st.fixed_dictionaries(
    {"slug": st.sampled_from(["acme", "acme-2"]), "name": st.sampled_from(["Acme", "Ac"])},
    optional={
        "aliases": st.sampled_from([[], ["Acme Ltd"], ["A", "B"]]),
        "description": st.sampled_from([None, "", "About Acme."]),
        "parent": st.sampled_from([None, "Acme Group"]),
        "notes": st.sampled_from([None, "n"]),
        "legal_entities": st.lists(
            st.fixed_dictionaries(
                {"name": st.just("Acme Ltd"), "role": st.just("hq")},
                optional={"country": st.sampled_from(["US", None]), "note": st.just("n")},
            ),
            max_size=2,
        ),
        "sdk": st.sampled_from([None, {}, {"domains": ["a.com"]}]),
        "hq_country": st.sampled_from(["US", "de"]),
        "status": st.just({"value": "active"}),
    },
)
edges = st.dictionaries(
    st.sampled_from(
        [
            *("slug", "name", "aliases", "description", "parent", "notes", "legal_entities"),
            *("sdk", "sources", "ownership", "hq_country", "status", "bogus"),
        ]
    ),
    st.sampled_from(["acme", "a", "Bad Slug", "x" * 101, 5, None, "Acme", ("A", "B")])
    | texts
    | st.sampled_from(
        [
            ["A", "a"],
            [f"a{i}" for i in range(MAX_LIST_ITEMS + 1)],
            ["x" * 201],
            [""],
            "x" * 5001,
            [{"name": "A", "role": "hq"}],
            [{"name": "Acme", "role": "nope"}],
            [{"name": "Acme", "role": "hq", "bogus": 1}],
            [{"name": "Acme", "role": "hq", "country": "de"}],
            [{"name": "Acme"}],
            ["Acme"],
            {"domains": [""]},
            {"x": 1},
            {"domains": "a"},
            [],
            [{"url": "https://a.example"}],
            {"independent": True},
            {"value": "nope"},
        ]
    ),
    max_size=2,
)
rows = st.builds(lambda base, edge: {**base, **edge}, valid, edges)


def schema_result(row: dict[str, Any]) -> Any:
    try:
        return True, dict(VendorCreateSchema().load(row))
    except ValidationError as exc:
        return False, exc.messages


def loader_result(loader: RowLoader, row: dict[str, Any]) -> Any:
    try:
        return True, loader.load(row)
    except ValidationError as exc:
        return False, exc.messages


@settings(max_examples=600, deadline=None)
@given(st.lists(rows, min_size=1, max_size=5))
def test_the_loader_loads_per_vendor_fields_as_the_schema_does(batch: list[dict[str, Any]]) -> None:
    loader = RowLoader()
    for row in batch:
        got, expected = loader_result(loader, row), schema_result(row)
        assert got == expected and repr(got) == repr(expected)


def test_a_valid_row_loads_without_sharing_its_lists() -> None:
    loader = RowLoader()
    row = {
        "slug": "acme",
        "name": "Acme",
        "aliases": ["A"],
        "legal_entities": [{"name": "Ac", "role": "hq"}],
    }
    first, second = loader.load(row), loader.load(row)
    assert first == second == schema_result(row)[1]
    assert first["aliases"] is not row["aliases"] and first["aliases"] is not second["aliases"]


# ---- insert_rows / copy_rows against a Core insert ------------------------------------------

metadata = MetaData()
sample = Table(
    "sample",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String),
    Column("flag", Boolean),
    Column("day", Date),
    Column("at", UTCDateTime),
    Column("doc", JSONType),
)
NOW = datetime(2026, 12, 5, 23, 0, tzinfo=UTC)
shared_list = ["a", "b"]
docs = st.sampled_from([[], {}, shared_list, {"k": [1, "é"]}, None, ["x"], {"a": None}])
sample_rows = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["a", "友盟", None]),
            "flag": st.sampled_from([True, False, None]),
            "day": st.sampled_from([date(2026, 1, 5), None]),
            "at": st.sampled_from([NOW, datetime(2025, 1, 1, tzinfo=UTC)]),
            "doc": docs | st.builds(list, st.lists(st.integers(0, 2), max_size=2)),
        }
    ),
    min_size=1,
    max_size=8,
)


def stored(session: Session) -> list[tuple[Any, ...]]:
    result = session.connection().exec_driver_sql("SELECT * FROM sample ORDER BY id")
    return [tuple(r) for r in result]


@settings(max_examples=200, deadline=None)
@given(sample_rows)
def test_insert_rows_stores_what_a_core_insert_stores(batch: list[dict[str, Any]]) -> None:
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(insert(sample), batch)
        expected = stored(session)
        session.connection().exec_driver_sql("DELETE FROM sample")
        insert_rows(session, sample, batch)
        assert stored(session) == expected
    engine.dispose()


def test_copy_rows_takes_columns_in_any_order() -> None:
    engine = make_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        copy_rows(session, sample, ("flag", "name", "id"), [(True, "a", 1), (False, "b", 2)])
        assert stored(session) == [(1, "a", 1, None, None, None), (2, "b", 0, None, None, None)]
    engine.dispose()


# ---- plain rules ----------------------------------------------------------------------------


def plain_name_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


@settings(max_examples=1000, deadline=None)
@given(st.text() | st.text(st.characters(max_codepoint=127)))
def test_name_key_matches_the_plain_rule(text: str) -> None:
    assert name_key(text) == plain_name_key(text)


def plain_jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_jsonable(v) for v in value]
    return value


leaves = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2)
    | st.floats(allow_nan=False)
    | st.text(max_size=2)
    | st.just(date(2026, 1, 5))
    | st.just(NOW)
)
trees = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=1), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=500, deadline=None)
@given(trees)
def test_jsonable_matches_the_plain_rule(value: Any) -> None:
    got, expected = jsonable(value), plain_jsonable(value)
    assert got == expected and repr(got) == repr(expected)


big = st.sampled_from(["x" * MAX_TEXT_CHARS, "x" * (MAX_TEXT_CHARS + 1)])
sized = st.recursive(
    leaves | big,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.builds(lambda n: ("x",) * n, st.sampled_from([MAX_LIST_ITEMS, MAX_LIST_ITEMS + 1]))
        | st.dictionaries(st.sampled_from(["", "a", 1]), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=500, deadline=None)
@given(sized, st.sampled_from(["", "top"]))
def test_oversized_skips_scalars_as_the_plain_rule_does(value: Any, path: str) -> None:
    assert oversized(value, path) == plain_oversized(value, path)
