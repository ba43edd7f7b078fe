"""The UI's form helpers: dotted field names <-> the API's JSON and its field errors."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from service import errors
from service.web import forms, labels
from service.web.pages.assistant import answer_html


def test_errors_flatten_to_the_form_field_names() -> None:
    messages = {
        "transfer": {
            "data_subjects": {0: {"count": ["Not a valid integer."]}},
            "exporter": {"name": ["Name the exporter."]},
            "_schema": ["Something about the whole transfer."],
        },
        "vendor": ["Unknown vendor."],
    }
    assert forms.flatten_errors(messages) == {
        "transfer.data_subjects.0.count": ["Not a valid integer."],
        "transfer.exporter.name": ["Name the exporter."],
        "transfer": ["Something about the whole transfer."],
        "vendor": ["Unknown vendor."],
    }


def test_rows_drop_blank_ones_and_keep_order() -> None:
    form = {
        "s.0.a": "",
        "s.0.b": "",
        "s.1.a": "x",
        "s.1.b": "",
        "s.10.a": "",
        "s.10.b": "y",
        "other": "z",
    }
    assert forms.rows(form, "s", ("a", "b")) == [{"a": "x", "b": ""}, {"a": "", "b": "y"}]


def test_typed_values() -> None:
    assert forms.integer("2,000,000") == 2_000_000
    assert forms.integer("two million") == "two million"
    assert forms.integer("  ") is ...
    assert forms.tristate("yes") is True and forms.tristate("no") is False
    assert forms.tristate("") is None
    assert forms.lines("a\r\n\r\n b \n") == ["a", "b"]
    assert forms.words("US, ie;SG\nDE") == ["US", "ie", "SG", "DE"]
    body: dict[str, object] = {}
    forms.put(body, "transfer.exporter.name", "Acme")
    forms.put(body, "transfer.exporter.country", ...)
    assert body == {"transfer": {"exporter": {"name": "Acme"}}}


def test_flatten_turns_json_into_field_values() -> None:
    data = {"status": {"value": "active"}, "sources": [{"url": "https://x"}], "aliases": ["a"]}
    assert forms.flatten(data) == {
        "status.value": "active",
        "sources.0.url": "https://x",
        "aliases": ["a"],
    }


def test_field_labels_name_what_the_page_shows() -> None:
    assert labels.field("transfer.data_subjects.1.count") == "Group 2: how many people"
    assert labels.field("transfer.data_categories.3") == "Data categories"
    assert labels.field("transfer.exporter.cn_outbound_ytd") == "Exporter · cn outbound ytd"


def test_answers_show_inline_code_and_stay_escaped() -> None:
    html = answer_html("Add `processing_countries` to <b>the record</b>.")
    assert isinstance(html, Markup)
    assert "<code>processing_countries</code>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_a_form_from_an_older_version_is_refused_with_the_pages_message() -> None:
    """The form's etag must be the record's current ETag; any other, or none, is a 412 that
    says what the page says (each page names its record)."""
    forms.check_etag('W/"review-7-2"', 'W/"review-7-2"', "Stale review.")
    for sent in ('W/"review-7-1"', "", None):
        with pytest.raises(errors.PreconditionFailed) as refused:
            forms.check_etag(sent, 'W/"review-7-2"', "Stale review.")
        assert refused.value.status == 412 and refused.value.detail == "Stale review."
    form = {"etag": "a", "etag.5": "b"}
    forms.etag_check(form, "Stale.")("a")
    forms.etag_check(form, "Stale.", "etag.5")("b")
    with pytest.raises(errors.PreconditionFailed, match="Stale item"):
        forms.etag_check(form, "Stale item.", "etag.5")("a")
    with pytest.raises(errors.PreconditionFailed):
        forms.etag_check(form, "Stale.", "etag.6")("b")
