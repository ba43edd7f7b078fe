"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from service.auth.permissions import allow_public
from service.db import get_engine, migrations_at_head

blp = Blueprint("health", __name__)


@blp.get("/healthz")
@allow_public
def healthz() -> Response:
    """The process is up."""
    return jsonify(status="ok")


@blp.get("/readyz")
@allow_public
def readyz() -> tuple[Response, int]:
    """The database answers and its schema is at the newest migration."""
    try:
        ready = migrations_at_head(get_engine())
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        current_app.logger.warning("readiness check failed: %s", exc)
        return jsonify(status="unavailable", database="unreachable"), 503
    if not ready:
        return jsonify(status="unavailable", database="migrations pending"), 503
    return jsonify(status="ok", database="ok"), 200
