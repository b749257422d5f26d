"""Bad input to every preparedness service is refused with a message on the
field at fault and changes nothing: no row, no file, no key, no audit event."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from haven.core import limits
from haven.preparedness import services
from tests import files
from tests.factories import make_staff
from tests.preparedness.conftest import (
    agreement_values,
    days_ago,
    make_org,
    make_policy,
    meeting_values,
    refused,
    refused_404,
    version_values,
)

pytestmark = pytest.mark.django_db

HIDDEN = ["\x00", "\x07", "\x1b[31m", "\u202e", "\u200b", "\ufeff"]
NOT_DOCUMENTS = {
    "png": (files.png, "PNG image"),
    "jpeg": (files.jpeg, "JPEG image"),
    "wav": (files.wav, "WAV recording"),
    "eml": (files.eml, "saved e-mail"),
}


def new_policy(admin, **values):
    first = values.pop("first", version_values())
    values.setdefault("kind", "eligibility")
    values.setdefault("title", "Who we serve")
    values.setdefault("owner_id", admin.pk)
    return services.policy_save(
        actor=admin, values=services.PolicyValues(**values), first_version=first
    )


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_a_policy_needs_a_title(admin_user, title):
    refused(lambda: new_policy(admin_user, title=title), "title")


def test_too_long_or_disguised_titles_are_refused(admin_user):
    refused(lambda: new_policy(admin_user, title="x" * 201), "title")
    for hidden in HIDDEN:
        refused(lambda h=hidden: new_policy(admin_user, title=f"Who{h}we serve"), "title")


def test_an_unknown_kind_is_refused(admin_user):
    refused(lambda: new_policy(admin_user, kind="anything"), "kind")


def test_the_owner_must_be_an_active_staff_member_of_the_agency(admin_user, agency, outsider):
    gone = make_staff(agency=agency, role="advocate", username="t-gone")
    gone.is_active = False
    gone.save()
    for owner_id in (outsider.pk, gone.pk, 10**9, None):
        refused(lambda o=owner_id: new_policy(admin_user, owner_id=o), "owner")


@pytest.mark.parametrize(("kind", "spec"), NOT_DOCUMENTS.items())
def test_a_policy_file_must_be_a_pdf_or_word_document(admin_user, kind, spec):
    make, label = spec
    error = refused(
        lambda: new_policy(
            admin_user, first=version_values(file=files.accepted(make(), f"p.{kind}"))
        ),
        "file",
    )
    message = " ".join(error.message_dict["file"])
    assert "PDF" in message
    assert "Word" in message
    assert label in message


def test_a_version_needs_its_file(admin_user):
    refused(lambda: new_policy(admin_user, first=version_values(file=None)), "file")


@pytest.mark.parametrize(
    ("approved_on", "next_review_on", "field"),
    [
        (None, date(2030, 1, 1), "approved_on"),
        (date(1989, 12, 31), date(1990, 6, 1), "approved_on"),
        (days_ago(-1), days_ago(-100), "approved_on"),
        (days_ago(10), days_ago(10), "next_review_on"),
        (days_ago(10), days_ago(11), "next_review_on"),
        (days_ago(10), None, "next_review_on"),
        (date(2024, 2, 29), date(2029, 3, 1), "next_review_on"),
    ],
)
def test_version_dates_are_checked(admin_user, approved_on, next_review_on, field):
    refused(
        lambda: new_policy(
            admin_user,
            first=version_values(approved_on=approved_on, next_review_on=next_review_on),
        ),
        field,
    )


def test_the_next_review_may_be_five_years_after_the_approval(admin_user):
    new_policy(
        admin_user,
        first=version_values(approved_on=date(2024, 2, 29), next_review_on=date(2029, 2, 28)),
    )


def test_a_later_version_needs_a_summary_and_cannot_predate_the_current(admin_user):
    document = make_policy(admin_user)
    add = lambda **v: services.version_add(  # noqa: E731
        actor=admin_user, document_id=document.pk, values=version_values(**v)
    )
    refused(lambda: add(changes=""), "changes")
    refused(lambda: add(changes="x" * (limits.LONG_NOTE + 1)), "changes")
    refused(lambda: add(changes="Fix\x00"), "changes")
    refused(lambda: add(changes="Older", approved_on=days_ago(20)), "approved_on")


@pytest.mark.parametrize(
    ("reviewed_on", "next_review_on", "field"),
    [
        (days_ago(-1), days_ago(-200), "reviewed_on"),
        (days_ago(11), days_ago(-200), "reviewed_on"),  # before the approval
        (date(1980, 1, 1), date(1981, 1, 1), "reviewed_on"),
        (days_ago(0), days_ago(0), "next_review_on"),
        (days_ago(0), days_ago(0) + timedelta(days=5 * 366 + 1), "next_review_on"),
        (None, days_ago(-10), "reviewed_on"),
    ],
)
def test_review_dates_are_checked(admin_user, reviewed_on, next_review_on, field):
    document = make_policy(admin_user)
    refused(
        lambda: services.review_record(
            actor=admin_user,
            document_id=document.pk,
            version_number=1,
            reviewed_on=reviewed_on,
            next_review_on=next_review_on,
        ),
        field,
    )


def test_another_agencys_or_an_unknown_policy_is_a_404(admin_user, outsider):
    theirs = make_policy(outsider)
    for document_id in (theirs.pk, uuid.uuid4()):
        refused_404(
            lambda d=document_id: services.version_add(
                actor=admin_user, document_id=d, values=version_values(changes="x")
            )
        )
        refused_404(
            lambda d=document_id: services.policy_acknowledge(
                actor=admin_user, document_id=d, version_number=1
            )
        )


# --- Meetings ------------------------------------------------------------------------


def save_meeting(actor, **values):
    return services.meeting_save(actor=actor, values=meeting_values(**values))


def test_a_meeting_names_its_partner_once(supervisor, agency, outsider):
    org = make_org(agency)
    theirs = make_org(outsider.agency, "Elsewhere Clinic (synthetic)")
    refused(lambda: save_meeting(supervisor, partner_name=""), "organization")
    refused(lambda: save_meeting(supervisor, partner_name="   "), "organization")
    refused(lambda: save_meeting(supervisor, organization_id=theirs.pk), "organization")
    refused(lambda: save_meeting(supervisor, organization_id=uuid.uuid4()), "organization")
    refused(
        lambda: save_meeting(supervisor, organization_id=org.pk, partner_name="Also typed"),
        "partner_name",
    )


def test_meeting_dates_and_kinds_are_checked(supervisor):
    refused(lambda: save_meeting(supervisor, held_on=None), "held_on")
    refused(lambda: save_meeting(supervisor, held_on=date(1989, 1, 1)), "held_on")
    refused(lambda: save_meeting(supervisor, held_on=days_ago(-1)), "held_on")
    refused(lambda: save_meeting(supervisor, kind="court"), "kind")
    refused(
        lambda: save_meeting(supervisor, follow_ups="Call", follow_up_due=days_ago(4)),
        "follow_up_due",
    )
    refused(
        lambda: save_meeting(supervisor, follow_ups="Call", follow_up_due=date(2099, 1, 1)),
        "follow_up_due",
    )
    refused(lambda: save_meeting(supervisor, follow_up_due=days_ago(-4)), "follow_ups")
    refused(lambda: save_meeting(supervisor, follow_up_done=True), "follow_ups")


def test_meeting_staff_must_be_of_the_agency(supervisor, outsider):
    refused(lambda: save_meeting(supervisor, staff_ids=[outsider.pk]), "staff")
    refused(lambda: save_meeting(supervisor, staff_ids=[10**9]), "staff")


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("partner_name", 200),
        ("partner_attendees", limits.NOTE),
        ("agreements", limits.LONG),
        ("follow_ups", limits.LONG_NOTE),
    ],
)
def test_meeting_texts_are_checked(supervisor, field, limit):
    refused(lambda: save_meeting(supervisor, **{field: "x" * (limit + 1)}), field)
    refused(lambda: save_meeting(supervisor, **{field: "Synthetic\u202etext"}), field)
    save_meeting(supervisor, **{field: "x" * limit})


# --- Agreements ----------------------------------------------------------------------


def test_agreement_input_is_checked(admin_user, agency, outsider):
    org = make_org(agency)
    theirs = make_org(outsider.agency, "Elsewhere Clinic (synthetic)")
    record = lambda o, **v: services.agreement_record(  # noqa: E731
        actor=admin_user, values=agreement_values(o, **v)
    )
    refused(lambda: record(theirs), "organization")
    refused(lambda: record(None), "organization")
    refused(lambda: record(uuid.uuid4()), "organization")
    refused(lambda: record(org, kind="lease"), "kind")
    refused(lambda: record(org, signed_on=days_ago(-1)), "signed_on")
    refused(lambda: record(org, signed_on=date(1985, 5, 5)), "signed_on")
    refused(lambda: record(org, signed_on=None), "signed_on")
    refused(lambda: record(org, signed_on=days_ago(30), expires_on=days_ago(30)), "expires_on")
    refused(lambda: record(org, signed_on=days_ago(30), expires_on=date(2090, 1, 1)), "expires_on")
    refused(lambda: record(org, file=files.accepted(files.png(), "scan.png")), "file")
    refused(lambda: record(org, file=None), "file")
