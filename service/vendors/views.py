"""HTTP views of the vendor registry: thin, one service call each."""

from __future__ import annotations

from typing import Any

from flask import g, url_for
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


def vendor_etag(vendor: Vendor) -> str:
    """The ETag of a vendor's current version."""
    return make_etag("vendor", vendor.slug, vendor.version)


@blp.route("")
class Vendors(MethodView):
    @allow("viewer")
    @blp.arguments(VendorQueryArgsSchema, location="query")
    @blp.response(200, VendorPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[Any], int, dict[str, str]]:
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
    def get(self, slug: str) -> tuple[Vendor, int, dict[str, str]]:
        """Read one vendor (archived ones too)."""
        vendor = services.get_vendor(session=get_session(), slug=slug)
        return vendor, 200, {"ETag": vendor_etag(vendor)}

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
