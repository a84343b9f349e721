"""Hashing of PINs and passwords with Argon2id (argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Light parameters: PINs are also rate-limited at sign-in, and a phone signs in on a
# 2-core server in ~10 ms instead of ~50 ms with the library defaults.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False
