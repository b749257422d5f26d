"""The protocol on every case: its steps, and what each step records.

Rows that hold the person's words or facts about them are sealed under the
person's own data key (``people.models.SealedToPerson``), so destroying the person's key
destroys these too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import Agency
from haven.people.models import Case, SealedToPerson


class Step(models.TextChoices):
    """The steps of the protocol, in the order a case meets them."""

    SAFETY = "safety", _("Safety")
    INTERPRETATION = "interpretation", _("Interpretation")
    NEEDS = "needs", _("Needs")
    RIGHTS = "rights", _("Rights and options")
    CONSENT = "consent", _("Consent")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality")
    COLLABORATION = "collaboration", _("Working with partners")
    DOCUMENTATION = "documentation", _("Documentation")
    STAFF_SAFETY = "staff_safety", _("Staff safety")
    MINORS = "minors", _("Minors")


class StepState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    PENDING = "pending", _("Coming in a later version")


class CaseStep(SealedToPerson):
    """Where one step of the protocol stands on one case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    # A protocol step's code, or "own-" and the code of one of the agency's
    # own steps (agency_steps.OWN): no protocol code starts so, so the two
    # never meet under case_step_once.
    step = models.CharField(max_length=40)
    state = models.CharField(max_length=16, choices=StepState.choices)
    # Why the step does not apply, in staff's words (sealed: it may name things).
    reason = EncryptedTextField(_("why it does not apply"))
    due_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # An agency's own step: the version the case follows, the day it began to
    # apply (its due date counts from there) and the checklist items ticked.
    agency_step_version = models.ForeignKey(
        "protocol.AgencyStepVersion", null=True, blank=True, on_delete=models.PROTECT
    )
    began_on = models.DateField(null=True, blank=True)
    ticked = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="case_step_once")]
        indexes = [models.Index(fields=["state", "due_on"], name="step_due")]

    def __str__(self) -> str:
        return f"{self.step} on case {self.case_id}"


# --- Safety ---------------------------------------------------------------------------


class Danger(models.TextChoices):
    YES = "yes", _("Yes, in danger now")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class PoliceOutcome(models.TextChoices):
    """What happened when 911 was called."""

    HELPED = "helped", _("Police came and helped")
    DID_NOT_COME = "did_not_come", _("Police did not come")
    NOT_BELIEVED = "not_believed", _("Police did not believe the person")
    WOULD_NOT_TELL = "would_not_tell", _("The person would not give information")
    OTHER = "other", _("Something else")


class DangerCheck(SealedToPerson):
    """An answer to "are you in danger right now?", at first contact or later,
    with the 911 call when one was made."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="danger_checks")
    answer = models.CharField(max_length=10, choices=Danger.choices)
    called_911 = models.BooleanField(default=False)
    outcome = models.CharField(max_length=16, choices=PoliceOutcome.choices, blank=True)
    note = EncryptedTextField(_("what happened"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "-at"], name="danger_check_latest")]

    def __str__(self) -> str:
        return f"danger check {self.pk}"

    @property
    def police_failed(self) -> bool:
        """911 was called and did not help: the backup plan is needed now."""
        return self.called_911 and self.outcome not in ("", PoliceOutcome.HELPED)


class SafetyPlan(SealedToPerson):
    """One version of a person's safety plan. A change is a new version;
    earlier ones are kept."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_plans")
    version = models.PositiveIntegerField()
    safe_contacts = EncryptedTextField(_("People to call who are safe"))
    safe_places = EncryptedTextField(_("Safe places to go"))
    code_word = EncryptedTextField(_("Code word"))
    emergency_bag = EncryptedTextField(_("Emergency bag"))
    transport = EncryptedTextField(_("How to leave quickly"))
    technology = EncryptedTextField(_("Phone and online safety"))
    backup_plan = EncryptedTextField(_("If 911 does not help"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="safety_plan_version_once")
        ]

    def __str__(self) -> str:
        return f"safety plan {self.case_id} v{self.version}"


SAFETY_PLAN_FIELDS = (
    "safe_contacts",
    "safe_places",
    "code_word",
    "emergency_bag",
    "transport",
    "technology",
    "backup_plan",
)


# --- Law enforcement ---------------------------------------------------------------------


class LawPart(models.TextChoices):
    """The two parts of the justice system the person's choice is about
    (docs/adr/0026-shelter-and-agency-steps.md): each is open or refused on
    its own."""

    INVESTIGATION = "investigation", _("Police or investigators")
    PROSECUTION = "prosecution", _("Prosecutors or their victim-witness program")


