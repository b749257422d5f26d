"""Staff accounts, their roles, and the links that bring them in."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The roles of the product brief. A staff member may hold several."""

    ADVOCATE = "advocate", _("Advocate")
    SUPERVISOR = "supervisor", _("Supervisor")
    INTAKE = "intake", _("Intake / front desk")
    SHELTER = "shelter", _("Shelter staff")
    ADMIN = "admin", _("Agency administrator")
    AUDITOR = "auditor", _("Auditor")


# Roles that work within a team; the others apply to the whole agency.
TEAM_ROLES = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.SHELTER})


class User(AbstractUser):
    """A staff member of exactly one agency.

    Someone who works for two agencies on one installation has two accounts,
    so a session can never carry data from one agency into the other.
    """

    agency = models.ForeignKey("core.Agency", on_delete=models.PROTECT, related_name="staff")
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """One role held by a staff member, within a team for team roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "team"], name="membership_unique_role_in_team"
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(team__isnull=True),
                name="membership_unique_agency_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}"


class Invitation(models.Model):
    """A single-use link that lets an invited staff member set a password.

    Only a SHA-256 digest of the link's secret is stored.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > moment


class SetupToken(models.Model):
    """The one-time link that creates the first agency and its administrator."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"setup token {self.pk}"


class ApiToken(models.Model):
    """A bearer token for the JSON API, issued by an operator for one staff member.

    Only a SHA-256 digest of the token is stored; ``prefix`` is its first
    characters, enough to tell tokens apart in a list and useless to a thief.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API token {self.prefix}…"

    def is_usable(self, now: datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment


class TwoPersonRule(models.Model):
    """Whether the agency's irreversible actions wait for a second supervisor.

    ``required`` None follows the default: on once the agency has more than
    one active supervisor, since with one there is nobody to ask.
    """

    agency = models.OneToOneField(
        "core.Agency", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    required = models.BooleanField(null=True, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("two-person rule")
        verbose_name_plural = _("two-person rules")

    def __str__(self) -> str:
        return f"two-person rule of agency {self.agency_id}"


class Approval(models.Model):
    """One supervisor's request that another approve an irreversible action.

    It names the action and its object by id only (a case's id for a
    destruction), so the row says nothing of the person. It waits at most
    ``APPROVAL_LIFETIME``; a request nobody answered in time is expired,
    and must be asked again.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for a second supervisor")
        APPROVED = "approved", _("Approved and carried out")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey("core.Agency", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.WAITING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["agency", "state", "expires_at"])]

    def __str__(self) -> str:
        return f"approval {self.pk}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.state == self.State.WAITING and (now or timezone.now()) >= self.expires_at


class ApiTokenClient(models.Model):
    """Failed API token attempts from one client address, in the current window.

    An IPv6 client is counted by its /64 network, which one machine usually
    holds whole. A row lives as long as its window or its block, and is
    cleared by the next failure after that (``haven.accounts.token_failures``).
    """

    address = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API client with failed tokens")
        verbose_name_plural = _("API clients with failed tokens")

    def __str__(self) -> str:
        return f"API client {self.pk}"
