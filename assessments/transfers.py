"""The transfer contract at the engine's edge: parse, dump, vendor defaults."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date
from typing import Any, cast

from marshmallow import (
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
from assessments.schema_bases import PERCENT, DataclassSchema, StrictSchema
from assessments.types import (
    EU_DEROGATIONS,
    EXEMPTIONS,
    ROLES,
    SAFEGUARDS,
    SANCTION_LISTS,
    SCC_DECISIONS,
    TIA_OUTCOMES,
    TRANSACTIONS,
    US_EXEMPTIONS,
    CcpaThresholds,
    DataSubjects,
    Derogation,
    Evaluation,
    Exporter,
    Importer,
    MinorCounts,
    OutboundYtd,
    Owner,
    RegimeResult,
    Sanction,
    SccTerms,
    Transfer,
)


def _is_country(code: object) -> bool:
    return is_country(code)


def validate_country(code: object) -> None:
    """Raise unless `code` is an ISO 3166-1 alpha-2 code."""
    if not _is_country(code):
        raise ValidationError(f"{code!r} is not an ISO 3166-1 alpha-2 country code.")


def _is_place(code: object, reference: Reference) -> bool:
    """A country an importer is in or data goes to: ISO 3166-1 alpha-2, or a known
    international organisation (GDPR Chapter V: "a third country or an international
    organisation")."""
    return _is_country(code) or (isinstance(code, str) and code in reference.organisations)


def _not_a_place(code: object) -> str:
    return f"{code!r} is not an ISO 3166-1 alpha-2 code or a known international organisation."


def validate_jurisdiction(code: object) -> None:
    """Raise unless `code` is an ISO country, `EU`, or an ISO 3166-2 subdivision like `US-CA`."""
    if code == "EU" or _is_country(code):
        return
    if is_subdivision(code):
        return
    raise ValidationError(
        f"{code!r} is not an ISO 3166-1 alpha-2 code, 'EU', or an ISO 3166-2 subdivision."
    )


class OutboundYtdSchema(DataclassSchema):
    builds = OutboundYtd

    non_sensitive = fields.Integer(load_default=0, validate=validate.Range(min=0))
    sensitive = fields.Integer(load_default=0, validate=validate.Range(min=0))


_COUNT = validate.Range(min=0)


class CcpaThresholdsSchema(DataclassSchema):
    builds = CcpaThresholds

    annual_revenue_usd = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)
    consumers_traded = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)
    revenue_share_selling = fields.Float(load_default=None, allow_none=True, validate=PERCENT)


class ExporterSchema(DataclassSchema):
    builds = Exporter

    name = fields.String(load_default=None, allow_none=True)
    country = fields.String(required=True, validate=validate_country)
    role = fields.String(load_default="controller", validate=validate.OneOf(ROLES))
    ciio = fields.Boolean(load_default=None, allow_none=True)
    us_person = fields.Boolean(load_default=None, allow_none=True)
    ccpa_business = fields.Boolean(load_default=None, allow_none=True)
    data_broker = fields.Boolean(load_default=None, allow_none=True)
    cn_outbound_ytd = fields.Nested(OutboundYtdSchema, load_default=None, allow_none=True)
    cn_processing_volume = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)
    ccpa_thresholds = fields.Nested(CcpaThresholdsSchema, load_default=None, allow_none=True)
    targets_eu = fields.Boolean(load_default=None, allow_none=True)


class OwnerSchema(DataclassSchema):
    builds = Owner

    name = fields.String(load_default=None, allow_none=True)
    country = fields.String(required=True, validate=validate_country)
    share = fields.Float(load_default=None, allow_none=True, validate=PERCENT)


class SanctionSchema(StrictSchema):
    party = fields.String(required=True, validate=validate.Length(min=1))
    lists = fields.List(
        fields.String(validate=validate.OneOf(SANCTION_LISTS)),
        required=True,
        validate=validate.Length(min=1),
    )
    designated = fields.Date(load_default=None, allow_none=True)
    through_ownership = fields.Boolean(load_default=False)
    note = fields.String(load_default=None, allow_none=True)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Sanction:
        return Sanction(
            party=data["party"],
            lists=tuple(data["lists"]),
            designated=data["designated"],
            through_ownership=data["through_ownership"],
        )


