"""The inventory of routes: every page a user reaches and every operation of
the API, each with the request that times it and what its answer must hold,
or else excluded with the reason it cannot be timed.

A route is keyed by its URL name (``people:case_list``) or, for the API, by
its method and path as the OpenAPI document gives them (``GET
/api/v1/cases/{case_id}``). ``unlisted()`` names every URL pattern and API
operation that is neither here nor excluded: the bench refuses to run, and
tests/perf/test_query_counts.py fails, until a new route is listed.

Each route says who asks (a role of the first bench agency, see
bench.targets), the request (its ids taken from the targets; a write gets
fresh values each time, so repeating it stays valid), the status it must
answer, a marker its answer must hold (so a quiet 404 page or an empty list
fails the run), and its query budget in BUDGETS: today's count, which the
query-count tests hold it to.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from bench.targets import Targets

API = "/api/v1"
#: A fresh number for each write, so that no two repeated writes are the same.
_writes = itertools.count(1)


@dataclass(frozen=True)
class Route:
    key: str
    role: str
    method: str
    url: Callable[[Targets], str]
    #: The body of a write, made anew for each request.
    body: Callable[[Targets], dict[str, Any]] | None = None
    status: int = 200
    #: Text the answer must hold; "@attr" stands for the target's id.
    expect: str | Callable[[Targets], str] = ""
    json: bool = False
    label: str = field(default="")

    def marker(self, targets: Targets) -> str:
        if callable(self.expect):
            return self.expect(targets)
        if self.expect.startswith("@"):
            return str(getattr(targets, self.expect[1:]))
        return self.expect

    @property
    def title(self) -> str:
        return self.label or self.key


class WrongAnswer(Exception):
    """An answer that is not the status and the marker its route expects."""


def send(client: Any, route: Route, targets: Targets) -> Any:
    """The route's request, made with a test client signed in as its role."""
    url = route.url(targets)
    if route.method == "get":
        return client.get(url)
    body = route.body(targets) if route.body else {}
    if route.json:
        return getattr(client, route.method)(url, body, content_type="application/json")
    return client.post(url, body)


def check(route: Route, targets: Targets, response: Any) -> None:
    if response.status_code != route.status:
        raise WrongAnswer(f"{route.title} answered {response.status_code}, not {route.status}")
    marker = route.marker(targets)
    if marker and marker not in response.content.decode(errors="replace"):
        raise WrongAnswer(f"{route.title} did not show what it was asked for")


def page(
    name: str,
    *args: str,
    role: str = "advocate",
    expect: str = "",
    method: str = "get",
    body: Callable[[Targets], dict[str, Any]] | None = None,
    status: int = 200,
    label: str = "",
) -> Route:
    """A page of the site: ``args`` name the targets its URL takes."""
    return Route(
        key=name if method == "get" else f"{name} POST",
        role=role,
        method=method,
        url=lambda t: reverse(name, args=[_value(t, a) for a in args]),
        body=body,
        status=status,
        expect=expect,
        label=label,
    )


# An API path's parameters: which target each one names.
PARAMETERS = {
    "case_id": "case",
    "organization_id": "organization",
    "need_id": "need",
    "referral_id": "referral",
    "consent_id": "consent",
    "entry_id": "communication",
    "interpreter_id": "interpreter",
    "threat_id": "threat",
    "concern_id": "concern",
    "visit_id": "visit",
    "alert_id": "alert",
    "site_id": "site",
    "bed_id": "bed",
    "stay_id": "stay",
    "record_id": "training_record",
    "policy_id": "policy",
    "user_id": "staff_member",
    "service_id": "service",
    "attachment_id": "attachment",
}


def _value(targets: Targets, attribute: str) -> Any:
    """The target named, or with "=" the value itself ("=1")."""
    return attribute[1:] if attribute.startswith("=") else getattr(targets, attribute)


def api_path(path: str, targets: Targets, **names: str) -> str:
    for parameter, attribute in {**PARAMETERS, **names}.items():
        path = path.replace(f"{{{parameter}}}", str(_value(targets, attribute)))
    return path


def api(
    method: str,
    path: str,
    *,
    role: str = "advocate",
    expect: str = "",
    body: Callable[[Targets], dict[str, Any]] | None = None,
    status: int = 200,
    query: str = "",
    **names: str,
) -> Route:
    """An operation of the API; ``names`` overrides which target a path parameter names."""
    return Route(
        key=f"{method} {API}{path}",
        role=role,
        method=method.lower(),
        url=lambda t: api_path(API + path, t, **names) + (query and "?" + api_path(query, t)),
        body=body,
        status=status,
        expect=expect,
        json=True,
    )


def _moment() -> str:
    """A new moment in the past for each write (a minute apart)."""
    return (timezone.now() - timedelta(minutes=next(_writes))).isoformat()


