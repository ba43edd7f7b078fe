"""Reading policies: plain text, visible HTML text, PDF text layers, limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assessments.scanner.extract import (
    MAX_BYTES,
    ExtractionError,
    detect_format,
    extract_text,
    html_to_text,
)


def test_html_keeps_visible_text_only() -> None:
    html = """<!doctype html><html><head><title>Policy</title>
    <style>.x{color:red}</style><script>var sdk = "Umeng";</script></head>
    <body><h1>Privacy</h1><p>We use <b>Firebase</b>&nbsp;&amp; AdMob.</p>
    <div hidden>Hidden Mixpanel</div><div style="display: none">Segment</div>
    <ul><li>IMEI</li><li>OAID</li></ul><noscript>Enable JS</noscript>
    <p>Line<br>break</p></body></html>"""
    text = html_to_text(html)
    assert "We use Firebase & AdMob." in text
    assert "• IMEI\n• OAID" in text
    assert "Line\nbreak" in text
    for absent in ("Umeng", "color", "Mixpanel", "Segment", "Enable JS", "Policy"):
        assert absent not in text


def test_pdf_text_layer(make_pdf: Callable[[list[str]], bytes]) -> None:
    data = make_pdf(["JusTalk uses Firebase (Crashlytics).", "Data: IMEI, OAID."])
    result = extract_text(data)
    assert result.format == "pdf"
    assert "Firebase (Crashlytics)" in result.text
    assert "IMEI, OAID" in result.text


def test_broken_pdf_is_unreadable() -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_text(b"%PDF-1.4\nthis is not a pdf", format="pdf")
    assert caught.value.reason == "unreadable"


def test_plain_text_encodings() -> None:
    assert extract_text("Zgoda użytkownika".encode()).text == "Zgoda użytkownika"
    assert extract_text("\ufeffBOM".encode()).text == "BOM"
    assert extract_text("个人信息".encode("utf-16")).text == "个人信息"
    assert extract_text("caf\xe9".encode("cp1252")).text == "café"


def test_limits_and_formats() -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_text(b"x" * (MAX_BYTES + 1))
    assert caught.value.reason == "too_large"
    with pytest.raises(ExtractionError) as caught:
        detect_format(b"PK\x03\x04", media_type="application/zip")
    assert caught.value.reason == "unsupported"
    with pytest.raises(ExtractionError):
        detect_format(b"\x89PNG\r\n\x1a\n\x00\x00", filename="logo.png")
    assert detect_format(b"<html><body>x</body></html>") == "html"
    assert detect_format(b"plain", filename="policy.htm") == "html"
    assert detect_format(b"%PDF-1.7", media_type="application/octet-stream") == "pdf"
