"""Facts per regime: the procedural part of the engine that turns a Transfer into named values.

Rules (YAML) only ever see these names. `None` means unknown. Every fact a rule may name is
declared in FACTS with a one-line meaning; a test checks rules name nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from assessments.catalog.reference import Adequacy, DataCategory, Listing, Reference
from assessments.types import CcpaThresholds, DataSubjects, Owner, SccTerms, Transfer, evolve

SCC_MODULES = {
    ("controller", "controller"): "c2c",
    ("controller", "processor"): "c2p",
    ("processor", "processor"): "p2p",
    ("processor", "controller"): "p2c",
}

# Facts the engine adds after the decisions, for obligation rules (per regime).
DERIVED_FACTS: dict[str, str] = {
    "mechanism": "the mechanism the regime's verdict rests on (after decisions)",
    "verdict": "the regime's verdict (after decisions)",
}

FACTS: dict[str, dict[str, str]] = {
    "CN": {
        "export": "the exporter is in mainland China and a recipient or destination is outside it",
        "exporter_in_cn": "the exporter is established in mainland China",
        "art3_2_candidate": "an exporter outside mainland China handles people in mainland China",
        "exemptions": "the PRC exemptions claimed",
        "important_data": "notified or published important data in the flow (None: unknown)",
        "important_data_stated": "whether important_data was stated",
        "ciio": "the exporter is a CIIO (None: unknown)",
        "ciio_stated": "whether ciio was stated",
        "hr_context": "HR purpose or employment agreement (else unknown)",
        "contract_purposes": "every purpose can be contract necessity (else unknown)",
        "flow_count": "people whose PI this flow exports that count towards the PRC thresholds",
        "mainland_count": "people in mainland China in this transfer",
        "nonsensitive_total": "people with non-sensitive PI exported in the window, this flow too",
        "sensitive_total": "people with sensitive PI exported in the window, this flow too",
        "window_total": "all people exported in the counting window, incl. this flow (upper bound)",
        "window_start": "the first day of the counting window of the law in force (text)",
        "exempt_reading": "whether flows under the Arts. 4-6 exemptions count (text)",
        "processing_volume": "people whose PI the exporter processes in all (None: unknown)",
        "processing_volume_stated": "whether processing_volume was stated",
        "processed_lower_bound": "a lower bound of the people whose PI the exporter processes",
        "sensitive": "the flow contains sensitive PI (incl. PI of minors under 14)",
        "sensitive_categories": "names of the sensitive categories (text)",
        "sensitive_categories_present": "a taxonomy category in the flow is PIPL-sensitive",
        "minors": "a group in mainland China includes minors under 14",
        "minors_count": "people under 14 in the flow (the whole group where no count is given)",
        "minors_counted": "every group with minors says how many are under 14",
        "other_subjects": "the flow includes people outside mainland China",
        "importer_name": "the recipient's name (text)",
        "cn_mechanism": "the CN track's mechanism (after decisions)",
        "cn_verdict": "the CN track's verdict (after decisions)",
        "cn_applies": "the CN track applies (after decisions)",
    },
    "EU": {
        "gdpr_reaches": "the exporter is in the EEA, or targets or monitors people in the EEA",
        "exporter_in_eea": "the exporter is established in the EU/EEA",
        "eu_subjects": "the flow covers people in the EU/EEA",
        "targets_eu": "a non-EEA exporter targets or monitors people in the EU (None: unknown)",
        "targets_eu_stated": "whether targets_eu was stated",
        "third_country": "the recipient or a destination is outside the EEA",
        "transfer": "a Chapter V transfer: gdpr_reaches and third_country",
        "third_countries": "the destinations outside the EEA (text)",
        "adequacy_gap": "why no adequacy decision carries the transfer (text)",
        "all_adequate": "every destination outside the EEA is covered by adequacy in force",
        "uses_dpf": "a US destination is covered through the DPF",
        "us_destination": "the US is among the destinations outside the EEA",
        "dpf_stated": "whether the recipient's DPF status was stated",
        "adequacy_decisions": "the adequacy decisions relied on (text)",
        "adequacy_scope_limited": "an adequacy decision relied on covers only some recipients",
        "adequacy_scope_notes": "the scope limits (text)",
        "scc_module": "the SCC module the roles select: c2c, c2p, p2p or p2c",
        "scc_mechanism": "the SCC mechanism code for the roles",
        "exporter_processor": "the exporter acts as processor",
        "scc_in_place": "SCCs that are valid on the day are among the safeguards",
        "scc_terms": "the SCC decision and signing day stated (text)",
        "scc_legacy_expired": "the SCCs in place are Directive-era clauses no longer valid",
        "bcr_in_place": "binding corporate rules are among the safeguards",
        "importer_processor": "the recipient acts as processor",
        "importer_art3_2": "the recipient's processing is itself subject to GDPR Art. 3(2)",
        "derogation": "the Art. 49 derogation claimed (none: no claim)",
        "derogation_usable": "the claimed derogation can carry the transfer (None: unknown)",
        "derogation_occasional_needed": "the claimed derogation requires an occasional transfer",
        "derogation_compelling": "the claim is the Art. 49(1) second-subparagraph derogation",
        "tia_effective": "the documented TIA found the supplementary measures effective",
        "tia_defeated": "destination law defeats every measure (stated TIA or found)",
        "special_art9": "the data includes Art. 9 special categories",
        "criminal_art10": "the data includes Art. 10 criminal-offence data",
        "special_or_criminal": "special_art9 or criminal_art10",
        "special_categories": "names of Art. 9/10 categories (text)",
        "minors": "a group in scope includes children",
        "eu_count": "people in scope of the GDPR in this flow",
        "wp248_count": "WP248 criteria met other than large scale",
        "wp248_criteria": "the WP248 criteria met (text)",
        "gov_access_concern": "a non-adequate destination has unchecked government-access laws",
        "gov_access_countries": "those destinations and laws (text)",
        "clear_text_exposed": "no exporter-held keys, pseudonymisation or e2e encryption in place",
        "tia_drivers": "what drives the transfer impact assessment (text)",
        "eu_mechanism": "the EU track's mechanism (after decisions)",
        "eu_verdict": "the EU track's verdict (after decisions)",
        "eu_applies": "the EU track applies (after decisions)",
    },
    "US": {
        "us_count": "U.S. persons (or devices, for precise geolocation) in this flow",
        "exporter_us_person": "the exporter is a U.S. person (28 CFR 202.256)",
        "importer_foreign": "the recipient is established outside the US",
        "covered": "DOJ covered person: stated, or by country or 50% ownership",
        "covered_stated": "whether covered-person status was stated or follows from stated facts",
        "coc_share": "percent of the recipient held from countries of concern (stated owners)",
        "coc_destination": "the data is stored in or accessible from a country of concern",
        "dsp_exemptions": "the 28 CFR 202 Subpart E exemptions claimed (text; none: no claim)",
        "dsp_exempt": "a Subpart E exemption is claimed",
        "government_data": "government-related data is in the flow (None: unknown)",
        "government_data_stated": "whether government_related_data was stated",
        "dsp_sensitive": "the data includes a DSP sensitive personal data category",
        "dsp_categories": "the DSP categories present (text)",
        "bulk_threshold": "the lowest applicable bulk threshold ('more than N')",
        "bulk_threshold_text": "bulk_threshold as text",
        "bulk": "a category's 12-month count is over its threshold, or government-related data",
        "at_threshold": "a category's 12-month count equals its threshold exactly",
        "dsp_count": "the highest 12-month head-count of a DSP category (this flow and prior)",
        "prior_12m": "U.S. persons given to this counterparty in the 12 months before",
        "omic_threshold": "the human 'omic threshold that applies",
        "omic_bulk": "bulk human 'omic data",
        "transaction": "the DOJ transaction type",
        "brokerage": "the transaction is data brokerage",
        "data_broker": "the exporter is a data broker for this data (None: unknown)",
        "data_broker_stated": "whether data_broker was stated",
        "padfa_sensitive": "PADFA sensitive data (incl. data on minors under 17)",
        "padfa_controlled": "the recipient is in, or 20%+ owned from, a foreign adversary country",
        "padfa_controlled_stated": "whether PADFA control follows from stated facts",
        "adversary_share": "percent of the recipient held from foreign adversary countries",
        "ccpa_business": "the exporter is a CCPA business (stated or from the thresholds)",
        "ccpa_business_stated": "whether ccpa_business was stated or follows from the thresholds",
        "ccpa_consumers": "California residents are in the flow (unknown for unsplit US groups)",
        "ccpa_consumers_stated": "whether the US groups are broken down by state",
        "ccba": "a purpose is cross-context behavioural advertising",
        "importer_third_party": "the recipient acts as controller (a CCPA third party)",
        "ccpa_sensitive": "the data includes CCPA sensitive PI",
        "ccpa_sensitive_categories": "names of CCPA sensitive categories (text)",
        "us_minors": "a US group includes children under 13 (COPPA)",
        "us_minors_16": "a US group includes consumers under 16 (CCPA 1798.120(c))",
        "us_minors_17": "a US group includes individuals under 17 (PADFA)",
        "dsp_mechanism": "the DSP track's mechanism (after decisions)",
        "dsp_verdict": "the DSP track's verdict (after decisions)",
        "dsp_applies": "the DSP track applies (after decisions)",
        "padfa_mechanism": "the PADFA track's mechanism (after decisions)",
        "padfa_verdict": "the PADFA track's verdict (after decisions)",
        "padfa_applies": "the PADFA track applies (after decisions)",
        "ccpa_mechanism": "the CCPA track's mechanism (after decisions)",
        "ccpa_verdict": "the CCPA track's verdict (after decisions)",
        "ccpa_applies": "the CCPA track applies (after decisions)",
        "coppa_mechanism": "the COPPA track's mechanism (after decisions)",
        "coppa_verdict": "the COPPA track's verdict (after decisions)",
        "coppa_applies": "the COPPA track applies (after decisions)",
    },
}
for _regime in FACTS.values():
    _regime.update(DERIVED_FACTS)

PROTECTIVE = ("encryption_exporter_keys", "pseudonymisation", "e2e_encryption")


# The engine's records per regime pass (Exposure, RegimeFacts, the stated steps' results) are
# named tuples: immutable like the frozen dataclasses, at a third of their cost to build (a
# frozen dataclass sets each field through object.__setattr__), and built up to seven times per
# regime and evaluation.


class Exposure(NamedTuple):
    """Inputs to the score besides the verdict, each in [0, 1] except the head-count."""

    people: int
    sensitivity: float
    exposure: float


class RegimeFacts(NamedTuple):
    """The facts of one regime and its exposure figures (from a builder's `answered` step: the
    facts it adds to the stated ones; from `Builder.build`: all of them)."""

    facts: dict[str, Any]
    exposure: Exposure
    # The safeguards that count on the day, where some stated one does not (else None).
    safeguards: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Profile:
    """What a transfer's data categories and purposes mean per regime (pure taxonomy lookups)."""

    cn_sensitive: tuple[str, ...]
    cn_nonsensitive_present: bool
    eu_special: tuple[str, ...]
    eu_criminal: tuple[str, ...]
    eu_highly_personal: int
    # The WP248 rev.01 criteria met (count, text), other than large scale: without, then with
    # children in scope (criterion 7, vulnerable data subjects; employees already count).
    eu_wp248: tuple[tuple[int, str], tuple[int, str]]
    listed_identifiers: frozenset[str]
    dsp: tuple[tuple[str, int], ...]
    # (taxonomy id, DOJ category, threshold) and (taxonomy id, listed identifier), for per-category
    # head-counts.
    dsp_ids: tuple[tuple[str, str, int], ...]
    listed_ids: tuple[tuple[str, str], ...]
    ccpa_sensitive: tuple[str, ...]
    padfa_sensitive: bool
    contract_purposes: bool
    ccba: bool
    employment: bool


