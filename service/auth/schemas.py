"""Marshmallow schemas for sign-in, users and API tokens."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.auth.models import ROLES
from service.auth.passwords import MAX_LENGTH, MIN_LENGTH
from service.auth.services import MAX_TOKEN_DAYS
from service.models import MAX_ROW_ID
from service.paging import LongPageArgs, page_schema

_PASSWORD = validate.Length(MIN_LENGTH, MAX_LENGTH)
_ID = validate.Range(min=1, max=MAX_ROW_ID)


class LoginSchema(Schema):
    """Email and password, as a form or JSON."""

    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, MAX_LENGTH))
    next = fields.String(load_default=None, validate=validate.Length(max=2000))
    csrf_token = fields.String(
        load_only=True, metadata={"description": "forms only: the page's csrf_token()"}
    )


class PasswordChangeSchema(Schema):
    """The caller's current password and the new one."""

    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(1, MAX_LENGTH)
    )
    new_password = fields.String(required=True, load_only=True, validate=_PASSWORD)
    csrf_token = fields.String(
        load_only=True, metadata={"description": "forms only: the page's csrf_token()"}
    )


class UserSchema(Schema):
    """A user as the API returns it (never the password hash)."""

    id = fields.Integer()
    email = fields.String()
    name = fields.String(allow_none=True)
    role = fields.String()
    disabled = fields.Boolean()
    created_at = fields.AwareDateTime()
    version = fields.Integer()


class SignedInSchema(Schema):
    """The signed-in user and the CSRF token to send with cookie-authenticated writes."""

    user = fields.Nested(UserSchema)
    csrf_token = fields.String()


class MeSchema(UserSchema):
    """The caller, how they authenticated, and (for sessions) their CSRF token."""

    auth_method = fields.String(metadata={"description": "session or token"})
    csrf_token = fields.String(allow_none=True)


class UserCreateSchema(Schema):
    """A new user; without a password one is generated and returned once."""

    email = fields.Email(required=True, validate=validate.Length(3, 254))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    password = fields.String(load_only=True, validate=_PASSWORD)


class UserCreatedSchema(Schema):
    """The new user, and the generated password when none was given (shown once)."""

    user = fields.Nested(UserSchema)
    initial_password = fields.String(allow_none=True)


class UserUpdateSchema(Schema):
    """Changes to a user (If-Match required)."""

    name = fields.String(allow_none=True, validate=validate.Length(max=200))
    role = fields.String(validate=validate.OneOf(ROLES))
    disabled = fields.Boolean()
    password = fields.String(load_only=True, validate=_PASSWORD)


class UserQueryArgsSchema(LongPageArgs):
    """Filters and pagination for the user list."""

    role = fields.String(validate=validate.OneOf(ROLES))
    disabled = fields.Boolean()


UserPageSchema = page_schema(UserSchema, "UserPageSchema", "One page of users.")


class TokenSchema(Schema):
    """A token's public facts: never its value."""

    id = fields.Integer()
    user = fields.String(metadata={"description": "owner's email"})
    name = fields.String(allow_none=True)
    prefix = fields.String(metadata={"description": "first characters, to recognise it"})
    created_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime(allow_none=True)
    revoked_at = fields.AwareDateTime(allow_none=True)
    last_used_at = fields.AwareDateTime(allow_none=True)
    active = fields.Boolean()


class TokenCreatedSchema(TokenSchema):
    """A new token with its value, shown this once."""

    token = fields.String(metadata={"description": "send as 'Authorization: Bearer <token>'"})


class TokenCreateSchema(Schema):
    """A new token for yourself, or (admins) for user_id."""

    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=100))
    expires_in_days = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_TOKEN_DAYS)
    )
    user_id = fields.Integer(load_default=None, allow_none=True, validate=_ID)


class TokenQueryArgsSchema(Schema):
    """Whose tokens (admins), and whether to include revoked ones."""

    user_id = fields.Integer(validate=_ID)
    include_revoked = fields.Boolean(load_default=False)
