"""Signing in, the home page, and who am I (with my API tokens)."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask.views import MethodView
from werkzeug.wrappers import Response

from service import errors
from service.auth import identity
from service.auth import services as auth_services
from service.auth.limits import rate_limited
from service.auth.passwords import MIN_LENGTH
from service.auth.permissions import allow, allow_public
from service.auth.schemas import LoginSchema, PasswordChangeSchema, TokenCreateSchema
from service.auth.views import BAD_LOGIN
from service.db import get_session
from service.impact_assessments import policy as assessment_policy
from service.reviews import services as review_services
from service.web import forms
from service.web.blueprint import web


def safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect); the home page otherwise."""
    return identity.local_path(target) or url_for("web.home")


class SignIn(MethodView):
    """The sign-in page and its form."""

    @allow_public
    def get(self) -> Any:
        """The sign-in form (signed-in users go on to where they were heading)."""
        if g.get("current_user") is not None:
            return redirect(safe_next(request.args.get("next")), code=303)
        form = forms.FormState({"next": request.args.get("next", "")})
        return render_template("web/sign_in.html", form=form)

    @allow_public
    @rate_limited("login")
    def post(self) -> Any:
        """Check email and password with the API's schema and service; start a session."""
        values = forms.raw_values(request.form)
        values.pop("password", None)  # never echoed back into the page
        try:
            data = forms.load(LoginSchema(), request.form.to_dict())
        except errors.ValidationFailed as exc:
            form = forms.state_from_error(values, exc)
            return render_template("web/sign_in.html", form=form), 422
        user = identity.check_credentials(data["email"], data["password"])
        if user is None:
            form = forms.FormState(values, message=BAD_LOGIN)
            return render_template("web/sign_in.html", form=form), 401
        identity.sign_in(user)
        return redirect(safe_next(data.get("next")), code=303)


web.add_url_rule("/login", view_func=SignIn.as_view("sign_in"))


@allow("viewer")
@web.get("/")
def home() -> str:
    """The start page: what you can do, and the latest reviews."""
    latest = review_services.list_reviews(session=get_session(), args={"per_page": 6})
    return render_template("web/home.html", latest=latest)


def _me_page(
    *,
    created: dict[str, Any] | None = None,
    form: forms.FormState | None = None,
    password_form: forms.FormState | None = None,
    password_changed: bool = False,
) -> str:
    tokens = auth_services.tokens_visible_to(
        session=get_session(), actor=g.current_user, user_id=g.current_user.id
    )
    return render_template(
        "web/me.html",
        tokens=tokens,
        created=created,
        form=form or forms.FormState(),
        password_form=password_form or forms.FormState(),
        password_changed=password_changed,
        password_min=MIN_LENGTH,
        may_create_assessments=assessment_policy.may_create(g.current_user),
    )


@allow("viewer")
@web.get("/me")
def me() -> str:
    """Who am I, my role, and my API tokens."""
    return _me_page()


@allow("viewer")
@rate_limited("tokens")
@web.post("/me/tokens")
def create_token() -> str | tuple[str, int]:
    """Create an API token with the API's schema and service; its value is shown this once."""
    created, form, status = token_from_form(forms.raw_values(request.form))
    if form is not None:
        return _me_page(form=form), status
    return _me_page(created=created)


def token_from_form(
    values: dict[str, Any], *, prefix: str = "", for_user: bool = False
) -> tuple[dict[str, Any] | None, forms.FormState | None, int]:
    """Issue a token from a form (`name`, `expires_in_days` and, when an admin issues it for
    someone, `user_id`; each under `prefix`) with the API's schema and service, and commit:
    (the token, shown once, None, 200), or (None, the form with its errors, status)."""
    session = get_session()
    body = {
        "name": forms.text(values.get(f"{prefix}name"), blank=None),
        "expires_in_days": forms.integer(values.get(f"{prefix}expires_in_days")),
    }
    if for_user:
        body["user_id"] = forms.integer(values.get(f"{prefix}user_id"))
    try:
        data = forms.load(TokenCreateSchema(), {k: v for k, v in body.items() if v is not ...})
        info, plain = auth_services.issue_token(session=session, actor=g.current_user, **data)
    except errors.DomainError as exc:
        session.rollback()
        form = forms.state_from_error(values, exc)
        form.errors = {f"{prefix}{k}": v for k, v in form.errors.items()}
        return None, form, exc.status
    session.commit()
    return {**info, "token": plain}, None, 200


@allow("viewer")
@rate_limited("login")
@web.post("/me/password")
def change_password() -> str | tuple[str, int]:
    """Change my password with the API's schema and service; my other sessions end."""
    session = get_session()
    try:
        data = forms.load(PasswordChangeSchema(), request.form.to_dict())
        auth_services.change_own_password(
            session=session,
            user=g.current_user,
            current_password=data["current_password"],
            new_password=data["new_password"],
        )
    except errors.DomainError as exc:
        session.rollback()
        return _me_page(password_form=forms.state_from_error({}, exc)), exc.status
    session.commit()
    if g.auth_method == "session":
        identity.sign_in(g.current_user)  # this browser goes on under the new generation
    return _me_page(password_changed=True)


@allow("viewer")
@web.post("/me/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    """Revoke one of my tokens (admins: anyone's)."""
    session = get_session()
    auth_services.revoke_token_as(session=session, actor=g.current_user, token_id=token_id)
    session.commit()
    back = request.form.get("back") or url_for("web.me")
    return redirect(safe_next(back), code=303)
