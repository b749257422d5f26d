"""Staff safety: threats against the agency and its staff, the people behind
them, who comes to the front desk, each staff member's own precautions, and
the emergency lockdown (docs/adr/0016-staff-safety.md).

Every free-text value is sealed, each record under a data key of its own, so
a record can be shredded alone. Names and plates of persons of concern are
also blind-indexed, so the front desk's screening finds them without anyone
at the desk reading them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.attachments.models import Attachment
from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.people.models import Case, SealedToPerson


class Channel(models.TextChoices):
    """How a threat reached the agency or its staff."""

    VOICEMAIL = "voicemail", _("Voicemail")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")
    TEXT = "text", _("Text message")
    SOCIAL = "social", _("Social media")
    LETTER = "letter", _("Note or letter")
    IN_PERSON = "in_person", _("In person")
    VEHICLE = "vehicle", _("Vehicle or surveillance")


class PersonOfConcern(SealedToPerson):
    """Someone who threatens, or may threaten, the agency, its staff or the
    people it serves. Not a person served: their record never opens a case."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name = EncryptedTextField(_("name"))
    # One per line, as staff typed them.
    aliases = EncryptedTextField(_("other names and spellings"))
    description = EncryptedTextField(_("description"))
    vehicles = EncryptedTextField(_("vehicles"))
    # One per line; each is blind-indexed for screening.
    plates = EncryptedTextField(_("licence plates"))
    associates = EncryptedTextField(_("known associates"))
    cases = models.ManyToManyField(Case, blank=True, related_name="persons_of_concern")
    photos = models.ManyToManyField(Attachment, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person of concern")
        verbose_name_plural = _("persons of concern")
        indexes = [models.Index(fields=["agency", "-created_at"], name="concern_latest")]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and error reports.
        return f"person of concern {self.pk}"


class ConcernIndex(models.Model):
    """One blind-index digest of a person of concern's name or plate."""

    class Kind(models.TextChoices):
        # A whole name in one of its normal forms (haven.safety.names.name_keys).
        NAME = "name"
        # The sound key of one word of a name; ``slot`` tells the names apart.
        SOUND = "sound"
        # The set of a name's sound keys, in any order.
        SOUNDS = "sounds"
        PLATE = "plate"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    concern = models.ForeignKey(PersonOfConcern, on_delete=models.CASCADE, related_name="index")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Which name of the person (0 the name, then each alias) and which reading
    # of it (haven.safety.screening._slot): a close match needs two words of
    # one reading of the same name.
    slot = models.PositiveSmallIntegerField(default=0)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["agency", "kind", "digest"], name="concern_lookup")]

    def __str__(self) -> str:
        return f"concern index {self.pk}"


class Threat(SealedToPerson):
    """One incident against the agency or named staff."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField(_("when it happened"))
    channel = models.CharField(_("how it came"), max_length=12, choices=Channel.choices)
    against_agency = models.BooleanField(_("against the agency as a whole"), default=False)
    targeted_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="threats_against"
    )
    what_happened = EncryptedTextField(_("what happened"))
    reported_to_police = models.BooleanField(_("reported to law enforcement"), default=False)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    report_number = EncryptedTextField(_("report number"))
    concerns = models.ManyToManyField(PersonOfConcern, blank=True, related_name="threats")
    cases = models.ManyToManyField(Case, blank=True, related_name="threats")
    evidence = models.ManyToManyField(Attachment, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["agency", "-occurred_at"], name="threat_latest")]

    def __str__(self) -> str:
        return f"threat {self.pk}"


class ReportNumberChange(SealedToPerson):
    """One change of a threat's police report number, kept so that an earlier
    number is never lost: who, when, and the number before and after, sealed
    under the threat's own data key (``data_key`` is the threat's)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    threat = models.ForeignKey(
        Threat, on_delete=models.CASCADE, related_name="report_number_changes"
    )
    # None: there was no number before (the first), or it was removed.
    previous = EncryptedTextField(_("report number before"))
    number = EncryptedTextField(_("report number"))
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["threat", "changed_at"], name="report_number_history")]

    def __str__(self) -> str:
        return f"report number change {self.pk}"


