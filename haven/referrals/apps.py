from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "haven.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        import haven.referrals.receivers  # noqa: F401  (connects the signal handlers)
