"""The running app's reference data: the typed Reference of its CATALOG_DIR, loaded once."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from assessments.catalog.reference import Reference, load_reference

REFERENCE_KEY = "xborder.reference"
_LOCK = threading.Lock()


def get_reference(app: Flask | None = None) -> Reference:
    """The reference data of the app's catalog directory, loaded on first use and kept in
    app.extensions: the one the engine evaluates with (transfers.services.get_rulebook)."""
    app = app or current_app
    found: Reference | None = app.extensions.get(REFERENCE_KEY)
    if found is None:
        with _LOCK:
            found = app.extensions.get(REFERENCE_KEY)
            if found is None:
                found = load_reference(Path(app.config["CATALOG_DIR"]))
                app.extensions[REFERENCE_KEY] = found
    return found
