"""Bearer tokens for the JSON API: issued, checked and revoked only here.

A token is shown once, when created; the database keeps its SHA-256 digest
and a short prefix to tell tokens apart. Each records its audit event in its
transaction, like the other account services.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts.models import ApiToken, User
from haven.accounts.token_failures import token_client_check, token_failure_record
from haven.accounts.tokens import new_token, token_digest
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.core.errors import NotFound

# Recognisable in a leaked log or a commit, so it can be found and revoked.
# A public marker, not a secret.
TOKEN_PREFIX = "hv_"  # noqa: S105
PREFIX_LENGTH = 8
API_TOKEN_MIN_LIFETIME = timedelta(minutes=1)
API_TOKEN_MAX_LIFETIME = timedelta(days=30)
# Recording every use would cost a write per request; a coarse trace is
# enough to tell a token in use from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Real tokens are 46 characters; anything far longer is not worth hashing.
_MAX_TOKEN_LENGTH = 128


def api_token_create(*, user: User, lifetime: timedelta, actor: User | None = None) -> str:
    """Issue a token for ``user`` valid for ``lifetime``; return it, the only time it is seen.

    ``actor`` is the staff member who made it in the pages (themself); an
    operator at the command line is nobody Haven knows, so None.
    """
    if not API_TOKEN_MIN_LIFETIME <= lifetime <= API_TOKEN_MAX_LIFETIME:
        raise ValidationError(
            _("A token lasts between one minute and %(days)d days."),
            params={"days": API_TOKEN_MAX_LIFETIME.days},
        )
    if not user.is_active:
        raise ValidationError(_("This account is not active."))
    raw = TOKEN_PREFIX + new_token()
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            prefix=raw[:PREFIX_LENGTH],
            token_hash=token_digest(raw),
            created_at=now,
            expires_at=now + lifetime,
        )
        audit_record(
            action=Action.API_TOKEN_CREATED,
            actor=actor,
            agency=user.agency,
            object_type="api_token",
            object_id=token.pk,
            detail={"user": user.pk, "lifetime_seconds": int(lifetime.total_seconds())},
        )
    return raw


def api_token_revoke(*, actor: User | None, token_id: int) -> None:
    """Revoke one token (DoesNotExist if there is none).

    Revoking a revoked token changes nothing and records nothing.
    """
    with transaction.atomic():
        token = ApiToken.objects.select_related("user__agency").get(pk=token_id)
        # Conditional, so that two revocations racing record one event.
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not revoked:
            return
        audit_record(
            action=Action.API_TOKEN_REVOKED,
            actor=actor,
            agency=token.user.agency,
            object_type="api_token",
            object_id=token.pk,
            detail={"user": token.user_id},
        )


def api_tokens_of(user: User) -> list[ApiToken]:
    """The staff member's own tokens, newest first (the last fifty)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at")[:50])


def api_token_revoke_own(*, user: User, token_id: int) -> None:
    """A staff member revokes one of their own tokens; anyone else's is not found."""
    if not ApiToken.objects.filter(pk=token_id, user=user).exists():
        raise NotFound
    api_token_revoke(actor=user, token_id=token_id)


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user``; return how many. The caller audits."""
    return user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_authenticate(raw: str, *, address: str) -> User | None:
    """The active staff member a presented token belongs to, or None.

    Unknown, expired, revoked and deactivated all answer None alike, so the
    caller cannot tell a client which it was; each is audited and counted
    against the client's ``address``. While the address is blocked for too
    many failures, TokenClientBlocked is raised before the token is looked at.
    """
    token_client_check(address)
    token, refusal = _token_of(raw)
    if token is None or refusal:
        token_failure_record(address=address, reason=refusal, token=token)
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _token_of(raw: str) -> tuple[ApiToken | None, str]:
    """The token presented, and why it is refused ("" when it is not)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > _MAX_TOKEN_LENGTH:
        return None, "malformed"
    token = (
        ApiToken.objects.select_related("user", "user__agency")
        .filter(token_hash=token_digest(raw))
        .first()
    )
    if token is None:
        return None, "unknown"
    if token.revoked_at is not None:
        return token, "revoked"
    if not token.is_usable(timezone.now()):
        return token, "expired"
    if not token.user.is_active:
        return token, "inactive"
    return token, ""