class ImporterSchema(StrictSchema):
    vendor = fields.String(load_default=None, allow_none=True)
    name = fields.String(load_default=None, allow_none=True)
    country = fields.String(required=True)
    role = fields.String(load_default="processor", validate=validate.OneOf(ROLES))
    dpf_certified = fields.Boolean(load_default=None, allow_none=True)
    covered_person = fields.Boolean(load_default=None, allow_none=True)
    owners = fields.List(fields.Nested(OwnerSchema), load_default=None, allow_none=True)
    gdpr_art3_2 = fields.Boolean(load_default=None, allow_none=True)
    sanctions = fields.List(fields.Nested(SanctionSchema), load_default=list)

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> Importer:
        owners = data.pop("owners")
        sanctions = data.pop("sanctions")
        return Importer(
            **data,
            owners=tuple(owners) if owners is not None else None,
            sanctions=tuple(sanctions),
        )


class MinorCountsSchema(DataclassSchema):
    builds = MinorCounts

    under_13 = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)
    under_14 = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)
    under_16 = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)
    under_17 = fields.Integer(load_default=None, allow_none=True, validate=_COUNT)

    @validates_schema
    def _nested_ages(self, data: dict[str, Any], **_: Any) -> None:
        stated = [
            (k, data[k])
            for k in ("under_13", "under_14", "under_16", "under_17")
            if data.get(k) is not None
        ]
        for (young, n), (old, m) in itertools.pairwise(stated):
            if n > m:
                raise ValidationError(f"{young} ({n}) cannot exceed {old} ({m}).", young)


class DataSubjectsSchema(StrictSchema):
    jurisdiction = fields.String(required=True, validate=validate_jurisdiction)
    count = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    minors = fields.Boolean(load_default=False)
    minor_counts = fields.Nested(MinorCountsSchema, load_default=None, allow_none=True)
    category_counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True, validate=_COUNT),
        load_default=None,
        allow_none=True,
    )

    @validates_schema
    def _within_group(self, data: dict[str, Any], **_: Any) -> None:
        count = data.get("count")
        if not isinstance(count, int):
            return
        counts = data.get("minor_counts")
        if isinstance(counts, MinorCounts):
            for age in (13, 14, 16, 17):
                n = getattr(counts, f"under_{age}")
                if n is not None and n > count:
                    raise ValidationError(
                        {f"under_{age}": [f"More minors ({n}) than people in the group."]},
                        "minor_counts",
                    )
        bad = {
            k: [f"More people ({v}) than in the group ({count})."]
            for k, v in (data.get("category_counts") or {}).items()
            if v > count
        }
        if bad:
            raise ValidationError(bad, "category_counts")

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> DataSubjects:
        counts = data.pop("category_counts") or {}
        minor_counts = data["minor_counts"]
        if minor_counts is not None and not data["minors"]:
            stated = [getattr(minor_counts, f"under_{a}") for a in (13, 14, 16, 17)]
            data["minors"] = any(n for n in stated if n)
        return DataSubjects(**data, category_counts=tuple(sorted(counts.items())))


class SccTermsSchema(DataclassSchema):
    builds = SccTerms

    decision = fields.String(required=True, validate=validate.OneOf(SCC_DECISIONS))
    signed = fields.Date(load_default=None, allow_none=True)


class DerogationSchema(DataclassSchema):
    builds = Derogation

    basis = fields.String(required=True, validate=validate.OneOf(EU_DEROGATIONS))
    occasional = fields.Boolean(load_default=None, allow_none=True)


