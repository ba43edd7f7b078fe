"""Fixtures of the functional tests: a signed-in web Browser per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from tests.helpers import Browser, sign_in


@pytest.fixture
def browser_for(catalog_app: Flask) -> Callable[[str], Browser]:
    """A signed-in Browser for a new user of the given role."""
    counter = iter(range(1, 1000))

    def signed_in(role: str) -> Browser:
        return sign_in(catalog_app, f"{role}{next(counter)}@example.test", role)

    return signed_in
