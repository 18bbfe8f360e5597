"""URLs as the workbench reads them: one parser, and a clean refusal that says why.

Credential, issuer and holder ids, status list and schema URLs, DIDs and the
local registry's addresses are all checked here, so a hostile URL is refused
the same way everywhere (``InputError`` with code ``bad-url``, naming the URL
and what is wrong with it) and never reaches a parser that would crash on it.

A usable URL has a scheme, then no space, control character or backslash, and
only well-formed percent-escapes (none that encodes a control character). A
URL with an authority (``scheme://...``, and every ``http`` and ``https`` URL)
also has:

- a host: an ASCII name (``coop.example``, ``localhost``), an IPv4 address or
  a bracketed IPv6 address (``[2001:db8::1]``), never percent-encoded;
- no user information (``https://user@coop.example`` is refused: it is a
  classic way to make a URL look like another);
- a port, if any, from 1 to 65535, written in digits.

A DID (``did:method:id``) has a lower-case method name and a method-specific
id of the characters DID syntax allows, optionally followed by a path, query or
fragment (a DID URL).

>>> check_url("https://coop.example:8443/status/1").port
8443
>>> is_url("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk")
True
>>> url_problem("https://user@coop.example/")
'it holds user information (user@host), which is refused'
>>> check_url("https://coop.example:99999/")
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: https://coop.example:99999/ is not a usable URL: its port 99999 is not from 1 to 65535
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import InputError

MAX_URL_LENGTH = 8192
"""The longest URL read, in characters (what web servers commonly accept)."""

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\\\s]")
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})|%(?:[01][0-9A-Fa-f]|7[Ff])")
_HOST_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._~-]*[A-Za-z0-9])?$")
_DIGITS = re.compile(r"^[0-9]+$")
_DID = re.compile(r"^did:[a-z0-9]+:(?:[A-Za-z0-9._%-]*:)*[A-Za-z0-9._%-]+(?:[/?#].*)?$")
_NEEDS_AUTHORITY = ("http", "https")
_SHOWN = 80


@dataclass(frozen=True)
class Url:
    """A URL that passed :func:`check_url`, in its parts.

    ``host`` is lower-case, an IPv6 address without its brackets; ``host`` and
    ``port`` are ``None`` for a URL without an authority (a DID, a URN).
    """

    text: str
    scheme: str
    host: str | None
    port: int | None
    path: str
    query: str
    fragment: str


def check_url(value: object, *, path: str | None = None) -> Url:
    """``value`` as a :class:`Url`; ``InputError('bad-url')`` naming it and why otherwise.

    ``path`` says where the URL was found (a JSON path, an option); by
    default the error's path is the URL itself.
    """
    problem = url_problem(value)
    if problem is not None:
        raise InputError(
            "bad-url",
            f"{shown_url(value)} is not a usable URL: {problem}",
            path=path if path is not None else shown_url(value),
        )
    assert isinstance(value, str)
    scheme = value.split(":", 1)[0].lower()
    host, port = _authority(value)
    parts = urlsplit(value)
    return Url(value, scheme, host, port, parts.path, parts.query, parts.fragment)


def is_url(value: object) -> bool:
    """True for a string that :func:`check_url` accepts."""
    return url_problem(value) is None


def url_problem(value: object) -> str | None:
    """Why ``value`` is not a usable URL (one phrase), or ``None`` if it is one."""
    if not isinstance(value, str):
        return f"a URL is a string, not {type(value).__name__}"
    if len(value) <= _KEPT_LENGTH:
        # The same issuers, subjects and lists recur with every credential read.
        return _kept_problem(value)
    return _problem(value)


_KEPT_LENGTH = 512


@functools.lru_cache(maxsize=4096)
def _kept_problem(value: str) -> str | None:
    return _problem(value)


def _problem(value: str) -> str | None:
    if not value:
        return "it is empty"
    if len(value) > MAX_URL_LENGTH:
        return f"it is longer than {MAX_URL_LENGTH:,} characters"
    bad = _FORBIDDEN.search(value)
    if bad:
        what = "a backslash" if bad.group() == "\\" else (
            "a space" if bad.group() == " " else f"the control or space character U+{ord(bad.group()):04X}"
        )
        return f"it holds {what} at position {bad.start()}"
    escape = _ESCAPE.search(value)
    if escape:
        if escape.group() == "%":
            return f"it holds a '%' that does not start a percent-escape (%XX) at position {escape.start()}"
        return f"it percent-encodes a control character ({escape.group()}) at position {escape.start()}"
    scheme = _SCHEME.match(value)
    if not scheme:
        return "it does not start with a scheme (such as https: or did:)"
    name, rest = scheme.group(1).lower(), value[scheme.end():]
    if rest.startswith("//"):
        return _authority_problem(rest[2:])
    if name in _NEEDS_AUTHORITY:
        return f"an {name} URL needs //host after '{name}:'"
    if name == "did":
        return None if _DID.match(value) else (
            "it is not a DID (did:method:id, a lower-case method name and an id of letters,"
            " digits, '.', '-', '_', ':' and percent-escapes)"
        )
    return None if rest else "it has nothing after its scheme"


def _authority_problem(after_slashes: str) -> str | None:
    authority = re.split(r"[/?#]", after_slashes, maxsplit=1)[0]
    if "@" in authority:
        return "it holds user information (user@host), which is refused"
    host, port_text = _split_port(authority)
    if host.startswith("["):
        if not host.endswith("]"):
            return "its IPv6 address is not closed by ']' (or text follows it)"
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{host[:_SHOWN]} is not an IPv6 address"
    elif not host:
        return "it has no host"
    elif "%" in host:
        return "its host is percent-encoded"
    elif not host.isascii():
        return "its host is not an ASCII name (write an internationalised name in its xn-- form)"
    elif not _HOST_NAME.match(host):
        return f"its host {host[:_SHOWN]!r} is not a host name"
    if port_text is not None:
        if not port_text:
            return "it has an empty port after ':'"
        if not _DIGITS.match(port_text):
            return f"its port {port_text[:_SHOWN]!r} is not a number"
        if len(port_text) > 5 or not 1 <= int(port_text) <= 65535:
            return f"its port {port_text[:_SHOWN]} is not from 1 to 65535"
    return None


def _split_port(authority: str) -> tuple[str, str | None]:
    """(host, the port's text or None); an IPv6 host keeps its brackets.

    A bracket that is not closed, or followed by anything but a port, leaves
    the host without its closing bracket (refused by the caller).
    """
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return authority, None
        host, after = authority[: end + 1], authority[end + 1 :]
        if not after:
            return host, None
        if not after.startswith(":"):
            return authority, None
        return host, after[1:]
    host, colon, port = authority.partition(":")
    return host, port if colon else None


def _authority(url: str) -> tuple[str | None, int | None]:
    rest = url.split(":", 1)[1]
    if not rest.startswith("//"):
        return None, None
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    host, port = _split_port(authority)
    if host.startswith("["):
        host = host[1:-1]
    return host.lower(), int(port) if port else None


def shown_url(value: object) -> str:
    """How a URL (or what was given as one) is named in a message or an error's
    path: as written if it is short printable text, else its ``repr``, shortened."""
    if isinstance(value, str) and value.isprintable() and 0 < len(value) <= _SHOWN:
        return value
    text = repr(value)
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN - 4]}...{text[-1]}"
