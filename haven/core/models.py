"""Tenancy: the agency is a hard isolation boundary, teams live inside it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    """An organisation using Haven. Nothing crosses from one agency to another
    except a referral the person served has consented to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of staff inside one agency (e.g. a program or an office)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class AgencyKey(models.Model):
    """One version of an agency's key, sealed by the master key.

    ``wrapped`` seals two secrets: the key that wraps the agency's data keys
    (new at every rotation) and the root of its blind-index keys (carried
    over unchanged, so search keeps working without re-indexing).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="keys")
    version = models.PositiveIntegerField()
    wrapped = models.BinaryField()
    master_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "version"], name="agency_key_version_unique")
        ]

    def __str__(self) -> str:
        return f"agency key {self.agency_id} v{self.version}"


class DataKey(models.Model):
    """A random key for one person's (or one record's) identifying data,
    sealed by its agency's key. Deleting the row shreds everything sealed
    under it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    agency_key_version = models.PositiveIntegerField()
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"data key {self.pk}"
