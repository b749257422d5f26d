"""Writes for staff accounts. Each records its audit event in its transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.api_tokens import api_tokens_revoke_all
from haven.accounts.models import TEAM_ROLES, Invitation, Membership, Role, SetupToken, User
from haven.accounts.tokens import new_token, token_digest
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.models import Agency, Team


@dataclass(frozen=True)
class RoleGrant:
    """A role to hold, with its team for team roles."""

    role: Role
    team: Team | None = None


class LinkInvalid(Exception):
    """A setup or invitation link that is unknown, used, revoked or expired.

    One exception for all four, so a visitor learns nothing from the answer.
    """


# --- The first administrator --------------------------------------------------


def administrator_exists() -> bool:
    return Membership.objects.filter(role=Role.ADMIN, user__is_active=True).exists()


def setup_link_pending(*, now: datetime | None = None) -> SetupToken | None:
    """The unexpired, unused setup token, if one was issued."""
    moment = now or timezone.now()
    return SetupToken.objects.filter(used_at__isnull=True, expires_at__gt=moment).first()


def setup_link_issue() -> str:
    """Issue a setup token (replacing any earlier one) and return its secret."""
    token = new_token()
    now = timezone.now()
    with transaction.atomic():
        SetupToken.objects.filter(used_at__isnull=True).update(expires_at=now)
        setup = SetupToken.objects.create(
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + settings.HAVEN_SETUP_LINK_LIFETIME,
        )
        audit_record(action=Action.SETUP_LINK_ISSUED, object_type="setup", object_id=setup.pk)
    return token


def setup_token_get(token: str) -> SetupToken:
    """The usable setup token for ``token``, or LinkInvalid."""
    setup = SetupToken.objects.filter(token_hash=token_digest(token)).first()
    if setup is None or setup.used_at is not None or setup.expires_at <= timezone.now():
        raise LinkInvalid
    if administrator_exists():
        raise LinkInvalid
    return setup


def setup_complete(
    *, token: str, agency_name: str, username: str, email: str, display_name: str, password: str
) -> User:
    """Create the first agency and its administrator, spending the setup token."""
    with transaction.atomic():
        setup = setup_token_get(token)
        # Re-read under the write lock so that two submissions cannot both win.
        if (
            SetupToken.objects.filter(pk=setup.pk, used_at__isnull=True).update(
                used_at=timezone.now()
            )
            != 1
        ):
            raise LinkInvalid
        agency = agency_create(name=agency_name)
        user = User(agency=agency, username=username, email=email, display_name=display_name)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        Membership.objects.create(user=user, role=Role.ADMIN)
        audit_record(
            action=Action.SETUP_COMPLETED, actor=user, object_type="user", object_id=user.pk
        )
    return user


def agency_create(*, name: str) -> Agency:
    with transaction.atomic():
        agency = Agency.objects.create(name=name)
        audit_record(
            action=Action.AGENCY_CREATED, agency=agency, object_type="agency", object_id=agency.pk
        )
    return agency


def team_create(*, actor: User | None, agency: Agency, name: str) -> Team:
    with transaction.atomic():
        team = Team.objects.create(agency=agency, name=name)
        audit_record(
            action=Action.TEAM_CREATED,
            actor=actor,
            agency=agency,
            object_type="team",
            object_id=team.pk,
        )
    return team


# --- Invitations ----------------------------------------------------------------


def _check_grants(agency: Agency, grants: Iterable[RoleGrant]) -> list[RoleGrant]:
    """Validate role grants against the agency; raise ValidationError if wrong."""
    checked = []
    for grant in grants:
        if grant.role in TEAM_ROLES and grant.team is None:
            raise ValidationError(
                _("Choose a team for the role %(role)s."), params={"role": grant.role.label}
            )
        if grant.role not in TEAM_ROLES and grant.team is not None:
            grant = RoleGrant(role=grant.role)
        if grant.team is not None and grant.team.agency_id != agency.pk:
            raise ValidationError(_("That team does not exist."))
        if grant not in checked:
            checked.append(grant)
    if not checked:
        raise ValidationError(_("Give the staff member at least one role."))
    return checked


def _issue_invitation(*, user: User, actor: User | None) -> str:
    now = timezone.now()
    user.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = new_token()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=token_digest(token),
        invited_by=actor,
        created_at=now,
        expires_at=now + settings.HAVEN_INVITATION_LIFETIME,
    )
    audit_record(
        action=Action.INVITATION_SENT,
        actor=actor,
        agency=user.agency,
        object_type="invitation",
        object_id=invitation.pk,
        detail={"user": user.pk},
    )
    return token


def invitation_create(
    *,
    actor: User | None,
    agency: Agency,
    username: str,
    email: str,
    display_name: str,
    grants: Iterable[RoleGrant],
) -> tuple[User, str]:
    """Create an inactive account with its roles, and a link to activate it."""
    checked = _check_grants(agency, grants)
    with transaction.atomic():
        user = User(
            agency=agency,
            username=username,
            email=email,
            display_name=display_name,
            is_active=False,
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        Membership.objects.bulk_create(
            Membership(user=user, role=g.role, team=g.team) for g in checked
        )
        token = _issue_invitation(user=user, actor=actor)
    return user, token


def invitation_renew(*, actor: User, user: User) -> str:
    """A fresh link for someone who has not accepted yet; older links stop working."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active or user.has_usable_password():
            raise ValidationError(_("This staff member has already accepted an invitation."))
        return _issue_invitation(user=user, actor=actor)


