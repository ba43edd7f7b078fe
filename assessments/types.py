"""Frozen domain types of the transfer engine: the Transfer in, the Evaluation out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar

Role = Literal["controller", "processor"]
Verdict = Literal[
    "not_applicable", "permitted", "mechanism_required", "approval_required", "prohibited"
]
Level = Literal["low", "medium", "high", "critical"]
TransactionType = Literal[
    "data_brokerage", "vendor_agreement", "employment_agreement", "investment_agreement", "other"
]

ROLES: tuple[str, ...] = ("controller", "processor")
TRANSACTIONS: tuple[str, ...] = (
    "data_brokerage",
    "vendor_agreement",
    "employment_agreement",
    "investment_agreement",
    "other",
)
SAFEGUARDS: tuple[str, ...] = (
    "eu_scc",
    "eu_bcr",
    "cn_standard_contract_filed",
    "cn_certification",
    "cn_security_assessment_passed",
    "cisa_security_requirements",
    "ccpa_contract",
    "encryption_exporter_keys",
    "pseudonymisation",
    "e2e_encryption",
    "separate_consent",
    "us_doj_brokerage_clause",
)
EXEMPTIONS: tuple[str, ...] = (
    "contract_necessity",
    "hr_management",
    "emergency",
    "collected_abroad",
    "ftz_negative_list_clear",
)
# 28 CFR Part 202 Subpart E exempt transactions (section numbers as in the eCFR).
US_EXEMPTIONS: tuple[str, ...] = (
    "personal_communications",  # 202.501
    "information_materials",  # 202.502
    "travel",  # 202.503
    "official_government_business",  # 202.504
    "financial_services",  # 202.505
    "corporate_group",  # 202.506
    "required_by_federal_law",  # 202.507
    "cfius_action",  # 202.508
    "telecommunications",  # 202.509
    "drug_device_authorization",  # 202.510
    "clinical_investigation",  # 202.511
)
# GDPR Art. 49(1) derogations.
EU_DEROGATIONS: tuple[str, ...] = (
    "explicit_consent",  # (a)
    "contract_with_subject",  # (b)
    "contract_in_subject_interest",  # (c)
    "public_interest",  # (d)
    "legal_claims",  # (e)
    "vital_interests",  # (f)
    "public_register",  # (g)
    "compelling_legitimate_interests",  # second subparagraph
)
# The SCC decisions an `eu_scc` safeguard may rest on.
SCC_DECISIONS: tuple[str, ...] = ("2021/914", "2010/87/EU", "2004/915/EC", "2001/497/EC")
TIA_OUTCOMES: tuple[str, ...] = ("effective", "defeated")
SANCTION_LISTS: tuple[str, ...] = (
    "ofac_sdn",
    "ofac_ssi",
    "ofac_nscmic",
    "bis_entity",
    "eu_consolidated",
    "uk_sanctions",
    "un",
)
MECHANISMS: tuple[str, ...] = (
    "eu_adequacy",
    "eu_dpf",
    "eu_scc_c2c",
    "eu_scc_c2p",
    "eu_scc_p2p",
    "eu_scc_p2c",
    "eu_bcr",
    "eu_derogation",
    "eu_ad_hoc_clauses",
    "cn_exempt",
    "cn_standard_contract",
    "cn_certification",
    "cn_security_assessment",
    "eu_no_transfer",
    "us_doj_cisa_requirements",
    "us_doj_brokerage_clause",
    "us_doj_prohibited",
    "us_padfa_prohibited",
    "us_ccpa_contract",
)
# Ranked from least to most stringent; a regime's verdict is the most stringent one reached.
VERDICTS: tuple[str, ...] = (
    "not_applicable",
    "permitted",
    "mechanism_required",
    "approval_required",
    "prohibited",
)
LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
REGIMES: tuple[str, ...] = ("CN", "EU", "US")


@dataclass(frozen=True, slots=True)
class OutboundYtd:
    """People whose PI an exporter already sent out of mainland China since 1 January."""

    non_sensitive: int = 0
    sensitive: int = 0


@dataclass(frozen=True, slots=True)
class CcpaThresholds:
    """The CCPA "business" tests (Cal. Civ. Code 1798.140(d)(1)); `None` = not stated."""

    annual_revenue_usd: int | None = None
    # PI of this many consumers or households bought, sold or shared a year.
    consumers_traded: int | None = None
    # Percent of annual revenue from selling or sharing PI.
    revenue_share_selling: float | None = None


@dataclass(frozen=True, slots=True)
class Exporter:
    """The sender of the data. `None` on a flag means the fact was not stated."""

    country: str
    name: str | None = None
    role: Role = "controller"
    ciio: bool | None = None
    us_person: bool | None = None
    ccpa_business: bool | None = None
    data_broker: bool | None = None
    cn_outbound_ytd: OutboundYtd | None = None
    # People whose PI the exporter processes in all (Order No. 11 Art. 4(2), PIPL Arts. 40, 52, 54).
    cn_processing_volume: int | None = None
    ccpa_thresholds: CcpaThresholds | None = None
    # A non-EEA exporter offers goods or services to, or monitors, people in the EU (Art. 3(2)).
    targets_eu: bool | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """A holder of the importer's shares: where it is headquartered and the percent it holds."""

    country: str
    share: float | None = None  # percent; None = a holder of unknown share
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Sanction:
    """A designation of the importer or one of its owners on a sanctions list."""

    party: str
    lists: tuple[str, ...]
    designated: date | None = None
    through_ownership: bool = False