def _communication(t: Targets) -> dict[str, Any]:
    return {
        "occurred_at": _moment(),
        "channel": "phone",
        "summary": f"Bench check-in {next(_writes)}",
        "details": "Called back about housing and the lease.",
    }


def _communication_form(t: Targets) -> dict[str, Any]:
    when = timezone.localtime() - timedelta(minutes=next(_writes))
    return {
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "with_person": "on",
        "summary": f"Bench check-in {next(_writes)}",
        "interpretation": "none",
    }


def _intake(t: Targets) -> dict[str, Any]:
    return {
        "team_id": t.team,
        "danger": "no",
        "legal_name": f"Bench Intake {next(_writes)}",
        "language": "spa",
    }


ROUTES: list[Route] = [
    # --- Pages ---
    page("healthz", expect="ok"),
    page("desk:dashboard", expect="Welcome"),
    page("desk:case_detail", "case", label="case page"),
    page("desk:case_detail", "long_case", label="case page, the long record"),
    page("audit:event_list", role="auditor", expect="Audit trail"),
    page("people:case_list", expect="Cases", label="case list"),
    page(
        "people:case_list",
        method="post",
        body=lambda t: {"q": t.name},
        expect=lambda t: escape(t.name),
        label="search by whole name (POST)",
    ),
    page("people:person_edit", "case", expect="details"),
    page("people:case_staff", "case", role="supervisor", expect="Staff and access"),
    page("people:person_destroy", "case", role="supervisor", expect="Destroy the record"),
    page("people:break_glass", expect="Emergency access"),
    page("people:intake_start", expect="First, safety"),
    page("people:field_settings", role="admin", expect="What your agency records"),
    page("protocol:agency_steps", role="admin", expect="own steps"),
    page("protocol:safety", "case", expect="Safety"),
    page("protocol:safety_plan_pdf", "case", expect="%PDF"),
    page("protocol:safety_plan_version", "case", "=1", expect="Sunflower"),
    page("protocol:agency_step_edit", "step_code", role="admin", expect="task force"),
    page("protocol:agency_step", "case", "step_code", expect="task force"),
    page("protocol:handout", "case", "=continued_presence", "=eng", expect="Continued"),
    page("protocol:handout_pdf", "case", "=continued_presence", "=eng", expect="%PDF"),
    page("protocol:screening", "case", "=adult", expect="<form"),
    page("protocol:needs", "case", expect="Needs"),
    page("protocol:need_categories", role="admin", expect="Kinds of need"),
    page("protocol:rights", "case", expect="Rights and options"),
    page("protocol:materials", role="admin", expect="Handouts"),
    page("partners:directory", expect="Partners"),
    page("partners:organization_create", role="admin", expect="Add a partner"),
    page("partners:exchange", role="admin", expect="Import or export"),
    page("partners:organization", "organization", expect="Lakeside Shelter"),
    page("partners:organization_edit", "organization", role="admin", expect="Lakeside Shelter"),
    page("partners:service_create", "organization", role="admin", expect="Add a service"),
    page("partners:service_edit", "organization", "service", role="admin", expect="service"),
    page("partners:location_create", "organization", role="admin", expect="Add a location"),
    page("partners:location_edit", "organization", "location", role="admin", expect="Main office"),
    page("partners:contact_edit", "organization", "contact", role="admin", expect="Intake desk"),
    page("partners:contact_create", "organization", role="admin", expect="Add someone"),
    page("consent:consents", "case", expect="Consent to share"),
    page("consent:consent_withdraw", "case", "consent", expect="Withdraw a consent"),
    page("consent:consent_pdf", "case", "consent", expect="%PDF"),
    page("consent:disclosures", "case", expect="What has been shared"),
    page("consent:court_order", "case", role="supervisor", expect="court order"),
    page("consent:settings", role="admin", expect="Consent settings"),
    page("authorities:law", "case", expect="Law enforcement"),
    page("authorities:reporting_contacts", role="admin", expect="mandated reports"),
    page("referrals:referrals", "case", expect="Referrals"),
    page("referrals:referral_new", "case", "need", "service", expect="Send a referral"),
    page("referrals:referral", "case", "referral", expect="Lakeside Shelter"),
    page("referrals:referral_pdf", "case", "referral", expect="%PDF"),
    page("referrals:inbox", expect="Referrals to us"),
    page("referrals:expertise", role="admin", expect="What your agency does"),
    page("attachments:documents", "case", expect="Documents"),
    page("attachments:download", "attachment", expect="%PDF"),
    page("communications:log", "long_case", expect="Check-in", label="communications log"),
    page("communications:entry_new", "case", expect="Record a communication"),
    page(
        "communications:entry_new",
        "case",
        method="post",
        body=_communication_form,
        status=303,
        label="record a communication (POST)",
    ),
    page("communications:entry", "long_case", "communication", expect="Check-in"),
    page("communications:roster", expect="Interpreters"),
    page("communications:interpreter", "interpreter", role="admin", expect="Demo Interpreter"),
    page("exports:export", "case", expect="Export the record"),
    page("interpretation:point", expect="Point to your language"),
    page("interpretation:point_pdf", expect="%PDF"),
    page("interpretation:point_for_case", "case", expect="Point to your language"),
    page("safety:home", expect="Staff safety"),
    page("safety:case", "case", expect="Safety"),
    page("safety:threats", expect="Threat log"),
    page("safety:threat_new", expect="Record a threat"),
    page("safety:threat", "threat", expect="Threat of"),
    page("safety:concerns", expect="Persons of concern"),
    page("safety:concern_new", expect="Add a person of concern"),
    page("safety:concern", "concern", expect="Synthetic Person of Concern"),
    page("safety:concern_edit", "concern", expect="Change a person of concern"),
    page("safety:visitors", expect="Visitor log"),
    page(
        "safety:visitors",
        method="post",
        body=lambda t: {"name_given": f"Bench Visitor {next(_writes)}", "purpose": "Delivery"},
        status=303,
        label="visitor check-in (POST)",
    ),
    page("safety:alerts", role="admin", expect="Visitor alerts"),
    page("safety:alerts_live"),
    page("safety:checklist", expect="My safety checklist"),
    page("safety:checklists", role="admin", expect="Staff checklists"),
    page("safety:staff_checklist", "staff_member", role="admin", expect="Safety checklist of"),
    page("safety:settings", role="admin", expect="lockdown administrators"),
    page("shelter:sites", expect="Shelter sites"),
    page("shelter:site_new", role="admin", expect="Add a site"),
    page("shelter:site", "site", expect="Bench Site"),
    page("shelter:site_setup", "site", role="admin", expect="Set up Bench Site"),
    page("shelter:home", role="supervisor", expect="Shelter"),
    page("shelter:waiting", expect="Shelter waiting list"),
    page("shelter:residents", "site", role="supervisor", expect="Residents of Bench Site"),
    page("shelter:case_stays", "case", expect="Shelter stays"),
    page("shelter:stay", "stay", expect="Bed 1"),
    page("training:mine", expect="My training"),
    page("training:overview", role="admin", expect="Training overview"),
    page("training:records", role="admin", expect="Training records"),
    page("training:record_new", role="admin", expect="Record a training"),
    page("training:record", "training_record", expect="Training:"),
    page("training:events", role="admin", expect="In-service events"),
    page("training:event_new", role="admin", expect="Record an in-service event"),
    page("training:event", "training_event", role="admin", expect="Trauma-informed care"),
    page("training:topics", role="admin", expect="Training topics"),
    page("preparedness:home", expect="Preparedness"),
    page("preparedness:policies", expect="Policies"),
    page("preparedness:policy_new", role="admin", expect="Add a policy"),
    page("preparedness:policy", "policy", expect="Who we serve"),
    page("preparedness:policy_edit", "policy", role="admin", expect="Change a policy"),
    page("preparedness:version_new", "policy", role="admin", expect="New version of"),
    page("preparedness:review", "policy", role="admin", expect="Review of"),
    page("preparedness:meetings", expect="Partner meetings"),
    page("preparedness:meeting_new", role="admin", expect="Record a meeting"),
    page("preparedness:meeting", "meeting", expect="Meeting of"),
    page("preparedness:meeting_edit", "meeting", role="admin", expect="Change a meeting"),
    page("preparedness:agreements", role="admin", expect="Partner agreements"),
    page("preparedness:agreement_new", role="admin", expect="Add an agreement"),
    page("preparedness:agreement", "agreement", role="admin", expect="Referral agreement"),
    page("reports:summary", role="admin", expect="What the agency did"),
    page("reports:funder", role="admin", expect="Funder report"),
    page("reports:settings", role="admin", expect="Report settings"),
    page("jobs:list", expect="Your jobs"),
    page("accounts:staff_list", role="admin"),
    page("accounts:staff_invite", role="admin"),
    page("accounts:staff_detail", "staff_member", role="admin"),
    page("accounts:team_create", role="admin"),
    page("accounts:preferences"),
    page("accounts:api_tokens", expect="API tokens"),
    page("accounts:approval_list", role="supervisor", expect="Approvals"),
    page("accounts:two_person_rule", role="admin", expect="Two-person rule"),
    page("usersessions_list", expect="Sessions"),
    page("mfa_index"),
    page("api:openapi-json", expect="openapi"),
    # --- The API: every read ---
    api("GET", "/me", expect="bench-000-advocate-00"),
    api("GET", "/cases", expect='[{"id": "'),
    api("GET", "/cases/{case_id}", expect="@case"),
    api("GET", "/cases/{case_id}/protocol", expect="steps"),
    # The bulk data set records the answer at intake, no danger check: may be empty.
    api("GET", "/cases/{case_id}/danger-checks"),
    api("GET", "/cases/{case_id}/safety-plans", expect='"version"'),
    api("GET", "/cases/{case_id}/safety-plans/{version}", expect='"version"', version="=1"),
    api("GET", "/need-categories", expect='"code"'),
    api("GET", "/cases/{case_id}/needs", expect="@need"),
    api("GET", "/rights/library", expect='"topic"'),
    api("GET", "/cases/{case_id}/rights-explained"),
    api("GET", "/cases/{case_id}/law-enforcement/choices", expect='"investigation"'),
    api("GET", "/cases/{case_id}/law-enforcement/contacts"),
    api("GET", "/cases/{case_id}/continued-presence"),
    api("GET", "/cases/{case_id}/screenings"),
    api("GET", "/cases/{case_id}/instrument-results"),
    api("GET", "/agency-steps"),
    api("GET", "/partners", expect="@organization"),
    api("GET", "/partners/{organization_id}", expect="@organization"),
    api("GET", "/hsds/", expect='"version"'),
    api("GET", "/hsds/services", expect="@service"),
    api("GET", "/hsds/services/{service_id}", expect="@service"),
    api("GET", "/hsds/organizations", expect="@organization"),
    api("GET", "/hsds/organizations/{organization_id}", expect="@organization"),
    api("GET", "/consents", query="case={case_id}", expect="@consent"),
    api("GET", "/consents/{consent_id}", expect="@consent"),
    api("GET", "/cases/{case_id}/disclosures", expect='"at"'),
    api("GET", "/referrals", query="case={case_id}", expect="@referral"),
    api("GET", "/referrals/inbox"),
    api("GET", "/referrals/{referral_id}", expect="@referral"),
    api("GET", "/cases/{case_id}/attachments", expect="@attachment"),
    api("GET", "/attachments/{attachment_id}", expect="%PDF"),
    api("GET", "/cases/{case_id}/communications", case_id="long_case", expect="@communication"),
    api(
        "GET",
        "/cases/{case_id}/communications/{entry_id}",
        case_id="long_case",
        expect="@communication",
    ),
    api("GET", "/interpreters", expect="@interpreter"),
    api("GET", "/interpreters/{interpreter_id}", expect="@interpreter"),
    api("GET", "/cases/{case_id}/exports"),
    api("GET", "/threats", expect="@threat"),
    api("GET", "/threats/{threat_id}", expect="@threat"),
    api("GET", "/persons-of-concern", expect="@concern"),
    api("GET", "/persons-of-concern/{concern_id}", expect="@concern"),
    api("GET", "/visits", expect='"items": [{"id"'),
    api("GET", "/visit-places", expect="@site"),
    api("GET", "/visitor-alerts", role="admin", expect='"visit_id"'),
    api("GET", "/safety-checklist", expect='"user_id"'),
    api("GET", "/staff/{user_id}/safety-checklist", role="admin", expect='"user_id"'),
    api("GET", "/shelter/sites", expect="@site"),
    api("GET", "/shelter/sites/{site_id}", expect="@site"),
    api("GET", "/shelter/sites/{site_id}/beds", expect='"room"'),
    api("GET", "/cases/{case_id}/stays"),
    api("GET", "/stays/{stay_id}/check-ins"),
    api("GET", "/sites/{site_id}/occupancy", expect="@site"),
    api("GET", "/shelter/waiting"),
    api("GET", "/trainings/due"),
    api("GET", "/trainings/topics", expect='"label"'),
    api("GET", "/trainings/events", role="admin", expect="@training_event"),
    api("GET", "/trainings", expect="@training_record"),
    api("GET", "/trainings/{record_id}", expect="@training_record"),
    api("GET", "/policies", expect="@policy"),
    api("GET", "/policies/{policy_id}", expect="@policy"),
    api("GET", "/partner-meetings", expect="@meeting"),
    api("GET", "/partner-agreements", role="admin", expect="@agreement"),
    api("GET", "/reports/settings", role="admin", expect='"threshold"'),
    api("GET", "/teams", expect='"name"'),
    api("GET", "/staff", expect='"team_ids"'),
    # --- The API: the search (a POST, so no name is in an address) and the
    # writes staff do all day ---
    api("POST", "/people/search", body=lambda t: {"q": t.name}, expect="@case"),
    api("POST", "/people", body=_intake, status=201, expect='"case_id"'),
    api("POST", "/cases/{case_id}/communications", body=_communication, status=201),
    api(
        "POST",
        "/visits",
        body=lambda t: {"name_given": f"Bench Visitor {next(_writes)}"},
        status=201,
    ),
    api("POST", "/cases/{case_id}/danger-checks", body=lambda t: {"answer": "no"}, status=201),
    api(
        "POST",
        "/stays/{stay_id}/check-ins",
        role="shelter",
        body=lambda t: {"wellbeing": "fine", "note": f"Bench {next(_writes)}"},
        status=201,
    ),
]


