"""Single-use, expiring challenges for presentations (the verifier's side of replay protection).

A verifier hands out a fresh ``challenge`` for its ``domain``; the holder signs
a presentation bound to both; the verifier accepts that challenge once, before
it expires, and never again. ``ChallengeStore`` does that bookkeeping:

- ``issue(domain)`` -> ``Challenge`` (value from an injectable ``RandomSource``,
  expiry from an injectable clock);
- ``check(value, domain)`` -> the ``Challenge`` if it could be consumed now,
  else ``ChallengeError`` (codes ``unknown-challenge``, ``challenge-expired``,
  ``challenge-replayed``, ``challenge-wrong-domain``);
- ``consume(value, domain)``: the same check and marking it used, atomically
  (thread-safe: of two concurrent consumers exactly one wins);
- optional persistence: ``ChallengeStore(path=FILE)`` keeps the challenges in
  a file that several processes may share (each a server worker, say). Every
  operation holds an exclusive ``flock`` on ``FILE.lock``, re-reads the file,
  and writes any change atomically (temp file + ``os.replace``), so of two
  processes consuming the same challenge exactly one wins.

Used challenges are remembered until they would have expired, so a replay is
named as a replay, then forgotten (an expired challenge is refused anyway).

The store is bounded, so that anyone may ask for challenges in a loop without
growing it: it holds at most ``max_outstanding`` challenges (default
``MAX_OUTSTANDING``), and issuing one more evicts the oldest. An evicted
challenge is forgotten for good: presented later it is refused as
``unknown-challenge``, never accepted. Every challenge expires: a lifetime is
at most ``MAX_TTL``, and one read from a file with a longer one is cut to it.

>>> from datetime import datetime, timezone
>>> from coopcreds_proto.randomness import SeededRandom
>>> clock = lambda: datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
>>> store = ChallengeStore(rng=SeededRandom("doc"), clock=clock)
>>> c = store.issue("https://riverside.coop.example")
>>> store.consume(c.value, "https://riverside.coop.example") == c
True
>>> store.consume(c.value, "https://riverside.coop.example")
Traceback (most recent call last):
...
coopcreds_proto.vc.challenges.ChallengeError: this challenge was already used: a replayed presentation is refused
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..safe_json import Limits, loads_strict
from ..timestamps import format_timestamp, parse_timestamp, shifted, utc_now

CHALLENGE_BYTES = 24  # 192 bits: unguessable, short enough for a QR code
DEFAULT_TTL = timedelta(minutes=5)
MAX_TTL = timedelta(days=1)
# Bounds memory and the file if someone requests challenges in a loop: beyond
# it the oldest is evicted (a file of 1,000 challenges is about 150 kB).
MAX_OUTSTANDING = 1_000
_ENTRY_BYTES = 1024  # far more than one saved challenge takes


class ChallengeError(CoopCredsError):
    """A challenge that cannot be accepted (unknown, expired, replayed, other domain)."""


@dataclass(frozen=True)
class Challenge:
    """A challenge issued for one domain, valid until ``expires``, used at most once."""

    value: str
    domain: str
    issued: datetime
    expires: datetime

    def to_json(self) -> dict:
        return {
            "challenge": self.value,
            "domain": self.domain,
            "issued": format_timestamp(self.issued),
            "expires": format_timestamp(self.expires),
        }


class ChallengeStore:
    """Issues and consumes single-use, expiring challenges (see the module docstring)."""

    def __init__(
        self,
        *,
        ttl: timedelta = DEFAULT_TTL,
        rng: RandomSource = DEFAULT_RANDOM,
        clock: Callable[[], datetime] = utc_now,
        path: str | os.PathLike[str] | None = None,
        max_outstanding: int = MAX_OUTSTANDING,
    ) -> None:
        if not isinstance(ttl, timedelta) or not timedelta(0) < ttl <= MAX_TTL:
            raise InputError(
                "bad-ttl", f"the challenge lifetime must be a positive timedelta of at most {MAX_TTL}"
            )
        if not isinstance(max_outstanding, int) or isinstance(max_outstanding, bool) \
                or max_outstanding < 1:
            raise InputError(
                "bad-count", "max_outstanding must be a whole number of challenges, 1 or more"
            )
        self.ttl = ttl
        self._rng = rng
        self._clock = clock
        self._path = Path(path) if path is not None else None
        self._max = max_outstanding
        self._lock = threading.Lock()
        # value -> (challenge, used)
        self._items: dict[str, tuple[Challenge, bool]] = {}
        # The file's bytes as _items was read from or written to: unchanged, they are not
        # parsed again (reading them is cheap; parsing every challenge is not).
        self._seen: bytes | None = None
        if self._path is not None:
            with self._shared():
                pass  # reads the file now: a damaged one is reported at once

    def __repr__(self) -> str:
        # Outstanding challenges are not shown: they are live credentials of a sort.
        where = f", path={str(self._path)!r}" if self._path else ""
        return f"ChallengeStore(ttl={self.ttl}, outstanding={len(self)}{where})"

    def __len__(self) -> int:
        with self._shared():
            return sum(1 for _, used in self._items.values() if not used)

    @contextmanager
    def _shared(self) -> Iterator[None]:
        """The thread lock, and with a file the process lock and a fresh read of the file."""
        with self._lock:
            if self._path is None:
                yield
                return
            self._path.parent.mkdir(parents=True, exist_ok=True)
            lock_path = self._path.with_name(self._path.name + ".lock")
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                raw = self._read()
                if raw is None or raw != self._seen:
                    # Another process wrote since this one last read or wrote it.
                    self._items, self._seen = {}, None
                    if raw is not None:
                        self._load(raw)
                        self._seen = raw
                try:
                    yield
                except BaseException:
                    self._seen = None  # what is in memory may not be what is on disk
                    raise
            finally:
                os.close(fd)  # closing releases the flock

    def _read(self) -> bytes | None:
        """The file's bytes (bounded), or None if there is no file yet."""
        assert self._path is not None
        try:
            return read_bounded(self._path, (self._max + 1) * _ENTRY_BYTES, what="challenge file")
        except FileNotFoundError:
            return None
        except CoopCredsError as exc:
            raise InputError(
                "bad-challenge-file", f"the challenge store file is damaged: {exc.message}",
                path=str(self._path),
            ) from None

    def now(self) -> datetime:
        """The store's clock."""
        return self._clock()

    def issue(self, domain: str) -> Challenge:
        """A fresh challenge for ``domain``, valid for ``ttl``."""
        if not isinstance(domain, str) or not domain:
            raise InputError("bad-domain", "a challenge needs a non-empty domain")
        with self._shared():
            now = self._clock()
            self._prune(now)
            self._evict(self._max - 1)
            while True:
                value = base64.urlsafe_b64encode(self._rng.bytes(CHALLENGE_BYTES)).decode()
                value = value.rstrip("=")
                if value not in self._items:
                    break
            challenge = Challenge(value, domain, now, shifted(now, self.ttl))
            self._items[value] = (challenge, False)
            self._save()
            return challenge

    def check(self, value: str, domain: str) -> Challenge:
        """The challenge ``value`` if it could be consumed for ``domain`` now; else raise."""
        with self._shared():
            return self._usable(value, domain, self._clock())

    def consume(self, value: str, domain: str) -> Challenge:
        """Check ``value`` for ``domain`` and mark it used, atomically; raise if unusable."""
        with self._shared():
            challenge = self._usable(value, domain, self._clock())
            self._items[value] = (challenge, True)
            self._save()
            return challenge

    def _usable(self, value: str, domain: str, now: datetime) -> Challenge:
        entry = self._items.get(value) if isinstance(value, str) else None
        if entry is None:
            raise ChallengeError(
                "unknown-challenge", "this verifier did not issue this challenge (or forgot it)"
            )
        challenge, used = entry
        if used:
            raise ChallengeError(
                "challenge-replayed",
                "this challenge was already used: a replayed presentation is refused",
            )
        if now >= challenge.expires:
            raise ChallengeError(
                "challenge-expired", f"the challenge expired at {format_timestamp(challenge.expires)}"
            )
        if challenge.domain != domain:
            raise ChallengeError(
                "challenge-wrong-domain",
                f"the challenge was issued for {challenge.domain}, not {domain}",
            )
        return challenge

    def _prune(self, now: datetime) -> None:
        # Expired challenges (used or not) are refused as expired either way.
        for value in [v for v, (c, _) in self._items.items() if now >= c.expires]:
            del self._items[value]

    def _evict(self, keep: int) -> None:
        """Forget the oldest challenges until at most ``keep`` are left (issue order)."""
        while len(self._items) > keep:
            del self._items[next(iter(self._items))]

    # --- persistence -----------------------------------------------------------

    def _load(self, raw: bytes) -> None:
        # The file is as large as the store allows, whatever a document may hold.
        limits = Limits(max_bytes=len(raw), max_values=(self._max + 1) * 8,
                        max_items=self._max + 1)
        try:
            data = loads_strict(raw, limits)
            items = data["challenges"]
            for entry in items:
                issued = parse_timestamp(entry["issued"])
                challenge = Challenge(
                    entry["challenge"],
                    entry["domain"],
                    issued,
                    # Every challenge expires, whatever lifetime wrote the file.
                    min(parse_timestamp(entry["expires"]), shifted(issued, MAX_TTL)),
                )
                if not isinstance(challenge.value, str) or not isinstance(challenge.domain, str):
                    raise TypeError("a challenge and its domain are strings")
                self._items[challenge.value] = (challenge, bool(entry["used"]))
        except (KeyError, TypeError, AttributeError, CoopCredsError) as exc:
            why = f": {exc.message}" if isinstance(exc, CoopCredsError) else ""
            raise InputError(
                "bad-challenge-file", f"the challenge store file is damaged{why}",
                path=str(self._path),
            ) from None
        self._evict(self._max)

    def _save(self) -> None:
        if self._path is None:
            return
        # One challenge a line, no indentation: the file stays small and readable.
        lines = [_saved_line(c, used) for c, used in self._items.values()]
        content = ('{"challenges": [\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8")
        write_atomically(self._path, content, overwrite=True, mode=0o600)
        self._seen = content


@lru_cache(maxsize=4 * MAX_OUTSTANDING)
def _saved_line(challenge: Challenge, used: bool) -> str:
    """A challenge as one line of the file (each is written many times: kept)."""
    return json.dumps({**challenge.to_json(), "used": used}, separators=(",", ":"))
