"""A referral's choices, kept across the detour to record a consent.

When the gate refuses a referral for want of consent, staff go to the
consent page and come back to the referral form (the way back is the form's
own path, which holds only ids). Their choices wait in the session, keyed
by case, need and service, so nothing of them goes into a URL.

The purpose, the kinds of information, the follow-up date and the
confirmation name no one and are kept as they are. The message may name the
person (it is a case note): it is sealed under the person's data key before
it goes into the session table, so the table holds no readable note and the
draft cannot be read once the person's record is destroyed. The draft goes
once the referral is sent, and with the session at sign-out.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.sessions.backends.base import SessionBase

from haven.core import crypto
from haven.people.models import Case

SESSION_KEY = "haven_referral_drafts"
# A few forms left half-way are remembered; older ones are forgotten.
KEPT = 5


@dataclass(frozen=True)
class DraftPlace:
    """Where a draft belongs: one case's need, sent to one partner's service."""

    case: Case
    need_id: uuid.UUID
    service_id: uuid.UUID

    @property
    def key(self) -> str:
        return f"{self.case.pk}:{self.need_id}:{self.service_id}"

    @property
    def aad(self) -> bytes:
        return f"referral-draft:{self.key}".encode()


def draft_keep(session: SessionBase, place: DraftPlace, data: dict[str, Any]) -> None:
    """Keep the form's cleaned data for when staff come back."""
    follow_up_on: date | None = data.get("follow_up_on")
    message = str(data.get("message") or "")
    draft = {
        "purpose": str(data.get("purpose") or ""),
        "kinds": [str(k) for k in data.get("kinds") or []],
        "follow_up_on": follow_up_on.isoformat() if follow_up_on else "",
        "outside_expertise_confirmed": bool(data.get("outside_expertise_confirmed")),
        "message": base64.b64encode(
            crypto.seal(place.case.person.data_key_bytes(), message.encode(), aad=place.aad)
        ).decode()
        if message
        else "",
    }
    drafts = {k: v for k, v in session.get(SESSION_KEY, {}).items() if k != place.key}
    drafts[place.key] = draft
    session[SESSION_KEY] = dict(list(drafts.items())[-KEPT:])


def draft_of(session: SessionBase, place: DraftPlace) -> dict[str, Any] | None:
    """The kept choices as the form's initial values, or None."""
    draft = session.get(SESSION_KEY, {}).get(place.key)
    if not isinstance(draft, dict):
        return None
    initial = {name: draft.get(name) for name in ("purpose", "kinds")}
    initial["outside_expertise_confirmed"] = bool(draft.get("outside_expertise_confirmed"))
    try:
        initial["follow_up_on"] = (
            date.fromisoformat(draft["follow_up_on"]) if draft.get("follow_up_on") else None
        )
        initial["message"] = (
            crypto.unseal(
                place.case.person.data_key_bytes(),
                base64.b64decode(draft["message"]),
                aad=place.aad,
            ).decode()
            if draft.get("message")
            else ""
        )
    except (ValueError, crypto.DecryptionError):
        # A draft that cannot be read back is dropped, not shown in part.
        draft_drop(session, place)
        return None
    return initial


def draft_drop(session: SessionBase, place: DraftPlace) -> None:
    drafts = session.get(SESSION_KEY, {})
    if place.key in drafts:
        session[SESSION_KEY] = {k: v for k, v in drafts.items() if k != place.key}
