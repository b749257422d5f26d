from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "haven.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        import haven.reports.receivers  # noqa: F401  (connects the signal handlers)
