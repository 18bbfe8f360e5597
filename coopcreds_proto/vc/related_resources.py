"""Integrity of related resources: ``digestSRI`` and ``digestMultibase`` (W3C VC 2.0, section 5.3).

A credential may pin a resource it relies on (a context, a schema) with a
``relatedResource`` entry: the resource's ``id`` and a digest of its bytes.

- ``digestSRI`` is a Subresource Integrity string: ``"sha384-" +
  base64(sha384(bytes))``, possibly several separated by spaces. As in the SRI
  specification, only the strongest algorithm listed counts, and the resource
  matches if any digest for that algorithm does.
- ``digestMultibase`` is one digest, or a list of them, each multibase-encoded
  (``u``: base64url without padding, or ``z``: base58btc). Its bytes are a
  multihash (the Data Integrity specification's form: a code naming the hash
  and the digest's length, then the digest) or, as in the VC 2.0
  specification's own examples, the bare digest (32 bytes: SHA-256, 48:
  SHA-384, 64: SHA-512). Every digest listed must match. ``digest_multibase``
  writes the multihash form.

A digest this verifier cannot read (no supported algorithm, bad encoding, a
wrong length) is refused rather than ignored: a verifier that skipped it would
accept a resource the issuer never pinned. ``check_related_resources`` checks
every entry whose resource the workbench holds (a context in the loader's
bundle, a document in the local registry) and refuses one whose bytes differ
(``related-resource-mismatch``); an entry for anything else cannot be checked
here and is counted as such.

>>> value = sri(b"{}")
>>> value
'sha384-0qI7x4Pjqjj0AeE8dIhQUTfElUp/2IMx8Vl8X/cREdyAfHNwpbKCxtpUHFbt5p8w'
>>> sri_matches(b"{}", value), sri_matches(b"{ }", value)
(True, False)
>>> digest_multibase(b"{}")
'uEiBEE2-jVbNnihFGrRb36GSelPtPwh_nfoMQwGD2HKr_ig'
>>> digest_multibase_matches(b"{}", "uEiBEE2-jVbNnihFGrRb36GSelPtPwh_nfoMQwGD2HKr_ig")
True
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

from ..errors import CoopCredsError, InputError
from ..loader import OfflineDocumentLoader, SupersededRevision
from ..local_registry import LocalRegistry
from ..multibase import b58decode

# Weakest first: the SRI specification's order of strength.
ALGORITHMS = ("sha256", "sha384", "sha512")
# Multihash codes of the hashes a digestMultibase may use, with their lengths.
MULTIHASH = {0x12: ("sha256", 32), 0x20: ("sha384", 48), 0x13: ("sha512", 64),
             0x16: ("sha3_256", 32), 0x15: ("sha3_384", 48), 0x14: ("sha3_512", 64)}
_BARE_DIGEST = {32: "sha256", 48: "sha384", 64: "sha512"}
_MULTIHASH_CODE = {name: code for code, (name, _) in MULTIHASH.items()}
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
# A digest is short: anything longer is refused before it is decoded.
MAX_DIGEST_CHARS = 256


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


def read_sri(value: object, *, path: str = "digestSRI") -> dict[str, list[bytes]]:
    """The digests of a ``digestSRI`` value by algorithm; ``sri-malformed`` if it cannot be read."""
    if not isinstance(value, str):
        raise InputError("sri-malformed", "digestSRI must be a string", path=path)
    if len(value) > 4 * MAX_DIGEST_CHARS:
        raise InputError("sri-malformed", "digestSRI is too long to be a list of digests",
                         path=path)
    return _parse(value, path)


def sri_matches(content: bytes, value: object, *, path: str = "digestSRI") -> bool:
    """True if ``content`` matches ``value`` by its strongest algorithm.

    ``value`` is the ``digestSRI`` as found in a document: ``InputError``
    (``sri-malformed``) when it is not a string or cannot be read.
    """
    found = read_sri(value, path=path)
    strongest = max(found, key=ALGORITHMS.index)
    actual = hashlib.new(strongest, content).digest()
    return any(hmac.compare_digest(actual, expected) for expected in found[strongest])


# --- digestMultibase --------------------------------------------------------------


def digest_multibase(content: bytes, algorithm: str = "sha256") -> str:
    """The ``digestMultibase`` of ``content``: ``u`` + base64url (no padding) of its multihash."""
    code = _MULTIHASH_CODE.get(algorithm)
    if code is None:
        raise InputError("sri-algorithm", f"unsupported digest algorithm {algorithm!r}",
                         path="digestMultibase")
    digest = hashlib.new(algorithm, content).digest()
    multihash = bytes([code, len(digest)]) + digest
    return "u" + base64.urlsafe_b64encode(multihash).decode("ascii").rstrip("=")


def _decode_multibase(text: str, path: str) -> bytes:
    body = text[1:]
    try:
        if text.startswith("u"):
            if not _BASE64URL.match(body):
                raise ValueError("not base64url without padding")
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        if text.startswith("z"):
            return b58decode(body)
    except (binascii.Error, ValueError, CoopCredsError):
        encoding = "base64url (no padding)" if text.startswith("u") else "base58btc"
        raise InputError("digest-multibase-malformed",
                         f"digestMultibase {text!r} is not valid {encoding}", path=path) from None
    raise InputError(
        "digest-multibase-malformed",
        f"digestMultibase {text[:12]!r} must start with u (base64url) or z (base58btc)",
        path=path,
    )


def _read_one_multibase(text: object, path: str) -> tuple[str, bytes]:
    if not isinstance(text, str) or not text:
        raise InputError("digest-multibase-malformed",
                         "digestMultibase must be a multibase string (or a list of them)", path=path)
    if len(text) > MAX_DIGEST_CHARS:
        raise InputError("digest-multibase-malformed",
                         f"digestMultibase is longer than {MAX_DIGEST_CHARS} characters: not a"
                         " digest", path=path)
    data = _decode_multibase(text, path)
    if len(data) >= 2 and data[0] in MULTIHASH and data[1] == len(data) - 2:
        name, size = MULTIHASH[data[0]]
        if size == data[1]:
            return name, data[2:]
    if len(data) in _BARE_DIGEST:
        return _BARE_DIGEST[len(data)], data
    raise InputError(
        "digest-multibase-malformed",
        f"digestMultibase {text!r} holds {len(data)} bytes: neither a multihash of SHA-2 or SHA-3"
        " nor a bare SHA-256, SHA-384 or SHA-512 digest",
        path=path,
    )


def read_digest_multibase(value: object, *, path: str = "digestMultibase") -> list[tuple[str, bytes]]:
    """Each digest of a ``digestMultibase`` value as (hash name, digest);
    ``digest-multibase-malformed`` if one cannot be read."""
    if isinstance(value, list):
        if not value:
            raise InputError("digest-multibase-malformed",
                             "digestMultibase is an empty list: it pins nothing", path=path)
        return [_read_one_multibase(v, f"{path}[{i}]") for i, v in enumerate(value)]
    return [_read_one_multibase(value, path)]


def digest_multibase_matches(
    content: bytes, value: object, *, path: str = "digestMultibase"
) -> bool:
    """True if every digest of the ``digestMultibase`` ``value`` is that of ``content``."""
    return all(
        hmac.compare_digest(hashlib.new(name, content).digest(), digest)
        for name, digest in read_digest_multibase(value, path=path)
    )


# --- related resources the workbench holds -----------------------------------------


@dataclass(frozen=True)
class HeldResource:
    """What the workbench holds of a resource: its bytes, or only their SHA-256
    (hex); for a bundled context, the earlier revisions of it that were published."""

    url: str
    sha256: str
    content: bytes | None = None
    source: str = "the context bundle"
    superseded: tuple[SupersededRevision, ...] = ()

    def digest(self, algorithm: str) -> bytes | None:
        """The digest of what is held for ``algorithm`` (None: only the SHA-256 is held)."""
        if self.content is not None:
            return hashlib.new(algorithm, self.content).digest()
        return bytes.fromhex(self.sha256) if algorithm == "sha256" else None


def held_resource(
    url: object, loader: OfflineDocumentLoader | None = None,
    registry: LocalRegistry | None = None,
) -> HeldResource | None:
    """The resource at ``url`` if the loader's contexts or the local registry hold it, else None."""
    if not isinstance(url, str):
        return None
    loader = loader or OfflineDocumentLoader.default()
    for context in loader.contexts:
        if context.url == url:
            return HeldResource(url, context.sha256, context.content,
                                superseded=context.superseded)
    pinned = loader.pinned_sha256(url)
    if pinned is not None:  # a context added with its SHA-256 only
        return HeldResource(url, pinned)
    registry = registry or loader.registry
    if registry is not None and url.startswith(("https://", "did:web:")):
        try:
            content = registry.path_for(url).read_bytes()
        except (CoopCredsError, OSError):
            return None
        return HeldResource(url, hashlib.sha256(content).hexdigest(), content,
                            "the local registry")
    return None


