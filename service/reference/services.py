"""The catalog's reference data (countries, vendor categories, taxonomy), loaded once per app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry
import yaml
from flask import current_app


@dataclass(frozen=True)
class Reference:
    """Ids and entries of the reference data, for validation and the read endpoints."""

    vendor_categories: dict[str, dict[str, Any]]
    data_categories: dict[str, dict[str, Any]]
    purposes: dict[str, dict[str, Any]]
    countries: dict[str, dict[str, Any]]


def _entries(raw: Any, key: str) -> dict[str, dict[str, Any]]:
    items = raw.get(key, []) if isinstance(raw, dict) else raw or []
    if isinstance(items, dict):
        return {str(k): {"id": str(k), **(v or {})} for k, v in items.items()}
    return {str(item["id"]): dict(item) for item in items}


def _read(path: Path) -> Any:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


@lru_cache(maxsize=4)
def load_reference(data_dir: Path) -> Reference:
    """Read categories.yaml, taxonomy.yaml and countries.yaml from the catalog directory."""
    taxonomy = _read(data_dir / "taxonomy.yaml")
    facts = _entries(_read(data_dir / "countries.yaml"), "countries")
    countries: dict[str, dict[str, Any]] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        countries[code] = {
            "code": code,
            "name": getattr(country, "common_name", country.name),
            **{k: v for k, v in facts.get(code, {}).items() if k != "id"},
        }
    return Reference(
        vendor_categories=_entries(_read(data_dir / "categories.yaml"), "categories"),
        data_categories=_entries(taxonomy, "data_categories"),
        purposes=_entries(taxonomy, "purposes"),
        countries=countries,
    )


def get_reference() -> Reference:
    """The reference data of the running app's catalog directory."""
    return load_reference(Path(current_app.config["CATALOG_DIR"]))
