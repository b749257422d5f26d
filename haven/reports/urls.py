from django.urls import path

from haven.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.summary, name="summary"),
    path("reports/funder/", views.funder, name="funder"),
    path("reports/runs/<uuid:job_id>/", views.run, name="run"),
    path("reports/runs/<uuid:job_id>/progress/", views.run_progress, name="run_progress"),
    path("reports/runs/<uuid:job_id>/<str:layout>.csv", views.run_download, name="run_download"),
    path("reports/settings/", views.report_settings, name="settings"),
]
