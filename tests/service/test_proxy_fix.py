"""XBORDER_PROXY_FIX: behind a proxy, the client's address is the forwarded one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask, request

from service.auth.permissions import allow_public


def _who() -> str:
    return request.remote_addr or ""


def _client_address(app: Flask, forwarded: str) -> str:
    app.add_url_rule("/who", "who", allow_public(_who))
    response = app.test_client().get("/who", headers={"X-Forwarded-For": forwarded})
    return response.get_data(as_text=True)


def test_proxy_fix_trusts_the_configured_number_of_proxies(
    make_app: Callable[..., Flask],
) -> None:
    assert _client_address(make_app(), "203.0.113.7") == "127.0.0.1"
    assert _client_address(make_app(PROXY_FIX="1"), "203.0.113.7") == "203.0.113.7"
    # Two proxies: the address the outer proxy saw, not one the client made up.
    assert _client_address(make_app(PROXY_FIX="for=2"), "6.6.6.6, 203.0.113.7, 10.0.0.2") == (
        "203.0.113.7"
    )
    with pytest.raises(ValueError, match="unknown header"):
        make_app(PROXY_FIX="forwarded=1")
