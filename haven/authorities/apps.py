from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    """What goes to the authorities: contacts with law enforcement, Continued
    Presence requests and mandated reports, each through the disclosure gate."""

    name = "haven.authorities"
    label = "authorities"
    verbose_name = "Reports to the authorities"
