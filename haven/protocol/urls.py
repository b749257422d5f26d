from haven.protocol.views import identification, needs, rights, safety, tracker

app_name = "protocol"

urlpatterns = [
    *tracker.urlpatterns,
    *safety.urlpatterns,
    *needs.urlpatterns,
    *rights.urlpatterns,
    *identification.urlpatterns,
]