# Which taxonomy categories each regime treats as sensitive: the one definition, read by the
# engine (profile) and by the documents and the DPIA screening (sensitive_categories).
SENSITIVITY: dict[str, Callable[[DataCategory], bool]] = {
    "pipl_sensitive": lambda c: c.cn.sensitive,  # PIPL Art. 28
    "gdpr_art9": lambda c: c.eu.special == "art9",  # GDPR Art. 9(1)
    "gdpr_art10": lambda c: c.eu.special == "art10",  # GDPR Art. 10
    "gdpr_special": lambda c: c.eu.special in ("art9", "art10"),  # Arts. 9 and 10
    # WP248 rev.01 criterion 4: sensitive data or data of a highly personal nature
    "wp248_sensitive": lambda c: c.eu.special is not None or c.eu.highly_personal,
    "ccpa_sensitive": lambda c: c.ccpa.sensitive,  # Cal. Civ. Code 1798.140(ae)
    "padfa_sensitive": lambda c: c.padfa.sensitive,  # 15 U.S.C. 9901
    "dsp_sensitive": lambda c: bool(c.doj.category and c.doj.threshold),  # 28 CFR 202.205
}


def sensitive_categories(ref: Reference, categories: Iterable[str], table: str) -> list[str]:
    """The categories (taxonomy ids, in the order given) that a regime treats as sensitive;
    `table` is a key of SENSITIVITY. Ids the taxonomy lacks are left out."""
    test = SENSITIVITY[table]
    return [c for c in categories if c in ref.data_categories and test(ref.data_categories[c])]


_PROFILES: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Profile] = {}


