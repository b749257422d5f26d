"""Failed API token attempts: audited, and counted against the client's address.

A wrong password is counted against the user name it was typed for (axes,
docs/adr/0003-authentication.md); a wrong token names no account, so its
failures are counted against the address it came from, in a table every
gunicorn worker sees (not the cache, which culls its oldest entries when
full and would let a flood of addresses push out allauth's spent codes).
``HAVEN_API_TOKEN_FAILURES`` failures within ``HAVEN_API_TOKEN_LOCKOUT``
block the address's token requests for as long: they are refused before
the token is even looked at, a right one included.

Each failure is audited until the block, then the block once: a flood
writes at most the limit and one more event per address and window. The
events hold the address, why the token was refused and, when it was a real
token, its public prefix and id; never the token.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from haven.accounts.models import ApiToken, ApiTokenClient
from haven.audit.models import Action
from haven.audit.services import audit_record


class TokenClientBlocked(Exception):
    """The address sent too many wrong tokens: its token requests are
    refused for ``retry_after`` seconds more."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_key(address: str) -> str:
    """What failures are counted against: an IPv4 address as it is, an IPv6
    one by its /64 network (a machine is given a whole /64 and may use any
    address in it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def token_client_check(address: str) -> None:
    """Raise TokenClientBlocked while the address is blocked."""
    now = timezone.now()
    until = (
        ApiTokenClient.objects.filter(address=client_key(address), blocked_until__gt=now)
        .values_list("blocked_until", flat=True)
        .first()
    )
    if until is not None:
        raise TokenClientBlocked(max(1, math.ceil((until - now).total_seconds())))


def token_failure_record(*, address: str, reason: str, token: ApiToken | None = None) -> None:
    """Audit one refused token and count it against its address, blocking
    the address when the count reaches the limit (audited once)."""
    key = client_key(address)
    now = timezone.now()
    window = settings.HAVEN_API_TOKEN_LOCKOUT
    with transaction.atomic():
        # A window or a block that is over is forgotten: the next failure
        # starts a new count.
        _forget_the_past(now)
        # Locked, so that two workers counting the same address's last
        # failure at once block it, and audit the block, once.
        row, _created = ApiTokenClient.objects.select_for_update().get_or_create(
            address=key, defaults={"window_started_at": now}
        )
        row.failures += 1
        _audit_failure(address=address, reason=reason, token=token)
        if row.failures >= settings.HAVEN_API_TOKEN_FAILURES and row.blocked_until is None:
            row.blocked_until = now + window
            audit_record(
                action=Action.API_CLIENT_BLOCKED,
                object_type="api_client",
                detail={
                    "client": key,
                    "failures": row.failures,
                    "minutes": int(window.total_seconds() // 60),
                },
            )
        row.save(update_fields=["failures", "blocked_until"])


def _forget_the_past(now: datetime) -> None:
    """Drop the rows of windows and blocks that are over, so the table holds
    only the addresses that failed lately."""
    window = settings.HAVEN_API_TOKEN_LOCKOUT
    ApiTokenClient.objects.filter(
        Q(blocked_until__isnull=True, window_started_at__lte=now - window)
        | Q(blocked_until__lte=now)
    ).delete()


def _audit_failure(*, address: str, reason: str, token: ApiToken | None) -> None:
    detail: dict[str, str] = {"reason": reason, "client": address}
    if token is None:
        # No account is named: the installation's chain, as for a wrong
        # password typed for an unknown name.
        audit_record(action=Action.API_TOKEN_REFUSED, object_type="api_token", detail=detail)
        return
    audit_record(
        action=Action.API_TOKEN_REFUSED,
        agency=token.user.agency,
        object_type="api_token",
        object_id=token.pk,
        detail={**detail, "prefix": token.prefix},
    )
