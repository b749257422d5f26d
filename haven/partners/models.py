"""The partner directory: each agency's own list of the organizations it
works with, shaped after Open Referral HSDS 3.0 so that it goes in and out
in that format.

Every row carries its agency; another agency's rows answer exactly like rows
that do not exist. Primary keys are random UUIDs and are also the HSDS ids,
so an entry keeps its id through an export and an import. Nothing here is
about a person served: contacts are the partners' own staff.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import limits
from haven.core.models import Agency
from haven.protocol.models import County, NeedCategory


# Lengths shared by the models, the forms, the API and the HSDS import.
class PartnerKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter or housing")
    LEGAL = "legal", _("Legal services")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    IMMIGRATION = "immigration", _("Immigration services")
    EMPLOYMENT = "employment", _("Employment and training")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    DA_VICTIM_WITNESS = "da_victim_witness", _("District attorney victim-witness program")
    PROSECUTOR = "prosecutor", _("Prosecutor's office (district attorney, US attorney)")
    CHILD_PROTECTION = "child_protection", _("Child protective services")
    FEDERAL = "federal", _("Federal agency")
    OTHER = "other", _("Other")


class GovernmentLevel(models.TextChoices):
    NONE = "none", _("Not a government body")
    FEDERAL = "federal", _("Federal")
    STATE = "state", _("State")
    LOCAL = "local", _("Local (county, city, tribal)")


class ServiceStatus(models.TextChoices):
    """HSDS's own values, spaces and all."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("No longer offered")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("A place people visit")
    POSTAL = "postal", _("A postal address")
    VIRTUAL = "virtual", _("Online or by phone")


class PhoneType(models.TextChoices):
    """RFC 6350's telephone types, as HSDS uses them."""

    VOICE = "voice", _("Voice")
    TEXT = "text", _("Text messages")
    CELL = "cell", _("Mobile")
    FAX = "fax", _("Fax")
    VIDEO = "video", _("Video")
    PAGER = "pager", _("Pager")
    TEXTPHONE = "textphone", _("Textphone (TTY)")


class AreaKind(models.TextChoices):
    STATEWIDE = "statewide", _("Statewide")
    COUNTY = "county", _("A county")
    OTHER = "other", _("Another area")


# --- Taxonomy ----------------------------------------------------------------------------


class Taxonomy(models.Model):
    """An HSDS taxonomy. Haven's own ships with no agency; an import may add
    an agency's own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE)
    name = models.CharField(max_length=limits.WIDE_LINE)
    description = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)
    uri = models.CharField(max_length=limits.URL, blank=True)
    version = models.CharField(max_length=limits.CODE, blank=True)

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A kind of service. Haven's shipped terms have no agency and name the
    need categories they answer; an import may add an agency's own terms."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE)
    taxonomy = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.SET_NULL, related_name="terms"
    )
    code = models.CharField(max_length=limits.CODE, blank=True)
    name = models.CharField(max_length=limits.WIDE_LINE)
    description = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    language = models.CharField(max_length=20, blank=True)
    term_uri = models.CharField(max_length=limits.URL, blank=True)
    # The need category codes a shipped term answers (empty for imported terms).
    need_codes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


# --- The directory -------------------------------------------------------------------------


class DirectoryRow(models.Model):
    """A row of one agency's directory, with its HSDS id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Organization(DirectoryRow):
    """A partner: an organization the agency refers people to or works with."""

    name = models.CharField(_("name"), max_length=limits.WIDE_LINE)
    alternate_name = models.CharField(_("other name"), max_length=limits.WIDE_LINE, blank=True)
    description = models.TextField(_("description"), max_length=limits.DIRECTORY_TEXT, blank=True)
    website = models.CharField(_("website"), max_length=limits.URL, blank=True)
    email = models.CharField(_("email"), max_length=limits.EMAIL, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnerKind.choices, default=PartnerKind.OTHER
    )
    government_level = models.CharField(
        _("government level"),
        max_length=10,
        choices=GovernmentLevel.choices,
        default=GovernmentLevel.NONE,
    )
    agreement_on_file = models.BooleanField(
        _("confidentiality agreement or MOU on file"), default=False
    )
    agreement_date = models.DateField(_("date of the agreement"), null=True, blank=True)
    # Another agency on this installation: referrals to this partner can go
    # straight into that agency's queue. Never the agency itself.
    haven_agency = models.ForeignKey(
        Agency,
        verbose_name=_("Haven agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "name"], name="partner_org_name")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(haven_agency=models.F("agency")),
                name="partner_org_not_own_agency",
            )
        ]

    def __str__(self) -> str:
        return self.name


# The kinds of partner that prosecute, or work for those who do: the
# person's choice about prosecution decides whether they hear about them.
PROSECUTION_KINDS = frozenset({PartnerKind.PROSECUTOR, PartnerKind.DA_VICTIM_WITNESS})


