"""Pages of the protocol: rights (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