class LawEnforcementChoice(SealedToPerson):
    """The person's choice about involving law enforcement: whether they
    agree to talk to police or investigators (``investigation``: police,
    sheriff, federal agents) and to take part in a prosecution
    (``prosecution``: a district attorney's or US attorney's office and its
    victim-witness program). A refusal refuses both; a change of mind opens
    only the part the person named. Each change is a new row: the latest is
    the one in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="law_choices")
    investigation = models.BooleanField(_("agrees to talk to police or investigators"))
    prosecution = models.BooleanField(_("agrees to take part in a prosecution"))
    note = EncryptedTextField(_("in their words"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["case", "-at"], name="law_choice_latest")]

    def __str__(self) -> str:
        return f"law enforcement choice {self.pk}"

    @property
    def agrees(self) -> bool:
        """Both parts are open: what a "yes" meant before prosecution was a
        part of its own (the API still answers it)."""
        return self.investigation and self.prosecution

    @property
    def refused(self) -> frozenset[str]:
        """The parts this choice refuses."""
        parts = {LawPart.INVESTIGATION: self.investigation, LawPart.PROSECUTION: self.prosecution}
        return frozenset(str(part) for part, open_ in parts.items() if not open_)


class ContactBasis(models.TextChoices):
    """Why information went to law enforcement: the gate records it."""

    CONSENT = "consent", _("The person agreed")
    MANDATED_MINOR = "mandated_minor", _("Mandated report for a minor")
    EMERGENCY_911 = "emergency_911", _("911 call in imminent danger")


class LawEnforcementContact(SealedToPerson):
    """A contact with investigators or with prosecutors, as the disclosure
    gate allowed it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="law_contacts")
    part = models.CharField(
        _("investigators or prosecutors"),
        max_length=13,
        choices=LawPart.choices,
        default=LawPart.INVESTIGATION,
    )
    agency_name = EncryptedTextField(_("Law enforcement agency"))
    officer = EncryptedTextField(_("Officer"))
    purpose = EncryptedTextField(_("Purpose"))
    basis = models.CharField(_("basis"), max_length=16, choices=ContactBasis.choices)
    accompanied = models.BooleanField(_("an advocate was with the person"), default=False)
    outcome = EncryptedTextField(_("Outcome"))
    contacted_on = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"law enforcement contact {self.pk}"


class ContinuedPresence(SealedToPerson):
    """A request for Continued Presence, made through law enforcement."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")
        EXPIRED = "expired", _("Expired")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="continued_presence")
    requested_on = models.DateField()
    requesting_agency = EncryptedTextField(_("Requesting agency"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"continued presence {self.pk}"


# --- Minors -----------------------------------------------------------------------------


class County(models.Model):
    """A Wisconsin county (shipped data: name and FIPS code)."""

    fips = models.CharField(max_length=5, primary_key=True)
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "counties"

    def __str__(self) -> str:
        return self.name


class ReportingContact(models.Model):
    """Where an agency makes mandated reports for a county: kept by the
    agency, with where the number came from and when it was last checked."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("County child welfare agency")
        SHERIFF = "sheriff", _("Sheriff")
        POLICE = "police", _("Police department")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COUNTY)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source = models.CharField(_("where this came from"), max_length=300, blank=True)
    verified_on = models.DateField(_("last checked on"), null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class MandatedReport(SealedToPerson):
    """The task a minor's case opens: report to the county's child welfare
    agency or to law enforcement, and tell the young person first."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Reported")

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online form")
        WRITTEN = "written", _("In writing")

    class Outcome(models.TextChoices):
        SCREENED_IN = "screened_in", _("Screened in")
        SCREENED_OUT = "screened_out", _("Screened out")
        NOT_YET_KNOWN = "unknown", _("Not known yet")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="mandated_report")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    county = models.ForeignKey(County, null=True, blank=True, on_delete=models.PROTECT)
    reported_to_kind = models.CharField(
        max_length=10, choices=ReportingContact.Kind.choices, blank=True
    )
    reported_to = EncryptedTextField(_("Reported to"))
    method = models.CharField(max_length=10, choices=Method.choices, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reference = EncryptedTextField(_("Reference number"))
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    other_resources = EncryptedTextField(_("Other help arranged"))
    minor_told_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["status", "opened_at"], name="report_open_age")]

    def __str__(self) -> str:
        return f"mandated report {self.pk}"


# --- Needs -----------------------------------------------------------------------------


class NeedCategory(models.Model):
    """A kind of need. The shipped ones have no agency; an agency adds its own."""

    class Term(models.TextChoices):
        IMMEDIATE = "immediate", _("Immediate")
        LONG_TERM = "long_term", _("Long term")

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE)
    code = models.SlugField(max_length=40)
    label = models.CharField(_("label"), max_length=80)
    term = models.CharField(max_length=10, choices=Term.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="need_category_once"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(agency=None), name="shipped_need_once"
            ),
        ]
        ordering = ["term", "label"]

    def __str__(self) -> str:
        return self.code


class NeedStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    REFERRED = "referred", _("Referred")
    IN_PROGRESS = "in_progress", _("In progress")
    MET = "met", _("Met")
    DECLINED = "declined", _("Declined")


class NeedAssessment(SealedToPerson):
    """One sitting where the person said what they need, ranked by them."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    note = EncryptedTextField(_("notes"))
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"needs assessment {self.pk}"


class Need(SealedToPerson):
    """One need of the person on a case: its rank in their own order, and
    where it stands. Status changes are kept in NeedChange."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    category = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=NeedStatus.choices)
    assessment = models.ForeignKey(NeedAssessment, on_delete=models.CASCADE, related_name="needs")
    note = EncryptedTextField(_("notes"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "category"], name="need_once_per_case")
        ]
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"need {self.pk}"


class NeedChange(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="changes")
    status = models.CharField(max_length=12, choices=NeedStatus.choices)
    rank = models.PositiveSmallIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"need change {self.pk}"


# --- Rights education ------------------------------------------------------------------


class Material(models.Model):
    """A plain-language handout an agency added (the shipped library lives
    in files under haven/protocol/materials/)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    topic = models.SlugField(max_length=40)
    language = models.CharField(max_length=3)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=20000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "topic", "language", "version"], name="material_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.topic}/{self.language} v{self.version}"


