"""Pages of the protocol: minors (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
