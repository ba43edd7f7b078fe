"""Vendor pages: search-as-you-type list with filters, detail, create and edit."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from assessments.catalog.coverage import fact_provenance
from assessments.catalog.vendors import LEGACY_FIELDS
from service import errors
from service.audit.services import list_events
from service.auth.permissions import allow
from service.db import get_session
from service.models import utcnow
from service.paging import Page
from service.reference.services import get_reference
from service.reviews import services as review_services
from service.vendors import services
from service.vendors.models import Vendor
from service.vendors.names import name_index
from service.vendors.schemas import VendorCreateSchema, VendorQueryArgsSchema, VendorUpdateSchema
from service.vendors.views import vendor_etag
from service.web import choices, forms, labels
from service.web.blueprint import may, web

FILTERS = ("q", "category", "hq_country", "processing_country", "data_category", "status")
MULTI = ("data_categories", "purposes", "certifications", "transfer_mechanisms")
SOURCE_FIELDS = ("url", "ref", "retrieved", "facts", "note")
ENTITY_FIELDS = ("name", "country", "role", "address", "note")
SDK_FIELDS = ("android_packages", "ios_frameworks", "domains")
URL_KINDS = [kind for kind, _ in choices.URL_KIND_OPTIONS]
CONFLICT = (
    "Someone changed this vendor since you opened it. Your edits are kept below; reload to see "
    "their version, then apply your changes again."
)


def search_vendors(args: MultiDict[str, str], per_page: int = 20) -> tuple[Any, forms.FormState]:
    """One page of vendors for the filters in args (validated by the API's query schema)."""
    values = {k: args.get(k, "").strip() for k in (*FILTERS, "page") if args.get(k, "").strip()}
    form = forms.FormState(dict(values))
    query = {k: (v.upper() if k.endswith("country") else v) for k, v in values.items()}
    try:
        parsed = forms.load(VendorQueryArgsSchema(), {**query, "per_page": per_page})
    except errors.ValidationFailed as exc:
        return Page([], 0, 1, per_page), forms.state_from_error(values, exc)
    page = services.list_vendors(session=get_session(), args=parsed, names=name_index())
    return page, form


@allow("viewer")
@web.get("/vendors")
def vendors() -> str:
    """The registry: search as you type, filter by category, country, data category, status."""
    page, form = search_vendors(request.args)
    args = {k: v for k, v in form.values.items() if k != "page"}
    template = "web/_vendor_results.html" if request.args.get("fragment") else "web/vendors.html"
    return render_template(template, page=page, form=form, args=args, choices=choices)


@allow("viewer")
@web.get("/vendors/picker")
def vendor_picker() -> str:
    """Vendors matching q, as options for the review form's vendor picker (HTML fragment)."""
    page, _form = search_vendors(request.args, per_page=8)
    return render_template("web/_vendor_picker.html", page=page, q=request.args.get("q", ""))


@allow("viewer")
@web.get("/vendors/<slug>")
def vendor(slug: str) -> str:
    """A vendor: facts, sources, SDK signatures, reviews that use it, its audit history."""
    session = get_session()
    record = services.get_vendor(session=session, slug=slug)
    reviews = review_services.list_reviews(session=session, args={"vendor": slug, "per_page": 50})
    history = None
    if may("audit.Events"):
        history = list_events(session=session, object_type="vendor", object_id=slug, per_page=20)
    return render_template(
        "web/vendor.html",
        v=record,
        reviews=reviews,
        history=history,
        choices=choices,
        reference=get_reference(),
        prov=fact_provenance(record.sources, utcnow().date()),
    )


# ---------------------------------------------------------------------------- forms


def _compact(values: dict[str, Any], prefix: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows as typed, blank ones dropped, renumbered from 0 in the values shown again."""
    found = forms.rows(values, prefix, fields)
    for key in [k for k in values if k.startswith(prefix + ".")]:
        del values[key]
    for index, row in enumerate(found):
        for name, value in row.items():
            values[f"{prefix}.{index}.{name}"] = value
    return found


def vendor_body(values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """The API's vendor JSON from the form (every field: an edit replaces what it shows)."""
    body: dict[str, Any] = {}
    if creating:
        forms.put(body, "slug", forms.text(values.get("slug")))
    forms.put(body, "name", forms.text(values.get("name")))
    body["aliases"] = forms.lines(values.get("aliases"))
    for name in ("description", "category", "product_type", "parent", "default_role", "notes"):
        body[name] = forms.text(values.get(name), blank=None)
    body["hq_country"] = forms.text(str(values.get("hq_country") or "").upper(), blank=None)
    body["last_verified"] = forms.text(values.get("last_verified"), blank=None)
    countries = forms.words(values.get("processing_countries"))
    body["processing_countries"] = [c.upper() for c in countries]
    for name in MULTI:
        picked = values.get(name) or []
        body[name] = list(picked) if isinstance(picked, list) else [picked]
    body["dpf_certified"] = forms.tristate(values.get("dpf_certified"))
    body["covered_person_candidate"] = forms.tristate(values.get("covered_person_candidate"))
    body["status"] = {
        "value": forms.text(values.get("status.value"), blank="active"),
        "since": forms.text(values.get("status.since"), blank=None),
        "note": forms.text(values.get("status.note"), blank=None),
    }
    body["urls"] = {
        kind: forms.text(values.get(f"urls.{kind}"))
        for kind in URL_KINDS
        if forms.text(values.get(f"urls.{kind}"), blank=None)
    }
    body["sdk"] = {name: forms.lines(values.get(f"sdk.{name}")) for name in SDK_FIELDS}
    body["sources"] = [
        {
            "url": forms.text(row["url"], blank=None),
            "ref": forms.text(row["ref"], blank=None),
            "retrieved": forms.text(row["retrieved"], blank=None),
            "facts": forms.words(row["facts"]),
            "note": forms.text(row["note"], blank=None),
        }
        for row in _compact(values, "sources", SOURCE_FIELDS)
    ]
    body["legal_entities"] = [
        {
            "name": forms.text(row["name"], blank=""),
            "country": forms.text(str(row["country"] or "").upper(), blank=None),
            "role": forms.text(row["role"], blank=""),
            "address": forms.text(row["address"], blank=None),
            "note": forms.text(row["note"], blank=None),
        }
        for row in _compact(values, "legal_entities", ENTITY_FIELDS)
    ]
    return body


def derived_fields(record: Vendor | None) -> set[str]:
    """The legacy fields (parent, dpf_certified, processing_countries) that a filled block of
    the record decides; the form shows them read-only."""
    if record is None:
        return set()
    return {legacy for legacy, block in LEGACY_FIELDS.items() if getattr(record, block)}


def vendor_values(record: Vendor) -> dict[str, Any]:
    """A vendor's facts as the form shows them."""
    snapshot = services.vendor_snapshot(record)
    values = forms.flatten({k: v for k, v in snapshot.items() if k not in ("sources", "sdk")})
    values["aliases"] = "\n".join(record.aliases)
    values["processing_countries"] = ", ".join(record.processing_countries)
    for name in SDK_FIELDS:
        signatures: list[str] = (record.sdk or {}).get(name) or []
        values[f"sdk.{name}"] = "\n".join(signatures)
    for index, source in enumerate(record.sources):
        for name in SOURCE_FIELDS:
            value: Any = source.get(name)
            values[f"sources.{index}.{name}"] = ", ".join(value or []) if name == "facts" else value
    for kind, url in (record.urls or {}).items():
        values[f"urls.{kind}"] = url
    return values


def changed_only(loaded: dict[str, Any], record: Vendor) -> dict[str, Any]:
    """The fields the form changed: the stored record, read through the same schema, is
    compared field by field, so an untouched form changes nothing (and marks no edit)."""
    snapshot = services.vendor_snapshot(record)
    try:
        current = VendorUpdateSchema().load({k: snapshot[k] for k in loaded if k in snapshot})
    except ValidationError:
        return loaded  # the stored record no longer validates: the form's values replace it

    def same(name: str, value: Any) -> bool:
        old = current.get(name, object())
        if name in MULTI and isinstance(old, list):  # checkboxes: their order is the page's
            return sorted(old) == sorted(value)
        return bool(old == value)

    return {k: v for k, v in loaded.items() if not same(k, v)}


def _form_page(
    form: forms.FormState,
    *,
    record: Vendor | None,
    etag: str | None,
    status: int = 200,
    changes: list[dict[str, Any]] | None = None,
) -> tuple[str, int]:
    page = render_template(
        "web/vendor_form.html",
        form=form,
        v=record,
        etag=etag,
        choices=choices,
        changes=changes,
        source_rows=_row_count(form, "sources"),
        entity_rows=_row_count(form, "legal_entities"),
        derived=derived_fields(record),
    )
    return page, status


def _row_count(form: forms.FormState, prefix: str) -> int:
    parts = [k.split(".") for k in form.values if k.startswith(prefix + ".")]
    used = [int(p[1]) for p in parts if len(p) > 2 and p[1].isdigit()]
    return (max(used) + 1 if used else 0) + 1


@allow("legal", "procurement")
@web.route("/vendors/new", methods=["GET", "POST"])
def new_vendor() -> Any:
    """Propose a vendor; the API's create schema and service check it."""
    if request.method == "GET":
        return _form_page(forms.FormState({"status.value": "active"}), record=None, etag=None)
    session = get_session()
    values = forms.raw_values(request.form, multi=MULTI)
    try:
        data = forms.load(VendorCreateSchema(), vendor_body(values, creating=True))
        created = services.create_vendor(
            session=session, data=data, reference=get_reference(), by=g.current_user
        )
    except errors.DomainError as exc:
        session.rollback()
        return _form_page(
            forms.state_from_error(values, exc), record=None, etag=None, status=exc.status
        )
    session.commit()
    return redirect(url_for("web.vendor", slug=created.slug), code=303)


def differences(values: dict[str, Any], record: Vendor) -> list[dict[str, Any]]:
    """Where the form as typed differs from the vendor as saved now (to reconcile a conflict)."""
    try:
        loaded = VendorUpdateSchema().load(vendor_body(dict(values), creating=False))
    except ValidationError:
        return []
    saved = services.vendor_snapshot(record)
    return [
        {"field": labels.field(name), "saved": saved.get(name), "typed": value}
        for name, value in changed_only(loaded, record).items()
    ]


@allow("legal")
@web.route("/vendors/<slug>/edit", methods=["GET", "POST"])
def edit_vendor(slug: str) -> Any:
    """Edit a vendor; a stale form (someone saved first) keeps the user's input and says so."""
    session = get_session()
    record = services.get_vendor(session=session, slug=slug)
    if request.method == "GET":
        return _form_page(
            forms.FormState(vendor_values(record)), record=record, etag=vendor_etag(record)
        )
    values = forms.raw_values(request.form, multi=MULTI)
    sent_etag = str(values.pop("etag", ""))
    if sent_etag != vendor_etag(record):
        form = forms.FormState(values, message=CONFLICT)
        return _form_page(
            form, record=record, etag=sent_etag, status=412, changes=differences(values, record)
        )
    body = vendor_body(values, creating=False)
    for legacy in derived_fields(record):
        body.pop(legacy, None)  # shown read-only: its block (ownership, dpf, ...) decides it
    try:
        loaded = forms.load(VendorUpdateSchema(), body)
        services.update_vendor(
            session=session,
            vendor=record,
            changes=changed_only(loaded, record),
            reference=get_reference(),
        )
    except errors.DomainError as exc:
        session.rollback()
        form = forms.state_from_error(values, exc, stale=CONFLICT)
        return _form_page(form, record=record, etag=sent_etag, status=exc.status)
    session.commit()
    return redirect(url_for("web.vendor", slug=record.slug), code=303)
