"""Haven's shipped service taxonomy: its terms' names in the interface
language (the table keeps English, as the data file has it), and the HSDS
taxonomy that carries the directory's own fields through an export."""

from __future__ import annotations

import uuid

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.partners.models import TaxonomyTerm

#: Haven's shipped taxonomy (haven/partners/data/taxonomy.json).
SHIPPED_TAXONOMY_ID = uuid.UUID("9cb9c622-2af5-570a-9add-4743bb8eceed")

SHIPPED_NAMES: dict[str, str | Promise] = {
    "safety": _("Safety and crisis help"),
    "safety.crisis-line": _("Crisis lines"),
    "safety.planning": _("Safety planning"),
    "safety.protective-orders": _("Protective orders"),
    "housing": _("Housing and shelter"),
    "housing.emergency-shelter": _("Emergency shelter"),
    "housing.transitional": _("Transitional housing"),
    "housing.long-term": _("Help finding a home"),
    "basic": _("Basic needs"),
    "basic.food": _("Food"),
    "basic.clothing": _("Clothing and personal items"),
    "basic.transportation": _("Transportation"),
    "basic.emergency-funds": _("Emergency funds"),
    "health": _("Health care"),
    "health.urgent": _("Urgent medical care"),
    "health.primary": _("Primary care"),
    "health.reproductive": _("Sexual and reproductive health"),
    "health.substance-use": _("Substance use treatment"),
    "mental-health": _("Mental health"),
    "mental-health.counseling": _("Counseling"),
    "mental-health.trauma": _("Trauma-focused therapy"),
    "mental-health.peer": _("Peer support"),
    "legal": _("Legal help"),
    "legal.immigration": _("Immigration legal help"),
    "legal.criminal-advocacy": _("Support through criminal cases"),
    "legal.record-relief": _("Clearing criminal records"),
    "legal.labor": _("Wage and labor claims"),
    "legal.compensation": _("Crime victim compensation"),
    "language": _("Language access"),
    "language.interpretation": _("Interpretation and translation"),
    "language.english": _("English classes"),
    "work": _("Work, school and life skills"),
    "work.job-training": _("Job training"),
    "work.job-placement": _("Finding work"),
    "work.education": _("Education"),
    "work.life-skills": _("Independent-living skills"),
    "community": _("Community and belonging"),
    "community.cultural": _("Cultural and faith communities"),
    "community.documents": _("Identity documents"),
    "community.family": _("Family reunification and safe return"),
}


def term_label(term: TaxonomyTerm) -> str:
    if term.agency_id is None and term.code in SHIPPED_NAMES:
        return str(SHIPPED_NAMES[term.code])
    return term.name
