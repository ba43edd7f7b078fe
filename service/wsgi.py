"""Serving with gunicorn: migrate and load the catalog once, then fork workers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornApp(BaseApplication):  # type: ignore[misc]
    """gunicorn running xborder; each worker builds its own app (no shared connections)."""

    def __init__(
        self, *, host: str, port: int, workers: int, threads: int = 4, **options: Any
    ) -> None:
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            # Threads, so that a request waiting on a slow child (a PDF being read) or the
            # database does not hold the whole worker: /healthz keeps answering.
            "worker_class": "gthread",
            "threads": threads,
            "accesslog": "-",
            "timeout": 120,
            **options,
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        # The master already migrated and loaded the catalog when the CLI built its app.
        from service.app import create_app

        # Workers count rate limits apart unless the storage is shared (service/auth/limits.py).
        workers = int(self.options["workers"])
        return create_app(
            {"AUTO_MIGRATE": False, "LOAD_CATALOG": False, "RATELIMIT_PROCESSES": workers}
        )


def app() -> Flask:
    """A WSGI entry point for other servers: `gunicorn 'service.wsgi:app()'`."""
    from service.app import create_app

    return create_app()
