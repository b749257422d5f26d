"""De-identified facts that reports count (docs/adr/0017-de-identified-reports.md).

One row per case episode, need, referral, choice about law enforcement and
shelter stay, written as the work is recorded (``haven.reports.facts``). A
row holds categories and dates only: never a name, a date of birth, a place
(a shelter site is an id, shown by its public alias) or free text. It points
at its case and person by their random ids, without a foreign key, so
destroying a person leaves the counts whole; the ids are
then replaced by fresh random ones, so nothing links the rows back to the
audit trail of the person who was destroyed.

Rows are read only as counts, through ``haven.reports.figures``, and every
count is published through the small-number rule.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.models import Agency, Team
from haven.protocol.models import NeedCategory, NeedStatus
from haven.referrals.models import ReferralStatus
from haven.reports.suppression import DEFAULT_THRESHOLD
from haven.shelter.models import StayOutcome

#: The highest threshold an agency may set: beyond it, nothing small agencies
#: report would survive.
MAX_THRESHOLD = 50


class AgeGroup(models.TextChoices):
    """Age at the opening of the episode, as funders count it."""

    ADULT = "adult", _("Adult")
    MINOR = "minor", _("Minor")
    UNKNOWN = "unknown", _("Age not recorded")


class Fact(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    person_ref = models.UUIDField()
    case_ref = models.UUIDField()

    class Meta:
        abstract = True


class Episode(Fact):
    """A case episode: who was served, by which team, from when to when."""

    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    age_group = models.CharField(max_length=7, choices=AgeGroup.choices)
    gender_group = models.CharField(max_length=10, blank=True)
    trafficking_type = models.CharField(max_length=10)
    language = models.CharField(max_length=3)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case_ref"], name="episode_once")]
        indexes = [
            models.Index(fields=["agency", "opened_on"], name="episode_opened"),
            # A report walks each person's episodes in this order and reads
            # everything it counts (and whether they had an earlier one) from
            # the index alone, never from the table: docs/benchmarks.md.
            models.Index(
                fields=[
                    "person_ref",
                    "agency",
                    "opened_on",
                    "closed_on",
                    "age_group",
                    "gender_group",
                    "trafficking_type",
                    "language",
                    "team",
                ],
                name="episode_person",
            ),
        ]

    def __str__(self) -> str:
        return f"episode {self.pk}"


class NeedFact(Fact):
    need_ref = models.UUIDField()
    category = models.ForeignKey(NeedCategory, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=NeedStatus.choices)
    identified_on = models.DateField()
    met_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need_ref"], name="need_fact_once")]
        indexes = [
            # With the category, a report counts a period's needs from the index alone.
            models.Index(
                fields=["agency", "identified_on", "category"], name="need_fact_identified"
            ),
            models.Index(fields=["agency", "met_on", "category"], name="need_fact_met"),
            models.Index(fields=["person_ref"], name="need_fact_person"),
        ]

    def __str__(self) -> str:
        return f"need fact {self.pk}"


class ReferralFact(Fact):
    referral_ref = models.UUIDField()
    # The need it answers, when there is one: that is its kind in a report.
    category = models.ForeignKey(
        NeedCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ReferralStatus.choices)
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral_ref"], name="referral_fact_once")]
        indexes = [
            # With kind and status, a report counts a period's referrals from the index.
            models.Index(
                fields=["agency", "sent_on", "category", "status"], name="referral_fact_sent"
            ),
            models.Index(fields=["person_ref"], name="referral_fact_person"),
        ]

    def __str__(self) -> str:
        return f"referral fact {self.pk}"


class LawChoiceFact(Fact):
    choice_ref = models.UUIDField()
    agrees = models.BooleanField()
    chosen_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["choice_ref"], name="law_fact_once")]
        indexes = [
            models.Index(fields=["agency", "chosen_on"], name="law_fact_chosen"),
            # A person's latest choice by a date (a report reads one per person
            # served), found and read from the index alone.
            models.Index(
                fields=["person_ref", "agency", "chosen_on", "id", "agrees"],
                name="law_fact_person",
            ),
        ]

    def __str__(self) -> str:
        return f"law enforcement choice fact {self.pk}"


class StayFact(Fact):
    """A stay at one of the agency's sites (by the site, whose alias is
    public) or at a partner (``site`` empty): its dates and how it ended.
    ``team`` is the case's team, as for every fact."""

    stay_ref = models.UUIDField()
    site = models.ForeignKey(
        "shelter.ShelterSite", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=StayOutcome.choices, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stay_ref"], name="stay_fact_once")]
        indexes = [
            models.Index(fields=["agency", "starts_on"], name="stay_fact_starts"),
            models.Index(fields=["person_ref"], name="stay_fact_person"),
        ]

    def __str__(self) -> str:
        return f"stay fact {self.pk}"


class ReportSettings(models.Model):
    """The agency's small-number threshold."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveSmallIntegerField(
        _("smallest count shown"),
        default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_THRESHOLD)],
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("report settings")
        verbose_name_plural = _("report settings")

    def __str__(self) -> str:
        return f"report settings of agency {self.agency_id}"
