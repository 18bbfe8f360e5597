"""ecdsa-sd-2023 against the W3C vc-di-ecdsa vectors ("employ" and "prc"), every
intermediate value, and the refusals a base or derived proof meets out of place.

The vectors' ECDSA signatures use RFC 6979 nonces, as this package does, and
their HMAC key and proof-scoped key are given (SDKeyMaterial.json): fed through
the injectable random source, ``add_proof`` reproduces the signed base
document byte for byte, and deriving reproduces the disclosed one.

Vector finding: the published ``prCredUnsigned.json`` is not the document the
"prc" vectors signed (its ``description`` differs: "Government of Utopia
Permanent Resident Card." against "Permanent Resident Card from Government of
Utopia."); the tests use the signed document without its proof.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path

import pytest
from ecdsa_vectors import ECDSA, LOADER

from coopcreds_proto.cryptosuites import CanonicalizationInput, get_cryptosuite
from coopcreds_proto.cryptosuites.ecdsa_sd_2023 import (
    create_base_proof_value,
    create_disclosure,
    create_verify_data,
    parse_base_proof_value,
    parse_derived_proof_value,
    serialize_base_proof_value,
    serialize_derived_proof_value,
)
from coopcreds_proto.cryptosuites.sd_primitives import (
    canonicalize_and_group,
    hmac_label_map_factory,
    select_json_ld,
)
from coopcreds_proto.errors import InputError, ProofError, UnsafeJsonLdError
from coopcreds_proto.keys import EcdsaKey, signing_key_from_multikey
from coopcreds_proto.multibase import decode_multibase_base58btc, encode_multibase_base58btc
from coopcreds_proto.proofs import ProofOptions, add_proof, verify_proof_signature
from coopcreds_proto.randomness import SeededRandom

SD = ECDSA / "ecdsa-sd-2023"
MATERIAL = json.loads((SD / "SDKeyMaterial.json").read_text())
BASE_KEY = signing_key_from_multikey(MATERIAL["baseKeyPair"])
PROOF_KEY = signing_key_from_multikey(MATERIAL["proofKeyPair"])
HMAC_KEY = bytes.fromhex(MATERIAL["hmacKeyString"])
GIVEN = CanonicalizationInput(LOADER)
POINTERS = {"employ": "employ", "prc": "prCred"}


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _map(value: dict | list) -> list:
    """A JavaScript Map as the vectors write it (tagged, or as a list of pairs)."""
    if isinstance(value, list):
        return value
    assert value["dataType"] == "Map"
    return value["value"]


def _unsigned(signed: dict) -> dict:
    return {k: v for k, v in signed.items() if k != "proof"}


class VectorRandom:
    """Gives the vectors' HMAC key, then the proof-scoped secret key, then nothing."""

    def __init__(self) -> None:
        proof_secret = decode_multibase_base58btc(MATERIAL["proofKeyPair"]["secretKeyMultibase"])
        self._parts = [HMAC_KEY, proof_secret[2:]]

    def bytes(self, n: int) -> bytes:
        part = self._parts.pop(0)
        assert len(part) == n
        return part


@pytest.fixture(params=sorted(POINTERS), scope="module")
def vector(request: pytest.FixtureRequest) -> dict:
    name = request.param
    folder = SD / name
    signed = _json(folder / "addSignedSDBase.json")
    return {
        "folder": folder,
        "signed": signed,
        "unsigned": _unsigned(signed),
        "mandatory": _json(ECDSA / f"{POINTERS[name]}Mandatory.json"),
        "selective": _json(ECDSA / f"{POINTERS[name]}Selective.json"),
    }


def test_the_employ_unsigned_vector_is_the_signed_document() -> None:
    signed = _json(SD / "employ" / "addSignedSDBase.json")
    assert _unsigned(signed) == _json(ECDSA / "employmentAuth.json")
    published = _json(ECDSA / "prCredUnsigned.json")
    prc = _unsigned(_json(SD / "prc" / "addSignedSDBase.json"))
    assert {k for k in prc if prc[k] != published.get(k)} == {"description"}


