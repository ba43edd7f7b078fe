"""Hostile PDFs: every reading limit answers with a reason, never a crash or a held worker."""

from __future__ import annotations

import pytest

from assessments.scanner.errors import ExtractionError
from assessments.scanner.pdf import PdfLimits, pdf_to_text
from tests.conftest import build_pdf

ROOMY = PdfLimits(seconds=30)  # size limits must answer whatever the machine's load


def reason_for(data: bytes, limits: PdfLimits = ROOMY) -> str:
    with pytest.raises(ExtractionError) as caught:
        pdf_to_text(data, limits)
    return caught.value.reason


def test_a_plain_pdf_still_reads() -> None:
    assert "Firebase" in pdf_to_text(build_pdf(["JusTalk uses Firebase."]), ROOMY)


def test_twenty_thousand_pages_sharing_one_stream_are_refused() -> None:
    assert reason_for(build_pdf(["Firebase"], pages=20_000)) == "too_large"


def test_pages_over_the_limit_are_refused_even_when_each_is_small() -> None:
    data = build_pdf(["Firebase"], pages=12)
    assert reason_for(data, PdfLimits(max_pages=10, seconds=30)) == "too_large"
    assert "Firebase" in pdf_to_text(data, PdfLimits(max_pages=12, seconds=30))


def test_a_decompression_bomb_is_refused() -> None:
    # 200 MB of content compressed to about 200 KB: pypdf's LimitReachedError, not a 500.
    data = build_pdf([], content=b"0" * 200_000_000, flate=True)
    assert len(data) < 300_000
    assert reason_for(data) == "too_large"


def test_decompressed_bytes_count_over_all_pages() -> None:
    # Each page's stream is small; together the pages decompress past the limit.
    data = build_pdf(["x" * 500] * 10, pages=50, flate=True)
    assert reason_for(data, PdfLimits(max_decompressed_bytes=100_000, seconds=30)) == "too_large"


def test_extracted_characters_are_limited() -> None:
    data = build_pdf(["A" * 200] * 30)
    assert reason_for(data, PdfLimits(max_chars=1_000, seconds=30)) == "too_large"


def test_sixty_million_characters_stop_at_a_limit() -> None:
    content = b"BT /F1 12 Tf (" + b"A" * 60_000_000 + b") Tj ET"
    data = build_pdf([], content=content, flate=True)
    assert reason_for(data) in {"too_large", "too_complex"}


def test_a_pdf_slower_than_the_time_limit_is_stopped() -> None:
    data = build_pdf(["Firebase " * 20] * 40, pages=900)
    assert reason_for(data, PdfLimits(seconds=0.05)) == "too_complex"


def test_garbage_is_unreadable() -> None:
    assert reason_for(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n") == (
        "unreadable"
    )
