"""Loading and validating the catalog in vendor_data/ into frozen records."""

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
