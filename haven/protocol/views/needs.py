"""Pages of the protocol: needs (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
