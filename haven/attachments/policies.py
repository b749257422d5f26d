"""Who may add and open attachments.

A person's documents (a passport scan, a court order, a signed consent) are
as revealing as their immigration status, so the same people handle them:
the advocates and supervisors who work cases, never intake or shelter staff.
The agency's own documents (an interpreter's confidentiality agreement) are
kept by its administrators and supervisors and read by those who choose
interpreters.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser

from haven.accounts.models import Role, User
from haven.accounts.policies import roles_of
from haven.attachments.models import Attachment
from haven.people.policies import may_see_restricted_fields


def may_handle_attachments(user: User | AnonymousUser) -> bool:
    return may_see_restricted_fields(user)


# Who keeps and who reads each kind of agency document.
_AGENCY_KEEPERS = {
    "agreement": frozenset({Role.ADMIN, Role.SUPERVISOR}),
    # Whoever may record a threat may attach its evidence; whoever keeps the
    # persons of concern may add their photos (haven.safety.policies).
    "evidence": frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.INTAKE, Role.SHELTER, Role.ADMIN}),
    "photo": frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.ADMIN}),
    # Training certificates and the agency's policies are kept by its administrators.
    "certificate": frozenset({Role.ADMIN}),
    "policy": frozenset({Role.ADMIN}),
    "partner_agreement": frozenset({Role.ADMIN}),
}
_AGENCY_READERS = {
    "agreement": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.ADVOCATE}),
    "certificate": frozenset({Role.ADMIN, Role.SUPERVISOR}),
    # Every staff member acknowledges the policies, so every one may read them.
    "policy": frozenset(Role),
    "partner_agreement": frozenset({Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR}),
}


def may_keep_agency_document(user: User | AnonymousUser, use: str) -> bool:
    return bool(roles_of(user) & _AGENCY_KEEPERS.get(use, frozenset()))


def may_read_agency_document(user: User | AnonymousUser, use: str) -> bool:
    return bool(roles_of(user) & _AGENCY_READERS.get(use, frozenset()))


# Agency documents whose readers are decided record by record (a threat's
# evidence, a photo of a person of concern) are ruled on by the app that
# keeps the record, which registers its rule in its AppConfig.ready(). A use
# with no rule registered opens to no one.
RecordRule = Callable[[User, Attachment], bool]
_RECORD_RULES: dict[str, RecordRule] = {}


def readers_decided_by(use: str, rule: RecordRule) -> None:
    _RECORD_RULES[use] = rule


def uses_ruled_by_record() -> list[str]:
    return sorted(_RECORD_RULES)


def may_open_by_record(user: User, attachment: Attachment) -> bool:
    rule = _RECORD_RULES.get(attachment.use)
    return rule is not None and rule(user, attachment)
