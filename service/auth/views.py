"""Sign-in, the caller, users and API tokens over HTTP: thin views, one service call each."""

from __future__ import annotations

from typing import Any, ClassVar

from flask import g, redirect, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.wrappers import Response

from service import errors
from service.api import make_etag, page_headers, require_if_match
from service.auth import identity, services
from service.auth.csrf import csrf_token
from service.auth.limits import rate_limited
from service.auth.models import User
from service.auth.permissions import allow, allow_public
from service.auth.schemas import (
    LoginSchema,
    MeSchema,
    PasswordChangeSchema,
    SignedInSchema,
    TokenCreatedSchema,
    TokenCreateSchema,
    TokenQueryArgsSchema,
    TokenSchema,
    UserCreatedSchema,
    UserCreateSchema,
    UserPageSchema,
    UserQueryArgsSchema,
    UserSchema,
    UserUpdateSchema,
)
from service.db import get_session
from service.paging import Page


class _FormOrJsonBlueprint(Blueprint):  # type: ignore[misc]
    """Documents json_or_form arguments as a JSON request body (forms are accepted too)."""

    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "json_or_form": "application/json",
    }


auth_blp = _FormOrJsonBlueprint(
    "auth", __name__, url_prefix="/auth", description="Signing in to the web UI"
)
blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users and API tokens")

BAD_LOGIN = "The email or password is incorrect."


def _is_form() -> bool:
    return request.mimetype in {"application/x-www-form-urlencoded", "multipart/form-data"}


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (no open redirect)."""
    return identity.local_path(target) or "/"


def user_etag(user: User) -> str:
    """The ETag of a user's current version."""
    return make_etag("user", user.id, user.version)


@auth_blp.route("/login")
class Login(MethodView):
    @allow_public
    @rate_limited("login")
    @auth_blp.doc(security=[])
    @auth_blp.arguments(LoginSchema, location="json_or_form")
    @auth_blp.response(200, SignedInSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any] | Response:
        """Sign in with email and password (form: redirects to next; JSON: the user)."""
        user = identity.check_credentials(data["email"], data["password"])
        if user is None:
            raise errors.Unauthorized(BAD_LOGIN)
        token = identity.sign_in(user)
        if _is_form():
            return redirect(_safe_next(data.get("next")), code=303)
        return {"user": user, "csrf_token": token}


@auth_blp.route("/logout")
class Logout(MethodView):
    @allow_public
    @auth_blp.response(204)
    def post(self) -> Response | None:
        """Sign out (form: redirects to /)."""
        identity.sign_out()
        get_session().commit()
        return redirect("/", code=303) if _is_form() else None


@blp.route("/me")
class Me(MethodView):
    @allow("viewer")
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """The caller; with a session, also the CSRF token for writes."""
        user: User = g.current_user
        token = csrf_token() if g.auth_method == "session" else None
        return {
            **services.user_snapshot(user),
            "id": user.id,
            "created_at": user.created_at,
            "version": user.version,
            "auth_method": g.auth_method,
            "csrf_token": token,
        }


@blp.route("/me/password")
class MyPassword(MethodView):
    @allow("viewer")
    @rate_limited("login")
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, SignedInSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change your own password; every other session of yours ends (tokens stay)."""
        session = get_session()
        user: User = g.current_user
        services.change_own_password(
            session=session,
            user=user,
            current_password=data["current_password"],
            new_password=data["new_password"],
        )
        session.commit()
        # This session goes on under the new generation; the other sessions have ended.
        token = identity.sign_in(user) if g.auth_method == "session" else None
        return {"user": user, "csrf_token": token}


@blp.route("/users")
class Users(MethodView):
    @allow("admin")
    @blp.arguments(UserQueryArgsSchema, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args: dict[str, Any]) -> tuple[Page[User], int, dict[str, str]]:
        """List users."""
        page = services.list_users(session=get_session(), **args)
        return page, 200, page_headers("users.Users", page)

    @allow("admin")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserCreatedSchema)
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Create a user; without a password, one is generated and shown once."""
        session = get_session()
        user, generated = services.register_user(session=session, **data)
        session.commit()
        return {"user": user, "initial_password": generated}, 201, {"ETag": user_etag(user)}


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @allow("admin")
    @blp.response(200, UserSchema)
    def get(self, user_id: int) -> tuple[User, int, dict[str, str]]:
        """Read one user."""
        user = services.get_user(session=get_session(), user_id=user_id)
        return user, 200, {"ETag": user_etag(user)}

    @allow("admin")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, changes: dict[str, Any], user_id: int) -> tuple[User, int, dict[str, str]]:
        """Change a user's name, role, password or disabled state (If-Match required)."""
        session = get_session()
        user = services.get_user(session=session, user_id=user_id)
        require_if_match(user_etag(user))
        services.update_user(session=session, user=user, changes=changes)
        session.commit()
        return user, 200, {"ETag": user_etag(user)}


@blp.route("/tokens")
class Tokens(MethodView):
    @allow("viewer")
    @rate_limited("tokens")
    @blp.arguments(TokenQueryArgsSchema, location="query")
    @blp.response(200, TokenSchema(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Your API tokens (admins: everyone's, or one user's)."""
        return services.tokens_visible_to(session=get_session(), actor=g.current_user, **args)

    @allow("viewer")
    @rate_limited("tokens")
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Create an API token; its value is in this response only."""
        session = get_session()
        info, plain = services.issue_token(session=session, actor=g.current_user, **data)
        session.commit()
        return {**info, "token": plain}, 201


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @allow("viewer")
    @rate_limited("tokens")
    @blp.response(200, TokenSchema)
    def get(self, token_id: int) -> dict[str, Any]:
        """Read one of your tokens (admins: any)."""
        return services.token_visible_to(
            session=get_session(), actor=g.current_user, token_id=token_id
        )

    @allow("viewer")
    @rate_limited("tokens")
    @blp.response(204)
    def delete(self, token_id: int) -> None:
        """Revoke a token; it stops working at once."""
        session = get_session()
        services.revoke_token_as(session=session, actor=g.current_user, token_id=token_id)
        session.commit()
