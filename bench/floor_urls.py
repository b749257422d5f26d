"""The site's URLs and one more, for the bench only: an empty view behind
the whole middleware stack, the floor every page stands on."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from haven import urls as site


def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [*site.urlpatterns, path("bench-empty/", empty, name="bench-empty")]

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500
