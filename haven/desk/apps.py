from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The composition layer: the pages that bring the feature apps together."""

    name = "haven.desk"
    label = "desk"
    verbose_name = "Haven desk"

    def ready(self) -> None:
        # A running lockdown stops its agency's background jobs: the jobs app
        # sits beside the safety app and cannot ask it itself.
        from haven.jobs import holds
        from haven.safety.lockdown import running_lockdown

        holds.register("lockdown", lambda agency_id: running_lockdown(agency_id) is not None)
