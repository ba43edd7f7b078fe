"""Pinned facts for vendors a-k (issue 12): HQ, ownership, DPF, sanctions and data locations.

Every row of the table, tests/data/catalog/facts_a_to_k.csv, was checked against the source
named in the vendor's record (a privacy policy, an SEC or exchange filing, a regulator's notice).
The test asserts that the shipped catalog holds these facts, so a data edit that changes one of
them has to change this table too. Ownership, DPF, the covered-person flag, sanctions and status
are compared exactly (an empty cell: the record holds none). HQ and data locations are compared
where their cells are filled (an empty cell: not pinned here), history as events the record
must hold (it may hold more): unlike table b, this table predates the fuller records. Cells
that hold several values: DPF parts, storage and regions space-separated; sanctions
`list: party; ...`; history `YYYY-MM-DD event; ...`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pytest

from assessments.catalog import VendorRecord
from tests.helpers import designations, flag, optional, table


@dataclass(frozen=True)
class Facts:
    slug: str
    hq_country: str
    hq_entity: str
    # ownership: "independent", or (ultimate parent name, its country or None, share or None)
    owner: str | tuple[str, str | None, float | None] | None
    # dpf: None (no dpf block) or (status, entity, parts)
    dpf: tuple[str, str, tuple[str, ...]] | None
    candidate: bool | None  # None: not decided in the record (ownership not sourced)
    # sanctions: (party, list) pairs; status value
    sanctions: tuple[tuple[str, str], ...]
    status: str
    storage: tuple[str, ...]
    regions: tuple[str, ...]
    history: tuple[tuple[date, str], ...]

    @classmethod
    def of(cls, row: Mapping[str, str]) -> Facts:
        """A row of the table: an empty cell is None (no block), lists are space-separated."""
        dpf = row["dpf_status"]
        history = (entry.split(" ", 1) for entry in row["history"].split("; ") if entry)
        return cls(
            slug=row["slug"],
            hq_country=row["hq_country"],
            hq_entity=row["hq_entity"],
            owner=owner_of(row),
            dpf=(dpf, row["dpf_entity"], tuple(row["dpf_parts"].split())) if dpf else None,
            candidate=flag(row["candidate"]),
            sanctions=designations(row["sanctions"]),
            status=row["status"],
            storage=tuple(row["storage"].split()),
            regions=tuple(row["regions"].split()),
            history=tuple((date.fromisoformat(day), event) for day, event in history),
        )


def owner_of(row: Mapping[str, str]) -> str | tuple[str, str | None, float | None] | None:
    """The owner columns: empty, "independent", or the ultimate parent, its country and share."""
    name, share = row["owner"], row["owner_share"]
    if name in ("", "independent"):
        return name or None
    return name, optional(row["owner_country"]), float(share) if share else None


FACTS = [Facts.of(row) for row in table("catalog/facts_a_to_k.csv")]


@pytest.mark.parametrize("facts", FACTS, ids=[f.slug for f in FACTS])
def test_vendor_facts_a_to_k(vendors: Mapping[str, VendorRecord], facts: Facts) -> None:
    record = vendors[facts.slug]

    if facts.hq_country:
        assert record.hq_country == facts.hq_country
        assert record.hq_entity is not None and facts.hq_entity
        assert facts.hq_entity in record.hq_entity.name
    assert record.covered_person_candidate is facts.candidate

    ownership = record.ownership
    if facts.owner is None:
        assert ownership is None
    elif isinstance(facts.owner, str):
        assert facts.owner == "independent"
        assert ownership is not None and ownership.independent
        assert ownership.parent is None and ownership.ultimate_parent is None
    else:
        name, country, share = facts.owner
        assert ownership is not None and not ownership.independent
        top = ownership.ultimate_parent
        assert top is not None
        assert (top.name, top.country, top.share) == (name, country, share)

    if facts.dpf is None:
        assert record.dpf is None
    else:
        status, entity, parts = facts.dpf
        assert record.dpf is not None
        assert (record.dpf.status, record.dpf.entity) == (status, entity)
        assert set(record.dpf.parts) == set(parts)

    assert {(s.party, lst) for s in record.sanctions for lst in s.lists} == set(facts.sanctions)
    assert all(s.through_ownership for s in record.sanctions)
    assert record.status.value == facts.status

    locations = record.data_locations
    if facts.storage or facts.regions:
        assert locations is not None
        assert tuple(locations.storage) == facts.storage
        assert tuple(locations.selectable_regions) == facts.regions

    assert {(h.date, h.event) for h in record.history} >= set(facts.history)


def test_no_row_of_the_table_is_lost() -> None:
    """A row dropped from the table (a bad merge) would otherwise pass unnoticed."""
    assert len(FACTS) == 32
