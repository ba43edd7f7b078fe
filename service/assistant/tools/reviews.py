"""The assistant's read-only review tool: the asker's readable reviews, through the reviews service.

Access mirrors the reviews API exactly: the roles the review list route declares (its
`@allow`) decide whether the asker may read reviews at all, so a change there changes what
the assistant shows too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import current_app

from assessments.types import MECHANISMS, REGIMES, VERDICTS
from service.assistant.interfaces import Citation
from service.assistant.tools.base import (
    Tool,
    ToolContext,
    ToolResult,
    review_citation,
    rule_citation,
)
from service.auth.permissions import declared_roles
from service.reviews import services as reviews
from service.reviews.models import OPEN_STATUSES, STATUSES

REVIEW_LIST_ENDPOINT = "reviews.Reviews"
REVIEW_LIMIT = 25


def may_read_reviews(role: str) -> bool:
    """Whether the reviews API lets this role list reviews (its declared roles)."""
    roles = declared_roles(current_app, REVIEW_LIST_ENDPOINT, "GET")
    return roles is not None and ("public" in roles or role in roles)


# Families a question names as one thing: "a CAC filing" is a security assessment declared
# to the CAC or a standard contract filed with it.
MECHANISM_FAMILIES: dict[str, tuple[str, ...]] = {
    "eu_scc": tuple(m for m in MECHANISMS if m.startswith("eu_scc")),
    "cn_cac_filing": ("cn_security_assessment", "cn_standard_contract"),
}


def mechanism_family(value: str | Sequence[str] | None) -> list[str]:
    """Mechanism ids: one id, a family ("eu_scc" -> every SCC module), or several of them."""
    values = [value] if isinstance(value, str) else list(value or [])
    found: list[str] = []
    for item in values:
        found += MECHANISM_FAMILIES.get(item, (item,))
    return list(dict.fromkeys(found))


def _mechanisms(value: str | Sequence[str] | None) -> list[str | None]:
    """The ids a mechanism filter matches; [None] for no filter."""
    return list(mechanism_family(value)) or [None]


def _summary(view: Any) -> dict[str, Any]:
    review = view.review
    evaluation = review.evaluation or {}
    regimes = {}
    for code in REGIMES:
        result = (evaluation.get("regimes") or {}).get(code) or {}
        regimes[code] = {
            "verdict": getattr(review, f"{code.lower()}_verdict"),
            "mechanism": getattr(review, f"{code.lower()}_mechanism"),
            "rules": [
                {"id": r["id"], "citation": r["citation"], "explanation": r["explanation"]}
                for r in result.get("rules", [])
            ],
            "questions": list(result.get("questions") or []),
        }
    return {
        "id": review.id,
        "status": review.status,
        "vendor": {"slug": view.vendor.slug, "name": view.vendor.name},
        "exporter": {"name": review.exporter_name, "country": review.exporter_country},
        "purpose": review.purpose,
        "requester": review.requester,
        "overall": {"level": review.overall_level, "score": review.overall_score},
        "as_of": review.as_of.isoformat(),
        "regimes": regimes,
    }


def list_reviews(ctx: ToolContext, filters: Mapping[str, Any]) -> ToolResult:
    """Reviews the asker may read, filtered by status/open, vendor, mechanism, verdict, regime."""
    if not may_read_reviews(ctx.asker.role):
        return ToolResult({"scope": "none", "total": 0, "reviews": []})
    limit = int(filters.get("limit", REVIEW_LIMIT))
    args: dict[str, Any] = {"per_page": min(limit, 100), "sort": "-id"}
    if filters.get("status"):
        args["status"] = [filters["status"]]
    elif filters.get("open") or filters.get("unknown"):
        args["status"] = list(OPEN_STATUSES)
    if filters.get("unknown"):
        args["per_page"] = 100  # the most recent 100 open reviews are searched for questions
    mechanisms = [m for m in _mechanisms(filters.get("mechanism")) if m]
    regime, verdict = filters.get("regime"), filters.get("verdict")
    if filters.get("vendor"):
        args["vendor"] = filters["vendor"]
    if mechanisms:
        args["mechanism"] = mechanisms  # in any regime
    if verdict:
        args[f"{regime.lower()}_verdict" if regime else "verdict"] = [verdict]
    # One query: a review matching in two regimes is one review (and counted once).
    page = reviews.list_reviews(session=ctx.session, args=args)
    total = page.total
    items = [_summary(v) for v in page.items]
    searched = len(items)
    if filters.get("unknown"):
        # Still unknown: open reviews with an open question of the engine in any regime.
        items = [i for i in items if any(i["regimes"][c]["questions"] for c in REGIMES)]
        total = len(items)
    items = items[:limit]
    citations: list[Citation] = []
    for item in items:
        title = f"Review {item['id']}: {item['vendor']['name']} for {item['exporter']['name']}"
        citations.append(review_citation(int(item["id"]), title))
        for code in _matching_regimes(item, filters):
            for rule in item["regimes"][code]["rules"][:3]:
                citations.append(rule_citation(rule["id"], rule["citation"], rule["explanation"]))
    data = {"scope": "all", "total": total, "reviews": items}
    if filters.get("unknown"):
        data["searched"] = searched
        data["open_total"] = page.total
    return ToolResult(data, tuple(citations))


def _matching_regimes(item: Mapping[str, Any], filters: Mapping[str, Any]) -> list[str]:
    """The regimes whose result made a review match (their rules are cited)."""
    mechanisms = set(_mechanisms(filters.get("mechanism"))) - {None}
    verdict = filters.get("verdict")
    regime = filters.get("regime")
    matched = [
        code
        for code in REGIMES
        if (not mechanisms or item["regimes"][code]["mechanism"] in mechanisms)
        and (not verdict or item["regimes"][code]["verdict"] == verdict)
        and (not regime or code == regime)
    ]
    return matched if (mechanisms or verdict or regime) else []


def review_tool() -> Tool:
    """The list_reviews tool."""
    return Tool(
        "list_reviews",
        {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": list(STATUSES)},
                "open": {"type": "boolean"},
                "unknown": {"type": "boolean"},
                "vendor": {"type": "string", "minLength": 1, "maxLength": 100},
                "mechanism": {"type": "string", "enum": [*MECHANISMS, *MECHANISM_FAMILIES]},
                "verdict": {"type": "string", "enum": list(VERDICTS)},
                "regime": {"type": "string", "enum": list(REGIMES)},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50},
            },
            "additionalProperties": False,
        },
        lambda ctx, a: list_reviews(ctx, a),
    )
