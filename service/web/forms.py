"""HTML forms <-> the API's JSON shapes: field names are dotted paths into the JSON body.

A form field named `transfer.data_subjects.0.count` fills that place in the body the API's
marshmallow schema loads, so the schema's (and the services') field errors, flattened to
the same dotted paths, land next to the inputs that caused them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict

from service import errors

_NUMBER = re.compile(r"^[0-9][0-9,_ ]*$")


@dataclass
class FormState:
    """What a form shows: the values as typed and the errors per field (dotted names)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None

    def value(self, name: str, default: str = "") -> str:
        """The text of a single-valued field."""
        raw = self.values.get(name)
        if raw is None:
            return default
        if isinstance(raw, list):
            return ", ".join(str(v) for v in raw)
        if isinstance(raw, bool):
            return "yes" if raw else "no"
        return str(raw)

    def chosen(self, name: str) -> set[str]:
        """The options picked in a multi-valued field (checkboxes)."""
        raw = self.values.get(name)
        if raw is None:
            return set()
        if isinstance(raw, list | tuple | set):
            return {str(v) for v in raw}
        return {str(raw)}

    def checked(self, name: str) -> bool:
        """Whether a single checkbox is ticked."""
        raw = self.values.get(name)
        return raw is True or raw in ("on", "true", "yes", "1")

    def error(self, name: str, *, nested: bool = False) -> list[str]:
        """The messages for one field (and, with nested, for the fields under it)."""
        return [
            message
            for key, messages in self.errors.items()
            if key == name or (nested and key.startswith(name + "."))
            for message in messages
        ]

    def unplaced(self, names: Iterable[str]) -> dict[str, list[str]]:
        """Errors of fields the form has no input for (shown in the summary only)."""
        known = set(names)
        return {
            key: messages
            for key, messages in self.errors.items()
            if not any(key == n or key.startswith(n + ".") for n in known)
        }

    @property
    def failed(self) -> bool:
        """Whether there is anything to correct."""
        return bool(self.errors or self.message)


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow/problem+json field errors as {dotted.path: [message, ...]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix and key != "_schema" else (prefix or str(key))
            for sub, texts in flatten_errors(value, name).items():
                flat.setdefault(sub, []).extend(texts)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            flat.setdefault(prefix or "_form", []).extend(messages)
        else:
            for item in messages:
                for sub, texts in flatten_errors(item, prefix).items():
                    flat.setdefault(sub, []).extend(texts)
    elif messages is not None:
        flat.setdefault(prefix or "_form", []).append(str(messages))
    return flat


def state_from_error(
    values: Mapping[str, Any], error: errors.DomainError, *, stale: str | None = None
) -> FormState:
    """A form to show again: what the user typed, and the service's message and field errors;
    `stale` is the page's message for a stale write (412) in place of the service's."""
    message = error.detail
    if stale is not None and isinstance(error, errors.PreconditionFailed):
        message = stale
    return FormState(dict(values), flatten_errors(error.errors or {}), message)


def check_etag(sent: str | None, current: str, stale: str) -> None:
    """412 with the page's `stale` message when the form's etag is not the record's current
    ETag: the page was made from an older version of the record."""
    if sent != current:
        raise errors.PreconditionFailed(stale)


def etag_check(form: Mapping[str, str], stale: str, name: str = "etag") -> Callable[[str], None]:
    """The version check a page hands `act_on_review` or `act_on_assessment`: the form's
    `name` field against the current ETag (check_etag)."""

    def check(current: str) -> None:
        check_etag(form.get(name), current, stale)

    return check


def load(schema: Schema, data: Mapping[str, Any]) -> dict[str, Any]:
    """Load a body with the API's schema; its field errors become a 422 like the API's."""
    try:
        loaded: dict[str, Any] = schema.load(dict(data))
    except ValidationError as exc:
        raise errors.ValidationFailed(
            "Some fields need attention; see below.",
            errors=exc.normalized_messages(),  # type: ignore[no-untyped-call]
        ) from exc
    return loaded


def raw_values(form: MultiDict[str, str], multi: Iterable[str] = ()) -> dict[str, Any]:
    """The submitted form as typed (multi-valued names as lists), without the CSRF token."""
    many = set(multi)
    values: dict[str, Any] = {}
    for name in form:
        if name == "csrf_token":
            continue
        values[name] = form.getlist(name) if name in many else form.get(name, "")
    return values


def text(value: Any, *, blank: Any = ...) -> Any:
    """A stripped string; blank input becomes `blank` (... = leave the field out)."""
    stripped = str(value or "").strip()
    return stripped if stripped else blank


def integer(value: Any) -> Any:
    """Digits (with , _ or spaces between groups) as an int; anything else as typed."""
    stripped = str(value or "").strip()
    if _NUMBER.match(stripped):
        return int(re.sub(r"[,_ ]", "", stripped))
    return stripped if stripped else ...


def tristate(value: Any) -> Any:
    """'yes' / 'no' / '' (unknown) as True / False / None."""
    return {"yes": True, "no": False}.get(str(value or ""))


def lines(value: Any) -> list[str]:
    """One entry per line of a textarea."""
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def words(value: Any) -> list[str]:
    """Entries separated by commas, spaces or new lines."""
    return [part for part in re.split(r"[\s,;]+", str(value or "")) if part]


def put(target: dict[str, Any], path: str, value: Any) -> None:
    """Set a dotted path in a nested dict; `...` means leave it out."""
    if value is ...:
        return
    keys = path.split(".")
    node = target
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def rows(form: Mapping[str, Any], prefix: str, fields: Iterable[str]) -> list[dict[str, Any]]:
    """Repeated rows named `prefix.N.field`, in order, blank rows dropped."""
    names = list(fields)
    indices = sorted(
        {
            int(key[len(prefix) + 1 :].split(".", 1)[0])
            for key in form
            if key.startswith(prefix + ".") and key[len(prefix) + 1 :].split(".", 1)[0].isdigit()
        }
    )
    found = []
    for index in indices:
        row = {name: form.get(f"{prefix}.{index}.{name}", "") for name in names}
        if any(str(v).strip() for v in row.values() if v not in (None, "")):
            found.append(row)
    return found


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON value as {dotted.path: leaf}; lists of scalars stay lists, lists of objects expand."""
    flat: dict[str, Any] = {}
    if isinstance(data, Mapping):
        for key, value in data.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and any(isinstance(item, Mapping) for item in data):
        for index, item in enumerate(data):
            flat.update(flatten(item, f"{prefix}.{index}"))
    else:
        flat[prefix] = data
    return flat