def _matches(held: HeldResource | SupersededRevision, name: str, value: Any,
             path: str) -> bool | None:
    """Whether ``held`` matches the digest ``value`` of property ``name`` (None: cannot tell)."""
    if name == "digestSRI":
        found = read_sri(value, path=path)
        strongest = max(found, key=ALGORITHMS.index)
        actual = held.digest(strongest)
        if actual is None:
            return None
        return any(hmac.compare_digest(actual, expected) for expected in found[strongest])
    results = []
    for algorithm, digest in read_digest_multibase(value, path=path):
        actual = held.digest(algorithm)
        if actual is not None:
            results.append(hmac.compare_digest(actual, digest))
    return all(results) if results else None


def _mismatch_reason(held: HeldResource, name: str, value: Any, path: str) -> str:
    """Why ``held`` does not match: an earlier published revision the issuer
    pinned, named, or a change since the credential was issued."""
    for revision in held.superseded:
        if _matches(revision, name, value, path):
            return (f"{held.url} as held in {held.source} does not match the {name} the issuer"
                    f" gave: it pins the revision published in {revision.published},"
                    f" sha256 {revision.sha256[:12]}…; {held.source} holds a later one,"
                    f" sha256 {held.sha256[:12]}…, which reads differently")
    return (f"{held.url} as held in {held.source} does not match the {name} the issuer"
            " gave: the resource changed since the credential was issued")


