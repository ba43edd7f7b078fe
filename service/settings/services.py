"""Reading and changing workflow settings: keyword-only, flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from service import errors
from service.audit.services import record_event
from service.db import flush
from service.models import utcnow
from service.settings.models import Setting


@dataclass(frozen=True)
class Declared:
    """A setting the service knows: its type, default and what it does."""

    kind: type
    default: Any
    description: str


SETTINGS: dict[str, Declared] = {
    "four_eyes_relaxed": Declared(
        bool,
        False,
        "When true, whoever sent an assessment to review may also approve it (four eyes off).",
    ),
}


@dataclass(frozen=True)
class SettingView:
    """A setting as the API shows it."""

    key: str
    value: Any
    default: Any
    description: str
    updated_by: str | None
    updated_at: datetime | None


def _declared(key: str) -> Declared:
    if key not in SETTINGS:
        raise errors.NotFound(f"No setting '{key}'. Settings: {', '.join(SETTINGS)}.")
    return SETTINGS[key]


def get_setting(*, session: Session, key: str) -> Any:
    """A setting's value (its default until an admin sets it)."""
    declared = _declared(key)
    row = session.get(Setting, key)
    return declared.default if row is None else row.value


def view_setting(*, session: Session, key: str) -> SettingView:
    """A setting with its default, description and who last changed it."""
    declared = _declared(key)
    row = session.get(Setting, key)
    return SettingView(
        key,
        declared.default if row is None else row.value,
        declared.default,
        declared.description,
        None if row is None else row.updated_by,
        None if row is None else row.updated_at,
    )


def list_settings(*, session: Session) -> list[SettingView]:
    """Every setting the service knows."""
    return [view_setting(session=session, key=key) for key in SETTINGS]


def set_setting(*, session: Session, key: str, value: Any, actor: str) -> SettingView:
    """Change a setting (422 for a value of the wrong type); audited."""
    declared = _declared(key)
    if type(value) is not declared.kind:
        raise errors.ValidationFailed(
            f"The setting '{key}' takes a {declared.kind.__name__}.",
            errors={"value": [f"Give a {declared.kind.__name__}."]},
        )
    before = get_setting(session=session, key=key)
    row = session.get(Setting, key)
    if row is None:
        row = Setting(key=key, value=value, updated_by=actor)
    row.value, row.updated_by, row.updated_at = value, actor, utcnow()
    session.add(row)
    if before != value:
        record_event(
            session=session,
            action="update",
            object_type="setting",
            object_id=key,
            before={"value": before},
            after={"value": value},
        )
    flush(session, "setting")
    return view_setting(session=session, key=key)
