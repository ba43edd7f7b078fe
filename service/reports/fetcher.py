"""A weasyprint URL fetcher that serves this package's static assets and refuses all else."""

from __future__ import annotations

import mimetypes
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

from service.reports.rendering import ASSET_SCHEME, STATIC_DIR


class FetchRefused(ValueError):
    """Raised for any URL that is not one of the report's packaged assets."""


class AssetOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Serves `xborder-asset:NAME` from service/reports/static; no file, http(s) or data URLs."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return a packaged asset, or raise FetchRefused."""
        if not url.startswith(ASSET_SCHEME):
            raise FetchRefused(f"refused to fetch {url[:80]!r}: only packaged assets load")
        name = url.removeprefix(ASSET_SCHEME).lstrip("/")
        path = (STATIC_DIR / name).resolve()
        if not name or STATIC_DIR.resolve() not in path.parents or not path.is_file():
            raise FetchRefused(f"refused to fetch {url[:80]!r}: no such packaged asset")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