def recipient_categories(organization: Organization) -> frozenset[str]:
    """The consent recipient categories an organization falls under:
    ``law_enforcement``, ``prosecution``, ``federal``, ``state``, ``local``.
    A consent given for a category covers every organization in it."""
    categories: set[str] = set()
    if organization.kind == PartnerKind.LAW_ENFORCEMENT:
        categories.add("law_enforcement")
    if organization.kind in PROSECUTION_KINDS:
        categories.add("prosecution")
    if organization.kind == PartnerKind.FEDERAL:
        categories.add(GovernmentLevel.FEDERAL.value)
    if organization.government_level != GovernmentLevel.NONE:
        categories.add(str(organization.government_level))
    return frozenset(categories)


class Location(DirectoryRow):
    """Where a partner works, with one address (HSDS keeps addresses apart;
    Haven keeps one per location and its HSDS id)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    location_type = models.CharField(
        _("kind of location"),
        max_length=10,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
    )
    name = models.CharField(_("name"), max_length=limits.WIDE_LINE, blank=True)
    alternate_name = models.CharField(_("other name"), max_length=limits.WIDE_LINE, blank=True)
    description = models.TextField(_("description"), max_length=limits.DIRECTORY_TEXT, blank=True)
    transportation = models.TextField(
        _("getting there"), max_length=limits.DIRECTORY_TEXT, blank=True
    )
    url = models.CharField(_("web address"), max_length=limits.URL, blank=True)
    address_id = models.UUIDField(null=True, blank=True, editable=False)
    address_1 = models.CharField(_("address"), max_length=limits.SUMMARY, blank=True)
    address_2 = models.CharField(_("address, second line"), max_length=limits.SUMMARY, blank=True)
    city = models.CharField(_("city"), max_length=limits.WIDE_LINE, blank=True)
    state_province = models.CharField(_("state"), max_length=limits.WIDE_LINE, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, default="US")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "city", "id"]

    def __str__(self) -> str:
        return self.name or self.address_1 or str(self.pk)


class Service(DirectoryRow):
    """What a partner offers."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(_("name"), max_length=limits.WIDE_LINE)
    alternate_name = models.CharField(_("other name"), max_length=limits.WIDE_LINE, blank=True)
    description = models.TextField(_("description"), max_length=limits.DIRECTORY_TEXT, blank=True)
    url = models.CharField(_("web address"), max_length=limits.URL, blank=True)
    email = models.CharField(_("email"), max_length=limits.EMAIL, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(
        _("interpretation"), max_length=limits.DIRECTORY_TEXT, blank=True
    )
    application_process = models.TextField(
        _("how to apply"), max_length=limits.DIRECTORY_TEXT, blank=True
    )
    eligibility_description = models.TextField(
        _("who is eligible"), max_length=limits.DIRECTORY_TEXT, blank=True
    )
    fees_description = models.TextField(_("fees"), max_length=limits.DIRECTORY_TEXT, blank=True)
    hours = models.TextField(_("hours"), max_length=limits.DIRECTORY_TEXT, blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="+")
    need_categories = models.ManyToManyField(NeedCategory, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["agency", "name"], name="partner_service_name")]

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(DirectoryRow):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_here")
    description = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_once")
        ]

    def __str__(self) -> str:
        return f"service at location {self.pk}"


class Contact(DirectoryRow):
    """Someone on a partner's staff to ask for (never a person served)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=limits.WIDE_LINE, blank=True)
    title = models.CharField(_("title"), max_length=limits.WIDE_LINE, blank=True)
    department = models.CharField(_("department"), max_length=limits.WIDE_LINE, blank=True)
    email = models.CharField(_("email"), max_length=limits.EMAIL, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or str(self.pk)


class Phone(DirectoryRow):
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("number"), max_length=60)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(_("type"), max_length=10, choices=PhoneType.choices, blank=True)
    description = models.TextField(_("description"), max_length=limits.DIRECTORY_TEXT, blank=True)

    class Meta:
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return self.number


class Language(DirectoryRow):
    """A language a service (or a location, or a phone line) works in."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(max_length=limits.WIDE_LINE, blank=True)
    # ISO 639-1 or 639-3, as HSDS allows; Haven writes 639-3.
    code = models.CharField(max_length=20, blank=True)
    note = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)

    class Meta:
        ordering = ["code", "id"]

    def __str__(self) -> str:
        return self.code or self.name


class ServiceArea(DirectoryRow):
    """Where a service is offered: statewide, a county, or another area."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=10, choices=AreaKind.choices, default=AreaKind.OTHER)
    county = models.ForeignKey(
        County, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=limits.SUMMARY, blank=True)
    description = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)
    extent = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)
    extent_type = models.CharField(max_length=limits.CODE, blank=True)
    uri = models.CharField(max_length=limits.URL, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Schedule(DirectoryRow):
    """An HSDS schedule (iCalendar-like). Hours given only as text live on
    the service itself (``Service.hours``)."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    timezone = models.FloatField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True)
    freq = models.CharField(max_length=10, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=limits.CODE, blank=True)
    byweekno = models.CharField(max_length=limits.CODE, blank=True)
    bymonthday = models.CharField(max_length=limits.CODE, blank=True)
    byyearday = models.CharField(max_length=limits.CODE, blank=True)
    description = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    schedule_link = models.CharField(max_length=limits.URL, blank=True)
    attending_type = models.CharField(max_length=limits.SUMMARY, blank=True)
    notes = models.TextField(max_length=limits.DIRECTORY_TEXT, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"schedule {self.pk}"
