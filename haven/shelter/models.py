"""The agency's own shelters: sites with a sealed address, their beds, the
stays of the people served in them, and placements at partners.

A site's address is the one fact that, leaked, endangers every resident at
once (docs/adr/0026-shelter-and-agency-steps.md): it is sealed under the
site's own data key and opened only by ``policies.may_open_site_address``.
A site is named everywhere else by its alias, which is public by design.

Stays are date ranges: a stay covers the nights from ``starts_on`` up to,
not including, ``ends_on``. Occupancy on any date is a query over stays,
never a counter, so it stays right after moves and ends.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import Agency, DataKey
from haven.people.models import Case, SealedToPerson


class ShelterSite(SealedToPerson):
    """One shelter or safe house of the agency, worked by one team's shelter
    staff. ``data_key`` is the site's own key, not a person's."""

    # Made when the first sealed value is set: a site brought over from the
    # old shelter team has none yet. Deleting it shreds the address.
    data_key = models.ForeignKey(  # type: ignore[assignment]
        DataKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="sites")
    # Public by design: lists, dashboards, reports and the API say this.
    alias = models.CharField(_("public alias"), max_length=60)
    name = EncryptedTextField(_("name as staff know it"))
    address = EncryptedTextField(_("address"))
    phone = EncryptedTextField(_("phone"))
    rules = EncryptedTextField(_("house rules"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "alias"], name="site_alias_once"),
        ]
        ordering = ["alias"]

    def __str__(self) -> str:
        # The alias only: the name is sealed and str() reaches logs.
        return f"site {self.pk}"


class SiteKeyholder(models.Model):
    """A supervisor the agency names as knowing a site's address, besides the
    site's own shelter staff."""

    site = models.ForeignKey(ShelterSite, on_delete=models.CASCADE, related_name="keyholders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "user"], name="keyholder_once")]

    def __str__(self) -> str:
        return f"keyholder {self.pk}"


class OpeningReason(models.TextChoices):
    """Why someone opened a site's address: a category, never free text, so
    the record of it can name no one."""

    TRANSPORT = "transport", _("Taking a resident there")
    EMERGENCY = "emergency", _("An emergency at the site")
    ARRIVAL = "arrival", _("Working at the site")
    MAINTENANCE = "maintenance", _("Repairs or deliveries")
    OTHER = "other", _("Another reason")


class AddressOpening(models.Model):
    """One time a site's address was opened: who, when, and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(ShelterSite, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=12, choices=OpeningReason.choices)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["site", "-at"], name="address_opening_latest")]

    def __str__(self) -> str:
        return f"address opening {self.pk}"


class Bed(models.Model):
    """A bed of a site, by room. Labels are the staff's ("Room 2", "B")."""

    site = models.ForeignKey(ShelterSite, on_delete=models.PROTECT, related_name="beds")
    room = models.CharField(_("room"), max_length=40)
    label = models.CharField(_("bed"), max_length=40)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "room", "label"], name="bed_once_in_room")
        ]
        ordering = ["room", "label"]

    def __str__(self) -> str:
        return f"bed {self.pk}"


class StayOutcome(models.TextChoices):
    """How a stay ended."""

    MOVED = "moved", _("Moved to another bed or site")
    LONGER_TERM = "longer_term", _("Moved to longer-term housing")
    FAMILY = "family", _("Returned to family")
    PARTNER = "partner", _("Placed with a partner")
    LEFT = "left", _("Left without notice")
    ASKED_TO_LEAVE = "asked_to_leave", _("Asked to leave")
    OTHER = "other", _("Something else")


class Stay(SealedToPerson):
    """A person served staying in one bed of one of the agency's sites, or
    placed at a partner through a referral (``site`` empty). The nights run
    from ``starts_on`` up to, not including, ``ends_on``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stays")
    site = models.ForeignKey(
        ShelterSite, null=True, blank=True, on_delete=models.PROTECT, related_name="stays"
    )
    bed = models.ForeignKey(
        Bed, null=True, blank=True, on_delete=models.PROTECT, related_name="stays"
    )
    # A placement at a partner: the referral that secured it.
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where a placement at a partner is, only when the person agreed to more
    # than "at partner".
    location = EncryptedTextField(_("where, as the person agreed to record it"))
    safety_notes = EncryptedTextField(_("safety notes for shelter staff"))
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=StayOutcome.choices, blank=True)
    # A trafficker learned where the person stays.
    compromised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["site", "starts_on", "ends_on"], name="stay_site_dates"),
            models.Index(fields=["case", "-starts_on"], name="stay_case_latest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="stay_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"stay {self.pk}"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)


def stays_on(day: date) -> Q:
    """A filter for the stays that hold a bed on the night of ``day``."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gt=day))


class StayRequest(SealedToPerson):
    """A place on the waiting list: a person who needs a bed, at a site or
    at any site of the agency."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ADMITTED = "admitted", _("Admitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Priority(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        NORMAL = "normal", _("Normal")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="stay_requests")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(
        ShelterSite, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    note = EncryptedTextField(_("what the person needs from a place"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    asked_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["agency", "status", "asked_on"], name="stay_request_open")]

    def __str__(self) -> str:
        return f"stay request {self.pk}"


class CheckIn(SealedToPerson):
    """Shelter staff seeing a resident: that they are there and how they are."""

    class Wellbeing(models.TextChoices):
        FINE = "fine", _("Fine")
        CONCERN = "concern", _("A concern")
        ABSENT = "absent", _("Not there")

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="check_ins")
    wellbeing = models.CharField(max_length=8, choices=Wellbeing.choices)
    note = EncryptedTextField(_("note"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["stay", "-at"], name="check_in_latest")]

    def __str__(self) -> str:
        return f"check-in {self.pk}"


class SiteClosure(models.Model):
    """A site closed to new admissions for one to seven days (the protocol's
    "a day to a week"), approved by the agency's lockdown administrators."""

    class Why(models.TextChoices):
        COMPROMISED = "compromised", _("The location may be known to a trafficker")
        THREAT = "threat", _("A threat to the site")
        OTHER = "other", _("Another reason")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(ShelterSite, on_delete=models.PROTECT, related_name="closures")
    why = models.CharField(max_length=12, choices=Why.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Reopening early is the risky direction, as ending a lockdown early is:
    # where the agency's policy asks for two lockdown administrators (taken
    # when the site closed), the first asks and a second one reopens.
    two_to_reopen = models.BooleanField(default=False)
    reopen_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopen_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["site", "ends_at"], name="site_closure_latest")]

    def __str__(self) -> str:
        return f"site closure {self.pk}"
