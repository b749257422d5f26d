"""Staff training: the topics an agency trains on, how often each must be
refreshed, who completed which training when, and the in-service events
where partners present to the staff.

A training record is about a staff member, never about a person served: it
holds no identifying data of anyone the agency serves, so nothing here is
sealed. Free text stays short (a provider's name, an event's title).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from haven.attachments.models import Attachment
from haven.core import limits
from haven.core.models import Agency
from haven.partners.models import Organization

# Their labels are translated here rather than stored, so each reader sees
# them in their own language.
SHIPPED: dict[str, Promise] = {
    "dynamics": _("Dynamics of human trafficking"),
    "laws": _("Trafficking laws"),
    "protections": _("Protections and services for survivors"),
    "interpreters": _("Working with interpreters"),
    "mandated_reporting": _("Mandated reporting"),
    "staff_safety": _("Staff safety"),
    "trauma_informed": _("Trauma-informed practice"),
}


class Topic(models.Model):
    """What a training is about: one of Haven's shipped topics (no agency)
    or one an agency added for itself."""

    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The shipped topic's code; blank for an agency's own topic.
    code = models.CharField(max_length=40, blank=True)
    name = models.CharField(_("topic"), max_length=limits.LINE)
    position = models.PositiveSmallIntegerField(default=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(agency__isnull=True),
                name="training_topic_shipped_code_once",
            ),
            models.CheckConstraint(
                condition=models.Q(agency__isnull=True) | models.Q(code=""),
                name="training_topic_own_has_no_code",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The name to show: a shipped topic's in the reader's language."""
        if self.agency_id is None and self.code in SHIPPED:
            return str(SHIPPED[self.code])
        return self.name

    @property
    def shipped(self) -> bool:
        return self.agency_id is None


class Refresher(models.Model):
    """How often an agency wants a topic taken again. No row, or no months:
    once is enough."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+")
    months = models.PositiveSmallIntegerField(_("refresher every (months)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "topic"], name="training_refresher_once"),
        ]

    def __str__(self) -> str:
        return f"refresher {self.pk}"


class Event(models.Model):
    """An in-service training held for the staff, often presented by
    partners. Recording it records the training of each staff member who
    attended."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(pgettext_lazy("document", "title"), max_length=limits.LINE)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(pgettext_lazy("duration", "hours"), max_digits=4, decimal_places=2)
    partners = models.ManyToManyField(Organization, blank=True, related_name="+")
    presenters = models.CharField(_("presenters"), max_length=limits.SUMMARY, blank=True)
    # Partners' staff who attended: counted for funders, never named.
    outside_professionals = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["agency", "-held_on"], name="training_event_latest")]

    def __str__(self) -> str:
        return f"training event {self.pk}"


class Record(models.Model):
    """One staff member's completion of a training on one topic."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records"
    )
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField(_("date completed"))
    hours = models.DecimalField(pgettext_lazy("duration", "hours"), max_digits=4, decimal_places=2)
    provider = models.CharField(_("provider"), max_length=limits.LINE, blank=True)
    # A partner of the directory who gave the training; a directory entry
    # removed later leaves the record without it.
    partner = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    certificate = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["agency", "staff", "topic", "-completed_on"], name="training_latest"
            ),
            models.Index(fields=["agency", "completed_on"], name="training_period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=40),
                name="training_record_hours_in_range",
            ),
            # An event records each attendee once.
            models.UniqueConstraint(
                fields=["event", "staff"],
                condition=models.Q(event__isnull=False),
                name="training_record_once_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"training record {self.pk}"
