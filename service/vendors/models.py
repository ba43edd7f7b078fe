"""Vendor registry tables: vendors, their alias keys (unique) and filter facets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import Column, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from assessments.catalog.vendors import is_sanctioned
from service.models import JSONType, owned_by, utc_timestamp

FACET_PROCESSING_COUNTRY = "processing_country"
FACET_DATA_CATEGORY = "data_category"

_VERSION = Column("version", Integer, nullable=False)


class Vendor(SQLModel, table=True):
    """A vendor in the registry, from the catalog or created locally."""

    __tablename__ = "vendor"
    # Optimistic locking: every UPDATE says "WHERE version = <what I read>", so of two
    # concurrent writers holding the same version exactly one succeeds.
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": _VERSION}

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(100), unique=True, nullable=False))
    name: str = Field(max_length=200)
    description: str | None = None
    category: str | None = Field(default=None, max_length=60, index=True)
    product_type: str | None = Field(default=None, max_length=20)
    parent: str | None = Field(default=None, max_length=200)
    hq_country: str | None = Field(default=None, max_length=2, index=True)
    default_role: str | None = Field(default=None, max_length=20)
    dpf_certified: bool | None = None
    covered_person_candidate: bool | None = None
    status: str = Field(default="active", max_length=20, index=True)
    status_since: date | None = None
    status_note: str | None = None
    aliases: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    legal_entities: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    processing_countries: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    data_categories: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    purposes: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    certifications: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    transfer_mechanisms: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    sdk: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    urls: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    # issue 12: the sourced, dated facts (shapes: assessments/catalog/vendors.py); `parent`,
    # `dpf_certified` and `processing_countries` above are derived from them when they are set.
    ownership: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}")
    )
    dpf: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}")
    )
    sanctions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False, server_default="[]")
    )
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False, server_default="[]")
    )
    data_locations: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}")
    )
    certification_scopes: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False, server_default="{}")
    )
    notes: str | None = None
    last_verified: date | None = None
    search_text: str = ""
    archived: bool = Field(default=False, index=True)
    origin: str = Field(default="local", max_length=10)  # "catalog" or "local"
    catalog_version: str | None = Field(default=None, max_length=64)
    catalog_hash: str | None = Field(default=None, max_length=64)
    locally_edited: bool = False
    version: int = Field(default=1, sa_column=_VERSION)
    # The registry version of this vendor's last write (service/vendors/names.py follows it).
    registry_version: int = Field(
        default=0,
        sa_column=Column(Integer, nullable=False, server_default="0", index=True),
    )
    created_at: datetime = utc_timestamp()
    updated_at: datetime = utc_timestamp()

    @property
    def sanctioned(self) -> bool:
        """The vendor or an owner is designated on a sanctions list (or its status says so)."""
        return is_sanctioned(self.sanctions, self.status)


class VendorAlias(SQLModel, table=True):
    """A vendor's name or alias under its folded key; a key belongs to one vendor only."""

    __tablename__ = "vendor_alias"
    __table_args__ = (
        UniqueConstraint("key", name="uq_vendor_alias_key"),
        Index("ix_vendor_alias_vendor", "vendor_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = owned_by("vendor.id")
    alias: str = Field(max_length=200)
    key: str = Field(max_length=200)
    is_name: bool = False


class VendorFacet(SQLModel, table=True):
    """A filterable multi-valued fact (processing country, data category) of a vendor."""

    __tablename__ = "vendor_facet"
    __table_args__ = (
        Index("ix_vendor_facet_lookup", "facet", "value"),
        Index("ix_vendor_facet_vendor", "vendor_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    vendor_id: int = owned_by("vendor.id")
    facet: str = Field(max_length=30)
    value: str = Field(max_length=60)


class RegistryState(SQLModel, table=True):
    """One row (id 1): the registry version, raised by every transaction that writes vendors.

    Raising it locks the row until commit, so versions are handed out in commit order: a
    reader that sees version V sees every vendor written at V or before.
    """

    __tablename__ = "registry_state"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=0, sa_column=Column(Integer, nullable=False))
