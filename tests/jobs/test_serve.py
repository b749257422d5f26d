"""``scripts/serve`` (what ``make run`` runs): gunicorn and a jobs worker
start with one command, /readyz sees the worker, and one SIGTERM (what
Ctrl+C turns into) stops both."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.installs import ROOT, install_copy

DEADLINE = 120  # seconds: a busy machine, never a timing assertion


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def test_serve_starts_gunicorn_and_a_worker_and_stops_both(tmp_path, migrated_install):
    env = install_copy(migrated_install, tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen(
        [str(ROOT / "scripts" / "serve"), f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: set[int] = set()
    try:
        deadline = time.monotonic() + DEADLINE
        answer = (0, b"")
        while time.monotonic() < deadline:
            children |= children_of(serve.pid)
            answer = get(f"{base}/readyz")
            if answer[0] == 200:
                break
            time.sleep(0.5)
        assert answer == (
            200,
            b'{"database": "ok", "keys": "ok", "migrations": "ok", "ledger": "ok", '
            b'"disk": "ok", "worker": "ok"}',
        )
        assert get(f"{base}/healthz") == (200, b"ok")
        children |= children_of(serve.pid)
        assert len(children) == 2  # gunicorn's master and the worker
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=DEADLINE) == 0
        assert not [pid for pid in children if alive(pid)]
        assert get(f"{base}/healthz")[0] == 0  # nothing listens any more
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.wait(timeout=30)
        for pid in children:
            if alive(pid):
                subprocess.run(["kill", "-KILL", str(pid)], check=False)