def profile(ref: Reference, categories: tuple[str, ...], purposes: tuple[str, ...]) -> Profile:
    """The taxonomy profile of a category and purpose mix (memoised per reference version)."""
    key = (ref.version, categories, purposes)
    found = _PROFILES.get(key)
    if found is not None:
        return found
    cats = [ref.data_categories[c] for c in categories]
    purps = [ref.purposes[p] for p in purposes]
    pipl = SENSITIVITY["pipl_sensitive"]
    # WP248 rev.01: the purposes' criteria, 4 (sensitive or highly personal data) from the
    # categories, 7 (vulnerable data subjects) for employees.
    criteria: set[int] = set()
    for purpose in purps:
        criteria.update(purpose.wp248_criteria)
    if any(SENSITIVITY["wp248_sensitive"](c) for c in cats):
        criteria.add(4)
    employment = "employment" in categories
    built = Profile(
        cn_sensitive=tuple(c.id for c in cats if pipl(c)),
        cn_nonsensitive_present=any(not pipl(c) for c in cats),
        eu_special=tuple(c.id for c in cats if SENSITIVITY["gdpr_art9"](c)),
        eu_criminal=tuple(c.id for c in cats if SENSITIVITY["gdpr_art10"](c)),
        eu_highly_personal=sum(1 for c in cats if c.eu.highly_personal),
        eu_wp248=(
            _criteria(criteria | {7} if employment else criteria),
            _criteria(criteria | {7}),
        ),
        listed_identifiers=frozenset(
            c.doj.listed_identifier for c in cats if c.doj.listed_identifier
        ),
        dsp=tuple(
            (c.doj.category, c.doj.threshold) for c in cats if c.doj.category and c.doj.threshold
        ),
        dsp_ids=tuple(
            (c.id, c.doj.category, c.doj.threshold)
            for c in cats
            if c.doj.category and c.doj.threshold
        ),
        listed_ids=tuple((c.id, c.doj.listed_identifier) for c in cats if c.doj.listed_identifier),
        ccpa_sensitive=tuple(c.id for c in cats if SENSITIVITY["ccpa_sensitive"](c)),
        padfa_sensitive=any(SENSITIVITY["padfa_sensitive"](c) for c in cats),
        contract_purposes=bool(purps) and all(p.cn_contract_necessity for p in purps),
        ccba=any(p.ccpa_cross_context_advertising for p in purps),
        employment=employment,
    )
    if len(_PROFILES) > 4096:
        _PROFILES.clear()
    _PROFILES[key] = built
    return built


def _criteria(criteria: set[int]) -> tuple[int, str]:
    """The WP248 criteria met, and their text."""
    return len(criteria), _names([str(c) for c in sorted(criteria)])


# ---------------------------------------------------------------------------- PRC head-counts

# The day Order No. 16 took effect: the counting window, the collected-abroad exemption and the
# end of Order No. 11 Art. 4(2).
CN_PROVISIONS_DAY = date(2024, 3, 22)


def cn_window_start(on: date) -> date:
    """The first day of the PRC counting window of the law in force on `on`: 1 January of the
    previous year under Order No. 11 Art. 4(3), 1 January of the current year under Order No. 16
    Arts. 7-8."""
    return date(on.year - 1, 1, 1) if on < CN_PROVISIONS_DAY else date(on.year, 1, 1)


class Headcount(NamedTuple):
    """People whose PI one transfer sends out of mainland China, as the PRC thresholds count
    (a named tuple: built once per CN evaluation, see Exposure)."""

    non_sensitive: int
    sensitive: int
    people: int  # everyone counted (each person once)
    mainland: int  # people in mainland China
    minors: int  # of them under 14 (upper bound where a group gives no count)


@dataclass(frozen=True, slots=True)
class Flow:
    """One earlier flow of an exporter: its day and the head-counts it contributed."""

    day: date
    first: int  # PRC: non-sensitive; DOJ: U.S. persons
    second: int = 0  # PRC: sensitive
    ref: int | None = None  # e.g. the review id


@dataclass(frozen=True, slots=True)
class Tally:
    """An exporter's earlier flows summed over the window of the law in force on a day.

    The one place that sums head-counts over flows: the PRC running totals (window from
    cn_window_start) and the DOJ 12-month total per counterparty (dsp_window_start).
    """

    first: int
    second: int
    refs: tuple[int, ...]


def tally(flows: Sequence[Flow], start: date, end: date) -> Tally:
    """The flows dated within [start, end], summed."""
    inside = [f for f in flows if start <= f.day <= end]
    return Tally(
        sum(f.first for f in inside),
        sum(f.second for f in inside),
        tuple(f.ref for f in inside if f.ref is not None),
    )


def dsp_window_start(on: date) -> date:
    """The first day of the DOJ rule's "preceding 12 months" (28 CFR 202.205) ending on `on`."""
    try:
        year_before = on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        year_before = on.replace(year=on.year - 1, day=28)
    return year_before + timedelta(days=1)


def us_headcount(t: Transfer) -> int:
    """U.S. persons in a transfer (the DOJ rule's per-counterparty count)."""
    return sum(g.count for g in t.data_subjects if g.jurisdiction.split("-")[0] == "US")


def _cn_export(t: Transfer) -> bool:
    return t.exporter.country == "CN" and (
        t.importer.country != "CN" or any(d != "CN" for d in t.destinations)
    )


def cn_headcount(t: Transfer, ref: Reference, prof: Profile | None = None) -> Headcount:
    """The one PRC head-count of a transfer (the engine and the reviews' running totals use it).

    Only an export from a mainland exporter counts. From 22 March 2024 only people in mainland
    China count (PI collected abroad is Order No. 16 Art. 4's case); before, PI of foreigners
    exported from China counted like any other. A group's minors under 14 are sensitive PI
    (PIPL Art. 28): the stated count, else the whole group (an upper bound). With a sensitive
    category every counted person is sensitive; with a non-sensitive one, the others are
    non-sensitive. `prof`: the transfer's profile, where the caller has it.
    """
    if not _cn_export(t):
        return Headcount(0, 0, 0, 0, 0)
    if prof is None:
        prof = profile(ref, t.data_categories, t.purposes)
    everyone = t.as_of < CN_PROVISIONS_DAY
    people = minors = mainland = 0
    for group in t.data_subjects:
        if group.jurisdiction == "CN":
            mainland += group.count
        if group.jurisdiction == "CN" or everyone:
            people += group.count
            minors += min(group.count, group.minors_under(14))
    sensitive = people if prof.cn_sensitive else minors
    non_sensitive = (people - minors) if prof.cn_nonsensitive_present else 0
    return Headcount(non_sensitive, sensitive, people, mainland, minors)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "none"


def _sensitivity(flags: float, n_sensitive: int, minors: bool) -> float:
    # Monotone in every argument; adding a category never lowers it.
    return min(1.0, 0.5 * flags + 0.15 * n_sensitive + (0.2 if minors else 0.0))


