"""The audit trail page: an agency's events, read by its auditors."""

from django.urls import path

from haven.desk.trail import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.event_list, name="event_list"),
]
