from django.urls import path

from haven.referrals import views

app_name = "referrals"

urlpatterns = [
    path("cases/<uuid:case_id>/referrals/", views.referrals, name="referrals"),
    path(
        "cases/<uuid:case_id>/referrals/new/<uuid:need_id>/<uuid:service_id>/",
        views.referral_new,
        name="referral_new",
    ),
    path(
        "cases/<uuid:case_id>/referrals/<uuid:referral_id>/",
        views.referral,
        name="referral",
    ),
    path(
        "cases/<uuid:case_id>/referrals/<uuid:referral_id>/referral.pdf",
        views.referral_pdf,
        name="referral_pdf",
    ),
    path("referrals/", views.inbox, name="inbox"),
    path("settings/expertise/", views.expertise, name="expertise"),
    path("referrals/<uuid:referral_id>/", views.inbox_referral, name="inbox_referral"),
]
