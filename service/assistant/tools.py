"""The assistant's read-only tools, defined once with JSON schemas and shared by both back ends.

Each tool calls the same service functions as the HTTP API and returns plain data plus the
citations of the records it read. The LLM back end offers them to the model by name; the
offline back end calls them directly. None of them writes anything, and the review tool
shows only the reviews the asker's role may read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from assessments.catalog.reference import display_name
from assessments.catalog.vocabulary import SANCTION_LIST_NAMES
from service import errors
from service.assistant.interfaces import Asker, Citation
from service.reference.services import Reference, get_reference
from service.vendors import services as vendors
from service.vendors.models import (
    Vendor,
)
from service.vendors.names import NameIndex, name_index

LIST_LIMIT = 25
SEARCH_LIMIT = 10


class ToolError(ValueError):
    """A tool was called with arguments it cannot use; the message is safe to show."""


@dataclass(frozen=True)
class ToolResult:
    """What a tool returns: JSON-able data and the citations of the records it read."""

    data: dict[str, Any]
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True)
class ToolContext:
    """What tools may use: the request's session, the asker, reference data and the day."""

    session: Session
    asker: Asker
    reference: Reference
    names: NameIndex
    today: date


def tool_context(session: Session, asker: Asker, today: date) -> ToolContext:
    """A tool context for the running app (its reference data and the registry's names)."""
    return ToolContext(session, asker, get_reference(), name_index(), today)


# ---------------------------------------------------------------------------- citations


def vendor_citation(slug: str, name: str) -> Citation:
    """The citation of a vendor record."""
    return Citation("vendor", slug, name, None, f"/api/v1/vendors/{slug}")


def review_citation(review_id: int, title: str) -> Citation:
    """The citation of a review."""
    return Citation("review", str(review_id), title, None, f"/api/v1/reviews/{review_id}")


def rule_citation(rule_id: str, legal: str, explanation: str) -> Citation:
    """The citation of an engine rule with the law it rests on."""
    return Citation("rule", rule_id, explanation, legal, None)


# ---------------------------------------------------------------------------- vendor facts


# Country names that read with "the" in a sentence ("in the United States").
_WITH_ARTICLE = frozenset({"EU", "US", "GB", "NL", "AE", "RU", "CZ", "PH"})


def place_name(code: str) -> str:
    """A country's name as it reads after "in": "China", "the United States", "the EU/EEA"."""
    name = display_name(code)
    return f"the {name}" if code in _WITH_ARTICLE else name


def _country(code: str | None) -> dict[str, str] | None:
    return {"code": code, "name": place_name(code)} if code else None


def vendor_facts(vendor: Vendor, reference: Reference) -> dict[str, Any]:
    """A vendor's registry facts as plain values, with display names beside the ids."""
    snap = vendors.vendor_snapshot(vendor)
    category = reference.vendor_categories.get(vendor.category or "", {})
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "aliases": list(snap["aliases"] or []),
        "description": snap["description"],
        "category": vendor.category,
        "category_name": category.get("name", vendor.category),
        "category_kind": category.get("kind"),
        "product_type": snap["product_type"],
        "parent": snap["parent"],
        "hq_country": _country(vendor.hq_country),
        "legal_entities": [
            {
                "name": e.get("name"),
                "country": _country(e.get("country")),
                "role": e.get("role"),
            }
            for e in snap["legal_entities"] or []
        ],
        "processing_countries": [_country(c) for c in snap["processing_countries"] or []],
        "data_categories": [
            {"id": c, "name": reference.data_categories.get(c, {}).get("name", c)}
            for c in snap["data_categories"] or []
        ],
        "default_role": snap["default_role"],
        "certifications": list(snap["certifications"] or []),
        "transfer_mechanisms": list(snap["transfer_mechanisms"] or []),
        "dpf_certified": snap["dpf_certified"],
        "dpf": snap["dpf"],
        "ownership": snap["ownership"],
        "sanctioned": vendor.sanctioned,
        "sanctions": [
            {**s, "lists": [SANCTION_LIST_NAMES.get(code, code) for code in s.get("lists") or []]}
            for s in snap["sanctions"] or []
        ],
        "history": sorted(snap["history"] or [], key=lambda h: str(h.get("date"))),
        "data_locations": snap["data_locations"],
        "covered_person_candidate": snap["covered_person_candidate"],
        "sdk": dict(snap["sdk"] or {}),
        "status": snap["status"],
        "urls": dict(snap["urls"] or {}),
        "sources": [
            {k: s.get(k) for k in ("url", "ref", "retrieved", "facts") if s.get(k) is not None}
            for s in snap["sources"] or []
        ],
        "notes": snap["notes"],
        "last_verified": snap["last_verified"],
        "archived": snap["archived"],
    }


