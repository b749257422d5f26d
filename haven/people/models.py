"""The person served. Every identifying value is sealed under their own key."""

from __future__ import annotations

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import keys
from haven.core.fields import EncryptedTextField
from haven.core.languages import language_name
from haven.core.models import Agency, DataKey


class TraffickingType(models.TextChoices):
    LABOR = "labor", _("Labor")
    SEX = "sex", _("Sex")
    BOTH = "both", _("Labor and sex")
    UNKNOWN = "unknown", _("Unknown")


class Person(models.Model):
    """Someone the agency serves. The ids are random, so they can appear in
    URLs and audit events without saying anything about the person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    data_key = models.OneToOneField(DataKey, on_delete=models.PROTECT, related_name="+")
    legal_name = EncryptedTextField(_("legal name"))
    preferred_name = EncryptedTextField(_("preferred name"))
    self_term = EncryptedTextField(_("the words they use for themself"))
    date_of_birth = EncryptedTextField(_("date of birth"))
    phone = EncryptedTextField(_("phone"))
    # Not identifying on its own, and needed in the clear to work out who is a minor.
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    estimated_on = models.DateField(null=True, blank=True)
    # A language is not identifying on its own, and reports count them.
    language = models.CharField(_("language"), max_length=3, default="und")
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    trafficking_type = models.CharField(
        _("type of trafficking"),
        max_length=10,
        choices=TraffickingType.choices,
        default=TraffickingType.UNKNOWN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        # Never the name: str() ends up in logs and error reports.
        return f"person {self.pk}"

    @cached_property
    def _data_key(self) -> bytes:
        return keys.data_key_open(self.data_key)

    def data_key_bytes(self) -> bytes:
        return self._data_key

    @property
    def language_name(self) -> str:
        return language_name(self.language)


class Alias(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = EncryptedTextField(_("alias"))

    def __str__(self) -> str:
        return f"alias {self.pk}"

    @property
    def data_key_id(self) -> object:
        return self.person.data_key_id

    def data_key_bytes(self) -> bytes:
        return self.person.data_key_bytes()


class SearchEntry(models.Model):
    """One blind-index digest pointing at a person: exact-match search
    without storing, or being able to recover, what was searched for."""

    class Kind(models.TextChoices):
        NAME = "name"
        DATE_OF_BIRTH = "dob"
        PHONE = "phone"

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="search_entries")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["agency", "kind", "digest"], name="search_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="search_entry_once")
        ]

    def __str__(self) -> str:
        return f"search entry {self.pk}"


class CloseReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    MOVED = "moved", _("Moved away")
    NO_CONTACT = "no_contact", _("Lost contact")
    DECLINED = "declined", _("Chose to stop services")
    REFERRED = "referred", _("Served elsewhere")
    OTHER = "other", _("Other")


class Danger(models.TextChoices):
    """The answer to the first question of every first contact."""

    YES = "yes", _("Yes, in danger now")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class Case(models.Model):
    """An episode of service for one person, worked by one team."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cases")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="cases")
    # Shelter staff of this team see the case while the person stays there.
    shelter_team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="residents"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    danger_at_intake = models.CharField(
        _("in immediate danger at first contact"),
        max_length=10,
        choices=Danger.choices,
        blank=True,
    )
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only the staff named on the case can open it."),
    )
    assigned = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_cases"
    )
    named_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="named_cases"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["agency", "team", "status"], name="case_team_status"),
            # Matches the case list's order exactly, so LIMIT stops the scan early.
            models.Index(fields=["agency", "-opened_on", "-created_at"], name="case_newest"),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"


class BreakGlass(models.Model):
    """Emergency access to a case outside one's scope: a stated reason, a
    short window, an audit event, and a line on the supervisors' dashboard."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), max_length=1000)
    at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"break-glass {self.pk}"
