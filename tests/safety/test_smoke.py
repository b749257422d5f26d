"""A first pass through the safety services, end to end."""

from __future__ import annotations

from django.utils import timezone

from haven.safety import services
from haven.safety.models import VisitorAlert
from haven.safety.selectors import alert_list, open_alert_count


def test_a_close_spelling_alerts_the_supervisors(supervisor, intake, advocate):
    concern = services.concern_save(
        actor=advocate,
        values=services.ConcernValues(name="Viktor Petrenko", plates="KX-4417"),
    )
    visit = services.visit_check_in(
        actor=intake, values=services.VisitValues(name_given="Victor Petrenco")
    )
    assert visit.flagged
    alert = VisitorAlert.objects.get(visit=visit)
    assert list(alert.concerns.all()) == [concern]
    assert not alert.exact
    assert open_alert_count(user=supervisor) == 1
    assert open_alert_count(user=intake) == 0
    assert [a.pk for a in alert_list(user=supervisor)] == [alert.pk]
    plain = services.visit_check_in(
        actor=intake, values=services.VisitValues(name_given="Ana Lima", plate="kx 4417")
    )
    assert plain.flagged
    other = services.visit_check_in(
        actor=intake, values=services.VisitValues(name_given="Viktor Lima")
    )
    assert not other.flagged
    threat = services.threat_record(
        actor=intake,
        values=services.ThreatValues(
            occurred_at=timezone.now(),
            channel="phone",
            what_happened="A caller said they knew where the office is.",
            against_agency=True,
        ),
    )
    assert threat.what_happened.startswith("A caller")
