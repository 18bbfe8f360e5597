"""``xsd:dateTimeStamp`` values: date-times that always carry a time zone.

>>> parse_timestamp("2026-01-01T09:30:00Z").isoformat()
'2026-01-01T09:30:00+00:00'
>>> format_timestamp(parse_timestamp("2026-01-01T10:30:00+01:00"))
'2026-01-01T09:30:00Z'
>>> parse_timestamp("2026-01-01T09:30:00")
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: '2026-01-01T09:30:00' is not an xsd:dateTimeStamp: it has no time zone (Z or +hh:mm)

**The ends of the calendar.** A moment is a point in UTC between
``0001-01-01T00:00:00Z`` and ``9999-12-31T23:59:59.999999Z`` (``EARLIEST`` and
``LATEST``, what Python's ``datetime`` can hold). A timestamp whose time zone
moves it out of that range is refused as ``bad-timestamp``, never an overflow
later on:

>>> parse_timestamp("9999-12-31T23:59:59-23:59")
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: '9999-12-31T23:59:59-23:59' is after 9999-12-31T23:59:59Z in UTC, the last moment the workbench can represent

A tolerance added to a moment (a verifier's clock skew, a status list's
``ttl``, a challenge's lifetime) saturates at those ends instead of
overflowing: :func:`shifted` of the last moment by five minutes is still the
last moment, so a check near the end of the calendar compares with
``LATEST``:

>>> format_timestamp(shifted(parse_timestamp("9999-12-31T23:59:00Z"), timedelta(minutes=5)))
'9999-12-31T23:59:59Z'

Leap seconds (``23:59:60``) are refused, as ``xsd:dateTime`` has none;
fractions of a second of any length are read to the microsecond.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta, timezone
from typing import Literal, overload

from .errors import InputError

_STAMP = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_NO_ZONE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")
_SHOWN = 64  # characters of a bad value quoted in a message
_ZERO = timedelta(0)

EARLIEST = datetime.min.replace(tzinfo=timezone.utc)
"""The first moment the workbench represents: 0001-01-01T00:00:00Z."""
LATEST = datetime.max.replace(tzinfo=timezone.utc)
"""The last moment the workbench represents: 9999-12-31T23:59:59.999999Z."""


def parse_timestamp(value: object, *, path: str | None = None) -> datetime:
    """An aware ``datetime`` from an ``xsd:dateTimeStamp`` string (see the module)."""
    if not isinstance(value, str):
        raise InputError(
            "bad-timestamp", f"{_shown(value)} is not a date-time string", path=path
        )
    if len(value) <= _SHOWN:
        try:
            return _parsed(value)
        except InputError:
            pass  # refused again below, naming where
    return _parse(value, path)


@functools.lru_cache(maxsize=1024)
def _parsed(value: str) -> datetime:
    """``_parse`` of a short text, kept: a verification reads the same few times
    several times over (a datetime is immutable; a refusal is not kept)."""
    return _parse(value, None)


def _parse(value: str, path: str | None) -> datetime:
    if not _STAMP.match(value):
        why = (
            "it has no time zone (Z or +hh:mm)"
            if _NO_ZONE.match(value)
            else "expected YYYY-MM-DDThh:mm:ssZ"
        )
        raise InputError(
            "bad-timestamp", f"{_shown(value)} is not an xsd:dateTimeStamp: {why}", path=path
        )
    # Python 3.10 reads only 3 or 6 fraction digits: normalise to 6.
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        why = str(exc) if len(str(exc)) <= _SHOWN else "not a date in the calendar"
        raise InputError(
            "bad-timestamp", f"{_shown(value)} is not a valid date-time: {why}", path=path
        ) from None
    return _representable(moment, _shown(value), path)


def _representable(moment: datetime, shown: str | None, path: str | None) -> datetime:
    """``moment`` if its UTC time is within ``EARLIEST`` .. ``LATEST``; else ``bad-timestamp``
    (``shown`` names it, ``repr(moment)`` if None)."""
    offset = moment.utcoffset() or _ZERO
    if offset == _ZERO:
        return moment  # its UTC time is its own time, in range
    shown = repr(moment) if shown is None else shown
    naive = moment.replace(tzinfo=None)
    if offset > timedelta(0) and naive - datetime.min < offset:
        raise InputError(
            "bad-timestamp",
            f"{shown} is before {format_timestamp(EARLIEST)} in UTC, the first moment the"
            " workbench can represent",
            path=path,
        )
    if offset < timedelta(0) and datetime.max - naive < -offset:
        raise InputError(
            "bad-timestamp",
            f"{shown} is after 9999-12-31T23:59:59Z in UTC, the last moment the workbench"
            " can represent",
            path=path,
        )
    return moment


def _shown(value: object) -> str:
    """``repr(value)``, shortened: a message never quotes a megabyte of input."""
    text = repr(value)
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN - 4]}...{text[-1]}"


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta`` in UTC, saturating at ``EARLIEST`` and ``LATEST`` instead of overflowing.

    The rule for every tolerance the workbench adds (clock skew, ``ttl``,
    lifetimes): past the end of the calendar is the end of the calendar. The
    sum is taken in UTC, where the range is checked (a moment's own fields can
    be in range while its UTC time is not).

    >>> shifted(EARLIEST, -timedelta(days=1)) == EARLIEST
    True
    """
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise TypeError(f"shifted needs an aware datetime, not {moment!r:.60}")
    if not isinstance(delta, timedelta):
        raise TypeError(f"shifted needs a timedelta, not {type(delta).__name__}")
    utc = _representable(moment, None, None).astimezone(timezone.utc)
    try:
        return utc + delta
    except OverflowError:
        return LATEST if delta > timedelta(0) else EARLIEST


def format_timestamp(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC (whole seconds; the year always has four digits).

    >>> format_timestamp(EARLIEST)
    '0001-01-01T00:00:00Z'
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"format_timestamp needs a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None:
        raise InputError("bad-timestamp", f"{moment!r} has no time zone")
    utc = _representable(moment, None, None).astimezone(timezone.utc)
    # Not strftime("%Y"): it writes year 1 as "1" on some platforms.
    return (f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
            f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z")


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


@overload
def as_datetime(value: datetime | str | None, *, default_now: Literal[True] = True) -> datetime: ...
@overload
def as_datetime(value: datetime | str | None, *, default_now: bool) -> datetime | None: ...


def as_datetime(value: datetime | str | None, *, default_now: bool = True) -> datetime | None:
    """Accept a ``datetime`` (aware) or a timestamp string; ``None`` means now.

    With ``default_now=False``, ``None`` stays ``None`` (no time given).
    """
    if value is None:
        return utc_now() if default_now else None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InputError("bad-timestamp", f"{value!r} has no time zone")
        return _representable(value, None, None)
    return parse_timestamp(value)
