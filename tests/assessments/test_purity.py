"""Importing every module of assessments/ pulls in no web, database, LLM or PDF library."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FORBIDDEN = ("flask", "sqlmodel", "sqlalchemy", "openai", "weasyprint")
REPO = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import assessments
names = [m.name for m in pkgutil.walk_packages(assessments.__path__, "assessments.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""


def test_assessments_imports_no_forbidden_package() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True
    )
    report = json.loads(out.stdout)
    assert "assessments.engine" in report["modules"]
    assert "assessments.transfers" in report["modules"]
    leaked = [m for m in report["loaded"] if m.split(".")[0] in FORBIDDEN]
    assert not leaked, leaked