def check_related_resources(
    credential: Any,
    loader: OfflineDocumentLoader | None = None,
    registry: LocalRegistry | None = None,
) -> str:
    """Check the digests of every ``relatedResource`` the workbench holds; a one-line summary.

    A resource whose bytes do not match a digest the issuer gave is refused
    (``InputError`` ``related-resource-mismatch``, at that digest's path).
    Resources held nowhere here are not fetched: the summary counts them, with
    those held only by their SHA-256 (a context added with ``with_contexts``)
    and pinned by another hash.
    Malformed entries are the data model's business (``data_model``); here
    they are skipped.
    """
    entries = credential.get("relatedResource") if isinstance(credential, dict) else None
    if entries is None:
        return "no related resources"
    listed = entries if isinstance(entries, list) else [entries]
    checked, elsewhere = 0, 0
    for i, entry in enumerate(listed):
        path = f"$.relatedResource[{i}]" if isinstance(entries, list) else "$.relatedResource"
        if not isinstance(entry, dict):
            continue
        held = held_resource(entry.get("id"), loader, registry)
        outcomes = []
        for name in ("digestSRI", "digestMultibase"):
            if held is None or name not in entry:
                continue
            matched = _matches(held, name, entry[name], f"{path}.{name}")
            if matched is False:
                raise InputError("related-resource-mismatch",
                                 _mismatch_reason(held, name, entry[name], f"{path}.{name}"),
                                 path=f"{path}.{name}")
            outcomes.append(matched)
        if any(outcome is True for outcome in outcomes):
            checked += 1
        else:
            elsewhere += 1
    parts = [f"{checked} related resource{'' if checked == 1 else 's'} unchanged"]
    if elsewhere:
        parts.append(f"{elsewhere} not checked (not held here)")
    return ", ".join(parts)
