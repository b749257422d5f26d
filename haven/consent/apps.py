from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "haven.consent"
    label = "consent"
    verbose_name = "Consent and disclosures"
