"""Render docs/rules.md from the rule files: `python -m assessments.rules.docs > docs/rules.md`."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from assessments.catalog.reference import Reference, load_reference
from assessments.rules.loader import RegimeRules, Rule, RuleSet, load_rules

_OPS = {
    "eq": "=",
    "ne": "≠",
    "in": "in",
    "not_in": "not in",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "contains": "contains",
    "contains_any": "contains any of",
}


def _value(value: Any) -> str:
    if isinstance(value, Mapping) and "param" in value:
        return f"`{value['param']}`"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_condition(node: Any) -> str:
    """A `when` clause as readable text."""
    if "fact" in node:
        op = next(k for k in node if k != "fact")
        return f"`{node['fact']}` {_OPS[op]} {_value(node[op])}"
    ((key, arg),) = node.items()
    if key == "always":
        return "always"
    if key == "not":
        return f"not ({render_condition(arg)})"
    joiner = " and " if key == "all" else " or "
    parts = [render_condition(item) for item in arg]
    return "(" + joiner.join(parts) + ")" if len(parts) > 1 else parts[0]


def _dates(start: Any, end: Any) -> str:
    return f"{start or '…'} → {end or 'in force'}"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _rule(rule: Rule) -> list[str]:
    lines = [f"#### {rule.id}", ""]
    kind = rule.kind + (f" (track `{rule.track}`)" if rule.track else "")
    lines.append(
        f"- **Kind:** {kind}; **in force:** {_dates(rule.effective_from, rule.effective_to)}"
    )
    lines.append(f"- **Citation:** {rule.citation}")
    lines.append(f"- **When:** {render_condition(rule.when)}")
    if rule.outcome is not None:
        out = rule.outcome
        mechanism = out.mechanism or (f"from `{out.mechanism_fact}`" if out.mechanism_fact else "—")
        alternatives = ", ".join(out.alternatives) or "—"
        lines.append(
            f"- **Outcome:** `{out.verdict}`, mechanism {mechanism}, alternatives {alternatives}"
        )
    lines.append(f"- **Explanation:** {_cell(rule.explanation)}")
    if rule.remediation:
        lines.append(f"- **Remediation:** {_cell(rule.remediation)}")
    if rule.question:
        lines.append(f"- **Question:** {_cell(rule.question)}")
    for o in rule.obligations:
        due = f" — due: {o.due}" if o.due else ""
        lines.append(f"- **Obligation `{o.id}`:** {_cell(o.text)} ({o.citation}){due}")
    lines.append("")
    return lines


def _regime(regime: RegimeRules) -> list[str]:
    lines = [f"## {regime.regime}: {regime.title}", ""]
    if regime.params:
        lines += ["### Parameters", "", "| id | value | in force | citation | note |"]
        lines.append("|---|---|---|---|---|")
        for p in regime.params:
            lines.append(
                f"| `{p.id}` | {_value(p.value)} | {_dates(p.effective_from, p.effective_to)} "
                f"| {_cell(p.citation)} | {_cell(p.note or '')} |"
            )
        lines.append("")
    lines += ["### Mechanisms", "", "| mechanism | met by safeguard |", "|---|---|"]
    for m in regime.mechanisms.values():
        lines.append(f"| `{m.id}` | {', '.join(m.met_by) or '—'} |")
    lines.append("")
    for title, kind in (
        ("Decision rules (first match per track)", "decision"),
        ("Obligations", "obligation"),
        ("Questions", "question"),
    ):
        chosen = [r for r in regime.rules if r.kind == kind]
        if chosen:
            lines += [f"### {title}", ""]
            for rule in chosen:
                lines += _rule(rule)
    return lines


def _thresholds(reference: Reference) -> list[str]:
    lines = [
        "## Per-category treatment (vendor_data/taxonomy.yaml)",
        "",
        "| category | PIPL sensitive | GDPR | DOJ category (bulk: more than) | CCPA sensitive |",
        "|---|---|---|---|---|",
    ]
    for c in reference.data_categories.values():
        doj = f"{c.doj.category} ({c.doj.threshold:,} {c.doj.unit})" if c.doj.category else "—"
        if c.doj.threshold is None and c.doj.category:
            doj = c.doj.category
        lines.append(
            f"| `{c.id}` | {'yes' if c.cn.sensitive else 'no'} | {c.eu.special or '—'} "
            f"| {doj} | {'yes' if c.ccpa.sensitive else 'no'} |"
        )
    lines.append("")
    return lines


def render(rules: RuleSet, reference: Reference) -> str:
    """The whole rules document as Markdown."""
    lines = [
        "# Rules",
        "",
        "Generated from `assessments/rules/*.yaml` and `vendor_data/taxonomy.yaml` by",
        "`python -m assessments.rules.docs > docs/rules.md`; do not edit by hand (a test checks",
        "that this file is current).",
        "",
        f"Rules version: `{rules.version}`. Decision rules run in file order and the first that",
        "fires decides its track; a regime's verdict is its most stringent track. A fact that is",
        "unknown makes a condition unknown: the rule does not fire and asks its question. The",
        "facts listed in `assessments.facts.OPEN_INPUTS` (CIIO, important data, processing volume,",
        "DPF status, Art. 3(2) targeting, importer ownership, data-broker and CCPA business",
        "status, government-related data) are never left to that: the engine evaluates every",
        "answer, the verdict is the strictest, and the result is `provisional` with `if_unknown`",
        "branches (docs/reviews.md). Every citation is checked against",
        "`assessments/rules/instruments.yaml`: no rule cites an instrument before it took effect.",
        "",
    ]
    for regime in rules.regimes.values():
        lines += _regime(regime)
    lines += _thresholds(reference)
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Print docs/rules.md for the shipped rules."""
    sys.stdout.write(render(load_rules(), load_reference()))


if __name__ == "__main__":
    main()
