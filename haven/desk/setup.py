"""What a new agency sets up before its first person walks in, and which of
it is done: the administrator's checklist on the home page.

Each item is ticked by what the agency has recorded, never by a flag someone
sets, so the list cannot say "done" about an empty set. The reads are of the
agency's own configuration (counts of rows), nothing about a person served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.accounts.models import User
from haven.communications.models import Interpreter
from haven.core.models import Team
from haven.partners.models import Organization
from haven.people.models import FieldSetting
from haven.preparedness.models import PolicyDocument
from haven.protocol.models import AgencyStep, ReportingContact
from haven.safety.models import Designation
from haven.training.models import Refresher, Topic


@dataclass(frozen=True)
class SetupItem:
    label: str | Promise
    hint: str | Promise
    url_name: str
    done: Callable[[int], bool]


def _staff_beyond_the_first(agency_id: int) -> bool:
    # An invited colleague has an account (inactive until they accept).
    return User.objects.filter(agency_id=agency_id).count() > 1


def _training_chosen(agency_id: int) -> bool:
    own_topics = Topic.objects.filter(agency_id=agency_id).exists()
    return own_topics or Refresher.objects.filter(agency_id=agency_id).exists()


ITEMS: tuple[SetupItem, ...] = (
    SetupItem(
        _("Teams"),
        _("The teams cases are worked by."),
        "accounts:team_create",
        lambda agency_id: Team.objects.filter(agency_id=agency_id).exists(),
    ),
    SetupItem(
        _("Staff invited"),
        _("Each colleague with the roles their work needs."),
        "accounts:staff_invite",
        _staff_beyond_the_first,
    ),
    SetupItem(
        _("Lockdown administrators"),
        _("Who may shut the agency down in an emergency, and end it."),
        "safety:settings",
        lambda agency_id: Designation.objects.filter(
            agency_id=agency_id, duty=Designation.Duty.LOCKDOWN
        ).exists(),
    ),
    SetupItem(
        _("Partners"),
        _("The organizations you refer people to."),
        "partners:directory",
        lambda agency_id: Organization.objects.filter(agency_id=agency_id).exists(),
    ),
    SetupItem(
        _("Interpreters"),
        _("Trained interpreters, with their confidentiality agreements."),
        "communications:roster",
        lambda agency_id: Interpreter.objects.filter(agency_id=agency_id).exists(),
    ),
    SetupItem(
        _("Policies"),
        _("The agency's own policies, for staff to read and acknowledge."),
        "preparedness:policies",
        lambda agency_id: PolicyDocument.objects.filter(agency_id=agency_id).exists(),
    ),
    SetupItem(
        _("Training topics"),
        _("Which trainings staff take, and how often they refresh them."),
        "training:topics",
        _training_chosen,
    ),
    SetupItem(
        _("Mandated-reporting contacts"),
        _("Where a report about a minor goes, county by county."),
        "authorities:reporting_contacts",
        lambda agency_id: ReportingContact.objects.filter(agency_id=agency_id).exists(),
    ),
    SetupItem(
        _("The agency's own steps"),
        _("Steps your agency follows besides the protocol's eleven, if it has any."),
        "protocol:agency_steps",
        lambda agency_id: AgencyStep.objects.filter(agency_id=agency_id).exists(),
    ),
    SetupItem(
        _("Person record fields"),
        _("Which details of a person your agency asks, requires or leaves out."),
        "people:field_settings",
        lambda agency_id: FieldSetting.objects.filter(agency_id=agency_id).exists(),
    ),
)


@dataclass(frozen=True)
class SetupStep:
    label: str
    hint: str
    url: str
    done: bool


def setup_checklist(agency_id: int) -> list[SetupStep]:
    """The checklist for one agency, each item ticked when it is done."""
    return [
        SetupStep(str(item.label), str(item.hint), reverse(item.url_name), item.done(agency_id))
        for item in ITEMS
    ]


def setup_while_unfinished(agency_id: int) -> list[SetupStep]:
    """The checklist while anything on it is left to do; nothing once all is
    done, so a set-up agency's home page is about its people again."""
    checklist = setup_checklist(agency_id)
    return [] if all(step.done for step in checklist) else checklist
