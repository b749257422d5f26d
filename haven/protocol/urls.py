from haven.protocol.views import agency_steps, identification, needs, rights, safety, tracker

app_name = "protocol"

urlpatterns = [
    *tracker.urlpatterns,
    *agency_steps.urlpatterns,
    *safety.urlpatterns,
    *needs.urlpatterns,
    *rights.urlpatterns,
    *identification.urlpatterns,
]
