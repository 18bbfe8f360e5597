"""Bitstring Status List: encoding, bounded decoding, allocation, revocation and suspension."""

from __future__ import annotations

import base64
import gzip
import json
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.status_list import (
    MIN_ENTRIES,
    StatusListError,
    allocate,
    decode_bits,
    encode_bits,
    get_bit,
    load_status_list,
    new_status_list,
    reserve_indexes,
    revoke,
    save_status_list,
    set_status,
    status_entry,
    status_list_credential,
    suspend,
    unrevoke,
    unsuspend,
)

VECTORS = Path(__file__).resolve().parent / "vectors" / "status-list"
SPEC_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
URL = "https://coop.example/status/1"
ISSUER = "did:example:coop"


def _multibase(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def gzip_bomb(mebibytes: int) -> bytes:
    """GZIP data that inflates to ``mebibytes`` MiB of zeros (built in milliseconds).

    Deflating a run of zeros after the window is full gives the same bytes for
    every MiB, so one flushed block is repeated; no trailer, as the decoder
    must refuse long before it would reach one.
    """
    deflate = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    head = deflate.compress(chunk) + deflate.flush(zlib.Z_SYNC_FLUSH)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_SYNC_FLUSH)
    return head + block * (mebibytes - 1)


# --- encoding -----------------------------------------------------------------


def test_spec_example_decodes_to_131072_zero_bits() -> None:
    for name in ("example-status-list-credential.json",
                 "example-status-list-credential-v2-context-only.json"):
        document = json.loads((VECTORS / name).read_text())
        encoded = document["credentialSubject"]["encodedList"]
        assert encoded == SPEC_LIST
        bits = decode_bits(encoded)
        assert len(bits) * 8 == MIN_ENTRIES == 131_072
        assert not any(bits)


def test_encoding_is_gzip_base64url_unpadded_with_u_prefix() -> None:
    encoded = encode_bits(bytes(16384))
    assert encoded.startswith("uH4sI")  # multibase u + GZIP magic 1f 8b 08
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == bytes(16384)
    # Same bits as the spec's encoder, though not the same string.
    assert decode_bits(encoded) == decode_bits(SPEC_LIST)


def test_round_trip_and_bit_order() -> None:
    rng = SeededRandom("round-trip")
    bits = rng.bytes(16384 * 2)
    assert decode_bits(encode_bits(bits)) == bits
    one = bytearray(16384)
    one[0] = 0x80  # index 0: the left-most bit of byte 0
    one[1] = 0x40  # index 9
    one[-1] = 0x01  # the last index
    decoded = decode_bits(encode_bits(bytes(one)))
    set_bits = [i for i in range(len(decoded) * 8) if get_bit(decoded, i)]
    assert set_bits == [0, 9, MIN_ENTRIES - 1]


@pytest.mark.parametrize(
    "encoded, code",
    [
        (SPEC_LIST[1:], "malformed-list"),  # no multibase prefix
        ("z" + SPEC_LIST[1:], "malformed-list"),  # base58btc prefix
        ("u!!!!", "malformed-list"),  # not base64url
        (_multibase(zlib.compress(bytes(16384))), "malformed-list"),  # zlib, not GZIP
        (_multibase(gzip.compress(bytes(16384))[:-12]), "malformed-list"),  # truncated
        (_multibase(gzip.compress(bytes(16384)) + b"junk"), "malformed-list"),
        (_multibase(gzip.compress(bytes(1024))), "list-too-short"),
        (12345, "malformed-list"),
    ],
)
def test_malformed_lists_are_refused(encoded: object, code: str) -> None:
    with pytest.raises(StatusListError) as refused:
        decode_bits(encoded)
    assert refused.value.code == code


def test_gzip_bomb_is_refused_quickly_with_bounded_memory() -> None:
    bomb = _multibase(gzip_bomb(512))  # 512 MiB of zeros in ~530 KB
    tracemalloc.start()
    try:
        start = time.perf_counter()
        with pytest.raises(StatusListError) as refused:
            decode_bits(bomb, max_bytes=1 << 20)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "list-too-large"
    assert "more than 1,048,576 bytes" in refused.value.message
    assert elapsed < 0.5
    # The input (~0.5 MB, decoded once) plus at most the cap: nowhere near 512 MiB.
    assert peak < 4 * (1 << 20)


def test_gzip_bomb_is_refused_at_the_default_cap() -> None:
    with pytest.raises(StatusListError) as refused:
        decode_bits(_multibase(gzip_bomb(512)))
    assert refused.value.code == "list-too-large"
    assert "16,777,216" in refused.value.message


def test_oversized_input_is_refused_before_decoding() -> None:
    with pytest.raises(StatusListError) as refused:
        decode_bits(_multibase(gzip_bomb(1024)))  # 1 GiB: ~1.4 million characters
    assert refused.value.code == "list-too-large"
    assert "characters" in refused.value.message


# --- allocation ---------------------------------------------------------------


def test_seeded_allocation_is_deterministic() -> None:
    lst = new_status_list(URL, ISSUER)
    _, first = allocate(lst, SeededRandom("seed-a"), 20)
    _, again = allocate(lst, SeededRandom("seed-a"), 20)
    _, other = allocate(lst, SeededRandom("seed-b"), 20)
    assert first == again
    assert first != other
    assert len(set(first)) == 20
    # Random, not sequential: spread over the whole list.
    assert max(first) - min(first) > MIN_ENTRIES // 2


