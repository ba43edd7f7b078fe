"""Sanitise legal's Markdown-like section edits and compare document versions."""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import nh3

MAX_SECTION_CHARS = 50_000
_BLANK_RUNS = re.compile(r"\n{3,}")
RISK_FIELDS: tuple[str, ...] = (
    "category",
    "risk",
    "likelihood",
    "severity",
    "measure",
    "residual",
    "owner",
)


def _printable(text: str) -> str:
    """Drop control, format and lone-surrogate characters; keep newlines and tabs."""
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs")
    )


def sanitise_section_text(text: str, *, max_chars: int = MAX_SECTION_CHARS) -> str:
    """Plain Markdown-like text: HTML tags and control characters removed, lines tidied."""
    if len(text) > max_chars:
        raise ValueError(f"section text is longer than {max_chars} characters")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _printable(text)
    # Strip every tag (script/style with their content); keep the words. The result is
    # plain text that templates escape again, so entities are turned back into characters.
    text = _printable(
        html.unescape(nh3.clean(text, tags=set(), attributes={}, strip_comments=True))
    )
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def diff_text(old: str, new: str, *, label_old: str = "old", label_new: str = "new") -> list[str]:
    """Unified diff lines between two texts (empty when equal)."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(
            old.splitlines(), new.splitlines(), label_old, label_new, lineterm=""
        )
    ]


def _by_id(items: Any) -> dict[str, Mapping[str, Any]]:
    """Index a list of dicts by their id."""
    return {str(item.get("id")): item for item in items or [] if isinstance(item, Mapping)}


def diff_documents(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    label_old: str = "old",
    label_new: str = "new",
) -> dict[str, Any]:
    """What changed between two versions of a document: section texts, the risk register and
    the contract options (per contract, option -> [before, after])."""
    sections = []
    old_sections, new_sections = _by_id(old.get("sections")), _by_id(new.get("sections"))
    for key in [*old_sections, *(k for k in new_sections if k not in old_sections)]:
        before, after = old_sections.get(key), new_sections.get(key)
        if before is None or after is None:
            sections.append(
                {
                    "id": key,
                    "title": (after or before or {}).get("title", key),
                    "change": "added" if before is None else "removed",
                    "diff": [],
                }
            )
            continue
        lines = diff_text(
            str(before.get("text") or ""),
            str(after.get("text") or ""),
            label_old=label_old,
            label_new=label_new,
        )
        if lines or before.get("title") != after.get("title"):
            sections.append(
                {"id": key, "title": after.get("title", key), "change": "changed", "diff": lines}
            )
    old_risks, new_risks = _by_id(old.get("risks")), _by_id(new.get("risks"))
    changed = []
    for key in old_risks.keys() & new_risks.keys():
        fields = {
            name: [old_risks[key].get(name), new_risks[key].get(name)]
            for name in RISK_FIELDS
            if old_risks[key].get(name) != new_risks[key].get(name)
        }
        if fields:
            changed.append({"id": key, "fields": fields})
    risks = {
        "added": [dict(new_risks[k]) for k in new_risks if k not in old_risks],
        "removed": [dict(old_risks[k]) for k in old_risks if k not in new_risks],
        "changed": sorted(changed, key=lambda entry: str(entry["id"])),
    }
    contracts: dict[str, dict[str, list[Any]]] = {}
    old_contracts, new_contracts = old.get("contracts") or {}, new.get("contracts") or {}
    for key in sorted({*old_contracts, *new_contracts}):
        before_options = (old_contracts.get(key) or {}).get("options") or {}
        after_options = (new_contracts.get(key) or {}).get("options") or {}
        options = {
            name: [before_options.get(name), after_options.get(name)]
            for name in sorted({*before_options, *after_options})
            if before_options.get(name) != after_options.get(name)
        }
        if options:
            contracts[key] = options
    return {
        "sections": sections,
        "risks": risks,
        "contracts": contracts,
        "changed": bool(sections or any(risks.values()) or contracts),
    }