def _why(reason: str, *keys: str) -> dict[str, str]:
    return dict.fromkeys(keys, reason)


#: Routes not timed, and why.
EXCLUDED: dict[str, str] = {
    **_why("answers 503 until a jobs worker beats: it watches the worker, not a page", "readyz"),
    **_why(
        "one-time links and the steps behind them: a token is spent by the first request",
        "accounts:setup",
        "accounts:setup_form",
        "accounts:invitation_accept",
        "accounts:invitation_form",
    ),
    **_why(
        "sign-in, sign-out and second-factor enrolment: they end or change the session the "
        "bench signs in with",
        "account_login",
        "account_logout",
        "account_inactive",
        "account_reauthenticate",
        "account_change_password",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_remove_webauthn",
        "mfa_edit_webauthn",
        "accounts:sign_out_everywhere",
        "accounts:session_check",
        "accounts:set_language",
    ),
    **_why(
        "an administrative write done a few times a year, not a page: each changes an "
        "account or the agency's set-up for good",
        "accounts:staff_deactivate",
        "accounts:staff_reactivate",
        "accounts:staff_reinvite",
        "accounts:api_token_revoke",
        "accounts:approval_detail",
        "accounts:approval_withdraw",
        "safety:lockdown",
        "shelter:site_close",
        "shelter:site_sealed",
        "shelter:site_address",
        "shelter:bed_active",
        "shelter:keyholder_remove",
        "partners:import",
        "partners:export",
        "partners:location_remove",
        "partners:contact_remove",
        "authorities:reporting_contact_delete",
        "protocol:agency_step_retire",
        "safety:concern_remove",
    ),
    **_why(
        "a write that changes the case's state once (closing, taking, a step's state, a "
        "stay's end): repeating it is refused, so it cannot be sampled a hundred times",
        "people:case_close",
        "people:case_take",
        "protocol:step_update",
        "protocol:agency_step_apply",
        "protocol:danger_check",
        "protocol:safety_plan",
        "protocol:needs_assess",
        "protocol:need_status",
        "protocol:rights_explained",
        "protocol:instrument",
        "authorities:law_choice",
        "authorities:law_contact",
        "authorities:continued_presence",
        "communications:addendum",
        "safety:visit_out",
        "safety:alert_acknowledge",
        "shelter:stay_admit",
        "shelter:stay_request",
        "shelter:stay_place",
        "shelter:stay_move",
        "shelter:stay_end",
        "shelter:stay_compromised",
        "shelter:check_in",
        "shelter:request_withdraw",
        "preparedness:acknowledge",
    ),
    **_why(
        "the intake's later steps answer only inside an intake begun in the same session",
        "people:intake_language",
        "people:intake_identity",
    ),
    **_why(
        "needs an object the bench world does not hold yet (a reporting contact, a "
        "continued-presence request, a minor's mandated report, a referral sent to the "
        "agency by another): to be added to bench.targets",
        "authorities:continued_presence_update",
        "authorities:minor_report",
        "authorities:reporting_contact_edit",
        "referrals:inbox_referral",
    ),
    **_why(
        "a finished job's pages and downloads: they need a job run to its end by the "
        "worker; the reports bench (bench/reports.py) times the report itself",
        "reports:run",
        "reports:run_progress",
        "reports:run_download",
        "jobs:detail",
        "jobs:progress",
        "jobs:download",
    ),
    **_why("the API's index, which only points to the document", "api:api-root"),
}


