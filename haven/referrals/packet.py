"""What a referral carries: only the kinds of information the person
consented to, as text to read, and how the receiving agency reads it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from haven.consent.models import InfoKind
from haven.core import keys
from haven.core.models import Agency
from haven.people.details import LABELS
from haven.people.display import shown_value
from haven.people.field_settings import field_rules
from haven.people.models import Case
from haven.protocol.models import Need, NeedStatus
from haven.protocol.needs import category_label
from haven.protocol.safety import PLAN_SECTIONS
from haven.protocol.selectors import latest_safety_plan
from haven.referrals.models import Referral, ReferralPacket

# The person record's fields each kind of information covers.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    InfoKind.IDENTITY: (
        "preferred_name",
        "legal_name",
        "aliases",
        "date_of_birth",
        "estimated_age",
        "gender",
        "gender_group",
    ),
    InfoKind.CONTACT: (
        "phone",
        "call_safety",
        "text_safety",
        "voicemail_safety",
        "mail_safety",
        "contact_notes",
        "address_confidentiality",
    ),
    InfoKind.LANGUAGE: (
        "language",
        "dialect",
        "other_languages",
        "reads",
        "writes",
        "english_ability",
        "interpreter_needed",
    ),
    InfoKind.IMMIGRATION: ("immigration_status",),
}


def packet_content(case: Case, need: Need, kinds: list[str], message: str) -> dict[str, Any]:
    """The consented information, as the sending agency records it today.
    A field the agency does not record is left out, as on its own pages."""
    rules = field_rules(case.agency_id)
    person = case.person
    fields: list[list[str]] = []
    for kind in kinds:
        for name in KIND_FIELDS.get(kind, ()):
            value = "" if rules.is_hidden(name) else shown_value(person, name)
            if value:
                fields.append([name, value])
    content: dict[str, Any] = {"need": category_label(need.category), "fields": fields}
    if InfoKind.NEEDS in kinds:
        content["needs"] = [
            category_label(n.category)
            for n in Need.objects.filter(case=case)
            .exclude(status__in=[NeedStatus.MET, NeedStatus.DECLINED])
            .select_related("category")
            .order_by("rank")
        ]
    if InfoKind.SAFETY_PLAN in kinds:
        plan = latest_safety_plan(case)
        if plan is not None:
            content["safety_plan"] = [
                [name, getattr(plan, name)] for name, _label in PLAN_SECTIONS if getattr(plan, name)
            ]
    if InfoKind.NOTES in kinds and message:
        content["message"] = message
    return content


def packet_seal(referral: Referral, agency: Agency, content: dict[str, Any]) -> ReferralPacket:
    """Seal the content under a new data key of the receiving agency."""
    data_key, _plain = keys.data_key_create(agency)
    packet = ReferralPacket(referral=referral, agency=agency, data_key=data_key)
    packet.content = json.dumps(content, ensure_ascii=False)
    packet.save()
    return packet


def packet_destroy(referral: Referral) -> None:
    """A declined or withdrawn referral: the receiving agency keeps nothing.
    The packet's key goes with it, so no copy of the rows can be opened."""
    # receivers.packet_key_destroy deletes the key with the packet.
    ReferralPacket.objects.filter(referral=referral).delete()


@dataclass(frozen=True)
class PacketLine:
    label: str
    value: str


@dataclass(frozen=True)
class PacketView:
    need: str
    person: list[PacketLine]
    needs: list[str]
    safety_plan: list[PacketLine]
    message: str


_PLAN_LABELS = dict(PLAN_SECTIONS)


def packet_read(packet: ReferralPacket) -> PacketView:
    """The packet as the receiving agency's page shows it, labels in the reader's language."""
    content = json.loads(packet.content or "{}")
    return PacketView(
        need=str(content.get("need", "")),
        person=[
            PacketLine(str(LABELS.get(name, name)), str(value))
            for name, value in content.get("fields", [])
        ],
        needs=[str(n) for n in content.get("needs", [])],
        safety_plan=[
            PacketLine(str(_PLAN_LABELS.get(name, name)), str(value))
            for name, value in content.get("safety_plan", [])
        ],
        message=str(content.get("message", "")),
    )


def label_value(label: object, value: object) -> str:
    """One line of the text: a label that asks a question ("Is it safe to
    call?") is followed by its answer, without a colon after the mark."""
    label = str(label).rstrip()
    if label.endswith(("?", "\uff1f")):
        return f"{label} {value}"
    return f"{label}: {value}"


@dataclass(frozen=True)
class Referrer:
    """Whom the partner answers: the staff member who sent the referral, as
    their account records them (Haven keeps no work phone for staff, so their
    email and their agency are the way back)."""

    name: str
    email: str
    agency: str


def referrer_of(referral: Referral) -> Referrer:
    staff = referral.sent_by
    return Referrer(name=str(staff), email=staff.email, agency=referral.case.agency.name)


def packet_text(content: dict[str, Any], referrer: Referrer | None = None) -> str:
    """The referral as plain text, for a partner outside Haven."""
    lines = [_("Referral: %(need)s") % {"need": content.get("need", "")}, ""]
    for name, value in content.get("fields", []):
        lines.append(label_value(LABELS.get(name, name), value))
    if content.get("needs"):
        lines += ["", label_value(_("Needs"), "; ".join(content["needs"]))]
    for name, value in content.get("safety_plan", []):
        lines.append(label_value(_PLAN_LABELS.get(name, name), value))
    if content.get("message"):
        lines += ["", content["message"]]
    if referrer is not None:
        lines += ["", label_value(_("Referred by"), referrer.name)]
        if referrer.email:
            lines.append(label_value(_("Email"), referrer.email))
        lines.append(label_value(_("Agency"), referrer.agency))
    return "\n".join(lines)
