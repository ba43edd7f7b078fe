"""kill -9 in the middle of `xborder vendors import` leaves the registry exactly as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select, text

from service.audit.models import AuditEvent
from service.db import session_scope
from service.reference.services import get_reference
from service.vendors.io import export, upsert
from service.vendors.models import Vendor, VendorAlias, VendorFacet

ROWS = 60_000  # enough that writing takes seconds, so the kill lands mid-write


def snapshot(app: Flask) -> tuple[object, ...]:
    """Row counts, vendor audit events and the full export: the registry as a reader sees it."""
    with app.app_context(), session_scope() as session:
        counts = tuple(
            session.execute(select(func.count()).select_from(m)).scalar_one()
            for m in (Vendor, VendorAlias, VendorFacet)
        )
        vendor_events = session.execute(
            select(func.count()).where(AuditEvent.object_type == "vendor")  # type: ignore[arg-type]
        ).scalar_one()
        return (*counts, vendor_events, export.export_vendors(session=session, fmt="json"))


def test_kill_9_mid_import_leaves_the_registry_as_it_was(app: Flask, tmp_path: Path) -> None:
    with app.app_context(), session_scope() as session:
        seed = [{"slug": "stripe", "name": "Stripe", "hq_country": "US"}]
        upsert.import_file(
            session=session, data=json.dumps(seed), fmt="json", reference=get_reference()
        )
    before = snapshot(app)
    rows: list[dict[str, Any]] = [
        {"slug": "stripe", "name": "Stripe", "hq_country": "US", "notes": "changed"}
    ]
    rows += [
        {
            "slug": f"bulk-{i}",
            "name": f"Bulk Vendor {i}",
            "aliases": [f"BV{i}"],
            "processing_countries": ["DE", "FR"],
        }
        for i in range(ROWS)
    ]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "XBORDER_DATA_DIR": str(tmp_path),
        "XBORDER_SECRET_KEY": "test",
        "XBORDER_LOAD_CATALOG": "0",
        "XBORDER_AUTO_MIGRATE": "0",
        "XBORDER_ADMIN_EMAIL": "admin@example.test",
        "XBORDER_ADMIN_PASSWORD": "kill test admin password",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from service.cli import main; main()",
            "vendors",
            "import",
            str(path),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while "Writing" not in seen and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        seen += line
    assert "Writing" in seen, f"never reached the write phase: {seen!r}"
    time.sleep(0.5)
    assert process.poll() is None, "the import finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    assert snapshot(app) == before
    with app.app_context(), session_scope() as session:
        if session.get_bind().dialect.name == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        # the database is usable: the same import runs to the end afterwards
        small = json.dumps(rows[:50])
        report = upsert.import_file(
            session=session, data=small, fmt="json", reference=get_reference()
        )
        assert len(report.created) == 49 and report.updated == ["stripe"]
