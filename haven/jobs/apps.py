from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "haven.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Every app's kinds (its ``jobs`` module) are registered at start-up,
        # before any worker looks one up.
        from haven.jobs.registry import discover

        discover()
