"""The one choice of YAML loader: libyaml's safe loader where PyYAML was built with it.

It builds the same data as yaml.SafeLoader (same constructors; only the scanner and parser
are C) at about a tenth of the cost, which is most of a cold `xborder assess`: the rule files
and the reference data are read on every start. Files a user gives (`assess FILE`,
`activities create FILE`) go through `safe_load_user`, whose errors quote the faulty line.
"""

from __future__ import annotations

from typing import Any

import yaml

SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes) -> Any:
    """yaml.safe_load through SAFE_LOADER."""
    return yaml.load(stream, Loader=SAFE_LOADER)  # a safe loader


def safe_load_user(text: str) -> Any:
    """safe_load of a user's file; on bad YAML the yaml.YAMLError of PyYAML's own loader.

    libyaml's errors give only a line and column; the Python loader's also quote the line
    with a caret under the fault, so a text libyaml refuses is parsed again for its message
    (only on failure: a good file is parsed once, by libyaml).
    """
    try:
        return safe_load(text)
    except yaml.YAMLError:
        yaml.load(text, Loader=yaml.SafeLoader)  # a safe loader; raises the quoting error
        raise  # the Python loader took what libyaml refused: libyaml's error stands