# ---------------------------------------------------------------------------- answerable inputs

# The inputs an open question can answer (facts.OPEN_INPUTS; the keys are their ids) and where
# each lives in a Transfer: the exporter, the importer or the transfer itself, and the field.
# A regime's facts are built in two steps: `stated` reads the transfer except these fields, and
# `answered` adds what depends on them, read from an Answers mapping. So the facts of every
# combination of answers are finished from one reading of the rest, without copying the
# transfer. `answered` returns only the facts it adds, never one of the stated ones: the engine
# computes the decision key's part on the stated facts once for every combination, and merges
# them with a combination's facts only where a text or an obligation rule reads them all.
# tests/assessments/test_facts.py checks that nothing in this module or the engine reads these
# fields from a transfer except `answers_of`, and that the stated facts plus those an answer
# adds are the facts of the transfer with that answer stated (`answered_transfer`).
ANSWERABLE: dict[str, tuple[str, str]] = {
    "ciio": ("exporter", "ciio"),
    "important_data": ("transfer", "important_data"),
    "processing_volume": ("exporter", "cn_processing_volume"),
    "dpf_certified": ("importer", "dpf_certified"),
    "targets_eu": ("exporter", "targets_eu"),
    "ownership": ("importer", "owners"),
    "data_broker": ("exporter", "data_broker"),
    "ccpa_business": ("exporter", "ccpa_business"),
    "government_related_data": ("transfer", "government_related_data"),
}
Answers = Mapping[str, Any]


def _part(t: Transfer, part: str) -> Any:
    return t if part == "transfer" else getattr(t, part)


def answers_of(t: Transfer, names: Iterable[str]) -> dict[str, Any]:
    """The answerable inputs `names` as the transfer states them (None: not stated)."""
    found: dict[str, Any] = {}
    for name in names:
        part, attribute = ANSWERABLE[name]
        found[name] = getattr(_part(t, part), attribute)
    return found


def answered_transfer(t: Transfer, answers: Answers) -> Transfer:
    """The transfer with these answerable inputs stated (what an answer means for a transfer)."""
    changes: dict[str, dict[str, Any]] = {}
    for name, value in answers.items():
        part, attribute = ANSWERABLE[name]
        changes.setdefault(part, {})[attribute] = value
    top = changes.pop("transfer", {})
    for part, fields in changes.items():
        top[part] = evolve(_part(t, part), **fields)
    return evolve(t, **top)


class CnStated(NamedTuple):
    """The PRC facts no answerable input changes, and what `cn_answered` finishes them from."""

    facts: dict[str, Any]
    people: int
    sensitivity: float
    lower: int  # the processed lower bound before a stated processing volume


def cn_stated(t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]) -> CnStated:
    """The PRC facts before the answerable inputs (ciio, important data, processing volume)."""
    exp, imp = t.exporter, t.importer
    exporter_in_cn = exp.country == "CN"
    export = _cn_export(t)
    count = cn_headcount(t, ref, prof)
    in_cn = outside = False  # a group of people in / outside mainland China
    minors_counted = True
    for group in t.data_subjects:
        if group.jurisdiction == "CN":
            in_cn = True
            if group.minors and (group.minor_counts is None or group.minor_counts.under_14 is None):
                minors_counted = False
        else:
            outside = True
    sensitive_ids = prof.cn_sensitive
    ytd_non = exp.cn_outbound_ytd.non_sensitive if exp.cn_outbound_ytd else 0
    ytd_sen = exp.cn_outbound_ytd.sensitive if exp.cn_outbound_ytd else 0
    nonsensitive_total = ytd_non + count.non_sensitive
    sensitive_total = ytd_sen + count.sensitive
    flow = count.people
    minors = count.minors > 0
    sensitive = bool(sensitive_ids) or minors
    counted = bool(params.get("exempt_flows_counted"))
    facts: dict[str, Any] = {
        "export": export,
        "exporter_in_cn": exporter_in_cn,
        "art3_2_candidate": (not exporter_in_cn) and in_cn,
        "exemptions": t.exemptions,
        # True or unknown (None), never False: a claimed exemption the purposes do not bear out
        # is doubtful, not refuted - the rule asks instead of silently dropping the claim.
        "hr_context": ("hr_management" in t.purposes or t.transaction == "employment_agreement")
        or None,
        "contract_purposes": (prof.contract_purposes) or None,
        "flow_count": flow,
        "mainland_count": count.mainland,
        "nonsensitive_total": nonsensitive_total,
        "sensitive_total": sensitive_total,
        "window_total": ytd_non + ytd_sen + flow,
        "window_start": cn_window_start(t.as_of).isoformat(),
        "exempt_reading": (
            "flows exempt under Arts. 4-6 are counted towards the totals"
            if counted
            else "flows exempt under Arts. 4-6 are not counted towards the totals"
        ),
        "sensitive": sensitive,
        "sensitive_categories": _names(
            [*sensitive_ids, "PI of minors under 14"] if minors else sensitive_ids
        ),
        "sensitive_categories_present": bool(sensitive_ids),
        "minors": minors,
        "minors_count": count.minors,
        "minors_counted": minors_counted,
        "other_subjects": outside,
        "importer_name": imp.name or imp.vendor or "the recipient",
    }
    return CnStated(
        facts,
        people=ytd_non + ytd_sen + flow,
        sensitivity=_sensitivity(1.0 if sensitive else 0.0, len(sensitive_ids), minors),
        lower=max(nonsensitive_total, sensitive_total),
    )


def cn_answered(s: CnStated, a: Answers) -> RegimeFacts:
    """The PRC facts, finished with the answerable inputs."""
    ciio, important, volume_ = a["ciio"], a["important_data"], a["processing_volume"]
    facts = {
        "important_data": important,
        "important_data_stated": important is not None,
        "ciio": ciio,
        "ciio_stated": ciio is not None,
        "processing_volume": volume_,
        "processing_volume_stated": volume_ is not None,
        "processed_lower_bound": max(s.lower, volume_ or 0),
    }
    exposure = Exposure(
        people=s.people,
        sensitivity=s.sensitivity,
        # An unknown status weighs as the stricter answer.
        exposure=min(
            1.0,
            0.3 + (0.35 if ciio is not False else 0.0) + (0.35 if important is not False else 0.0),
        ),
    )
    return RegimeFacts(facts, exposure)


@dataclass(frozen=True, slots=True)
class Destinations:
    """The EU view of where data goes: third countries, adequacy, government-access drivers,
    and the EU facts that follow from them alone."""

    third: tuple[str, ...]
    covered: tuple[bool, ...]
    gov: bool
    drivers: tuple[str, ...]
    facts: Mapping[str, Any]  # for eu_answered, which copies it


_DESTINATIONS: dict[tuple[str, tuple[str, ...], date, bool | None], Destinations] = {}


