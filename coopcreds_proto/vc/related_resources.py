"""Integrity of related resources: ``digestSRI`` values (W3C VC 2.0, section 5.3).

A credential may pin a resource it relies on (a schema, a context) with a
Subresource Integrity string: ``"sha384-" + base64(sha384(bytes))``, possibly
several space-separated. As in the SRI specification, only the strongest
algorithm listed counts, and the resource matches if any digest for that
algorithm does. A value this verifier cannot read (no supported algorithm,
bad base64) is refused rather than ignored: a verifier that skipped it would
accept a resource the issuer never pinned.

>>> value = sri(b"{}")
>>> value
'sha384-0qI7x4Pjqjj0AeE8dIhQUTfElUp/2IMx8Vl8X/cREdyAfHNwpbKCxtpUHFbt5p8w'
>>> sri_matches(b"{}", value), sri_matches(b"{ }", value)
(True, False)
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from ..errors import InputError

# Weakest first: the SRI specification's order of strength.
ALGORITHMS = ("sha256", "sha384", "sha512")


def sri(content: bytes, algorithm: str = "sha384") -> str:
    """The SRI string of ``content`` for ``algorithm`` (sha256, sha384 or sha512)."""
    if algorithm not in ALGORITHMS:
        raise InputError("sri-algorithm", f"unsupported SRI algorithm {algorithm!r}",
                         path="digestSRI")
    digest = hashlib.new(algorithm, content).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode('ascii')}"


def _parse(value: str, path: str) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for token in value.split():
        algorithm, sep, rest = token.partition("-")
        if not sep or algorithm not in ALGORITHMS:
            continue  # an algorithm SRI does not define: ignored, as browsers do
        encoded = rest.split("?", 1)[0]  # SRI options after "?" carry no digest
        try:
            digest = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise InputError("sri-malformed", f"digestSRI {token!r} is not valid base64",
                             path=path) from None
        if len(digest) != hashlib.new(algorithm).digest_size:
            raise InputError("sri-malformed",
                             f"digestSRI {token!r} has the wrong length for {algorithm}", path=path)
        found.setdefault(algorithm, []).append(digest)
    if not found:
        raise InputError("sri-malformed",
                         f"digestSRI {value!r} names no supported algorithm ({', '.join(ALGORITHMS)})",
                         path=path)
    return found


def sri_matches(content: bytes, value: object, *, path: str = "digestSRI") -> bool:
    """True if ``content`` matches ``value`` by its strongest algorithm.

    ``value`` is the ``digestSRI`` as found in a document: ``InputError``
    (``sri-malformed``) when it is not a string or cannot be read.
    """
    if not isinstance(value, str):
        raise InputError("sri-malformed", "digestSRI must be a string", path=path)
    found = _parse(value, path)
    strongest = max(found, key=ALGORITHMS.index)
    actual = hashlib.new(strongest, content).digest()
    return any(hmac.compare_digest(actual, expected) for expected in found[strongest])
