from django.urls import path

from haven.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.summary, name="summary"),
    path("reports/funder/", views.funder, name="funder"),
    path("reports/<str:layout>.csv", views.download, name="download"),
    path("reports/settings/", views.report_settings, name="settings"),
]
