"""The printed consent form, in the language the consent was explained in."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone, translation

from haven.accounts.models import User
from haven.audit.models import Action
from haven.audit.services import audit_record
from haven.consent.models import Consent, ConsentForm, InfoKind, Purpose
from haven.core.pdf import pdf_response, print_language, render_pdf
from haven.people.access import names_hidden_for
from haven.people.display import printed_name
from haven.people.models import Case


def consent_form_response(user: User, case: Case, consent: Consent) -> HttpResponse:
    language = print_language(consent.language)
    with translation.override(language):
        context = {
            "agency": user.agency.name,
            "name": printed_name(case.person, names_hidden_for(user)),
            "consent": consent,
            "recipient": consent.recipient_label or "",
            "purpose": str(Purpose(consent.purpose).label),
            "kinds": [str(InfoKind(k).label) for k in consent.kinds],
            "not_shared": [str(label) for k, label in InfoKind.choices if k not in consent.kinds],
            "on_paper": consent.form == ConsentForm.PAPER,
            "printed_on": timezone.localdate(),
        }
    content = render_pdf("consent/pdf/form.html", context, language=language)
    audit_record(
        action=Action.DOCUMENT_PRINTED,
        actor=user,
        object_type="case",
        object_id=case.pk,
        detail={"document": "consent_form", "consent": str(consent.pk)},
    )
    return pdf_response(content, filename="consent.pdf")