def _destinations(
    ref: Reference, places: tuple[str, ...], on: date, dpf: bool | None
) -> Destinations:
    key = (ref.version, places, on, dpf)
    found = _DESTINATIONS.get(key)
    if found is not None:
        return found
    third = tuple(dict.fromkeys(p for p in places if not ref.is_eea(p, on)))
    decisions = [ref.adequacy_on(p, on) for p in third]
    covered = tuple(_adequacy_covers(d, dpf) for d in decisions)
    used = [d for d, ok in zip(decisions, covered, strict=True) if d is not None and ok]
    limited = [d for d in used if d.scope in ("commercial", "appi_business")]
    gov = [
        (p, ref.government_access[p])
        for p, ok in zip(third, covered, strict=True)
        if not ok and p in ref.government_access and ref.government_access[p].safeguards is None
    ]
    drivers = [f"{ref.name_of(p)}: {', '.join(g.laws)}" for p, g in gov]
    for p, ok in zip(third, covered, strict=True):
        g = ref.government_access.get(p)
        if g is not None and g.safeguards is not None and not ok:
            drivers.append(f"{ref.name_of(p)}: {', '.join(g.laws)} (limited by {g.safeguards})")
    gaps: list[str] = []
    plain = [
        p
        for p, d, ok in zip(third, decisions, covered, strict=True)
        if not ok and not (d is not None and d.scope == "dpf_certified")
    ]
    if plain:
        gaps.append("no adequacy decision covers " + _names([ref.name_of(p) for p in plain]))
    for p, d, ok in zip(third, decisions, covered, strict=True):
        if not ok and d is not None and d.scope == "dpf_certified":
            status = "its DPF status is unknown" if dpf is None else "it is not DPF-certified"
            gaps.append(
                f"the adequacy decision for {ref.name_of(p)} ({d.decision}) covers only "
                f"recipients certified under the Data Privacy Framework, and {status}"
            )
    facts: dict[str, Any] = {
        "third_country": bool(third),
        "third_countries": _names([ref.name_of(p) for p in third]),
        "adequacy_gap": _sentence(
            "; ".join(gaps) or "no adequacy decision covers the destinations"
        ),
        "all_adequate": bool(third) and all(covered),
        "uses_dpf": any(d.scope == "dpf_certified" for d in used),
        "us_destination": "US" in third,
        "adequacy_decisions": _names([d.decision for d in used]),
        "adequacy_scope_limited": bool(limited),
        "adequacy_scope_notes": _names([d.scope_note for d in limited if d.scope_note]),
        "gov_access_concern": bool(gov),
        "gov_access_countries": _names([f"{ref.name_of(p)} ({', '.join(g.laws)})" for p, g in gov]),
    }
    built = Destinations(
        third=third,
        covered=covered,
        gov=bool(gov),
        drivers=tuple(drivers),
        facts=facts,
    )
    if len(_DESTINATIONS) > 4096:
        _DESTINATIONS.clear()
    _DESTINATIONS[key] = built
    return built


def _adequacy_covers(decision: Adequacy | None, dpf_certified: bool | None) -> bool:
    if decision is None:
        return False
    return decision.scope != "dpf_certified" or dpf_certified is True


# Art. 49(1) derogations that Recital 111 (and the second subparagraph) limit to occasional
# transfers.
OCCASIONAL_DEROGATIONS = frozenset(
    {
        "contract_with_subject",
        "contract_in_subject_interest",
        "legal_claims",
        "compelling_legitimate_interests",
    }
)
SCC_2021 = "2021/914"
SCC_2021_FROM = date(2021, 6, 27)  # Decision (EU) 2021/914 Art. 4
SCC_LEGACY_NEW_CONTRACTS_UNTIL = date(2021, 9, 26)  # Art. 4(3)
SCC_LEGACY_UNTIL = date(2022, 12, 26)  # Art. 4(4)


def scc_valid(terms: SccTerms | None, on: date) -> bool | None:
    """Whether the SCCs stated are valid safeguards on the day (None: no terms stated).

    The 2021 SCCs from 27 June 2021. The Directive-era decisions (repealed by 2021/914 Art. 4(2)
    from 27 September 2021) only for contracts concluded before that day, and only until
    27 December 2022 (Art. 4(4)).
    """
    if terms is None:
        return None
    if terms.decision == SCC_2021:
        return on >= SCC_2021_FROM
    if on > SCC_LEGACY_UNTIL:
        return False
    if on > SCC_LEGACY_NEW_CONTRACTS_UNTIL:
        return terms.signed is None or terms.signed <= SCC_LEGACY_NEW_CONTRACTS_UNTIL
    return True


class EuStated(NamedTuple):
    """The EU facts no answerable input changes, and what `eu_answered` finishes them from."""

    facts: dict[str, Any]
    ref: Reference
    on: date
    places: tuple[str, ...]  # the recipient's country, then the destinations
    eu_groups: bool  # the flow covers people in the EU/EEA
    exporter_in_eea: bool
    # (people, children among them) in scope of the GDPR: without, then with Art. 3(2) reach.
    in_scope: tuple[tuple[int, bool], tuple[int, bool]]
    # The WP248 criteria met (count, text) without and with children in scope.
    wp248: tuple[tuple[int, str], tuple[int, str]]
    drivers: tuple[str, ...]  # what drives the TIA besides the destinations
    special_flag: float
    n_special: int
    protected: bool
    tia_effective: bool
    tia_stated_defeated: bool
    safeguards: frozenset[str] | None


