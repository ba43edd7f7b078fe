"""Property tests: the engine never crashes on a valid Transfer and its score is monotone."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.catalog.reference import Reference, load_reference
from assessments.engine import evaluate
from assessments.rules import RuleSet, load_rules
from assessments.types import (
    EU_DEROGATIONS,
    EXEMPTIONS,
    LEVELS,
    ROLES,
    SAFEGUARDS,
    SCC_DECISIONS,
    TIA_OUTCOMES,
    TRANSACTIONS,
    US_EXEMPTIONS,
    VERDICTS,
    DataSubjects,
    Derogation,
    Evaluation,
    Exporter,
    Importer,
    MinorCounts,
    OutboundYtd,
    Owner,
    SccTerms,
    Transfer,
)

RULES: RuleSet = load_rules()
REFERENCE: Reference = load_reference()
CATEGORIES = sorted(REFERENCE.data_categories)
PURPOSES = sorted(REFERENCE.purposes)
COUNTRIES = [
    "CN",
    "HK",
    "TW",
    "DE",
    "FR",
    "IE",
    "NO",
    "GB",
    "CH",
    "JP",
    "CA",
    "BR",
    "US",
    "SG",
    "IN",
    "RU",
    "VE",
    "KP",
]
JURISDICTIONS = [*COUNTRIES, "EU", "US-CA", "US-NY"]
maybe_bool = st.one_of(st.none(), st.booleans())

exporters = st.builds(
    Exporter,
    country=st.sampled_from(COUNTRIES),
    role=st.sampled_from(ROLES),
    ciio=maybe_bool,
    us_person=maybe_bool,
    ccpa_business=maybe_bool,
    data_broker=maybe_bool,
    cn_processing_volume=st.one_of(st.none(), st.integers(0, 20_000_000)),
    targets_eu=maybe_bool,
    cn_outbound_ytd=st.one_of(
        st.none(),
        st.builds(
            OutboundYtd,
            non_sensitive=st.integers(0, 2_000_000),
            sensitive=st.integers(0, 20_000),
        ),
    ),
)
importers = st.builds(
    Importer,
    country=st.sampled_from([*COUNTRIES, "XEPO"]),
    role=st.sampled_from(ROLES),
    dpf_certified=maybe_bool,
    covered_person=maybe_bool,
    owners=st.one_of(
        st.none(),
        st.lists(
            st.builds(
                Owner,
                country=st.sampled_from(["CN", "RU", "VE", "US", "DE", "SG"]),
                share=st.one_of(st.none(), st.floats(0, 100)),
            ),
            max_size=2,
        ).map(tuple),
    ),
)
groups = st.builds(
    DataSubjects,
    jurisdiction=st.sampled_from(JURISDICTIONS),
    count=st.integers(0, 5_000_000),
    minors=st.booleans(),
    minor_counts=st.one_of(
        st.none(),
        st.builds(
            MinorCounts,
            under_13=st.one_of(st.none(), st.integers(0, 1000)),
            under_14=st.one_of(st.none(), st.integers(0, 20_000)),
            under_16=st.one_of(st.none(), st.integers(0, 20_000)),
            under_17=st.one_of(st.none(), st.integers(0, 20_000)),
        ),
    ),
)


@st.composite
def transfers(draw: st.DrawFn) -> Transfer:
    importer = draw(importers)
    destinations = draw(st.lists(st.sampled_from(COUNTRIES), max_size=3, unique=True))
    return Transfer(
        as_of=draw(st.dates(min_value=date(2017, 1, 1), max_value=date(2028, 12, 31))),
        exporter=draw(exporters),
        importer=importer,
        destinations=tuple(destinations) or (importer.country,),
        data_subjects=tuple(draw(st.lists(groups, min_size=1, max_size=3))),
        data_categories=tuple(
            draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=5, unique=True))
        ),
        purposes=tuple(draw(st.lists(st.sampled_from(PURPOSES), max_size=3, unique=True))),
        transaction=draw(st.sampled_from(TRANSACTIONS)),
        safeguards=frozenset(draw(st.sets(st.sampled_from(SAFEGUARDS)))),
        exemptions=frozenset(draw(st.sets(st.sampled_from(EXEMPTIONS), max_size=2))),
        important_data=draw(maybe_bool),
        government_related_data=draw(maybe_bool),
        us_exemptions=frozenset(draw(st.sets(st.sampled_from(US_EXEMPTIONS), max_size=1))),
        us_prior_12m=draw(st.integers(0, 200_000)),
        eu_scc_terms=draw(
            st.one_of(
                st.none(),
                st.builds(
                    SccTerms,
                    decision=st.sampled_from(SCC_DECISIONS),
                    signed=st.one_of(st.none(), st.dates(date(2010, 1, 1), date(2028, 1, 1))),
                ),
            )
        ),
        eu_derogation=draw(
            st.one_of(
                st.none(),
                st.builds(Derogation, basis=st.sampled_from(EU_DEROGATIONS), occasional=maybe_bool),
            )
        ),
        eu_tia=draw(st.sampled_from([None, *TIA_OUTCOMES])),
    )


def _scores(evaluation: Evaluation) -> dict[str, int]:
    return {r.regime: r.score for r in evaluation.regimes}


def _no_lower(before: Evaluation, after: Evaluation) -> None:
    low, high = _scores(before), _scores(after)
    for code in low:
        assert high[code] >= low[code], (code, before.regime(code), after.regime(code))
    assert after.overall.score >= before.overall.score


@settings(max_examples=400, deadline=None)
@given(transfers())
def test_never_crashes_and_results_are_well_formed(transfer: Transfer) -> None:
    evaluation = evaluate(transfer, RULES, REFERENCE)
    assert [r.regime for r in evaluation.regimes] == ["CN", "EU", "US"]
    for result in evaluation.regimes:
        assert result.verdict in VERDICTS
        assert result.level in LEVELS
        assert 0 <= result.score <= 100
        assert result.applies is (result.verdict != "not_applicable")
        if not result.applies:
            assert result.score == 0 and result.mechanism is None
        if result.verdict in ("mechanism_required", "approval_required", "prohibited"):
            assert result.mechanism is not None
        assert all(r.citation and r.explanation for r in result.rules)
    assert evaluation.overall.score == max(r.score for r in evaluation.regimes)
    assert evaluate(transfer, RULES, REFERENCE) == evaluation  # deterministic


@settings(max_examples=300, deadline=None)
@given(transfers(), st.data())
def test_more_people_never_lower_the_score(transfer: Transfer, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(transfer.data_subjects) - 1))
    extra = data.draw(st.integers(1, 3_000_000))
    groups_ = list(transfer.data_subjects)
    groups_[index] = dataclasses.replace(groups_[index], count=groups_[index].count + extra)
    bigger = dataclasses.replace(transfer, data_subjects=tuple(groups_))
    _no_lower(evaluate(transfer, RULES, REFERENCE), evaluate(bigger, RULES, REFERENCE))


@settings(max_examples=300, deadline=None)
@given(transfers(), st.sampled_from(CATEGORIES))
def test_more_sensitive_data_never_lowers_the_score(transfer: Transfer, category: str) -> None:
    if category in transfer.data_categories:
        return
    wider = dataclasses.replace(transfer, data_categories=(*transfer.data_categories, category))
    _no_lower(evaluate(transfer, RULES, REFERENCE), evaluate(wider, RULES, REFERENCE))


@settings(max_examples=300, deadline=None)
@given(transfers(), st.data())
def test_fewer_safeguards_never_lower_the_score(transfer: Transfer, data: st.DataObject) -> None:
    if not transfer.safeguards:
        return
    dropped = data.draw(st.sampled_from(sorted(transfer.safeguards)))
    fewer = dataclasses.replace(transfer, safeguards=transfer.safeguards - {dropped})
    _no_lower(evaluate(transfer, RULES, REFERENCE), evaluate(fewer, RULES, REFERENCE))


@pytest.mark.parametrize(
    ("safeguard", "raw_count"),
    [("cn_standard_contract_filed", 200_000), ("cn_security_assessment_passed", 2_000_000)],
)
def test_a_met_requirement_keeps_the_verdict_and_lowers_the_score(
    safeguard: str, raw_count: int
) -> None:
    base = Transfer(
        as_of=date(2026, 11, 22),
        exporter=Exporter(country="CN", ciio=False),
        importer=Importer(country="SG"),
        destinations=("SG",),
        data_subjects=(DataSubjects("CN", raw_count),),
        data_categories=("contact",),
        important_data=False,
    )
    open_ = evaluate(base, RULES, REFERENCE).regime("CN")
    met = evaluate(
        dataclasses.replace(base, safeguards=frozenset({safeguard})), RULES, REFERENCE
    ).regime("CN")
    assert (met.verdict, met.mechanism) == (open_.verdict, open_.mechanism)
    assert open_.met is False and met.met is True
    assert met.score < open_.score


# Each fact a Transfer may leave unstated, and how to make it unknown. Importer ownership is one
# fact with two fields: the covered-person flag and the owners it is usually derived from.
UNSTATE = {
    "ciio": lambda t: dataclasses.replace(t, exporter=dataclasses.replace(t.exporter, ciio=None)),
    "important_data": lambda t: dataclasses.replace(t, important_data=None),
    "dpf_certified": lambda t: dataclasses.replace(
        t, importer=dataclasses.replace(t.importer, dpf_certified=None)
    ),
    "ownership": lambda t: dataclasses.replace(
        t, importer=dataclasses.replace(t.importer, owners=None, covered_person=None)
    ),
    "owners": lambda t: dataclasses.replace(
        t, importer=dataclasses.replace(t.importer, owners=None)
    ),
    "ccpa_business": lambda t: dataclasses.replace(
        t, exporter=dataclasses.replace(t.exporter, ccpa_business=None)
    ),
    "data_broker": lambda t: dataclasses.replace(
        t, exporter=dataclasses.replace(t.exporter, data_broker=None)
    ),
    "cn_processing_volume": lambda t: dataclasses.replace(
        t, exporter=dataclasses.replace(t.exporter, cn_processing_volume=None)
    ),
    "targets_eu": lambda t: dataclasses.replace(
        t, exporter=dataclasses.replace(t.exporter, targets_eu=None)
    ),
    "government_related_data": lambda t: dataclasses.replace(t, government_related_data=None),
}
_RANK = {v: i for i, v in enumerate(VERDICTS)}


@settings(max_examples=400, deadline=None)
@given(transfers(), st.sampled_from(sorted(UNSTATE)))
def test_an_unknown_fact_never_makes_the_verdict_less_strict(transfer: Transfer, fact: str) -> None:
    """Issue 13: turning any stated fact into "unknown" never makes a headline verdict (or
    score) less strict; where the answer would change the verdict the result is provisional."""
    stated = evaluate(transfer, RULES, REFERENCE)
    unknown = evaluate(UNSTATE[fact](transfer), RULES, REFERENCE)
    for before, after in zip(stated.regimes, unknown.regimes, strict=True):
        assert _RANK[after.verdict] >= _RANK[before.verdict], (fact, before, after)
        if after.verdict == before.verdict:
            assert after.score >= before.score, (fact, before, after)
        for branch in after.if_unknown:
            assert len({a.verdict for a in branch.answers}) > 1
            assert all(_RANK[a.verdict] <= _RANK[after.verdict] for a in branch.answers)
        assert after.provisional is bool(after.if_unknown)
    assert unknown.overall.score >= stated.overall.score
