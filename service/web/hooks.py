"""Wire the web UI into the app: its blueprint, its static assets and its security headers."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Scripts and styles only from this site: no inline script, no on* handlers, no CDN.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def security_headers(response: Response) -> Response:
    """Add the UI's security headers to pages and static assets."""
    if request.blueprint == "web" or request.endpoint == "static":
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.blueprint == "web":
            response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register the UI blueprint; the app's /static serves the UI's hand-written assets."""
    from service.web import pages  # noqa: F401  (registers the routes on the blueprint)
    from service.web.blueprint import web

    # The app's own `static` route (public, listed in the authorization matrix) serves
    # service/web/static; nothing else in the app has static files.
    app.static_folder = str(STATIC_DIR)
    app.register_blueprint(web)
    app.after_request(security_headers)
