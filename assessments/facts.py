"""Facts per regime: the procedural part of the engine that turns a Transfer into named values.

Rules (YAML) only ever see these names. `None` means unknown. Every fact a rule may name is
declared in FACTS with a one-line meaning; a test checks rules name nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from assessments.catalog.reference import Adequacy, Reference
from assessments.types import Transfer

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
        "important_data": "notified or published important data in the flow (unstated: false)",
        "important_data_stated": "whether important_data was stated",
        "ciio": "the exporter is a CIIO (unstated: false)",
        "ciio_stated": "whether ciio was stated",
        "hr_context": "HR purpose or employment agreement (else unknown)",
        "contract_purposes": "every purpose can be contract necessity (else unknown)",
        "flow_count": "people in mainland China in this transfer",
        "nonsensitive_total": "people with non-sensitive PI exported since 1 Jan, this flow too",
        "sensitive_total": "people with sensitive PI exported since 1 January, this flow too",
        "window_total": "all people exported in the counting window, incl. this flow (upper bound)",
        "processed_lower_bound": "a lower bound of the people whose PI the exporter processes",
        "sensitive": "the flow contains sensitive PI (incl. PI of minors under 14)",
        "sensitive_categories": "names of the sensitive categories (text)",
        "sensitive_categories_present": "a taxonomy category in the flow is PIPL-sensitive",
        "minors": "a group in mainland China includes minors under 14",
        "other_subjects": "the flow includes people outside mainland China",
        "importer_name": "the recipient's name (text)",
        "cn_mechanism": "the CN track's mechanism (after decisions)",
        "cn_verdict": "the CN track's verdict (after decisions)",
        "cn_applies": "the CN track applies (after decisions)",
    },
    "EU": {
        "gdpr_reaches": "the exporter is in the EEA or the flow covers people in the EEA",
        "exporter_in_eea": "the exporter is established in the EU/EEA",
        "third_country": "the recipient or a destination is outside the EEA",
        "transfer": "a Chapter V transfer: gdpr_reaches and third_country",
        "third_countries": "the destinations outside the EEA (text)",
        "all_adequate": "every destination outside the EEA is covered by adequacy in force",
        "uses_dpf": "a US destination is covered through the DPF",
        "us_destination": "the US is among the destinations outside the EEA",
        "dpf_stated": "whether the recipient's DPF status was stated",
        "adequacy_decisions": "the adequacy decisions relied on (text)",
        "adequacy_scope_limited": "an adequacy decision relied on covers only some recipients",
        "adequacy_scope_notes": "the scope limits (text)",
        "scc_module": "the SCC module the roles select: c2c, c2p, p2p or p2c",
        "scc_mechanism": "the SCC mechanism code for the roles",
        "bcr_in_place": "binding corporate rules are among the safeguards",
        "importer_processor": "the recipient acts as processor",
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
        "covered": "DOJ covered person (stated, or organised in a country of concern)",
        "covered_stated": "whether covered-person status was stated or follows from the country",
        "coc_destination": "the data is stored in or accessible from a country of concern",
        "dsp_sensitive": "the data includes a DSP sensitive personal data category",
        "dsp_categories": "the DSP categories present (text)",
        "bulk_threshold": "the lowest applicable bulk threshold ('more than N')",
        "bulk_threshold_text": "bulk_threshold as text",
        "bulk": "us_count is more than the lowest applicable bulk threshold",
        "at_threshold": "us_count equals the lowest applicable threshold exactly",
        "omic_threshold": "the human 'omic threshold that applies",
        "omic_bulk": "bulk human 'omic data",
        "transaction": "the DOJ transaction type",
        "data_broker": "the exporter is a data broker for this data",
        "padfa_sensitive": "PADFA sensitive data (incl. data on minors)",
        "padfa_controlled": "the recipient is in or controlled from a foreign adversary country",
        "padfa_controlled_stated": "whether PADFA control follows from stated facts",
        "ccpa_business": "the exporter is a CCPA business",
        "ccpa_consumers": "California residents are in the flow (unknown for unsplit US groups)",
        "ccpa_consumers_stated": "whether the US groups are broken down by state",
        "ccba": "a purpose is cross-context behavioural advertising",
        "importer_third_party": "the recipient acts as controller (a CCPA third party)",
        "ccpa_sensitive": "the data includes CCPA sensitive PI",
        "ccpa_sensitive_categories": "names of CCPA sensitive categories (text)",
        "us_minors": "a US group includes children",
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


@dataclass(frozen=True, slots=True)
class Exposure:
    """Inputs to the score besides the verdict, each in [0, 1] except the head-count."""

    people: int
    sensitivity: float
    exposure: float


@dataclass(frozen=True, slots=True)
class RegimeFacts:
    """The facts of one regime and its exposure figures."""

    facts: dict[str, Any]
    exposure: Exposure


@dataclass(frozen=True, slots=True)
class Profile:
    """What a transfer's data categories and purposes mean per regime (pure taxonomy lookups)."""

    cn_sensitive: tuple[str, ...]
    cn_nonsensitive_present: bool
    eu_special: tuple[str, ...]
    eu_criminal: tuple[str, ...]
    eu_highly_personal: int
    wp248: frozenset[int]
    listed_identifiers: frozenset[str]
    dsp: tuple[tuple[str, int], ...]
    ccpa_sensitive: tuple[str, ...]
    padfa_sensitive: bool
    contract_purposes: bool
    ccba: bool
    employment: bool


