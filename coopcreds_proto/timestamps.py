"""``xsd:dateTimeStamp`` values: date-times that always carry a time zone.

>>> parse_timestamp("2026-01-01T09:30:00Z").isoformat()
'2026-01-01T09:30:00+00:00'
>>> format_timestamp(parse_timestamp("2026-01-01T10:30:00+01:00"))
'2026-01-01T09:30:00Z'
>>> parse_timestamp("2026-01-01T09:30:00")
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: '2026-01-01T09:30:00' is not an xsd:dateTimeStamp: it has no time zone (Z or +hh:mm)
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Literal, overload

from .errors import InputError

_STAMP = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_NO_ZONE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$")


def parse_timestamp(value: object, *, path: str | None = None) -> datetime:
    """An aware ``datetime`` from an ``xsd:dateTimeStamp`` string."""
    if not isinstance(value, str):
        raise InputError("bad-timestamp", f"{value!r} is not a date-time string", path=path)
    if not _STAMP.match(value):
        why = (
            "it has no time zone (Z or +hh:mm)"
            if _NO_ZONE.match(value)
            else "expected YYYY-MM-DDThh:mm:ssZ"
        )
        raise InputError(
            "bad-timestamp", f"{value!r} is not an xsd:dateTimeStamp: {why}", path=path
        )
    # Python 3.10 reads only 3 or 6 fraction digits: normalise to 6.
    text = re.sub(r"\.(\d+)", lambda m: "." + (m.group(1) + "000000")[:6], value)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(
            "bad-timestamp", f"{value!r} is not a valid date-time: {exc}", path=path
        ) from None


def format_timestamp(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` in UTC (whole seconds)."""
    if moment.tzinfo is None:
        raise InputError("bad-timestamp", f"{moment!r} has no time zone")
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        return value
    return parse_timestamp(value)
