"""Who may record which registry facts (issue 18 §4).

The facts that can make a verdict less strict — DPF participation, who owns the vendor, the
DOJ covered-person mark and sanctions — are recorded in the registry only by legal or an admin.
Procurement states them on a review instead (`asserted_facts`), where they stay pending until
legal or an admin confirms them (service/reviews/policy.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service import errors
from service.auth.models import User
from service.reviews.policy import may_confirm_facts

DECIDING_FACTS = (
    "dpf",
    "dpf_certified",
    "ownership",
    "parent",
    "covered_person_candidate",
    "sanctions",
)


def check_new_facts(user: User, data: Mapping[str, Any]) -> None:
    """403 when someone who may not decide records a verdict-deciding fact on a new vendor."""
    if may_confirm_facts(user):
        return
    stated = [f for f in DECIDING_FACTS if data.get(f) not in (None, [], {})]
    if stated:
        raise errors.Forbidden(
            "Only legal or an admin records these facts in the registry; state them on a "
            "review instead (asserted facts stay pending until legal confirms them).",
            errors={f: ["Only legal or an admin may record this fact."] for f in stated},
        )
