"""`xborder assess FILE`: evaluate a transfer described in YAML or JSON and print it per regime."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import yaml

from assessments.yamlio import safe_load_user
from service.clikit import INPUT_FILE, domain_command, dumps, wrap
from service.db import session_scope
from service.transfers.services import evaluate_transfer, get_rulebook, today


def _read(path: Path) -> Any:
    """The file's content: JSON for .json, otherwise YAML (a superset of JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else safe_load_user(text)
    except (json.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"{path}: not valid JSON/YAML: {exc}") from None
    # YAML reads 2026-11-22 as a date; the contract is JSON, so dates travel as strings.
    return json.loads(json.dumps(data, default=str))


def render_evaluation(evaluation: dict[str, Any], warnings: list[dict[str, Any]]) -> str:
    """A readable per-regime table with fired rules, obligations and questions."""
    overall = evaluation["overall"]
    lines = [
        f"Transfer as of {evaluation['as_of']} - rules {evaluation.get('rules_version', '?')} - "
        f"overall {overall['level'].upper()} ({overall['score']})",
    ]
    for warning in warnings:
        lines.append(f"WARNING: {warning['message']}")
    header = f"{'regime':<7} {'verdict':<19} {'mechanism':<26} {'met':<4} {'level':<9} score"
    lines += ["", header, "-" * len(header)]
    for code, result in evaluation["regimes"].items():
        met = {True: "yes", False: "no", None: "-"}[result["met"]]
        lines.append(
            f"{code:<7} {result['verdict']:<19} {result['mechanism'] or '-':<26} {met:<4} "
            f"{result['level'] if result['applies'] else '-':<9} {result['score']}"
            + ("  PROVISIONAL" if result.get("provisional") else "")
        )
    for code, result in evaluation["regimes"].items():
        title = f"{code}: {result['verdict']}"
        if result["mechanism"]:
            title += f" ({result['mechanism']}{', already in place' if result['met'] else ''})"
        if result.get("provisional"):
            title += " - PROVISIONAL (open questions taken on the strict side)"
        lines += ["", title, wrap(result["why"], "  ")]
        for branch in result.get("if_unknown") or []:
            lines.append(wrap(f"if unknown: {branch['question']}", "  ? "))
            for answer in branch["answers"]:
                lines.append(
                    f"      {answer['answer']}: {answer['verdict']}"
                    + (f" ({answer['mechanism']})" if answer["mechanism"] else "")
                )
        if result["alternatives"]:
            lines.append(f"  alternatives: {', '.join(result['alternatives'])}")
        if result["rules"]:
            lines.append("  rules fired:")
            for rule in result["rules"]:
                lines.append(f"    {rule['id']}  [{rule['citation']}]")
                lines.append(wrap(rule["explanation"], "      "))
        if result["obligations"]:
            lines.append("  obligations:")
            for duty in result["obligations"]:
                due = f" - due: {duty['due']}" if duty["due"] else ""
                lines.append(wrap(f"{duty['text']} [{duty['citation']}]{due}", "    - "))
        if result["questions"]:
            lines.append("  questions:")
            for question in result["questions"]:
                lines.append(wrap(question, "    ? "))
    return "\n".join(lines)


@click.command("assess")
@click.argument("file", type=INPUT_FILE)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day whose law applies (default: the file's as_of, else today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the Evaluation as contract JSON.")
@domain_command
def assess(file: Path, as_of: datetime | None, as_json: bool) -> None:
    """Evaluate the transfer in FILE (YAML or JSON) under CN, EU and US law."""
    data = _read(file)
    if not isinstance(data, dict):
        raise click.ClickException(f"{file}: a transfer must be a mapping")
    if as_of is not None:
        data["as_of"] = as_of.date().isoformat()
    with session_scope() as session:
        result = evaluate_transfer(session=session, data=data, rulebook=get_rulebook(), day=today())
    if as_json:
        body = dict(result.evaluation)
        body["warnings"] = result.warnings
        click.echo(dumps(body))
    else:
        click.echo(render_evaluation(result.evaluation, result.warnings))
