"""The one choice of YAML loader: libyaml's safe loader where PyYAML was built with it.

It builds the same data as yaml.SafeLoader (same constructors; only the scanner and parser
are C) at about a tenth of the cost, which is most of a cold `xborder assess`: the rule files
and the reference data are read on every start.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes) -> Any:
    """yaml.safe_load through SAFE_LOADER."""
    return yaml.load(stream, Loader=SAFE_LOADER)  # a safe loader