def eu_stated(t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]) -> EuStated:
    """The EU facts before the answerable inputs (Art. 3(2) targeting, DPF status)."""
    on, exp, imp = t.as_of, t.exporter, t.importer
    exporter_in_eea = ref.is_eea(exp.country, on)
    eu_groups = tuple([s for s in t.data_subjects if ref.is_eea(s.jurisdiction, on)])
    special = prof.eu_special
    criminal = prof.eu_criminal
    protected = not t.safeguards.isdisjoint(PROTECTIVE)
    module = SCC_MODULES[(exp.role, imp.role)]
    terms = t.eu_scc_terms
    valid = scc_valid(terms, on)
    scc_in_place = "eu_scc" in t.safeguards and valid is not False
    derogation = t.eu_derogation
    needs_occasional = derogation is not None and derogation.basis in OCCASIONAL_DEROGATIONS
    usable: bool | None = derogation is not None
    if needs_occasional:
        usable = derogation.occasional if derogation is not None else None
    tia_effective = t.eu_tia == "effective"
    facts: dict[str, Any] = {
        "exporter_in_eea": exporter_in_eea,
        "eu_subjects": bool(eu_groups),
        "scc_module": module,
        "scc_mechanism": f"eu_scc_{module}",
        "exporter_processor": exp.role == "processor",
        "scc_in_place": scc_in_place,
        "scc_terms": (
            f"Decision {terms.decision}"
            + (f" signed {terms.signed.isoformat()}" if terms.signed else "")
            if terms
            else "none stated"
        ),
        "scc_legacy_expired": "eu_scc" in t.safeguards and valid is False,
        "bcr_in_place": "eu_bcr" in t.safeguards,
        "importer_processor": imp.role == "processor",
        "importer_art3_2": imp.gdpr_art3_2 is True,
        "derogation": derogation.basis if derogation else "none",
        "derogation_usable": usable,
        "derogation_occasional_needed": needs_occasional,
        "derogation_compelling": derogation is not None
        and derogation.basis == "compelling_legitimate_interests",
        "tia_effective": tia_effective,
        "special_art9": bool(special),
        "criminal_art10": bool(criminal),
        "special_or_criminal": bool(special or criminal),
        "special_categories": _names(special + criminal),
        "clear_text_exposed": not protected,
    }
    lapsed = "eu_scc" in t.safeguards and not scc_in_place
    return EuStated(
        facts,
        ref=ref,
        on=on,
        places=(imp.country, *t.destinations),
        eu_groups=bool(eu_groups),
        exporter_in_eea=exporter_in_eea,
        in_scope=(_scope(t.data_subjects),) * 2
        if exporter_in_eea
        else (_scope(()), _scope(eu_groups)),
        wp248=prof.eu_wp248,
        drivers=(
            *(["special-category or criminal data"] if special or criminal else []),
            "clear text reaches the recipient"
            if not protected
            else "exporter-side protection in place",
        ),
        special_flag=1.0 if special or criminal else 0.0,
        n_special=len(special) + len(criminal) + prof.eu_highly_personal,
        protected=protected,
        tia_effective=tia_effective,
        tia_stated_defeated=t.eu_tia == "defeated",
        safeguards=t.safeguards - {"eu_scc"} if lapsed else None,
    )


def _scope(groups: Sequence[DataSubjects]) -> tuple[int, bool]:
    """People in these groups, and whether children (under 16) are among them."""
    people, children = 0, False
    for g in groups:  # one walk (this runs once per transfer)
        people += g.count
        children = children or g.minors_under(16) > 0
    return people, children


def eu_answered(s: EuStated, a: Answers) -> RegimeFacts:
    """The EU facts, finished with the answerable inputs."""
    targets, dpf = a["targets_eu"], a["dpf_certified"]
    # A non-EEA exporter is reached only through people it targets or monitors (Art. 3(2)); an
    # unstated answer counts as yes here and the engine asks (the branch shows both answers).
    reached_abroad = s.eu_groups and targets is not False
    eu_count, minors = s.in_scope[reached_abroad]
    gdpr_reaches = s.exporter_in_eea or reached_abroad
    dest = _destinations(s.ref, s.places, s.on, dpf)
    third, covered = dest.third, dest.covered
    protected = s.protected
    gov = dest.gov
    facts = dict(dest.facts)
    facts["gdpr_reaches"] = gdpr_reaches
    facts["targets_eu"] = targets
    facts["targets_eu_stated"] = targets is not None
    facts["transfer"] = gdpr_reaches and bool(third)
    facts["dpf_stated"] = dpf is not None
    facts["tia_defeated"] = s.tia_stated_defeated or (gov and not protected and not s.tia_effective)
    facts["minors"] = minors
    facts["eu_count"] = eu_count
    facts["wp248_count"], facts["wp248_criteria"] = s.wp248[minors]
    facts["tia_drivers"] = "; ".join(dest.drivers + s.drivers)
    not_adequate = covered.count(False)
    exposure = Exposure(
        people=eu_count,
        sensitivity=_sensitivity(s.special_flag, s.n_special, minors),
        exposure=min(
            1.0,
            (0.5 if not_adequate else 0.0)
            + (0.35 if gov else 0.0)
            + (0.15 if not_adequate and not protected else 0.0),
        ),
    )
    return RegimeFacts(facts, exposure, s.safeguards)


def _share_from(owners: tuple[Owner, ...] | None, listing: Listing, on: date) -> float | None:
    """Percent of the recipient held from listed countries (an owner of unknown share counts as
    holding all of it); None when ownership is unknown."""
    if owners is None:
        return None
    total = 0.0
    for owner in owners:
        if listing.listed(owner.country, on):
            total += 100.0 if owner.share is None else owner.share
    return min(total, 100.0)


def ccpa_thresholds_met(tests: CcpaThresholds | None, params: Mapping[str, Any]) -> bool | None:
    """The exporter's CCPA "business" status from the thresholds of 1798.140(d)(1), for an
    exporter that does not state it (any one met: a business; all stated and none met: not;
    else unknown)."""
    if tests is None:
        return None
    revenue_min = params.get("ccpa_revenue_min")
    traded_min = params.get("ccpa_consumers_traded_min")
    share_min = params.get("ccpa_revenue_share_min")
    results = [
        None
        if tests.annual_revenue_usd is None or revenue_min is None
        else tests.annual_revenue_usd > revenue_min,
        None
        if tests.consumers_traded is None or traded_min is None
        else tests.consumers_traded >= traded_min,
        None
        if tests.revenue_share_selling is None or share_min is None
        else tests.revenue_share_selling >= share_min,
    ]
    if True in results:
        return True
    return None if None in results else False


class UsStated(NamedTuple):
    """The US facts no answerable input changes, and what `us_answered` finishes them from."""

    facts: dict[str, Any]
    on: date
    coc: Listing
    padfa: Listing
    importer_in_coc: bool
    adversary_listed: bool
    covered_person: bool | None
    dsp_min: Any
    padfa_min: Any
    dsp_sensitive: bool  # a DSP category is in the flow (before government-related data)
    over: bool  # a category's 12-month count is over its threshold
    at: bool  # a category's 12-month count equals its threshold
    by_thresholds: bool | None  # CCPA business status from the thresholds
    people: int
    sensitivity: float
    coc_destination: bool


