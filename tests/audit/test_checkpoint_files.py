"""Checkpoint files: what one holds, how it is written, and every kind of
bad file or folder. A file that is not a genuine checkpoint is reported
(verify_integrity exits non-zero) and never used: the chains are still held
to the newest genuine one. A folder that is missing or cannot be written is
a clear message; nothing is changed and no traceback is shown."""

from __future__ import annotations

import base64
import errno
import io
import json
import os
import tempfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from haven.audit import checkpoint_files
from haven.audit.anchors import checkpoint_take
from haven.audit.checkpoint_files import AnchorError, checkpoint_write, checkpoints_read
from haven.audit.checkpoints import Basis, checkpoint_bytes, checkpoint_sign
from haven.audit.models import Action, AuditEvent
from haven.audit.selectors import chain_heads
from haven.audit.services import audit_record
from haven.core import signing
from tests.audit.anchoring import (
    event,
    files,
    newest,
    rewrite_from,
    take_checkpoint,
    verify_failure,
    verify_ok,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(admin_user, agency, clock):
    """Four events in the test agency's chain; its last position."""
    for _ in range(4):
        clock.advance(seconds=1)
        last = audit_record(action=Action.ROLES_CHANGED, actor=admin_user, object_type="user")
    return last.seq


def checkpoint_failure(*extra: str) -> str:
    with pytest.raises(CommandError) as failed:
        call_command("audit_checkpoint", *extra, stdout=io.StringIO(), stderr=io.StringIO())
    return str(failed.value)


def only_file(folder):
    (path,) = folder.glob("checkpoint-*.json")
    return path


# --- What a checkpoint file is ------------------------------------------------------


def test_a_checkpoint_is_one_signed_canonical_file_of_every_chains_head(
    folder, trail, clock, agency, settings
):
    at = take_checkpoint(clock)
    path = only_file(folder)
    assert path.name.startswith(f"checkpoint-{at}-")
    raw = path.read_bytes()
    signed = json.loads(raw)
    assert raw == json.dumps(signed, sort_keys=True, separators=(",", ":")).encode() + b"\n"
    heads = chain_heads()
    assert signed["checkpoint"] == {
        "kind": "haven.audit_checkpoint",
        "format": 1,
        "taken_at": at,
        "basis": "continued",
        "chains": [
            {"chain": h.chain, "seq": h.seq, "hash": h.hash, "count": h.count}
            for h in heads.values()
        ],
        "unmatched": [],
    }
    assert heads[agency.pk].count == heads[agency.pk].seq == trail
    # Signed with the installation's key, which is not in the database.
    public = signing.load_public(settings.KEY_DIR / "signing_key.pub")
    body = json.dumps(signed["checkpoint"], sort_keys=True, separators=(",", ":")).encode()
    signature = base64.b64decode(signed["signature"])
    signing.verify(public, signature, b"haven audit checkpoint\n" + body)
    # Nothing else left in the folder (no temporary file).
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_a_checkpoint_file_is_never_rewritten(folder, trail, clock, monkeypatch):
    monkeypatch.setattr(checkpoint_files.secrets, "token_hex", lambda n: "same")
    checkpoint, _ = checkpoint_take(since=[])
    key = signing.signing_key()
    path = checkpoint_write(folder, checkpoint_sign(checkpoint, key), checkpoint)
    before = path.read_bytes()
    clock.advance(seconds=1)
    audit_record(action=Action.SIGN_IN_FAILED, object_type="user")
    later, _ = checkpoint_take(since=[])
    with pytest.raises(AnchorError, match="already exists: a checkpoint is never rewritten"):
        checkpoint_write(folder, checkpoint_sign(later, key), checkpoint)
    assert path.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == [path.name]


def test_a_write_that_fails_half_way_leaves_nothing(folder, trail, clock, monkeypatch):
    take_checkpoint(clock)
    before = files(folder)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(checkpoint_files.os, "fsync", full)
    clock.advance(minutes=1)
    assert "No space left on device" in checkpoint_failure()
    assert files(folder) == before


# --- Bad files: reported, never used ----------------------------------------------


def _stamp(clock) -> str:
    return clock.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _signed_with(key: Ed25519PrivateKey, clock) -> bytes:
    """A well-formed checkpoint of the database as it is now, signed with ``key``."""
    checkpoint, _ = checkpoint_take(since=[], basis=Basis.ACCEPTED)
    return checkpoint_bytes(checkpoint_sign(checkpoint, key))


def _edited(folder, clock) -> bytes:
    """The newest genuine file, its chains changed to the database's heads now."""
    signed = json.loads(newest_file(folder).read_bytes())
    signed["checkpoint"]["chains"] = [
        {"chain": h.chain, "seq": h.seq, "hash": h.hash, "count": h.count}
        for h in chain_heads().values()
    ]
    signed["checkpoint"]["taken_at"] = _stamp(clock)
    return json.dumps(signed).encode()


def newest_file(folder):
    return sorted(folder.glob("checkpoint-*.json"))[-1]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (
            lambda folder, clock: _signed_with(Ed25519PrivateKey.generate(), clock),
            "does not verify",
        ),
        (_edited, "has a signature that does not verify"),
        (lambda folder, clock: newest_file(folder).read_bytes()[:-40], "is not JSON"),
        (lambda folder, clock: b"\x00\xffnot json at all", "is not JSON"),
        (lambda folder, clock: b"", "is not JSON"),
        (lambda folder, clock: b'{"checkpoint": {}, "signature": NaN}', "is not JSON"),
        (lambda folder, clock: b"[1, 2, 3]", "is not a signed checkpoint"),
        (
            lambda folder, clock: json.dumps(
                {**json.loads(newest_file(folder).read_bytes()), "signature": "***"}
            ).encode(),
            "has a malformed signature",
        ),
    ],
    ids=[
        "another-key",
        "edited",
        "truncated",
        "binary",
        "empty",
        "not-strict-json",
        "not-an-object",
        "bad-signature",
    ],
)
def test_a_bad_newest_file_is_reported_and_the_chains_are_held_to_the_genuine_one(
    folder, trail, clock, agency, make, reason
):
    """A genuine checkpoint, a rewrite, then a newer file (what someone who
    cannot sign would leave to cover the rewrite)."""
    take_checkpoint(clock)
    rewrite_from(agency.pk, 2)
    clock.advance(hours=1)
    name = f"checkpoint-{_stamp(clock)}-ffffff.json"
    (folder / name).write_bytes(make(folder, clock))
    before, events = files(folder), AuditEvent.objects.count()
    _, lines = verify_failure()
    assert f"BROKEN checkpoint file {name} " in lines
    assert reason in lines.split(name)[1].splitlines()[0]
    # Still held to the newest genuine checkpoint: the rewrite is named.
    assert f"BROKEN chain {agency.pk}: event {event(agency.pk, trail).pk} (seq {trail})" in lines
    assert (files(folder), AuditEvent.objects.count()) == (before, events)


