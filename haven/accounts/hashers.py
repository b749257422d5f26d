"""Argon2id with parameters that hold a web worker's memory in bounds.

Django's Argon2 defaults (100 MiB, 2 passes, 8 lanes) make each password
check take 100 MiB: four threads of one worker checking passwords at once,
a busy morning's sign-ins or a flood of attempts, took a worker from 128 MB
to almost 500 MB under the load test. Haven uses one of the configurations
the OWASP Password Storage Cheat Sheet gives as equal in strength to its
baseline (46 MiB, 1 pass, 1 lane), and lets one check run at a time in a
process, so memory stays bounded whatever arrives (docs/adr/0028).

Stored hashes with other parameters still verify, and Django rewrites them
with these at the user's next sign-in (``must_update``).
"""

from __future__ import annotations

import threading

from django.contrib.auth.hashers import Argon2PasswordHasher

#: One password check at a time per process: each holds memory_cost KiB.
_CHECKS = threading.BoundedSemaphore(1)


class BoundedArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47_104  # KiB: 46 MiB
    parallelism = 1

    def encode(self, password: str, salt: str) -> str:
        with _CHECKS:
            return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        with _CHECKS:
            return super().verify(password, encoded)
