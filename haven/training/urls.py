from django.urls import path

from haven.training import views

app_name = "training"

urlpatterns = [
    path("training/", views.mine, name="mine"),
    path("training/overview/", views.overview, name="overview"),
    path("training/records/", views.records, name="records"),
    path("training/records/new/", views.record_new, name="record_new"),
    path("training/records/<uuid:record_id>/", views.record, name="record"),
    path("training/events/", views.events, name="events"),
    path("training/events/new/", views.event_new, name="event_new"),
    path("training/events/<uuid:event_id>/", views.event, name="event"),
    path("training/topics/", views.topics, name="topics"),
]
