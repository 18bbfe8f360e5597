"""Keys: the signing key and public key types, did:key identity, Multikey JSON and key files.

>>> from coopcreds_proto.randomness import SeededRandom
>>> key = Ed25519Key.generate(SeededRandom("doc"))
>>> key.verify(b"hi", key.sign(b"hi"))
True
>>> key.verify(b"hi", bytes(64))
False
>>> repr(key).startswith("Ed25519Key(did:key:z6Mk")
True

A key's secret is reached only by name: :func:`save_key` (a key file,
optionally encrypted), ``to_multikey(include_secret=True)`` and
``secret_key_multibase``. Nothing automatic shows or copies it: not ``repr``
or ``str``, not a notebook's display, not ``dataclasses.asdict``/``fields``,
not ``vars``; two keys are equal when their public identity is (public key,
``id``, ``controller``); pickling a private key is refused and copying one
returns the same immutable object.

Verifying never raises for a bad signature: ``verify`` returns ``True`` or
``False`` for any bytes (wrong length included), here and in every function of
the package that checks a signature (``proofs.verify_proof_signature``
returns a bool; ``verify_credential`` and ``verify_presentation`` report a
failed check). Only input that is not a signature at all (a ``proofValue``
that is not multibase) is an error of the proof's shape.

:class:`SigningKey` and :class:`PublicKey` are what the rest of the package
asks of a key, whatever its algorithm; :class:`Ed25519Key` and
:class:`Ed25519PublicKey` implement them for Ed25519, :class:`EcdsaKey` and
:class:`EcdsaPublicKey` for ECDSA on P-256 (``did:key:zDn…``, the curve of the
ECDSA and selective-disclosure cryptosuites) and P-384 (``did:key:z82…``).
:func:`public_key_from_multikey` and :func:`signing_key_from_multikey` read a
Multikey of any of these by its prefix.

Key files hold the Multikey JSON with the secret key, written atomically with
mode 0600 and never silently overwritten; with a passphrase the secret is
sealed with Argon2id + XSalsa20-Poly1305 and only the public fields stay
readable. As ssh does, :func:`load_key` refuses a key file holding a secret
(plain or sealed) that group or others may read or write
(``key-file-permissions``, naming the file and its mode), unless the caller
says so (``allow_open_permissions=True``; ``--allow-open-key-file`` on the
command line); where files have no POSIX modes there is nothing to check. A key
file is read through :mod:`coopcreds_proto.bounded_read`: at most
``MAX_KEY_FILE_BYTES``.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import stat
from dataclasses import InitVar, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, runtime_checkable

import nacl.exceptions
import nacl.secret
import nacl.signing
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from nacl.pwhash import argon2id

from coopcreds_proto.atomic_files import write_atomically
from coopcreds_proto.bounded_read import read_file
from coopcreds_proto.did_key import MULTIKEY_CONTEXT, did_key_from_public_key
from coopcreds_proto.errors import InputError, KeyMaterialError
from coopcreds_proto.multibase import (
    ED25519_PRIV,
    ED25519_PUB,
    P256_PRIV,
    P256_PUB,
    P384_PRIV,
    P384_PUB,
    decode_multikey,
    encode_multikey,
)
from coopcreds_proto.randomness import DEFAULT_RANDOM, RandomSource

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are never evaluated here
    from typing_extensions import Self

SEED_LENGTH = 32
SIGNATURE_LENGTH = 64
# Ceiling for Argon2id costs read from a file: a hostile file must not make
# load_key burn unbounded memory/CPU. Also enforced on save, so we never
# write a file we would refuse to read.
MAX_OPSLIMIT = argon2id.OPSLIMIT_SENSITIVE
MAX_MEMLIMIT = argon2id.MEMLIMIT_SENSITIVE
# A key file is a few hundred bytes; anything far larger is not one.
MAX_KEY_FILE_BYTES = 64 * 1024
# Group and others: no bit of these may be set on a file holding a secret.
OPEN_PERMISSIONS = 0o077
# Where files have no POSIX modes (Windows) there is nothing to check.
_HAS_POSIX_MODES = os.name == "posix"
HOW_TO_STORE_A_KEY = (
    "store it with save_key(key, path, passphrase=...) and read it back with load_key(path)"
)


@runtime_checkable
class PublicKey(Protocol):
    """A public key: what verifying a signature needs, whatever the algorithm.

    ``verify`` returns ``False`` for a signature that does not verify and never
    raises for one.
    """

    @property
    def id(self) -> str: ...

    @property
    def controller(self) -> str: ...

    @property
    def did(self) -> str: ...

    @property
    def verification_method(self) -> str: ...

    @property
    def public_key_multibase(self) -> str: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...

    def to_multikey(self) -> dict[str, Any]: ...


@runtime_checkable
class SigningKey(Protocol):
    """A key pair that signs: what issuing and presenting need, whatever the algorithm.

    Its secret never shows in ``repr``, equality or pickling (see the module).
    """

    @property
    def id(self) -> str: ...

    @property
    def controller(self) -> str: ...

    @property
    def did(self) -> str: ...

    @property
    def verification_method(self) -> str: ...

    @property
    def public_key(self) -> PublicKey: ...

    def sign(self, message: bytes) -> bytes: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...

    def to_multikey(self) -> dict[str, Any]: ...


def require_signing_key(key: object, what: str = "key") -> SigningKey:
    """``key`` if it is a :class:`SigningKey`; a ``TypeError`` naming ``what`` otherwise.

    >>> require_signing_key(None)
    Traceback (most recent call last):
    ...
    TypeError: key must be a signing key (an Ed25519Key or EcdsaKey), not NoneType
    """
    if not isinstance(key, SigningKey):
        raise TypeError(
            f"{what} must be a signing key (an Ed25519Key or EcdsaKey), not {type(key).__name__}"
        )
    return key


def _not_picklable(what: str) -> KeyMaterialError:
    return KeyMaterialError(
        "key-not-picklable",
        f"{what} holds a secret key and is not pickled: {HOW_TO_STORE_A_KEY}",
    )


class _KeyPair:
    """What every secret key object shares: equal and hashed by its public identity,
    shown by its DID only, never pickled, and its own copy (it is immutable)."""

    __slots__ = ()

    @property
    def did(self) -> str:
        raise NotImplementedError

    def _identity(self) -> tuple:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._identity() == other._identity()

    def __hash__(self) -> int:
        return hash((type(self), *self._identity()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.did})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython and Jupyter show this, never a generic dump of the object.
        printer.text(repr(self))

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise _not_picklable(f"an {type(self).__name__}")

    def __getstate__(self) -> NoReturn:
        raise _not_picklable(f"an {type(self).__name__}")

    def __copy__(self) -> Self:
        return self  # immutable: a copy would be the same key

    def __deepcopy__(self, memo: dict) -> Self:
        return self


class _Secret:
    """Secret bytes kept out of every automatic dump: repr, pickling, copying."""

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        self._value = value

    def reveal(self) -> bytes:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise _not_picklable("this object")

    def __copy__(self) -> _Secret:
        return self

    def __deepcopy__(self, memo: dict) -> _Secret:
        return self


def _default_ids(public: bytes, controller: str | None, id: str | None) -> tuple[str, str]:  # Ed25519
    """``controller`` and ``id``, or the key's did:key and its fragment where one is empty."""
    did = did_key_from_public_key(public)
    mb = did[len("did:key:") :]
    return controller or did, id or f"{did}#{mb}"


