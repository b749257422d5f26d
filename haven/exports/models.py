"""Each export of a case record: for whom, what, and the root hash of the
bundle that left, so a copy can later be checked against it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.consent.models import Disclosure
from haven.people.models import Case


class Audience(models.TextChoices):
    PERSON = "person", _("The person themself")
    THIRD_PARTY = "third_party", _("Someone else, with the person's consent")


class RecordExport(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exports")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    kinds = models.JSONField(default=list)
    # A third party's copy left through the disclosure gate. RESTRICT: kept
    # while the ledger row is, and destroyed with the person.
    disclosure = models.OneToOneField(
        Disclosure, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    root = models.CharField(max_length=64)
    communications = models.PositiveIntegerField()
    files = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"record export {self.pk}"
