"""The append-only, hash-chained audit trail.

Each agency has its own chain (events outside any agency, such as a failed
sign-in for an unknown name, form the installation chain, ``chain=0``). Every
event stores the hash of the previous event of its chain, so altering,
removing or inserting a row breaks the chain where it happened. Database
triggers refuse UPDATE and DELETE (see ``triggers.py``). Events never hold
identifying data of a person served: only ids, actions and coarse metadata.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    SIGN_IN = "auth.sign_in", _("Signed in")
    SIGN_IN_FAILED = "auth.sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "auth.sign_out", _("Signed out")
    MFA_FAILED = "auth.mfa_failed", _("Wrong second-factor code")
    LOCKED_OUT = "auth.locked_out", _("Locked out after repeated failures")
    SESSION_EXPIRED = "auth.session_expired", _("Session timed out")
    SESSIONS_ENDED = "auth.sessions_ended", _("All sessions ended")
    PASSWORD_CHANGED = "auth.password_changed", _("Password changed")
    MFA_ADDED = "mfa.added", _("Second factor added")
    MFA_REMOVED = "mfa.removed", _("Second factor removed")
    MFA_RECOVERY_CODES_RESET = "mfa.recovery_codes_reset", _("Recovery codes regenerated")
    STEP_UP = "auth.step_up", _("Second factor confirmed for a sensitive change")
    SETUP_LINK_ISSUED = "setup.link_issued", _("Setup link issued")
    SETUP_COMPLETED = "setup.completed", _("First administrator set up")
    AGENCY_CREATED = "agency.created", _("Agency created")
    TEAM_CREATED = "team.created", _("Team created")
    INVITATION_SENT = "staff.invited", _("Staff member invited")
    INVITATION_ACCEPTED = "staff.invitation_accepted", _("Invitation accepted")
    INVITATION_REFUSED = "staff.invitation_refused", _("Invalid invitation link used")
    ROLES_CHANGED = "staff.roles_changed", _("Roles changed")
    STAFF_DEACTIVATED = "staff.deactivated", _("Account deactivated")
    STAFF_REACTIVATED = "staff.reactivated", _("Account reactivated")
    LANGUAGE_CHANGED = "staff.language_changed", _("Interface language changed")
    API_TOKEN_CREATED = "api.token_created", _("API token created")
    API_TOKEN_REVOKED = "api.token_revoked", _("API token revoked")
    APPROVAL_REQUESTED = "approval.requested", _("Second supervisor's approval asked for")
    APPROVAL_GRANTED = "approval.granted", _("Approved by a second supervisor and carried out")
    APPROVAL_DECLINED = "approval.declined", _("Declined by a second supervisor")
    APPROVAL_WITHDRAWN = "approval.withdrawn", _("Request for approval withdrawn")
    TWO_PERSON_RULE_CHANGED = "agency.two_person_rule_changed", _("Two-person rule changed")
    API_TOKEN_REFUSED = "api.token_refused", _("API token refused")
    API_CLIENT_BLOCKED = (
        "api.client_blocked",
        _("API tokens from an address refused after repeated failures"),
    )
    KEYS_ROTATED = "keys.rotated", _("Keys rotated")
    DESTRUCTIONS_REAPPLIED = (
        "restore.destructions_reapplied",
        _("Destructions re-applied after a restore"),
    )
    RESTORED_WITHOUT_LEDGER = (
        "restore.without_ledger",
        _("Restored without the destruction ledger"),
    )
    PERSON_CREATED = "person.created", _("Person recorded")
    PERSON_CHANGED = "person.changed", _("Person's record changed")
    PEOPLE_VIEWED = "person.viewed", _("Identifying data shown")
    PERSON_DESTROYED = "person.destroyed", _("Person's record destroyed")
    CASE_OPENED = "case.opened", _("Case opened")
    CASE_CLOSED = "case.closed", _("Case closed")
    CASE_STAFF_CHANGED = "case.staff_changed", _("Case staff or restriction changed")
    CASE_HANDED_OFF = "case.handed_off", _("Case sent to a team or an advocate")
    CASE_TAKEN = "case.taken", _("Case taken from the team's queue")
    BREAK_GLASS = "case.break_glass", _("Emergency access to a case")
    FIELD_SETTINGS_CHANGED = "agency.field_settings_changed", _("Person record fields changed")
    STEP_CHANGED = "protocol.step_changed", _("Protocol step changed")
    AGENCY_STEP_CHANGED = "agency.step_changed", _("The agency's own step changed")
    AGENCY_STEP_APPLIED = (
        "protocol.step_version_applied",
        _("A newer version of the agency's own step applied to a case"),
    )
    DANGER_CHECKED = "protocol.danger_checked", _("Danger check recorded")
    SAFETY_PLAN_SAVED = "protocol.safety_plan_saved", _("Safety plan saved")
    NEEDS_ASSESSED = "protocol.needs_assessed", _("Needs assessed")
    NEED_CHANGED = "protocol.need_changed", _("Need changed")
    RIGHTS_EXPLAINED = "protocol.rights_explained", _("Rights explained")
    LAW_CHOICE_RECORDED = "protocol.law_choice", _("Choice about law enforcement recorded")
    LAW_CONTACT_RECORDED = "protocol.law_contact", _("Law enforcement contact recorded")
    DISCLOSURE_REFUSED = "disclosure.refused", _("Disclosure refused by the gate")
    CONTINUED_PRESENCE_CHANGED = "protocol.continued_presence", _("Continued Presence updated")
    MANDATED_REPORT_OPENED = "protocol.report_opened", _("Mandated-report task opened")
    MANDATED_REPORT_RECORDED = "protocol.report_recorded", _("Mandated report recorded")
    SCREENING_RECORDED = "protocol.screening", _("Screening recorded")
    INSTRUMENT_RECORDED = "protocol.instrument", _("Instrument result recorded")
    DOCUMENT_PRINTED = "document.printed", _("Document printed")
    PARTNER_CHANGED = "partner.changed", _("Partner directory entry changed")
    DIRECTORY_IMPORTED = "partner.imported", _("Partner directory imported")
    DIRECTORY_EXPORTED = "partner.exported", _("Partner directory exported")
    CONSENT_RECORDED = "consent.recorded", _("Consent recorded")
    CONSENT_REVOKED = "consent.revoked", _("Consent revoked")
    CONSENT_SETTINGS_CHANGED = "consent.settings_changed", _("Consent settings changed")
    DISCLOSURE_ALLOWED = "disclosure.allowed", _("Disclosure allowed by the gate")
    REFERRAL_SENT = "referral.sent", _("Referral sent")
    REFERRAL_CHANGED = "referral.changed", _("Referral status changed")
    REFERRAL_VIEWED = "referral.viewed", _("Referral opened by the receiving agency")
    EXPERTISE_CHANGED = "agency.expertise_changed", _("Needs the agency meets itself changed")
    ATTACHMENT_ADDED = "attachment.added", _("Attachment added")
    ATTACHMENT_READ = "attachment.read", _("Attachment opened")
    COMMUNICATION_RECORDED = "communication.recorded", _("Communication recorded")
    INTERPRETER_CHANGED = "interpreter.changed", _("Interpreter roster changed")
    RECORD_EXPORTED = "record.exported", _("Case record exported")
    DEMO_SEEDED = "demo.seeded", _("Demo data created")
    THREAT_RECORDED = "safety.threat_recorded", _("Threat recorded")
    THREAT_UPDATED = "safety.threat_updated", _("Threat updated")
    REPORT_NUMBER_CHANGED = "safety.report_number_changed", _("Police report number changed")
    THREATS_VIEWED = "safety.threats_viewed", _("Threats shown")
    CONCERN_CHANGED = "safety.concern_changed", _("Person of concern recorded or changed")
    CONCERN_REMOVED = "safety.concern_removed", _("Person of concern removed")
    CONCERNS_VIEWED = "safety.concerns_viewed", _("Persons of concern shown")
    VISITOR_CHECKED_IN = "safety.visitor_in", _("Visitor checked in and screened")
    VISITOR_CHECKED_OUT = "safety.visitor_out", _("Visitor checked out")
    VISITOR_CHECK_IN_REFUSED = "safety.check_in_refused", _("Check-in refused: hourly limit")
    VISITS_VIEWED = "safety.visits_viewed", _("Visitor log shown")
    VISITOR_ALERT_RAISED = "safety.alert_raised", _("Visitor alert raised")
    VISITOR_ALERT_ACKNOWLEDGED = "safety.alert_acknowledged", _("Visitor alert acknowledged")
    SCREENING_REINDEXED = "safety.screening_reindexed", _("Visitor screening index rebuilt")
    CHECKLIST_SAVED = "safety.checklist_saved", _("Safety checklist saved")
    CHECKLIST_VIEWED = "safety.checklist_viewed", _("Safety checklist shown")
    SAFETY_SETTINGS_CHANGED = "safety.settings_changed", _("Safety designations changed")
    LOCKDOWN_STARTED = "lockdown.started", _("Emergency lockdown started")
    LOCKDOWN_END_REQUESTED = "lockdown.end_requested", _("Early end of lockdown requested")
    LOCKDOWN_ENDED = "lockdown.ended", _("Emergency lockdown ended")
    LOCKDOWN_SIGN_IN_REFUSED = "lockdown.sign_in_refused", _("Sign-in refused during lockdown")
    LOCKDOWN_SESSION_ENDED = "lockdown.session_ended", _("Session ended by lockdown")
    # --- shelter sites ---
    SITE_CREATED = "shelter.site_created", _("Shelter site added")
    SITE_CHANGED = "shelter.site_changed", _("Shelter site changed")
    SITE_SEALED_CHANGED = "shelter.site_sealed_changed", _("Shelter site's sealed details changed")
    SITE_BEDS_CHANGED = "shelter.site_beds_changed", _("Shelter site's beds changed")
    SITE_KEYHOLDER_ADDED = "shelter.keyholder_added", _("Shelter site keyholder named")
    SITE_KEYHOLDER_REMOVED = "shelter.keyholder_removed", _("Shelter site keyholder removed")
    SITE_ADDRESS_OPENED = "shelter.address_opened", _("Shelter site address opened")
    SITE_CLOSED = "shelter.site_closed", _("Shelter site closed to admissions")
    SITE_REOPEN_REQUESTED = "shelter.reopen_requested", _("Early reopening of a site requested")
    SITE_REOPENED = "shelter.site_reopened", _("Shelter site reopened to admissions")
    # --- training ---
    TRAINING_RECORDED = "training.recorded", _("Training recorded")
    TRAINING_CERTIFICATE_ADDED = "training.certificate_added", _("Training certificate added")
    TRAINING_EVENT_RECORDED = "training.event_recorded", _("In-service training recorded")
    TRAINING_TOPIC_ADDED = "training.topic_added", _("Training topic added")
    TRAINING_REFRESHER_SET = "training.refresher_set", _("Training refresher interval set")
    # --- policies and partner meetings ---
    POLICY_CHANGED = "policy.changed", _("Policy added or changed")
    POLICY_VERSION_ADDED = "policy.version_added", _("Policy version added")
    POLICY_REVIEWED = "policy.reviewed", _("Policy reviewed")
    POLICY_ACKNOWLEDGED = "policy.acknowledged", _("Policy acknowledged")
    PARTNER_MEETING_CHANGED = "partner.meeting_changed", _("Partner meeting recorded or changed")
    PARTNER_AGREEMENT_RECORDED = "partner.agreement_recorded", _("Partner agreement recorded")
    # --- reports ---
    REPORT_SETTINGS_CHANGED = "reports.settings_changed", _("Report settings changed")
    REPORT_RUN = "reports.run", _("Report run")
    # --- shelter stays ---
    STAY_ADMITTED = "shelter.stay_admitted", _("Admitted to a shelter bed")
    STAY_MOVED = "shelter.stay_moved", _("Moved to another shelter bed")
    STAY_ENDED = "shelter.stay_ended", _("Shelter stay ended")
    STAY_COMPROMISED = "shelter.stay_compromised", _("Shelter stay marked compromised")
    STAY_PLACED = "shelter.stay_placed", _("Placed at a partner's shelter")
    STAY_REQUESTED = "shelter.stay_requested", _("Put on the shelter waiting list")
    STAY_REQUEST_WITHDRAWN = "shelter.request_withdrawn", _("Taken off the shelter waiting list")
    CHECK_IN_RECORDED = "shelter.check_in", _("Shelter check-in recorded")
    # --- background jobs ---
    JOB_STARTED = "jobs.started", _("Background job started")
    JOB_RESULT_DOWNLOADED = "jobs.result_downloaded", _("Background job result downloaded")


class AuditEvent(models.Model):
    """One thing that happened. Rows are only ever inserted."""

    chain = models.BigIntegerField(help_text="Agency id, or 0 for the installation chain.")
    seq = models.BigIntegerField(help_text="Position in the chain, from 1.")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    agency = models.ForeignKey(
        "core.Agency",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Validated by audit_record against Action, but not declared as choices:
    # every new action would otherwise need a migration of this table.
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_seq_unique_in_chain")
        ]
        indexes = [
            models.Index(fields=["agency", "-at"], name="audit_agency_at"),
            models.Index(fields=["agency", "action", "-at"], name="audit_agency_action_at"),
        ]

    def __str__(self) -> str:
        return f"audit event {self.pk} ({self.action})"

    @property
    def action_label(self) -> str:
        try:
            return str(Action(self.action).label)
        except ValueError:
            return self.action
