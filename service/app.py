"""The application factory."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

import vendor_data
from service import config, db, errors
from service.models import MAX_ROW_ID


def _secret_key(data_dir: Path, *, create: bool) -> str:
    """A per-installation secret kept in the data directory, so every worker shares it.

    Without create (CLI commands, which sign no cookies) a missing file is not made: the app
    gets a throw-away key instead.
    """
    path = data_dir / "secret_key"
    if not path.exists():
        if not create:
            return secrets.token_hex(32)
        db.private_dir(data_dir)
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
    return path.read_text().strip()


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` within the id columns' range (PostgreSQL INTEGER); larger ids are 404."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    serve_http: bool = True,
    first_start: bool = True,
) -> Flask:
    """Build the app: config, database, auth, API blueprints, catalog on first start.

    serve_http=False (CLI commands): no HTTP API, web UI or request hooks, so a command does
    not import flask-smorest, the views and their schemas.

    first_start=False (every CLI command but `serve` and `db upgrade`): no side effects, no
    data directory, database file, secret key file, migration, catalog load or first admin.
    """
    app = Flask(__name__)
    app.config.update(config.load_config(test_config))
    app.config.setdefault("CATALOG_DIR", vendor_data.DATA_DIR)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(Path(app.config["DATA_DIR"]), create=first_start)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")

    app.url_map.converters["int"] = BoundedIntConverter
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the catalog's own order
    errors.init_app(app)
    db.init_app(app, first_start=first_start)
    from service.jobs import dispatch

    dispatch.install()  # jobs a transaction submits go to the broker when it commits
    if serve_http:
        _init_http(app)

    if app.config["LOAD_CATALOG"] and first_start:
        # Imported here: the catalog's services pull in the registry's whole write path (name
        # index, scanner), which commands without first-start duties never need.
        from service.catalog import services as catalog

        catalog.load_if_empty(app)
    if not app.config.get("TESTING") and first_start:
        from service.auth.bootstrap import create_first_admin

        create_first_admin(app)  # no user yet: make an admin, print its secrets once
    return app


def _init_http(app: Flask) -> None:
    """Who is calling, the API and its blueprints, health checks, the web UI."""
    from service import api, health
    from service.auth import identity
    from service.web import hooks as web_ui

    if app.config.get("PROXY_FIX"):
        _proxy_fix(app, str(app.config["PROXY_FIX"]))
    identity.init_app(app)
    rest = api.init_app(app)
    app.register_blueprint(health.blp)
    for blueprint in _api_blueprints():
        rest.register_blueprint(blueprint)
    from service import api_examples

    rest.finish_spec(api_examples.apply)  # a real request body for every write
    web_ui.init_app(app)  # the server-rendered UI (service/web): pages, assets, security headers


def _proxy_fix(app: Flask, spec: str) -> None:
    """Trust N proxies' X-Forwarded-* headers: "1" (for, proto, host), or "for=2,proto=1"."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    if spec.strip().isdigit():
        hops = int(spec)
        counts = {"x_for": hops, "x_proto": hops, "x_host": hops}
    else:
        counts = {}
        for part in spec.split(","):
            name, _, value = part.partition("=")
            if name.strip() not in ("for", "proto", "host", "port", "prefix"):
                raise ValueError(f"XBORDER_PROXY_FIX: unknown header {name.strip()!r}")
            counts[f"x_{name.strip()}"] = int(value)
    app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]


def _api_blueprints() -> list[Any]:
    """Every domain's API blueprint; a new domain adds itself here."""
    from service.activities.views import blp as activities
    from service.assistant.views import blp as assistant
    from service.audit.views import blp as audit
    from service.auth.views import auth_blp
    from service.auth.views import blp as users
    from service.catalog.views import blp as vendor_lists
    from service.impact_assessments.views import blp as assessments
    from service.jobs.views import blp as jobs
    from service.lifecycle.views import blp as lifecycle
    from service.lifecycle.views import feeds as calendar_feeds
    from service.notifications.views import blp as notifications
    from service.reference.views import blp as reference
    from service.reviews.views import blp as reviews
    from service.scanner.views import blp as scanner
    from service.settings.views import blp as settings
    from service.transfers.views import blp as transfers
    from service.vendors.io_views import blp as vendor_io
    from service.vendors.views import blp as vendors

    return [
        vendors,
        reference,
        auth_blp,
        users,
        audit,
        vendor_io,
        transfers,
        reviews,
        assessments,
        assistant,
        scanner,
        settings,
        vendor_lists,
        jobs,
        lifecycle,
        calendar_feeds,
        notifications,
        activities,
    ]
