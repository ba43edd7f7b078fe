"""Fixtures for the catalog tests: the shipped catalog, read once, and the seed directory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

import vendor_data
from assessments.catalog import Catalog, NameIndex, VendorRecord, read_catalog


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The catalog shipped in vendor_data/, read and cross-checked once per session."""
    return read_catalog(Path(vendor_data.DATA_DIR))


@pytest.fixture(scope="session")
def vendors(catalog: Catalog) -> Mapping[str, VendorRecord]:
    """The shipped catalog's vendor records by slug."""
    return {v.slug: v for v in catalog.vendors}


@pytest.fixture(scope="session")
def name_index(catalog: Catalog) -> NameIndex:
    """A name index over every shipped vendor's name and aliases."""
    return NameIndex((v.slug, v.names) for v in catalog.vendors)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed policies (../shared/seeds next to the repository); skips when absent."""
    path = (Path(__file__).resolve().parents[2] / "../shared/seeds").resolve()
    if not path.is_dir():
        pytest.skip(f"seed policies not found at {path} (they live outside the repository)")
    return path
