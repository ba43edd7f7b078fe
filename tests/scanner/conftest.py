"""Fixtures for the scanner tests: a vendor-record factory and the shipped lexicon."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from assessments.catalog.vendors import LegalEntity, SdkSignature, Source, VendorRecord
from assessments.scanner import Lexicon, default_lexicon


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    """The lexicon shipped in assessments/scanner/lexicon/."""
    return default_lexicon()


@pytest.fixture
def make_vendor() -> Callable[..., VendorRecord]:
    """Build a VendorRecord for a test: slug and name, the rest optional keywords."""

    def factory(
        slug: str,
        name: str,
        *,
        aliases: tuple[str, ...] = (),
        category: str = "analytics_sdk",
        entities: tuple[tuple[str, str], ...] = (),
        domains: tuple[str, ...] = (),
        packages: tuple[str, ...] = (),
        frameworks: tuple[str, ...] = (),
        **extra: Any,
    ) -> VendorRecord:
        sdk = (
            SdkSignature(android_packages=packages, ios_frameworks=frameworks, domains=domains)
            if domains or packages or frameworks
            else None
        )
        return VendorRecord(
            slug=slug,
            name=name,
            aliases=aliases,
            category=category,
            product_type="sdk",
            legal_entities=tuple(LegalEntity(n, c, "hq") for n, c in entities),
            sdk=sdk,
            sources=(Source(facts=("name",), ref="test fixture"),),
            last_verified=date(2026, 11, 22),
            **extra,
        )

    return factory
