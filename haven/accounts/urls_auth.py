"""The parts of allauth Haven uses. Sign-up, e-mail management and password
reset by e-mail are left out: staff join by invitation, and a forgotten
password is answered by an administrator's new invitation."""

from allauth.account import views as account_views
from allauth.usersessions import views as usersessions_views
from django.urls import include, path

from haven.accounts.stepup import fresh_factor_required

urlpatterns = [
    path("login/", account_views.login, name="account_login"),
    path("logout/", account_views.logout, name="account_logout"),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path("reauthenticate/", account_views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", account_views.password_change, name="account_change_password"),
    path("2fa/", include("allauth.mfa.urls")),
    # Ending other sessions asks for a fresh second factor first.
    path(
        "sessions/",
        fresh_factor_required(usersessions_views.list_usersessions),
        name="usersessions_list",
    ),
]
