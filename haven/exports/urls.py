from django.urls import path

from haven.exports.views import export

app_name = "exports"

urlpatterns = [
    path("cases/<uuid:case_id>/export/", export, name="export"),
]
