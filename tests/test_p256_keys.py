"""ECDSA keys (P-256, P-384): Multikey, did:key (zDn..., z82...), signatures, key files."""

from __future__ import annotations

import copy
import json
import pickle
import stat
from pathlib import Path

import pytest
from nacl.pwhash import argon2id

from coopcreds_proto.did_key import did_key_type, resolve_did_key
from coopcreds_proto.dids import dereference_verification_method
from coopcreds_proto.errors import InputError, KeyMaterialError
from coopcreds_proto.keys import (
    EcdsaKey,
    EcdsaPublicKey,
    Ed25519Key,
    load_key,
    load_public_key,
    public_key_from_multikey,
    save_key,
    signing_key_from_multikey,
)
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.randomness import SeededRandom

ECDSA = Path(__file__).parent / "vectors" / "vc-di-ecdsa"
FAST = {"opslimit": argon2id.OPSLIMIT_INTERACTIVE, "memlimit": argon2id.MEMLIMIT_INTERACTIVE}


def pair(name: str) -> dict:
    return json.loads((ECDSA / name).read_text())


@pytest.mark.parametrize(("name", "curve", "prefix"), [
    ("p256KeyPair.json", "P-256", "did:key:zDn"), ("p384KeyPair.json", "P-384", "did:key:z82"),
])
def test_vector_key_pairs_round_trip(name: str, curve: str, prefix: str) -> None:
    doc = pair(name)
    key = signing_key_from_multikey(doc)
    assert isinstance(key, EcdsaKey) and key.curve == curve
    assert key.public_key_multibase == doc["publicKeyMultibase"]
    assert key.secret_key_multibase == doc["secretKeyMultibase"]
    assert key.did == "did:key:" + doc["publicKeyMultibase"] and key.did.startswith(prefix)
    assert did_key_type(key.did) == curve
    assert public_key_from_multikey(doc) == key.public_key


def test_signatures_are_deterministic_and_verify() -> None:
    key = EcdsaKey.generate(SeededRandom("p256"))
    signature = key.sign(b"hello")
    assert len(signature) == 64 and signature == key.sign(b"hello")
    assert key.public_key.verify(b"hello", signature)
    assert not key.public_key.verify(b"hellO", signature)
    assert not key.public_key.verify(b"hello", signature[:-1])
    assert not key.public_key.verify(b"hello", bytes(64))
    other = EcdsaKey.generate(SeededRandom("other"))
    assert not other.verify(b"hello", signature)
    p384 = EcdsaKey.generate(SeededRandom("p384"), curve="P-384")
    assert len(p384.sign(b"x")) == 96 and p384.verify(b"x", p384.sign(b"x"))


def test_generation_draws_from_the_random_source() -> None:
    assert EcdsaKey.generate(SeededRandom("a")) == EcdsaKey.generate(SeededRandom("a"))
    assert EcdsaKey.generate(SeededRandom("a")) != EcdsaKey.generate(SeededRandom("b"))
    assert EcdsaKey.generate().did.startswith("did:key:zDn")


def test_did_key_resolves_to_a_p256_verification_method() -> None:
    key = EcdsaKey.generate(SeededRandom("resolve"))
    document = resolve_did_key(key.did)
    assert document["verificationMethod"][0]["publicKeyMultibase"] == key.public_key_multibase
    method = dereference_verification_method(key.verification_method,
                                              OfflineDocumentLoader.default())
    assert method.public_key == key.public_key
    assert method.public_key.verify(b"m", key.sign(b"m"))


def test_secret_never_shows() -> None:
    key = EcdsaKey.generate(SeededRandom("secret"))
    secret = key.secret_key_multibase
    assert secret not in repr(key) and secret not in str(vars(key))
    assert repr(key) == f"EcdsaKey({key.did})"
    with pytest.raises(KeyMaterialError) as info:
        pickle.dumps(key)
    assert info.value.code == "key-not-picklable"
    assert copy.deepcopy(key) is key


@pytest.mark.parametrize(("make", "code"), [
    (lambda: EcdsaPublicKey(bytes(33)), "bad-public-key"),
    (lambda: EcdsaPublicKey(b"\x02" + (1).to_bytes(32, "big")), "bad-public-key"),  # off the curve
    (lambda: EcdsaPublicKey(b"\x04" + bytes(64)), "bad-public-key"),  # uncompressed
    (lambda: EcdsaKey(bytes(32)), "bad-seed"),                         # scalar 0
    (lambda: EcdsaKey(b"\xff" * 32), "bad-seed"),                      # above the order
    (lambda: EcdsaKey(bytes(31)), "bad-seed"),
    (lambda: EcdsaKey(b"\x01" * 32, "P-521"), "unsupported-curve"),
])
def test_bad_key_material_is_refused(make, code: str) -> None:
    with pytest.raises(KeyMaterialError) as info:
        make()
    assert info.value.code == code


def test_mismatched_secret_is_refused() -> None:
    doc = pair("p256KeyPair.json")
    doc["secretKeyMultibase"] = EcdsaKey.generate(SeededRandom("x")).secret_key_multibase
    with pytest.raises(KeyMaterialError) as info:
        EcdsaKey.from_multikey(doc)
    assert info.value.code == "key-mismatch"
    wrong_kind = dict(pair("p256KeyPair.json"), secretKeyMultibase=pair("p384KeyPair.json")[
        "secretKeyMultibase"])
    with pytest.raises(InputError) as info2:
        EcdsaKey.from_multikey(wrong_kind)
    assert info2.value.code == "bad-multikey"


@pytest.mark.parametrize("passphrase", [None, "correct horse"])
def test_key_file_is_private_and_round_trips(tmp_path: Path, passphrase: str | None) -> None:
    key = EcdsaKey.generate(SeededRandom("file"))
    path = save_key(key, tmp_path / "p256.json", passphrase=passphrase,
                    rng=SeededRandom("salt"), **FAST)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert (key.secret_key_multibase in text) is (passphrase is None)
    loaded = load_key(path, passphrase=passphrase)
    assert isinstance(loaded, EcdsaKey) and loaded == key
    assert loaded.sign(b"m") == key.sign(b"m")
    assert load_public_key(path) == key.public_key
    path.chmod(0o644)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path, passphrase=passphrase)
    assert info.value.code == "key-file-permissions"


def test_ed25519_key_files_still_load(tmp_path: Path) -> None:
    key = Ed25519Key.generate(SeededRandom("ed"))
    assert load_key(save_key(key, tmp_path / "ed.json")) == key
