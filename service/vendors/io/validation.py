"""Validating an import file's raw rows whole, before anything is written.

Every row goes through the vendor create schema, the reference ids and slug/alias uniqueness
(within the file and against the registry); every problem is reported with its row number,
field and message, and any problem means nothing is written.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import Any, cast

from marshmallow import RAISE, Schema, ValidationError, fields, missing
from marshmallow.decorators import VALIDATES_SCHEMA
from sqlalchemy import select
from sqlmodel import Session, col

from assessments.catalog.reference import Reference
from assessments.catalog.vocabulary import FACT_FIELDS
from service import errors
from service.db import chunks
from service.vendors.io.formats import ImportInvalid, RowError
from service.vendors.models import Vendor
from service.vendors.schemas import VendorCreateSchema, across_fields_errors
from service.vendors.services import alias_keys, check_references, key_owners


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, dict | list):
                yield from _flatten(message, prefix)
            else:
                yield prefix or "_row", str(message)
    else:
        yield prefix or "_row", str(messages)


# Fields whose values repeat across a file (ids, countries, flags, status blocks): each
# distinct value is loaded once per import and the result reused. Every catalog fact field
# but those each vendor has its own of, plus last_verified.
_PER_VENDOR = frozenset({"name", "aliases", "description", "parent", "legal_entities", "sdk"})
_REPEATING_FIELDS = (
    *(n for n in VendorCreateSchema().fields if n in FACT_FIELDS - _PER_VENDOR),
    "last_verified",
)
_SCALARS = (str, bool, type(None))
_MISSING = object()


def _plain_key(value: Any) -> Hashable | None:
    """A hashable key for a string, boolean or null, or a list/dict of them; else None."""
    if isinstance(value, _SCALARS):
        return (type(value), value)
    if isinstance(value, list) and all(isinstance(v, _SCALARS) for v in value):
        return (list, *((type(v), v) for v in value))
    if isinstance(value, dict) and all(isinstance(v, _SCALARS) for v in value.values()):
        return (dict, *((k, type(v), v) for k, v in value.items()))
    return None


class _RestSchema(VendorCreateSchema):
    """The create schema for the fields the loader neither memoises nor checks itself, without
    the checks across fields: RowLoader runs them (across_fields_errors) on the merged row."""

    def _across_fields(self, data: dict[str, Any], **_kwargs: Any) -> None:
        return None


def _hooks(schema: type[Schema]) -> set[tuple[str, str]]:
    """The (method name, hook kind) pairs a schema class declares: the marks marshmallow's
    decorators (pre_load, validates_schema, ...) leave on a method (`MarshmallowHook`)."""
    found: set[tuple[str, str]] = set()
    for name in dir(schema):
        marks = getattr(getattr(schema, name, None), "__marshmallow_hook__", None)
        found.update((name, tag) for tag in marks or ())
    return found


# The create schema's one hook, which RowLoader reproduces by calling across_fields_errors.
_KNOWN_HOOKS = {("_across_fields", VALIDATES_SCHEMA)}


class _Refused(Exception):
    """A value the plain check does not pass: the schema loads the row and says why."""


Check = Callable[[Any], Any]


def plain_check(field: fields.Field[Any]) -> Check | None:
    """A function that returns what `field.deserialize(value)` returns for the values it
    passes, and raises for every other (`_Refused`, or the field's own validator's error);
    None for a field it cannot mirror.

    Only the shapes whose marshmallow semantics are short: a `String` (exactly: a `str`, or
    None where allowed), a `List` of those, a `Nested` strict schema of those (required
    fields, defaults, unknown keys refused). The field's own validator objects decide; a
    field or schema with load hooks, `data_key`, `attribute` or field-level validator methods
    is left to marshmallow. It only ever says yes where the field says yes with the same
    value (tests/service/test_import_fast_paths.py holds it to `deserialize` on random values).
    """
    if field.pre_load or field.post_load or field.data_key is not None or field.attribute:
        return None
    validators = tuple(field.validators)
    allow_none = bool(field.allow_none)
    kind = type(field)
    if kind is fields.String:

        def check_string(value: Any) -> Any:
            if type(value) is not str:
                if value is None and allow_none:
                    return None
                raise _Refused
            for validator in validators:
                validator(value)
            return value

        return check_string
    if kind is fields.List:
        inner = plain_check(cast(fields.List[Any], field).inner)
        if inner is None:
            return None

        def check_list(value: Any) -> Any:
            if type(value) is not list:
                if value is None and allow_none:
                    return None
                raise _Refused
            loaded = [inner(item) for item in value]
            for validator in validators:
                validator(loaded)
            return loaded

        return check_list
    if kind is fields.Nested:
        return _nested_check(cast(fields.Nested, field), validators, allow_none)
    return None


def _nested_check(
    field: fields.Nested, validators: tuple[Any, ...], allow_none: bool
) -> Check | None:
    schema = field.schema
    if field.many or schema.many or field.unknown is not None or schema.unknown != RAISE:
        return None
    if _hooks(type(schema)) or schema.partial:
        return None  # load or validation hooks of its own: marshmallow's job
    parts: list[tuple[str, Check, bool, Any]] = []
    for name, sub in schema.load_fields.items():
        check = plain_check(sub)
        if check is None or sub.data_key is not None:
            return None
        parts.append((name, check, bool(sub.required), sub.load_default))
    known = frozenset(name for name, *_ in parts)

    def check_nested(value: Any) -> Any:
        if type(value) is not dict:
            if value is None and allow_none:
                return None
            raise _Refused
        if not known.issuperset(value):
            raise _Refused  # an unknown key
        loaded: dict[str, Any] = {}
        for name, check, required, default in parts:
            raw = value.get(name, missing)
            if raw is missing:
                if required:
                    raise _Refused
                if default is not missing:
                    loaded[name] = default() if callable(default) else default
                continue
            loaded[name] = check(raw)
        for validator in validators:
            validator(loaded)
        return loaded

    return check_nested


class RowLoader:
    """Loads rows as VendorCreateSchema does, without marshmallow's per-field work where it
    can be skipped.

    - Each distinct plain value of a repeating field (ids, countries, flags, status blocks)
      is loaded once, through a schema of that one field, and remembered: none of those
      fields' own checks reads the rest of the row, so a value that loaded cleanly gives the
      same result again.
    - The fields each vendor has its own of (slug, name, aliases, description, legal
      entities, ...) go through `plain_check`, made from the schema's own fields and
      validators, when their shape allows.
    - The rest of the row goes through the schema without those fields.
    - The checks across fields (`schemas.across_fields_errors`, which the schema's one
      `validates_schema` hook calls: sizes, repeated aliases, a legacy field beside its
      block) run on the merged row. A schema with any other hook is not mirrored: every
      row then goes through the whole schema.

    A row that fails any of these is loaded again through the whole schema, so that its
    messages are exactly the schema's. Results are copied, never shared between rows.
    """

    def __init__(self) -> None:
        self._whole = VendorCreateSchema()
        self._order = tuple(self._whole.fields)
        # Another hook (a new validator, a load hook) and every row goes through the schema.
        self._fast = _hooks(VendorCreateSchema) == _KNOWN_HOOKS
        self._checks: dict[str, Check] = {}
        for name, field in self._whole.load_fields.items():
            # A field with a default goes with the rest: a row without it gets the default.
            if name not in _REPEATING_FIELDS and field.load_default is missing:
                check = plain_check(field)
                if check is not None:
                    self._checks[name] = check
        self._required = tuple(
            name for name in self._checks if self._whole.load_fields[name].required
        )
        self._rest = _RestSchema(exclude=(*_REPEATING_FIELDS, *self._checks))
        # Whether the rest of a row with none of its fields loads as {} (nothing required,
        # no defaults), so that it need not be loaded at all.
        self._rest_of_nothing = not any(
            f.required or f.load_default is not missing for f in self._rest.load_fields.values()
        )
        self._single = {name: VendorCreateSchema(only=(name,)) for name in _REPEATING_FIELDS}
        self._loaded: dict[Hashable, Any] = {}

    def _load_value(self, name: str, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS:  # str, bool, None: hashable as they are
            key: Hashable | None = (name, kind, value)
        elif kind is list and all(type(v) is str for v in value):  # the usual id lists
            key = (name, list, tuple(value))
        else:
            key = _plain_key(value)
            key = None if key is None else (name, key)
        if key is None:
            return self._single[name].load({name: value})[name]
        loaded = self._loaded.get(key, _MISSING)
        if loaded is _MISSING:
            loaded = self._loaded[key] = self._single[name].load({name: value})[name]
        # Lists and dicts are copied so rows never share them; strings, dates, flags are
        # immutable and shared as they are.
        kind = type(loaded)
        if kind is list:
            return list(loaded)
        return copy.copy(loaded) if isinstance(loaded, list | dict) else loaded

    def load(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The row as the create schema loads it; ValidationError as the schema raises it."""
        if not self._fast:
            return dict(self._whole.load(raw))
        loaded: dict[str, Any] = {}
        rest: dict[str, Any] = {}
        checks = self._checks
        try:
            for name, value in raw.items():
                if name in self._single:
                    loaded[name] = self._load_value(name, value)
                elif name in checks:
                    loaded[name] = checks[name](value)
                else:
                    rest[name] = value
            for name in self._required:
                if name not in raw:
                    raise _Refused
            if rest or not self._rest_of_nothing:
                loaded.update(self._rest.load(rest))
        except (ValidationError, _Refused):
            return dict(self._whole.load(raw))  # raises with the schema's messages
        if across_fields_errors(loaded):
            return dict(self._whole.load(raw))  # raises with the schema's message
        return {name: loaded[name] for name in self._order if name in loaded}