_PROFILES: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Profile] = {}


def profile(ref: Reference, categories: tuple[str, ...], purposes: tuple[str, ...]) -> Profile:
    """The taxonomy profile of a category and purpose mix (memoised per reference version)."""
    key = (ref.version, categories, purposes)
    found = _PROFILES.get(key)
    if found is not None:
        return found
    cats = [ref.categories[c] for c in categories]
    purps = [ref.purposes[p] for p in purposes]
    wp248: set[int] = set()
    for purpose in purps:
        wp248.update(purpose.wp248_criteria)
    built = Profile(
        cn_sensitive=tuple(c.id for c in cats if c.cn.sensitive),
        cn_nonsensitive_present=any(not c.cn.sensitive for c in cats),
        eu_special=tuple(c.id for c in cats if c.eu.special == "art9"),
        eu_criminal=tuple(c.id for c in cats if c.eu.special == "art10"),
        eu_highly_personal=sum(1 for c in cats if c.eu.highly_personal),
        wp248=frozenset(wp248),
        listed_identifiers=frozenset(
            c.doj.listed_identifier for c in cats if c.doj.listed_identifier
        ),
        dsp=tuple(
            (c.doj.category, c.doj.threshold) for c in cats if c.doj.category and c.doj.threshold
        ),
        ccpa_sensitive=tuple(c.id for c in cats if c.ccpa.sensitive),
        padfa_sensitive=any(c.padfa.sensitive for c in cats),
        contract_purposes=bool(purps) and all(p.cn_contract_necessity for p in purps),
        ccba=any(p.ccpa_cross_context_advertising for p in purps),
        employment="employment" in categories,
    )
    if len(_PROFILES) > 4096:
        _PROFILES.clear()
    _PROFILES[key] = built
    return built


def _names(items: Sequence[str]) -> str:
    return ", ".join(items) if items else "none"


def _sensitivity(flags: float, n_sensitive: int, minors: bool) -> float:
    # Monotone in every argument; adding a category never lowers it.
    return min(1.0, 0.5 * flags + 0.15 * n_sensitive + (0.2 if minors else 0.0))


def cn_facts(t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]) -> RegimeFacts:
    """Facts for the PRC regime."""
    exp, imp = t.exporter, t.importer
    exporter_in_cn = exp.country == "CN"
    export = exporter_in_cn and (imp.country != "CN" or any(d != "CN" for d in t.destinations))
    flow = minors_count = 0
    in_cn = outside = False  # a group of people in / outside mainland China
    for group in t.data_subjects:
        if group.jurisdiction == "CN":
            in_cn = True
            flow += group.count
            if group.minors:
                minors_count += group.count
        else:
            outside = True
    sensitive_ids = prof.cn_sensitive
    nonsensitive_present = prof.cn_nonsensitive_present
    sensitive_flow = flow if sensitive_ids else minors_count
    nonsensitive_flow = flow if nonsensitive_present else 0
    ytd_non = exp.cn_outbound_ytd.non_sensitive if exp.cn_outbound_ytd else 0
    ytd_sen = exp.cn_outbound_ytd.sensitive if exp.cn_outbound_ytd else 0
    nonsensitive_total = ytd_non + nonsensitive_flow
    sensitive_total = ytd_sen + sensitive_flow
    minors = minors_count > 0
    sensitive = bool(sensitive_ids) or minors
    facts: dict[str, Any] = {
        "export": export,
        "exporter_in_cn": exporter_in_cn,
        "art3_2_candidate": (not exporter_in_cn) and in_cn,
        "exemptions": t.exemptions,
        "important_data": bool(t.important_data),
        "important_data_stated": t.important_data is not None,
        "ciio": bool(exp.ciio),
        "ciio_stated": exp.ciio is not None,
        # True or unknown (None), never False: a claimed exemption the purposes do not bear out
        # is doubtful, not refuted - the rule asks instead of silently dropping the claim.
        "hr_context": ("hr_management" in t.purposes or t.transaction == "employment_agreement")
        or None,
        "contract_purposes": (prof.contract_purposes) or None,
        "flow_count": flow,
        "nonsensitive_total": nonsensitive_total,
        "sensitive_total": sensitive_total,
        "window_total": ytd_non + ytd_sen + flow,
        "processed_lower_bound": max(nonsensitive_total, sensitive_total),
        "sensitive": sensitive,
        "sensitive_categories": _names(
            [*sensitive_ids, "PI of minors under 14"] if minors else sensitive_ids
        ),
        "sensitive_categories_present": bool(sensitive_ids),
        "minors": minors,
        "other_subjects": outside,
        "importer_name": imp.name or imp.vendor or "the recipient",
    }
    exposure = Exposure(
        people=ytd_non + ytd_sen + flow,
        sensitivity=_sensitivity(1.0 if sensitive else 0.0, len(sensitive_ids), minors),
        exposure=min(1.0, 0.3 + (0.35 if exp.ciio else 0.0) + (0.35 if t.important_data else 0.0)),
    )
    return RegimeFacts(facts, exposure)


