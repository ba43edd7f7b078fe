"""The vendor tools: search, one vendor's facts, and lists by category, country and status."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.catalog.reference import Reference, display_name
from assessments.catalog.vocabulary import SANCTION_LIST_NAMES, VENDOR_STATUSES
from service import errors
from service.assistant.tools.base import Tool, ToolContext, ToolResult, vendor_citation
from service.transfers.services import vendor_warnings
from service.vendors import services as vendors
from service.vendors.models import Vendor

LIST_LIMIT = 25
SEARCH_LIMIT = 10


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
    category = reference.vendor_categories.get(vendor.category or "")
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "aliases": list(snap["aliases"] or []),
        "description": snap["description"],
        "category": vendor.category,
        "category_name": category.name if category else vendor.category,
        "category_kind": category.kind if category else None,
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
            {"id": c, "name": reference.category_name(c)} for c in snap["data_categories"] or []
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
        # What any answer about a transfer to it must say (sunset, revoked, sanctioned, archived).
        "warnings": [w["message"] for w in vendor_warnings(vendor)],
    }


def vendor_brief(vendor: Vendor, reference: Reference) -> dict[str, Any]:
    """The few facts a list shows of a vendor."""
    return {
        "slug": vendor.slug,
        "name": vendor.name,
        "category": vendor.category,
        "category_name": reference.vendor_category_name(vendor.category)
        if vendor.category
        else None,
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
    items = [vendor_brief(v, ctx.reference) for v in page.items]
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
    return frozenset(k for k, v in reference.vendor_categories.items() if v.kind == "sdk")


def eea_countries(ctx: ToolContext) -> frozenset[str]:
    """The EU/EEA member states on the day (for "EU" in a filter)."""
    ref = ctx.reference
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
        of_kind = frozenset(k for k, v in ctx.reference.vendor_categories.items() if v.kind == kind)
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


def vendor_tools(reference: Reference) -> list[Tool]:
    """search_vendors, get_vendor and list_vendors."""
    categories = sorted(reference.vendor_categories)
    data_categories = sorted(reference.data_categories)
    kinds = sorted({v.kind for v in reference.vendor_categories.values()})
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
                    "status": {"type": "string", "enum": list(VENDOR_STATUSES)},
                    "dpf_certified": {"type": "boolean"},
                    "in_use": {"type": "boolean"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50},
                },
                "additionalProperties": False,
            },
            list_vendors_tool,
        ),
    ]
