"""Schemathesis over the whole OpenAPI spec: no 5xx, and every response fits its schema.

Covers every endpoint any domain registers; runs authenticated as an admin so the handlers
themselves are exercised, with a bounded number of examples per operation. (Schemathesis's
pytest plugin does not run under pytest 9, so the operations are driven with Hypothesis here.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

MAX_EXAMPLES = 15


def test_api_never_errors_and_matches_its_schema(
    app: Flask, make_token: Callable[..., str]
) -> None:
    headers = {"Authorization": f"Bearer {make_token('admin')}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def exercise(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        try:
            exercise()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
