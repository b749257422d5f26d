"""Pages of the protocol: safety (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
