"""Base58btc, multibase and Multikey encoding."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcreds_proto.errors import InputError
from coopcreds_proto.multibase import (
    ED25519_PRIV,
    ED25519_PUB,
    MAX_BASE58_CHARS,
    b58decode,
    b58encode,
    decode_multibase_base58btc,
    decode_multikey,
    encode_multibase_base58btc,
    encode_multikey,
    max_base58_chars,
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"", ""),
        (b"\x00", "1"),
        (b"\x00\x00\x00", "111"),
        (b"\x00\x01", "12"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("0000287fb4cd"), "11233QC4"),
    ],
)
def test_known_base58(raw: bytes, text: str) -> None:
    assert b58encode(raw) == text
    assert b58decode(text) == raw


@given(st.binary(max_size=80))
def test_base58_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data


@given(st.integers(min_value=0, max_value=8), st.binary(max_size=40))
def test_leading_zeros_become_ones(zeros: int, body: bytes) -> None:
    data = b"\x00" * zeros + body.lstrip(b"\x00")
    text = b58encode(data)
    assert text.startswith("1" * zeros)
    assert not text[zeros:].startswith("1")
    assert b58decode(text) == data


@given(st.binary(max_size=64))
def test_multibase_round_trip(data: bytes) -> None:
    text = encode_multibase_base58btc(data)
    assert text.startswith("z")
    assert decode_multibase_base58btc(text) == data


@pytest.mark.parametrize("text", ["", "u6Mk", "6Mk", "Z6Mk"])
def test_missing_z_prefix(text: str) -> None:
    with pytest.raises(InputError) as info:
        decode_multibase_base58btc(text)
    assert info.value.code == "bad-multibase"
    assert "'z'" in info.value.message


@pytest.mark.parametrize("bad", ["0", "O", "I", "l", "+", " "])
def test_character_outside_alphabet(bad: str) -> None:
    with pytest.raises(InputError) as info:
        decode_multibase_base58btc("z6Mk" + bad)
    assert info.value.code == "bad-multibase"
    assert repr(bad) in info.value.message


def test_non_string_is_refused() -> None:
    with pytest.raises(InputError) as info:
        decode_multibase_base58btc(b"z6Mk")  # type: ignore[arg-type]
    assert info.value.code == "bad-multibase"


def test_multikey_prefixes() -> None:
    assert encode_multikey(ED25519_PUB, bytes(32)).startswith("z6Mk")
    assert encode_multikey(ED25519_PRIV, bytes(32)).startswith("z3u2")
    raw = bytes(range(32))
    assert decode_multikey(encode_multikey(ED25519_PUB, raw), ED25519_PUB, 32) == raw


def test_multikey_wrong_prefix() -> None:
    text = encode_multikey(ED25519_PRIV, bytes(32))
    with pytest.raises(InputError) as info:
        decode_multikey(text, ED25519_PUB, 32)
    assert info.value.code == "bad-multikey"
    assert "0xed01" in info.value.message


@pytest.mark.parametrize("length", [0, 31, 33])
def test_multikey_wrong_length(length: int) -> None:
    with pytest.raises(InputError) as info:
        decode_multikey(encode_multikey(ED25519_PUB, bytes(length)), ED25519_PUB, 32)
    assert info.value.code == "bad-multikey"


# --- bounded before decoding ------------------------------------------------------


@given(st.binary(max_size=200))
def test_the_length_bound_holds_for_any_bytes(data: bytes) -> None:
    assert len(b58encode(data)) <= max_base58_chars(len(data))


def test_a_long_value_is_refused_by_its_length_before_any_decoding() -> None:
    # The bad character is last: decoding would have reached it after minutes
    # of big-number arithmetic; the length is refused first.
    text = "z" + "2" * 1_000_000 + "0"
    with pytest.raises(InputError) as info:
        decode_multibase_base58btc(text)
    assert info.value.code == "bad-multibase"
    assert "1,000,001 characters is longer than the limit of 2,048" in info.value.message
    with pytest.raises(InputError) as info:
        b58decode("2" * (MAX_BASE58_CHARS + 1))
    assert "longer than" in info.value.message


def test_an_expected_length_bounds_the_text() -> None:
    signature = encode_multibase_base58btc(b"\xff" * 64)
    assert len(decode_multibase_base58btc(signature, max_bytes=64)) == 64
    with pytest.raises(InputError) as info:
        decode_multibase_base58btc(signature + "2", max_bytes=64)
    assert "longer than a 64-byte value can be (at most 88)" in info.value.message
    # A key of another type is still named as one (not refused for its length).
    other = encode_multikey(b"\x85\x24", bytes(300))
    with pytest.raises(InputError) as info:
        decode_multikey(other, ED25519_PUB, 32)
    assert info.value.code == "bad-multikey"
    with pytest.raises(InputError) as info:
        decode_multikey("z" + "2" * 2000, ED25519_PUB, 32)
    assert info.value.code == "bad-multibase"