class TransferSchema(StrictSchema):
    """Parses the contract's Transfer JSON; unknown fields and unknown ids are field errors."""

    as_of = fields.Date(load_default=None)
    exporter = fields.Nested(ExporterSchema, required=True)
    importer = fields.Nested(ImporterSchema, required=True)
    # Countries, or a known international organisation's id: what `make` fills in for an
    # organisation's importer (its id) must parse again from transfer_to_dict's JSON.
    destinations = fields.List(fields.String(), load_default=None)
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
    us_exemptions = fields.List(
        fields.String(validate=validate.OneOf(US_EXEMPTIONS)), load_default=list
    )
    government_related_data = fields.Boolean(load_default=None, allow_none=True)
    us_prior_12m = fields.Integer(load_default=0, strict=True, validate=_COUNT)
    eu_scc_terms = fields.Nested(SccTermsSchema, load_default=None, allow_none=True)
    eu_derogation = fields.Nested(DerogationSchema, load_default=None, allow_none=True)
    eu_tia = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(TIA_OUTCOMES)
    )

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
        taxonomy = (
            ("data_categories", ref.data_categories, "data category"),
            ("purposes", ref.purposes, "purpose"),
        )
        for key, known, what in taxonomy:
            bad = {
                i: [f"Unknown {what} {value!r}; see vendor_data/taxonomy.yaml."]
                for i, value in enumerate(data.get(key) or [])
                if value not in known
            }
            if bad:
                errors[key] = bad
        categories = set(data.get("data_categories") or ())
        groups: dict[int, Any] = {}
        for i, group in enumerate(data.get("data_subjects") or []):
            if not isinstance(group, DataSubjects):
                continue
            stray = {
                c: ["Not among the transfer's data_categories."]
                for c, _ in group.category_counts
                if c not in categories
            }
            if stray:
                groups[i] = {"category_counts": stray}
        if groups:
            errors["data_subjects"] = groups
        importer = data.get("importer")
        if isinstance(importer, Importer) and not _is_place(importer.country, ref):
            errors["importer"] = {"country": [_not_a_place(importer.country)]}
        places = {
            i: [_not_a_place(code)]
            for i, code in enumerate(data.get("destinations") or [])
            if not _is_place(code, ref)
        }
        if places:
            errors["destinations"] = places
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
            us_exemptions=frozenset(data["us_exemptions"]),
            government_related_data=data["government_related_data"],
            us_prior_12m=data["us_prior_12m"],
            eu_scc_terms=data["eu_scc_terms"],
            eu_derogation=data["eu_derogation"],
            eu_tia=data["eu_tia"],
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


_SANCTION_KEYS = ("party", "lists", "designated", "through_ownership")


def _plain(value: Any) -> Any:
    """A value as contract JSON (dates as ISO text, tuples as lists)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _dpf_status(vendor: Any, on: date | None = None) -> bool | None:
    """DPF participation from the registry on day `on`: `dpf.status` (active: yes, unless its
    `recertification_due` date is before `on`: the certification lapsed; inactive or not
    listed: no), else the derived `dpf_certified`; None when the registry does not know."""
    dpf = _get(vendor, "dpf")
    status = _get(dpf, "status") if dpf is not None else None
    if status == "active":
        due = _get(dpf, "recertification_due")
        if isinstance(due, str):
            due = date.fromisoformat(due)
        return not (on is not None and isinstance(due, date) and due < on)
    if status in ("inactive", "not_listed"):
        return False
    flag = _get(vendor, "dpf_certified")
    return bool(flag) if flag is not None else None


def vendor_owners(ownership: Any) -> list[dict[str, Any]] | None:
    """The registry's `ownership` block as Transfer `importer.owners` (REGISTRY_FORMAT.md):
    the direct parent and, when different, the ultimate parent; `independent: true` is stated
    as no owner of note; None when the registry does not know."""
    if ownership is None:
        return None
    if _get(ownership, "independent") is True:
        return []
    owners: list[dict[str, Any]] = []
    seen: set[str] = set()
    for key in ("parent", "ultimate_parent"):
        holder = _get(ownership, key)
        if holder is None or _get(holder, "country") is None:
            continue
        name = _get(holder, "name")
        if name in seen:
            continue
        seen.add(name)
        owners.append(
            {"name": name, "country": _get(holder, "country"), "share": _get(holder, "share")}
        )
    return owners or None


def apply_vendor_defaults(
    transfer_data: Mapping[str, Any], vendor: Any, on: date | None = None
) -> dict[str, Any]:
    """Fill importer facts and destinations from a vendor record (mapping or object) if absent;
    `on`: the day the registry's dated facts are read for (a DPF re-certification due date)."""
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
    if importer.get("dpf_certified") is None:
        dpf = _dpf_status(vendor, on)
        if dpf is not None:
            importer["dpf_certified"] = dpf
    if "owners" not in importer:
        owners = vendor_owners(_get(vendor, "ownership"))
        if owners is not None:
            importer["owners"] = owners
    if "sanctions" not in importer:
        sanctions = [
            {k: _plain(_get(entry, k)) for k in _SANCTION_KEYS if _get(entry, k) is not None}
            for entry in (_get(vendor, "sanctions") or [])
        ]
        if sanctions:
            importer["sanctions"] = sanctions
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
        "provisional": result.provisional,
        "if_unknown": [
            {
                "id": b.id,
                "question": b.question,
                "answers": [
                    {"answer": a.answer, "verdict": a.verdict, "mechanism": a.mechanism}
                    for a in b.answers
                ],
            }
            for b in result.if_unknown
        ],
    }


