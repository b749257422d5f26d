"""Who may see and do what in preparedness: every role, and a member of
another agency, against every service and selector.

Expected outcomes are written from the rules of
``haven/preparedness/policies.py``'s docstring, never computed from its
functions. Each refusal is a 404 that writes nothing.
"""

from __future__ import annotations

import pytest

from haven.attachments.services import attachment_open
from haven.preparedness import selectors, services
from tests.preparedness.conftest import (
    agreement_values,
    days_ago,
    make_org,
    make_policy,
    meeting_values,
    refused_404,
    version_values,
)

pytestmark = pytest.mark.django_db

ROLES = ("advocate", "supervisor", "intake", "shelter", "admin", "auditor", "outsider")
READ_POLICIES = {"advocate", "supervisor", "intake", "shelter", "admin", "auditor"}
WRITE_POLICIES = {"admin"}
SEE_ACKNOWLEDGEMENTS = {"admin", "supervisor", "auditor"}
READ_MEETINGS = {"admin", "supervisor", "auditor", "advocate"}
WRITE_MEETINGS = {"admin", "supervisor"}
READ_AGREEMENTS = {"admin", "supervisor", "auditor"}
WRITE_AGREEMENTS = {"admin"}


@pytest.fixture
def world(all_personas, outsider, agency):
    users = {**all_personas, "outsider": outsider}
    admin = users["admin"]
    org = make_org(agency)
    return {
        "users": users,
        "policy": make_policy(admin),
        "meeting": services.meeting_save(actor=users["supervisor"], values=meeting_values()),
        "agreement": services.agreement_record(actor=admin, values=agreement_values(org)),
        "org": org,
    }


def _allowed_or_404(allowed: bool, call) -> None:
    if allowed:
        call()
    else:
        refused_404(call)


@pytest.mark.parametrize("role", ROLES)
def test_reading_policies(world, role):
    user = world["users"][role]
    document = world["policy"]
    _allowed_or_404(
        role in READ_POLICIES, lambda: selectors.policy_get(user=user, document_id=document.pk)
    )
    if role in READ_POLICIES:
        assert [r.document.pk for r in selectors.policy_rows(user=user, today=days_ago(0))] == [
            document.pk
        ]
        attachment_open(actor=user, attachment_id=document.current_version.file_id)
    else:
        # The outsider reads their own agency's list, empty: see the last test.
        refused_404(
            lambda: attachment_open(actor=user, attachment_id=document.current_version.file_id)
        )
    _allowed_or_404(
        role in SEE_ACKNOWLEDGEMENTS,
        lambda: selectors.acknowledgements(user=user, document=document),
    )


@pytest.mark.parametrize("role", ROLES)
def test_acknowledging_a_policy(world, role):
    user = world["users"][role]
    _allowed_or_404(
        role in READ_POLICIES,
        lambda: services.policy_acknowledge(
            actor=user, document_id=world["policy"].pk, version_number=1
        ),
    )


@pytest.mark.parametrize("role", ROLES)
def test_writing_policies(world, role):
    user = world["users"][role]
    document = world["policy"]
    allowed = role in WRITE_POLICIES
    _allowed_or_404(
        allowed,
        lambda: services.review_record(
            actor=user,
            document_id=document.pk,
            version_number=1,
            reviewed_on=days_ago(0),
            next_review_on=days_ago(-300),
        ),
    )
    _allowed_or_404(
        allowed,
        lambda: services.version_add(
            actor=user,
            document_id=document.pk,
            values=version_values(approved_on=days_ago(0), changes="x"),
        ),
    )
    if role != "outsider":
        _allowed_or_404(allowed, lambda: make_policy(user, kind="other", title="Another"))


@pytest.mark.parametrize("role", ROLES)
def test_meetings(world, role):
    user = world["users"][role]
    meeting = world["meeting"]
    _allowed_or_404(
        role in READ_MEETINGS, lambda: selectors.meeting_get(user=user, meeting_id=meeting.pk)
    )
    if role != "outsider":
        _allowed_or_404(role in READ_MEETINGS, lambda: selectors.meeting_page(user=user, page=1))
    _allowed_or_404(
        role in WRITE_MEETINGS,
        lambda: services.meeting_save(
            actor=user,
            values=meeting_values(agreements="Changed"),
            meeting_id=meeting.pk,
            revision=meeting.revision,
        ),
    )
    if role != "outsider":
        _allowed_or_404(
            role in WRITE_MEETINGS,
            lambda: services.meeting_save(actor=user, values=meeting_values()),
        )


@pytest.mark.parametrize("role", ROLES)
def test_agreements(world, role):
    user = world["users"][role]
    agreement = world["agreement"]
    _allowed_or_404(
        role in READ_AGREEMENTS,
        lambda: selectors.agreement_get(user=user, agreement_id=agreement.pk, today=days_ago(0)),
    )
    _allowed_or_404(
        role in READ_AGREEMENTS,
        lambda: attachment_open(actor=user, attachment_id=agreement.file_id),
    )
    if role != "outsider":
        _allowed_or_404(
            role in WRITE_AGREEMENTS,
            lambda: services.agreement_record(actor=user, values=agreement_values(world["org"])),
        )


def test_the_outsider_sees_nothing_in_their_own_agency(world):
    outsider = world["users"]["outsider"]
    assert selectors.policy_rows(user=outsider, today=days_ago(0)) == []
    assert selectors.agreement_rows(user=outsider, today=days_ago(0)) == []
    assert list(selectors.meeting_page(user=outsider, page=1)) == []
