"""The pages of stays, joined into ``haven.shelter.urls`` (namespace
``shelter``)."""

from django.urls import path

from haven.shelter import views_stays as views

urlpatterns = [
    path("shelter/", views.home, name="home"),
    path("shelter/waiting/", views.waiting, name="waiting"),
    path("shelter/sites/<uuid:site_id>/residents/", views.residents, name="residents"),
    path("cases/<uuid:case_id>/stays/", views.case_stays, name="case_stays"),
    path("cases/<uuid:case_id>/stays/admit/", views.stay_admit, name="stay_admit"),
    path("cases/<uuid:case_id>/stays/wait/", views.stay_request, name="stay_request"),
    path("cases/<uuid:case_id>/stays/place/", views.stay_place, name="stay_place"),
    path(
        "shelter/requests/<uuid:request_id>/withdraw/",
        views.request_withdraw,
        name="request_withdraw",
    ),
    path("shelter/stays/<uuid:stay_id>/", views.stay, name="stay"),
    path("shelter/stays/<uuid:stay_id>/move/", views.stay_move, name="stay_move"),
    path("shelter/stays/<uuid:stay_id>/end/", views.stay_end, name="stay_end"),
    path(
        "shelter/stays/<uuid:stay_id>/compromised/",
        views.stay_compromised,
        name="stay_compromised",
    ),
    path("shelter/stays/<uuid:stay_id>/check-in/", views.check_in, name="check_in"),
]
