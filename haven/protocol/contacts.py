"""Where an agency makes mandated reports, county by county: the agency's own
reference list (county child welfare agency, sheriff, police), with where
each number came from and when it was last checked.

These rows name public offices, never a person served, so they are not
audited.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import User
from haven.core import limits
from haven.core.errors import NotFound
from haven.core.text import check_texts
from haven.protocol.models import County, ReportingContact
from haven.protocol.policies import may_keep_protocol_settings


def reporting_contacts(
    *, agency_id: int, county: County | None = None
) -> QuerySet[ReportingContact]:
    """The agency's contacts (for one county when given), county by county."""
    rows = ReportingContact.objects.filter(agency_id=agency_id).select_related("county")
    if county is not None:
        rows = rows.filter(county=county)
    return rows.order_by("county__name", "kind", "name")


def reporting_contact_get(*, actor: User, contact_id: int) -> ReportingContact:
    """One of the actor's agency's contacts, or 404 (another agency's too)."""
    if not may_keep_protocol_settings(actor):
        raise NotFound
    contact = (
        ReportingContact.objects.filter(pk=contact_id, agency_id=actor.agency_id)
        .select_related("county")
        .first()
    )
    if contact is None:
        raise NotFound
    return contact


def reporting_contact_save(
    *,
    actor: User,
    county: County,
    kind: str,
    name: str,
    phone: str = "",
    source: str = "",
    verified_on: date | None = None,
    contact: ReportingContact | None = None,
) -> ReportingContact:
    """Add a contact to the actor's agency's list, or change the one given."""
    if not may_keep_protocol_settings(actor):
        raise NotFound
    if contact is not None and contact.agency_id != actor.agency_id:
        raise NotFound
    values = {"name": name.strip(), "phone": phone.strip(), "source": source.strip()}
    errors: dict[str, list[str]] = {}
    if kind not in ReportingContact.Kind.values:
        errors["kind"] = [_("Choose one of the options offered.")]
    longest = {"name": limits.LINE, "phone": limits.PHONE, "source": limits.WIDE_LINE}
    check_texts(errors, [(field, values[field], limit) for field, limit in longest.items()])
    if not values["name"]:
        errors.setdefault("name", []).append(_("Give the name of the office."))
    if verified_on and verified_on > timezone.localdate():
        errors["verified_on"] = [_("This date is in the future.")]
    if errors:
        raise ValidationError(errors)
    row = contact or ReportingContact(agency_id=actor.agency_id)
    row.county = county
    row.kind = kind
    row.name = values["name"]
    row.phone = values["phone"]
    row.source = values["source"]
    row.verified_on = verified_on
    row.save()
    return row


def reporting_contact_delete(*, actor: User, contact: ReportingContact) -> None:
    if not may_keep_protocol_settings(actor) or contact.agency_id != actor.agency_id:
        raise NotFound
    contact.delete()
