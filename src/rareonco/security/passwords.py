"""Password hashing with Argon2id (argon2-cffi defaults, RFC 9106 recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def use_parameters(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Change the hashing cost (tests use the cheapest; existing hashes still verify)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                             parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
