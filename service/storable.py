"""What no database may store: NUL, lone surrogates and JSON nested too deep.

The one check of text from outside: the API runs it on every request's parameters, form
fields and JSON body (`api._check_request_text`), and importers on every value of a file
(`vendors/io/parsing.py`). No web layer here, so a command that imports files loads none.
"""

from __future__ import annotations

from typing import Any

MAX_JSON_DEPTH = 64
UNSTORABLE = "NUL characters and lone surrogates (U+D800-U+DFFF) are not allowed."


def unstorable_text(value: Any, path: str = "", *, depth: int = 0) -> tuple[str, str] | None:
    """The first (path, problem) in a parsed value that no database may store, else None.

    Strings (keys too) with NUL or a lone surrogate (PostgreSQL refuses them, SQLite would keep
    them), and containers nested deeper than MAX_JSON_DEPTH. The one check of request bodies,
    query strings, forms and path parameters (`api._check_request_text`); importers reuse it.
    """
    found = _unstorable(value, depth)
    if found is None:
        return None
    keys, problem = found
    for key in reversed(keys):  # collected innermost first
        path = f"{path}.{key}" if path else key
    return path or "_", problem


def _unstorable(value: Any, depth: int) -> tuple[list[str], str] | None:
    # The path's keys are collected only on the way out of a find: importers walk every
    # string of a file, and almost none is unstorable.
    if isinstance(value, str):
        if "\x00" in value or (not value.isascii() and not _encodable(value)):
            return [], UNSTORABLE
        return None
    if isinstance(value, dict | list):
        if depth >= MAX_JSON_DEPTH:
            return [], f"Nested deeper than {MAX_JSON_DEPTH} levels."
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            found = _unstorable(key, depth) if isinstance(key, str) else None
            if found is None:
                found = _unstorable(item, depth + 1)
            if found is not None:
                found[0].append(str(key))
                return found
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
