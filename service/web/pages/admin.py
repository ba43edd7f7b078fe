"""Administration: users and everyone's API tokens (admin), the audit log (legal, admin)."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service import errors
from service.audit.schemas import AuditQueryArgsSchema
from service.audit.services import list_events
from service.auth import services
from service.auth.limits import rate_limited
from service.auth.models import ROLES
from service.auth.permissions import allow
from service.auth.schemas import (
    UserCreateSchema,
    UserQueryArgsSchema,
    UserUpdateSchema,
)
from service.auth.views import user_etag
from service.db import get_session
from service.web import forms
from service.web.blueprint import web
from service.web.pages.account import token_from_form

AUDIT_FILTERS = ("object_type", "object_id", "actor", "action", "since", "until", "page")
CONFLICT = "Someone changed this user since you opened the page; reload it and try again."


def _users_page(
    *,
    form: forms.FormState | None = None,
    created: dict[str, Any] | None = None,
    token: dict[str, Any] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    session = get_session()
    values = {k: v for k, v in request.args.items() if k in ("role", "page") and v}
    try:
        args = forms.load(UserQueryArgsSchema(), values)
    except errors.ValidationFailed:
        args = {}
    users = services.list_users(session=session, **args)
    tokens = services.tokens_visible_to(session=session, actor=g.current_user)
    page = render_template(
        "web/users.html",
        users=users,
        tokens=tokens,
        form=form or forms.FormState(),
        created=created,
        token=token,
        roles=ROLES,
        etag=user_etag,
        args=values,
    )
    return page, status


@allow("admin")
@web.get("/admin/users")
def users() -> tuple[str, int]:
    """Users, their roles, and every API token."""
    return _users_page()


@allow("admin")
@web.post("/admin/users")
def create_user() -> tuple[str, int]:
    """Create a user; without a password one is generated and shown once."""
    session = get_session()
    values = forms.raw_values(request.form)
    values.pop("password", None)
    body = {
        "email": forms.text(request.form.get("email")),
        "role": forms.text(request.form.get("role")),
        "name": forms.text(request.form.get("name"), blank=None),
        "password": forms.text(request.form.get("password")),
    }
    try:
        data = forms.load(UserCreateSchema(), {k: v for k, v in body.items() if v is not ...})
        user, generated = services.register_user(session=session, **data)
    except errors.DomainError as exc:
        session.rollback()
        return _users_page(form=forms.state_from_error(values, exc), status=exc.status)
    session.commit()
    return _users_page(created={"user": user, "initial_password": generated})


@allow("admin")
@web.post("/admin/users/<int:user_id>")
def update_user(user_id: int) -> Response:
    """Change a user's role, or disable or enable them."""
    session = get_session()
    user = services.get_user(session=session, user_id=user_id)
    forms.check_etag(request.form.get("etag"), user_etag(user), CONFLICT)
    body: dict[str, Any] = {}
    if request.form.get("role"):
        body["role"] = request.form["role"]
    if request.form.get("disabled") in ("true", "false"):
        body["disabled"] = request.form["disabled"]
    changes = forms.load(UserUpdateSchema(), body)
    services.update_user(session=session, user=user, changes=changes)
    session.commit()
    return redirect(url_for("web.users"), code=303)


@allow("admin")
@rate_limited("tokens")
@web.post("/admin/tokens")
def create_user_token() -> tuple[str, int]:
    """Create an API token for any user; its value is shown this once."""
    # The form's fields are named token.user_id, token.name and token.expires_in_days.
    values = forms.raw_values(request.form)
    token, form, status = token_from_form(values, prefix="token.", for_user=True)
    if form is not None:
        return _users_page(form=form, status=status)
    return _users_page(token=token)


@allow("legal")
@web.get("/admin/audit")
def audit() -> tuple[str, int]:
    """The audit trail: who changed what, when, with the before/after of each field."""
    values = {k: request.args.get(k, "").strip() for k in AUDIT_FILTERS}
    values = {k: v for k, v in values.items() if v}
    form = forms.FormState(dict(values))
    query = dict(values)
    for name in ("since", "until"):
        if name in query and len(query[name]) == 10:  # a date picker's day: midnight UTC
            query[name] = f"{query[name]}T00:00:00+00:00"
    status = 200
    try:
        args = forms.load(AuditQueryArgsSchema(), query)
    except errors.ValidationFailed as exc:
        form, args, status = forms.state_from_error(values, exc), {}, exc.status
    history = list_events(session=get_session(), **args)
    shown = {k: v for k, v in values.items() if k != "page"}
    page = render_template("web/audit.html", history=history, form=form, args=shown)
    return page, status
