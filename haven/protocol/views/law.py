"""Pages of the protocol: law (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
