"""Which database errors answer 409 (a concurrent writer won: try again) and which are bugs that
answer 500 and are logged."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError, OperationalError

from service.errors import handle_unexpected


class _PgError(Exception):
    """What psycopg raises: the error's SQLSTATE on `sqlstate`."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (
            IntegrityError(
                "INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: v.slug")
            ),
            409,
        ),
        (
            IntegrityError("INSERT", {}, sqlite3.IntegrityError("FOREIGN KEY constraint failed")),
            409,
        ),
        (
            IntegrityError(
                "INSERT", {}, sqlite3.IntegrityError("NOT NULL constraint failed: v.name")
            ),
            500,
        ),
        (
            IntegrityError("INSERT", {}, sqlite3.IntegrityError("CHECK constraint failed: share")),
            500,
        ),
        (IntegrityError("INSERT", {}, _PgError("23505")), 409),  # unique_violation
        (IntegrityError("INSERT", {}, _PgError("23503")), 409),  # foreign_key_violation
        (IntegrityError("INSERT", {}, _PgError("23502")), 500),  # not_null_violation
        (IntegrityError("INSERT", {}, _PgError("23514")), 500),  # check_violation
        (OperationalError("UPDATE", {}, _PgError("40P01")), 409),  # deadlock_detected
        (OperationalError("UPDATE", {}, _PgError("40001")), 409),  # serialization_failure
        (OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error")), 500),
    ],
)
def test_only_a_lost_race_is_a_409(app: Flask, error: Any, status: int) -> None:
    with app.test_request_context("/api/v1/vendors"):
        response = handle_unexpected(error)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