def _api(*operations: str) -> list[str]:
    return [f"{operation.split()[0]} {API}{operation.split()[1]}" for operation in operations]


#: The API's writes not timed, and why. A new operation of the API fails the
#: check until it is timed in ROUTES or listed here.
API_EXCLUDED: dict[str, str] = {
    **_why(
        "an administrative write done a few times a year (the directory, the roster, the "
        "agency's steps, sites and their beds, keyholders, policies, training, settings): "
        "its page's form is timed",
        *_api(
            "POST /agency-steps",
            "PUT /agency-steps/{code}",
            "POST /agency-steps/{code}/retire",
            "POST /partners",
            "PUT /partners/{organization_id}",
            "POST /partners/{organization_id}/services",
            "PUT /partners/{organization_id}/services/{service_id}",
            "POST /interpreters",
            "PUT /interpreters/{interpreter_id}",
            "POST /shelter/sites",
            "PUT /shelter/sites/{site_id}",
            "POST /shelter/sites/{site_id}/beds",
            "PUT /shelter/sites/{site_id}/beds/{bed_id}",
            "POST /shelter/sites/{site_id}/keyholders",
            "DELETE /shelter/sites/{site_id}/keyholders/{user_id}",
            "PUT /shelter/sites/{site_id}/sealed",
            "POST /shelter/sites/{site_id}/address",
            "POST /trainings/events",
            "POST /trainings",
            "POST /policies",
            "POST /policies/{policy_id}/reviews",
            "POST /partner-meetings",
            "PUT /reports/settings",
            "POST /threats",
            "POST /threats/{threat_id}/follow-up",
            "POST /persons-of-concern",
            "PUT /persons-of-concern/{concern_id}",
            "DELETE /persons-of-concern/{concern_id}",
        ),
    ),
    **_why(
        "a write that changes a state once or needs the record's current version (taking "
        "a case, a step's state, a consent revoked, a referral moved, a stay moved or "
        "ended, a visit checked out, an alert acknowledged, a checklist saved): repeating "
        "it is refused, so it cannot be sampled a hundred times",
        *_api(
            "POST /cases/{case_id}/take",
            "PATCH /cases/{case_id}/person",
            "PUT /cases/{case_id}/protocol/{step}",
            "PUT /cases/{case_id}/agency-steps/{code}",
            "POST /cases/{case_id}/agency-steps/{code}/apply",
            "POST /cases/{case_id}/safety-plans",
            "POST /cases/{case_id}/needs",
            "PATCH /cases/{case_id}/needs/{need_id}",
            "POST /cases/{case_id}/rights-explained",
            "POST /cases/{case_id}/law-enforcement/choices",
            "POST /cases/{case_id}/law-enforcement/contacts",
            "POST /cases/{case_id}/continued-presence",
            "PUT /cases/{case_id}/mandated-report",
            "POST /cases/{case_id}/screenings",
            "POST /cases/{case_id}/instrument-results",
            "POST /consents",
            "POST /consents/{consent_id}/revoke",
            "POST /referrals",
            "POST /referrals/{referral_id}/status",
            "POST /cases/{case_id}/court-orders",
            "POST /cases/{case_id}/communications/{entry_id}/addenda",
            "POST /visits/{visit_id}/check-out",
            "POST /visitor-alerts/{alert_id}/acknowledge",
            "PUT /safety-checklist",
            "POST /cases/{case_id}/stays",
            "POST /cases/{case_id}/placements",
            "POST /stays/{stay_id}/move",
            "POST /stays/{stay_id}/end",
            "POST /stays/{stay_id}/compromised",
            "POST /cases/{case_id}/stay-requests",
            "POST /stay-requests/{request_id}/withdraw",
            "POST /policies/{policy_id}/acknowledge",
        ),
    ),
    **_why(
        "an upload or a job started: the file checks and the worker are timed by their "
        "own benches (bench/reports.py; the export of a long record)",
        *_api(
            "POST /cases/{case_id}/attachments",
            "POST /cases/{case_id}/exports",
            "POST /reports/runs",
        ),
    ),
    **{
        f"GET {API}{path}": reason
        for path, reason in {
            "/cases/{case_id}/mandated-report": "the case is no minor's: no mandated report",
            "/reports/runs/{run_id}": "needs a report run (bench/reports.py times reports)",
            "/jobs/{job_id}": "needs a job run by the worker",
            "/jobs/{job_id}/result": "needs a job run to its end by the worker",
        }.items()
    },
}