def vendor_brief(vendor: Vendor, reference: Reference) -> dict[str, Any]:
    """The few facts a list shows of a vendor."""
    category = reference.vendor_categories.get(vendor.category or "", {})
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "category": vendor.category,
        "category_name": category.get("name", vendor.category),
        "hq_country": _country(vendor.hq_country),
        "status": vendor.status,
        "sanctioned": vendor.sanctioned,
    }


# ---------------------------------------------------------------------------- vendor tools


def get_vendor(ctx: ToolContext, slug: str) -> ToolResult:
    """One vendor's facts by slug."""
    try:
        vendor = vendors.get_vendor(session=ctx.session, slug=slug)
    except errors.NotFound:
        return ToolResult({"found": False, "slug": slug})
    facts = vendor_facts(vendor, ctx.reference)
    return ToolResult(
        {"found": True, "vendor": facts}, (vendor_citation(vendor.slug, vendor.name),)
    )


def search_vendors(ctx: ToolContext, query: str, limit: int = SEARCH_LIMIT) -> ToolResult:
    """Vendors whose names, aliases or legal entities match the query (typo-tolerant)."""
    page = vendors.list_vendors(
        session=ctx.session, args={"q": query, "per_page": limit}, names=ctx.names
    )
    # With q= the page holds ScoredVendor wrappers around the vendors.
    items = [vendor_brief(getattr(v, "vendor", v), ctx.reference) for v in page.items]
    return ToolResult(
        {"query": query, "total": page.total, "vendors": items},
        tuple(vendor_citation(i["slug"], i["name"]) for i in items),
    )


@dataclass(frozen=True)
class VendorFilter:
    """Which vendors a list asks for; every non-empty set must match (values within: any)."""

    categories: frozenset[str] = frozenset()
    hq_countries: frozenset[str] = frozenset()
    processing_countries: frozenset[str] = frozenset()
    data_categories: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    dpf_certified: bool | None = None
    in_use: bool = False  # only our vendors: those with an open review (activities included)

    def api_args(self) -> dict[str, Any]:
        """The same filter as vendor list query arguments."""
        dims = {
            "category": self.categories,
            "hq_country": self.hq_countries,
            "processing_country": self.processing_countries,
            "data_category": self.data_categories,
            "status": self.statuses,
        }
        args: dict[str, Any] = {k: sorted(v) for k, v in dims.items() if v}
        if self.dpf_certified is not None:
            args["dpf_certified"] = self.dpf_certified
        if self.in_use:
            args["in_use"] = True
        return args


def find_vendors(ctx: ToolContext, wanted: VendorFilter, limit: int = LIST_LIMIT) -> ToolResult:
    """Vendors matching a filter, by name, through the vendor list service (one query)."""
    page = vendors.list_vendors(
        session=ctx.session,
        args={**wanted.api_args(), "per_page": limit, "sort": "name"},
        names=ctx.names,
    )
    items = [vendor_brief(v, ctx.reference) for v in page.items]
    return ToolResult(
        {"total": page.total, "shown": len(items), "vendors": items},
        tuple(vendor_citation(i["slug"], i["name"]) for i in items),
    )