def test_a_checkpoint_taken_beside_a_forged_file_says_it_was_not_used(folder, trail, clock):
    signing.signing_key()
    folder.mkdir()
    forged = _signed_with(Ed25519PrivateKey.generate(), clock)
    (folder / "checkpoint-2026-03-02T09:00:00.000000Z-dddddd.json").write_bytes(forged)
    clock.advance(minutes=1)
    err = io.StringIO()
    call_command("audit_checkpoint", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == (
        "WARNING checkpoint file checkpoint-2026-03-02T09:00:00.000000Z-dddddd.json has a "
        "signature that does not verify: altered, forged, or signed with another "
        "installation's key; it was not used\n"
    )
    assert (folder / "checkpoint-2026-03-02T09:00:00.000000Z-dddddd.json").read_bytes() == forged


def test_a_forged_file_alone_fails_verification(folder, trail, clock):
    signing.signing_key()  # the installation's own key exists
    forged = _signed_with(Ed25519PrivateKey.generate(), clock)
    folder.mkdir()
    (folder / "checkpoint-2026-03-02T09:00:00.000000Z-aaaaaa.json").write_bytes(forged)
    message, _ = verify_failure()
    name = "checkpoint-2026-03-02T09:00:00.000000Z-aaaaaa.json"
    assert f"checkpoint file {name} has a signature that does not verify" in message


def test_a_genuine_file_dated_in_the_future_is_reported_and_not_used(folder, trail, clock, agency):
    at = take_checkpoint(clock)
    clock.advance(days=2)
    take_checkpoint(clock)  # a machine whose clock ran two days ahead
    clock.advance(days=-2)
    rewrite_from(agency.pk, 3)
    _, lines = verify_failure()
    assert "is dated in the future" in lines
    assert f"no longer matches the checkpoint of {at}" in lines


def test_a_signed_checkpoint_of_a_format_this_haven_does_not_read_is_reported(folder, trail, clock):
    take_checkpoint(clock)
    signed = json.loads(newest_file(folder).read_bytes())
    signed["checkpoint"]["format"] = 2
    body = json.dumps(signed["checkpoint"], sort_keys=True, separators=(",", ":")).encode()
    key = signing.signing_key()
    signed["signature"] = base64.b64encode(key.sign(b"haven audit checkpoint\n" + body)).decode()
    (folder / "checkpoint-2026-03-02T10:00:00.000000Z-bbbbbb.json").write_text(json.dumps(signed))
    _, lines = verify_failure()
    assert "is in a format (2) this Haven does not read" in lines


def test_a_manifests_signature_is_never_taken_for_a_checkpoints(folder, trail, clock):
    """The same key signs backup manifests: a checkpoint's signature is over
    a prefixed message, so one cannot stand in for the other."""
    take_checkpoint(clock)
    signed = json.loads(newest_file(folder).read_bytes())
    body = json.dumps(signed["checkpoint"], sort_keys=True, separators=(",", ":")).encode()
    signed["signature"] = base64.b64encode(signing.signing_key().sign(body)).decode()
    (folder / "checkpoint-2026-03-02T10:00:00.000000Z-cccccc.json").write_text(json.dumps(signed))
    _, lines = verify_failure()
    assert "cccccc.json has a signature that does not verify" in lines


def test_a_file_too_large_to_be_a_checkpoint_is_not_read_whole(folder, trail, clock, monkeypatch):
    take_checkpoint(clock)
    monkeypatch.setattr(checkpoint_files, "MAX_BYTES", 64)
    _, lines = verify_failure()
    assert "is too large to be a checkpoint" in lines


def test_other_files_in_the_folder_are_left_alone(folder, trail, clock):
    take_checkpoint(clock)
    (folder / "README.txt").write_text("the operator's note")
    (folder / ".checkpoint-left-by-a-crash.tmp").write_bytes(b"half")
    verify_ok()
    take_checkpoint(clock)
    assert (folder / "README.txt").read_text() == "the operator's note"


# --- Folders that are missing, unreadable or unwritable -------------------------------


def test_without_a_checkpoint_folder_the_chains_are_checked_against_themselves(
    settings, trail, tmp_path
):
    settings.KEY_DIR = tmp_path / "keys"
    settings.HAVEN_CHECKPOINT_DIR = None
    _, err = verify_ok()
    assert err == (
        "WARNING no checkpoint folder (HAVEN_CHECKPOINT_DIR): the audit chains were checked "
        "only against themselves\n"
    )
    assert "no checkpoint folder: set HAVEN_CHECKPOINT_DIR" in checkpoint_failure()
    assert list(tmp_path.glob("**/checkpoint-*")) == []


def test_a_missing_folder_is_reported_by_verify_and_made_by_the_first_checkpoint(
    folder, trail, clock
):
    _, err = verify_ok()
    assert f"WARNING the checkpoint folder {folder} does not exist yet" in err
    assert not folder.exists()
    take_checkpoint(clock)
    assert folder.stat().st_mode & 0o777 == 0o700


def test_production_never_makes_a_missing_folder(folder, trail, clock, settings, monkeypatch):
    signing.signing_key()
    monkeypatch.setenv("HAVEN_SIGNING_KEY_FILE", str(settings.KEY_DIR / "signing_key"))
    settings.PRODUCTION = True
    message = checkpoint_failure()
    assert message == (
        f"the checkpoint folder {folder} does not exist: create it, writable by Haven only "
        '(docs/operations.md, "Audit checkpoints")'
    )
    assert not folder.exists()


def test_a_file_where_the_folder_should_be_is_refused(folder, trail):
    folder.write_text("not a folder")
    assert checkpoint_failure() == f"the checkpoint folder {folder} is not a folder"
    message, _ = verify_failure()
    assert f"the checkpoint folder {folder} is not a folder" in message
    assert folder.read_text() == "not a folder"


def _unwritable(folder, monkeypatch) -> None:
    """A folder Haven may read but not write. Root ignores the mode, so as
    root the system call is refused the way the kernel would refuse it."""
    folder.mkdir()
    folder.chmod(0o500)
    if os.geteuid() == 0:

        def refused(*args, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(tempfile, "mkstemp", refused)


def test_an_unwritable_folder_is_a_clear_error_and_nothing_changes(
    folder, trail, clock, monkeypatch
):
    _unwritable(folder, monkeypatch)
    events = AuditEvent.objects.count()
    try:
        message = checkpoint_failure()
    finally:
        folder.chmod(0o700)
    assert message == f"cannot write in the checkpoint folder {folder}: Permission denied"
    assert list(folder.iterdir()) == []
    assert AuditEvent.objects.count() == events


def test_an_unreadable_folder_fails_verification(folder, trail, clock, monkeypatch):
    take_checkpoint(clock)

    def refused(path):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(checkpoint_files.os, "scandir", refused)
    message, _ = verify_failure()
    assert message.endswith(f"cannot read the checkpoint folder {folder}: Permission denied")


def test_checkpoints_cannot_be_checked_without_the_public_key(folder, trail, clock, settings):
    take_checkpoint(clock)
    for name in ("signing_key", "signing_key.pub"):
        (settings.KEY_DIR / name).unlink()
    message, _ = verify_failure()
    assert "cannot check the checkpoints' signatures: no signer's key in the key folder" in message


def test_production_without_its_signing_key_takes_no_checkpoint(
    folder, trail, settings, monkeypatch
):
    monkeypatch.delenv("HAVEN_SIGNING_KEY", raising=False)
    monkeypatch.delenv("HAVEN_SIGNING_KEY_FILE", raising=False)
    settings.PRODUCTION = True
    folder.mkdir()
    message = checkpoint_failure()
    assert message.startswith(
        "cannot sign a checkpoint: no signing key: set HAVEN_SIGNING_KEY_FILE"
    )
    assert list(folder.iterdir()) == []


def test_check_deploy_warns_when_production_names_no_checkpoint_folder(settings):
    from haven.audit.checks import checkpoint_folder_named

    settings.HAVEN_CHECKPOINT_DIR = None
    (warning,) = checkpoint_folder_named()
    assert warning.id == "haven.W001"
    settings.HAVEN_CHECKPOINT_DIR = "/var/lib/haven/checkpoints"
    assert checkpoint_folder_named() == []


def test_verify_can_hold_the_chains_to_a_copy_of_the_checkpoints_kept_elsewhere(
    folder, trail, clock, agency, tmp_path
):
    take_checkpoint(clock)
    copy = tmp_path / "offsite"
    copy.mkdir()
    for path in folder.iterdir():
        (copy / path.name).write_bytes(path.read_bytes())
    for path in folder.iterdir():
        path.unlink()  # someone removed the checkpoints on the machine
    rewrite_from(agency.pk, 2)
    verify_ok()  # nothing to hold the chains to here...
    message, _ = verify_failure("--checkpoints", str(copy))  # ...but the copy does
    assert f"chain {agency.pk}: event {event(agency.pk, trail).pk}" in message
    assert checkpoints_read(copy).rejected == []
    assert newest(copy).anchors[agency.pk].seq == trail