def validate_rows(
    *,
    session: Session,
    rows: Sequence[Any],
    reference: Reference,
    problems: Sequence[RowError] = (),
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """Validated records for every row, or ImportInvalid listing every bad row."""
    loader = RowLoader()
    found = list(problems)
    unreadable: dict[int, set[str]] = {}
    for problem in found:
        unreadable.setdefault(problem.row, set()).add(problem.field)
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    first_row_of: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        if progress is not None:
            progress(1)
        if not isinstance(raw, dict):
            found.append(RowError(number, "_row", "Expected an object with vendor fields."))
            continue
        skip = unreadable.get(number, set())
        try:
            record = loader.load({k: v for k, v in raw.items() if k not in skip} if skip else raw)
        except ValidationError as exc:
            found.extend(RowError(number, f, m) for f, m in _flatten(exc.messages))
            continue
        if skip:
            continue  # its unreadable cells are reported already
        try:
            check_references(record, reference)
        except errors.ValidationFailed as exc:
            found.extend(RowError(number, f, m) for f, m in _flatten(exc.errors))
            continue
        if record["slug"] in first_row_of:
            found.append(
                RowError(number, "slug", f"Repeats the slug of row {first_row_of[record['slug']]}.")
            )
            continue
        first_row_of[record["slug"]] = number
        records.append(record)
        numbers.append(number)
    found.extend(_alias_clashes(session, records, numbers))
    if found:
        raise ImportInvalid(sorted(found, key=lambda p: (p.row, p.field)))
    return records


def _alias_clashes(
    session: Session, records: Sequence[Mapping[str, Any]], numbers: Sequence[int]
) -> list[RowError]:
    """Names/aliases that would belong to two vendors once the file is applied."""
    in_file = {r["slug"] for r in records}
    current = _current_names(
        session, [r["slug"] for r in records if "name" not in r or "aliases" not in r]
    )
    holder: dict[str, tuple[str, int]] = {}
    wanted: dict[str, list[tuple[int, str, str]]] = {}
    problems: list[RowError] = []
    for record, number in zip(records, numbers, strict=True):
        name, aliases = current.get(record["slug"], (None, []))
        name = record.get("name", name) or record["slug"]
        keys = alias_keys(name, record.get("aliases", aliases))
        for key, (alias, is_name) in keys.items():
            field_name = "name" if is_name else "aliases"
            other = holder.setdefault(key, (record["slug"], number))
            if other[0] != record["slug"]:
                problems.append(
                    RowError(
                        number,
                        field_name,
                        f"'{alias}' is also a name or alias of row {other[1]} ({other[0]}).",
                    )
                )
            wanted.setdefault(key, []).append((number, field_name, alias))
    for key, owner in key_owners(session, wanted).items():
        if owner in in_file:
            continue  # that vendor's names come from the file, checked above
        for number, field_name, alias in wanted[key]:
            problems.append(
                RowError(number, field_name, f"'{alias}' already belongs to vendor '{owner}'.")
            )
    return problems


def _current_names(session: Session, slugs: Sequence[str]) -> dict[str, tuple[str, list[str]]]:
    names: dict[str, tuple[str, list[str]]] = {}
    for part in chunks(slugs):
        rows = session.execute(
            select(col(Vendor.slug), col(Vendor.name), col(Vendor.aliases)).where(
                col(Vendor.slug).in_(part)
            )
        )
        names.update({str(s): (str(n), list(a)) for s, n, a in rows})
    return names
