"""Issue 12 §5: the names people write for Apple and Google resolve to catalog vendors, in the
catalog's name index (scanner, assistant) and in the registry (search, review form)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

import vendor_data
from assessments.catalog import NameIndex, load_vendors
from service.db import session_scope
from service.vendors import services as vendor_services
from tests.helpers import Headers

NAMES = {
    "Apple": "apple",
    "Apple Inc.": "apple",
    "Sign in with Apple": "sign-in-with-apple",
    "Sign-in with Apple": "sign-in-with-apple",
    "Google": "google",
    "Google LLC": "google",
    "Google Sign-In": "google-sign-in",
    "Google Sign In": "google-sign-in",
}


@pytest.fixture(scope="module")
def name_index() -> NameIndex:
    return NameIndex((v.slug, v.names) for v in load_vendors(Path(vendor_data.DATA_DIR)))


@pytest.mark.parametrize(("name", "slug"), sorted(NAMES.items()))
def test_name_index_resolves(name_index: NameIndex, name: str, slug: str) -> None:
    match = name_index.resolve(name)
    assert match is not None and match.slug == slug


def test_registry_search_and_lookup_resolve(catalog_app: Flask, auth: Headers) -> None:
    client = catalog_app.test_client()
    viewer = auth("viewer")
    for name, slug in NAMES.items():
        items = client.get("/api/v1/vendors", query_string={"q": name}, headers=viewer)
        assert items.get_json()["items"][0]["slug"] == slug, name
    with catalog_app.app_context(), session_scope() as session:
        for name, slug in NAMES.items():
            found = vendor_services.find_by_name(session=session, name=name)
            assert found is not None and found.slug == slug, name
