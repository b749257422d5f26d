from django.urls import path

from haven.accounts import views, views_approvals, views_tokens

app_name = "accounts"

urlpatterns = [
    path("setup/<str:token>/", views.setup_link, name="setup"),
    path("setup/", views.setup, name="setup_form"),
    path("invitation/<str:token>/", views.invitation_link, name="invitation_accept"),
    path("invitation/", views.invitation_accept, name="invitation_form"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/invite/", views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/deactivate/", views.staff_deactivate, name="staff_deactivate"),
    path("staff/<int:pk>/reactivate/", views.staff_reactivate, name="staff_reactivate"),
    path("staff/<int:pk>/reinvite/", views.staff_reinvite, name="staff_reinvite"),
    path("teams/new/", views.team_create, name="team_create"),
    path("approvals/", views_approvals.approval_list, name="approval_list"),
    path("approvals/rule/", views_approvals.two_person_rule, name="two_person_rule"),
    path("approvals/<uuid:approval_id>/", views_approvals.approval_detail, name="approval_detail"),
    path(
        "approvals/<uuid:approval_id>/withdraw/",
        views_approvals.approval_withdraw,
        name="approval_withdraw",
    ),
    path("me/api-tokens/", views_tokens.token_list, name="api_tokens"),
    path("me/api-tokens/<int:pk>/revoke/", views_tokens.token_revoke, name="api_token_revoke"),
    path("me/preferences/", views.preferences, name="preferences"),
    path("me/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("accounts/session-check/", views.session_check, name="session_check"),
]
