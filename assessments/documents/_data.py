"""Load the YAML texts and tables the document builders read, from this package."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from assessments.yamlio import safe_load

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES: tuple[str, ...] = ("en", "zh")


@cache
def load(name: str) -> dict[str, Any]:
    """Parse one data file (relative to data/) once; the result must not be mutated."""
    data = safe_load((DATA_DIR / name).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


def labels(language: str) -> dict[str, Any]:
    """The report words for one language."""
    return dict(load("labels.yaml")[language])


def fact_labels(language: str) -> dict[str, str]:
    """The labels of the facts for one language."""
    return dict(load("facts.yaml")[language])


def safeguard_texts(language: str) -> dict[str, str]:
    """How each declared safeguard reads as a measure, in one language."""
    return dict(load("safeguards.yaml")[language])