def us_stated(t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]) -> UsStated:
    """The US facts before the answerable inputs (ownership, data-broker and CCPA business
    status, government-related data)."""
    on, exp, imp = t.as_of, t.exporter, t.importer
    # One walk of the groups (this runs once per transfer, before any answer).
    us_groups: list[DataSubjects] = []
    us_count = 0
    ca = generic = minors_13 = minors_16 = minors_17 = False
    for g in t.data_subjects:
        where = g.jurisdiction
        if where == "US" or where.startswith("US-"):
            us_groups.append(g)
            us_count += g.count
            ca = ca or where == "US-CA"
            generic = generic or where == "US"
            if g.minors or g.minor_counts is not None:
                minors_13 = minors_13 or g.minors_under(13) > 0
                minors_16 = minors_16 or g.minors_under(16) > 0
                minors_17 = minors_17 or g.minors_under(17) > 0
    coc = ref.doj_countries_of_concern
    # Per-category 12-month head-counts: this flow's people with that data, plus what this
    # exporter already gave the same counterparty in the preceding 12 months.
    prior = t.us_prior_12m
    counts: dict[str, int] = {}
    for cid in t.data_categories:
        n = prior
        for g in us_groups:
            n += g.count_of(cid)
        counts[cid] = n
    listed = prof.listed_identifiers
    dsp = prof.dsp
    covered_identifiers = bool(listed) and (
        (len(listed) >= 2 and listed != {"demographic_contact"}) or bool(dsp)
    )
    over: list[tuple[str, int, int]] = [  # (DOJ category, count, threshold)
        (category, counts[cid], threshold) for cid, category, threshold in prof.dsp_ids
    ]
    cpi = params.get("dsp_covered_identifiers_threshold")
    if covered_identifiers and isinstance(cpi, int):
        # People with a combination of listed identifiers: at most the largest of their counts.
        combined = max(counts[c] for c, _ in prof.listed_ids)
        over.append(("covered_personal_identifiers", combined, cpi))
    # One walk of the entries (this runs once per transfer): the lowest threshold, of the 'omic
    # ones too, the highest count (the first of equals, as min() and max() would pick), and
    # whether a count is over or at its threshold.
    categories: set[str] = set()
    bulk_threshold: int | None = None
    omic_threshold: int | None = None
    highest: int | None = None
    above = at = omic_bulk = False
    for category, n, threshold in over:
        categories.add(category)
        bulk_threshold = threshold if bulk_threshold is None else min(bulk_threshold, threshold)
        highest = n if highest is None else max(highest, n)
        above = above or n > threshold
        at = at or n == threshold
        if category in ("human_genomic", "human_omic"):
            omic_threshold = threshold if omic_threshold is None else min(omic_threshold, threshold)
            omic_bulk = omic_bulk or n > threshold
    names = sorted(categories)
    ccpa_sensitive = prof.ccpa_sensitive
    coc_destination = any(coc.listed(d, on) for d in (imp.country, *t.destinations))
    facts: dict[str, Any] = {
        "us_count": us_count,
        "exporter_us_person": exp.us_person if exp.us_person is not None else exp.country == "US",
        "importer_foreign": imp.country != "US",
        "coc_destination": coc_destination,
        "dsp_exemptions": _names(sorted(t.us_exemptions)),
        "dsp_exempt": bool(t.us_exemptions),
        "dsp_categories": _names(names),
        "bulk_threshold": bulk_threshold,
        "bulk_threshold_text": f"{bulk_threshold:,}" if bulk_threshold is not None else "none",
        "dsp_count": highest if highest is not None else us_count + prior,
        "prior_12m": prior,
        "omic_threshold": omic_threshold,
        "omic_bulk": omic_bulk,
        "transaction": t.transaction,
        "brokerage": t.transaction == "data_brokerage",
        "padfa_sensitive": prof.padfa_sensitive or minors_17,
        "ccpa_consumers": True if ca else (None if generic else False),
        "ccpa_consumers_stated": ca or not generic,
        "ccba": prof.ccba,
        "importer_third_party": imp.role == "controller",
        "ccpa_sensitive": bool(ccpa_sensitive),
        "ccpa_sensitive_categories": _names(ccpa_sensitive),
        "us_minors": minors_13,
        "us_minors_16": minors_16,
        "us_minors_17": minors_17,
    }
    padfa = ref.padfa_foreign_adversaries
    return UsStated(
        facts,
        on=on,
        coc=coc,
        padfa=padfa,
        importer_in_coc=imp.country in coc.codes,
        adversary_listed=imp.country in padfa.codes,
        covered_person=imp.covered_person,
        dsp_min=params.get("dsp_ownership_min", 50),
        padfa_min=params.get("padfa_control_min", 20),
        dsp_sensitive=bool(over),
        over=above,
        at=at,
        by_thresholds=ccpa_thresholds_met(exp.ccpa_thresholds, params),
        people=us_count,
        sensitivity=_sensitivity(
            1.0 if over else 0.0,
            len(dsp) + len(ccpa_sensitive),
            minors_13 or minors_17,
        ),
        coc_destination=coc_destination,
    )


def us_answered(s: UsStated, a: Answers) -> RegimeFacts:
    """The US facts, finished with the answerable inputs."""
    owners, government, broker = a["ownership"], a["government_related_data"], a["data_broker"]
    coc_share = _share_from(owners, s.coc, s.on)
    covered: bool | None
    if s.covered_person is not None:
        covered = s.covered_person
    elif s.importer_in_coc or (coc_share is not None and coc_share >= s.dsp_min):
        covered = True
    elif coc_share is not None:
        covered = False  # ownership stated, none of it reaching the test
    else:
        covered = None
    adversary_share = _share_from(owners, s.padfa, s.on)
    padfa_controlled: bool | None
    if s.adversary_listed or (adversary_share is not None and adversary_share >= s.padfa_min):
        padfa_controlled = True
    elif adversary_share is not None:
        padfa_controlled = False
    else:
        padfa_controlled = None
    bulk = s.over or government is True
    stated_business = a["ccpa_business"]
    business = stated_business if stated_business is not None else s.by_thresholds
    facts = {
        "covered": covered,
        "covered_stated": covered is not None,
        "coc_share": coc_share,
        "government_data": government,
        "government_data_stated": government is not None,
        "dsp_sensitive": s.dsp_sensitive or government is True,
        "bulk": bulk,
        "at_threshold": not bulk and s.at,
        "data_broker": broker,
        "data_broker_stated": broker is not None,
        "padfa_controlled": padfa_controlled,
        "padfa_controlled_stated": padfa_controlled is not None,
        "adversary_share": adversary_share,
        "ccpa_business": business,
        "ccpa_business_stated": business is not None,
    }
    exposure = Exposure(
        people=s.people,
        sensitivity=s.sensitivity,
        exposure=min(
            1.0,
            # An unknown status weighs as the stricter answer.
            (0.5 if covered is not False else 0.0)
            + (0.25 if s.coc_destination else 0.0)
            + (0.25 if broker is not False else 0.0),
        ),
    )
    return RegimeFacts(facts, exposure)


class _HasFacts(Protocol):
    @property
    def facts(self) -> dict[str, Any]: ...


_Stated = TypeVar("_Stated", bound=_HasFacts)


@dataclass(frozen=True, slots=True)
class Builder(Generic[_Stated]):
    """A regime's fact builder: `stated` reads the transfer except the answerable `inputs`,
    `answered` adds the facts that depend on the inputs' values (and only those)."""

    inputs: tuple[str, ...]
    stated: Callable[[Transfer, Reference, Profile, Mapping[str, Any]], _Stated]
    answered: Callable[[_Stated, Answers], RegimeFacts]

    def build(
        self, t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]
    ) -> RegimeFacts:
        """The regime's facts (all of them) for the transfer as it stands."""
        stated = self.stated(t, ref, prof, params)
        answered = self.answered(stated, answers_of(t, self.inputs))
        return answered._replace(facts={**stated.facts, **answered.facts})


