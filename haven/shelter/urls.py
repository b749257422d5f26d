from haven.shelter import urls_stays

app_name = "shelter"

urlpatterns = [
    *urls_stays.urlpatterns,
]
