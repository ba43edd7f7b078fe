"""The assistant's engine tool: evaluate a transfer through the transfers service, as the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessments.catalog.reference import Reference
from assessments.transfers import transfer_to_dict
from assessments.types import SAFEGUARDS, TRANSACTIONS
from service import errors
from service.assistant.interfaces import Citation
from service.assistant.tools.base import (
    Tool,
    ToolContext,
    ToolError,
    ToolResult,
    rule_citation,
    vendor_citation,
)
from service.assistant.tools.vendors import vendor_brief
from service.transfers import services as transfers
from service.vendors import services as vendors


def evaluation_citations(evaluation: Mapping[str, Any]) -> list[Citation]:
    """A citation per rule that fired, in regime order, with its legal citation; its title is
    the rule's whole explanation as the engine wrote it (source titles are shown whole)."""
    found: list[Citation] = []
    for result in evaluation.get("regimes", {}).values():
        for rule in result.get("rules", []):
            found.append(
                rule_citation(rule["id"], rule["citation"], " ".join(rule["explanation"].split()))
            )
    return found


def evaluate_transfer(ctx: ToolContext, transfer: Mapping[str, Any]) -> ToolResult:
    """Run the engine on a Transfer (contract JSON) through the transfers service, like the API."""
    citations: list[Citation] = []
    brief: dict[str, Any] | None = None
    importer = transfer.get("importer") if isinstance(transfer.get("importer"), Mapping) else {}
    slug = importer.get("vendor") if isinstance(importer, Mapping) else None
    if slug:
        try:
            vendor = vendors.get_vendor(session=ctx.session, slug=str(slug))
        except errors.NotFound as exc:
            raise ToolError(f"The registry has no vendor '{slug}'.") from exc
        citations.append(vendor_citation(vendor.slug, vendor.name))
        brief = vendor_brief(vendor, ctx.reference)
        if not vendor.hq_country and not any(e.get("country") for e in vendor.legal_entities):
            raise ToolError(
                f"the registry does not record where {vendor.name} is established (hq_country or "
                f"a legal entity's country); add it to the record (PATCH /api/v1/vendors/{slug})"
            )
    try:
        result = transfers.evaluate_transfer(
            session=ctx.session, data=transfer, rulebook=transfers.get_rulebook(), day=ctx.today
        )
    except errors.DomainError as exc:
        detail = f"{exc.detail} {exc.errors}" if exc.errors else exc.detail
        raise ToolError(f"the transfer is incomplete or invalid: {detail}") from exc
    citations.extend(evaluation_citations(result.evaluation))
    return ToolResult(
        {
            "transfer": transfer_to_dict(result.transfer),
            "vendor": brief,
            "evaluation": result.evaluation,
            "warnings": result.warnings,
        },
        tuple(citations),
    )


def _flat_transfer(args: Mapping[str, Any]) -> dict[str, Any]:
    """The LLM's flat arguments as the contract's Transfer JSON."""
    importer: dict[str, Any] = {}
    if args.get("vendor"):
        importer["vendor"] = args["vendor"]
    if args.get("importer_country"):
        importer["country"] = str(args["importer_country"]).upper()
    if args.get("importer_role"):
        importer["role"] = args["importer_role"]
    data: dict[str, Any] = {
        "exporter": {
            "country": str(args["exporter_country"]).upper(),
            "role": args.get("exporter_role", "controller"),
        },
        "importer": importer,
        "data_subjects": [dict(s) for s in args["data_subjects"]],
        "data_categories": list(args["data_categories"]),
        "purposes": list(args.get("purposes", [])),
        "safeguards": list(args.get("safeguards", [])),
        "transaction": args.get("transaction", "vendor_agreement"),
    }
    if args.get("destinations"):
        data["destinations"] = [str(d).upper() for d in args["destinations"]]
    return data


def transfer_tool(reference: Reference) -> Tool:
    """The evaluate_transfer tool."""
    country = {"type": "string", "pattern": "^[A-Za-z]{2}$"}
    evaluate_tool = Tool(
        "evaluate_transfer",
        {
            "type": "object",
            "properties": {
                "vendor": {"type": "string", "minLength": 1, "maxLength": 100},
                "importer_country": country,
                "importer_role": {"type": "string", "enum": ["processor", "controller"]},
                "exporter_country": country,
                "exporter_role": {"type": "string", "enum": ["controller", "processor"]},
                "data_subjects": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 10,
                    "items": {
                        "type": "object",
                        "properties": {
                            "jurisdiction": {"type": "string", "minLength": 2, "maxLength": 6},
                            "count": {"type": "integer", "minimum": 0},
                            "minors": {"type": "boolean"},
                        },
                        "required": ["jurisdiction", "count"],
                        "additionalProperties": False,
                    },
                },
                "data_categories": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "enum": sorted(reference.data_categories)},
                },
                "purposes": {
                    "type": "array",
                    "items": {"type": "string", "enum": sorted(reference.purposes)},
                },
                "safeguards": {
                    "type": "array",
                    "items": {"type": "string", "enum": list(SAFEGUARDS)},
                },
                "transaction": {"type": "string", "enum": list(TRANSACTIONS)},
                "destinations": {"type": "array", "items": country},
            },
            "required": ["exporter_country", "data_subjects", "data_categories"],
            "additionalProperties": False,
        },
        lambda ctx, a: evaluate_transfer(ctx, _flat_transfer(a)),
    )
    return evaluate_tool
