"""Configuration: defaults, then XBORDER_-prefixed environment variables, then test_config."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "xborder"


def default_database_url(data_dir: Path) -> str:
    """The embedded SQLite database inside the data directory."""
    return f"sqlite:///{data_dir / 'xborder.sqlite3'}"


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


# name -> (environment variable, parser)
_ENV: dict[str, tuple[str, Any]] = {
    "DATA_DIR": ("XBORDER_DATA_DIR", Path),
    "DATABASE_URL": ("DATABASE_URL", str),
    "SECRET_KEY": ("XBORDER_SECRET_KEY", str),
    "LOAD_CATALOG": ("XBORDER_LOAD_CATALOG", _env_bool),
    "AUTO_MIGRATE": ("XBORDER_AUTO_MIGRATE", _env_bool),
    "RATELIMIT_STORAGE_URI": ("XBORDER_RATELIMIT_STORAGE_URI", str),
    "SESSION_COOKIE_SECURE": ("XBORDER_SESSION_COOKIE_SECURE", _env_bool),
    "LLM_BASE_URL": ("XBORDER_LLM_BASE_URL", str),
    "LLM_MODEL": ("XBORDER_LLM_MODEL", str),
    "LLM_API_KEY": ("XBORDER_LLM_API_KEY", str),
    "ADMIN_EMAIL": ("XBORDER_ADMIN_EMAIL", str),
    "ADMIN_PASSWORD": ("XBORDER_ADMIN_PASSWORD", str),
    "PDF_READ_SECONDS": ("XBORDER_PDF_READ_SECONDS", float),
    "BROKER_URL": ("XBORDER_BROKER_URL", str),
    "JOB_THREADS": ("XBORDER_JOB_THREADS", int),
    "JOB_RETENTION_DAYS": ("XBORDER_JOB_RETENTION_DAYS", int),
    "SMTP_HOST": ("XBORDER_SMTP_HOST", str),
    "SMTP_PORT": ("XBORDER_SMTP_PORT", int),
    "SMTP_USERNAME": ("XBORDER_SMTP_USERNAME", str),
    "SMTP_PASSWORD": ("XBORDER_SMTP_PASSWORD", str),
    "SMTP_STARTTLS": ("XBORDER_SMTP_STARTTLS", _env_bool),
    "MAIL_FROM": ("XBORDER_MAIL_FROM", str),
    "PROXY_FIX": ("XBORDER_PROXY_FIX", str),
}


def load_config(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Build the app configuration from defaults, environment and explicit overrides."""
    env = os.environ if environ is None else environ
    config: dict[str, Any] = {
        "DATA_DIR": DEFAULT_DATA_DIR,
        "DATABASE_URL": None,
        "SECRET_KEY": None,
        "LOAD_CATALOG": True,
        "AUTO_MIGRATE": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LLM_BASE_URL": None,
        "LLM_MODEL": None,
        "LLM_API_KEY": None,
        "LLM_TIMEOUT": 30.0,
        "ADMIN_EMAIL": None,
        "ADMIN_PASSWORD": None,
        # 413 for any request body over 6 MiB (uploads, web forms), and for JSON bodies to the
        # API over MAX_JSON_BODY (1 MiB) unless the view raises its own limit with
        # api.body_limit (the pasted policy scan, the register import job).
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "MAX_JSON_BODY": 1024 * 1024,
        # Reading one uploaded PDF (in a child process) may take this long, then 422.
        "PDF_READ_SECONDS": 1.5,
        # A report download waits this long for its rendering, then 503 (Retry-After).
        "REPORT_RENDER_SECONDS": 60.0,
        # Background jobs: a Redis or RabbitMQ URL; none runs them on threads in this process.
        "BROKER_URL": None,
        "JOB_THREADS": 2,
        # Finished jobs (and their files) older than this are deleted by `jobs cleanup`/`tick`.
        "JOB_RETENTION_DAYS": 30,
        # Notifications by email: none sent without an SMTP host.
        "SMTP_HOST": None,
        "SMTP_PORT": 25,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_STARTTLS": False,
        "MAIL_FROM": "xborder@localhost",
        # Behind N proxies: "1" or "for=1,proto=1,host=1,prefix=0" (werkzeug ProxyFix).
        "PROXY_FIX": None,
        "API_TITLE": "xborder",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
    }
    for key, (var, parse) in _ENV.items():
        if var in env and env[var] != "":
            config[key] = parse(env[var])
    if test_config:
        config.update(test_config)
    config["DATA_DIR"] = Path(config["DATA_DIR"])
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = default_database_url(config["DATA_DIR"])
    return config