def test_allocation_never_reuses_an_index_until_the_list_is_full() -> None:
    lst = new_status_list(URL, ISSUER)
    lst, first = allocate(lst, SeededRandom("fill"), 100_000)  # past half: the free-list path
    lst, rest = allocate(lst, SeededRandom("fill-2"), MIN_ENTRIES - 100_000)
    everything = first + rest
    assert len(set(everything)) == MIN_ENTRIES
    assert lst.allocated_count == MIN_ENTRIES
    with pytest.raises(StatusListError) as refused:
        allocate(lst, SeededRandom("more"))
    assert refused.value.code == "list-full"


def test_allocation_state_survives_a_reload(tmp_path: Path) -> None:
    path = tmp_path / "revocation.json"
    lst, first = allocate(new_status_list(URL, ISSUER), SeededRandom("run"), 500)
    save_status_list(lst, path)
    reloaded = load_status_list(path)
    assert reloaded == lst
    # The same seed again, after the reload: the taken indexes are skipped.
    _, second = allocate(reloaded, SeededRandom("run"), 500)
    assert not set(first) & set(second)
    # reserve_indexes saves before it returns: two runs never share an index.
    a = reserve_indexes(path, 300, SeededRandom("run"))
    b = reserve_indexes(path, 300, SeededRandom("run"))
    assert not set(a) & set(b) and not set(a + b) & set(first)
    assert load_status_list(path).allocated_count == 1100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["revocation.json", "revocation.json.lock"]


def test_saving_never_overwrites_silently(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    lst = new_status_list(URL, ISSUER)
    save_status_list(lst, path)
    with pytest.raises(StatusListError) as refused:
        save_status_list(lst, path)
    assert refused.value.code == "status-file-exists"
    path.write_text('{"format": "something else"}')
    with pytest.raises(StatusListError) as bad:
        load_status_list(path)
    assert bad.value.code == "bad-status-file"


# --- revocation and suspension ------------------------------------------------


def test_revocation_is_permanent() -> None:
    lst, (index, other) = allocate(new_status_list(URL, ISSUER), SeededRandom("rev"), 2)
    lst = revoke(lst, index)
    assert lst.status(index) and not lst.status(other)
    assert get_bit(decode_bits(lst.encoded_list()), index)
    for undo in (lambda: unrevoke(lst, index), lambda: set_status(lst, index, False)):
        with pytest.raises(StatusListError) as refused:
            undo()
        assert refused.value.code == "revocation-is-permanent"
    with pytest.raises(StatusListError) as wrong:
        suspend(lst, other)
    assert wrong.value.code == "wrong-purpose"


def test_suspend_and_unsuspend() -> None:
    lst = new_status_list(URL, ISSUER, "suspension")
    lst, (index,) = allocate(lst, SeededRandom("sus"))
    suspended = suspend(lst, index)
    assert suspended.status(index) and suspended.set_count == 1
    lifted = unsuspend(suspended, index)
    assert not lifted.status(index) and lifted.set_count == 0
    with pytest.raises(StatusListError) as wrong:
        revoke(lst, index)
    assert wrong.value.code == "wrong-purpose"


def test_only_allocated_indexes_change() -> None:
    lst, (index,) = allocate(new_status_list(URL, ISSUER), SeededRandom("alloc"))
    free = (index + 1) % MIN_ENTRIES
    for action in (lambda: revoke(lst, free), lambda: status_entry(lst, free)):
        with pytest.raises(StatusListError) as refused:
            action()
        assert refused.value.code == "index-not-allocated"
    with pytest.raises(StatusListError) as out:
        revoke(lst, MIN_ENTRIES)
    assert out.value.code == "index-out-of-range"


def test_entry_and_list_credential_shape() -> None:
    lst, (index,) = allocate(new_status_list(URL, ISSUER), SeededRandom("entry"))
    entry = status_entry(lst, index)
    assert entry == {
        "id": f"{URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": URL,
    }
    assert entry["id"] != entry["statusListCredential"]
    unsigned = status_list_credential(
        lst, valid_from="2026-05-01T00:00:00Z", valid_until="2026-07-01T00:00:00Z", ttl=3_600_000
    )
    assert unsigned["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert unsigned["id"] == URL and unsigned["issuer"] == ISSUER
    subject = unsigned["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["ttl"] == 3_600_000
    assert decode_bits(subject["encodedList"]) == lst.bits
    with pytest.raises(InputError) as bad:
        status_list_credential(lst, valid_from="2026-05-01T00:00:00Z", ttl=0)
    assert bad.value.code == "bad-ttl"


@pytest.mark.parametrize("purpose, length", [("refresh", MIN_ENTRIES), ("revocation", 1024),
                                             ("revocation", MIN_ENTRIES + 3)])
def test_bad_lists_are_refused(purpose: str, length: int) -> None:
    with pytest.raises(StatusListError):
        new_status_list(URL, ISSUER, purpose, length=length)


def test_summary_and_html_view() -> None:
    lst, (index,) = allocate(new_status_list(URL, "did:example:<coop>"), SeededRandom("view"))
    lst = revoke(lst, index)
    summary = lst.summary()
    assert (summary["entries"], summary["allocated"], summary["set"]) == (MIN_ENTRIES, 1, 1)
    view = lst._repr_html_()
    assert "131,072" in view and "did:example:&lt;coop&gt;" in view and "<coop>" not in view
    assert "allocated=1 set=1" in repr(lst)
