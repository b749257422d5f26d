"""Passwords are hashed with Argon2id at parameters that bound a worker's
memory, and hashes made with Django's defaults move to them at sign-in."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher

from haven.accounts import hashers
from haven.accounts.hashers import BoundedArgon2PasswordHasher
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def test_a_new_hash_is_argon2id_at_46_mib_one_pass_one_lane() -> None:
    encoded = BoundedArgon2PasswordHasher().encode(PASSWORD, "saltsaltsaltsalt")
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert BoundedArgon2PasswordHasher().verify(PASSWORD, encoded)
    assert not BoundedArgon2PasswordHasher().verify("wrong " + PASSWORD, encoded)


def test_a_hash_with_djangos_defaults_verifies_and_is_rewritten_at_sign_in(settings) -> None:
    settings.PASSWORD_HASHERS = ["haven.accounts.hashers.BoundedArgon2PasswordHasher"]
    user = UserFactory(agency=AgencyFactory())
    user.password = Argon2PasswordHasher().encode(PASSWORD, "saltsaltsaltsalt")
    user.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in user.password
    assert identify_hasher(user.password).must_update(user.password)

    assert user.check_password(PASSWORD)  # what sign-in does: verify, then upgrade

    user.refresh_from_db()
    assert "m=47104,t=1,p=1" in user.password
    assert check_password(PASSWORD, user.password)


def test_one_password_check_at_a_time_in_a_process() -> None:
    """While one check holds the process's slot, another waits for it."""
    encoded = BoundedArgon2PasswordHasher().encode(PASSWORD, "saltsaltsaltsalt")
    finished = threading.Event()

    def check() -> None:
        BoundedArgon2PasswordHasher().verify(PASSWORD, encoded)
        finished.set()

    with hashers._CHECKS:
        thread = threading.Thread(target=check)
        thread.start()
        assert not finished.wait(0.5)
    assert finished.wait(10)
    thread.join()
