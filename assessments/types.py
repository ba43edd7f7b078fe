"""Frozen domain types of the transfer engine: the Transfer in, the Evaluation out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

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
)
EXEMPTIONS: tuple[str, ...] = (
    "contract_necessity",
    "hr_management",
    "emergency",
    "collected_abroad",
    "ftz_negative_list_clear",
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
    "cn_exempt",
    "cn_standard_contract",
    "cn_certification",
    "cn_security_assessment",
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
class Exporter:
    """The sender of the data. `None` on a flag means the fact was not stated."""

    country: str
    name: str | None = None
    role: Role = "controller"
    ciio: bool | None = None
    us_person: bool | None = None
    ccpa_business: bool = False
    data_broker: bool = False
    cn_outbound_ytd: OutboundYtd | None = None


@dataclass(frozen=True, slots=True)
class Importer:
    """The recipient. `None` on a flag means the fact is unknown."""

    country: str
    name: str | None = None
    vendor: str | None = None
    role: Role = "processor"
    dpf_certified: bool | None = None
    covered_person: bool | None = None


@dataclass(frozen=True, slots=True)
class DataSubjects:
    """A group of people whose data is transferred: where they are and how many."""

    jurisdiction: str
    count: int
    minors: bool = False


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

    def regime(self, code: str) -> RegimeResult:
        """The result for one regime code (CN, EU, US)."""
        for result in self.regimes:
            if result.regime == code:
                return result
        raise KeyError(code)
