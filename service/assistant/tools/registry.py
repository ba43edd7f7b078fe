"""The tool table and how a tool is called: every tool, argument checks, run by name."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from assessments.catalog.reference import Reference
from service.assistant.tools.base import Tool, ToolContext, ToolError, ToolResult
from service.assistant.tools.lifecycle import lifecycle_tools
from service.assistant.tools.reviews import review_tool
from service.assistant.tools.transfers import transfer_tool
from service.assistant.tools.vendors import vendor_tools


def all_tools(reference: Reference) -> list[Tool]:
    """Every tool the assistant has; all of them only read."""
    return [
        *vendor_tools(reference),
        transfer_tool(reference),
        review_tool(),
        *lifecycle_tools(),
    ]


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def check_arguments(schema: Mapping[str, Any], value: Any, path: str = "") -> list[str]:
    """Problems of value against the JSON-schema subset the tools use (empty when valid)."""
    where = path or "arguments"
    kinds = schema.get("type")
    if kinds is not None:
        allowed = [kinds] if isinstance(kinds, str) else list(kinds)
        if not any(_TYPES[k](value) for k in allowed):
            return [f"{where}: expected {' or '.join(allowed)}"]
    problems: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 10**6):
            problems.append(f"{where}: wrong length")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{where}: does not match {schema['pattern']}")
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    low, high = schema.get("minimum", float("-inf")), schema.get("maximum", float("inf"))
    if is_number and not low <= value <= high:
        problems.append(f"{where}: out of range")
    if isinstance(value, list) and "items" in schema:
        if len(value) > schema.get("maxItems", 10**6) or len(value) < schema.get("minItems", 0):
            problems.append(f"{where}: wrong number of items")
        for i, item in enumerate(value):
            problems += check_arguments(schema["items"], item, f"{where}[{i}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}.{name}: required")
        for name, item in value.items():
            if name in properties:
                problems += check_arguments(properties[name], item, f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}.{name}: unknown field")
    return problems


def run_tool(
    tools: Sequence[Tool], ctx: ToolContext, name: str, arguments: Mapping[str, Any]
) -> ToolResult:
    """Run a tool by name after checking its arguments; ToolError when it can't run."""
    tool = next((t for t in tools if t.name == name), None)
    if tool is None:
        raise ToolError(f"There is no tool '{name}'. Tools: {', '.join(t.name for t in tools)}.")
    problems = check_arguments(tool.parameters, dict(arguments))
    if problems:
        raise ToolError("; ".join(problems))
    return tool.run(ctx, dict(arguments))
