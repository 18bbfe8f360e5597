"""ecdsa-rdfc-2019 and ecdsa-jcs-2019 (P-256 and P-384) against the W3C vc-di-ecdsa vectors.

The vectors' signatures use deterministic nonces (RFC 6979), as this package
does, so every intermediate value and the signature itself are reproduced
byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from ecdsa_vectors import ECDSA, LOADER

from coopcreds_proto.cryptosuites import CanonicalizationInput, get_cryptosuite
from coopcreds_proto.errors import ProofError
from coopcreds_proto.keys import EcdsaKey, Ed25519Key, signing_key_from_multikey
from coopcreds_proto.proofs import ProofOptions, add_proof, create_proof, verify_proof_signature
from coopcreds_proto.randomness import SeededRandom


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


# (suite, curve, folder, file tag, unsigned document)
CASES = {
    "rdfc-p256": ("ecdsa-rdfc-2019", "P256", "ecdsa-rdfc-2019-p256", "ECDSAP256", "unsigned.json"),
    "rdfc-p384": ("ecdsa-rdfc-2019", "P384", "ecdsa-rdfc-2019-p384", "ECDSAP384", "unsigned.json"),
    "rdfc-p256-employ": ("ecdsa-rdfc-2019", "P256", "ecdsa-rdfc-2019-p256/employ", "ECDSAP256",
                         "employmentAuth.json"),
    "rdfc-p384-employ": ("ecdsa-rdfc-2019", "P384", "ecdsa-rdfc-2019-p384/employ", "ECDSAP384",
                         "employmentAuth.json"),
    "jcs-p256": ("ecdsa-jcs-2019", "P256", "ecdsa-jcs-2019-p256", "JCSECDSAP256", "unsigned.json"),
    "jcs-p384": ("ecdsa-jcs-2019", "P384", "ecdsa-jcs-2019-p384", "JCSECDSAP384", "unsigned.json"),
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest):
    suite, curve, folder, tag, unsigned = CASES[request.param]
    key = signing_key_from_multikey(_json(ECDSA / f"{curve.lower()}KeyPair.json"))
    return get_cryptosuite(suite), key, ECDSA / folder, tag, _json(ECDSA / unsigned)


def test_canonical_forms_hashes_and_signature(case) -> None:
    suite, key, folder, tag, unsigned = case
    digest = hashlib.sha384 if key.curve == "P-384" else hashlib.sha256
    # With P-384, RDFC-1.0 hashes with SHA-384 too (its blank-node labels differ).
    given = CanonicalizationInput(LOADER, rdfc_hash=digest().name)
    signed = _json(folder / f"signed{tag}.json")

    canon_doc = suite.canonicalize_document(unsigned, given)
    assert canon_doc.decode() == (folder / f"canonDoc{tag}.txt").read_text()
    options = {k: v for k, v in signed["proof"].items() if k not in ("proofValue", "@context")}
    config = suite.proof_config(options, unsigned)
    assert config == _json(folder / f"proofConfig{tag}.json")
    canon_config = suite.canonicalize_proof_config(config, given)
    assert canon_config.decode() == (folder / f"proofCanon{tag}.txt").read_text()
    assert digest(canon_doc).hexdigest() == _text(folder / f"docHash{tag}.txt")
    assert digest(canon_config).hexdigest() == _text(folder / f"proofHash{tag}.txt")
    combined = suite.hash_data(unsigned, config, given, suite.digest(key.public_key))
    assert combined.hex() == _text(folder / f"combinedHash{tag}.txt")
    # RFC 6979 nonces, as the vectors: the signature is reproduced byte for byte.
    assert key.sign(combined).hex() == _text(folder / f"sigHex{tag}.txt")
    assert signed["proof"]["proofValue"] == _text(folder / f"sigBTC58{tag}.txt")


def test_the_signed_vector_verifies_and_is_reissued(case) -> None:
    suite, key, folder, tag, unsigned = case
    signed = _json(folder / f"signed{tag}.json")
    assert verify_proof_signature(signed, signed["proof"], key.public_key, loader=LOADER,
                                  allow_inline_contexts=False)
    options = ProofOptions(cryptosuite=suite.name, created=signed["proof"]["created"])
    assert create_proof(unsigned, key, options, loader=LOADER) == signed["proof"]
    tampered = json.loads(json.dumps(signed))
    tampered["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert not verify_proof_signature(tampered, tampered["proof"], key.public_key, loader=LOADER)


@pytest.mark.parametrize("suite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
def test_a_suite_refuses_the_other_kind_of_key(suite: str) -> None:
    ed = Ed25519Key.generate(SeededRandom("ed"))
    p256 = EcdsaKey.generate(SeededRandom("p256"))
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"],
           "type": ["VerifiableCredential"], "issuer": p256.did,
           "credentialSubject": {"id": "did:example:1"}}
    with pytest.raises(ProofError) as info:
        add_proof(doc, ed, ProofOptions(cryptosuite=suite))
    assert info.value.code == "wrong-key-type"
    signed = add_proof(doc, p256, ProofOptions(cryptosuite=suite, created="2026-01-01T00:00:00Z"))
    assert verify_proof_signature(signed, signed["proof"], p256.public_key)
    # A P-256 signature is never read as an Ed25519 one, nor the converse.
    with pytest.raises(ProofError) as info:
        verify_proof_signature(signed, signed["proof"], ed.public_key)
    assert info.value.code == "wrong-key-type"
    eddsa = add_proof(doc | {"issuer": ed.did}, ed, ProofOptions(created="2026-01-01T00:00:00Z"))
    eddsa["proof"]["cryptosuite"] = suite
    with pytest.raises(ProofError) as info:
        verify_proof_signature(eddsa, eddsa["proof"], ed.public_key)
    assert info.value.code == "wrong-key-type"
