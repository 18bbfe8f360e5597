"""Typed errors of the workbench.

Every error carries a stable ``code`` (for programs and tests), a message for
people, and, where it applies, where the problem is (a JSON path, a field, a
URL or a file). No error ever includes secret key material. Each code belongs
to one error class; ``coopcreds_proto.error_codes`` says what each one means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are never evaluated here
    from typing_extensions import Self


class CoopCredsError(Exception):
    """Base class of all workbench errors.

    >>> err = CoopCredsError("bad-thing", "something is wrong", path="$.issuer")
    >>> str(err)
    'something is wrong (at $.issuer)'
    """

    def __init__(self, code: str, message: str, *, path: str | None = None) -> None:
        message, path = _bounded(message), _bounded(path)
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path

    def __str__(self) -> str:
        if self.path and self.path not in self.message:
            return f"{self.message} (at {self.path})"
        return self.message

    def with_context(self, prefix: str) -> Self:
        """The same error (class, code, path) with ``prefix: `` before its message.

        Code that adds context to an error it caught re-raises this, so a code
        keeps its one class:

        >>> err = InputError("bad-timestamp", "not a date").with_context("--now")
        >>> type(err).__name__, err.code, str(err)
        ('InputError', 'bad-timestamp', '--now: not a date')
        """
        return self._again(f"{prefix}: {self.message}", self.path)

    def with_path(self, path: str | None) -> Self:
        """The same error (class, code, message) about another place ``path``."""
        return self._again(self.message, path)

    def with_message(self, message: str) -> Self:
        """The same error (class, code, path) told with another ``message``."""
        return self._again(message, self.path)

    def _again(self, message: str, path: str | None) -> Self:
        # A copy, not a new instance: subclasses with their own __init__ (and
        # attributes such as a feedback error's problems) come back whole.
        message, path = _bounded(message), _bounded(path)
        again = type(self).__new__(type(self))
        again.__dict__.update(self.__dict__)
        again.args = (message,)
        again.message = message
        again.path = path
        return again


MAX_MESSAGE_CHARS = 2_000
"""The longest message or path an error carries: hostile input quoted in it is cut."""


@overload
def _bounded(text: str) -> str: ...
@overload
def _bounded(text: str | None) -> str | None: ...


def _bounded(text: str | None) -> str | None:
    """``text`` cut in the middle when longer than ``MAX_MESSAGE_CHARS``.

    A megabyte of input quoted in an error would reach every log and terminal.

    >>> len(_bounded("x" * 10_000)) <= MAX_MESSAGE_CHARS
    True
    """
    if text is None or len(text) <= MAX_MESSAGE_CHARS:
        return text
    cut = f"...[{len(text):,} characters]..."
    head = (MAX_MESSAGE_CHARS - len(cut)) * 3 // 4
    tail = MAX_MESSAGE_CHARS - len(cut) - head
    return text[:head] + cut + text[-tail:]


def require_type(value: object, kinds: type | tuple[type, ...], what: str) -> None:
    """Refuse ``value`` with a ``TypeError`` naming ``what`` unless it is one of ``kinds``.

    A wrong argument type is a programming error, told as one, never an
    ``AttributeError`` from deep inside:

    >>> require_type(None, dict, "credential")
    Traceback (most recent call last):
    ...
    TypeError: credential must be a dict, not NoneType
    """
    if isinstance(value, kinds):
        return
    names = [kinds.__name__] if isinstance(kinds, type) else [k.__name__ for k in kinds]
    wanted = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    raise TypeError(f"{what} must be a {wanted}, not {type(value).__name__}")


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
