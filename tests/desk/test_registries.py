"""The registries through which lower apps ask higher ones (ADR 20) are
filled once the apps are ready: with an entry missing, a lockdown would
hold no one, evidence would open to no one, and verify_integrity would skip
the communications logs."""

from __future__ import annotations

from haven.accounts import holds
from haven.attachments.models import SAFETY_USES
from haven.attachments.policies import uses_ruled_by_record
from haven.audit.integrity import registered_checks


def test_the_lockdown_holds_sign_ins():
    assert "lockdown" in holds.registered()


def test_safety_rules_who_opens_its_files():
    assert set(uses_ruled_by_record()) == set(SAFETY_USES)


def test_the_communications_logs_are_verified_with_the_trail():
    assert "communications" in registered_checks()
