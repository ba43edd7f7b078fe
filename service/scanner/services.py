"""Scan a policy against the registry: read the upload, reuse the matcher, diff a review."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlmodel import Session, col
from werkzeug.datastructures import FileStorage

from assessments.scanner import Matcher, compile_matcher, default_lexicon, diff, scan
from assessments.scanner.extract import MAX_BYTES, ExtractionError, extract_text, html_to_text
from assessments.scanner.pdf import PdfLimits
from service import errors
from service.reviews.models import OPEN_STATUSES, Review
from service.vendors.models import Vendor
from service.vendors.names import NameIndex, name_index


def matcher_cache(app: Flask) -> NameIndex:
    """Where the app keeps its matcher: the registry's one name index."""
    return name_index(app)


def get_matcher(*, session: Session, cache: NameIndex) -> Matcher:
    """The matcher for the registry as it is now: compiled once per registry version."""
    return cache.sync(session).matcher(session, compile_matcher)


@dataclass(frozen=True)
class Policy:
    """A policy's text, the format it was read as, and the review to compare with."""

    text: str
    format: str
    review_id: int | None
    uploaded: bool = False


_EXTRACTION_ERRORS: dict[str, type[errors.DomainError]] = {
    "too_large": errors.PayloadTooLarge,
    "unsupported": errors.UnsupportedMediaType,
}


def pdf_limits(app: Flask) -> PdfLimits:
    """What reading one uploaded PDF may cost in this app (`PDF_READ_SECONDS`)."""
    return PdfLimits(seconds=float(app.config["PDF_READ_SECONDS"]))


def read_policy(*, data: Mapping[str, Any], limits: PdfLimits | None = None) -> Policy:
    """The policy from pasted text ({text, format?, review_id?}) or an uploaded `file`.

    An uploaded PDF is read in a limited child process (pages, decompressed bytes, characters,
    time, memory): over a size limit 413, over the time limit or unreadable 422.
    """
    upload: FileStorage | None = data.get("file")
    if upload is not None:
        try:
            content = upload.read(MAX_BYTES + 1)
        finally:
            upload.close()  # a large upload is a temporary file: release it now
        media_type = upload.mimetype if upload.mimetype != "application/octet-stream" else None
        try:
            extracted = extract_text(
                content,
                format=data.get("format"),
                media_type=media_type,
                filename=upload.filename,
                pdf_limits=limits or PdfLimits(),
            )
        except ExtractionError as exc:
            error = _EXTRACTION_ERRORS.get(exc.reason)
            if error is not None:
                raise error(str(exc)) from exc
            raise errors.ValidationFailed(str(exc), errors={"file": [str(exc)]}) from exc
        return Policy(extracted.text, extracted.format, data.get("review_id"), uploaded=True)
    text = str(data["text"])
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise errors.PayloadTooLarge(f"The policy is larger than {MAX_BYTES} bytes.")
    fmt = data.get("format", "text")
    return Policy(html_to_text(text) if fmt == "html" else text, fmt, data.get("review_id"))


def reviewed_vendors(*, session: Session, review_id: int) -> tuple[str, list[str]]:
    """The exporter of a review and the vendors of its open reviews (the review included)."""
    review = session.get(Review, review_id)
    if review is None:
        raise errors.ValidationFailed(
            f"No review {review_id}.", errors={"review_id": [f"No review {review_id}."]}
        )
    slugs = session.execute(
        select(col(Vendor.slug))
        .join(Review, col(Review.vendor_id) == col(Vendor.id))
        .where(
            col(Review.exporter_key) == review.exporter_key,
            col(Review.status).in_(OPEN_STATUSES),
        )
    ).scalars()
    return review.exporter_name, sorted(set(slugs) | {_slug_of(session, review)})


def _slug_of(session: Session, review: Review) -> str:
    vendor = session.get(Vendor, review.vendor_id)
    assert vendor is not None  # a foreign key; vendors are archived, never deleted
    return vendor.slug


def scan_policy(*, session: Session, cache: NameIndex, policy: Policy) -> dict[str, Any]:
    """Scan a policy against the registry; with a review, the vendor diff too. Writes nothing."""
    report = scan(policy.text, get_matcher(session=session, cache=cache), default_lexicon())
    out = report.to_dict()
    out["format"] = policy.format
    # Offsets point into the text as read: give it back when the client did not send it as is.
    out["text"] = policy.text if policy.uploaded or policy.format != "text" else None
    out["diff"] = None
    if policy.review_id is not None:
        exporter, reviewed = reviewed_vendors(session=session, review_id=policy.review_id)
        out["diff"] = {
            "review_id": policy.review_id,
            "exporter": exporter,
            **diff(report, reviewed).to_dict(),
        }
    return out
