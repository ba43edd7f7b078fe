"""The fact builders' two steps: `stated` never reads an answerable input (facts.ANSWERABLE),
`answered` adds only facts the stated step does not give, and the stated facts plus those the
answers add are the facts of the transfer with those answers stated, for every regime, every
answerable input and every kind of answer."""

from __future__ import annotations

import ast
import dataclasses
import itertools
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings

from assessments import engine, facts
from assessments.facts import ANSWERABLE, BUILDERS, answered_transfer, answers_of, profile
from assessments.transfers import parse_transfer
from assessments.types import Owner, Transfer
from tests.assessments.test_engine_memo import DAYS, REFERENCE, SCENARIOS
from tests.assessments.test_engine_properties import RULES, transfers

# Values each answerable input can take: unstated, and the kinds of answer open questions give
# (the ownership answers as us_open words them, and a holder of unknown share).
VALUES: dict[str, tuple[Any, ...]] = {
    "ciio": (None, True, False),
    "important_data": (None, True, False),
    "processing_volume": (None, 0, 999_999, 1_000_000, 20_000_000),
    "dpf_certified": (None, True, False),
    "targets_eu": (None, True, False),
    "ownership": (None, (), (Owner("CN", 50.0),), (Owner("CN", 20.0),), (Owner("RU"),)),
    "data_broker": (None, True, False),
    "ccpa_business": (None, True, False),
    "government_related_data": (None, True, False),
}


def test_every_answerable_input_has_values_and_a_builder() -> None:
    assert set(VALUES) == set(ANSWERABLE)
    assert sorted(i for b in BUILDERS.values() for i in b.inputs) == sorted(ANSWERABLE)


def test_nothing_reads_an_answerable_field_from_a_transfer() -> None:
    """The builders and the engine read answerable inputs only from an Answers mapping: no
    attribute of that name is read anywhere in facts.py or engine.py (answers_of reads them by
    name through ANSWERABLE). A `stated` step that read one would keep the stated value in
    every combination of answers."""
    fields = {field for _part, field in ANSWERABLE.values()}
    for module in (facts, engine):
        source = Path(str(module.__file__)).read_text("utf-8")
        found = [
            (node.attr, node.lineno)
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr in fields
        ]
        assert not found, f"{module.__name__} reads answerable fields: {found}"


def _finish(builder: Any, stated: Any, answers: dict[str, Any]) -> Any:
    """The stated facts finished with the answers: what the answered step adds never names a
    stated fact (the engine keeps the two apart and merges them where it needs both)."""
    finished = builder.answered(stated, answers)
    assert not finished.facts.keys() & stated.facts.keys()
    return finished._replace(facts={**stated.facts, **finished.facts})


def _check(transfer: Transfer, values: dict[str, tuple[Any, ...]]) -> int:
    """Finishing with each answer (one input at a time, then every pair of inputs of a regime)
    equals building the facts of the transfer with the answers stated. Returns the checks."""
    prof = profile(REFERENCE, transfer.data_categories, transfer.purposes)
    checks = 0
    for code, builder in BUILDERS.items():
        params = RULES.active(code, transfer.as_of).params
        stated = builder.stated(transfer, REFERENCE, prof, params)
        given = answers_of(transfer, builder.inputs)
        assert _finish(builder, stated, given) == builder.build(transfer, REFERENCE, prof, params)
        for size in (1, 2):
            for names in itertools.combinations(builder.inputs, size):
                for chosen in itertools.product(*[values[n] for n in names]):
                    answers = dict(zip(names, chosen, strict=True))
                    variant = answered_transfer(transfer, answers)
                    assert answers_of(variant, names) == answers
                    finished = _finish(builder, stated, {**given, **answers})
                    built = builder.build(variant, REFERENCE, prof, params)
                    # The stated facts are those of the transfer with the answers stated (the
                    # engine's decision key computes its part on them once for every
                    # combination of answers), and the answered ones complete them.
                    assert finished == built, (code, answers)
                    checks += 1
    return checks


def test_golden_scenarios_finish_like_their_answered_transfers() -> None:
    checks = 0
    for scenario in SCENARIOS:
        t = parse_transfer(scenario["transfer"], today=date(2026, 11, 22), reference=REFERENCE)
        for day in (t.as_of, DAYS[0], DAYS[3], DAYS[6]):
            checks += _check(dataclasses.replace(t, as_of=day), VALUES)
    assert checks > 50_000


@settings(max_examples=300, deadline=None)
@given(transfers())
def test_random_transfers_finish_like_their_answered_transfers(transfer: Transfer) -> None:
    _check(transfer, VALUES)
