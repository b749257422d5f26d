"""Facts written again from the records give the same report, and leave the
facts of destroyed people alone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from haven.people.services import person_destroy
from haven.reports.figures import report
from haven.reports.models import Episode, LawChoiceFact, NeedFact, ReferralFact

pytestmark = pytest.mark.django_db

FACTS = (Episode, NeedFact, ReferralFact, LawChoiceFact)


def test_rebuilding_the_facts_gives_the_same_report(population):
    person_destroy(actor=population.staff, person=population.february[1].person, basis="request")
    before = report(population.scope())
    kept = Episode.objects.count()
    # As after an upgrade: the facts of the living are gone; the destroyed
    # person's are all that is left.
    living = [c.person_id for c in population.february[2:] + population.january]
    for model in FACTS:
        model.objects.filter(person_ref__in=living).delete()
    assert report(population.scope()) != before

    out = StringIO()
    call_command("rebuild_report_facts", stdout=out)

    assert "Facts written:" in out.getvalue()
    assert Episode.objects.count() == kept
    assert report(population.scope()) == before


def test_rebuilding_one_agency_leaves_the_others(population, outsider):
    call_command("rebuild_report_facts", "--agency", str(outsider.agency_id), stdout=StringIO())
    # 22 people, one of them with a second case.
    assert Episode.objects.filter(agency=population.agency).count() == 23
