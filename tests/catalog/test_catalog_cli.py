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


def one_vendor_catalog(tmp_path: Path, vendor_yaml: str) -> Path:
    """A catalog with one vendor category (cloud) and one vendor file, acme.yaml."""
    data = tmp_path / "vendor_data"
    (data / "vendors").mkdir(parents=True)
    (data / "categories.yaml").write_text(
        "categories:\n  - {id: cloud, name: Cloud, kind: service, description: Cloud hosting.}\n",
        encoding="utf-8",
    )
    (data / "vendors" / "acme.yaml").write_text(vendor_yaml, encoding="utf-8")
    return data


def test_validate_prints_file_line_and_exits_1(tmp_path: Path) -> None:
    data = one_vendor_catalog(
        tmp_path, "slug: acme\nname: Acme\ncategory: cloud\nproduct_type: servise\n"
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


def test_strict_fails_on_what_is_only_a_warning_by_default(tmp_path: Path) -> None:
    data = one_vendor_catalog(
        tmp_path,
        "slug: acme\nname: Acme\ncategory: cloud\nproduct_type: service\nhq_country: DE\n"
        "sources:\n  - {ref: seed 001_x.txt, facts: [hq_country]}\nlast_verified: 2026-11-01\n",
    )
    lax = CliRunner().invoke(validate_command, ["--catalog-dir", str(data)])
    assert lax.exit_code == 0, lax.output
    assert "no problems; 2 warning(s)" in lax.output
    strict = CliRunner().invoke(validate_command, ["--catalog-dir", str(data), "--strict"])
    assert strict.exit_code == 1
    expected = "vendor_data/vendors/acme.yaml:7: sources.0: 'seed 001_x.txt' has no url"
    assert expected in strict.output


def test_stats_prints_each_target_with_the_vendors_missing_it() -> None:
    result = CliRunner().invoke(stats_command, ["--json"])
    facts = json.loads(result.output)["facts"]
    assert set(facts) >= {
        "hq",
        "ownership",
        "dpf",
        "data_locations",
        "dpa_url",
        "subprocessors_url",
        "transfer_mechanisms",
        "certifications",
    }
    for row in facts.values():
        assert row["have"] + len(row["missing"]) == row["of"] or row["target"] is None
    text = CliRunner().invoke(stats_command, []).output
    assert "HQ country and HQ legal entity" in text and "target >= 95%" in text


def test_stats_stale_lists_facts_with_their_source(tmp_path: Path) -> None:
    data = one_vendor_catalog(
        tmp_path,
        "slug: acme\nname: Acme\ncategory: cloud\nproduct_type: service\nhq_country: DE\n"
        "sources:\n  - {url: 'https://acme.example/imprint', retrieved: 2020-01-02, "
        "facts: [hq_country]}\nlast_verified: 2020-01-02\n",
    )
    result = CliRunner().invoke(stats_command, ["--catalog-dir", str(data), "--stale"])
    assert result.exit_code == 0, result.output
    expected = "acme: hq_country (last checked 2020-01-02: https://acme.example/imprint)"
    assert expected in result.output
    assert "1 fact(s) not re-checked in 12 months" in result.output