# --- base proof ------------------------------------------------------------------


def test_base_canonical_forms_and_groups(vector: dict) -> None:
    folder, unsigned = vector["folder"], vector["unsigned"]
    plain = get_cryptosuite("ecdsa-rdfc-2019").canonicalize_document(unsigned, GIVEN).decode()
    assert plain.splitlines(keepends=True) == _json(folder / "addBaseDocCanon.json")
    grouped = canonicalize_and_group(
        unsigned, hmac_label_map_factory(HMAC_KEY), {"mandatory": vector["mandatory"]}, LOADER
    )
    assert list(grouped.nquads) == _json(folder / "addBaseDocHMACCanon.json")
    transform = _json(folder / "addBaseTransform.json")
    assert transform["mandatoryPointers"] == vector["mandatory"]
    group = grouped.groups["mandatory"]
    assert [[i, q] for i, q in group.matching.items()] == _map(transform["mandatory"])
    assert [[i, q] for i, q in group.non_matching.items()] == _map(transform["nonMandatory"])
    values = _json(folder / "addPointerValues.json")
    selected = select_json_ld(unsigned, vector["mandatory"])
    assert selected is not None
    for entry in values:
        assert selected[entry["pointer"].strip("/")] == entry["value"]


def test_base_hashes_signatures_and_proof_value(vector: dict) -> None:
    folder, unsigned = vector["folder"], vector["unsigned"]
    suite = get_cryptosuite("ecdsa-sd-2023")
    config = _json(folder / "addProofConfig.json")
    assert suite.canonicalize_proof_config(config, GIVEN).decode() == (
        folder / "addProofConfigCanon.txt").read_text()
    hashes = _json(folder / "addHashData.json")
    assert suite.proof_hash(config, GIVEN).hex() == hashes["proofHash"]
    base = create_base_proof_value(
        unsigned, config, BASE_KEY, GIVEN, vector["mandatory"], hmac_key=HMAC_KEY,
        proof_key=PROOF_KEY,
    )
    raw = _json(folder / "addRawBaseSignatureInfo.json")
    assert base.base_signature.hex() == raw["baseSignature"]
    assert encode_multibase_base58btc(base.public_key) == raw["publicKey"]
    assert [s.hex() for s in base.signatures] == raw["signatures"]
    transform = _json(folder / "addBaseTransform.json")
    mandatory = "".join(q for _, q in _map(transform["mandatory"]))
    assert hashlib.sha256(mandatory.encode()).hexdigest() == hashes["mandatoryHash"]
    assert BASE_KEY.public_key.verify(
        bytes.fromhex(hashes["proofHash"]) + base.public_key
        + bytes.fromhex(hashes["mandatoryHash"]), base.base_signature)
    assert serialize_base_proof_value(base) == vector["signed"]["proof"]["proofValue"]


def test_add_proof_reproduces_the_signed_base_document(vector: dict) -> None:
    signed = vector["signed"]
    options = ProofOptions(
        cryptosuite="ecdsa-sd-2023", created=signed["proof"]["created"],
        mandatory_pointers=tuple(vector["mandatory"]), rng=VectorRandom(),
    )
    assert add_proof(vector["unsigned"], BASE_KEY, options, loader=LOADER) == signed


# --- derived proof -----------------------------------------------------------------