@dataclass(frozen=True, slots=True)
class Destinations:
    """The EU view of where data goes: third countries, adequacy, government-access drivers."""

    third: tuple[str, ...]
    covered: tuple[bool, ...]
    uses_dpf: bool
    scope_limited: bool
    gov: bool
    drivers: tuple[str, ...]
    third_text: str
    decisions_text: str
    scope_notes: str
    gov_text: str


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
    built = Destinations(
        third=third,
        covered=covered,
        uses_dpf=any(d.scope == "dpf_certified" for d in used),
        scope_limited=bool(limited),
        gov=bool(gov),
        drivers=tuple(drivers),
        third_text=_names([ref.name_of(p) for p in third]),
        decisions_text=_names([d.decision for d in used]),
        scope_notes=_names([d.scope_note for d in limited if d.scope_note]),
        gov_text=_names([f"{ref.name_of(p)} ({', '.join(g.laws)})" for p, g in gov]),
    )
    if len(_DESTINATIONS) > 4096:
        _DESTINATIONS.clear()
    _DESTINATIONS[key] = built
    return built


def _adequacy_covers(decision: Adequacy | None, dpf_certified: bool | None) -> bool:
    if decision is None:
        return False
    return decision.scope != "dpf_certified" or dpf_certified is True


def eu_facts(t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]) -> RegimeFacts:
    """Facts for the EU regime."""
    on, exp, imp = t.as_of, t.exporter, t.importer
    exporter_in_eea = ref.is_eea(exp.country, on)
    in_scope = (
        t.data_subjects
        if exporter_in_eea
        else [s for s in t.data_subjects if ref.is_eea(s.jurisdiction, on)]
    )
    gdpr_reaches = exporter_in_eea or bool(in_scope)
    dest = _destinations(ref, (imp.country, *t.destinations), on, imp.dpf_certified)
    third, covered = dest.third, dest.covered
    special = prof.eu_special
    criminal = prof.eu_criminal
    minors = any(s.minors for s in in_scope)
    criteria = set(prof.wp248)
    if special or criminal or prof.eu_highly_personal:
        criteria.add(4)
    if minors or prof.employment:
        criteria.add(7)
    protected = not t.safeguards.isdisjoint(PROTECTIVE)
    gov = dest.gov
    module = SCC_MODULES[(exp.role, imp.role)]
    drivers = list(dest.drivers)
    if special or criminal:
        drivers.append("special-category or criminal data")
    drivers.append(
        "clear text reaches the recipient" if not protected else "exporter-side protection in place"
    )
    facts: dict[str, Any] = {
        "gdpr_reaches": gdpr_reaches,
        "exporter_in_eea": exporter_in_eea,
        "third_country": bool(third),
        "transfer": gdpr_reaches and bool(third),
        "third_countries": dest.third_text,
        "all_adequate": bool(third) and all(covered),
        "uses_dpf": dest.uses_dpf,
        "us_destination": "US" in third,
        "dpf_stated": imp.dpf_certified is not None,
        "adequacy_decisions": dest.decisions_text,
        "adequacy_scope_limited": dest.scope_limited,
        "adequacy_scope_notes": dest.scope_notes,
        "scc_module": module,
        "scc_mechanism": f"eu_scc_{module}",
        "bcr_in_place": "eu_bcr" in t.safeguards,
        "importer_processor": imp.role == "processor",
        "special_art9": bool(special),
        "criminal_art10": bool(criminal),
        "special_or_criminal": bool(special or criminal),
        "special_categories": _names(special + criminal),
        "minors": minors,
        "eu_count": sum(s.count for s in in_scope),
        "wp248_count": len(criteria),
        "wp248_criteria": _names([str(c) for c in sorted(criteria)]),
        "gov_access_concern": gov,
        "gov_access_countries": dest.gov_text,
        "clear_text_exposed": not protected,
        "tia_drivers": "; ".join(drivers),
    }
    not_adequate = covered.count(False)
    exposure = Exposure(
        people=facts["eu_count"],
        sensitivity=_sensitivity(
            1.0 if special or criminal else 0.0,
            len(special) + len(criminal) + prof.eu_highly_personal,
            minors,
        ),
        exposure=min(
            1.0,
            (0.5 if not_adequate else 0.0)
            + (0.35 if gov else 0.0)
            + (0.15 if not_adequate and not protected else 0.0),
        ),
    )
    return RegimeFacts(facts, exposure)


