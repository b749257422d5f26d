from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ledger_ensure(**kwargs: Any) -> None:
    from haven.core.ledger import ledger_ensure

    ledger_ensure()


class CoreConfig(AppConfig):
    name = "haven.core"
    label = "core"
    verbose_name = "Haven core"

    def ready(self) -> None:
        # An installation has its destruction ledger from its first migrate,
        # so a restore can tell "no destruction yet" from "the ledger is lost".
        post_migrate.connect(_ledger_ensure, sender=self, dispatch_uid="haven-ledger")
        from haven.core.health import register_core_checks

        register_core_checks()