def sdk_categories(reference: Reference) -> frozenset[str]:
    """Vendor categories whose kind is sdk."""
    return frozenset(k for k, v in reference.vendor_categories.items() if v.get("kind") == "sdk")


def eea_countries(ctx: ToolContext) -> frozenset[str]:
    """The EU/EEA member states on the day (for "EU" in a filter)."""
    from assessments.catalog.reference import default_reference

    ref = default_reference()
    return frozenset(code for code in ref.eea if ref.is_eea(code, ctx.today))


def list_vendors_tool(ctx: ToolContext, args: Mapping[str, Any]) -> ToolResult:
    """The list tool's arguments (single values, `EU`, kind) as a VendorFilter."""

    def countries(value: str | None) -> frozenset[str]:
        if not value:
            return frozenset()
        return eea_countries(ctx) if value.upper() == "EU" else frozenset({value.upper()})

    categories = frozenset({args["category"]}) if args.get("category") else frozenset()
    if args.get("kind"):
        kind = args["kind"]
        of_kind = frozenset(
            k for k, v in ctx.reference.vendor_categories.items() if v.get("kind") == kind
        )
        categories = categories & of_kind if categories else of_kind
    wanted = VendorFilter(
        categories=categories,
        hq_countries=countries(args.get("hq_country")),
        processing_countries=countries(args.get("processing_country")),
        data_categories=frozenset({args["data_category"]})
        if args.get("data_category")
        else frozenset(),
        statuses=frozenset({args["status"]}) if args.get("status") else frozenset(),
        dpf_certified=args.get("dpf_certified"),
        in_use=bool(args.get("in_use")),
    )
    return find_vendors(ctx, wanted, int(args.get("limit", LIST_LIMIT)))


# ---------------------------------------------------------------------------- the tool table


@dataclass(frozen=True)
class Tool:
    """A read-only tool: its name, JSON-schema parameters and the function that runs it."""

    name: str
    parameters: dict[str, Any]
    run: Callable[[ToolContext, dict[str, Any]], ToolResult]


def _vendor_tools(reference: Reference) -> list[Tool]:
    categories = sorted(reference.vendor_categories)
    data_categories = sorted(reference.data_categories)
    kinds = sorted(
        {str(v.get("kind")) for v in reference.vendor_categories.values() if v.get("kind")}
    )
    return [
        Tool(
            "search_vendors",
            {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "maxLength": 200},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 20},
                },
                "required": ["query"],
                "additionalProperties": False,
            },
            lambda ctx, a: search_vendors(ctx, a["query"], int(a.get("limit", SEARCH_LIMIT))),
        ),
        Tool(
            "get_vendor",
            {
                "type": "object",
                "properties": {"slug": {"type": "string", "minLength": 1, "maxLength": 100}},
                "required": ["slug"],
                "additionalProperties": False,
            },
            lambda ctx, a: get_vendor(ctx, a["slug"]),
        ),
        Tool(
            "list_vendors",
            {
                "type": "object",
                "properties": {
                    "category": {"type": "string", "enum": categories},
                    "kind": {"type": "string", "enum": kinds},
                    "hq_country": {"type": "string", "pattern": "^([A-Za-z]{2})$"},
                    "processing_country": {"type": "string", "pattern": "^([A-Za-z]{2})$"},
                    "data_category": {"type": "string", "enum": data_categories},
                    "status": {
                        "type": "string",
                        "enum": ["active", "sunset", "licence_revoked", "sanctioned"],
                    },
                    "dpf_certified": {"type": "boolean"},
                    "in_use": {"type": "boolean"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                },
                "additionalProperties": False,
            },
            list_vendors_tool,
        ),
    ]


def all_tools(reference: Reference) -> list[Tool]:
    """Every tool the assistant has; all of them only read."""
    from service.assistant.transfer_tools import engine_tools

    return [*_vendor_tools(reference), *engine_tools(reference)]


# ---------------------------------------------------------------------------- argument checks


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
    import re

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