BUILDERS: dict[str, Builder[Any]] = {
    "CN": Builder(("ciio", "important_data", "processing_volume"), cn_stated, cn_answered),
    "EU": Builder(("targets_eu", "dpf_certified"), eu_stated, eu_answered),
    "US": Builder(
        ("ownership", "data_broker", "ccpa_business", "government_related_data"),
        us_stated,
        us_answered,
    ),
}


# ---------------------------------------------------------------------------- open questions


@dataclass(frozen=True, slots=True)
class OpenInput:
    """An answerable input (ANSWERABLE; `id` is its key) the transfer leaves unstated whose
    answer may change a regime's verdict.

    The engine evaluates the regime under every answer (and every combination with the other
    open inputs); the headline is the strictest. `rule` names the question rule whose text asks
    it; `answers` are (label, the input's value).
    """

    id: str
    rule: str
    answers: tuple[tuple[str, Any], ...]


_YES_NO: dict[tuple[str, str], OpenInput] = {}

# The days from which each open question can be asked (the open finders run once per evaluation;
# the days are built once, here).
PIPL_DAY = date(2021, 11, 1)  # the PIPL in force
DSL_IMPORTANT_DATA_DAY = date(2022, 9, 1)  # CAC Order No. 11 in force
GDPR_DAY = date(2018, 5, 25)


def _yes_no(input_: str, rule: str) -> OpenInput:
    """An open yes/no input: true, then false (the same for every transfer, so built once)."""
    found = _YES_NO.get((input_, rule))
    if found is None:
        found = _YES_NO[(input_, rule)] = OpenInput(input_, rule, (("yes", True), ("no", False)))
    return found


def cn_open(
    t: Transfer, ref: Reference, params: Mapping[str, Any], facts: Mapping[str, Any], a: Answers
) -> tuple[OpenInput, ...]:
    """The PRC facts left open: CIIO, important data, and (Order No. 11) processing volume."""
    if not facts["export"] or t.as_of < PIPL_DAY:
        return ()
    found: list[OpenInput] = []
    if a["ciio"] is None:
        found.append(_yes_no("ciio", "CN-Q-CIIO"))
    if a["important_data"] is None and t.as_of >= DSL_IMPORTANT_DATA_DAY:
        found.append(_yes_no("important_data", "CN-Q-IMPORTANT-DATA"))
    minimum = params.get("processing_min")
    if (
        a["processing_volume"] is None
        and isinstance(minimum, int)
        and facts["processed_lower_bound"] < minimum
    ):
        lower = facts["processed_lower_bound"]
        found.append(
            OpenInput(
                "processing_volume",
                "CN-Q-PROCESSING-VOLUME",
                (
                    (f"{minimum:,} or more", minimum),
                    (f"fewer than {minimum:,}", lower),
                ),
            )
        )
    return tuple(found)


def eu_open(
    t: Transfer, ref: Reference, params: Mapping[str, Any], facts: Mapping[str, Any], a: Answers
) -> tuple[OpenInput, ...]:
    """The EU facts left open: DPF status of a US recipient, and Art. 3(2) targeting."""
    if t.as_of < GDPR_DAY:
        return ()
    found: list[OpenInput] = []
    if facts["transfer"] and facts["us_destination"] and a["dpf_certified"] is None:
        found.append(_yes_no("dpf_certified", "EU-Q-DPF"))
    if (
        not facts["exporter_in_eea"]
        and facts["eu_subjects"]
        and facts["third_country"]
        and a["targets_eu"] is None
    ):
        found.append(_yes_no("targets_eu", "EU-Q-TARGETING"))
    return tuple(found)


def us_open(
    t: Transfer, ref: Reference, params: Mapping[str, Any], facts: Mapping[str, Any], a: Answers
) -> tuple[OpenInput, ...]:
    """The US facts left open: importer ownership, data-broker and CCPA business status, and
    government-related data."""
    if facts["us_count"] <= 0:
        return ()
    on = t.as_of
    found: list[OpenInput] = []
    dsp_on = on >= ref.doj_countries_of_concern.effective_from  # 28 CFR Part 202 in force
    padfa_on = on >= ref.padfa_foreign_adversaries.effective_from
    if a["ownership"] is None and (
        # Even without sensitive data: a covered person's access is still a DSP decision
        # (US-DSP-BELOW-BULK, "permitted"), stricter than "not_applicable".
        (
            dsp_on
            and facts["importer_foreign"]
            and facts["covered"] is None
            and facts["exporter_us_person"]
        )
        # PADFA's "controlled by a foreign adversary" reaches any entity 20% held from a
        # foreign adversary country, wherever it is organised (PADFA sec. 2(c)(4)(B)).
        or (
            padfa_on
            and facts["padfa_controlled"] is None
            and facts["data_broker"] is not False
            and facts["padfa_sensitive"]
        )
    ):
        adversary = min(ref.padfa_foreign_adversaries.codes)
        dsp_min = float(params.get("dsp_ownership_min", 50))
        padfa_min = float(params.get("padfa_control_min", 20))
        found.append(
            OpenInput(
                "ownership",
                "US-Q-OWNERSHIP",
                (
                    (
                        f"{dsp_min:g}% or more from a country of concern",
                        (Owner(adversary, dsp_min),),
                    ),
                    (
                        f"{padfa_min:g}% or more from a foreign adversary country, "
                        f"under {dsp_min:g}%",
                        (Owner(adversary, padfa_min),),
                    ),
                    ("neither", ()),
                ),
            )
        )
    if (
        padfa_on
        and a["data_broker"] is None
        and facts["padfa_sensitive"]
        and facts["padfa_controlled"] is not False
    ):
        found.append(_yes_no("data_broker", "US-Q-DATA-BROKER"))
    if facts["ccpa_business"] is None and facts["ccpa_consumers"] is True:
        found.append(_yes_no("ccpa_business", "US-Q-CCPA-BUSINESS"))
    if (
        dsp_on
        and a["government_related_data"] is None
        and facts["exporter_us_person"]
        and facts["importer_foreign"]
        and facts["covered"] is not False
        and facts["dsp_sensitive"]
    ):
        found.append(_yes_no("government_related_data", "US-Q-GOV-DATA"))
    return tuple(found)


OpenFinder = Callable[
    [Transfer, Reference, Mapping[str, Any], Mapping[str, Any], Answers], tuple[OpenInput, ...]
]
OPEN_INPUTS: dict[str, OpenFinder] = {"CN": cn_open, "EU": eu_open, "US": us_open}


def volume(people: int, decades: float) -> float:
    """Head-count mapped to [0, 1] on a log scale (monotone)."""
    return min(1.0, math.log10(people + 1) / decades)
