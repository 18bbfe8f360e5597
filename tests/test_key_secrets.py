"""A key's secret is reached only by name; every accidental path shows the public identity.

Also: verifying a bad signature gives ``False`` everywhere, never an exception.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import json
import pickle

import pytest
from IPython.core.formatters import DisplayFormatter
from IPython.lib.pretty import pretty

from coopcreds_proto import keys
from coopcreds_proto.errors import KeyMaterialError
from coopcreds_proto.keys import (
    Ed25519Key,
    Ed25519PublicKey,
    PublicKey,
    SigningKey,
    load_key,
    save_key,
)
from coopcreds_proto.proofs import ProofOptions, add_proof, verify_proof_signature
from coopcreds_proto.vc.samples import SAMPLE_CREATED, sample_actors, sample_membership_credential

SEED = bytes.fromhex("c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6")
SECRET_MB = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
# Every way the secret could be spelled in a dump.
SPELLINGS = (SEED.hex(), repr(SEED), SECRET_MB, repr(list(SEED)))


@pytest.fixture
def key() -> Ed25519Key:
    return Ed25519Key(SEED, controller="did:web:coop.example", id="did:web:coop.example#k1")


def assert_no_secret(text: str) -> None:
    for spelling in SPELLINGS:
        assert spelling not in text


# --- the explicit, named ways still reach it ----------------------------------------


def test_the_named_exports_give_the_secret(key: Ed25519Key, tmp_path) -> None:
    assert key.secret_key_multibase == SECRET_MB
    assert key.to_multikey(include_secret=True)["secretKeyMultibase"] == SECRET_MB
    path = save_key(key, tmp_path / "key.json")
    assert SECRET_MB in path.read_text()
    assert load_key(path) == key
    assert load_key(path).sign(b"m") == key.sign(b"m")


def test_the_seed_is_not_an_attribute(key: Ed25519Key) -> None:
    assert not hasattr(key, "seed")
    assert "seed" not in dir(key)


# --- dataclasses ---------------------------------------------------------------------


def test_fields_asdict_and_astuple_hold_only_the_public_identity(key: Ed25519Key) -> None:
    assert [f.name for f in dataclasses.fields(key)] == ["public_bytes", "controller", "id"]
    assert dataclasses.asdict(key) == {
        "public_bytes": key.public_bytes,
        "controller": "did:web:coop.example",
        "id": "did:web:coop.example#k1",
    }
    assert SEED not in dataclasses.astuple(key)
    assert_no_secret(repr(dataclasses.asdict(key)) + repr(dataclasses.astuple(key)))


def test_asdict_of_an_object_holding_keys_has_no_secret() -> None:
    actors = sample_actors()
    dumped = dataclasses.asdict(actors)
    assert set(dumped["coop"]) == {"public_bytes", "controller", "id"}
    for spelling in (actors.coop.secret_key_multibase, actors.member.secret_key_multibase):
        assert spelling not in repr(dumped)


def test_replace_cannot_copy_the_secret_implicitly(key: Ed25519Key) -> None:
    with pytest.raises(ValueError, match="seed"):
        dataclasses.replace(key, id="did:web:coop.example#k2")


# --- repr, str, notebooks, vars ------------------------------------------------------------


def test_repr_str_and_format_show_the_did(key: Ed25519Key) -> None:
    for text in (repr(key), str(key), f"{key!r} {key}", repr([key]), repr({"k": key})):
        assert_no_secret(text)
    assert repr(key) == f"Ed25519Key({key.did})"


def test_a_notebook_display_shows_the_did(key: Ed25519Key) -> None:
    bundle, metadata = DisplayFormatter().format(key)
    assert bundle == {"text/plain": f"Ed25519Key({key.did})"}
    assert_no_secret(json.dumps(metadata) + pretty(key) + pretty([key, {"key": key}]))


def test_vars_and_dict_dumps_hold_no_secret(key: Ed25519Key) -> None:
    for dump in (vars(key), key.__dict__):
        assert SEED not in dump.values()
        assert_no_secret(repr(dump) + json.dumps(dump, default=str))
    for name in dir(key):
        if not name.startswith("__") and name != "secret_key_multibase":
            value = getattr(key, name)
            assert value != SEED and value != SECRET_MB, name
            assert_no_secret(repr(value))


# --- equality and hashing ---------------------------------------------------------------


def test_equality_and_hash_use_the_public_identity(key: Ed25519Key, monkeypatch) -> None:
    def read(self) -> bytes:
        raise AssertionError("the secret was read")

    same = Ed25519Key(SEED, controller=key.controller, id=key.id)
    other_id = Ed25519Key(SEED, controller=key.controller, id="did:web:coop.example#k2")
    other_controller = Ed25519Key(SEED, controller="did:web:other.example", id=key.id)
    monkeypatch.setattr(keys._Secret, "reveal", read)
    assert key == same and hash(key) == hash(same)
    assert key != other_id and key != other_controller
    assert len({key, same, other_id, other_controller}) == 3
    assert key != key.public_key and key.public_key == same.public_key
    assert key != SEED


# --- pickling and copying -------------------------------------------------------------


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickling_a_private_key_is_refused_with_how_to_store_it(
    key: Ed25519Key, protocol: int
) -> None:
    for obj in (key, [key], sample_actors()):
        with pytest.raises(KeyMaterialError) as info:
            pickle.dumps(obj, protocol=protocol)
        assert info.value.code == "key-not-picklable"
        assert "save_key" in str(info.value) and "passphrase" in str(info.value)
        assert_no_secret(str(info.value))


def test_no_other_pickling_route_reaches_the_secret(key: Ed25519Key) -> None:
    with pytest.raises(KeyMaterialError):
        key.__getstate__()
    with pytest.raises(KeyMaterialError):
        pickle.Pickler(io.BytesIO()).dump(key)
    with pytest.raises(KeyMaterialError):
        pickle.dumps(vars(key))  # the holder of the secret refuses too


def test_copies_are_the_same_immutable_key(key: Ed25519Key) -> None:
    assert copy.copy(key) is key
    assert copy.deepcopy(key) is key
    held = {"issuer": key, "keys": [key]}
    copied = copy.deepcopy(held)
    assert copied is not held and copied["issuer"] is key and copied["keys"][0] is key


def test_a_public_key_pickles_and_copies(key: Ed25519Key) -> None:
    public = key.public_key
    assert pickle.loads(pickle.dumps(public)) == public
    assert copy.deepcopy(public) == public


# --- the key protocols ---------------------------------------------------------------------


def test_ed25519_keys_implement_the_protocols(key: Ed25519Key) -> None:
    assert isinstance(key, SigningKey)
    assert isinstance(key.public_key, PublicKey)
    assert not isinstance(key.public_key, SigningKey)  # nothing to sign with
    assert isinstance(key.public_key, Ed25519PublicKey)


# --- one contract for a bad signature: False ----------------------------------------------


def _signed() -> tuple[dict, Ed25519Key]:
    actors = sample_actors()
    unsigned = sample_membership_credential(actors)
    return add_proof(unsigned, actors.coop, ProofOptions(created=SAMPLE_CREATED)), actors.coop


@pytest.mark.parametrize(
    "public",
    [bytes(32), b"\xff" * 32, bytes([1] + [0] * 31)],
    ids=["zeros", "not-a-point", "low-order"],
)
def test_odd_public_keys_verify_to_false(public: bytes) -> None:
    assert Ed25519PublicKey(public).verify(b"message", bytes(64)) is False


def test_every_signature_verifier_returns_false_for_a_bad_signature(key: Ed25519Key) -> None:
    signature = key.sign(b"message")
    other = Ed25519Key(bytes(32))
    assert key.verify(b"message", signature) is True
    assert key.verify(b"other message", signature) is False
    assert key.public_key.verify(b"message", bytes(64)) is False
    assert other.verify(b"message", signature) is False
    signed, issuer = _signed()
    assert verify_proof_signature(signed, signed["proof"], issuer.public_key) is True
    assert verify_proof_signature(signed, signed["proof"], other.public_key) is False
    changed = {**signed, "validFrom": "2020-01-01T00:00:00Z"}
    assert verify_proof_signature(changed, signed["proof"], issuer.public_key) is False
