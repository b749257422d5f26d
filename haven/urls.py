from django.urls import include, path

from haven.api.api import api
from haven.core import views as core_views

urlpatterns = [
    # For monitoring, without a session: the process lives; it can work.
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("", include("haven.desk.urls")),
    path("", include("haven.accounts.urls")),
    path("", include("haven.desk.trail.urls")),
    path("", include("haven.people.urls")),
    path("", include("haven.protocol.urls")),
    path("", include("haven.partners.urls")),
    path("", include("haven.consent.urls")),
    path("", include("haven.authorities.urls")),
    path("", include("haven.referrals.urls")),
    path("", include("haven.attachments.urls")),
    path("", include("haven.communications.urls")),
    path("", include("haven.exports.urls")),
    path("", include("haven.interpretation.urls")),
    path("", include("haven.safety.urls")),
    path("", include("haven.shelter.urls")),
    path("", include("haven.training.urls")),
    path("", include("haven.preparedness.urls")),
    path("", include("haven.reports.urls")),
    path("", include("haven.jobs.urls")),
    path("accounts/", include("haven.accounts.urls_auth")),
    path("api/v1/", api.urls),
]

handler400 = "haven.core.views.bad_request"
handler403 = "haven.core.views.permission_denied"
handler404 = "haven.core.views.not_found"
handler500 = "haven.core.views.server_error"
