"""`xborder catalog validate` and `stats`: problems as file:line, exit status, coverage numbers."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from service.catalog.cli import stats_command, validate_command


def test_validate_passes_on_the_shipped_catalog() -> None:
    result = CliRunner().invoke(validate_command, [])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_validate_prints_file_line_and_exits_1(tmp_path: Path) -> None:
    data = tmp_path / "vendor_data"
    (data / "vendors").mkdir(parents=True)
    (data / "categories.yaml").write_text(
        "categories:\n  - {id: cloud, name: Cloud, kind: service, description: Cloud hosting.}\n",
        encoding="utf-8",
    )
    (data / "vendors" / "acme.yaml").write_text(
        "slug: acme\nname: Acme\ncategory: cloud\nproduct_type: servise\n", encoding="utf-8"
    )
    result = CliRunner().invoke(validate_command, ["--catalog-dir", str(data)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith("vendor_data/vendors/acme.yaml:4: product_type: Must be one of")
        for line in lines
    )
    assert any(line.startswith("vendor_data/vendors/acme.yaml:1: sources:") for line in lines)


def test_stats_reports_coverage_as_json() -> None:
    result = CliRunner().invoke(stats_command, ["--json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.output)
    assert numbers["vendors"] >= 200
    assert numbers["problems"] == 0
    assert numbers["by_category"]["push_sdk"] >= 7
    assert numbers["coverage"]["chinese_or_cyrillic_alias"] >= 30


def test_stats_prints_a_table() -> None:
    result = CliRunner().invoke(stats_command, [])
    assert result.exit_code == 0
    assert "by category:" in result.output
