"""Base58btc, multibase ('z' prefix) and multicodec-prefixed keys (Multikey).

Data Integrity proofs and did:key identifiers write bytes as base58btc with a
leading ``z`` (the multibase code for base58btc). Keys additionally start with
a multicodec varint naming the key type: ``0xed01`` for an Ed25519 public key,
``0x8026`` for an Ed25519 secret key (seed).

>>> encode_multibase_base58btc(b"\\x00\\x00hi")
'z118wr'
>>> decode_multibase_base58btc("z118wr")
b'\\x00\\x00hi'
"""

from __future__ import annotations

from coopcreds_proto.errors import InputError

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(ALPHABET)}

# Multicodec varints (https://github.com/multiformats/multicodec).
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"


def b58encode(data: bytes) -> str:
    """Base58btc (Bitcoin alphabet); each leading zero byte becomes ``'1'``.

    >>> b58encode(b"hello")
    'Cn8eVZg'
    """
    zeros = len(data) - len(data.lstrip(b"\x00"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(ALPHABET[rem])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises InputError 'bad-multibase' on a bad character.

    >>> b58decode("Cn8eVZg")
    b'hello'
    """
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


def decode_multibase_base58btc(text: str) -> bytes:
    """Bytes of a ``'z…'`` multibase string; InputError 'bad-multibase' otherwise."""
    if not isinstance(text, str) or not text.startswith("z"):
        shown = text[:1] if isinstance(text, str) else type(text).__name__
        raise InputError(
            "bad-multibase",
            f"expected a base58btc multibase string starting with 'z', got {shown!r}",
        )
    return b58decode(text[1:])


def encode_multikey(prefix: bytes, raw: bytes) -> str:
    """Multibase of multicodec ``prefix`` + ``raw`` key bytes.

    >>> encode_multikey(ED25519_PUB, bytes(32))[:4]
    'z6Mk'
    """
    return encode_multibase_base58btc(prefix + raw)


def decode_multikey(text: str, prefix: bytes, length: int) -> bytes:
    """Raw key bytes of a Multikey string, checking its multicodec ``prefix`` and ``length``."""
    data = decode_multibase_base58btc(text)
    if not data.startswith(prefix):
        raise InputError(
            "bad-multikey",
            f"expected multicodec prefix 0x{prefix.hex()}, got 0x{data[: len(prefix)].hex()}",
        )
    raw = data[len(prefix) :]
    if len(raw) != length:
        raise InputError("bad-multikey", f"expected a {length}-byte key, got {len(raw)} bytes")
    return raw