class Visit(SealedToPerson):
    """Someone at the front desk: checked in, screened, checked out."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    name_given = EncryptedTextField(_("name as given"))
    asking_for = EncryptedTextField(_("whom they ask for"))
    purpose = EncryptedTextField(_("purpose of the visit"))
    plate = EncryptedTextField(_("vehicle plate"))
    id_seen = models.BooleanField(_("identity document seen"), default=False)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_in_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # Whether screening raised an alert: the desk sees this, never why.
    flagged = models.BooleanField(default=False)
    # Where the visitor came (haven.safety.places): "" for the office, else
    # the id of one of the agency's other places, with its label as it was
    # then. The label is public by design (a shelter's alias), so it is kept
    # in the clear; a place's sealed name or address never comes here.
    place = models.CharField(max_length=64, blank=True, default="")
    place_label = models.CharField(max_length=60, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["agency", "-checked_in_at"], name="visit_latest"),
            # The check-ins of one staff member in the last hour, counted at each check-in.
            models.Index(fields=["screened_by", "-checked_in_at"], name="visit_by_desk"),
        ]

    def __str__(self) -> str:
        return f"visit {self.pk}"


class VisitorAlert(models.Model):
    """A visitor whose name or plate matched a person of concern, shown at
    once to the staff the agency designated."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="alert")
    concerns = models.ManyToManyField(PersonOfConcern, related_name="alerts")
    # True when a name or plate matched exactly; False for a close spelling.
    exact = models.BooleanField(default=False)
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["agency", "acknowledged_at", "-raised_at"], name="alert_open")
        ]

    def __str__(self) -> str:
        return f"visitor alert {self.pk}"


class CheckInAlert(models.Model):
    """A staff member who reached the hourly limit of check-ins
    (haven.safety.checkins): perhaps a busy desk, perhaps someone checking
    names in to learn who is on the list. Shown at once to the staff who
    receive visitor alerts for the whole agency, beside the visitor alerts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    desk_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["agency", "acknowledged_at", "-raised_at"], name="check_in_alert_open"
            ),
            # Whether this staff member reached the limit within the hour already.
            models.Index(fields=["desk_user", "-raised_at"], name="check_in_alert_by_desk"),
        ]

    def __str__(self) -> str:
        return f"check-in alert {self.pk}"


class Designation(models.Model):
    """A staff member the agency relies on for one safety duty."""

    class Duty(models.TextChoices):
        ALERTS = "alerts", _("Receives visitor alerts")
        LOCKDOWN = "lockdown", _("Lockdown administrator")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designations"
    )
    duty = models.CharField(max_length=10, choices=Duty.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "duty"], name="designation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.duty} designation {self.pk}"


class SafetyPolicy(models.Model):
    """The agency's choices for its emergency procedures."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    two_to_end_lockdown = models.BooleanField(
        _("ending a lockdown early takes two lockdown administrators"), default=False
    )

    def __str__(self) -> str:
        return f"safety policy {self.agency_id}"


class ChecklistAnswer(models.TextChoices):
    DONE = "done", _("Done")
    NOT_YET = "not_yet", _("Not yet")
    NOT_NEEDED = "not_needed", _("Not needed")


class SafetyChecklist(SealedToPerson):
    """One staff member's own precautions, seen only by them and the
    agency's administrators."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="safety_checklist"
    )
    unlisted_phone = models.CharField(
        _("an unlisted home phone number"),
        max_length=12,
        choices=ChecklistAnswer.choices,
        blank=True,
    )
    address_confidentiality = models.CharField(
        _("enrolled in the address confidentiality program"),
        max_length=12,
        choices=ChecklistAnswer.choices,
        blank=True,
    )
    varied_routes = models.CharField(
        _("varying the routes and times to and from work"),
        max_length=12,
        choices=ChecklistAnswer.choices,
        blank=True,
    )
    alternative_stay = models.CharField(
        _("another place to stay if home is not safe"),
        max_length=12,
        choices=ChecklistAnswer.choices,
        blank=True,
    )
    alternative_stay_notes = EncryptedTextField(_("where, and how to get there"))
    emergency_contacts = EncryptedTextField(_("emergency contacts"))
    notes = EncryptedTextField(_("other precautions"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"safety checklist {self.pk}"


class Lockdown(SealedToPerson):
    """An emergency shutdown of one agency: while it lasts only its lockdown
    administrators can sign in. It ends at ``ends_at`` by itself, or early
    when a lockdown administrator (or two, by policy) ends it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"))
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # None: until a lockdown administrator ends it.
    ends_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # With the two-administrator policy: the first of the two.
    end_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_requested_at = models.DateTimeField(null=True, blank=True)
    # The agency's policy when it started: changing the policy during the
    # lockdown must not let one administrator end it alone.
    two_to_end = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["agency", "ended_at"], name="lockdown_running")]
        constraints = [
            # At most one lockdown not yet closed per agency.
            models.UniqueConstraint(
                fields=["agency"],
                condition=models.Q(ended_at__isnull=True),
                name="lockdown_one_running",
            )
        ]

    def __str__(self) -> str:
        return f"lockdown {self.pk}"