def url_names() -> set[str]:
    """Every URL pattern's name outside the API's operations ("namespace:name")."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                walk(pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace)
            elif isinstance(pattern, URLPattern):
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return {
        n for n in names if not n.startswith("api:") or n in {"api:openapi-json", "api:api-root"}
    }


def operations() -> set[str]:
    """Every operation of the API: "METHOD /api/v1/path"."""
    from haven.api.api import api as ninja_api

    document = json.loads(json.dumps(ninja_api.get_openapi_schema(), default=str))
    return {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    }


def excluded() -> dict[str, str]:
    """Every route left untimed, with its reason."""
    return {**EXCLUDED, **API_EXCLUDED}


def unlisted() -> list[str]:
    """The URL patterns and API operations neither timed nor excluded."""
    timed = {route.key.removesuffix(" POST") for route in ROUTES}
    return sorted((url_names() | operations()) - timed - set(excluded()))


def stale() -> list[str]:
    """Keys of the inventory that no longer name a route."""
    known = url_names() | operations()
    keys = {route.key.removesuffix(" POST") for route in ROUTES} | set(excluded())
    return sorted(keys - known)


#: The most queries each route may make, counted by
#: tests/perf/test_query_counts.py on its second request: today's counts, on
#: SQLite and on PostgreSQL (which adds a query or two where a write locks
#: a row or a chain's head).
BUDGETS: dict[str, tuple[int, int]] = {
    "healthz": (0, 0),
    "desk:dashboard": (26, 27),
    "case page": (23, 24),
    "case page, the long record": (22, 23),
    "audit:event_list": (9, 9),
    "case list": (19, 20),
    "search by whole name (POST)": (18, 19),
    "people:person_edit": (17, 18),
    "people:case_staff": (17, 18),
    "people:person_destroy": (18, 19),
    "people:break_glass": (7, 7),
    "people:intake_start": (7, 7),
    "people:field_settings": (8, 8),
    "protocol:agency_steps": (11, 11),
    "protocol:safety": (17, 18),
    "protocol:safety_plan_pdf": (17, 19),
    "protocol:safety_plan_version": (16, 17),
    "protocol:agency_step_edit": (11, 11),
    "protocol:agency_step": (15, 16),
    "protocol:handout": (13, 14),
    "protocol:handout_pdf": (15, 17),
    "protocol:screening": (14, 15),
    "protocol:needs": (16, 17),
    "protocol:need_categories": (8, 8),
    "protocol:rights": (14, 15),
    "protocol:materials": (8, 8),
    "partners:directory": (11, 11),
    "partners:organization_create": (7, 7),
    "partners:exchange": (8, 8),
    "partners:organization": (21, 21),
    "partners:organization_edit": (9, 9),
    "partners:service_create": (13, 13),
    "partners:service_edit": (18, 18),
    "partners:location_create": (9, 9),
    "partners:location_edit": (11, 11),
    "partners:contact_edit": (10, 10),
    "partners:contact_create": (8, 8),
    "consent:consents": (17, 18),
    "consent:consent_withdraw": (15, 16),
    "consent:consent_pdf": (18, 20),
    "consent:disclosures": (15, 16),
    "consent:court_order": (15, 16),
    "consent:settings": (8, 8),
    "authorities:law": (19, 20),
    "authorities:reporting_contacts": (9, 9),
    "referrals:referrals": (18, 19),
    "referrals:referral_new": (17, 18),
    "referrals:referral": (16, 17),
    "referrals:referral_pdf": (17, 19),
    "referrals:inbox": (8, 8),
    "referrals:expertise": (9, 9),
    "attachments:documents": (15, 16),
    "attachments:download": (13, 14),
    "communications log": (16, 17),
    "communications:entry_new": (16, 17),
    "record a communication (POST)": (27, 29),
    "communications:entry": (17, 18),
    "communications:roster": (8, 8),
    "communications:interpreter": (10, 10),
    "exports:export": (16, 17),
    "interpretation:point": (7, 7),
    "interpretation:point_pdf": (4, 4),
    "interpretation:point_for_case": (12, 13),
    "safety:home": (9, 9),
    "safety:case": (17, 18),
    "safety:threats": (14, 15),
    "safety:threat_new": (20, 22),
    "safety:threat": (24, 26),
    "safety:concerns": (14, 15),
    "safety:concern_new": (14, 15),
    "safety:concern": (23, 25),
    "safety:concern_edit": (22, 24),
    "safety:visitors": (15, 16),
    "visitor check-in (POST)": (24, 26),
    "safety:alerts": (25, 27),
    "safety:alerts_live": (9, 9),
    "safety:checklist": (9, 9),
    "safety:checklists": (9, 9),
    "safety:staff_checklist": (9, 9),
    "safety:settings": (11, 11),
    "shelter:sites": (12, 12),
    "shelter:site_new": (8, 8),
    "shelter:site": (13, 13),
    "shelter:site_setup": (31, 31),
    "shelter:home": (23, 24),
    "shelter:waiting": (9, 9),
    "shelter:residents": (21, 22),
    "shelter:case_stays": (20, 21),
    "shelter:stay": (25, 26),
    "training:mine": (11, 11),
    "training:overview": (11, 11),
    "training:records": (12, 12),
    "training:record_new": (11, 11),
    "training:record": (8, 8),
    "training:events": (9, 9),
    "training:event_new": (11, 11),
    "training:event": (10, 10),
    "training:topics": (9, 9),
    "preparedness:home": (14, 14),
    "preparedness:policies": (9, 9),
    "preparedness:policy_new": (8, 8),
    "preparedness:policy": (12, 12),
    "preparedness:policy_edit": (9, 9),
    "preparedness:version_new": (8, 8),
    "preparedness:review": (8, 8),
    "preparedness:meetings": (9, 9),
    "preparedness:meeting_new": (9, 9),
    "preparedness:meeting": (9, 9),
    "preparedness:meeting_edit": (11, 11),
    "preparedness:agreements": (8, 8),
    "preparedness:agreement_new": (8, 8),
    "preparedness:agreement": (8, 8),
    "reports:summary": (8, 8),
    "reports:funder": (8, 8),
    "reports:settings": (8, 8),
    "jobs:list": (9, 9),
    "accounts:staff_list": (10, 10),
    "accounts:staff_invite": (9, 9),
    "accounts:staff_detail": (11, 11),
    "accounts:team_create": (8, 8),
    "accounts:preferences": (7, 7),
    "accounts:api_tokens": (10, 10),
    "accounts:approval_list": (8, 8),
    "accounts:two_person_rule": (10, 10),
    "usersessions_list": (9, 9),
    "mfa_index": (7, 7),
    "api:openapi-json": (4, 4),
    "GET /api/v1/me": (8, 8),
    "GET /api/v1/cases": (14, 15),
    "GET /api/v1/cases/{case_id}": (14, 15),
    "GET /api/v1/cases/{case_id}/protocol": (15, 16),
    "GET /api/v1/cases/{case_id}/danger-checks": (11, 12),
    "GET /api/v1/cases/{case_id}/safety-plans": (11, 12),
    "GET /api/v1/cases/{case_id}/safety-plans/{version}": (13, 14),
    "GET /api/v1/need-categories": (6, 6),
    "GET /api/v1/cases/{case_id}/needs": (12, 13),
    "GET /api/v1/rights/library": (6, 6),
    "GET /api/v1/cases/{case_id}/rights-explained": (11, 12),
    "GET /api/v1/cases/{case_id}/law-enforcement/choices": (12, 13),
    "GET /api/v1/cases/{case_id}/law-enforcement/contacts": (11, 12),
    "GET /api/v1/cases/{case_id}/continued-presence": (11, 12),
    "GET /api/v1/cases/{case_id}/screenings": (11, 12),
    "GET /api/v1/cases/{case_id}/instrument-results": (11, 12),
    "GET /api/v1/agency-steps": (8, 8),
    "GET /api/v1/partners": (7, 7),
    "GET /api/v1/partners/{organization_id}": (20, 20),
    "GET /api/v1/hsds/": (5, 5),
    "GET /api/v1/hsds/services": (7, 7),
    "GET /api/v1/hsds/services/{service_id}": (19, 19),
    "GET /api/v1/hsds/organizations": (7, 7),
    "GET /api/v1/hsds/organizations/{organization_id}": (19, 19),
    "GET /api/v1/consents": (12, 13),
    "GET /api/v1/consents/{consent_id}": (13, 14),
    "GET /api/v1/cases/{case_id}/disclosures": (12, 13),
    "GET /api/v1/referrals": (13, 14),
    "GET /api/v1/referrals/inbox": (6, 6),
    "GET /api/v1/referrals/{referral_id}": (13, 14),
    "GET /api/v1/cases/{case_id}/attachments": (12, 13),
    "GET /api/v1/attachments/{attachment_id}": (13, 14),
    "GET /api/v1/cases/{case_id}/communications": (13, 14),
    "GET /api/v1/cases/{case_id}/communications/{entry_id}": (13, 14),
    "GET /api/v1/interpreters": (6, 6),
    "GET /api/v1/interpreters/{interpreter_id}": (6, 6),
    "GET /api/v1/cases/{case_id}/exports": (11, 12),
    "GET /api/v1/threats": (13, 14),
    "GET /api/v1/threats/{threat_id}": (15, 16),
    "GET /api/v1/persons-of-concern": (12, 13),
    "GET /api/v1/persons-of-concern/{concern_id}": (14, 15),
    "GET /api/v1/visits": (12, 13),
    "GET /api/v1/visit-places": (6, 6),
    "GET /api/v1/visitor-alerts": (21, 23),
    "GET /api/v1/safety-checklist": (6, 6),
    "GET /api/v1/staff/{user_id}/safety-checklist": (7, 7),
    "GET /api/v1/shelter/sites": (9, 9),
    "GET /api/v1/shelter/sites/{site_id}": (9, 9),
    "GET /api/v1/shelter/sites/{site_id}/beds": (8, 8),
    "GET /api/v1/cases/{case_id}/stays": (11, 12),
    "GET /api/v1/stays/{stay_id}/check-ins": (12, 13),
    "GET /api/v1/sites/{site_id}/occupancy": (9, 9),
    "GET /api/v1/shelter/waiting": (7, 7),
    "GET /api/v1/trainings/due": (8, 8),
    "GET /api/v1/trainings/topics": (7, 7),
    "GET /api/v1/trainings/events": (10, 10),
    "GET /api/v1/trainings": (7, 7),
    "GET /api/v1/trainings/{record_id}": (6, 6),
    "GET /api/v1/policies": (7, 7),
    "GET /api/v1/policies/{policy_id}": (9, 9),
    "GET /api/v1/partner-meetings": (8, 8),
    "GET /api/v1/partner-agreements": (6, 6),
    "GET /api/v1/reports/settings": (6, 6),
    "GET /api/v1/teams": (6, 6),
    "GET /api/v1/staff": (7, 7),
    "POST /api/v1/people/search": (16, 17),
    "POST /api/v1/people": (69, 72),
    "POST /api/v1/cases/{case_id}/communications": (24, 26),
    "POST /api/v1/visits": (20, 22),
    "POST /api/v1/cases/{case_id}/danger-checks": (18, 20),
    "POST /api/v1/stays/{stay_id}/check-ins": (19, 21),
}
