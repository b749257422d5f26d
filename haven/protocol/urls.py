from haven.protocol.views import identification, law, minors, needs, rights, safety, tracker

app_name = "protocol"

urlpatterns = [
    *tracker.urlpatterns,
    *safety.urlpatterns,
    *needs.urlpatterns,
    *rights.urlpatterns,
    *law.urlpatterns,
    *minors.urlpatterns,
    *identification.urlpatterns,
]