def test_derive_reproduces_every_intermediate_value(vector: dict) -> None:
    folder, signed = vector["folder"], vector["signed"]
    recovered = _json(folder / "derivedRecoveredBaseData.json")
    base = parse_base_proof_value(signed["proof"]["proofValue"])
    assert base.base_signature.hex() == recovered["baseSignature"]
    assert base.hmac_key.hex() == recovered["hmacKey"]
    assert [s.hex() for s in base.signatures] == recovered["signatures"]
    assert list(base.mandatory_pointers) == recovered["mandatoryPointers"]

    disclosure = create_disclosure(vector["unsigned"], signed["proof"], vector["selective"], GIVEN)
    groups = _json(folder / "derivedAllGroupData.json")
    assert list(disclosure.grouped.nquads) == groups["nquads"]
    assert sorted(disclosure.grouped.label_map.values()) == sorted(
        v for _, v in _map(groups["labelMap"]))
    for name, group in disclosure.grouped.groups.items():
        expected = groups["groups"][name]
        assert [[i, q] for i, q in group.matching.items()] == _map(expected["matching"])
        assert [[i, q] for i, q in group.non_matching.items()] == _map(expected["nonMatching"])
    indexes = _json(folder / "derivedGroupIndexes.json")
    got = disclosure.grouped.groups
    assert list(got["combined"].matching) == indexes["combinedIndexes"]
    assert list(got["mandatory"].matching) == indexes["mandatoryIndexes"]
    assert list(got["mandatory"].non_matching) == indexes["nonMandatoryIndexes"]
    assert list(got["selective"].matching) == indexes["selectiveIndexes"]
    adjusted = _json(folder / "derivedAdjMandatoryIndexes.json")["adjMandatoryIndexes"]
    assert list(disclosure.proof_value.mandatory_indexes) == adjusted
    signatures = _json(folder / "derivedAdjSignatures.json")
    assert list(disclosure.signature_indexes) == signatures["adjSignatureIndexes"]
    assert [s.hex() for s in disclosure.proof_value.signatures] == signatures[
        "filteredSignatures"]

    data = _json(folder / "derivedDisclosureData.json")
    assert disclosure.proof_value.label_map == dict(_map(data["labelMap"]))
    assert list(disclosure.proof_value.mandatory_indexes) == data["mandatoryIndexes"]
    assert [s.hex() for s in disclosure.proof_value.signatures] == data["signatures"]
    assert disclosure.reveal_document == _json(folder / "derivedUnsignedReveal.json")
    revealed = _json(folder / "derivedRevealDocument.json")
    assert serialize_derived_proof_value(disclosure.proof_value) == revealed["proof"]["proofValue"]
    assert (disclosure.mandatory_count, disclosure.disclosed_count) == (
        len(adjusted), len(signatures["filteredSignatures"]))


def test_verify_data_and_verification(vector: dict) -> None:
    folder = vector["folder"]
    revealed = _json(folder / "derivedRevealDocument.json")
    suite = get_cryptosuite("ecdsa-sd-2023")
    derived = parse_derived_proof_value(revealed["proof"]["proofValue"])
    value = _json(folder / "verifyDerivedProofValue.json")
    assert derived.base_signature.hex() == value["baseSignature"]
    assert derived.label_map == dict(_map(value["labelMap"]))
    assert list(derived.mandatory_indexes) == value["mandatoryIndexes"]
    assert [s.hex() for s in derived.signatures] == value["signatures"]
    config = suite.proof_config(revealed["proof"], _unsigned(revealed))
    data = create_verify_data(_unsigned(revealed), config, derived, GIVEN)
    expected = _json(folder / "verifyCreateVerifyData.json")
    assert data.proof_hash.hex() == expected["proofHash"]
    assert data.mandatory_hash.hex() == expected["mandatoryHash"]
    assert list(data.non_mandatory) == expected["nonMandatory"]
    assert verify_proof_signature(revealed, revealed["proof"], BASE_KEY.public_key, loader=LOADER)


def test_a_changed_disclosure_does_not_verify(vector: dict) -> None:
    revealed = _json(vector["folder"] / "derivedRevealDocument.json")
    changed = copy.deepcopy(revealed)
    changed["credentialSubject"]["birthCountry"] = "Utopia"
    assert not verify_proof_signature(changed, changed["proof"], BASE_KEY.public_key,
                                      loader=LOADER)
    dropped = copy.deepcopy(revealed)
    del dropped["validUntil"]
    assert not verify_proof_signature(dropped, dropped["proof"], BASE_KEY.public_key,
                                      loader=LOADER)
    other = EcdsaKey.generate(SeededRandom("someone else"))
    assert not verify_proof_signature(revealed, revealed["proof"], other.public_key,
                                      loader=LOADER)


