"""Pages of the protocol: identification (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
