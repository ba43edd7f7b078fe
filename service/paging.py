"""One way to page a list: the service's Page, the paging query arguments and the page schema.

A list service builds its filtered, ordered SELECT and calls `paginate`; its query-argument
schema inherits `PageArgs` (or `LongPageArgs`); its view answers with
`page_schema(ItemSchema, ...)` and `api.page_headers` (Link and X-Total-Count). A ranked
search returns a `RankedPage`: its items as they are, their relevance beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from marshmallow import Schema, ValidationError, fields, post_dump, validate
from sqlalchemy import ColumnElement, Select, UnaryExpression, func, select
from sqlmodel import Session

T = TypeVar("T")
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the total before paging."""

    items: list[T]
    total: int
    page: int
    per_page: int


@dataclass(frozen=True)
class RankedPage(Page[T]):
    """One page of a ranked search: `scores[i]` is the relevance of `items[i]`."""

    scores: Sequence[float]


def count(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    """How many rows a SELECT returns (its ORDER BY dropped)."""
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(session.execute(counted).scalar_one())


def paginate(
    session: Session,
    statement: Select[*tuple[Any, ...]],
    *,
    page: int,
    per_page: int,
    scalars: bool = True,
    wrap: Callable[[Any], T] | None = None,
) -> Page[T]:
    """One page of an ordered SELECT and its total: rows as scalars (the first column's
    object) or tuples, each passed through `wrap` when given."""
    window = statement.offset((page - 1) * per_page).limit(per_page)
    result = session.execute(window)
    rows: list[Any] = list(result.scalars()) if scalars else list(result.all())
    items = [wrap(row) for row in rows] if wrap is not None else rows
    return Page(items, count(session, statement), page, per_page)


class Many(fields.List[Any]):
    """A multi-value query argument: `?x=a&x=b` (or one value, or a list) -> [a, b]."""

    def __init__(self, inner: fields.Field[Any], **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(max=50))
        super().__init__(inner, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        values = value if isinstance(value, list | tuple) else [value]
        try:
            loaded = super()._deserialize(values, attr, data, **kwargs)
        except ValidationError as exc:
            # The messages of the bad values, as a single-valued argument would give them.
            messages = exc.messages
            flat = [
                str(m)
                for part in (messages.values() if isinstance(messages, dict) else [messages])
                for m in (part if isinstance(part, list) else [part])
            ]
            raise ValidationError(list(dict.fromkeys(flat))) from exc
        return list(dict.fromkeys(loaded))


def values_of(args: Mapping[str, Any], name: str) -> list[Any]:
    """A filter's values as a list (a service may be called with one value or several)."""
    value = args.get(name)
    if value is None or value == "" or value == []:
        return []
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def sort_choices(*columns: str) -> tuple[str, ...]:
    """What a list's `sort` argument takes: each column ascending, then descending ("-name")."""
    return tuple(key for column in columns for key in (column, f"-{column}"))


def sort_order(sort: str, columns: Mapping[str, Any]) -> UnaryExpression[Any]:
    """The ORDER BY term of a `sort` value: its column, descending when it starts with "-"."""
    column: ColumnElement[Any] = columns[sort.lstrip("-")]
    return column.desc() if sort.startswith("-") else column.asc()


class PageArgs(Schema):
    """page and per_page (20 by default, at most 100), for a list's query schema to inherit."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class LongPageArgs(Schema):
    """page and per_page (50 by default, at most 200), for the admin's long lists."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class _PageSchema(Schema):
    """What every page schema does: a ranked page's items carry their `score`."""

    @post_dump(pass_original=True)
    def _scores(self, data: dict[str, Any], page: Any, **kwargs: Any) -> dict[str, Any]:
        if isinstance(page, RankedPage):
            for item, score in zip(data["items"], page.scores, strict=True):
                item["score"] = score
        return data


def page_schema(item: type[Schema], name: str, description: str) -> type[Schema]:
    """The schema of one page of `item`s: items, total, page and per_page (and, on a
    `RankedPage`, each item's `score`, which the item schema declares for the spec)."""
    return type(
        name,
        (_PageSchema,),
        {
            "__doc__": description,
            "items": fields.List(fields.Nested(item)),
            "total": fields.Integer(metadata={"description": "matches before paging"}),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
    )
