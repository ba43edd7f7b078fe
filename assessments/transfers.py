"""The transfer contract at the engine's edge: parse, dump, vendor defaults."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from assessments.catalog.reference import (
    Reference,
    default_reference,
    is_country,
    is_subdivision,
)
from assessments.types import (
    EXEMPTIONS,
    ROLES,
    SAFEGUARDS,
    TRANSACTIONS,
    DataSubjects,
    Evaluation,
    Exporter,
    Importer,
    OutboundYtd,
    RegimeResult,
    Transfer,
)


def _is_country(code: object) -> bool:
    return is_country(code)


def validate_country(code: object) -> None:
    """Raise unless `code` is an ISO 3166-1 alpha-2 code."""
    if not _is_country(code):
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code.")


def validate_jurisdiction(code: object) -> None:
    """Raise unless `code` is an ISO country, `EU`, or an ISO 3166-2 subdivision like `US-CA`."""
    if code == "EU" or _is_country(code):
        return
    if is_subdivision(code):
        return
    raise ValidationError(
        f"{code!r} is not an ISO 3166-1 alpha-2 code, 'EU', or an ISO 3166-2 subdivision."
    )


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class OutboundYtdSchema(_Strict):
    non_sensitive = fields.Integer(load_default=0, validate=validate.Range(min=0))
    sensitive = fields.Integer(load_default=0, validate=validate.Range(min=0))

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> OutboundYtd:
        return OutboundYtd(**data)


class ExporterSchema(_Strict):
    name = fields.String(load_default=None, allow_none=True)
    country = fields.String(required=True, validate=validate_country)
    role = fields.String(load_default="controller", validate=validate.OneOf(ROLES))
    ciio = fields.Boolean(load_default=None, allow_none=True)
    us_person = fields.Boolean(load_default=None, allow_none=True)
    ccpa_business = fields.Boolean(load_default=False)
    data_broker = fields.Boolean(load_default=False)
    cn_outbound_ytd = fields.Nested(OutboundYtdSchema, load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Exporter:
        return Exporter(**data)


class ImporterSchema(_Strict):
    vendor = fields.String(load_default=None, allow_none=True)
    name = fields.String(load_default=None, allow_none=True)
    country = fields.String(required=True)
    role = fields.String(load_default="processor", validate=validate.OneOf(ROLES))
    dpf_certified = fields.Boolean(load_default=None, allow_none=True)
    covered_person = fields.Boolean(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Importer:
        return Importer(**data)


class DataSubjectsSchema(_Strict):
    jurisdiction = fields.String(required=True, validate=validate_jurisdiction)
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    minors = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> DataSubjects:
        return DataSubjects(**data)


class TransferSchema(_Strict):
    """Parses the contract's Transfer JSON; unknown fields and unknown ids are field errors."""

    as_of = fields.Date(load_default=None)
    exporter = fields.Nested(ExporterSchema, required=True)
    importer = fields.Nested(ImporterSchema, required=True)
    destinations = fields.List(fields.String(validate=validate_country), load_default=None)
    data_subjects = fields.List(
        fields.Nested(DataSubjectsSchema), required=True, validate=validate.Length(min=1)
    )
    data_categories = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    purposes = fields.List(fields.String(), load_default=list)
    transaction = fields.String(
        load_default="vendor_agreement", validate=validate.OneOf(TRANSACTIONS)
    )
    safeguards = fields.List(fields.String(validate=validate.OneOf(SAFEGUARDS)), load_default=list)
    exemptions = fields.List(fields.String(validate=validate.OneOf(EXEMPTIONS)), load_default=list)
    important_data = fields.Boolean(load_default=None, allow_none=True)

    def __init__(
        self, *, today: date | None = None, reference: Reference | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._today = today
        self._reference = reference

    @property
    def reference(self) -> Reference:
        """The taxonomy and country facts used for validation."""
        return self._reference or default_reference()

    @pre_load
    def _not_a_mapping(self, data: Any, **_: Any) -> Any:
        if not isinstance(data, Mapping):
            raise ValidationError("A transfer must be a JSON object.")
        return data

    @validates_schema(skip_on_field_errors=False)
    def _ids(self, data: dict[str, Any], **_: Any) -> None:
        ref = self.reference
        errors: dict[str, Any] = {}
        bad = {
            i: [f"Unknown data category {c!r}; see vendor_data/taxonomy.yaml."]
            for i, c in enumerate(data.get("data_categories") or [])
            if c not in ref.categories
        }
        if bad:
            errors["data_categories"] = bad
        bad = {
            i: [f"Unknown purpose {p!r}; see vendor_data/taxonomy.yaml."]
            for i, p in enumerate(data.get("purposes") or [])
            if p not in ref.purposes
        }
        if bad:
            errors["purposes"] = bad
        importer = data.get("importer")
        if isinstance(importer, Importer) and not (
            _is_country(importer.country) or importer.country in ref.organisations
        ):
            errors["importer"] = {
                "country": [
                    f"{importer.country!r} is not an ISO 3166-1 alpha-2 code or a known "
                    "international organisation."
                ]
            }
        if data.get("as_of") is None and self._today is None:
            errors["as_of"] = ["Missing as_of and no default day was given."]
        if errors:
            raise ValidationError(errors)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Transfer:
        importer: Importer = data["importer"]
        destinations = data["destinations"]
        if not destinations:
            destinations = [importer.country]
        return Transfer(
            as_of=data["as_of"] or cast(date, self._today),
            exporter=data["exporter"],
            importer=importer,
            destinations=tuple(dict.fromkeys(destinations)),
            data_subjects=tuple(data["data_subjects"]),
            data_categories=tuple(dict.fromkeys(data["data_categories"])),
            purposes=tuple(dict.fromkeys(data["purposes"])),
            transaction=data["transaction"],
            safeguards=frozenset(data["safeguards"]),
            exemptions=frozenset(data["exemptions"]),
            important_data=data["important_data"],
        )


def parse_transfer(
    data: Mapping[str, Any], *, today: date, reference: Reference | None = None
) -> Transfer:
    """Parse contract JSON into a Transfer; `today` is the as_of default. Raises ValidationError."""
    result: Transfer = TransferSchema(today=today, reference=reference).load(dict(data))
    return result


# ---------------------------------------------------------------------------- vendor defaults


def _get(record: Any, key: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(key)
    return getattr(record, key, None)


def apply_vendor_defaults(transfer_data: Mapping[str, Any], vendor: Any) -> dict[str, Any]:
    """Fill importer facts and destinations from a vendor record (mapping or object) if absent."""
    data = dict(transfer_data)
    importer = dict(data.get("importer") or {})
    entities = list(_get(vendor, "legal_entities") or [])
    hq = next((e for e in entities if _get(e, "role") == "hq"), entities[0] if entities else None)
    if importer.get("name") is None:
        name = _get(hq, "name") if hq is not None else None
        importer["name"] = name or _get(vendor, "name")
    if importer.get("country") is None:
        country = _get(vendor, "hq_country") or (_get(hq, "country") if hq is not None else None)
        if country is not None:
            importer["country"] = country
    if importer.get("role") is None and _get(vendor, "default_role") is not None:
        importer["role"] = _get(vendor, "default_role")
    if importer.get("dpf_certified") is None and _get(vendor, "dpf_certified") is not None:
        importer["dpf_certified"] = bool(_get(vendor, "dpf_certified"))
    if importer.get("covered_person") is None and _get(vendor, "covered_person_candidate") is True:
        # The registry flags candidates (organised in / PPB in a country of concern); a `false`
        # there does not rule out 50% ownership, so it is left for the engine to derive and ask.
        importer["covered_person"] = True
    if importer.get("vendor") is None and _get(vendor, "slug") is not None:
        importer["vendor"] = _get(vendor, "slug")
    data["importer"] = importer
    if not data.get("destinations"):
        processing = list(_get(vendor, "processing_countries") or [])
        if processing:
            data["destinations"] = processing
    return data


# ---------------------------------------------------------------------------- evaluation JSON


def regime_to_dict(result: RegimeResult) -> dict[str, Any]:
    """One regime's result as the contract's JSON object."""
    return {
        "applies": result.applies,
        "why": result.why,
        "verdict": result.verdict,
        "mechanism": result.mechanism,
        "alternatives": list(result.alternatives),
        "met": result.met,
        "level": result.level,
        "score": result.score,
        "obligations": [
            {"id": o.id, "text": o.text, "citation": o.citation, "due": o.due}
            for o in result.obligations
        ],
        "rules": [
            {
                "id": r.id,
                "citation": r.citation,
                "explanation": r.explanation,
                "remediation": r.remediation,
            }
            for r in result.rules
        ],
        "questions": list(result.questions),
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The Evaluation as the contract's JSON (plus rules_version)."""
    return {
        "as_of": evaluation.as_of.isoformat(),
        "overall": {"level": evaluation.overall.level, "score": evaluation.overall.score},
        "regimes": {r.regime: regime_to_dict(r) for r in evaluation.regimes},
        "rules_version": evaluation.rules_version,
    }
