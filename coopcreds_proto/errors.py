"""Typed errors of the workbench.

Every error carries a stable ``code`` (for programs and tests), a message for
people, and, where it applies, where the problem is (a JSON path, a field, a
URL or a file). No error ever includes secret key material.
"""

from __future__ import annotations


class CoopCredsError(Exception):
    """Base class of all workbench errors.

    >>> err = CoopCredsError("bad-thing", "something is wrong", path="$.issuer")
    >>> str(err)
    'something is wrong (at $.issuer)'
    """

    def __init__(self, code: str, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path

    def __str__(self) -> str:
        if self.path and self.path not in self.message:
            return f"{self.message} (at {self.path})"
        return self.message


class InputError(CoopCredsError):
    """The input is unusable: not JSON, wrong shape, missing file, bad value."""


class KeyMaterialError(CoopCredsError):
    """A key or key file problem (wrong length, wrong passphrase, exists already)."""


class DocumentLoaderError(CoopCredsError):
    """A URL the offline document loader refuses or whose pinned bytes changed."""


class UnsafeJsonLdError(CoopCredsError):
    """A document the JSON-LD safety checks refuse before canonicalization."""


class ProofError(CoopCredsError):
    """A proof cannot be created or verified (unknown suite, bad options)."""
