"""Where a report's packaged files live and how a report names them (read by rendering and
by the PDF fetcher, which serves nothing else)."""

from __future__ import annotations

from pathlib import Path

REPORTS_DIR = Path(__file__).parent
TEMPLATES_DIR = REPORTS_DIR / "templates"
STATIC_DIR = REPORTS_DIR / "static"
ASSET_SCHEME = "xborder-asset:"
