"""Normal forms of names: whatever is typed, no form is empty (an empty
form would be digested like any other, and every name reduced to nothing
would find every other)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from haven.people.normalize import name_forms


def test_a_name_of_combining_marks_alone_has_no_empty_form():
    """Found by fuzzing (fuzz/name_forms.py): U+0335 alone lost its one
    character to strip_marks, and the empty string became a form."""
    assert name_forms("\u0335") == {"\u0335"}
    assert name_forms("\u0301\u0308") == {"\u0301\u0308"}


@given(st.text(max_size=40))
def test_no_name_has_an_empty_form(text):
    assert "" not in name_forms(text)
