"""Ed25519 keys, Multikey JSON and key files."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest
from nacl.pwhash import argon2id

from coopcreds_proto.errors import KeyMaterialError
from coopcreds_proto.keys import (
    Ed25519Key,
    Ed25519PublicKey,
    load_key,
    load_public_key,
    save_key,
)
from coopcreds_proto.randomness import SeededRandom, SystemRandom

VECTORS = Path(__file__).parent / "vectors"
VECTOR_SEED = "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
VECTOR_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_PUBLIC_MB = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
VECTOR_SECRET_MB = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
FAST = {"opslimit": argon2id.OPSLIMIT_INTERACTIVE, "memlimit": argon2id.MEMLIMIT_INTERACTIVE}


@pytest.fixture
def key() -> Ed25519Key:
    return Ed25519Key.from_seed_hex(VECTOR_SEED)


def code_of(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.value.code


# --- the key ----------------------------------------------------------------


def test_w3c_vector_key(key: Ed25519Key) -> None:
    assert key.did == VECTOR_DID
    assert key.public_key_multibase == VECTOR_PUBLIC_MB
    assert key.secret_key_multibase == VECTOR_SECRET_MB
    assert key.verification_method == f"{VECTOR_DID}#{VECTOR_PUBLIC_MB}"
    assert key.controller == VECTOR_DID
    assert key.id == key.verification_method


def test_w3c_vector_file_uses_private_key_multibase(key: Ed25519Key) -> None:
    doc = json.loads((VECTORS / "keyPair.json").read_text())
    assert "privateKeyMultibase" in doc
    assert Ed25519Key.from_multikey(doc) == key
    # A committed test vector has whatever mode the checkout gives it (0644).
    assert load_key(VECTORS / "keyPair.json", allow_open_permissions=True) == key


def test_rfc8032_test_1() -> None:
    key = Ed25519Key.from_seed_hex(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    )
    assert key.public_bytes.hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )
    assert key.sign(b"").hex() == (
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )


def test_sign_and_verify(key: Ed25519Key) -> None:
    signature = key.sign(b"member since 2024")
    assert len(signature) == 64
    assert key.verify(b"member since 2024", signature)
    assert key.public_key.verify(b"member since 2024", signature)
    assert not key.verify(b"member since 2025", signature)
    other = Ed25519Key.generate(SeededRandom("other"))
    assert not other.verify(b"member since 2024", signature)


@pytest.mark.parametrize("signature", [b"", bytes(63), bytes(64), bytes(65), "x" * 64, None])
def test_bad_signatures_are_false_not_errors(key: Ed25519Key, signature: object) -> None:
    assert key.verify(b"msg", signature) is False  # type: ignore[arg-type]


def test_repr_and_str_hide_the_secret(key: Ed25519Key) -> None:
    for text in (repr(key), str(key), f"{key}", repr([key]), repr(key.public_key)):
        assert VECTOR_SEED not in text
        assert VECTOR_SECRET_MB not in text
        assert repr(bytes.fromhex(VECTOR_SEED)) not in text
    assert repr(key) == f"Ed25519Key({VECTOR_DID})"
    assert repr(key.public_key) == f"Ed25519PublicKey({VECTOR_DID})"


def test_key_is_frozen(key: Ed25519Key) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.id = "did:example:other#key"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.public_bytes = bytes(32)  # type: ignore[misc]


@pytest.mark.parametrize("seed", [b"", bytes(31), bytes(33), "0" * 32])
def test_from_seed_wrong_length(seed: bytes) -> None:
    with pytest.raises(KeyMaterialError) as info:
        Ed25519Key.from_seed(seed)
    assert code_of(info) == "bad-seed"


def test_from_seed_hex_errors_do_not_echo_the_input() -> None:
    with pytest.raises(KeyMaterialError) as info:
        Ed25519Key.from_seed_hex("zz" + VECTOR_SEED[2:])
    assert code_of(info) == "bad-seed"
    assert VECTOR_SEED[2:] not in str(info.value)
    with pytest.raises(KeyMaterialError) as info:
        Ed25519Key.from_seed_hex(VECTOR_SEED[:-2])
    assert code_of(info) == "bad-seed"
    assert "31 bytes" in str(info.value)


def test_seeded_random_is_reproducible_system_random_is_not() -> None:
    assert Ed25519Key.generate(SeededRandom("coop")) == Ed25519Key.generate(SeededRandom("coop"))
    assert Ed25519Key.generate(SeededRandom("coop")) != Ed25519Key.generate(SeededRandom("co-op"))
    assert Ed25519Key.generate(SystemRandom()) != Ed25519Key.generate(SystemRandom())
    assert Ed25519Key.generate().did.startswith("did:key:z6Mk")


def test_to_multikey(key: Ed25519Key) -> None:
    public_doc = key.to_multikey()
    assert public_doc == {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": f"{VECTOR_DID}#{VECTOR_PUBLIC_MB}",
        "type": "Multikey",
        "controller": VECTOR_DID,
        "publicKeyMultibase": VECTOR_PUBLIC_MB,
    }
    assert key.to_multikey(include_secret=True) == {
        **public_doc,
        "secretKeyMultibase": VECTOR_SECRET_MB,
    }
    assert key.public_key.to_multikey() == public_doc
    assert Ed25519Key.from_multikey(key.to_multikey(include_secret=True)) == key


def test_custom_controller_and_id_survive_multikey() -> None:
    key = Ed25519Key(bytes(32), controller="did:web:coop.example", id="did:web:coop.example#k1")
    assert key.verification_method == "did:web:coop.example#k1"
    assert key.did.startswith("did:key:")
    again = Ed25519Key.from_multikey(key.to_multikey(include_secret=True))
    assert (again.controller, again.id) == ("did:web:coop.example", "did:web:coop.example#k1")
    public = Ed25519PublicKey.from_multikey(key.to_multikey())
    assert public == key.public_key


def test_a_key_given_no_controller_or_id_is_named_by_its_did_key(key: Ed25519Key) -> None:
    doc = {k: v for k, v in key.to_multikey().items() if k not in ("controller", "id")}
    for public in (Ed25519PublicKey.from_multikey(doc), Ed25519PublicKey(key.public_bytes),
                   Ed25519PublicKey(key.public_bytes, controller=None, id=None)):
        assert (public.controller, public.id) == (key.did, key.verification_method)


def test_from_multikey_mismatch_and_missing_secret(key: Ed25519Key) -> None:
    other = Ed25519Key.generate(SeededRandom("other"))
    doc = {"publicKeyMultibase": other.public_key_multibase, "secretKeyMultibase": VECTOR_SECRET_MB}
    with pytest.raises(KeyMaterialError) as info:
        Ed25519Key.from_multikey(doc)
    assert code_of(info) == "key-mismatch"
    with pytest.raises(KeyMaterialError) as info:
        Ed25519Key.from_multikey(key.to_multikey())
    assert code_of(info) == "no-secret-key"


# --- key files ----------------------------------------------------------------


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_save_writes_0600_and_round_trips(tmp_path: Path, key: Ed25519Key, umask: int) -> None:
    old = os.umask(umask)
    try:
        path = save_key(key, tmp_path / "issuer.json")
    finally:
        os.umask(old)
    assert mode_of(path) == 0o600
    doc = json.loads(path.read_text())
    assert doc["secretKeyMultibase"] == VECTOR_SECRET_MB
    assert doc["type"] == "Multikey"
    assert load_key(path) == key
    assert load_public_key(path) == key.public_key
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.json"]  # no temp left


def test_save_refuses_to_overwrite(tmp_path: Path, key: Ed25519Key) -> None:
    path = tmp_path / "issuer.json"
    path.write_text("precious")
    with pytest.raises(KeyMaterialError) as info:
        save_key(key, path)
    assert code_of(info) == "key-file-exists"
    assert str(path) in str(info.value)
    assert path.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.json"]


def test_save_refuses_overwrite_even_if_file_appears_late(
    tmp_path: Path, key: Ed25519Key, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another writer creates the file after the early check: link() must still refuse.
    path = tmp_path / "issuer.json"
    path.write_text("precious")
    monkeypatch.setattr(Path, "exists", lambda self: False)
    with pytest.raises(KeyMaterialError) as info:
        save_key(key, path)
    assert code_of(info) == "key-file-exists"
    assert path.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.json"]


def test_overwrite_true_replaces(tmp_path: Path, key: Ed25519Key) -> None:
    path = tmp_path / "issuer.json"
    path.write_text("old")
    path.chmod(0o644)
    save_key(key, path, overwrite=True)
    assert load_key(path) == key
    assert mode_of(path) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issuer.json"]


def test_encrypted_round_trip(tmp_path: Path, key: Ed25519Key) -> None:
    path = save_key(key, tmp_path / "k.json", passphrase="correct horse", **FAST)
    text = path.read_text()
    assert VECTOR_SECRET_MB not in text and VECTOR_SEED not in text
    doc = json.loads(text)
    assert "secretKeyMultibase" not in doc
    assert doc["publicKeyMultibase"] == VECTOR_PUBLIC_MB
    enc = doc["encryptedSecretKey"]
    assert enc["kdf"] == "argon2id"
    assert (enc["opslimit"], enc["memlimit"]) == (FAST["opslimit"], FAST["memlimit"])
    assert set(enc) == {"kdf", "opslimit", "memlimit", "salt", "nonce", "ciphertext"}
    assert mode_of(path) == 0o600
    assert load_key(path, passphrase="correct horse") == key
    assert load_public_key(path) == key.public_key


def test_encrypted_needs_the_right_passphrase(tmp_path: Path, key: Ed25519Key) -> None:
    path = save_key(key, tmp_path / "k.json", passphrase="correct horse", **FAST)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert code_of(info) == "passphrase-required"
    with pytest.raises(KeyMaterialError) as info:
        load_key(path, passphrase="wrong horse")
    assert code_of(info) == "wrong-passphrase"
    assert "wrong horse" not in str(info.value)


def test_encrypted_salt_and_nonce_come_from_rng(tmp_path: Path, key: Ed25519Key) -> None:
    a = save_key(key, tmp_path / "a.json", passphrase="p", rng=SeededRandom("s"), **FAST)
    b = save_key(key, tmp_path / "b.json", passphrase="p", rng=SeededRandom("s"), **FAST)
    c = save_key(key, tmp_path / "c.json", passphrase="p", **FAST)
    assert a.read_text() == b.read_text() != c.read_text()


def test_save_refuses_out_of_range_kdf_limits(tmp_path: Path, key: Ed25519Key) -> None:
    with pytest.raises(KeyMaterialError) as info:
        save_key(key, tmp_path / "k.json", passphrase="p", opslimit=0, memlimit=8192)
    assert code_of(info) == "bad-kdf-limits"
    assert not (tmp_path / "k.json").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("salt", "not base64!"),
        ("salt", "AAAA"),
        ("nonce", None),
        ("kdf", "scrypt"),
        ("memlimit", 2**40),  # hostile: would make load_key allocate a terabyte
        ("opslimit", "3"),
    ],
)
def test_corrupted_encrypted_fields(tmp_path: Path, key: Ed25519Key, name: str, value) -> None:
    path = save_key(key, tmp_path / "k.json", passphrase="p", **FAST)
    doc = json.loads(path.read_text())
    doc["encryptedSecretKey"][name] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path, passphrase="p")
    assert code_of(info) == "key-file-invalid"
    assert name in str(info.value) and str(path) in str(info.value)


def test_tampered_ciphertext_is_refused(tmp_path: Path, key: Ed25519Key) -> None:
    path = save_key(key, tmp_path / "k.json", passphrase="p", **FAST)
    doc = json.loads(path.read_text())
    ct = doc["encryptedSecretKey"]["ciphertext"]
    doc["encryptedSecretKey"]["ciphertext"] = ("B" if ct[0] == "A" else "A") + ct[1:]
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path, passphrase="p")
    assert code_of(info) == "wrong-passphrase"


def test_encrypted_secret_for_another_public_key(tmp_path: Path, key: Ed25519Key) -> None:
    path = save_key(key, tmp_path / "k.json", passphrase="p", **FAST)
    doc = json.loads(path.read_text())
    doc["publicKeyMultibase"] = Ed25519Key.generate(SeededRandom("x")).public_key_multibase
    path.write_text(json.dumps(doc))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path, passphrase="p")
    assert code_of(info) == "key-mismatch"
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    for loader in (load_key, load_public_key):
        with pytest.raises(KeyMaterialError) as info:
            loader(path)
        assert code_of(info) == "key-file-missing"
        assert str(path) in str(info.value)


@pytest.mark.parametrize("content", ["", "{not json", "\xff", '"z6Mk"'])
def test_not_json_or_not_an_object(tmp_path: Path, content: str) -> None:
    path = tmp_path / "k.json"
    path.write_bytes(content.encode("latin-1"))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    expected = "key-file-invalid" if content == '"z6Mk"' else "key-file-not-json"
    assert code_of(info) == expected


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"publicKeyMultibase": None}, "publicKeyMultibase"),
        ({"publicKeyMultibase": "z6MkBAD0"}, "publicKeyMultibase"),
        ({"publicKeyMultibase": VECTOR_SECRET_MB}, "publicKeyMultibase"),
        ({"secretKeyMultibase": VECTOR_PUBLIC_MB}, "secretKeyMultibase"),
        ({"secretKeyMultibase": 42}, "secretKeyMultibase"),
        ({"controller": ["x"]}, "controller"),
        ({"type": "JsonWebKey"}, "type"),
    ],
)
def test_invalid_fields_are_named(tmp_path: Path, key: Ed25519Key, change, field_name) -> None:
    doc = key.to_multikey(include_secret=True)
    doc.update(change)
    path = tmp_path / "k.json"
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert code_of(info) == "key-file-invalid"
    assert field_name in str(info.value)
    assert str(path) in str(info.value)
    assert VECTOR_SECRET_MB[4:] not in str(info.value)


def test_public_only_file(tmp_path: Path, key: Ed25519Key) -> None:
    path = tmp_path / "pub.json"
    path.write_text(json.dumps(key.to_multikey()))
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert code_of(info) == "no-secret-key"
    assert "only a public key" in str(info.value)
    assert load_public_key(path) == key.public_key


def test_plain_file_with_mismatched_secret(tmp_path: Path, key: Ed25519Key) -> None:
    doc = key.to_multikey(include_secret=True)
    doc["publicKeyMultibase"] = Ed25519Key.generate(SeededRandom("x")).public_key_multibase
    path = tmp_path / "k.json"
    path.write_text(json.dumps(doc))
    path.chmod(0o600)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert code_of(info) == "key-mismatch"


# --- key files others may read are refused (as ssh does) ----------------------


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620, 0o602, 0o666, 0o700 | 0o004])
def test_a_key_file_others_may_read_or_write_is_refused(tmp_path: Path, key: Ed25519Key,
                                                        mode: int) -> None:
    path = save_key(key, tmp_path / "k.json")
    path.chmod(mode)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert code_of(info) == "key-file-permissions"
    assert str(path) in str(info.value) and f"{mode:04o}" in str(info.value)
    assert "chmod 600" in str(info.value) and VECTOR_SECRET_MB[4:] not in str(info.value)
    # The caller may say otherwise; the public key is never a secret.
    assert load_key(path, allow_open_permissions=True) == key
    assert load_public_key(path) == key.public_key


def test_an_encrypted_key_file_others_may_read_is_refused_too(tmp_path: Path,
                                                              key: Ed25519Key) -> None:
    path = save_key(key, tmp_path / "k.json", passphrase="p", **FAST)
    path.chmod(0o644)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path, passphrase="p")  # refused before the slow key derivation
    assert code_of(info) == "key-file-permissions"
    assert load_key(path, passphrase="p", allow_open_permissions=True) == key


def test_a_private_key_file_and_a_public_one_load(tmp_path: Path, key: Ed25519Key) -> None:
    path = save_key(key, tmp_path / "k.json")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path) == key
    public = tmp_path / "pub.json"
    public.write_text(json.dumps(key.to_multikey()))
    public.chmod(0o644)
    assert load_public_key(public) == key.public_key


def test_without_posix_modes_there_is_nothing_to_check(tmp_path: Path, key: Ed25519Key,
                                                       monkeypatch) -> None:
    path = save_key(key, tmp_path / "k.json")
    path.chmod(0o644)
    monkeypatch.setattr("coopcreds_proto.keys._HAS_POSIX_MODES", False)
    assert load_key(path) == key


@pytest.mark.parametrize("source", ["/dev/zero", "huge"])
def test_a_key_file_larger_than_any_key_is_refused_unread(tmp_path: Path, source: str) -> None:
    if source == "huge":
        huge = tmp_path / "huge.json"
        with open(huge, "wb") as fh:
            fh.truncate(8 * 1024**3)  # sparse
        source = str(huge)
    for loader in (load_key, load_public_key):
        with pytest.raises(KeyMaterialError) as info:
            loader(source)
        assert code_of(info) == "key-file-invalid"
        assert "larger than the limit of 65,536 bytes" in str(info.value)


def test_a_key_file_nested_too_deeply_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 60_000)
    path.chmod(0o600)
    with pytest.raises(KeyMaterialError) as info:
        load_key(path)
    assert code_of(info) == "key-file-not-json"


@pytest.mark.parametrize("passphrase", [b"p", 42, ["p"]])
def test_a_passphrase_that_is_not_text_is_a_type_error(tmp_path: Path, key: Ed25519Key,
                                                       passphrase) -> None:
    path = save_key(key, tmp_path / "k.json")
    with pytest.raises(TypeError):
        load_key(path, passphrase=passphrase)
