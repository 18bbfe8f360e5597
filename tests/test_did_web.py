"""did:web identities in the local registry: creation, resolution, updates that
never lose a key, and the ``coopcreds did web`` commands."""

from __future__ import annotations

import json
import os

import pytest

from coopcreds_proto.cli import main
from coopcreds_proto.did_web import (
    add_key,
    as_moment,
    create_did_web,
    did_web_document,
    key_history,
    mark_key_compromised,
    retire_key,
)
from coopcreds_proto.errors import CoopCredsError, DocumentLoaderError
from coopcreds_proto.keys import load_key, save_key
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import SAMPLE_NOW, sample_actors, sample_membership_credential
from coopcreds_proto.vc.verification import verify_credential

DID = "did:web:riverside.example"


def _files(root) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _published(registry: LocalRegistry) -> str:
    return registry.path_for(DID).relative_to(registry.root).as_posix()


def _signed(key) -> dict:
    credential = sample_membership_credential(sample_actors())
    credential["issuer"]["id"] = key.controller
    return issue(credential, key, created="2026-02-01T00:00:00Z")


def test_a_new_identity_is_a_did_document_with_one_multikey(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"riverside"))
    assert (key.controller, key.id) == (DID, f"{DID}#key-1")
    document = did_web_document(DID, registry)
    assert document["id"] == DID
    assert document["verificationMethod"] == [
        {
            "id": f"{DID}#key-1",
            "type": "Multikey",
            "controller": DID,
            "publicKeyMultibase": key.public_key_multibase,
        }
    ]
    assert document["assertionMethod"] == document["authentication"] == [f"{DID}#key-1"]
    assert "capabilityDelegation" not in document
    # Published where the did:web method says the document lives.
    assert _files(tmp_path) == [_published(registry)]
    assert _published(registry).startswith("web/riverside.example/.well-known/did.json")
    # The same seed gives the same key (demos); another seed another key.
    again = create_did_web("did:web:again.example", registry, rng=SeededRandom(b"riverside"))
    other = create_did_web("did:web:other.example", registry, rng=SeededRandom(b"hillside"))
    assert again.public_key_multibase == key.public_key_multibase != other.public_key_multibase


