"""What an app makes once, on first use, and keeps in `app.extensions` (its reference data,
its rulebook): `once_per_app(app, key, make)`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar, cast

from flask import Flask

T = TypeVar("T")
_LOCK = threading.RLock()  # re-entrant: making the rulebook makes the reference data


def once_per_app(app: Flask, key: str, make: Callable[[], T]) -> T:
    """`app.extensions[key]`, made by `make()` the first time; threads racing make it once."""
    found = app.extensions.get(key)
    if found is None:
        with _LOCK:
            found = app.extensions.get(key)
            if found is None:
                found = app.extensions[key] = make()
    return cast(T, found)
