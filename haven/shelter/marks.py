"""The shelter's mark on a case in a list (see haven.people.marks): the
person holds a bed at one of the agency's sites, or a placement at a
partner, tonight. Read from the stays' dates, in the clear; the mark never
says which site."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from haven.people.marks import CaseMark, register_mark
from haven.shelter.models import Stay, stays_on
from haven.shelter.policies import may_see_case_stays

IN_SHELTER = "shelter"


def in_shelter(day: date) -> QuerySet[Any]:
    return Stay.objects.filter(stays_on(day))


def register() -> None:
    register_mark(CaseMark(IN_SHELTER, _("In shelter"), None, in_shelter, may_see_case_stays))
