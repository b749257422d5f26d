"""Bad input to every staff safety service is refused with a message on the
field at fault, and changes nothing: no row, no link, no file, no key, no
audit event (``refused`` compares every row before and after).

Names are accepted in any script; control characters and invisible
formatting that disguise text are not.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from haven.accounts.models import Role
from haven.core import limits
from haven.safety import lockdown as lockdowns
from haven.safety import services
from haven.safety.models import PersonOfConcern, SafetyChecklist, Threat, Visit
from haven.safety.screening import screen
from tests import files
from tests.factories import make_staff, record_intake
from tests.safety.conftest import designate, refused, refused_404, second_factor

pytestmark = pytest.mark.django_db

NAMES_IN_ANY_SCRIPT = [
    "محمد الحداد",  # Arabic
    "李伟",  # Chinese
    "Віктор Петренко",  # Ukrainian
    "राहुल शर्मा",  # Devanagari
    "Nguyễn Văn An",  # Vietnamese
    "שרה\u200f כהן",  # Hebrew, with a right-to-left mark
    "Ana 🦊 Lima",  # an emoji
    "Sam 👩\u200d👩\u200d👧 Ortiz",  # an emoji sequence with joiners
    "Zoë O’Brien-Łukasz",  # noqa: RUF001 (the apostrophe people type)
]
# Characters that hide or disguise text: controls, bidi overrides and isolates,
# zero-width spaces, a soft hyphen, a byte-order mark.
HIDDEN = ["\x00", "\x07", "\x1b[31m", "\u202e", "\u2066", "\u200b", "\u00ad", "\ufeff"]


def too_long(limit: int) -> str:
    return "x" * (limit + 1)


def files_over_the_limit():
    return [files.accepted(files.pdf(f"Synthetic {n}"), f"f{n}.pdf") for n in range(6)]


# --- Persons of concern --------------------------------------------------------------------------


def save_concern(actor, **values):
    values.setdefault("name", "Viktor Petrenko")
    return services.concern_save(actor=actor, values=services.ConcernValues(**values))


@pytest.mark.parametrize("name", ["", "   ", "\n\t "])
def test_a_person_of_concern_needs_a_name(advocate, name):
    refused(lambda: save_concern(advocate, name=name), "name")


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name", limits.LINE),
        ("description", limits.LONG),
        ("aliases", limits.NOTE),
        ("vehicles", limits.NOTE),
        ("plates", limits.NOTE),
        ("associates", limits.NOTE),
    ],
)
def test_too_long_concern_texts_are_refused(advocate, field, limit):
    refused(lambda: save_concern(advocate, **{field: too_long(limit)}), field)
    save_concern(advocate, **{field: "x" * limit})


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize(
    "field", ["name", "aliases", "description", "vehicles", "plates", "associates"]
)
def test_hidden_characters_in_concern_texts_are_refused(advocate, field, hidden):
    refused(lambda: save_concern(advocate, **{field: f"Synthetic{hidden}value"}), field)


# Control characters Python's str.splitlines() takes for line breaks: vertical
# tab (what Word pastes for a manual line break), form feed, the file, group
# and record separators, and NEL.
LINE_BREAKING_CONTROLS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85"]


@pytest.mark.parametrize("control", LINE_BREAKING_CONTROLS)
@pytest.mark.parametrize(("field", "value"), [("aliases", "Ivan{}Sokolov"), ("plates", "KX{}4417")])
def test_line_breaking_control_characters_in_lists_are_refused_too(advocate, field, value, control):
    refused(lambda: save_concern(advocate, **{field: value.format(control)}), field)


@pytest.mark.parametrize("name", NAMES_IN_ANY_SCRIPT)
def test_a_person_of_concern_is_named_in_any_script(advocate, agency, name):
    concern = save_concern(advocate, name=name, aliases=name)
    stored = PersonOfConcern.objects.get(pk=concern.pk)
    assert stored.name == name
    assert stored.aliases == name
    assert screen(agency.pk, name=name).exact


def test_too_many_photos_are_refused(advocate):
    refused(lambda: save_concern(advocate, photos=files_over_the_limit()), "photos")


def test_cases_the_actor_cannot_link_are_refused(advocate, supervisor, outsider, team, other_team):
    theirs = record_intake(actor=outsider, team=outsider.memberships.first().team, legal_name="A")
    # A case of the agency on the other team, which the advocate cannot open.
    hidden = record_intake(actor=supervisor, team=other_team, legal_name="Synthetic Hidden")
    for case_id in (uuid.uuid4(), theirs.pk, hidden.pk):
        refused(lambda c=case_id: save_concern(advocate, case_ids=[c]), "cases")


def test_an_edit_from_a_stale_page_is_refused(advocate, supervisor):
    concern = save_concern(advocate)
    services.concern_save(
        actor=supervisor,
        concern_id=concern.pk,
        version=concern.version,
        values=services.ConcernValues(name="Viktor Petrenko", aliases="Vitya"),
    )
    refused(
        lambda: services.concern_save(
            actor=advocate,
            concern_id=concern.pk,
            version=concern.version,
            values=services.ConcernValues(name="Viktor Petrenko", description="Stale"),
        ),
        "__all__",
    )
    assert PersonOfConcern.objects.get(pk=concern.pk).aliases == "Vitya"


def test_a_forged_concern_id_is_a_404(advocate, outsider):
    theirs = save_concern(outsider)
    for concern_id in (uuid.uuid4(), theirs.pk):
        refused_404(
            lambda c=concern_id: services.concern_save(
                actor=advocate, concern_id=c, values=services.ConcernValues(name="Forged")
            )
        )
        refused_404(lambda c=concern_id: services.concern_remove(actor=advocate, concern_id=c))


# --- Threats -------------------------------------------------------------------------------------


def threat_values(**values) -> services.ThreatValues:
    values.setdefault("occurred_at", timezone.now() - timedelta(hours=2))
    values.setdefault("channel", "phone")
    values.setdefault("what_happened", "A caller asked for the advocate by name.")
    values.setdefault("against_agency", True)
    return services.ThreatValues(**values)


def record_threat(actor, **values) -> Threat:
    return services.threat_record(actor=actor, values=threat_values(**values))


@pytest.mark.parametrize("what", ["", "  \n "])
def test_a_threat_says_what_happened(advocate, what):
    refused(lambda: record_threat(advocate, what_happened=what), "what_happened")


@pytest.mark.parametrize("hidden", HIDDEN)
def test_hidden_characters_in_a_threat_are_refused(advocate, hidden):
    refused(lambda: record_threat(advocate, what_happened=f"Call{hidden}ed"), "what_happened")
    refused(
        lambda: record_threat(
            advocate,
            reported_to_police=True,
            reported_on=timezone.localdate(),
            report_number=f"SYN{hidden}1",
        ),
        "report_number",
    )


def test_too_long_threat_texts_are_refused(advocate):
    refused(
        lambda: record_threat(advocate, what_happened=too_long(limits.LONG)),
        "what_happened",
    )
    refused(
        lambda: record_threat(
            advocate,
            reported_to_police=True,
            report_number=too_long(limits.CODE),
        ),
        "report_number",
    )


@pytest.mark.parametrize("channel", ["", "carrier_pigeon", "PHONE", "phone "])
def test_an_unknown_channel_is_refused(advocate, channel):
    refused(lambda: record_threat(advocate, channel=channel), "channel")


def test_a_threat_needs_a_time_not_in_the_future(advocate):
    refused(lambda: record_threat(advocate, occurred_at=None), "occurred_at")
    refused(
        lambda: record_threat(advocate, occurred_at=timezone.now() + timedelta(hours=1)),
        "occurred_at",
    )
    refused(
        lambda: record_threat(advocate, occurred_at=timezone.now() + timedelta(days=400)),
        "occurred_at",
    )
    # A clock a little ahead of the server's is not the future.
    record_threat(advocate, occurred_at=timezone.now() + timedelta(minutes=3))


def test_the_report_date_is_between_the_threat_and_today(advocate):
    occurred = timezone.now() - timedelta(days=10)
    refused(
        lambda: record_threat(
            advocate,
            occurred_at=occurred,
            reported_to_police=True,
            reported_on=timezone.localdate() + timedelta(days=1),
        ),
        "reported_on",
    )
    refused(
        lambda: record_threat(
            advocate,
            occurred_at=occurred,
            reported_to_police=True,
            reported_on=timezone.localdate(occurred) - timedelta(days=1),
        ),
        "reported_on",
    )
    record_threat(
        advocate,
        occurred_at=occurred,
        reported_to_police=True,
        reported_on=timezone.localdate(occurred),
    )


def test_a_report_date_or_number_needs_the_report_ticked(advocate):
    refused(lambda: record_threat(advocate, reported_on=timezone.localdate()), "reported_to_police")
    refused(lambda: record_threat(advocate, report_number="SYN-1"), "reported_to_police")


def test_a_threat_is_aimed_at_someone(advocate):
    refused(
        lambda: record_threat(advocate, against_agency=False, targeted_staff_ids=[]),
        "targeted_staff",
    )


def test_forged_staff_ids_are_refused(advocate, outsider, admin_user):
    # Another agency's staff member, a made-up id, and one real among forged.
    for ids in ([outsider.pk], [987654], [admin_user.pk, outsider.pk]):
        refused(lambda i=ids: record_threat(advocate, targeted_staff_ids=i), "targeted_staff")


def test_forged_concern_ids_are_refused(advocate, outsider, intake):
    theirs = save_concern(outsider)
    ours = save_concern(advocate)
    for ids in ([uuid.uuid4()], [theirs.pk], [ours.pk, uuid.uuid4()]):
        refused(lambda i=ids: record_threat(advocate, concern_ids=i), "concerns")
    # The front desk never sees persons of concern, so cannot name one.
    refused(lambda: record_threat(intake, concern_ids=[ours.pk]), "concerns")


def test_forged_case_ids_are_refused(advocate, intake, outsider, team):
    theirs = record_intake(actor=outsider, team=outsider.memberships.first().team, legal_name="A")
    # A case intake did not record is not one it can open.
    ours = record_intake(actor=advocate, team=team, legal_name="Synthetic Linked")
    for actor, ids in (
        (advocate, [uuid.uuid4()]),
        (advocate, [theirs.pk]),
        (intake, [ours.pk]),
    ):
        refused(lambda a=actor, i=ids: record_threat(a, case_ids=i), "cases")


def test_too_much_evidence_at_once_is_refused(advocate):
    refused(lambda: record_threat(advocate, evidence=files_over_the_limit()), "evidence")


def test_every_problem_is_named_at_once(advocate, outsider):
    error = refused(
        lambda: record_threat(
            advocate,
            occurred_at=None,
            channel="x",
            what_happened="",
            against_agency=False,
            targeted_staff_ids=[outsider.pk],
        )
    )
    assert {"occurred_at", "channel", "what_happened", "targeted_staff"} <= set(error.message_dict)


# --- Follow-ups ----------------------------------------------------------------------------------


def follow_up(actor, threat, **values):
    values.setdefault("reported_to_police", True)
    return services.threat_follow_up(
        actor=actor, threat_id=threat.pk, values=services.ThreatFollowUp(**values)
    )


def test_a_report_once_made_stays_recorded(advocate):
    threat = record_threat(advocate)
    follow_up(advocate, threat, reported_on=timezone.localdate(), report_number="SYN-7")
    refused(lambda: follow_up(advocate, threat, reported_to_police=False), "reported_to_police")


def test_a_follow_up_checks_the_report_date_against_the_threat(advocate):
    threat = record_threat(advocate, occurred_at=timezone.now() - timedelta(days=3))
    refused(
        lambda: follow_up(advocate, threat, reported_on=timezone.localdate() + timedelta(days=2)),
        "reported_on",
    )
    refused(
        lambda: follow_up(advocate, threat, reported_on=timezone.localdate() - timedelta(days=5)),
        "reported_on",
    )
    refused(
        lambda: follow_up(advocate, threat, report_number=too_long(limits.CODE)),
        "report_number",
    )


def test_a_follow_up_takes_at_most_five_files(advocate):
    threat = record_threat(advocate)
    refused(lambda: follow_up(advocate, threat, evidence=files_over_the_limit()), "evidence")


def test_a_forged_threat_id_is_a_404(advocate, outsider):
    theirs = record_threat(outsider)
    for threat_id in (uuid.uuid4(), theirs.pk):
        refused_404(
            lambda t=threat_id: services.threat_follow_up(
                actor=advocate,
                threat_id=t,
                values=services.ThreatFollowUp(reported_to_police=True),
            )
        )


# --- The visitor log -----------------------------------------------------------------------------


def check_in(actor, **values) -> Visit:
    values.setdefault("name_given", "Ana Lima")
    return services.visit_check_in(actor=actor, values=services.VisitValues(**values))


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_a_visitor_needs_a_name(intake, name):
    refused(lambda: check_in(intake, name_given=name), "name_given")


@pytest.mark.parametrize("name", NAMES_IN_ANY_SCRIPT)
def test_a_visitor_is_named_in_any_script(intake, name):
    visit = check_in(intake, name_given=name, asking_for=name, purpose=name)
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.name_given, stored.asking_for, stored.purpose) == (name, name, name)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("field", ["name_given", "asking_for", "purpose", "plate"])
def test_hidden_characters_at_the_front_desk_are_refused(intake, field, hidden):
    refused(lambda: check_in(intake, **{field: f"Ana{hidden}Lima"}), field)


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("name_given", limits.LINE),
        ("asking_for", limits.LINE),
        ("plate", limits.LINE),
        ("purpose", limits.WIDE_LINE),
    ],
)
def test_too_long_front_desk_texts_are_refused(intake, field, limit):
    refused(lambda: check_in(intake, **{field: too_long(limit)}), field)


def test_a_visitor_is_checked_out_once(intake):
    visit = check_in(intake)
    services.visit_check_out(actor=intake, visit_id=visit.pk)
    refused(lambda: services.visit_check_out(actor=intake, visit_id=visit.pk))


def test_a_forged_visit_or_alert_id_is_a_404(intake, supervisor, outsider, advocate):
    theirs = check_in(outsider)
    for visit_id in (uuid.uuid4(), theirs.pk):
        refused_404(lambda v=visit_id: services.visit_check_out(actor=intake, visit_id=v))
    refused_404(lambda: services.alert_acknowledge(actor=supervisor, alert_id=uuid.uuid4()))
    save_concern(outsider, name="Oleg Marchuk")
    check_in(outsider, name_given="Oleg Marchuk")
    their_alert = Visit.objects.get(agency=outsider.agency, flagged=True).alert
    refused_404(lambda: services.alert_acknowledge(actor=supervisor, alert_id=their_alert.pk))


# --- Checklists ----------------------------------------------------------------------------------


def save_checklist(actor, version=None, **values) -> SafetyChecklist:
    return services.checklist_save(
        actor=actor, values=services.ChecklistValues(**values), version=version
    )


@pytest.mark.parametrize("answer", ["maybe", "DONE", "done ", "yes", "0"])
@pytest.mark.parametrize("item", services.CHECKLIST_ITEMS)
def test_a_checklist_answer_is_one_of_those_offered(advocate, item, answer):
    refused(lambda: save_checklist(advocate, **{item: answer}), item)


@pytest.mark.parametrize("field", services.CHECKLIST_TEXTS)
def test_checklist_texts_are_plain_and_not_too_long(advocate, field):
    refused(lambda: save_checklist(advocate, **{field: too_long(limits.NOTE)}), field)
    for hidden in HIDDEN:
        refused(lambda h=hidden: save_checklist(advocate, **{field: f"Sister{h}"}), field)
    save_checklist(advocate, **{field: NAMES_IN_ANY_SCRIPT[0]})


def test_a_checklist_saved_in_another_window_is_not_overwritten(advocate):
    first = save_checklist(advocate, varied_routes="not_yet")
    save_checklist(advocate, version=first.version, varied_routes="done")
    refused(
        lambda: save_checklist(advocate, version=first.version, notes="From a stale window"),
        "__all__",
    )
    stored = SafetyChecklist.objects.get(user=advocate)
    assert (stored.varied_routes, stored.notes, stored.version) == ("done", None, 2)


# --- Settings ------------------------------------------------------------------------------------


def settings_save(actor, *, alerts=(), lockdown=(), two=False):
    return services.safety_settings_save(
        actor=actor,
        alert_user_ids=list(alerts),
        lockdown_user_ids=list(lockdown),
        two_to_end_lockdown=two,
    )


def test_only_active_administrators_of_the_agency_run_a_lockdown(
    admin_user, supervisor, advocate, outsider, agency
):
    gone = make_staff(agency=agency, role=Role.ADMIN, username="t-admin-gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    for user_id in (supervisor.pk, advocate.pk, outsider.pk, gone.pk, 987654):
        refused(
            lambda u=user_id: settings_save(admin_user, lockdown=[admin_user.pk, u]), "lockdown"
        )


def test_alerts_go_only_to_active_staff_who_may_see_persons_of_concern(
    admin_user, intake, auditor, outsider, agency
):
    for user_id in (intake.pk, auditor.pk, outsider.pk, 987654):
        refused(lambda u=user_id: settings_save(admin_user, alerts=[u]), "alerts")


def test_two_to_end_needs_two_lockdown_administrators(admin_user, admin2):
    refused(lambda: settings_save(admin_user, two=True), "two_to_end_lockdown")
    refused(
        lambda: settings_save(admin_user, lockdown=[admin_user.pk], two=True),
        "two_to_end_lockdown",
    )
    refused(
        lambda: settings_save(admin_user, lockdown=[admin_user.pk, admin_user.pk], two=True),
        "two_to_end_lockdown",
    )
    settings_save(admin_user, lockdown=[admin_user.pk, admin2.pk], two=True)


# --- Lockdown input ------------------------------------------------------------------------------


def test_ending_a_lockdown_that_is_not_running_is_refused(admin_user):
    designate(admin_user, lockdown=(admin_user,))
    refused(
        lambda: lockdowns.lockdown_end(
            actor=admin_user, lockdown_id=uuid.uuid4(), second_factor=second_factor(admin_user)
        )
    )
    running = lockdowns.lockdown_start(
        actor=admin_user, reason="Synthetic drill", days=1, second_factor=second_factor(admin_user)
    )
    refused(
        lambda: lockdowns.lockdown_end(
            actor=admin_user, lockdown_id=uuid.uuid4(), second_factor=second_factor(admin_user)
        )
    )
    assert lockdowns.running_lockdown(admin_user.agency_id).pk == running.pk
