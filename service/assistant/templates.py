"""Prompt and answer templates from prompts/, rendered with StrictUndefined from plain values."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from prompts import PROMPTS_DIR


def _join(items: Any, last: str = "and") -> str:
    """Words joined for a sentence: "a", "a and b", "a, b and c"."""
    values = [str(i) for i in items]
    if len(values) <= 1:
        return "".join(values)
    return f"{', '.join(values[:-1])} {last} {values[-1]}"


@lru_cache(maxsize=4)
def environment(directory: Path = PROMPTS_DIR) -> Environment:
    """The Jinja environment over the prompts directory (text, not HTML: no autoescape)."""
    env = Environment(
        loader=FileSystemLoader(str(directory)),
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["join_words"] = _join
    return env


def render(template: str, /, **context: Any) -> str:
    """Render one template; a missing variable is an error, never an empty string."""
    text = environment().get_template(template).render(**context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    collapsed: list[str] = []
    for line in lines:
        if line == "" and collapsed and collapsed[-1] == "":
            continue
        collapsed.append(line)
    return "\n".join(collapsed)
