"""Base58btc, multibase ('z' prefix) and multicodec-prefixed keys (Multikey).

Data Integrity proofs and did:key identifiers write bytes as base58btc with a
leading ``z`` (the multibase code for base58btc). Keys additionally start with
a multicodec varint naming the key type: ``0xed01`` for an Ed25519 public key,
``0x8026`` for an Ed25519 secret key (seed), ``0x8024``/``0x8626`` for a P-256
public/secret key and ``0x8124``/``0x8726`` for P-384.

>>> encode_multibase_base58btc(b"\\x00\\x00hi")
'z118wr'
>>> decode_multibase_base58btc("z118wr")
b'\\x00\\x00hi'

Decoding base58 costs time quadratic in the length of the text (it is one
big number), so every decoder here bounds the text before decoding: by the
length the caller expects (a 64-byte signature is at most 88 characters, a
Multikey at most ``MAX_MULTIKEY_BYTES``), and in any case by ``MAX_BASE58_CHARS``. A
megabyte of base58 is refused in microseconds, not decoded for minutes:

>>> decode_multibase_base58btc("z" + "2" * 100, max_bytes=64)
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: base58btc text of 100 characters is longer than a 64-byte value can be (at most 88)
"""

from __future__ import annotations

from coopcreds_proto.errors import InputError, require_type

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}

# No key, signature or DID in the workbench comes near: 2,048 characters hold 1,500 bytes.
MAX_BASE58_CHARS = 2048
# The most bytes a Multikey value is decoded from: room for any key type (an
# RSA-4096 public key has about 550), so an unsupported key is named as one.
MAX_MULTIKEY_BYTES = 1024

# Multicodec varints (https://github.com/multiformats/multicodec).
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
# NIST curves: a public key is its compressed point (0x1200 P-256, 0x1201 P-384),
# a secret key its scalar (0x1306 P-256, 0x1307 P-384).
P256_PUB = b"\x80\x24"
P256_PRIV = b"\x86\x26"
P384_PUB = b"\x81\x24"
P384_PRIV = b"\x87\x26"


def b58encode(data: bytes) -> str:
    """Base58btc (Bitcoin alphabet); each leading zero byte becomes ``'1'``.

    >>> b58encode(b"hello")
    'Cn8eVZg'
    """
    require_type(data, (bytes, bytearray), "data to encode")
    data = bytes(data)
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(ALPHABET[rem])
    return "1" * zeros + "".join(reversed(digits))


def max_base58_chars(max_bytes: int) -> int:
    """The most base58btc characters that ``max_bytes`` bytes can take.

    Each leading zero byte is one ``'1'``; the rest take log(256)/log(58),
    about 1.3657, characters a byte, rounded up.

    >>> max_base58_chars(64), len(b58encode(b"\\xff" * 64)), len(b58encode(bytes(64)))
    (88, 88, 64)
    """
    return (max_bytes * 13657 + 9999) // 10000


def b58decode(text: str, *, max_bytes: int | None = None) -> bytes:
    """Inverse of :func:`b58encode`; raises InputError 'bad-multibase' on a bad character.

    Text longer than ``max_bytes`` bytes could take (or than
    ``MAX_BASE58_CHARS``) is refused before any decoding.

    >>> b58decode("Cn8eVZg")
    b'hello'
    """
    if not isinstance(text, str):
        raise InputError("bad-multibase", f"base58btc text is a string, not {type(text).__name__}")
    limit = MAX_BASE58_CHARS if max_bytes is None else min(
        MAX_BASE58_CHARS, max_base58_chars(max_bytes)
    )
    if len(text) > limit:
        if max_bytes is not None and limit < MAX_BASE58_CHARS:
            why = f"a {max_bytes}-byte value can be (at most {limit})"
        else:
            why = f"the limit of {MAX_BASE58_CHARS:,}"
        raise InputError(
            "bad-multibase", f"base58btc text of {len(text):,} characters is longer than {why}"
        )
    number = 0
    for position, char in enumerate(text):
        value = _INDEX.get(char)
        if value is None:
            raise InputError(
                "bad-multibase",
                f"{char!r} at position {position} is not a base58btc character",
            )
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * zeros + body


def encode_multibase_base58btc(data: bytes) -> str:
    """``'z'`` + base58btc of ``data``."""
    return "z" + b58encode(data)


def decode_multibase_base58btc(text: str, *, max_bytes: int | None = None) -> bytes:
    """Bytes of a ``'z…'`` multibase string; InputError 'bad-multibase' otherwise.

    ``max_bytes`` bounds the text before decoding (see :func:`b58decode`).
    """
    if not isinstance(text, str) or not text.startswith("z"):
        shown = text[:1] if isinstance(text, str) else type(text).__name__
        raise InputError(
            "bad-multibase",
            f"expected a base58btc multibase string starting with 'z', got {shown!r}",
        )
    return b58decode(text[1:], max_bytes=max_bytes)


def encode_multikey(prefix: bytes, raw: bytes) -> str:
    """Multibase of multicodec ``prefix`` + ``raw`` key bytes.

    >>> encode_multikey(ED25519_PUB, bytes(32))[:4]
    'z6Mk'
    """
    require_type(prefix, (bytes, bytearray), "a multicodec prefix")
    require_type(raw, (bytes, bytearray), "key bytes")
    return encode_multibase_base58btc(prefix + raw)


def decode_multikey(text: str, prefix: bytes, length: int) -> bytes:
    """Raw key bytes of a Multikey string, checking its multicodec ``prefix`` and ``length``."""
    require_type(prefix, (bytes, bytearray), "a multicodec prefix")
    if not isinstance(length, int) or isinstance(length, bool):
        raise TypeError(f"a key length is a whole number, not {type(length).__name__}")
    data = decode_multibase_base58btc(text, max_bytes=MAX_MULTIKEY_BYTES)
    if not data.startswith(prefix):
        raise InputError(
            "bad-multikey",
            f"expected multicodec prefix 0x{prefix.hex()}, got 0x{data[: len(prefix)].hex()}",
        )
    raw = data[len(prefix) :]
    if len(raw) != length:
        raise InputError("bad-multikey", f"expected a {length}-byte key, got {len(raw)} bytes")
    return raw
