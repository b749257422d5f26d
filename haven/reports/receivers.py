"""The facts follow the records: each save of a case, person, need,
referral, choice about law enforcement or stay rewrites its fact in the same
transaction, and a destroyed person's facts lose their ids."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from haven.people.models import Case, Person
from haven.protocol.models import LawEnforcementChoice, Need
from haven.referrals.models import Referral
from haven.reports import facts
from haven.shelter.models import Stay


def _saved(refresh: Any) -> Any:
    def receiver(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
        if not raw:  # fixtures load rows as they are
            refresh(instance)

    return receiver


_RECEIVERS = {
    Case: _saved(facts.episode_refresh),
    Person: _saved(facts.person_refresh),
    Need: _saved(facts.need_refresh),
    Referral: _saved(facts.referral_refresh),
    LawEnforcementChoice: _saved(facts.law_choice_refresh),
    Stay: _saved(facts.stay_refresh),
}
for model, receiver in _RECEIVERS.items():
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"reports.{model.__name__}")


def _person_destroyed(sender: Any, instance: Person, **kwargs: Any) -> None:
    facts.person_detach(instance.pk)


post_delete.connect(_person_destroyed, sender=Person, dispatch_uid="reports.person_destroyed")
