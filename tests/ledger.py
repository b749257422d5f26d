"""The ledger's invariant, checked after every test that touches the
database: each record of information leaving the agency has the row the
disclosure gate wrote for it. A path that made such a record without the
gate (a new view, an API route, a management command) fails whichever test
first walks it."""

from __future__ import annotations

from haven.consent.models import CourtOrderResponse, Disclosure
from haven.exports.models import RecordExport
from haven.protocol.models import ContinuedPresence, LawEnforcementContact, MandatedReport
from haven.referrals.models import Referral

# Each kind of record that means information left, and the gate's channel for it.
DISCLOSING = {
    "law_enforcement_contact": LawEnforcementContact.objects.all(),
    "continued_presence": ContinuedPresence.objects.all(),
    "mandated_report": MandatedReport.objects.filter(status=MandatedReport.Status.REPORTED),
    "referral": Referral.objects.all(),
    "court_order": CourtOrderResponse.objects.all(),
    "record_export": RecordExport.objects.filter(audience="third_party"),
}


def records_without_the_gate() -> list[str]:
    missing = []
    for channel, records in DISCLOSING.items():
        ledgered = set(
            Disclosure.objects.filter(channel=channel).values_list("record_id", flat=True)
        )
        for pk in records.values_list("pk", flat=True):
            if str(pk) not in ledgered:
                missing.append(f"{channel} {pk}")
    return missing