# --- base and derived proofs out of place -------------------------------------------


def test_a_verifier_refuses_a_base_proof(vector: dict) -> None:
    signed = vector["signed"]
    with pytest.raises(ProofError) as info:
        verify_proof_signature(signed, signed["proof"], BASE_KEY.public_key, loader=LOADER)
    assert info.value.code == "sd-base-proof"


def test_deriving_refuses_a_derived_proof(vector: dict) -> None:
    revealed = _json(vector["folder"] / "derivedRevealDocument.json")
    with pytest.raises(ProofError) as info:
        create_disclosure(_unsigned(revealed), revealed["proof"], vector["selective"], GIVEN)
    assert info.value.code == "sd-not-a-base-proof"


def test_deriving_refuses_a_changed_credential(vector: dict) -> None:
    unsigned = copy.deepcopy(vector["unsigned"])
    unsigned["credentialSubject"]["extra"] = "x"
    unsigned["credentialSubject"]["@context"] = {"extra": "https://example.org/extra"}
    with pytest.raises(ProofError) as info:
        create_disclosure(unsigned, vector["signed"]["proof"], vector["selective"],
                          CanonicalizationInput(LOADER, allow_inline_contexts=True))
    assert info.value.code == "sd-signature-count"


@pytest.mark.parametrize(("pointer", "code"), [
    ("credentialSubject", "bad-json-pointer"),
    ("/credentialSubject/nothingHere", "bad-json-pointer"),
    ("/type/7", "bad-json-pointer"),
    ("/a~2b", "bad-json-pointer"),
])
def test_bad_pointers_are_refused(vector: dict, pointer: str, code: str) -> None:
    with pytest.raises(InputError) as info:
        create_disclosure(vector["unsigned"], vector["signed"]["proof"], [pointer], GIVEN)
    assert info.value.code == code


@pytest.mark.parametrize("value", [
    "zNotBase64url", "u" + "A" * 10, "u2V0AgA", "u2V0BgA", "u2V0BhUA",
])
def test_malformed_proof_values_are_refused(value: str) -> None:
    with pytest.raises(ProofError) as info:
        parse_derived_proof_value(value)
    assert info.value.code in ("bad-proof-value", "sd-base-proof")


def test_a_p384_key_is_refused() -> None:
    p384 = EcdsaKey.generate(SeededRandom("p384"), curve="P-384")
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
           "issuer": p384.did, "credentialSubject": {"id": "did:example:1"}}
    with pytest.raises(ProofError) as info:
        add_proof(doc, p384, ProofOptions(cryptosuite="ecdsa-sd-2023"))
    assert info.value.code == "wrong-key-type"


@pytest.mark.parametrize("body", [
    b"\x9b" + b"\xff" * 8,            # an array of 2**64 - 1 items
    b"\x5b\x7f" + b"\xff" * 7,        # a byte string of 2**63 - 1 bytes
    b"\x85" + b"\x81" * 5000,         # deep nesting
    b"\x9f" * 100_000,                # 100,000 open indefinite arrays
    b"\xd8\x1c\x81\xd8\x1d\x00",      # a list that contains itself (shared references)
])
def test_hostile_cbor_is_refused_at_once(body: bytes) -> None:
    value = "u" + base64.urlsafe_b64encode(b"\xd9\x5d\x01" + body).decode().rstrip("=")
    with pytest.raises(ProofError) as info:
        parse_derived_proof_value(value)
    assert info.value.code == "bad-proof-value"


def test_derived_documents_meet_the_safe_json_ld_rules(vector: dict) -> None:
    revealed = _json(vector["folder"] / "derivedRevealDocument.json")
    revealed["credentialSubject"]["unsignedClaim"] = "x"  # no context defines it
    with pytest.raises(UnsafeJsonLdError) as info:
        verify_proof_signature(revealed, revealed["proof"], BASE_KEY.public_key, loader=LOADER)
    assert info.value.code == "undefined-term"
