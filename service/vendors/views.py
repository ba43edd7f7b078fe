"""HTTP views of the vendor registry: thin, one service call each."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import Response, current_app, g, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api import make_etag, page_headers, require_if_match
from service.auth.permissions import allow
from service.db import get_session
from service.paging import Page
from service.reference.services import get_reference
from service.vendors import services
from service.vendors.models import Vendor
from service.vendors.names import name_index
from service.vendors.schemas import (
    VendorCreateSchema,
    VendorPageSchema,
    VendorQueryArgsSchema,
    VendorSchema,
    VendorUpdateSchema,
)

blp = Blueprint(
    "vendors", __name__, url_prefix="/api/v1/vendors", description="The vendor registry"
)


def vendor_etag(vendor: Vendor | SimpleNamespace) -> str:
    """The ETag of a vendor's current version."""
    return make_etag("vendor", vendor.slug, vendor.version)


# A vendor's response body and ETag per stamp (services.vendor_stamp: id, version,
# updated_at, registry_version, each raised or set by every write), per app and process. A
# read then costs one narrow select instead of loading, dumping and encoding the whole row;
# a body not kept yet is dumped from a Core snapshot of the row, not an ORM object.
_BODIES = "xborder.vendor_bodies"
_MAX_BODIES = 4096
_DUMP = VendorSchema()  # one instance, as the response decorator keeps one


def _vendor_response(slug: str) -> tuple[Response, str]:
    """The vendor's JSON response, as the VendorSchema response would be, and its ETag."""
    session = get_session()
    bodies: dict[tuple[Any, ...], tuple[bytes, str, str]]
    bodies = current_app.extensions.setdefault(_BODIES, {})
    stamp = services.vendor_stamp(session=session, slug=slug)
    found = bodies.get(stamp) if stamp is not None else None
    if found is None:
        vendor = services.read_vendor_row(session=session, slug=slug)  # NotFound if none
        response = jsonify(_DUMP.dump(vendor))  # as the response decorator does
        found = (response.get_data(), response.content_type, vendor_etag(vendor))
        if len(bodies) >= _MAX_BODIES:
            bodies.clear()
        bodies[services.stamp_of(vendor)] = found  # the stamp of the row dumped
    body, content_type, etag = found
    return current_app.response_class(body, content_type=content_type), etag


@blp.route("")
class Vendors(MethodView):
    @allow("viewer")
    @blp.arguments(VendorQueryArgsSchema, location="query")
    @blp.response(200, VendorPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[Vendor], int, dict[str, str]]:
        """List, filter, sort and search vendors."""
        page = services.list_vendors(session=get_session(), args=args, names=name_index())
        return page, 200, page_headers("vendors.Vendors", page)

    @allow("legal", "procurement")
    @blp.arguments(VendorCreateSchema)
    @blp.response(201, VendorSchema)
    def post(self, data: dict[str, Any]) -> tuple[Vendor, int, dict[str, str]]:
        """Add a vendor to the registry."""
        session = get_session()
        vendor = services.create_vendor(
            session=session, data=data, reference=get_reference(), by=g.current_user
        )
        session.commit()
        location = url_for("vendors.VendorItem", slug=vendor.slug)
        return vendor, 201, {"ETag": vendor_etag(vendor), "Location": location}


@blp.route("/<slug>")
class VendorItem(MethodView):
    @allow("viewer")
    @blp.response(200, VendorSchema)
    def get(self, slug: str) -> tuple[Response, int, dict[str, str]]:
        """Read one vendor (archived ones too)."""
        response, etag = _vendor_response(slug)
        return response, 200, {"ETag": etag}

    @allow("legal")
    @blp.arguments(VendorUpdateSchema)
    @blp.response(200, VendorSchema)
    def patch(self, changes: dict[str, Any], slug: str) -> tuple[Vendor, int, dict[str, str]]:
        """Change some of a vendor's facts (If-Match required)."""
        session = get_session()
        vendor = services.get_vendor(session=session, slug=slug)
        require_if_match(vendor_etag(vendor))
        services.update_vendor(
            session=session, vendor=vendor, changes=changes, reference=get_reference()
        )
        session.commit()
        return vendor, 200, {"ETag": vendor_etag(vendor)}

    @allow("legal")
    @blp.response(204)
    def delete(self, slug: str) -> None:
        """Archive a vendor (If-Match required); its history is kept."""
        session = get_session()
        vendor = services.get_vendor(session=session, slug=slug)
        require_if_match(vendor_etag(vendor))
        services.archive_vendor(session=session, vendor=vendor)
        session.commit()
