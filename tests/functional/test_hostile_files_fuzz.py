"""Hypothesis throws hostile files at the scanner and the importer: a reason, never a crash.

The scanner reads each PDF in its limited child process and the importer parses each file
whole; whatever the bytes, the answer is text or a 4xx problem, and nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.scanner.errors import ExtractionError
from assessments.scanner.extract import extract_text
from assessments.scanner.pdf import PdfLimits
from service.db import session_scope
from service.reference.services import get_reference
from service.vendors.io import upsert
from service.vendors.io.formats import ImportInvalid
from tests.conftest import build_pdf

FAST = PdfLimits(seconds=1.0, max_pages=50, max_chars=200_000, max_decompressed_bytes=2_000_000)


@st.composite
def hostile_pdfs(draw: st.DrawFn) -> bytes:
    """A hand-built PDF, then damaged: bytes flipped, cut, spliced, counts that lie."""
    lines = draw(st.lists(st.text(max_size=40), max_size=4))
    safe = [line.encode("latin-1", "replace").decode("latin-1") for line in lines]
    pages = draw(st.integers(1, 80))
    data = bytearray(build_pdf(safe, pages=pages, flate=draw(st.booleans())))
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(8, len(data)))]
    if draw(st.booleans()):
        data = data.replace(b"/Count", b"/Count " + str(draw(st.integers(0, 10**9))).encode(), 1)
    splice = draw(st.binary(max_size=64))
    at = draw(st.integers(0, len(data)))
    return bytes(data[:at] + splice + data[at:])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=hostile_pdfs())
def test_the_scanner_reads_or_refuses_any_pdf(data: bytes) -> None:
    try:
        result = extract_text(data, format="pdf", pdf_limits=FAST)
    except ExtractionError as exc:
        assert exc.reason in {"too_large", "too_complex", "unreadable"}
    else:
        assert isinstance(result.text, str)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=2048), fmt=st.sampled_from(["text", "html"]))
def test_the_scanner_reads_or_refuses_any_text_or_html(data: bytes, fmt: str) -> None:
    try:
        assert isinstance(extract_text(data, format=fmt).text, str)
    except ExtractionError as exc:
        assert exc.reason in {"unsupported", "unreadable"}


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8") | st.sampled_from(["\x00", "=", "@", ";", '"', "\n"]),
    max_size=30,
)
_VALUE: Any = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=20,
)
_FIELDS = st.sampled_from(
    ["slug", "name", "aliases", "sdk", "legal_entities", "status", "urls", "notes", "x"]
)


@st.composite
def hostile_import_files(draw: st.DrawFn) -> tuple[bytes, str]:
    fmt = draw(st.sampled_from(["json", "yaml", "csv"]))
    rows = draw(st.lists(st.dictionaries(_FIELDS, _VALUE, max_size=5), max_size=3))
    if fmt == "json":
        text = json.dumps(rows)
    elif fmt == "yaml":
        anchor = draw(st.sampled_from(["", "- &a {slug: x}\n- *a\n", "&r [*r]\n", "[[[[[[["]))
        text = anchor or json.dumps(rows)  # JSON is YAML
    else:
        header = draw(st.lists(_FIELDS, min_size=1, max_size=4, unique=True))
        cells = draw(st.lists(st.lists(_TEXT, min_size=len(header), max_size=len(header))))
        text = "\n".join([",".join(header)] + [",".join(json.dumps(c) for c in r) for r in cells])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    data = text.encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=16))
    return data, fmt


@pytest.fixture
def registry(app: Flask) -> Flask:
    return app


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(file=hostile_import_files())
def test_the_importer_imports_or_refuses_any_file(registry: Flask, file: tuple[bytes, str]) -> None:
    data, fmt = file
    with registry.app_context(), session_scope() as session:
        try:
            report = upsert.import_file(
                session=session, data=data, fmt=fmt, reference=get_reference(), dry_run=True
            )
        except ImportInvalid as exc:
            assert exc.status == 422 and exc.errors
        else:
            assert report.dry_run
        finally:
            session.rollback()  # a dry run writes nothing
