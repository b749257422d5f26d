"""Secrets from the environment, from ``*_FILE`` paths, or generated files.

Imported by settings, so it must not touch Django.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def read_secret(name: str) -> str:
    """The value of NAME, or the stripped contents of the file named by NAME_FILE."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    path = os.environ.get(f"{name}_FILE", "").strip()
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return ""


def ensure_key_file(path: Path) -> str:
    """Return the key stored at ``path``, creating it (mode 0600) if absent.

    Creation uses O_EXCL so that two processes starting at once cannot write
    two different keys: the loser reads the winner's.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key