def _optional_str(doc: dict, name: str) -> str | None:
    value = doc.get(name)
    if value is not None and not isinstance(value, str):
        raise InputError("bad-multikey", f"{name} must be a string", path=f"$.{name}")
    return value


@dataclass(frozen=True, repr=False)
class Ed25519PublicKey:
    """A public Ed25519 key: enough to verify, nothing to sign with.

    ``controller`` and ``id`` left empty become the key's did:key and
    ``did:key:<mb>#<mb>``: once made, a key always has both.
    """

    public_bytes: bytes
    controller: str = field(default="", kw_only=True)
    id: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.public_bytes, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"an Ed25519 public key is 32 bytes, not {type(self.public_bytes).__name__}"
            )
        public = bytes(self.public_bytes)
        if len(public) != SEED_LENGTH:
            raise KeyMaterialError(
                "bad-public-key", f"an Ed25519 public key has 32 bytes, got {len(public)}"
            )
        controller, id = _default_ids(public, self.controller, self.id)
        object.__setattr__(self, "public_bytes", public)
        object.__setattr__(self, "controller", controller)
        object.__setattr__(self, "id", id)

    @classmethod
    def from_multikey(cls, doc: dict) -> Ed25519PublicKey:
        """The public key of a Multikey document (any secret in it is ignored)."""
        if not isinstance(doc, dict):
            raise InputError("bad-multikey", "a Multikey document must be a JSON object")
        if doc.get("type", "Multikey") != "Multikey":
            raise InputError("bad-multikey", "type must be 'Multikey'", path="$.type")
        mb = doc.get("publicKeyMultibase")
        if not isinstance(mb, str):
            raise InputError(
                "bad-multikey", "publicKeyMultibase is missing", path="$.publicKeyMultibase"
            )
        try:
            public = decode_multikey(mb, ED25519_PUB, SEED_LENGTH)
        except InputError as err:
            raise err.with_path("$.publicKeyMultibase") from None
        return cls(
            public,
            controller=_optional_str(doc, "controller") or "",
            id=_optional_str(doc, "id") or "",
        )

    @property
    def public_key_multibase(self) -> str:
        return encode_multikey(ED25519_PUB, self.public_bytes)

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.public_bytes)

    @property
    def verification_method(self) -> str:
        """The key's ``id`` (by default ``did:key:<mb>#<mb>``)."""
        return self.id

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True for a valid signature; False (never an exception) for a bad one."""
        if not isinstance(signature, (bytes, bytearray)) or len(signature) != SIGNATURE_LENGTH:
            return False
        try:
            nacl.signing.VerifyKey(self.public_bytes).verify(message, bytes(signature))
        except nacl.exceptions.BadSignatureError:
            return False
        return True

    def to_multikey(self) -> dict[str, Any]:
        return {
            "@context": MULTIKEY_CONTEXT,
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
        }

    def __repr__(self) -> str:
        return f"Ed25519PublicKey({self.did})"


@dataclass(frozen=True, repr=False, eq=False)
class Ed25519Key(_KeyPair):
    """An Ed25519 key pair from a 32-byte seed.

    ``Ed25519Key(seed, controller=..., id=...)``. The seed is not a field: it
    is not in ``dataclasses.fields``/``asdict``, ``repr``, ``vars`` or a
    notebook's display; equality and hashing use the public identity only.
    ``controller`` and ``id`` left empty become the key's did:key and
    ``did:key:<mb>#<mb>``: once made, a key always has both.
    """

    public_bytes: bytes = field(init=False)
    seed: InitVar[bytes]
    controller: str = field(default="", kw_only=True)
    id: str = field(default="", kw_only=True)

    def __post_init__(self, seed: bytes) -> None:
        if not isinstance(seed, (bytes, bytearray)) or len(seed) != SEED_LENGTH:
            got = f"{len(seed)} bytes" if isinstance(seed, (bytes, bytearray)) else type(seed).__name__
            raise KeyMaterialError("bad-seed", f"an Ed25519 seed is 32 bytes, got {got}")
        secret = bytes(seed)
        public = bytes(nacl.signing.SigningKey(secret).verify_key)
        controller, id = _default_ids(public, self.controller, self.id)
        object.__setattr__(self, "_secret", _Secret(secret))
        object.__setattr__(self, "public_bytes", public)
        object.__setattr__(self, "controller", controller)
        object.__setattr__(self, "id", id)

    @classmethod
    def generate(cls, rng: RandomSource = DEFAULT_RANDOM) -> Ed25519Key:
        """A new key from 32 bytes of ``rng`` (seeded rngs are for demos only)."""
        return cls(rng.bytes(SEED_LENGTH))

    @classmethod
    def from_seed(cls, seed: bytes) -> Ed25519Key:
        return cls(seed)

    @classmethod
    def from_seed_hex(cls, hex_str: str) -> Ed25519Key:
        # The messages never echo the input: it is secret material.
        try:
            seed = bytes.fromhex(hex_str)
        except (ValueError, TypeError):
            raise KeyMaterialError("bad-seed", "the seed is not a hexadecimal string") from None
        if len(seed) != SEED_LENGTH:
            raise KeyMaterialError(
                "bad-seed", f"expected 64 hex digits (32 bytes), got {len(seed)} bytes"
            )
        return cls(seed)

    @classmethod
    def from_multikey(cls, doc: dict) -> Ed25519Key:
        """A key from Multikey JSON with ``secretKeyMultibase`` (or ``privateKeyMultibase``)."""
        public = Ed25519PublicKey.from_multikey(doc)
        name = "secretKeyMultibase" if "secretKeyMultibase" in doc else "privateKeyMultibase"
        secret_mb = doc.get(name)
        if secret_mb is None:
            raise KeyMaterialError(
                "no-secret-key", "the Multikey holds only a public key, and signing needs the secret key"
            )
        try:
            seed = decode_multikey(secret_mb, ED25519_PRIV, SEED_LENGTH)
        except InputError:
            # Generic message: the decoder's would quote characters of the secret.
            raise InputError(
                "bad-multikey",
                "not an Ed25519 secret key multibase ('z3u2…', 32 bytes)",
                path=f"$.{name}",
            ) from None
        key = cls(seed, controller=public.controller, id=public.id)
        if key.public_bytes != public.public_bytes:
            raise KeyMaterialError(
                "key-mismatch", "the secret key does not belong to publicKeyMultibase"
            )
        return key

    @property
    def public_key(self) -> Ed25519PublicKey:
        return Ed25519PublicKey(self.public_bytes, controller=self.controller, id=self.id)

    @property
    def public_key_multibase(self) -> str:
        return encode_multikey(ED25519_PUB, self.public_bytes)

    @property
    def secret_key_multibase(self) -> str:
        """The secret key as multibase (``z3u2…``): an explicit export of the secret."""
        return encode_multikey(ED25519_PRIV, self._seed())

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.public_bytes)

    @property
    def verification_method(self) -> str:
        """The key's ``id`` (by default ``did:key:<mb>#<mb>``)."""
        return self.id

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return nacl.signing.SigningKey(self._seed()).sign(message).signature

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True for a valid signature; False (never an exception) for a bad one."""
        return self.public_key.verify(message, signature)

    def to_multikey(self, include_secret: bool = False) -> dict[str, Any]:
        """The public Multikey JSON; with ``include_secret`` also ``secretKeyMultibase``."""
        doc = self.public_key.to_multikey()
        if include_secret:
            doc["secretKeyMultibase"] = self.secret_key_multibase
        return doc

    def _seed(self) -> bytes:
        secret: _Secret = self.__dict__["_secret"]
        return secret.reveal()

    def _identity(self) -> tuple[bytes, str, str]:
        return (self.public_bytes, self.id, self.controller)


# --- ECDSA keys (P-256, P-384) ------------------------------------------------

# Per curve: the curve, the hash its ECDSA signatures use, the Multikey
# prefixes (public, secret) and the byte length of a coordinate or scalar.
_CURVES: dict[str, tuple[ec.EllipticCurve, type[hashes.HashAlgorithm], bytes, bytes, int]] = {
    "P-256": (ec.SECP256R1(), hashes.SHA256, P256_PUB, P256_PRIV, 32),
    "P-384": (ec.SECP384R1(), hashes.SHA384, P384_PUB, P384_PRIV, 48),
}


def _curve(curve: object) -> tuple[ec.EllipticCurve, type[hashes.HashAlgorithm], bytes, bytes, int]:
    found = _CURVES.get(curve) if isinstance(curve, str) else None
    if found is None:
        raise KeyMaterialError(
            "unsupported-curve", f"unknown curve {curve!r} (known: {', '.join(_CURVES)})"
        )
    return found


@dataclass(frozen=True, repr=False)
class EcdsaPublicKey:
    """A public ECDSA key on P-256 (``did:key:zDn…``) or P-384 (``did:key:z82…``).

    ``public_bytes`` is the compressed point (33 or 49 bytes). Signatures are
    the raw ``r || s`` (64 or 96 bytes) over SHA-256 (P-256) or SHA-384 (P-384).
    ``controller`` and ``id`` left empty become the key's did:key and
    ``did:key:<mb>#<mb>``.
    """

    public_bytes: bytes
    curve: str = "P-256"
    controller: str = field(default="", kw_only=True)
    id: str = field(default="", kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.public_bytes, (bytes, bytearray, memoryview)):
            raise TypeError(
                f"an ECDSA public key is a compressed point (bytes), not"
                f" {type(self.public_bytes).__name__}"
            )
        curve, _, _, _, size = _curve(self.curve)
        public = bytes(self.public_bytes)
        if len(public) != size + 1 or public[:1] not in (b"\x02", b"\x03"):
            raise KeyMaterialError(
                "bad-public-key",
                f"a {self.curve} public key is a compressed point of {size + 1} bytes"
                f" (0x02 or 0x03 first), got {len(public)} bytes",
            )
        try:
            point = ec.EllipticCurvePublicKey.from_encoded_point(curve, public)
        except ValueError:
            raise KeyMaterialError(
                "bad-public-key", f"the bytes are not a point of the {self.curve} curve"
            ) from None
        did = did_key_from_public_key(public, self.curve)
        object.__setattr__(self, "public_bytes", public)
        object.__setattr__(self, "controller", self.controller or did)
        object.__setattr__(self, "id", self.id or f"{did}#{did[len('did:key:'):]}")
        object.__setattr__(self, "_point", point)

    @classmethod
    def from_multikey(cls, doc: dict) -> EcdsaPublicKey:
        """The public key of a P-256 or P-384 Multikey document (any secret is ignored)."""
        mb = _multikey_public(doc)
        for name, (_, _, prefix, _, size) in _CURVES.items():
            try:
                public = decode_multikey(mb, prefix, size + 1)
            except InputError:
                continue
            return cls(
                public,
                name,
                controller=_optional_str(doc, "controller") or "",
                id=_optional_str(doc, "id") or "",
            )
        raise InputError(
            "bad-multikey", "not a P-256 ('zDn…') or P-384 ('z82…') public key",
            path="$.publicKeyMultibase",
        )

    @property
    def public_key_multibase(self) -> str:
        return encode_multikey(_curve(self.curve)[2], self.public_bytes)

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.public_bytes, self.curve)

    @property
    def verification_method(self) -> str:
        """The key's ``id`` (by default ``did:key:<mb>#<mb>``)."""
        return self.id

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True for a valid ``r || s`` signature; False (never an exception) for a bad one."""
        _, digest, _, _, size = _curve(self.curve)
        if not isinstance(signature, (bytes, bytearray)) or len(signature) != 2 * size:
            return False
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        if r == 0 or s == 0:
            return False
        point: ec.EllipticCurvePublicKey = self.__dict__["_point"]
        try:
            point.verify(encode_dss_signature(r, s), bytes(message), ec.ECDSA(digest()))
        except InvalidSignature:
            return False
        return True

    def to_multikey(self) -> dict[str, Any]:
        return {
            "@context": MULTIKEY_CONTEXT,
            "id": self.id,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": self.public_key_multibase,
        }

    def __repr__(self) -> str:
        return f"EcdsaPublicKey({self.did})"


@dataclass(frozen=True, repr=False, eq=False)
class EcdsaKey(_KeyPair):
    """An ECDSA key pair on P-256 (the default) or P-384, from its secret scalar.

    ``EcdsaKey(secret, curve="P-256", controller=..., id=...)``. Signatures are
    deterministic (RFC 6979): the same key and message always give the same
    ``r || s``, so no signature depends on a random nonce. The secret is kept
    out of ``repr``, equality, pickling and copying, as for :class:`Ed25519Key`.
    """

    public_bytes: bytes = field(init=False)
    secret: InitVar[bytes]
    curve: str = "P-256"
    controller: str = field(default="", kw_only=True)
    id: str = field(default="", kw_only=True)

    def __post_init__(self, secret: bytes) -> None:
        curve, _, _, _, size = _curve(self.curve)
        if not isinstance(secret, (bytes, bytearray)) or len(secret) != size:
            got = (f"{len(secret)} bytes" if isinstance(secret, (bytes, bytearray))
                   else type(secret).__name__)
            raise KeyMaterialError(
                "bad-seed", f"a {self.curve} secret key is {size} bytes, got {got}"
            )
        try:
            private = ec.derive_private_key(int.from_bytes(secret, "big"), curve)
        except ValueError:
            raise KeyMaterialError(
                "bad-seed", f"the secret is not a valid {self.curve} scalar"
            ) from None
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
        )
        object.__setattr__(self, "_secret", _Secret(bytes(secret)))
        object.__setattr__(self, "_private", _Secret(private))  # type: ignore[arg-type]  # opaque holder
        object.__setattr__(self, "public_bytes", public)
        pub = EcdsaPublicKey(public, self.curve, controller=self.controller, id=self.id)
        object.__setattr__(self, "controller", pub.controller)
        object.__setattr__(self, "id", pub.id)

    @classmethod
    def generate(
        cls,
        rng: RandomSource = DEFAULT_RANDOM,
        curve: str = "P-256",
        *,
        controller: str = "",
        id: str = "",
    ) -> EcdsaKey:
        """A new key whose scalar is drawn from ``rng`` (seeded rngs are for demos only)."""
        _, _, _, _, size = _curve(curve)
        order = _ORDERS[curve]
        while True:  # rejection sampling: uniform in [1, n - 1]
            secret = rng.bytes(size)
            if 0 < int.from_bytes(secret, "big") < order:
                return cls(secret, curve, controller=controller, id=id)

    @classmethod
    def from_multikey(cls, doc: dict) -> EcdsaKey:
        """A key from P-256/P-384 Multikey JSON with ``secretKeyMultibase``."""
        public = EcdsaPublicKey.from_multikey(doc)
        name = "secretKeyMultibase" if "secretKeyMultibase" in doc else "privateKeyMultibase"
        secret_mb = doc.get(name)
        if secret_mb is None:
            raise KeyMaterialError(
                "no-secret-key", "the Multikey holds only a public key, and signing needs the secret key"
            )
        _, _, _, prefix, size = _curve(public.curve)
        try:
            secret = decode_multikey(secret_mb, prefix, size)
        except InputError:
            # Generic message: the decoder's would quote characters of the secret.
            raise InputError(
                "bad-multikey",
                f"not a {public.curve} secret key multibase ({size} bytes)",
                path=f"$.{name}",
            ) from None
        key = cls(secret, public.curve, controller=public.controller, id=public.id)
        if key.public_bytes != public.public_bytes:
            raise KeyMaterialError(
                "key-mismatch", "the secret key does not belong to publicKeyMultibase"
            )
        return key

    @property
    def public_key(self) -> EcdsaPublicKey:
        return EcdsaPublicKey(self.public_bytes, self.curve, controller=self.controller, id=self.id)

    @property
    def public_key_multibase(self) -> str:
        return encode_multikey(_curve(self.curve)[2], self.public_bytes)

    @property
    def secret_key_multibase(self) -> str:
        """The secret key as multibase: an explicit export of the secret."""
        return encode_multikey(_curve(self.curve)[3], self._seed())

    @property
    def did(self) -> str:
        return did_key_from_public_key(self.public_bytes, self.curve)

    @property
    def verification_method(self) -> str:
        """The key's ``id`` (by default ``did:key:<mb>#<mb>``)."""
        return self.id

    def sign(self, message: bytes) -> bytes:
        """The deterministic (RFC 6979) ``r || s`` signature of ``message``."""
        _, digest, _, _, size = _curve(self.curve)
        private: ec.EllipticCurvePrivateKey = self.__dict__["_private"].reveal()
        der = private.sign(bytes(message), ec.ECDSA(digest(), deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True for a valid signature; False (never an exception) for a bad one."""
        return self.public_key.verify(message, signature)

    def to_multikey(self, include_secret: bool = False) -> dict[str, Any]:
        """The public Multikey JSON; with ``include_secret`` also ``secretKeyMultibase``."""
        doc = self.public_key.to_multikey()
        if include_secret:
            doc["secretKeyMultibase"] = self.secret_key_multibase
        return doc

    def _seed(self) -> bytes:
        secret: _Secret = self.__dict__["_secret"]
        return secret.reveal()

    def _identity(self) -> tuple[bytes, str, str, str]:
        return (self.public_bytes, self.curve, self.id, self.controller)


# The order n of each curve's group: a secret scalar is in [1, n - 1].
_ORDERS = {
    "P-256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "P-384": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}


def _multikey_public(doc: Any) -> str:
    if not isinstance(doc, dict):
        raise InputError("bad-multikey", "a Multikey document must be a JSON object")
    if doc.get("type", "Multikey") != "Multikey":
        raise InputError("bad-multikey", "type must be 'Multikey'", path="$.type")
    mb = doc.get("publicKeyMultibase")
    if not isinstance(mb, str):
        raise InputError(
            "bad-multikey", "publicKeyMultibase is missing", path="$.publicKeyMultibase"
        )
    return mb


AnyPublicKey = Ed25519PublicKey | EcdsaPublicKey
AnySigningKey = Ed25519Key | EcdsaKey


def public_key_from_multikey(doc: dict) -> AnyPublicKey:
    """The public key of a Multikey document, Ed25519 (``z6Mk…``), P-256 (``zDn…``)
    or P-384 (``z82…``), by its multicodec prefix."""
    mb = _multikey_public(doc)
    if mb.startswith(("zDn", "z82")):
        return EcdsaPublicKey.from_multikey(doc)
    return Ed25519PublicKey.from_multikey(doc)


def signing_key_from_multikey(doc: dict) -> AnySigningKey:
    """The key pair of a Multikey document with its secret, of any supported type."""
    if isinstance(public_key_from_multikey(doc), EcdsaPublicKey):
        return EcdsaKey.from_multikey(doc)
    return Ed25519Key.from_multikey(doc)


# --- key files ---------------------------------------------------------------


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    padded = text + "=" * (-len(text) % 4)
    return base64.b64decode(padded, altchars=b"-_", validate=True)


def _check_limits(opslimit: Any, memlimit: Any) -> bool:
    return (
        isinstance(opslimit, int)
        and isinstance(memlimit, int)
        and argon2id.OPSLIMIT_MIN <= opslimit <= MAX_OPSLIMIT
        and argon2id.MEMLIMIT_MIN <= memlimit <= MAX_MEMLIMIT
    )


def _box(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> nacl.secret.SecretBox:
    secret = argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit, memlimit
    )
    return nacl.secret.SecretBox(secret)


def _encrypt_seed(
    seed: bytes, passphrase: str, rng: RandomSource, opslimit: int, memlimit: int
) -> dict[str, Any]:
    salt = rng.bytes(argon2id.SALTBYTES)
    nonce = rng.bytes(nacl.secret.SecretBox.NONCE_SIZE)
    sealed = _box(passphrase, salt, opslimit, memlimit).encrypt(seed, nonce)
    return {
        "kdf": "argon2id",
        "opslimit": opslimit,
        "memlimit": memlimit,
        "salt": _b64e(salt),
        "nonce": _b64e(nonce),
        "ciphertext": _b64e(sealed.ciphertext),
    }


def _decrypt_seed(enc: Any, passphrase: str, where: str) -> bytes:
    def invalid(name: str) -> KeyMaterialError:
        return KeyMaterialError(
            "key-file-invalid", f"invalid field encryptedSecretKey.{name}", path=where
        )

    if not isinstance(enc, dict):
        raise invalid("(not an object)")
    if enc.get("kdf") != "argon2id":
        raise invalid("kdf")
    if not _check_limits(enc.get("opslimit"), enc.get("memlimit")):
        raise invalid("opslimit/memlimit")
    raw = {}
    for name in ("salt", "nonce", "ciphertext"):
        try:
            raw[name] = _b64d(enc[name])
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise invalid(name) from None
    if len(raw["salt"]) != argon2id.SALTBYTES:
        raise invalid("salt")
    if len(raw["nonce"]) != nacl.secret.SecretBox.NONCE_SIZE:
        raise invalid("nonce")
    box = _box(passphrase, raw["salt"], enc["opslimit"], enc["memlimit"])
    try:
        return box.decrypt(raw["ciphertext"], raw["nonce"])
    except nacl.exceptions.CryptoError:
        raise KeyMaterialError(
            "wrong-passphrase", "wrong passphrase (or a corrupted key file)", path=where
        ) from None


def save_key(
    key: AnySigningKey,
    path: str | os.PathLike[str],
    *,
    passphrase: str | None = None,
    overwrite: bool = False,
    rng: RandomSource = DEFAULT_RANDOM,
    opslimit: int = argon2id.OPSLIMIT_MODERATE,
    memlimit: int = argon2id.MEMLIMIT_MODERATE,
) -> Path:
    """Write ``key`` as Multikey JSON (mode 0600), atomically; returns the path.

    Raises KeyMaterialError 'key-file-exists' unless ``overwrite``.
    """
    require_signing_key(key)
    if not isinstance(key, (Ed25519Key, EcdsaKey)):
        raise TypeError(f"save_key writes an Ed25519Key or EcdsaKey, not {type(key).__name__}")
    if passphrase is not None and not isinstance(passphrase, str):
        raise TypeError("passphrase must be a string (or None)")
    path = Path(path)
    if not overwrite and path.exists():  # early, before the slow KDF; link() re-checks
        raise KeyMaterialError("key-file-exists", "the key file exists already", path=str(path))
    doc = key.to_multikey(include_secret=passphrase is None)
    if passphrase is not None:
        if not _check_limits(opslimit, memlimit):
            raise KeyMaterialError("bad-kdf-limits", "opslimit/memlimit out of range")
        doc["encryptedSecretKey"] = _encrypt_seed(key._seed(), passphrase, rng, opslimit, memlimit)
    data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")

    try:  # mode 0600 from the first byte; exclusive unless overwrite, so no race
        write_atomically(path, data, overwrite=overwrite, mode=0o600)
    except FileExistsError:
        raise KeyMaterialError(
            "key-file-exists", "the key file exists already", path=str(path)
        ) from None
    return path


def _read_doc(path: str | os.PathLike[str]) -> tuple[dict, str, int]:
    """The key file's JSON object, its name for messages, and its mode."""
    where = str(path)
    try:
        read = read_file(path, MAX_KEY_FILE_BYTES, what="key file")
    except FileNotFoundError:
        raise KeyMaterialError("key-file-missing", "no such key file", path=where) from None
    except InputError as exc:  # larger than any key file
        raise KeyMaterialError(
            "key-file-invalid", f"{exc.message}: not a key file", path=where
        ) from None
    try:
        doc = json.loads(read.data)
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, nesting
        raise KeyMaterialError(
            "key-file-not-json", "the key file is not JSON", path=where
        ) from None
    if not isinstance(doc, dict):
        raise KeyMaterialError("key-file-invalid", "the key file is not a JSON object", path=where)
    return doc, where, read.mode


def _check_private(mode: int, where: str, allow_open_permissions: bool) -> None:
    """Refuse a file holding a secret that group or others may read or write (as ssh does)."""
    if allow_open_permissions or not _HAS_POSIX_MODES:
        return
    open_bits = stat.S_IMODE(mode) & OPEN_PERMISSIONS
    if open_bits:
        raise KeyMaterialError(
            "key-file-permissions",
            f"the key file {where} has mode {stat.S_IMODE(mode):04o}: group or others may"
            f" {'read' if open_bits & 0o044 else 'write'} it; make it private (chmod 600 {where})"
            " or allow it explicitly (allow_open_permissions=True, --allow-open-key-file)",
            path=where,
        )


def _invalid(err: InputError, where: str) -> KeyMaterialError:
    field_name = (err.path or "$").removeprefix("$.")
    return KeyMaterialError(
        "key-file-invalid", f"invalid field {field_name}: {err.message}", path=where
    )


def _public_of(doc: dict, where: str) -> AnyPublicKey:
    try:
        return public_key_from_multikey(doc)
    except InputError as err:
        raise _invalid(err, where) from None


def load_public_key(path: str | os.PathLike[str]) -> AnyPublicKey:
    """The public key of any key file (public-only, plain or encrypted).

    Its permissions are not checked: only the public part is read.
    """
    doc, where, _ = _read_doc(path)
    return _public_of(doc, where)


def load_key(
    path: str | os.PathLike[str],
    *,
    passphrase: str | None = None,
    allow_open_permissions: bool = False,
) -> AnySigningKey:
    """The key pair in a key file written by :func:`save_key` (or a W3C keyPair.json).

    A passphrase given for an unencrypted file is not needed and is ignored.
    A file holding a secret that group or others may read or write is refused
    (``key-file-permissions``) unless ``allow_open_permissions``.
    """
    if passphrase is not None and not isinstance(passphrase, str):
        raise TypeError("passphrase must be a string (or None)")
    doc, where, mode = _read_doc(path)
    if any(name in doc for name in ("encryptedSecretKey", "secretKeyMultibase",
                                    "privateKeyMultibase")):
        _check_private(mode, where, allow_open_permissions)
    if "encryptedSecretKey" in doc:
        if passphrase is None:
            raise KeyMaterialError(
                "passphrase-required", "the key file is encrypted: give a passphrase", path=where
            )
        public = _public_of(doc, where)  # report field errors before the slow KDF
        seed = _decrypt_seed(doc["encryptedSecretKey"], passphrase, where)
        doc = {k: v for k, v in doc.items() if k != "encryptedSecretKey"}
        prefix = _curve(public.curve)[3] if isinstance(public, EcdsaPublicKey) else ED25519_PRIV
        doc["secretKeyMultibase"] = encode_multikey(prefix, seed)
    elif "secretKeyMultibase" not in doc and "privateKeyMultibase" not in doc:
        raise KeyMaterialError(
            "no-secret-key", "the key file holds only a public key, and signing needs the secret key", path=where
        )
    try:
        return signing_key_from_multikey(doc)
    except InputError as err:
        raise _invalid(err, where) from None
    except KeyMaterialError as err:
        raise err.with_path(where) from None
