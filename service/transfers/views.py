"""HTTP view that evaluates a transfer without storing it."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from assessments.transfers import transfer_to_dict
from service.auth.permissions import allow
from service.db import get_session
from service.transfers import services
from service.transfers.schemas import TransferBodySchema, TransferEvaluationSchema

blp = Blueprint(
    "transfers", __name__, url_prefix="/api/v1/transfers", description="Transfer evaluation"
)


@blp.route("/evaluate")
class TransferEvaluate(MethodView):
    @allow("viewer")
    @blp.arguments(TransferBodySchema)
    @blp.response(200, TransferEvaluationSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Evaluate a Transfer under CN, EU and US law; nothing is stored."""
        result = services.evaluate_transfer(
            session=get_session(), data=data, rulebook=services.get_rulebook(), day=services.today()
        )
        transfer = transfer_to_dict(result.transfer)
        return {**result.evaluation, "transfer": transfer, "warnings": result.warnings}
