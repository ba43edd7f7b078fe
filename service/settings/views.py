"""Workflow settings over HTTP: admins read and change them."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from service.auth.permissions import allow
from service.db import get_session
from service.settings import services
from service.settings.schemas import SettingSchema, SettingUpdateSchema

blp = Blueprint(
    "settings", __name__, url_prefix="/api/v1/settings", description="Workflow settings"
)


@blp.route("")
class Settings(MethodView):
    @allow("admin")
    @blp.response(200, SettingSchema(many=True))
    def get(self) -> list[services.SettingView]:
        """Every workflow setting with its value and default."""
        return services.list_settings(session=get_session())


@blp.route("/<string:key>")
class SettingItem(MethodView):
    @allow("admin")
    @blp.response(200, SettingSchema)
    def get(self, key: str) -> services.SettingView:
        """One workflow setting."""
        return services.view_setting(session=get_session(), key=key)

    @allow("admin")
    @blp.arguments(SettingUpdateSchema)
    @blp.response(200, SettingSchema)
    def put(self, data: dict[str, Any], key: str) -> services.SettingView:
        """Change a workflow setting (audited)."""
        session = get_session()
        view = services.set_setting(
            session=session, key=key, value=data["value"], actor=g.current_user.email
        )
        session.commit()
        return view