def evaluation_to_dict(evaluation: Evaluation) -> dict[str, Any]:
    """The Evaluation as the contract's JSON (plus rules_version)."""
    return {
        "as_of": evaluation.as_of.isoformat(),
        "overall": {"level": evaluation.overall.level, "score": evaluation.overall.score},
        "regimes": {r.regime: regime_to_dict(r) for r in evaluation.regimes},
        "rules_version": evaluation.rules_version,
        "warnings": [{"code": w.code, "message": w.message} for w in evaluation.warnings],
    }


def transfer_to_dict(transfer: Transfer) -> dict[str, Any]:
    """A Transfer as contract JSON (parses back to the same Transfer)."""
    exp, imp = transfer.exporter, transfer.importer
    ytd = exp.cn_outbound_ytd
    tests = exp.ccpa_thresholds
    return {
        "as_of": transfer.as_of.isoformat(),
        "exporter": {
            "name": exp.name,
            "country": exp.country,
            "role": exp.role,
            "ciio": exp.ciio,
            "us_person": exp.us_person,
            "ccpa_business": exp.ccpa_business,
            "data_broker": exp.data_broker,
            "cn_outbound_ytd": (
                {"non_sensitive": ytd.non_sensitive, "sensitive": ytd.sensitive} if ytd else None
            ),
            "cn_processing_volume": exp.cn_processing_volume,
            "ccpa_thresholds": (
                {
                    "annual_revenue_usd": tests.annual_revenue_usd,
                    "consumers_traded": tests.consumers_traded,
                    "revenue_share_selling": tests.revenue_share_selling,
                }
                if tests
                else None
            ),
            "targets_eu": exp.targets_eu,
        },
        "importer": {
            "vendor": imp.vendor,
            "name": imp.name,
            "country": imp.country,
            "role": imp.role,
            "dpf_certified": imp.dpf_certified,
            "covered_person": imp.covered_person,
            "owners": (
                [{"name": o.name, "country": o.country, "share": o.share} for o in imp.owners]
                if imp.owners is not None
                else None
            ),
            "gdpr_art3_2": imp.gdpr_art3_2,
            "sanctions": [
                {
                    "party": s.party,
                    "lists": list(s.lists),
                    "designated": s.designated.isoformat() if s.designated else None,
                    "through_ownership": s.through_ownership,
                }
                for s in imp.sanctions
            ],
        },
        "destinations": list(transfer.destinations),
        "data_subjects": [_group_to_dict(s) for s in transfer.data_subjects],
        "data_categories": list(transfer.data_categories),
        "purposes": list(transfer.purposes),
        "transaction": transfer.transaction,
        "safeguards": sorted(transfer.safeguards),
        "exemptions": sorted(transfer.exemptions),
        "important_data": transfer.important_data,
        "us_exemptions": sorted(transfer.us_exemptions),
        "government_related_data": transfer.government_related_data,
        "us_prior_12m": transfer.us_prior_12m,
        "eu_scc_terms": (
            {
                "decision": transfer.eu_scc_terms.decision,
                "signed": transfer.eu_scc_terms.signed.isoformat()
                if transfer.eu_scc_terms.signed
                else None,
            }
            if transfer.eu_scc_terms
            else None
        ),
        "eu_derogation": (
            {"basis": transfer.eu_derogation.basis, "occasional": transfer.eu_derogation.occasional}
            if transfer.eu_derogation
            else None
        ),
        "eu_tia": transfer.eu_tia,
    }


def _group_to_dict(group: DataSubjects) -> dict[str, Any]:
    out: dict[str, Any] = {
        "jurisdiction": group.jurisdiction,
        "count": group.count,
        "minors": group.minors,
    }
    if group.minor_counts is not None:
        m = group.minor_counts
        out["minor_counts"] = {
            "under_13": m.under_13,
            "under_14": m.under_14,
            "under_16": m.under_16,
            "under_17": m.under_17,
        }
    if group.category_counts:
        out["category_counts"] = dict(group.category_counts)
    return out