def us_facts(t: Transfer, ref: Reference, prof: Profile, params: Mapping[str, Any]) -> RegimeFacts:
    """Facts for the US regime (DOJ DSP, PADFA, CCPA, COPPA)."""
    on, exp, imp = t.as_of, t.exporter, t.importer
    us_count = 0
    us_minors = ca = generic = False  # children; California; US groups not split by state
    for group in t.data_subjects:
        place = group.jurisdiction
        if place == "US" or place.startswith("US-"):
            us_count += group.count
            us_minors = us_minors or group.minors
            ca = ca or place == "US-CA"
            generic = generic or place == "US"
    coc, padfa = ref.doj_countries_of_concern, ref.padfa_foreign_adversaries
    importer_in_coc = imp.country in coc.codes
    covered = imp.covered_person if imp.covered_person is not None else importer_in_coc
    listed = prof.listed_identifiers
    dsp = prof.dsp
    covered_identifiers = bool(listed) and (
        (len(listed) >= 2 and listed != {"demographic_contact"}) or bool(dsp)
    )
    thresholds = [threshold for _, threshold in dsp if threshold is not None]
    names = sorted({category for category, _ in dsp if category})
    cpi = params.get("dsp_covered_identifiers_threshold")
    if covered_identifiers and isinstance(cpi, int):
        thresholds.append(cpi)
        names.append("covered_personal_identifiers")
    bulk_threshold = min(thresholds) if thresholds else None
    omic = [threshold for category, threshold in dsp if category in ("human_genomic", "human_omic")]
    omic_threshold = min(omic) if omic else None
    ccpa_sensitive = prof.ccpa_sensitive
    padfa_listed = imp.country in padfa.codes
    facts: dict[str, Any] = {
        "us_count": us_count,
        "exporter_us_person": exp.us_person if exp.us_person is not None else exp.country == "US",
        "importer_foreign": imp.country != "US",
        "covered": covered,
        "covered_stated": imp.covered_person is not None or importer_in_coc,
        "coc_destination": any(coc.listed(d, on) for d in (imp.country, *t.destinations)),
        "dsp_sensitive": bool(thresholds),
        "dsp_categories": _names(names),
        "bulk_threshold": bulk_threshold,
        "bulk_threshold_text": f"{bulk_threshold:,}" if bulk_threshold is not None else "none",
        "bulk": bulk_threshold is not None and us_count > bulk_threshold,
        "at_threshold": bulk_threshold is not None and us_count == bulk_threshold,
        "omic_threshold": omic_threshold,
        "omic_bulk": omic_threshold is not None and us_count > omic_threshold,
        "transaction": t.transaction,
        "data_broker": exp.data_broker,
        "padfa_sensitive": prof.padfa_sensitive or us_minors,
        "padfa_controlled": padfa_listed or imp.covered_person is True,
        "padfa_controlled_stated": padfa_listed or imp.covered_person is True,
        "ccpa_business": exp.ccpa_business,
        "ccpa_consumers": True if ca else (None if generic else False),
        "ccpa_consumers_stated": ca or not generic,
        "ccba": prof.ccba,
        "importer_third_party": imp.role == "controller",
        "ccpa_sensitive": bool(ccpa_sensitive),
        "ccpa_sensitive_categories": _names(ccpa_sensitive),
        "us_minors": us_minors,
    }
    exposure = Exposure(
        people=us_count,
        sensitivity=_sensitivity(
            1.0 if thresholds else 0.0,
            len(dsp) + len(ccpa_sensitive),
            us_minors,
        ),
        exposure=min(
            1.0,
            (0.5 if covered else 0.0)
            + (0.25 if facts["coc_destination"] else 0.0)
            + (0.25 if exp.data_broker else 0.0),
        ),
    )
    return RegimeFacts(facts, exposure)


FactBuilder = Callable[[Transfer, Reference, Profile, Mapping[str, Any]], RegimeFacts]
BUILDERS: dict[str, FactBuilder] = {"CN": cn_facts, "EU": eu_facts, "US": us_facts}


def volume(people: int, decades: float) -> float:
    """Head-count mapped to [0, 1] on a log scale (monotone)."""
    return min(1.0, math.log10(people + 1) / decades)
