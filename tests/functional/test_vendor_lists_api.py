"""`xborder catalog import-list` and POST /api/v1/vendor-lists/<kind>: a diff first, nothing
written without apply; applied changes are audited and carry their source and date."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.audit.models import AuditEvent
from service.cli import main
from service.db import session_scope
from tests.helpers import Headers, wait_for_jobs

LISTS = Path(__file__).resolve().parents[1] / "data" / "lists"

YOOMONEY = {
    "slug": "yoomoney",
    "name": "YooMoney",
    "hq_country": "RU",
    "legal_entities": [{"name": "YooMoney NBCO LLC", "country": "RU", "role": "hq"}],
    "ownership": {"parent": {"name": "PJSC Sberbank", "country": "RU", "share": 100}},
}
ACME_MAILER = {
    "slug": "acme-mailer",
    "name": "Acme Mailer",
    "hq_country": "US",
    "legal_entities": [{"name": "Acme Mailer Group LLC", "country": "US", "role": "hq"}],
}


def _seed(client: FlaskClient, headers: dict[str, str]) -> None:
    for body in (YOOMONEY, ACME_MAILER):
        assert client.post("/api/v1/vendors", json=body, headers=headers).status_code == 201


def _upload(name: str, field: str = "file") -> dict[str, Any]:
    return {field: (io.BytesIO((LISTS / name).read_bytes()), name)}


def _post_file(client: FlaskClient, url: str, headers: dict[str, str], name: str) -> Any:
    """POST the list file `name` to url as a multipart upload; the response."""
    return client.post(url, data=_upload(name), headers=headers, content_type="multipart/form-data")


def _audit_actions(app: Flask) -> list[str]:
    with app.app_context(), session_scope() as session:
        return list(session.execute(select(AuditEvent.action)).scalars())


def test_api_diff_writes_nothing_and_apply_is_audited(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    _seed(client, legal)
    events = len(_audit_actions(app))
    dry = _post_file(client, "/api/v1/vendor-lists/csl?retrieved=2026-12-04", legal, "csl.csv")
    assert dry.status_code == 200, dry.get_json()
    body = dry.get_json()
    assert body["applied"] is False and body["date"] == "2026-12-04"
    [change] = [c for c in body["changes"] if c["slug"] == "yoomoney"]
    assert change["change"] == "new" and change["fact"] == "sanctions"
    assert change["after"]["through_ownership"] is True
    assert change["source"] == "https://www.trade.gov/consolidated-screening-list"
    assert "c1a5 UNRELATED TRADING FZE" in body["unmatched"]
    assert len(_audit_actions(app)) == events
    assert client.get("/api/v1/vendors/yoomoney", headers=legal).get_json()["sanctions"] == []

    done = _post_file(
        client, "/api/v1/vendor-lists/csl?apply=true&retrieved=2026-12-04", legal, "csl.csv"
    )
    assert done.status_code == 200 and done.get_json()["updated"] == ["yoomoney"]
    vendor = client.get("/api/v1/vendors/yoomoney", headers=legal).get_json()
    assert vendor["sanctioned"] is True
    assert vendor["sanctions"][0]["designated"] == "2022-04-06"
    source = vendor["sources"][-1]
    assert source["url"] == "https://www.trade.gov/consolidated-screening-list"
    assert source["retrieved"] == "2026-12-04" and source["facts"] == ["sanctions"]
    assert _audit_actions(app)[events:] == ["list_import"]


def test_api_dpf_export_with_its_parts(app: Flask, client: FlaskClient, auth: Headers) -> None:
    legal = auth("legal")
    _seed(client, legal)
    done = _post_file(
        client, "/api/v1/vendor-lists/dpf?apply=true&retrieved=2026-12-04", legal, "dpf.csv"
    )
    assert done.status_code == 200
    vendor = client.get("/api/v1/vendors/acme-mailer", headers=legal).get_json()
    assert vendor["dpf"]["status"] == "active"
    assert vendor["dpf"]["parts"] == ["eu_us", "uk_extension", "swiss_us"]
    assert vendor["dpf_certified"] is True


def test_api_refuses_bad_files_roles_and_sizes(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    bad = _post_file(client, "/api/v1/vendor-lists/tcf_gvl", legal, "csl.csv")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert "file" in bad.get_json()["errors"]
    unknown = _post_file(client, "/api/v1/vendor-lists/ofac", legal, "csl.csv")
    assert unknown.status_code == 404
    refused = _post_file(client, "/api/v1/vendor-lists/csl", auth("procurement"), "csl.csv")
    assert refused.status_code == 403
    app.config["MAX_CONTENT_LENGTH"] = 512
    big = _post_file(client, "/api/v1/vendor-lists/csl", legal, "csl.csv")
    assert big.status_code == 413 and big.mimetype == "application/problem+json"
    with app.app_context(), session_scope() as session:
        vendor_events = select(func.count()).where(AuditEvent.object_type == "vendor")
        assert session.execute(vendor_events).scalar_one() == 0


def test_cli_prints_the_diff_and_applies_only_when_asked(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    _seed(client, auth("legal"))
    runner = CliRunner()
    info = ScriptInfo(create_app=lambda: app)
    args = [
        "catalog",
        "import-list",
        "tcf_gvl",
        str(LISTS / "gvl.json"),
        "--avil",
        str(LISTS / "avil.json"),
    ]
    dry = runner.invoke(main, [*args[:4], "--retrieved", "2026-12-04"], obj=info)
    assert dry.exit_code == 0, dry.output
    assert "unmatched 91 Acme Ads SA" in dry.output
    assert "nothing changed" in dry.output
    dpf = runner.invoke(main, ["catalog", "import-list", "dpf", str(LISTS / "dpf.csv")], obj=info)
    assert "new       acme-mailer: dpf - -> " in dpf.output
    before = client.get("/api/v1/vendors/acme-mailer", headers=auth("viewer")).get_json()
    assert before["dpf"] is None
    applied = runner.invoke(
        main, ["catalog", "import-list", "dpf", str(LISTS / "dpf.csv"), "--apply"], obj=info
    )
    assert applied.exit_code == 0, applied.output
    assert "applied: 1 vendor(s) updated" in applied.output
    vendor = client.get("/api/v1/vendors/acme-mailer", headers=auth("viewer")).get_json()
    assert vendor["dpf"]["entity"] == "Acme Mailer Group LLC"


def _list_job(app: Flask, client: FlaskClient, query: str, headers: dict[str, str]) -> Any:
    """Run a CSL import as a job (POST .../csl/jobs?query) to its end; the job, succeeded."""
    queued = _post_file(client, f"/api/v1/vendor-lists/csl/jobs?{query}", headers, "csl.csv")
    assert queued.status_code == 202, queued.get_json()
    wait_for_jobs(app)
    job = client.get(queued.get_json()["url"], headers=headers).get_json()
    assert job["status"] == "succeeded", job
    return job


def test_the_list_import_job_takes_the_same_options_and_gives_the_same_diff(
    app: Flask, client: FlaskClient, auth: Headers
) -> None:
    legal = auth("legal")
    _seed(client, legal)
    now = _post_file(
        client, "/api/v1/vendor-lists/csl?retrieved=2026-12-04", legal, "csl.csv"
    ).get_json()
    assert now["applied"] is False and now["date"] == "2026-12-04"
    job = _list_job(app, client, "retrieved=2026-12-04", legal)
    for key in ("applied", "date", "changes", "unmatched", "updated"):
        assert job["result"][key] == now[key], key
    # Without `retrieved`, the file's own date (or today) applies, as it does synchronously.
    job = _list_job(app, client, "apply=true", legal)
    assert job["result"]["applied"] is True and job["result"]["updated"] == ["yoomoney"]
    bad = _post_file(client, "/api/v1/vendor-lists/csl/jobs?retrieved=yesterday", legal, "csl.csv")
    assert bad.status_code == 422 and "retrieved" in bad.get_json()["errors"]
