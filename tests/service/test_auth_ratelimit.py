"""Rate limits on sign-in and token endpoints: in memory by default, shared through Redis."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from flask import Flask

REDIS_URL = "redis://127.0.0.1:6379"


def _hammer_login(app: Flask, times: int) -> list[int]:
    client = app.test_client()
    body = {"email": "nobody@example.test", "password": "wrong"}
    return [client.post("/auth/login", json=body).status_code for _ in range(times)]


def test_login_is_limited_per_client_with_problem_json(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    statuses = _hammer_login(app, 4)
    assert statuses == [401, 401, 401, 429]
    limited = app.test_client().post("/auth/login", json={"email": "a@b.c", "password": "x"})
    assert limited.status_code == 429 and limited.mimetype == "application/problem+json"
    assert "Retry-After" in limited.headers
    # other endpoints are not counted
    assert app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "methods",
    [
        ["GET", "GET", "GET"],
        # HEAD reaches a MethodView's get, so it is counted like the get (no way around a limit).
        ["HEAD", "HEAD", "GET"],
    ],
)
def test_token_endpoints_are_limited(
    make_app: Callable[..., Flask], make_token: Callable[..., str], methods: list[str]
) -> None:
    app = make_app(RATELIMIT_TOKENS="2 per minute")
    headers = {"Authorization": f"Bearer {make_token('viewer')}"}
    client = app.test_client()
    statuses = [
        client.open("/api/v1/tokens", method=m, headers=headers).status_code for m in methods
    ]
    assert statuses == [200, 200, 429]


def test_limits_can_be_switched_off(make_app: Callable[..., Flask]) -> None:
    app = make_app(RATELIMIT_LOGIN="1 per minute", RATELIMIT_ENABLED=False)
    assert _hammer_login(app, 3) == [401, 401, 401]


def test_redis_storage_shares_counts_between_app_instances(
    make_app: Callable[..., Flask],
) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    config = {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"xborder-test-{uuid.uuid4().hex}",
        "RATELIMIT_LOGIN": "3 per minute",
    }
    first, second = make_app(**config), make_app(**config)  # two "workers"
    assert _hammer_login(first, 2) == [401, 401]
    assert _hammer_login(second, 2) == [401, 429]


def test_per_process_counts_hold_the_limit_across_workers(make_app: Callable[..., Flask]) -> None:
    """Two gunicorn workers with in-memory counts: 20 wrong sign-ins against a limit of 10
    spread over both; together they let at most 10 through."""
    from service.auth.limits import worker_warning

    workers = [make_app(RATELIMIT_LOGIN="10 per minute", RATELIMIT_PROCESSES=2) for _ in (1, 2)]
    body = {"email": "nobody@example.test", "password": "wrong"}
    clients = [w.test_client() for w in workers]
    statuses = [clients[i % 2].post("/auth/login", json=body).status_code for i in range(20)]
    assert statuses.count(401) == 10 and statuses.count(429) == 10
    warning = worker_warning(workers[0].config, 2)
    assert warning is not None and "XBORDER_RATELIMIT_STORAGE_URI" in warning
    assert worker_warning(workers[0].config, 1) is None
    assert worker_warning({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"}, 4) is None