@dataclass(frozen=True, slots=True)
class Importer:
    """The recipient. `None` on a flag means the fact is unknown."""

    country: str
    name: str | None = None
    vendor: str | None = None
    role: Role = "processor"
    dpf_certified: bool | None = None
    covered_person: bool | None = None
    # Direct and indirect holders (None = ownership unknown; () = stated: no holder of note).
    owners: tuple[Owner, ...] | None = None
    gdpr_art3_2: bool | None = None  # the importer's own processing is subject to GDPR Art. 3(2)
    sanctions: tuple[Sanction, ...] = ()


@dataclass(frozen=True, slots=True)
class MinorCounts:
    """How many people of a group are below each law's age of a minor (`None` = not stated)."""

    under_13: int | None = None  # COPPA (15 U.S.C. 6501(1))
    under_14: int | None = None  # PIPL Art. 28
    under_16: int | None = None  # CCPA 1798.120(c); GDPR Art. 8 default
    under_17: int | None = None  # PADFA 15 U.S.C. 9901(7)(H)


@dataclass(frozen=True, slots=True)
class DataSubjects:
    """A group of people whose data is transferred: where they are and how many."""

    jurisdiction: str
    count: int
    minors: bool = False
    minor_counts: MinorCounts | None = None
    # People of the group per data category (taxonomy id -> count), where fewer than all.
    category_counts: tuple[tuple[str, int], ...] = ()

    def minors_under(self, age: int) -> int:
        """People of the group under `age`: the stated count, else the whole group when it is
        marked as including minors (an upper bound), else 0."""
        counts = self.minor_counts
        if counts is not None:
            stated: int | None = getattr(counts, f"under_{age}", None)
            if stated is not None:
                return stated
        return self.count if self.minors else 0

    def count_of(self, category: str) -> int:
        """People of the group whose data of this category is sent."""
        for name, count in self.category_counts:
            if name == category:
                return count
        return self.count


@dataclass(frozen=True, slots=True)
class SccTerms:
    """The SCCs an `eu_scc` safeguard rests on: the Commission decision and the signing day."""

    decision: str
    signed: date | None = None


