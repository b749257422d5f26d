"""The person served. Every identifying value is sealed under their own key."""

from __future__ import annotations

import uuid
from datetime import date
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import keys
from haven.core.fields import EncryptedTextField
from haven.core.languages import language_name
from haven.core.models import Agency, DataKey


class SealedToPerson(models.Model):
    """A row whose sealed fields open with the key of the person it is about."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def data_key_bytes(self) -> bytes:
        cached: bytes | None = self.__dict__.get("_data_key_plain")
        if cached is None:
            cached = keys.data_key_open(self.data_key)
            self.__dict__["_data_key_plain"] = cached
        return cached


class TraffickingType(models.TextChoices):
    LABOR = "labor", _("Labor")
    SEX = "sex", _("Sex")
    BOTH = "both", _("Labor and sex")
    UNKNOWN = "unknown", _("Unknown")


class EnglishAbility(models.TextChoices):
    """How well the person speaks English, as the US Census asks it."""

    VERY_WELL = "very_well", _("Very well")
    WELL = "well", _("Well")
    NOT_WELL = "not_well", _("Not well")
    NOT_AT_ALL = "not_at_all", _("Not at all")


class GenderGroup(models.TextChoices):
    """The broad group funders count. The person's own words go in ``gender``."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    ANOTHER = "another", _("Another gender")
    DECLINED = "declined", _("Prefers not to say")


class ContactSafety(models.TextChoices):
    SAFE = "safe", _("Safe")
    UNSAFE = "unsafe", _("Not safe")


class ImmigrationStatus(models.TextChoices):
    """Kept sealed and shown only to advocates and supervisors."""

    CITIZEN = "citizen", _("US citizen")
    PERMANENT_RESIDENT = "permanent_resident", _("Lawful permanent resident")
    T_VISA = "t_visa", _("T visa (applied or granted)")
    U_VISA = "u_visa", _("U visa (applied or granted)")
    CONTINUED_PRESENCE = "continued_presence", _("Continued Presence")
    ASYLUM = "asylum", _("Asylum or refugee")
    OTHER_VISA = "other_visa", _("Another visa or permit")
    NO_STATUS = "no_status", _("No current status")
    UNKNOWN = "unknown", _("Unknown or not discussed")


#: The ways to reach someone, each recorded as safe or not.
CONTACT_METHODS = ("call", "text", "voicemail", "mail")

#: A person is a minor before this birthday.
AGE_OF_MAJORITY = 18


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
    gender = EncryptedTextField(_("gender, in their words"))
    gender_group = models.CharField(
        _("gender group for reports"), max_length=10, choices=GenderGroup.choices, blank=True
    )
    contact_notes = EncryptedTextField(_("notes on reaching them safely"))
    # Sealed like a name: in the wrong hands it is a lever over the person.
    immigration_status = EncryptedTextField(_("immigration status"))
    # Not identifying on its own, and needed in the clear to work out who is a minor.
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    estimated_on = models.DateField(null=True, blank=True)
    # A language is not identifying on its own, and reports count them.
    language = models.CharField(_("language"), max_length=3, default="und")
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    dialect = EncryptedTextField(_("dialect"))
    other_languages = models.JSONField(_("other languages spoken"), default=list, blank=True)
    reads = models.JSONField(_("languages they read"), default=list, blank=True)
    writes = models.JSONField(_("languages they write"), default=list, blank=True)
    english_ability = models.CharField(
        _("how well they speak English"),
        max_length=12,
        choices=EnglishAbility.choices,
        blank=True,
    )
    # Each way of reaching the person: safe, not safe, or blank when not asked.
    call_safety = models.CharField(
        _("phone calls"), max_length=8, choices=ContactSafety.choices, blank=True
    )
    text_safety = models.CharField(
        _("text messages"), max_length=8, choices=ContactSafety.choices, blank=True
    )
    voicemail_safety = models.CharField(
        _("voicemail"), max_length=8, choices=ContactSafety.choices, blank=True
    )
    mail_safety = models.CharField(
        _("mail"), max_length=8, choices=ContactSafety.choices, blank=True
    )
    address_confidentiality = models.BooleanField(
        _("enrolled in an address confidentiality program"), null=True, blank=True
    )
    trafficking_type = models.CharField(
        _("type of trafficking"),
        max_length=10,
        choices=TraffickingType.choices,
        default=TraffickingType.UNKNOWN,
    )
    # Counts changes, so an edit made from a stale page is caught, not applied.
    version = models.PositiveIntegerField(default=1)
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

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day``: from the date of birth when known,
        otherwise from the estimate, aged by the time since it was made."""
        if self.date_of_birth:
            born = date.fromisoformat(self.date_of_birth)
            if day < born:
                return None
            return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        if self.estimated_age is not None and self.estimated_on is not None:
            years = day.year - self.estimated_on.year
            if (day.month, day.day) < (self.estimated_on.month, self.estimated_on.day):
                years -= 1
            age = self.estimated_age + years
            return age if age >= 0 else None  # before the estimated birth, as with a date
        return None

    def is_minor_on(self, day: date) -> bool | None:
        """True or False when an age is known on ``day``, None when not."""
        age = self.age_on(day)
        return None if age is None else age < AGE_OF_MAJORITY


class Alias(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = EncryptedTextField(_("alias"))
    # The order staff gave them in (ids are random, so they cannot keep it).
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"alias {self.pk}"

    @property
    def data_key_id(self) -> object:
        return self.person.data_key_id

    def data_key_bytes(self) -> bytes:
        return self.person.data_key_bytes()


class SearchEntry(models.Model):
    """One blind-index digest pointing at a person: search without storing,
    or being able to recover, what was searched for. A year of birth's and a
    phone's last four digits' digests are cut short (haven.people.search)."""

    class Kind(models.TextChoices):
        NAME = "name"
        DATE_OF_BIRTH = "dob"
        PHONE = "phone"
        # The transformations of the one search box (docs/adr/0022-search-indexes.md).
        WORD = "word"
        SOUND = "sound"
        BIRTH_YEAR = "year"
        PHONE_END = "last4"

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
    # Set while the case waits in its team's queue for an advocate to take it.
    queued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["agency", "team", "status"], name="case_team_status"),
            # Matches the case list's order exactly, so LIMIT stops the scan early.
            models.Index(fields=["agency", "-opened_on", "-created_at"], name="case_newest"),
            models.Index(fields=["agency", "status", "-opened_on"], name="case_status_newest"),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}"


class CaseOpened(models.Model):
    """The first time a member of staff opened a case since it came to them
    (assigned to them, or sent to their team's queue): until then the case
    is new to them. Assigning someone again makes it new again."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="case_opened_once")]

    def __str__(self) -> str:
        return f"case {self.case_id} opened by user {self.user_id}"


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


class FieldSetting(models.Model):
    """An agency's choice for one field of the person record: recorded when
    given, required, or not recorded at all, and the label its staff see."""

    class Mode(models.TextChoices):
        OPTIONAL = "optional", _("Optional")
        REQUIRED = "required", _("Required")
        HIDDEN = "hidden", _("Not recorded")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=40)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.OPTIONAL)
    label = models.CharField(_("label"), max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "field"], name="field_setting_once")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.mode}"
