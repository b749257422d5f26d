"""A case's addresses, reversed once: the same as Django's reverse."""

from __future__ import annotations

import uuid

import pytest
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from haven.core.addresses import case_address


@pytest.mark.parametrize(
    ("name", "more"),
    [
        ("desk:case_detail", {}),
        ("people:person_edit", {}),
        ("protocol:step_update", {"step": "rights"}),
        ("protocol:step_update", {"step": "minors"}),
    ],
)
def test_the_address_is_the_one_django_reverses(name, more):
    for case_id in (uuid.uuid4(), uuid.UUID(int=0), uuid.uuid4()):
        assert case_address(name, case_id, **more) == reverse(
            name, kwargs={"case_id": case_id, **more}
        )


def test_a_deployment_under_a_sub_path_gets_its_own_addresses():
    case_id = uuid.uuid4()
    set_script_prefix("/haven/")
    try:
        assert case_address("desk:case_detail", case_id) == f"/haven/cases/{case_id}/"
    finally:
        clear_script_prefix()
    assert case_address("desk:case_detail", case_id) == f"/cases/{case_id}/"


def test_an_unknown_page_is_refused_as_reverse_refuses_it():
    with pytest.raises(NoReverseMatch):
        case_address("protocol:no_such_page", uuid.uuid4())
