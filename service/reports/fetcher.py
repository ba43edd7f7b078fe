"""weasyprint for reports: its import, and a URL fetcher that serves only packaged assets."""

from __future__ import annotations

import mimetypes
import warnings
from typing import Any

from service.reports.assets import ASSET_SCHEME, STATIC_DIR

with warnings.catch_warnings():
    # weasyprint 70 announces on import that a future version will need libharfbuzz-subset0
    # (Debian package); rendering works without it, so the notice must not fail a run.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["HTML", "AssetOnlyFetcher", "FetchRefused"]


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
