"""The running app's reference data: the typed Reference of its CATALOG_DIR, loaded once."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from assessments.catalog.reference import Reference, load_reference
from service.extensions import once_per_app

REFERENCE_KEY = "xborder.reference"


def get_reference(app: Flask | None = None) -> Reference:
    """The reference data of the app's catalog directory, loaded on first use and kept in
    app.extensions: the one the engine evaluates with (transfers.services.get_rulebook)."""
    app = app or current_app
    return once_per_app(app, REFERENCE_KEY, lambda: load_reference(Path(app.config["CATALOG_DIR"])))