class RightsExplained(SealedToPerson):
    """What was explained to the person: which material, which version, in
    which language, through which interpreter, and what they asked."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="rights_explained")
    topic = models.SlugField(max_length=40)
    language = models.CharField(max_length=3)
    version = models.PositiveIntegerField()
    agency_material = models.BooleanField(default=False)
    interpreter = EncryptedTextField(_("Interpreter"))
    questions = EncryptedTextField(_("Their questions"))
    explained_on = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"rights explained {self.pk}"


# --- Identification --------------------------------------------------------------------


class Screening(SealedToPerson):
    """Our own plain-language screening of indicators (adult or youth): the
    answers by question code, the score and the level it reached."""

    class Kind(models.TextChoices):
        ADULT = "adult", _("Adult")
        YOUTH = "youth", _("Youth")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    version = models.PositiveIntegerField()
    # Sealed as JSON: the answers say a great deal about what happened.
    answers = EncryptedTextField(_("answers"))
    score = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=12)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"screening {self.pk}"


class InstrumentResult(SealedToPerson):
    """The result of a licensed instrument (TVIT, CSE-IT...): its name, date,
    who administered it and the level, never its questions or answers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="instrument_results")
    instrument = models.CharField(_("instrument"), max_length=60)
    administered_on = models.DateField(_("date"))
    administrator = EncryptedTextField(_("administered by"))
    level = models.CharField(_("level or result"), max_length=60)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"instrument result {self.pk}"


# --- The agency's own steps -----------------------------------------------------------
# The agency's procedure, not facts about a person: stored in the clear
# (docs/adr/0026-shelter-and-agency-steps.md).


class AppliesWhen(models.TextChoices):
    """Which cases an agency's step applies to: a closed vocabulary."""

    EVERY = "every", _("Every case")
    MINORS = "minors", _("Minors")
    ADULTS = "adults", _("Adults")
    TRAFFICKING_TYPE = "trafficking_type", _("A type of trafficking")
    COUNTY = "county", _("A county")
    TEAM = "team", _("A team")


class AgencyStep(models.Model):
    """One of the agency's own steps. What it says is in its versions."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    code = models.SlugField(max_length=32)
    position = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="agency_step_code_once")
        ]
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"agency step {self.code}"


class AgencyStepVersion(models.Model):
    """One version of an agency's step, never changed once made: an edit is
    a new version, and cases keep the one they started with."""

    step = models.ForeignKey(AgencyStep, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.CharField(_("what to do"), max_length=200)
    # accounts.Role values among advocate, supervisor, shelter.
    roles = models.JSONField(default=list)
    applies = models.CharField(max_length=20, choices=AppliesWhen.choices)
    # The trafficking type's code, the county's FIPS code or the team's id.
    applies_value = models.CharField(max_length=20, blank=True)
    due_days = models.PositiveSmallIntegerField(null=True, blank=True)
    checklist = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "number"], name="agency_step_version_once")
        ]

    def __str__(self) -> str:
        return f"agency step {self.step_id} v{self.number}"
