"""Options for the UI's selects and checkbox lists, from the catalog's reference data."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.catalog.reference import (
    DataCategory,
    country_codes,
    display_name,
    is_country,
)
from assessments.catalog.vocabulary import (
    CERTIFICATIONS,
    DEFAULT_ROLES,
    ENTITY_ROLES,
    PRODUCT_TYPES,
    TRANSFER_MECHANISMS,
    URL_KINDS,
)
from assessments.types import (
    EU_DEROGATIONS,
    EXEMPTIONS,
    SAFEGUARDS,
    SCC_DECISIONS,
    TRANSACTIONS,
    US_EXEMPTIONS,
)
from service.reference.services import get_reference
from service.web import labels

FIRST_JURISDICTIONS = (
    ("EU", "EU / EEA (as a whole)"),
    ("CN", "China (mainland)"),
    ("US", "United States"),
    ("US-CA", "United States — California"),
)


@dataclass(frozen=True)
class Option:
    """A checkbox: value, label, plain-language help and small tags."""

    value: str
    label: str
    help: str | None = None
    tags: tuple[tuple[str, str], ...] = ()


def countries() -> list[tuple[str, str]]:
    """(code, 'Name (CODE)') for every ISO country, by name."""
    named = ((code, display_name(code)) for code in country_codes())
    return sorted(((code, f"{name} ({code})") for code, name in named), key=lambda e: e[1])


def country_name(code: str | None) -> str:
    """A country code's name, or the code when unknown."""
    if not code:
        return "—"
    return display_name(code) if is_country(code) else code


def jurisdictions() -> list[tuple[str, str]]:
    """Where data subjects can be: the EU as a whole, common ones first, then every country."""
    first = {code for code, _ in FIRST_JURISDICTIONS}
    return list(FIRST_JURISDICTIONS) + [(c, n) for c, n in countries() if c not in first]


def vendor_categories() -> list[tuple[str, str]]:
    """(id, name) of the vendor categories."""
    return [(k, v.name) for k, v in get_reference().vendor_categories.items()]


def category_name(code: str | None) -> str:
    """A vendor category's name."""
    return get_reference().vendor_category_name(code) if code else "—"


def _data_tags(category: DataCategory) -> tuple[tuple[str, str], ...]:
    tags: list[tuple[str, str]] = []
    if category.cn.sensitive:
        tags.append(("cn", "sensitive in China"))
    if category.eu.special == "art9":
        tags.append(("eu", "GDPR special category"))
    elif category.eu.special == "art10":
        tags.append(("eu", "GDPR criminal data"))
    if category.doj.category:
        tags.append(("us", "US DOJ sensitive"))
    return tuple(tags)


def data_categories() -> list[Option]:
    """The taxonomy's data categories with their definitions and how the laws treat them."""
    return [
        Option(key, c.name, c.definition or None, _data_tags(c))
        for key, c in get_reference().data_categories.items()
    ]


def data_category_name(code: str) -> str:
    """A data category's name."""
    return get_reference().category_name(code)


def purposes() -> list[Option]:
    """The taxonomy's purposes with their definitions."""
    return [
        Option(key, p.name, p.definition or None) for key, p in get_reference().purposes.items()
    ]


def purpose_name(code: str) -> str:
    """A purpose's name."""
    return get_reference().purpose_name(code)


def safeguards() -> list[Option]:
    """Safeguards a transfer may already have, in words."""
    return [Option(code, labels.SAFEGUARDS.get(code, code)) for code in SAFEGUARDS]


def exemptions() -> list[Option]:
    """PRC exemptions a transfer may claim, in words."""
    return [Option(code, labels.EXEMPTIONS.get(code, code)) for code in EXEMPTIONS]


def us_exemptions() -> list[Option]:
    """28 CFR 202 Subpart E exemptions, in words."""
    return [Option(code, labels.humanize(code)) for code in US_EXEMPTIONS]


def scc_decisions() -> list[tuple[str, str]]:
    """The Commission decisions SCCs may rest on."""
    return [(code, f"Decision {code}") for code in SCC_DECISIONS]


def derogations() -> list[tuple[str, str]]:
    """GDPR Art. 49 derogations, in words."""
    return [(code, labels.humanize(code)) for code in EU_DEROGATIONS]


def tia_outcomes() -> list[tuple[str, str]]:
    """What a documented transfer impact assessment concluded."""
    return [
        ("effective", "Supplementary measures are effective"),
        ("defeated", "Destination law defeats every measure"),
    ]


def transactions() -> list[tuple[str, str]]:
    """DOJ transaction types, in words."""
    return [(code, labels.TRANSACTIONS.get(code, code)) for code in TRANSACTIONS]


def _plain(values: frozenset[str]) -> list[tuple[str, str]]:
    return [(v, labels.humanize(v)) for v in sorted(values)]


def certifications() -> list[Option]:
    """Certifications a vendor may hold."""
    return [Option(v, labels.humanize(v).upper()) for v in sorted(CERTIFICATIONS)]


def transfer_mechanisms() -> list[Option]:
    """Transfer mechanisms a vendor may offer."""
    return [Option(v, labels.humanize(v)) for v in sorted(TRANSFER_MECHANISMS)]


PRODUCT_TYPE_OPTIONS = _plain(PRODUCT_TYPES)
DEFAULT_ROLE_OPTIONS = _plain(DEFAULT_ROLES)
ENTITY_ROLE_OPTIONS = _plain(ENTITY_ROLES)
URL_KIND_OPTIONS = _plain(URL_KINDS)
STATUS_OPTIONS = list(labels.VENDOR_STATUSES.items())
