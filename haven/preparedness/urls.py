from django.urls import URLPattern, URLResolver, path

from haven.preparedness import home, views

app_name = "preparedness"

# /preparedness/ itself is the readiness view (``preparedness:home``), built apart.
urlpatterns: list[URLPattern | URLResolver] = [
    path("preparedness/", home.home, name="home"),
    path("preparedness/policies/", views.policies_list, name="policies"),
    path("preparedness/policies/new/", views.policy_new, name="policy_new"),
    path("preparedness/policies/<uuid:document_id>/", views.policy, name="policy"),
    path("preparedness/policies/<uuid:document_id>/edit/", views.policy_edit, name="policy_edit"),
    path(
        "preparedness/policies/<uuid:document_id>/versions/new/",
        views.version_new,
        name="version_new",
    ),
    path("preparedness/policies/<uuid:document_id>/review/", views.review, name="review"),
    path(
        "preparedness/policies/<uuid:document_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path("preparedness/meetings/", views.meetings, name="meetings"),
    path("preparedness/meetings/new/", views.meeting_new, name="meeting_new"),
    path("preparedness/meetings/<uuid:meeting_id>/", views.meeting, name="meeting"),
    path("preparedness/meetings/<uuid:meeting_id>/edit/", views.meeting_edit, name="meeting_edit"),
    path("preparedness/agreements/", views.agreements, name="agreements"),
    path("preparedness/agreements/new/", views.agreement_new, name="agreement_new"),
    path("preparedness/agreements/<uuid:agreement_id>/", views.agreement, name="agreement"),
]
