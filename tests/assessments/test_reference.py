"""Reference data: what is in force on a day (both bounds included), and the taxonomy's DOJ
treatment, whose category and bulk threshold are stated together or not at all."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from marshmallow import ValidationError

from assessments.catalog.reference import DojTreatment, DojTreatmentSchema, default_reference
from assessments.types import in_force

START, END = date(2021, 6, 28), date(2025, 12, 27)


@pytest.mark.parametrize(
    ("start", "end", "on", "expected"),
    [
        (START, END, date(2021, 6, 27), False),
        (START, END, START, True),
        (START, END, END, True),
        (START, END, date(2025, 12, 28), False),
        (None, END, date(1900, 1, 1), True),
        (START, None, date(2999, 1, 1), True),
        (None, None, START, True),
    ],
)
def test_in_force_from_the_first_through_the_last_day(
    start: date | None, end: date | None, on: date, expected: bool
) -> None:
    assert in_force(start, end, on) is expected


def test_eea_membership_and_adequacy_end_on_their_last_day() -> None:
    """The United Kingdom: in the EU through 31 Dec 2020; then the 2021 adequacy decision from
    28 Jun 2021 through 27 Dec 2025, and its renewal from the next day."""
    ref = default_reference()
    assert ref.is_eea("GB", date(2020, 12, 31))
    assert not ref.is_eea("GB", date(2021, 1, 1))
    assert ref.adequacy_on("GB", date(2021, 6, 27)) is None
    first = ref.adequacy_on("GB", START)
    assert first is not None and first.effective_to == END
    assert ref.adequacy_on("GB", END) == first
    renewal = ref.adequacy_on("GB", date(2025, 12, 28))
    assert renewal is not None and renewal.effective_from == date(2025, 12, 28)


@pytest.mark.parametrize(("category", "threshold"), [("personal_health", None), (None, 10_000)])
def test_a_doj_category_and_its_threshold_go_together(
    category: str | None, threshold: int | None
) -> None:
    raw: dict[str, Any] = {"category": category, "threshold": threshold, "citation": "28 CFR"}
    with pytest.raises(ValidationError) as caught:
        DojTreatmentSchema().load(raw)
    assert caught.value.messages == {"threshold": ["category and threshold go together"]}


def test_a_doj_treatment_loads_as_its_dataclass() -> None:
    raw = {"category": "personal_health", "threshold": 10_000, "unit": "persons", "citation": "x"}
    assert DojTreatmentSchema().load(raw) == DojTreatment(
        category="personal_health", threshold=10_000, citation="x", unit="persons"
    )
