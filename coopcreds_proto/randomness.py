"""Sources of randomness: cryptographically secure by default, seeded on request.

Everything in the workbench that needs random bytes (new keys, challenges,
nonces, status-list indexes) takes a ``RandomSource``. The default reads the
operating system's CSPRNG. Notebooks, demos and tests pass a ``SeededRandom``
so that their output is the same on every run; never use a seed for real keys.

>>> rng = SeededRandom("demo")
>>> rng.bytes(4) == SeededRandom("demo").bytes(4)
True
"""

from __future__ import annotations

import hashlib
import os
from typing import Protocol


class RandomSource(Protocol):
    """Anything that can hand out random bytes."""

    def bytes(self, n: int) -> bytes:  # pragma: no cover - protocol
        ...


class SystemRandom:
    """The operating system's CSPRNG (``os.urandom``): the default everywhere."""

    def bytes(self, n: int) -> bytes:
        return os.urandom(n)

    def __repr__(self) -> str:
        return "SystemRandom()"


class SeededRandom:
    """A deterministic stream (SHAKE-256 of a seed and a counter) for demos and tests.

    The same seed always gives the same bytes, so a seeded notebook is
    reproducible. It is predictable by design: not for real keys.
    """

    def __init__(self, seed: str | bytes) -> None:
        if not isinstance(seed, (str, bytes, bytearray)):
            raise TypeError(f"a seed is text or bytes, not {type(seed).__name__}")
        self._seed = seed.encode() if isinstance(seed, str) else bytes(seed)
        self._counter = 0

    def bytes(self, n: int) -> bytes:
        if n < 0:
            raise ValueError("n must be >= 0")
        block = hashlib.shake_256(
            b"coopcreds-seeded-random\x00" + self._seed + self._counter.to_bytes(8, "big")
        ).digest(n)
        self._counter += 1
        return block

    def __repr__(self) -> str:
        return "SeededRandom(<seed>)"


def randbelow(rng: RandomSource, n: int) -> int:
    """A uniform integer in ``[0, n)`` from ``rng``, by rejection sampling.

    >>> 0 <= randbelow(SeededRandom("x"), 10) < 10
    True
    """
    if not callable(getattr(rng, "bytes", None)):
        raise TypeError(f"rng must be a RandomSource, not {type(rng).__name__}")
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"n must be a whole number, not {type(n).__name__}")
    if n <= 0:
        raise ValueError("n must be positive")
    nbytes = (n.bit_length() + 7) // 8 + 1
    limit = (256**nbytes // n) * n
    while True:
        value = int.from_bytes(rng.bytes(nbytes), "big")
        if value < limit:
            return value % n


DEFAULT_RANDOM: RandomSource = SystemRandom()
