"""`xborder assess FILE [--as-of DATE] [--json]`: a transfer from YAML or JSON, per regime."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from service.cli import main
from tests.helpers import DATA


def assess(app: Flask, path: Path, *options: str) -> str:
    """The output of a successful `xborder assess PATH [OPTIONS]`."""
    result = app.test_cli_runner().invoke(main, ["assess", str(path), *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_assess_prints_a_table_with_fired_rules(app: Flask) -> None:
    output = assess(app, DATA / "jus_firebase_transfer.yaml")
    assert "CN      approval_required   cn_security_assessment" in output
    assert "EU      permitted           eu_dpf" in output
    assert "CN-P7-1M  [CAC Order No. 16 Art. 7(2)]" in output
    assert "within 60 working days before expiry" in output


def test_assess_json_and_as_of(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "transfer.json"
    data = {
        "exporter": {"country": "CN", "ciio": False, "cn_processing_volume": 50000},
        "importer": {"country": "SG"},
        "data_subjects": [{"jurisdiction": "CN", "count": 50000}],
        "data_categories": ["contact"],
        "important_data": False,
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    before = json.loads(assess(app, path, "--json", "--as-of", "2024-03-21"))
    after = json.loads(assess(app, path, "--json", "--as-of", "2024-03-22"))
    old, new = before["regimes"]["CN"], after["regimes"]["CN"]
    assert (old["verdict"], old["mechanism"]) == ("mechanism_required", "cn_standard_contract")
    assert (new["verdict"], new["mechanism"]) == ("permitted", "cn_exempt")


def test_assess_shows_provisional_verdicts_and_their_branches(app: Flask, tmp_path: Path) -> None:
    """Issue 13: an unstated CIIO status is a question with both answers, never a lax pass."""
    path = tmp_path / "transfer.yaml"
    path.write_text(
        "as_of: 2026-11-22\n"
        "exporter: {name: PRC retailer, country: CN, cn_processing_volume: 50000}\n"
        "importer: {name: EDM, country: SG, role: processor}\n"
        "important_data: false\n"
        "data_subjects: [{jurisdiction: CN, count: 50000}]\n"
        "data_categories: [contact]\n",
        encoding="utf-8",
    )
    output = assess(app, path)
    assert "CN      approval_required   cn_security_assessment" in output
    assert "PROVISIONAL" in output
    assert "critical information infrastructure operator" in output
    assert "yes: approval_required (cn_security_assessment)" in output
    assert "no: permitted (cn_exempt)" in output
    body = json.loads(assess(app, path, "--json"))
    cn = body["regimes"]["CN"]
    assert cn["provisional"] is True and cn["if_unknown"][0]["id"] == "ciio"


def test_assess_reports_field_errors(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("exporter: {country: China}\nimporter: {country: US}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["assess", str(path)])
    assert result.exit_code != 0
    assert "exporter" in result.output and "data_subjects" in result.output


def test_assess_quotes_the_line_of_bad_yaml(app: Flask, tmp_path: Path) -> None:
    """A file that is not YAML names itself, the line and column, and shows the line with a
    caret under the fault (libyaml's own error has no quote; yamlio.safe_load_user adds it)."""
    path = tmp_path / "bad.yaml"
    path.write_text("exporter: CN\n  importer: US\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 1
    assert f"{path}: not valid JSON/YAML: mapping values are not allowed here" in result.output
    assert "line 2, column 11:\n      importer: US\n              ^" in result.output


def test_assess_refuses_a_file_that_is_not_utf8(app: Flask, tmp_path: Path) -> None:
    """A file in another encoding (here GB 18030, common for Chinese text) is refused with a
    message naming the file, not a traceback."""
    path = tmp_path / "transfer.yaml"
    path.write_bytes("exporter: {name: 出口方}\n".encode("gb18030"))
    result = app.test_cli_runner().invoke(main, ["assess", str(path)])
    assert result.exit_code == 1
    assert f"{path}: not valid JSON/YAML: 'utf-8' codec can't decode" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
