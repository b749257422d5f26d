"""Audit events for what allauth, Django and axes do on their own.

These are the only signal receivers in Haven: the code paths belong to those
libraries, so a signal is the one place to hear about them. The events carry
ids only; a failed sign-in for an unknown name records no name at all.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authentication_failed, authenticator_reset, authenticator_used
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from haven.accounts.lockout import typed_username
from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record


def _known_user(username: object) -> User | None:
    if not isinstance(username, str) or not username:
        return None
    return User.objects.select_related("agency").filter(username__iexact=username.strip()).first()


@receiver(user_logged_in)
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(action=Action.SIGN_IN, actor=user, object_type="user", object_id=user.pk)


@receiver(user_logged_out)
def _signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        audit_record(action=Action.SIGN_OUT, actor=user, object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def _sign_in_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    user = _known_user(credentials.get("username") or credentials.get("login"))
    # An unknown name goes to the installation chain without the name itself:
    # it may be a mistyped password, or a person's name typed in the wrong box.
    if user is None:
        audit_record(action=Action.SIGN_IN_FAILED, object_type="user")
    else:
        audit_record(
            action=Action.SIGN_IN_FAILED, agency=user.agency, object_type="user", object_id=user.pk
        )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None, **kwargs: Any) -> None:
    # Axes only knows a digest of the name (see lockout.py); read what was typed.
    user = _known_user(typed_username(request, None))
    if user is None:
        audit_record(action=Action.LOCKED_OUT, object_type="user")
    else:
        audit_record(
            action=Action.LOCKED_OUT, agency=user.agency, object_type="user", object_id=user.pk
        )


@receiver(password_changed)
def _password_changed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, object_type="user", object_id=user.pk)


@receiver(authentication_failed)
def _second_factor_failed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(
        action=Action.MFA_FAILED, agency=user.agency, object_type="user", object_id=user.pk
    )


def _authenticator_event(action: Action) -> Any:
    def record(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
        audit_record(
            action=action,
            actor=user,
            object_type="authenticator",
            object_id=authenticator.pk,
            detail={"type": authenticator.type},
        )

    return record


# Adding and removing a second factor are audited from the model itself, so
# the event is written in the same transaction as the change (allauth's own
# "added" signal only fires after the commit).
@receiver(post_save, sender=Authenticator)
def _authenticator_saved(
    sender: Any, instance: Authenticator, created: bool, **kwargs: Any
) -> None:
    if created:
        audit_record(
            action=Action.MFA_ADDED,
            actor=instance.user,
            object_type="authenticator",
            object_id=instance.pk,
            detail={"type": instance.type},
        )


@receiver(post_delete, sender=Authenticator)
def _authenticator_deleted(sender: Any, instance: Authenticator, **kwargs: Any) -> None:
    audit_record(
        action=Action.MFA_REMOVED,
        actor=instance.user,
        object_type="authenticator",
        object_id=instance.pk,
        detail={"type": instance.type},
    )


_on_reset = _authenticator_event(Action.MFA_RECOVERY_CODES_RESET)
authenticator_reset.connect(_on_reset, dispatch_uid="haven_mfa_reset")


@receiver(authenticator_used)
def _second_factor_again(
    sender: Any, request: Any, user: User, reauthenticated: bool = False, **kwargs: Any
) -> None:
    """A second factor proved again on the re-authentication page (a code or
    a security key): audited like a step-up typed into a form, and the
    session gets a new key, so a cookie copied before the proof does not
    carry it."""
    if reauthenticated and request is not None:
        request.session.cycle_key()
        audit_record(action=Action.STEP_UP, actor=user, object_type="user", object_id=user.pk)