def test_a_did_web_credential_verifies_through_the_registry_only(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    signed = _signed(create_did_web(DID, registry, rng=SeededRandom(b"resolve")))
    assert verify_credential(signed, now=SAMPLE_NOW, registry=registry).verified
    without = verify_credential(signed, now=SAMPLE_NOW)
    check = without.check("verification_method")
    assert not without.verified and check.code == "did-web-needs-registry"
    assert "local registry" in check.message and DID in check.message
    with pytest.raises(DocumentLoaderError) as refused:
        OfflineDocumentLoader.default().load(f"{DID}#key-1")
    assert refused.value.code == "did-web-needs-registry"
    # A DID nobody published is named.
    missing = verify_credential(
        _signed(create_did_web("did:web:gone.example", LocalRegistry(tmp_path / "elsewhere"))),
        now=SAMPLE_NOW,
        registry=registry,
    )
    assert missing.check("verification_method").code == "not-in-registry"


def test_an_identity_is_created_once(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    create_did_web(DID, registry, rng=SeededRandom(b"once"))
    before = registry.read(DID)
    with pytest.raises(CoopCredsError) as refused:
        create_did_web(DID, registry, rng=SeededRandom(b"twice"))
    assert refused.value.code == "already-published"
    assert registry.read(DID) == before


@pytest.mark.parametrize(
    "did, code",
    [
        ("did:key:z6Mk", "not-did-web"),
        ("did:web:Bad_Host", "bad-did-web"),
        ("did:web:riverside.example#key-1", "bad-did-web"),
    ],
)
def test_bad_dids_are_refused(tmp_path, did: str, code: str) -> None:
    with pytest.raises(CoopCredsError) as refused:
        create_did_web(did, LocalRegistry(tmp_path), rng=SeededRandom(b"bad"))
    assert refused.value.code == code


def test_updates_keep_every_key_and_its_history(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    key1 = create_did_web(DID, registry, rng=SeededRandom(b"k1"))
    key2 = add_key(DID, registry, rng=SeededRandom(b"k2"))
    key3 = add_key(DID, registry, rng=SeededRandom(b"k3"), relationships=["authentication"])
    assert [k.id for k in (key1, key2, key3)] == [f"{DID}#key-{n}" for n in (1, 2, 3)]
    retire_key(key1.id, registry, from_="2026-03-01")
    mark_key_compromised(key2.id, registry, from_="2026-04-01T12:00:00+02:00")
    history = key_history(DID, registry)
    assert [r.public_key_multibase for r in history] == [
        k.public_key_multibase for k in (key1, key2, key3)
    ]
    assert [r.status for r in history] == [
        "retired from 2026-03-01T00:00:00Z",
        "compromised from 2026-04-01T10:00:00Z",
        "active",
    ]
    assert history[2].relationships == ("authentication",)
    assert history[0].to_row()["expires"] == "2026-03-01T00:00:00Z"
    document = registry.read(DID)
    assert document["assertionMethod"] == [key1.id, key2.id]  # still findable for old proofs
    # Only the document itself: no temporary files left behind.
    assert _files(tmp_path) == [_published(registry)]


def test_a_key_date_is_set_once(tmp_path) -> None:
    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"once"))
    retire_key(key.id, registry, from_="2026-03-01")
    retire_key(key.id, registry, from_="2026-03-01T00:00:00Z")  # the same: fine
    with pytest.raises(CoopCredsError) as refused:
        retire_key(key.id, registry, from_="2026-05-01")
    assert refused.value.code == "key-date-already-set"
    assert registry.read(DID)["verificationMethod"][0]["expires"] == "2026-03-01T00:00:00Z"
    with pytest.raises(CoopCredsError) as unknown:
        mark_key_compromised(f"{DID}#key-9", registry, from_="2026-04-01")
    assert unknown.value.code == "verification-method-not-found"
    with pytest.raises(CoopCredsError) as bad:
        mark_key_compromised(key.id, registry, from_="yesterday")
    assert bad.value.code == "bad-timestamp"


def test_a_failed_update_leaves_the_published_document_whole(tmp_path, monkeypatch) -> None:
    registry = LocalRegistry(tmp_path)
    key = create_did_web(DID, registry, rng=SeededRandom(b"atomic"))
    path = registry.path_for(DID)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        add_key(DID, registry, rng=SeededRandom(b"lost"))
    with pytest.raises(OSError):
        retire_key(key.id, registry, from_="2026-03-01")
    assert path.read_bytes() == before
    assert _files(tmp_path) == [_published(registry)]


def test_keys_save_and_load_with_their_did_web_ids(tmp_path) -> None:
    key = create_did_web(DID, LocalRegistry(tmp_path / "reg"), rng=SeededRandom(b"file"))
    loaded = load_key(save_key(key, tmp_path / "key-1.json"))
    assert (loaded.controller, loaded.id, loaded.public_bytes) == (DID, key.id, key.public_bytes)


def test_dates_accept_a_day_or_a_timestamp() -> None:
    assert as_moment("2026-04-01").isoformat() == "2026-04-01T00:00:00+00:00"
    assert as_moment("2026-04-01T09:00:00Z").isoformat() == "2026-04-01T09:00:00+00:00"
    with pytest.raises(CoopCredsError):
        as_moment("2026-02-30")


# --- coopcreds did web ... ------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_cli_keys_over_time(tmp_path, capsys) -> None:
    reg = str(tmp_path / "reg")
    rc, out, err = run(
        capsys, "did", "web", "new", DID, "--registry", reg, "--out", str(tmp_path / "k1.json")
    )
    assert (rc, out, err) == (0, f"{DID}#key-1\n", "")
    rc, out, _ = run(
        capsys, "did", "web", "add-key", DID, "--registry", reg, "--out", str(tmp_path / "k2.json")
    )
    assert (rc, out) == (0, f"{DID}#key-2\n")
    assert load_key(tmp_path / "k2.json").id == f"{DID}#key-2"
    rc, out, _ = run(
        capsys,
        "did",
        "web",
        "retire-key",
        f"{DID}#key-1",
        "--from",
        "2026-03-01",
        "--registry",
        reg,
    )
    assert rc == 0 and f"{DID}#key-1  retired from 2026-03-01T00:00:00Z" in out
    rc, out, _ = run(
        capsys,
        "did",
        "web",
        "compromised",
        f"{DID}#key-2",
        "--from",
        "2026-04-01",
        "--registry",
        reg,
    )
    assert rc == 0 and f"{DID}#key-2  compromised from 2026-04-01T00:00:00Z" in out
    rc, out, _ = run(capsys, "did", "web", "keys", DID, "--registry", reg)
    assert out.splitlines() == [
        f"{DID}#key-1  retired from 2026-03-01T00:00:00Z",
        f"{DID}#key-2  compromised from 2026-04-01T00:00:00Z",
    ]
    rc, out, _ = run(capsys, "did", "resolve", DID, "--registry", reg)
    document = json.loads(out)
    assert rc == 0 and [m["id"] for m in document["verificationMethod"]] == [
        f"{DID}#key-1",
        f"{DID}#key-2",
    ]
    assert document["verificationMethod"][1]["revoked"] == "2026-04-01T00:00:00Z"
    # The key file signs credentials that verify through the registry.
    signed = _signed(load_key(tmp_path / "k1.json"))
    assert verify_credential(signed, now=SAMPLE_NOW, registry=LocalRegistry(reg)).verified


def test_cli_refusals_are_one_line_and_change_nothing(tmp_path, capsys) -> None:
    reg = tmp_path / "reg"
    taken = tmp_path / "taken.json"
    taken.write_text("{}")
    rc, out, err = run(
        capsys, "did", "web", "new", DID, "--registry", str(reg), "--out", str(taken)
    )
    assert rc == 2 and out == "" and len(err.splitlines()) == 1 and "exists already" in err
    assert not reg.exists()  # nothing published for a key that could not be saved
    rc, _, err = run(
        capsys,
        "did",
        "web",
        "retire-key",
        f"{DID}#key-1",
        "--from",
        "2026-03-01",
        "--registry",
        str(reg),
    )
    assert rc == 2 and "no registry folder there" in err  # a missing registry is not empty
    reg.mkdir()
    rc, _, err = run(capsys, "did", "web", "retire-key", f"{DID}#key-1", "--from", "2026-03-01",
                     "--registry", str(reg))
    assert rc == 2 and "nothing is published" in err
    # did:web without a registry: did resolve still speaks of did:key, as before.
    rc, _, err = run(capsys, "did", "resolve", DID)
    assert rc == 2 and "did:key" in err


def test_cli_a_compromised_key_turns_verify_from_0_to_1(tmp_path, capsys) -> None:
    reg, key_file = str(tmp_path / "reg"), str(tmp_path / "k1.json")
    assert run(capsys, "did", "web", "new", DID, "--registry", reg, "--out", key_file)[0] == 0
    unsigned = sample_membership_credential(sample_actors())
    unsigned["issuer"]["id"] = DID
    (tmp_path / "u.json").write_text(json.dumps(unsigned))
    rc, signed, _ = run(
        capsys,
        "issue",
        str(tmp_path / "u.json"),
        "--key",
        key_file,
        "--created",
        "2026-02-01T00:00:00Z",
    )
    assert rc == 0
    (tmp_path / "s.json").write_text(signed)
    verify = ("verify", str(tmp_path / "s.json"), "--registry", reg, "--now", SAMPLE_NOW, "--json")
    assert run(capsys, *verify)[0] == 0
    compromise = ("did", "web", "compromised", f"{DID}#key-1", "--from", "2026-03-01")
    assert run(capsys, *compromise, "--registry", reg)[0] == 0
    rc, out, _ = run(capsys, *verify)
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert rc == 1 and not checks["verification_method"]["ok"]
    assert (
        "revoked (compromised) on 2026-03-01T00:00:00Z" in checks["verification_method"]["message"]
    )
