from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "haven.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Every app's kinds (its ``jobs`` module) are registered at start-up,
        # before any worker looks one up.
        from haven.core import health
        from haven.jobs.registry import discover
        from haven.jobs.workers import worker_seen_recently

        discover()
        # /readyz: a worker was seen within the last minute.
        health.register("worker", worker_seen_recently)
