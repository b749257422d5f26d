"""The sealing primitives: binding to their place, and nonces that never repeat."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.core.crypto import (
    DecryptionError,
    blind_index,
    derive_key,
    fold,
    new_key,
    seal,
    strip_marks,
    unseal,
)


def test_round_trip():
    key = new_key()
    assert unseal(key, seal(key, b"synthetic value", aad=b"t.f.1"), aad=b"t.f.1") == (
        b"synthetic value"
    )


def test_sealed_value_moved_to_another_place_does_not_open():
    key = new_key()
    sealed = seal(key, b"synthetic value", aad=b"people.legal_name.row-1.v1")
    for other in (
        b"people.legal_name.row-2.v1",
        b"people.alias.row-1.v1",
        b"people.legal_name.row-1.v2",
    ):
        with pytest.raises(DecryptionError):
            unseal(key, sealed, aad=other)


def test_wrong_key_or_altered_byte_does_not_open():
    key = new_key()
    sealed = bytearray(seal(key, b"synthetic value", aad=b"a"))
    with pytest.raises(DecryptionError):
        unseal(new_key(), bytes(sealed), aad=b"a")
    sealed[-1] ^= 1
    with pytest.raises(DecryptionError):
        unseal(key, bytes(sealed), aad=b"a")
    with pytest.raises(DecryptionError):
        unseal(key, b"\x01short", aad=b"a")


@settings(max_examples=50)
@given(st.lists(st.binary(max_size=64), min_size=2, max_size=200))
def test_nonces_never_repeat(values):
    key = new_key()
    nonces = [seal(key, value, aad=b"x")[1:13] for value in values]
    assert len(set(nonces)) == len(nonces)


@given(st.binary(max_size=256), st.binary(max_size=32))
def test_any_value_round_trips(value, aad):
    key = new_key()
    assert unseal(key, seal(key, value, aad=aad), aad=aad) == value


def test_derived_keys_differ_by_purpose():
    secret = b"s" * 32
    assert derive_key(secret, purpose="a") != derive_key(secret, purpose="b")
    assert derive_key(secret, purpose="a") == derive_key(secret, purpose="a")


def test_normalisation_and_blind_index():
    key = new_key()
    assert fold("  María   JOSÉ ") == "maría josé"
    assert strip_marks(fold("María José")) == "maria jose"
    assert blind_index(key, fold("ANA")) == blind_index(key, fold("ana "))
    assert blind_index(key, "ana") != blind_index(new_key(), "ana")
    assert "ana" not in blind_index(key, "ana")
