"""Haven's own fields in HSDS.

HSDS has no place for a partner's kind, its level of government, the
agreement on file or the need categories a service answers, but it lets any
row carry attributes: a taxonomy term and a value. Haven exports these
fields as attributes of a small taxonomy of its own, with fixed ids, and
reads them back on import, so a directory survives the round trip. Other
systems simply see four extra terms.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from haven.partners.models import GovernmentLevel, PartnerKind

_NS = uuid.UUID("6b1f0f4e-4c1c-4f0e-9a51-1d1a8f6f2c11")


def stable_id(*parts: object) -> uuid.UUID:
    """A fixed id for a row Haven derives from others (its attributes, the
    schedule that carries a service's hours), so that exports stay stable."""
    return uuid.uuid5(_NS, ":".join(str(p) for p in parts))


FIELDS_TAXONOMY = {
    "id": str(stable_id("fields-taxonomy")),
    "name": "Haven directory fields",
    "description": (
        "Fields of Haven's partner directory that HSDS has no place for, carried as "
        "attributes: the term names the field, the attribute's value holds it."
    ),
    "version": "1",
}


@dataclass(frozen=True)
class FieldTerm:
    code: str
    name: str
    description: str
    entity: str  # the HSDS table the attribute links to

    @property
    def id(self) -> uuid.UUID:
        return stable_id("field", self.code)


PARTNER_KIND = FieldTerm(
    code="haven.partner-kind",
    name="Partner kind",
    description="What kind of partner the organization is. Values: "
    + ", ".join(PartnerKind.values)
    + ".",
    entity="organization",
)
GOVERNMENT_LEVEL = FieldTerm(
    code="haven.government-level",
    name="Government level",
    description="Whether the organization is a government body, and at what level. Values: "
    + ", ".join(GovernmentLevel.values)
    + ".",
    entity="organization",
)
AGREEMENT = FieldTerm(
    code="haven.agreement-on-file",
    name="Agreement on file",
    description="A confidentiality agreement or memorandum of understanding with the "
    "organization is on file. Value: the date it was signed (YYYY-MM-DD), or empty.",
    entity="organization",
)
NEED_CATEGORY = FieldTerm(
    code="haven.need-category",
    name="Need category served",
    description="A kind of need the service answers, by the code of Haven's need categories "
    "(for example shelter, immigration, mental_health).",
    entity="service",
)
FIELD_TERMS = {term.id: term for term in (PARTNER_KIND, GOVERNMENT_LEVEL, AGREEMENT, NEED_CATEGORY)}
