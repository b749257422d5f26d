"""Production settings pass Django's deployment checks and refuse to start bare."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HAVEN_", "DATABASE_", "DJANGO_ALLOW_ASYNC"))
    }
    base.update({"HAVEN_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "HAVEN_ENV": "production",
    "HAVEN_SECRET_KEY": secrets.token_urlsafe(48),
    "HAVEN_MASTER_KEY": secrets.token_urlsafe(48),
    "HAVEN_ALLOWED_HOSTS": "haven.example.org",
    # Only named, never made, in production (docs/operations.md, "Audit checkpoints").
    "HAVEN_CHECKPOINT_DIR": "/nonexistent/haven-checkpoints",
}


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["HAVEN_SECRET_KEY", "HAVEN_MASTER_KEY", "HAVEN_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert missing in result.stderr
    assert not (tmp_path / "keys").exists(), "production must never generate keys"


def test_secrets_can_come_from_files(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text(secrets.token_urlsafe(48) + "\n")
    env = {k: v for k, v in PRODUCTION.items() if k != "HAVEN_SECRET_KEY"}
    env["HAVEN_SECRET_KEY_FILE"] = str(secret_file)
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_local_install_generates_private_key_files(tmp_path):
    result = run_manage("check", env={"HAVEN_ENV": "local"}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("secret_key", "master_key"):
        path = tmp_path / "keys" / name
        assert path.exists()
        assert path.stat().st_mode & 0o777 == 0o600
        assert len(path.read_text().strip()) >= 60
    first = (tmp_path / "keys" / "master_key").read_text()
    run_manage("check", env={"HAVEN_ENV": "local"}, tmp_path=tmp_path)
    assert (tmp_path / "keys" / "master_key").read_text() == first


def test_debug_is_refused_in_production(tmp_path):
    result = run_manage("check", env={**PRODUCTION, "HAVEN_DEBUG": "1"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "HAVEN_DEBUG" in result.stderr


def test_seed_demo_refuses_production(tmp_path):
    result = run_manage("seed_demo", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "refuses to run with production settings" in result.stderr


def test_sqlite_syncs_every_commit_by_default(db):
    """An acknowledged write survives a power cut, not only a crash (ADR 27)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("postgres://haven:pw@db.internal.example:5432/haven", True),
        ("postgres://haven:pw@db.internal.example:5432/haven?sslmode=require", True),
        ("postgres://haven:pw@db.internal.example:5432/haven?sslmode=verify-full", False),
        ("postgres://haven:pw@127.0.0.1:5432/haven", False),
        ("postgres://haven@%2Frun%2Fpostgresql/haven", False),
    ],
)
def test_production_reaches_a_database_elsewhere_only_over_checked_tls(tmp_path, url, refused):
    result = run_manage("check", env={**PRODUCTION, "DATABASE_URL": url}, tmp_path=tmp_path)
    assert (result.returncode != 0) == refused, result.stderr[-500:]
    if refused:
        assert "sslmode=verify-full" in result.stderr
        assert "pw" not in result.stderr.split("ImproperlyConfigured")[-1]


def test_every_cookie_haven_names_in_production_is_host_only(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME, "
        "s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, s.MESSAGE_STORAGE)"
    )
    result = run_manage("shell", "-c", code, env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    session, csrf, language, secure, httponly, messages = result.stdout.splitlines()[-1].split()
    assert all(name.startswith("__Host-") for name in (session, csrf, language))
    assert (secure, httponly) == ("True", "True")
    assert messages.endswith("SessionStorage")