def invitation_get(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("user", "user__agency")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if invitation is None or not invitation.is_usable():
        raise LinkInvalid
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Spend the invitation: set the password and activate the account."""
    with transaction.atomic():
        invitation = invitation_get(token)
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        # Only an account that was never activated can be claimed by a link:
        # a link issued while the invitee was accepting another must not
        # replace a password already chosen.
        if user.is_active or user.has_usable_password():
            raise LinkInvalid
        validate_password(password, user)
        now = timezone.now()
        spent = Invitation.objects.filter(
            pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if spent != 1:
            raise LinkInvalid
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        audit_record(
            action=Action.INVITATION_ACCEPTED,
            actor=user,
            object_type="invitation",
            object_id=invitation.pk,
        )
    return user


# --- Roles and deactivation -------------------------------------------------------


def staff_set_roles(*, actor: User, member: User, grants: Iterable[RoleGrant]) -> None:
    """Replace a staff member's roles with ``grants``."""
    checked = _check_grants(member.agency, grants)
    with transaction.atomic():
        before = sorted(
            member.memberships.values_list("role", "team_id"),
            key=lambda pair: (pair[0], pair[1] or 0),
        )
        gained = {(g.role.value, g.team.pk if g.team else None) for g in checked} - set(before)
        if actor.pk == member.pk and gained and not _is_last_admin(member):
            # An administrator's stolen session must not make itself a
            # supervisor of every team; only the agency's sole administrator,
            # with nobody else to ask, grants their own roles.
            raise ValidationError(
                _("You cannot give yourself a role. Ask another administrator of the agency.")
            )
        losing_admin = not any(g.role == Role.ADMIN for g in checked)
        if losing_admin and _is_last_admin(member):
            raise ValidationError(_("An agency needs at least one active administrator."))
        member.memberships.all().delete()
        Membership.objects.bulk_create(
            Membership(user=member, role=g.role, team=g.team) for g in checked
        )
        after = sorted(
            ((g.role.value, g.team.pk if g.team else None) for g in checked),
            key=lambda pair: (pair[0], pair[1] or 0),
        )
        audit_record(
            action=Action.ROLES_CHANGED,
            actor=actor,
            object_type="user",
            object_id=member.pk,
            detail={"before": [list(p) for p in before], "after": [list(p) for p in after]},
        )


def _is_last_admin(member: User) -> bool:
    # Locked, so two administrators removing each other at once cannot both win.
    admins = (
        Membership.objects.select_for_update()
        .filter(role=Role.ADMIN, user__agency_id=member.agency_id, user__is_active=True)
        .values_list("user_id", flat=True)
    )
    return set(admins) == {member.pk}


def staff_deactivate(*, actor: User, member: User) -> None:
    """Close an account: no more sign-in, every session and API token ended.

    Nothing is deleted.
    """
    if member.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        if _is_last_admin(member):
            raise ValidationError(_("An agency needs at least one active administrator."))
        member.is_active = False
        member.save(update_fields=["is_active"])
        member.invitations.filter(used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        ended = sessions_end(user=member)
        # A token does not ride on a session, so ending sessions misses it.
        tokens_revoked = api_tokens_revoke_all(user=member)
        audit_record(
            action=Action.STAFF_DEACTIVATED,
            actor=actor,
            object_type="user",
            object_id=member.pk,
            detail={"sessions_ended": ended, "api_tokens_revoked": tokens_revoked},
        )


def staff_reactivate(*, actor: User, member: User) -> None:
    if not member.has_usable_password():
        raise ValidationError(_("This account was never activated; send a new invitation."))
    with transaction.atomic():
        member.is_active = True
        member.save(update_fields=["is_active"])
        audit_record(
            action=Action.STAFF_REACTIVATED, actor=actor, object_type="user", object_id=member.pk
        )


def staff_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("That language is not available."))
    if user.language == language:
        return
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        audit_record(
            action=Action.LANGUAGE_CHANGED,
            actor=user,
            object_type="user",
            object_id=user.pk,
            detail={"language": language},
        )


# --- Sessions ----------------------------------------------------------------------


def sessions_end(*, user: User) -> int:
    """End every session of ``user``; return how many."""
    return user_sessions_end(UserSession.objects.filter(user=user))


def user_sessions_end(sessions: QuerySet[UserSession]) -> int:
    """End the given sessions, in the session store and in the list of where
    staff are signed in; return how many."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in sessions:
        store_class().delete(session.session_key)
        session.delete()
        ended += 1
    return ended


def sessions_end_everywhere(*, user: User) -> int:
    """The "sign out everywhere" button: every session, the current one included."""
    with transaction.atomic():
        ended = sessions_end(user=user)
        audit_record(
            action=Action.SESSIONS_ENDED,
            actor=user,
            object_type="user",
            object_id=user.pk,
            detail={"sessions_ended": ended},
        )
    return ended
