"""schemas.oversized: the first field path and message of an oversized text or list, the path
built only when something is found; checked against the plain recursive statement of the rule
(each dict key appended with a dot, list items keeping their list's path)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from service.vendors.schemas import MAX_LIST_ITEMS, MAX_TEXT_CHARS, oversized
from tests.helpers import plain_oversized

texts = st.sampled_from(["", "x", "x" * MAX_TEXT_CHARS, "x" * (MAX_TEXT_CHARS + 1)])
values = st.recursive(
    texts | st.none() | st.booleans(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.builds(lambda n: ["x"] * n, st.sampled_from([0, MAX_LIST_ITEMS, MAX_LIST_ITEMS + 1]))
        | st.dictionaries(st.sampled_from(["", "a", "b", "c.d"]), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=500, deadline=None)
@given(values, st.sampled_from(["", "top"]))
def test_oversized_matches_the_plain_rule(value: Any, path: str) -> None:
    assert oversized(value, path) == plain_oversized(value, path)


def test_a_nested_text_is_named_by_its_path() -> None:
    found = oversized({"sdk": {"domains": ["ok", "x" * (MAX_TEXT_CHARS + 1)]}})
    assert found == ("sdk.domains", f"Longer than {MAX_TEXT_CHARS} characters.")
