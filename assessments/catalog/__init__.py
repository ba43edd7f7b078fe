"""Loading and validating the catalog in vendor_data/ into frozen records.

The names below are imported on first use (PEP 562): `assessments.catalog.reference`, which
the engine needs, lives in this package, and importing it must not load the catalog's
validator and name index (rapidfuzz, the vendor schemas) into every `xborder assess`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assessments.catalog.categories import Category
    from assessments.catalog.names import NameIndex, NameMatch, name_key
    from assessments.catalog.validation import (
        Catalog,
        CatalogError,
        Problem,
        catalog_version,
        load_categories,
        load_vendors,
        read_catalog,
        validate_catalog,
    )
    from assessments.catalog.vendors import (
        LegalEntity,
        SdkSignature,
        Source,
        VendorRecord,
        VendorStatus,
    )

_HOMES = {
    "Category": "categories",
    "NameIndex": "names",
    "NameMatch": "names",
    "name_key": "names",
    "Catalog": "validation",
    "CatalogError": "validation",
    "Problem": "validation",
    "catalog_version": "validation",
    "load_categories": "validation",
    "load_vendors": "validation",
    "read_catalog": "validation",
    "validate_catalog": "validation",
    "LegalEntity": "vendors",
    "SdkSignature": "vendors",
    "Source": "vendors",
    "VendorRecord": "vendors",
    "VendorStatus": "vendors",
}

__all__ = [
    "Catalog",
    "CatalogError",
    "Category",
    "LegalEntity",
    "NameIndex",
    "NameMatch",
    "Problem",
    "SdkSignature",
    "Source",
    "VendorRecord",
    "VendorStatus",
    "catalog_version",
    "load_categories",
    "load_vendors",
    "name_key",
    "read_catalog",
    "validate_catalog",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
