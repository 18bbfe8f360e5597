"""Plain-text wording of credential data for people.

Names, types, dates and values as a person reads them, with any character that
could hide or reorder text on screen shown as an escape. Used by the credential
cards (``display.cards``) and the signed-in session (``vc.signin``); the output
depends only on the input.

>>> type_in_words(["VerifiableCredential", "CooperativeMembershipCredential"])
'Co-operative membership'
>>> claim_value({"legalName": "Riverside Food Co-operative Ltd"}), claim_value([True, None])
('Riverside Food Co-operative Ltd', 'Yes, —')
"""

from __future__ import annotations

import json
import re
from datetime import date, timezone
from typing import Any

from .errors import CoopCredsError
from .timestamps import parse_timestamp

# Type names that read badly when split mechanically.
TYPE_WORDS = {
    "CooperativeMembershipCredential": "Co-operative membership",
    "VerifiableCredential": "Verifiable credential",
}
# Types that say how a credential was made, not what it is: shown after the type it qualifies.
QUALIFIER_TYPES = {"PurposeSpecificCredential": "purpose-specific"}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
# Characters that could hide or reorder text on screen (controls, bidi overrides).
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
MAX_VALUE_CHARS = 120
MAX_CLAIM_DEPTH = 32
DID_SHORT_CHARS = 28


def _visible(text: str) -> str:
    """``text`` with hidden/reordering characters shown as ``\\uXXXX`` escapes."""
    return _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shorten(text: str, limit: int = MAX_VALUE_CHARS) -> str:
    """``text`` cut in the middle with an ellipsis when longer than ``limit``.

    >>> shorten("did:key:z6Mkr4D6MokZxsLSq8cipJJ9DTzzxey7Xa4KtGYQRoNdCzwV", 28)
    'did:key:z6Mkr4D6Mo…QRoNdCzwV'
    """
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 3
    return text[: limit - 1 - tail] + "…" + text[len(text) - tail :]


def short_did(text: str) -> str:
    """A DID or DID URL shortened for display, keeping the start, end and any fragment visible.

    >>> short_did("did:key:z6Mkr4D6MokZxsLSq8cipJJ9DTzzxey7Xa4KtGYQRoNdCzwV#z6Mkr4D6MokZxsLSq8cipJJ9DTzzxey7Xa4KtGYQRoNdCzwV")
    'did:key:z6Mkr4D6Mo…QRoNdCzwV#z6Mkr4D6M…CzwV'
    """
    if not isinstance(text, str):
        raise TypeError(f"a DID is a string, not {type(text).__name__}")
    base, sep, fragment = text.partition("#")
    return shorten(base, DID_SHORT_CHARS) + sep + shorten(fragment, 14)


def words_from_camel(name: str) -> str:
    """A sentence-case label from a camelCase name.

    >>> words_from_camel("membershipNumber"), words_from_camel("memberOf")
    ('Membership number', 'Member of')
    """
    parts = _CAMEL.findall(name)
    if not parts or not name.isascii():  # the splitter knows only ASCII letters
        return _visible(name)
    words = [parts[0][:1].upper() + parts[0][1:]]
    # Keep acronyms (DID, URL) as written; lower-case ordinary words.
    words += [p if p.isupper() and len(p) > 1 else p.lower() for p in parts[1:]]
    return " ".join(words)


def type_in_words(types: Any) -> str:
    """The most specific credential type, in words ("Co-operative membership").

    A qualifying type (``QUALIFIER_TYPES``) is shown after the type it qualifies:

    >>> type_in_words(["VerifiableCredential", "CooperativeMembershipCredential",
    ...                "PurposeSpecificCredential"])
    'Co-operative membership (purpose-specific)'
    """
    names = [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]
    specific = [t for t in names if t != "VerifiableCredential"] or names
    if not specific:
        return "Credential"
    qualifiers = [QUALIFIER_TYPES[t] for t in specific if t in QUALIFIER_TYPES]
    qualified = [t for t in specific if t not in QUALIFIER_TYPES]
    if qualifiers and qualified:
        return f"{type_in_words(qualified)} ({', '.join(qualifiers)})"
    name = specific[-1]
    if name in TYPE_WORDS:
        return TYPE_WORDS[name]
    words = words_from_camel(name.removesuffix("Credential") or name)
    return _visible(words)


def date_in_words(value: Any) -> str:
    """A date or date-time in words: "15 January 2026", with the UTC time if not midnight.

    Anything that is not a date is returned as text, unchanged.

    >>> date_in_words("2026-01-15T09:00:00Z"), date_in_words("2019-03-14")
    ('15 January 2026, 09:00 UTC', '14 March 2019')
    """
    if not isinstance(value, str):
        return _scalar(value)
    match = _DATE.match(value)
    if match:
        try:
            calendar_day = date(*(int(g) for g in match.groups()))
        except ValueError:  # e.g. 2026-02-31
            return _visible(value)
        return f"{calendar_day.day} {_MONTHS[calendar_day.month - 1]} {calendar_day.year}"
    try:
        moment = parse_timestamp(value).astimezone(timezone.utc)
    except (CoopCredsError, OverflowError, ValueError):
        return _visible(value)
    day = f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return day
    return f"{day}, {moment:%H:%M} UTC"


def _scalar(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None:
        return "—"
    if isinstance(value, str):
        return _visible(value)
    try:
        return _visible(json.dumps(value, ensure_ascii=False))
    except (ValueError, RecursionError):  # a structure that contains itself
        return "…"


def claim_value(value: Any) -> str:
    """A claim value in words: objects by their name, lists joined, dates in words.

    Nested deeper than ``MAX_CLAIM_DEPTH`` (or containing itself), the rest is "…".
    """
    return _claim(value, 0)


def _claim(value: Any, depth: int) -> str:
    if depth > MAX_CLAIM_DEPTH:
        return "…"
    if isinstance(value, dict):
        for key in ("legalName", "name"):
            if isinstance(value.get(key), str):
                return _visible(value[key])
        if isinstance(value.get("id"), str):
            return _visible(value["id"])
        pairs = [
            f"{words_from_camel(str(k))}: {_claim(v, depth + 1)}"
            for k, v in value.items() if k != "type"
        ]
        return "; ".join(pairs) or "—"
    if isinstance(value, list):
        return ", ".join(_claim(v, depth + 1) for v in value) or "—"
    if isinstance(value, str):
        return date_in_words(value)
    return _scalar(value)