@dataclass(frozen=True, slots=True)
class Derogation:
    """A claimed GDPR Art. 49 derogation and whether the transfer is occasional."""

    basis: str
    occasional: bool | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """One transfer of personal data to a vendor, as the transfer contract describes it."""

    as_of: date
    exporter: Exporter
    importer: Importer
    destinations: tuple[str, ...]
    data_subjects: tuple[DataSubjects, ...]
    data_categories: tuple[str, ...]
    purposes: tuple[str, ...] = ()
    transaction: TransactionType = "vendor_agreement"
    safeguards: frozenset[str] = frozenset()
    exemptions: frozenset[str] = frozenset()
    important_data: bool | None = None
    us_exemptions: frozenset[str] = frozenset()
    government_related_data: bool | None = None
    # US persons' data this exporter already gave the same counterparty in the 12 months before.
    us_prior_12m: int = 0
    eu_scc_terms: SccTerms | None = None
    eu_derogation: Derogation | None = None
    eu_tia: str | None = None  # "effective" | "defeated": the documented TIA's conclusion


@dataclass(frozen=True, slots=True)
class Obligation:
    """Something the law requires of the exporter, with its source and deadline."""

    id: str
    text: str
    citation: str
    due: str | None = None


@dataclass(frozen=True, slots=True)
class FiredRule:
    """A rule that fired for this transfer, with its citation and a plain explanation."""

    id: str
    citation: str
    explanation: str
    remediation: str | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to an open question and what the regime would say under it."""

    answer: str
    verdict: Verdict
    mechanism: str | None = None


@dataclass(frozen=True, slots=True)
class Branch:
    """An open question whose answer changes the regime's verdict, and each answer's verdict."""

    id: str
    question: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class Warning:
    """Something a reader must see beside the verdicts (a sanctions designation, ...)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class RegimeResult:
    """What one regime (CN, EU or US) says about the transfer."""

    regime: str
    applies: bool
    why: str
    verdict: Verdict
    mechanism: str | None = None
    alternatives: tuple[str, ...] = ()
    met: bool | None = None
    level: Level = "low"
    score: int = 0
    obligations: tuple[Obligation, ...] = ()
    rules: tuple[FiredRule, ...] = ()
    questions: tuple[str, ...] = ()
    # True when an unanswered question could change the verdict: the verdict, level and score
    # are then those of the strictest answer, and if_unknown lists each question's branches.
    provisional: bool = False
    if_unknown: tuple[Branch, ...] = ()


@dataclass(frozen=True, slots=True)
class Overall:
    """The worst regime's level and score."""

    level: Level
    score: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The engine's answer for one transfer on one day under one rules version."""

    as_of: date
    overall: Overall
    regimes: tuple[RegimeResult, ...]
    rules_version: str = ""
    warnings: tuple[Warning, ...] = ()

    def regime(self, code: str) -> RegimeResult:
        """The result for one regime code (CN, EU, US)."""
        for result in self.regimes:
            if result.regime == code:
                return result
        raise KeyError(code)


def in_force(start: date | None, end: date | None, on: date) -> bool:
    """Whether something dated applies on the day: from `start` through `end`, both days
    included; a bound that is None is open (the rules, their params, adequacy decisions, EEA
    membership)."""
    return (start is None or start <= on) and (end is None or on <= end)


_Record = TypeVar("_Record")


def evolve(record: _Record, **changes: Any) -> _Record:
    """`dataclasses.replace` for these frozen, slotted records, at about a third of its cost.

    The records here have no __post_init__ and every field is an init field, so copying the
    slots and setting the changed ones gives what replace gives (the engine's hot path makes
    a variant of a transfer per answer to an open question).
    """
    cls = type(record)
    slots = _SLOTS.get(cls)
    if slots is None:
        slots = _SLOTS[cls] = (cls.__slots__, frozenset(cls.__slots__))  # type: ignore[attr-defined]
    if not changes.keys() <= slots[1]:
        unknown = sorted(changes.keys() - slots[1])
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    new = object.__new__(cls)
    setattr_ = object.__setattr__
    for name in slots[0]:
        setattr_(new, name, getattr(record, name))
    for name, value in changes.items():
        setattr_(new, name, value)
    return new


_SLOTS: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}
