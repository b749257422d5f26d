from django.urls import path

from haven.consent.views import (
    consent_pdf,
    consent_settings,
    consent_withdraw,
    consents,
    court_order,
    disclosures,
)

app_name = "consent"

urlpatterns = [
    path("cases/<uuid:case_id>/consents/", consents, name="consents"),
    path(
        "cases/<uuid:case_id>/consents/<uuid:consent_id>/withdraw/",
        consent_withdraw,
        name="consent_withdraw",
    ),
    path(
        "cases/<uuid:case_id>/consents/<uuid:consent_id>/form.pdf",
        consent_pdf,
        name="consent_pdf",
    ),
    path("cases/<uuid:case_id>/disclosures/", disclosures, name="disclosures"),
    path("cases/<uuid:case_id>/court-order/", court_order, name="court_order"),
    path("settings/consent/", consent_settings, name="settings"),
]
