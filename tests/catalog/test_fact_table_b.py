"""Pinned facts for vendors l-z and the seed-002 platforms (issue 12, slice b).

Each row of the table, tests/data/catalog/facts_l_to_z.csv, was checked against the source its
record cites (retrieved 2026-12-05): the HQ country and entity, the top of the ownership chain,
the DPF entry, the designations (`list: party; ...`) and the covered-person mark. The loaded
catalog must hold exactly these facts, so a later edit that changes one of them has to change
this table too, on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import pytest

from assessments.catalog import VendorRecord
from tests.helpers import designations, flag, optional, table


class Fact(NamedTuple):
    slug: str
    hq_country: str | None
    hq_entity: str | None  # the hq legal entity's name contains this text
    top_owner: str | None  # ownership.ultimate_parent.name, or None when independent/unknown
    top_owner_country: str | None
    independent: bool | None  # None: no ownership block
    dpf: str | None  # dpf.status, None when unknown
    sanctions: frozenset[tuple[str, str]]  # (party, list)
    candidate: bool | None
    status: str

    @classmethod
    def of(cls, row: Mapping[str, str]) -> Fact:
        """A row of the table: an empty cell is None, yes/no a flag."""
        return cls(
            row["slug"],
            optional(row["hq_country"]),
            optional(row["hq_entity"]),
            optional(row["top_owner"]),
            optional(row["top_owner_country"]),
            flag(row["independent"]),
            optional(row["dpf"]),
            frozenset(designations(row["sanctions"])),
            flag(row["candidate"]),
            row["status"],
        )


FACTS = [Fact.of(row) for row in table("catalog/facts_l_to_z.csv")]


@pytest.mark.parametrize("fact", FACTS, ids=[f.slug for f in FACTS])
def test_vendor_holds_its_sourced_facts(vendors: Mapping[str, VendorRecord], fact: Fact) -> None:
    record = vendors[fact.slug]
    assert record.hq_country == fact.hq_country
    hq = record.hq_entity
    if fact.hq_entity is None:
        assert hq is None
    else:
        assert hq is not None and fact.hq_entity in hq.name, hq
    ownership = record.ownership
    if fact.independent is None:
        assert ownership is None
    else:
        assert ownership is not None
        assert ownership.independent is fact.independent
        top = ownership.ultimate_parent
        if fact.top_owner is None:
            assert top is None
        else:
            assert top is not None and fact.top_owner in top.name, top
            assert top.country == fact.top_owner_country
    assert (record.dpf.status if record.dpf else None) == fact.dpf
    designations = {(s.party, listed) for s in record.sanctions for listed in s.lists}
    assert designations == fact.sanctions
    assert record.covered_person_candidate is fact.candidate
    assert record.status.value == fact.status


def test_sanctioned_vendors_carry_the_sanctions_mark(vendors: Mapping[str, VendorRecord]) -> None:
    """A vendor whose 100% owner is on the SDN list is marked, not listed as an ordinary vendor."""
    yoomoney = vendors["yoomoney"]
    assert yoomoney.sanctioned
    sberbank = yoomoney.sanctions[0]
    assert sberbank.through_ownership
    assert str(sberbank.designated) == "2022-04-06"


DATED_EVENTS = [
    ("qiwi", "sold", "2024-01-29"),
    ("qiwi", "licence_revoked", "2024-02-21"),
    ("mailchimp", "acquired", "2021-11-01"),
    ("x-twitter", "acquired", "2025-03-28"),
    ("teads", "acquired", "2025-02-03"),
    ("worldpay", "acquired", "2026-01-09"),
    ("zendesk", "acquired", "2022-11-22"),
    ("qualtrics", "acquired", "2023-06-28"),
    ("meizu-push", "acquired", "2022-07-04"),
]


@pytest.mark.parametrize(("slug", "event", "day"), DATED_EVENTS)
def test_sales_and_revocations_are_dated(
    vendors: Mapping[str, VendorRecord], slug: str, event: str, day: str
) -> None:
    assert (event, day) in {(h.event, str(h.date)) for h in vendors[slug].history}


def test_no_row_of_the_table_is_lost() -> None:
    """A row dropped from the table (a bad merge) would otherwise pass unnoticed."""
    assert len(FACTS) == 61
