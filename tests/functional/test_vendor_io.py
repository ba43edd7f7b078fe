"""Bulk vendor import/export: formats, whole-file validation, upsert, dry run, round trip, API."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, text
from sqlmodel import col

from service.audit.models import AuditEvent
from service.cli import main
from service.db import session_scope
from service.reference.services import get_reference
from service.vendors import bulk, services
from service.vendors import cli as vendor_cli
from service.vendors.io import export as vendor_export
from service.vendors.io import formats, parsing, upsert, validation
from service.vendors.models import Vendor, VendorAlias, VendorFacet
from tests.helpers import Headers

UMENG = {
    "slug": "umeng",
    "name": "Umeng+",
    "aliases": ["友盟+", "U-App"],
    "category": "analytics_sdk",
    "hq_country": "CN",
    "processing_countries": ["CN"],
    "data_categories": ["identifiers.device"],
    "legal_entities": [
        {"name": "Beijing Ruixun Lingtong Technology Co., Ltd.", "country": "CN", "role": "hq"}
    ],
    "status": {"value": "active", "since": "2020-01-01", "note": None},
    "sources": [
        {"url": "https://www.umeng.com/policy", "retrieved": "2026-01-05", "facts": ["hq_country"]}
    ],
    "last_verified": "2026-01-05",
    "dpf_certified": False,
}
STRIPE = {
    "slug": "stripe",
    "name": "Stripe",
    "hq_country": "US",
    "processing_countries": ["US", "IE"],
}


def counts(app: Flask) -> tuple[int, int, int, int]:
    """Vendors, alias keys, facets and audit events."""
    with app.app_context(), session_scope() as session:
        vendors, aliases, facets, events = (
            int(session.execute(select(func.count()).select_from(model)).scalar_one())
            for model in (Vendor, VendorAlias, VendorFacet, AuditEvent)
        )
        return vendors, aliases, facets, events


def run_import(app: Flask, text: str, fmt: str, *, dry_run: bool = False) -> upsert.ImportReport:
    with app.app_context(), session_scope() as session:
        report = upsert.import_file(
            session=session, data=text.encode(), fmt=fmt, reference=get_reference(), dry_run=dry_run
        )
        if dry_run:
            session.rollback()
        return report


def empty_registry(app: Flask) -> None:
    """Delete every vendor (and the audit trail), as a fresh database would have none."""
    with app.app_context(), session_scope() as session:
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("DELETE FROM vendor_fts"))
        for model in (VendorFacet, VendorAlias, Vendor, AuditEvent):
            session.execute(delete(model))
        assert session.execute(select(func.count()).select_from(Vendor)).scalar_one() == 0


def export(app: Flask, fmt: str) -> str:
    with app.app_context(), session_scope() as session:
        return vendor_export.export_vendors(session=session, fmt=fmt)


def csv_of(records: list[dict[str, Any]]) -> str:
    return vendor_export.render(records, "csv")


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_import_creates_vendors_with_index_rows_and_events(app: Flask, fmt: str) -> None:
    text = vendor_export.render([UMENG, STRIPE], fmt) if fmt != "csv" else csv_of([UMENG, STRIPE])
    report = run_import(app, text, fmt)
    assert sorted(report.created) == ["stripe", "umeng"] and not report.updated
    vendors, aliases, facets, events = counts(app)
    assert (vendors, events) == (2, 2)
    assert aliases == 4 and facets == 4  # umeng: 3 keys, stripe: 1; CN+device, US+IE
    with app.app_context(), session_scope() as session:
        umeng = services.get_vendor(session=session, slug="umeng")
        assert umeng.status_since is not None and umeng.aliases == ["友盟+", "U-App"]
        assert services.find_by_name(session=session, name="umeng") is not None


def test_bulk_create_matches_create_vendor_exactly(app: Flask) -> None:
    def state(session: Any) -> Any:
        vendor = services.get_vendor(session=session, slug="umeng")
        snap = services.vendor_snapshot(vendor)
        alias_columns = (col(VendorAlias.alias), col(VendorAlias.key), col(VendorAlias.is_name))
        rows = session.execute(select(*alias_columns).order_by(col(VendorAlias.key))).all()
        facets = session.execute(
            select(col(VendorFacet.facet), col(VendorFacet.value)).order_by(col(VendorFacet.value))
        ).all()
        event = session.execute(select(AuditEvent)).scalar_one()
        return (
            snap,
            vendor.search_text,
            vendor.version,
            vendor.origin,
            list(rows),
            list(facets),
            (event.action, event.object_type, event.changes),
        )

    with app.app_context(), session_scope() as session:
        record = validation.validate_rows(session=session, rows=[UMENG], reference=get_reference())
        bulk.bulk_create_vendors(session=session, records=record, reference=get_reference())
        session.expire_all()
        bulk_state = state(session)
        session.rollback()
        services.create_vendor(session=session, data=record[0], reference=get_reference())
        single_state = state(session)
        session.rollback()
    assert bulk_state == single_state


def test_every_bad_row_is_reported_and_nothing_is_written(app: Flask) -> None:
    run_import(app, json.dumps([STRIPE]), "json")
    before = counts(app)
    rows = [
        {"slug": "ok-one", "name": "OK One"},
        {"slug": "Bad Slug", "name": "x", "hq_country": "XX"},
        {"slug": "no-name"},
        {"slug": "ok-one", "name": "Again"},
        {"slug": "clash", "name": "STRIPE"},
        {"slug": "cat", "name": "Cat", "category": "not-a-category", "legal_entities": [{}]},
        "not an object",
    ]
    with pytest.raises(formats.ImportInvalid) as caught:
        run_import(app, json.dumps(rows), "json")
    problems = {(p.row, p.field) for p in caught.value.rows}
    assert {
        (2, "slug"),
        (2, "hq_country"),
        (3, "name"),
        (4, "slug"),
        (5, "name"),
        (6, "legal_entities.0.name"),
        (7, "_row"),
    } <= problems
    assert 1 not in {p.row for p in caught.value.rows}
    assert all(p.message for p in caught.value.rows)
    assert "2.hq_country" in (caught.value.errors or {})
    assert counts(app) == before
    with pytest.raises(formats.ImportInvalid) as cat:
        run_import(app, json.dumps([{"slug": "cat", "name": "Cat", "category": "nope"}]), "json")
    assert [(p.row, p.field) for p in cat.value.rows] == [(1, "category")]


def test_csv_cells_and_bad_headers(app: Flask) -> None:
    text = (
        "slug,name,aliases,processing_countries,dpf_certified,legal_entities\n"
        'acme,Acme,"Acme Corp; ACME Ltd",CN;SG,yes,\n'
        'bad,Bad,,,maybe,"{not json"\n'
    )
    with pytest.raises(formats.ImportInvalid) as caught:
        run_import(app, text, "csv")
    assert {(p.row, p.field) for p in caught.value.rows} == {
        (2, "dpf_certified"),
        (2, "legal_entities"),
    }
    report = run_import(app, text.splitlines()[0] + "\n" + text.splitlines()[1] + "\n", "csv")
    assert report.created == ["acme"]
    with app.app_context(), session_scope() as session:
        acme = services.get_vendor(session=session, slug="acme")
        assert acme.aliases == ["Acme Corp", "ACME Ltd"] and acme.processing_countries == [
            "CN",
            "SG",
        ]
        assert acme.dpf_certified is True
    with pytest.raises(formats.ImportInvalid) as header:
        run_import(app, "slug,name,colour\nx,y,z\n", "csv")
    assert header.value.rows[0].row == 0 and "colour" in header.value.rows[0].message


def test_unparseable_files_are_reported_as_row_zero() -> None:
    cases: list[tuple[str | bytes, str]] = [
        ("{", "json"),
        ("a: [", "yaml"),
        ('{"a": 1}', "json"),
        (b"\xff", "csv"),
    ]
    for data, fmt in cases:
        with pytest.raises(formats.ImportInvalid) as caught:
            parsing.parse_file(data, fmt)
        assert caught.value.rows[0].row == 0


def test_upsert_and_dry_run_report_created_updated_unchanged(app: Flask) -> None:
    run_import(app, json.dumps([UMENG, STRIPE]), "json")
    before = counts(app)
    changed_stripe = {**STRIPE, "description": "Payments"}
    new = {"slug": "adyen", "name": "Adyen", "hq_country": "NL"}
    text = json.dumps([UMENG, changed_stripe, new])
    dry = run_import(app, text, "json", dry_run=True)
    assert (dry.created, dry.updated, dry.unchanged) == (["adyen"], ["stripe"], ["umeng"])
    assert counts(app) == before
    real = run_import(app, text, "json")
    assert (real.created, real.updated, real.unchanged) == (["adyen"], ["stripe"], ["umeng"])
    with app.app_context(), session_scope() as session:
        assert services.get_vendor(session=session, slug="stripe").description == "Payments"
        updates = session.execute(
            select(AuditEvent).where(col(AuditEvent.action) == "update")
        ).scalars()
        assert [e.object_id for e in updates] == ["stripe"]


def test_import_file_tells_its_progress_of_each_step_once(app: Flask) -> None:
    run_import(app, json.dumps([STRIPE]), "json")
    steps: list[tuple[str, int]] = []
    done: dict[str, int] = {}

    @contextmanager
    def progress(step: upsert.ImportStep, total: int) -> Iterator[Callable[[int], None]]:
        steps.append((step, total))

        def tick(n: int) -> None:
            done[step] = done.get(step, 0) + n

        yield tick

    def run(rows: list[Any]) -> None:
        with app.app_context(), session_scope() as session:
            upsert.import_file(
                session=session,
                data=json.dumps(rows).encode(),
                fmt="json",
                reference=get_reference(),
                progress=progress,
            )

    run([UMENG, STRIPE, {"slug": "adyen", "name": "Adyen", "hq_country": "NL"}])
    assert steps == [("validate", 3), ("write", 3)]
    assert done == {"validate": 3, "write": 3}  # one update, two created in bulk
    # A file with a bad row stops after validating it: no write step.
    steps.clear()
    with pytest.raises(formats.ImportInvalid):
        run([{"slug": "no-name"}])
    assert steps == [("validate", 1)]


def test_an_alias_may_move_between_vendors_in_one_file(app: Flask) -> None:
    run_import(
        app,
        json.dumps(
            [
                {"slug": "alpha", "name": "Alpha", "aliases": ["Shared"]},
                {"slug": "beta", "name": "Beta"},
            ]
        ),
        "json",
    )
    moved = [
        {"slug": "alpha", "name": "Alpha", "aliases": []},
        {"slug": "beta", "name": "Beta", "aliases": ["Shared"]},
    ]
    report = run_import(app, json.dumps(moved), "json")
    assert sorted(report.updated) == ["alpha", "beta"]


def test_a_crash_mid_import_writes_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    run_import(app, json.dumps([STRIPE]), "json")
    before = counts(app)
    real = bulk._insert_index_rows
    calls = {"n": 0}

    def crash_on_second_chunk(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        real(*args, **kwargs)

    monkeypatch.setattr(bulk, "CHUNK", 10)
    monkeypatch.setattr(bulk, "_insert_index_rows", crash_on_second_chunk)
    rows = [{"slug": f"v-{i}", "name": f"Vendor {i}"} for i in range(30)]
    changed = {**STRIPE, "notes": "changed"}
    with pytest.raises(RuntimeError):
        run_import(app, json.dumps([changed, *rows]), "json")
    assert counts(app) == before
    with app.app_context(), session_scope() as session:
        assert services.get_vendor(session=session, slug="stripe").notes is None


@pytest.mark.parametrize("fmt", ["csv", "json", "yaml"])
def test_round_trip_export_import_export_is_identical(app: Flask, fmt: str) -> None:
    records = [
        UMENG,
        STRIPE,
        {"slug": "plain", "name": "Plain"},
        {
            "slug": "quoted",
            "name": 'Quote "me", please',
            "notes": "line one\nline two",
            "sdk": {"android_packages": ["com.q"], "domains": ["q.example"]},
            "urls": {"privacy_policy": "https://q.example/privacy"},
            "last_verified": "2025-12-31",
        },
    ]
    run_import(app, json.dumps(records), "json")
    first = export(app, fmt)
    empty_registry(app)
    run_import(app, first, fmt)
    assert export(app, fmt) == first
    reread = run_import(app, first, fmt)
    assert not reread.created and not reread.updated and len(reread.unchanged) == 4


def test_export_formats_parse_back(app: Flask) -> None:
    run_import(app, json.dumps([UMENG, STRIPE]), "json")
    as_json = json.loads(export(app, "json"))
    assert [r["slug"] for r in as_json] == ["stripe", "umeng"]
    assert list(as_json[0]) == list(formats.FIELDS)
    assert yaml.safe_load(export(app, "yaml")) == as_json
    rows = list(csv.DictReader(io.StringIO(export(app, "csv"))))
    assert [r["slug"] for r in rows] == ["stripe", "umeng"] and rows[1]["status"] == "active"


# ---- HTTP --------------------------------------------------------------------------------------


def test_api_upload_and_download(app: Flask, client: FlaskClient, auth: Headers) -> None:
    legal = auth("legal")
    upload = {"file": (io.BytesIO(json.dumps([UMENG, STRIPE]).encode()), "vendors.json")}
    dry = client.post(
        "/api/v1/vendor-import?dry_run=true",
        data=upload,
        headers=legal,
        content_type="multipart/form-data",
    )
    assert dry.status_code == 200 and dry.get_json()["dry_run"] is True
    assert sorted(dry.get_json()["created"]) == ["stripe", "umeng"] and counts(app)[0] == 0
    upload = {"file": (io.BytesIO(json.dumps([UMENG, STRIPE]).encode()), "vendors.json")}
    done = client.post(
        "/api/v1/vendor-import", data=upload, headers=legal, content_type="multipart/form-data"
    )
    assert done.status_code == 200 and counts(app)[0] == 2
    for fmt, mimetype in (
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("yaml", "application/yaml"),
    ):
        got = client.get(f"/api/v1/vendor-export?format={fmt}", headers=auth("viewer"))
        assert got.status_code == 200 and got.mimetype == mimetype
        disposition = got.headers["Content-Disposition"]
        assert disposition.startswith("attachment;") and disposition.endswith(f'.{fmt}"')
        assert got.get_data(as_text=True) == export(app, fmt)


def test_api_reports_bad_rows_as_problem_json(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    text = csv_of([STRIPE]) + "bad slug,Bad,,,,,,XX,,,,,,,,,,,,,,,,\n"
    upload = {"file": (io.BytesIO(text.encode()), "vendors.csv")}
    response = client.post(
        "/api/v1/vendor-import",
        data=upload,
        headers=auth("legal"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    body = response.get_json()
    assert "2.slug" in body["errors"] and "2.hq_country" in body["errors"]
    assert counts(app)[0] == 0
    unknown = {"file": (io.BytesIO(b"x"), "vendors.txt")}
    assert (
        client.post(
            "/api/v1/vendor-import",
            data=unknown,
            headers=auth("legal"),
            content_type="multipart/form-data",
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/vendor-import",
            data={"file": (io.BytesIO(b"[]"), "v.json")},
            headers=auth("procurement"),
            content_type="multipart/form-data",
        ).status_code
        == 403
    )


# ---- CLI ---------------------------------------------------------------------------------------


def _cli(app: Flask, args: list[str]) -> Any:
    return CliRunner().invoke(main, args, obj=_script_info(app), catch_exceptions=False)


def _script_info(app: Flask) -> Any:
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=lambda: app)


def test_cli_import_export_and_dry_run(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "vendors.yaml"
    path.write_text(vendor_export.render([UMENG, STRIPE], "yaml"), encoding="utf-8")
    dry = _cli(app, ["vendors", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "create\tumeng" in dry.output and "dry run" in dry.output and counts(app)[0] == 0
    done = _cli(app, ["vendors", "import", str(path)])
    assert done.exit_code == 0 and "2 created, 0 updated, 0 unchanged" in done.output
    out = tmp_path / "out.csv"
    assert _cli(app, ["vendors", "export", "--output", str(out)]).exit_code == 0
    assert out.read_text(encoding="utf-8") == export(app, "csv")
    stdout = _cli(app, ["vendors", "export", "--format", "json"])
    assert json.loads(stdout.output)[1]["slug"] == "umeng"
    with app.app_context(), session_scope() as session:
        actors = set(session.execute(select(col(AuditEvent.actor))).scalars())
        assert all(a.startswith("cli") for a in actors)


def test_cli_lists_every_bad_row(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"slug": "x"}, {"slug": "y", "name": "Y", "hq_country": "QQ"}]))
    result = CliRunner().invoke(main, ["vendors", "import", str(path)], obj=_script_info(app))
    assert result.exit_code == 1
    assert "row 1, name:" in result.output and "row 2, hq_country:" in result.output
    assert counts(app)[0] == 0


def test_cli_shows_progress_on_large_files(app: Flask, tmp_path: Path) -> None:
    rows = [{"slug": f"v-{i}", "name": f"Vendor {i}"} for i in range(vendor_cli.PROGRESS_THRESHOLD)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(rows))
    result = _cli(app, ["vendors", "import", str(path)])
    assert result.exit_code == 0
    assert "Validating 500 rows" in result.output and "Writing 500 vendors" in result.output
