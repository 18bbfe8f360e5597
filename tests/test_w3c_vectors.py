"""The W3C vc-di-eddsa test vectors, byte for byte, at the proof layer.

The vectors (copied into ``tests/vectors/`` from w3c/vc-di-eddsa @ abb673e,
see ``tests/vectors/README-w3c-vectors.md``) fix every intermediate value:
canonical N-Quads / JCS of the document and of the proof configuration, both
hashes, the combined hash, the signature and the proofValue. Ed25519 is
deterministic, so re-signing with the vector's key and ``created`` must give
exactly the published proof.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest

from coopcreds_proto.cryptosuites import CanonicalizationInput, get_cryptosuite
from coopcreds_proto.dids import dereference_verification_method
from coopcreds_proto.errors import DocumentLoaderError
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.proofs import (
    ProofOptions,
    add_proof,
    create_proof,
    proofs_of,
    signing_input,
    verify_proof_signature,
    without_proof,
)
from coopcreds_proto.purposes import purpose_named
from coopcreds_proto.vc.verification import verify_credential

VECTORS = Path(__file__).parent / "vectors"
RDFC = VECTORS / "eddsa-rdfc-2022"
JCS = VECTORS / "eddsa-jcs-2022"
SETS = RDFC / "proof-set-chain"

VECTOR_DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
CITIZENSHIP_URL = "https://w3id.org/citizenship/v4rc1"
# Pinned: the bytes of the citizenship context the 'employ' vector was made with.
CITIZENSHIP_SHA256 = "5038c7383afd7ab2158f1b997913a8f60978a0abcf96e0b0d08e29f146d2db1e"
# Inside every vector's validity period (validFrom 2019/2023, validUntil 2029).
NOW = "2024-06-01T00:00:00Z"


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _citizenship_loader() -> OfflineDocumentLoader:
    content = (VECTORS / "contexts" / "citizenship-v4rc1.json").read_bytes()
    return OfflineDocumentLoader.default().with_contexts(
        {CITIZENSHIP_URL: (content, CITIZENSHIP_SHA256)}
    )


CITIZENSHIP_LOADER = _citizenship_loader()


@pytest.fixture(scope="module")
def vector_key() -> Ed25519Key:
    return Ed25519Key.from_multikey(_json(VECTORS / "keyPair.json"))


def test_vector_seed_gives_the_published_did(vector_key: Ed25519Key) -> None:
    pair = _json(VECTORS / "keyPair.json")
    assert vector_key.did == VECTOR_DID
    assert vector_key.public_key_multibase == pair["publicKeyMultibase"]
    assert vector_key.verification_method == f"{VECTOR_DID}#{pair['publicKeyMultibase']}"
    # The jcs folder carries its own copy of the same key.
    assert _json(JCS / "keyPair.json") == pair


def test_citizenship_context_is_pinned() -> None:
    content = (VECTORS / "contexts" / "citizenship-v4rc1.json").read_bytes()
    assert hashlib.sha256(content).hexdigest() == CITIZENSHIP_SHA256
    assert CITIZENSHIP_URL not in OfflineDocumentLoader.default().urls
    assert CITIZENSHIP_URL in CITIZENSHIP_LOADER.urls
    with pytest.raises(DocumentLoaderError) as refused:
        OfflineDocumentLoader.default().with_contexts(
            {CITIZENSHIP_URL: (content + b" ", CITIZENSHIP_SHA256)}
        )
    assert refused.value.code == "context-hash-mismatch"


# -- eddsa-rdfc-2022: basic (AlumniCredential) and blank-node (employ) vectors --

RDFC_CASES = {
    "basic": (RDFC, RDFC / "unsigned.json", OfflineDocumentLoader.default()),
    "employ": (RDFC / "employ", RDFC / "employ" / "employmentAuth.json", CITIZENSHIP_LOADER),
}


@pytest.fixture(params=sorted(RDFC_CASES), scope="module")
def rdfc_case(request: pytest.FixtureRequest) -> tuple[Path, dict, dict, OfflineDocumentLoader]:
    folder, unsigned_path, loader = RDFC_CASES[request.param]
    return folder, _json(unsigned_path), _json(folder / "signedDataInt.json"), loader


def test_rdfc_canonical_forms_hashes_and_signature(rdfc_case, vector_key: Ed25519Key) -> None:
    folder, unsigned, signed, loader = rdfc_case
    suite = get_cryptosuite("eddsa-rdfc-2022")
    given = CanonicalizationInput(loader)

    canon_doc = suite.canonicalize_document(unsigned, given)
    assert canon_doc == (folder / "canonDocDataInt.txt").read_bytes()

    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config = suite.proof_config(options, unsigned)
    assert config == _json(folder / "proofConfigDataInt.json")
    canon_config = suite.canonicalize_proof_config(config, given)
    assert canon_config == (folder / "proofCanonDataInt.txt").read_bytes()

    assert hashlib.sha256(canon_doc).hexdigest() == _text(folder / "docHashDataInt.txt")
    assert hashlib.sha256(canon_config).hexdigest() == _text(folder / "proofHashDataInt.txt")
    combined = suite.hash_data(unsigned, config, given)
    assert combined.hex() == _text(folder / "combinedHashDataInt.txt")

    signature = vector_key.sign(combined)
    assert signature.hex() == _text(folder / "sigHexDataInt.txt")
    assert signed["proof"]["proofValue"] == _text(folder / "sigBTC58DataInt.txt")


def test_rdfc_reissue_reproduces_the_proof(rdfc_case, vector_key: Ed25519Key) -> None:
    _, unsigned, signed, loader = rdfc_case
    proof = create_proof(
        unsigned, vector_key, ProofOptions(created=signed["proof"]["created"]), loader=loader
    )
    assert proof == signed["proof"]
    assert "@context" not in proof  # the rdfc signed proof leaves it out
    assert (
        add_proof(
            unsigned, vector_key, ProofOptions(created=signed["proof"]["created"]), loader=loader
        )
        == signed
    )


def test_rdfc_signed_vector_verifies_at_the_proof_layer(rdfc_case, vector_key: Ed25519Key) -> None:
    _, _, signed, loader = rdfc_case
    method = dereference_verification_method(signed["proof"]["verificationMethod"], loader)
    assert method.controller == VECTOR_DID
    assert method.public_key.public_bytes == vector_key.public_bytes
    assert verify_proof_signature(signed, signed["proof"], method.public_key, loader=loader) is True
    # The same check fails for another key and for a changed claim.
    other = Ed25519Key.from_seed(bytes(32)).public_key
    assert verify_proof_signature(signed, signed["proof"], other, loader=loader) is False
    changed = copy.deepcopy(signed)
    changed["name"] = changed["name"] + "!"
    assert (
        verify_proof_signature(changed, changed["proof"], method.public_key, loader=loader) is False
    )


# -- eddsa-jcs-2022 -------------------------------------------------------------


def test_jcs_canonical_forms_hashes_and_signature(vector_key: Ed25519Key) -> None:
    unsigned = _json(JCS / "unsigned.json")
    signed = _json(JCS / "signedJCS.json")
    assert unsigned == _json(RDFC / "unsigned.json")
    suite = get_cryptosuite("eddsa-jcs-2022")
    given = CanonicalizationInput(OfflineDocumentLoader.default())

    canon_doc = suite.canonicalize_document(unsigned, given)
    assert canon_doc == (JCS / "canonDocJCS.txt").read_bytes()
    options = {k: v for k, v in signed["proof"].items() if k != "proofValue"}
    config = suite.proof_config(options, unsigned)
    assert config == _json(JCS / "proofConfigJCS.json")
    canon_config = suite.canonicalize_proof_config(config, given)
    assert canon_config == (JCS / "proofCanonJCS.txt").read_bytes()

    assert hashlib.sha256(canon_doc).hexdigest() == _text(JCS / "docHashJCS.txt")
    assert hashlib.sha256(canon_config).hexdigest() == _text(JCS / "proofHashJCS.txt")
    combined = suite.hash_data(unsigned, config, given)
    assert combined.hex() == _text(JCS / "combinedHashJCS.txt")
    assert vector_key.sign(combined).hex() == _text(JCS / "sigHexJCS.txt")
    assert signed["proof"]["proofValue"] == _text(JCS / "sigBTC58JCS.txt")


def test_jcs_reissue_reproduces_the_proof_with_its_context(vector_key: Ed25519Key) -> None:
    unsigned = _json(JCS / "unsigned.json")
    signed = _json(JCS / "signedJCS.json")
    options = ProofOptions(cryptosuite="eddsa-jcs-2022", created=signed["proof"]["created"])
    proof = create_proof(unsigned, vector_key, options)
    assert proof == signed["proof"]
    assert proof["@context"] == unsigned["@context"]  # the jcs signed proof keeps it
    method = dereference_verification_method(
        signed["proof"]["verificationMethod"], OfflineDocumentLoader.default()
    )
    assert verify_proof_signature(signed, signed["proof"], method.public_key) is True
    reordered = dict(reversed(list(signed.items())))  # JCS sorts keys: order is not signed
    assert verify_proof_signature(reordered, reordered["proof"], method.public_key) is True
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["alumniOf"] += " "
    assert verify_proof_signature(changed, changed["proof"], method.public_key) is False


# -- proof sets and proof chains --------------------------------------------------

PROOF_COUNTS = {
    "signedProofSet1": 1,
    "signedProofSet2": 2,
    "signedProofChain1": 3,
    "signedProofChain2": 4,
}
SET_AND_CHAIN_DOCS = tuple(PROOF_COUNTS)


@pytest.fixture(scope="module")
def set_keys() -> dict[str, Ed25519Key]:
    """The four keys of multiKeyPairs.json, by verification method."""
    keys = [Ed25519Key.from_multikey(pair) for pair in _json(SETS / "multiKeyPairs.json").values()]
    return {key.verification_method: key for key in keys}


@pytest.mark.parametrize("name", SET_AND_CHAIN_DOCS)
def test_proof_sets_and_chains_verify(name: str) -> None:
    document = _json(SETS / f"{name}.json")
    proofs = proofs_of(document)
    assert len(proofs) == PROOF_COUNTS[name]
    loader = OfflineDocumentLoader.default()
    for proof in proofs:
        method = dereference_verification_method(proof["verificationMethod"], loader)
        assert verify_proof_signature(document, proof, method.public_key) is True
        # A proof checked with another proof's key fails.
        others = [p for p in proofs if p["verificationMethod"] != proof["verificationMethod"]]
        for other in others[:1]:
            wrong = dereference_verification_method(other["verificationMethod"], loader)
            assert verify_proof_signature(document, proof, wrong.public_key) is False


def _options(config: dict) -> ProofOptions:
    return ProofOptions(
        cryptosuite=config["cryptosuite"],
        purpose=purpose_named(config["proofPurpose"]),
        created=config["created"],
        verification_method=config["verificationMethod"],
        id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )


def test_proof_set_is_reproduced(set_keys: dict[str, Ed25519Key]) -> None:
    unsigned = _json(SETS / "unsigned.json")
    document = unsigned
    for i in (1, 2):
        config = _json(SETS / f"proofSetConfig{i}.json")
        key = set_keys[config["verificationMethod"]]
        proof = create_proof(document, key, _options(config))
        assert proof == _json(SETS / f"proofSetConfigSigned{i}.json")
        # Set members are independent: each signs the document without proofs.
        assert create_proof(unsigned, key, _options(config)) == proof
        document = add_proof(document, key, _options(config))
        assert document == _json(SETS / f"signedProofSet{i}.json")


def test_proof_chain_is_reproduced(set_keys: dict[str, Ed25519Key]) -> None:
    document = _json(SETS / "signedProofSet2.json")
    for i, before in ((1, "signedProofSet2"), (2, "signedProofChain1")):
        assert document == _json(SETS / f"{before}.json")
        config = _json(SETS / f"proofChainConfig{i}.json")
        key = set_keys[config["verificationMethod"]]
        proof = create_proof(document, key, _options(config))
        assert proof == _json(SETS / f"proofChainConfigSigned{i}.json")
        # What a chained proof signs: the document with exactly the proofs it names.
        assert signing_input(document, config) == _json(SETS / f"proofChainTempDoc{i}.json")
        document = add_proof(document, key, _options(config))
        assert document == _json(SETS / f"signedProofChain{i}.json")
    assert without_proof(document) == _json(SETS / "unsigned.json")


def test_chain_proof_fails_when_a_named_previous_proof_changes() -> None:
    document = _json(SETS / "signedProofChain2.json")
    chained = proofs_of(document)[3]
    method = dereference_verification_method(
        chained["verificationMethod"], OfflineDocumentLoader.default()
    )
    tampered = copy.deepcopy(document)
    tampered["proof"][2]["created"] = "2023-02-26T22:06:39Z"  # proof 3 is signed by proof 4
    assert verify_proof_signature(tampered, tampered["proof"][3], method.public_key) is False
    # Proofs 1 and 2 are not covered by proof 4: changing them leaves it valid.
    untouched = copy.deepcopy(document)
    untouched["proof"][0]["created"] = "2023-02-24T23:36:39Z"
    assert verify_proof_signature(untouched, untouched["proof"][3], method.public_key) is True


# -- the full verifier on the signed vectors -----------------------------------------

FULL_CASES = {
    "rdfc-basic": (RDFC / "signedDataInt.json", OfflineDocumentLoader.default()),
    "rdfc-employ": (RDFC / "employ" / "signedDataInt.json", CITIZENSHIP_LOADER),
    "jcs": (JCS / "signedJCS.json", OfflineDocumentLoader.default()),
    **{
        name: (SETS / f"{name}.json", OfflineDocumentLoader.default())
        for name in SET_AND_CHAIN_DOCS
    },
}


@pytest.mark.parametrize("name", sorted(FULL_CASES))
def test_verify_credential_fails_only_issuer_binding(name: str) -> None:
    path, loader = FULL_CASES[name]
    document = _json(path)
    result = verify_credential(document, now=NOW, loader=loader)
    assert result.verified is False
    assert [c.name for c in result.failed] == ["issuer_binding"]
    binding = result.check("issuer_binding")
    assert binding.code == "issuer-mismatch" and not binding.skipped
    assert "did:key:" in binding.message
    assert result.check("signature").ok
    # The same result from the JSON text.
    again = verify_credential(path.read_text(encoding="utf-8"), now=NOW, loader=loader)
    assert again.to_json() == result.to_json()


def test_verify_credential_reports_vocab_fallback_terms() -> None:
    result = verify_credential(_json(RDFC / "signedDataInt.json"), now=NOW)
    assert result.vocab_terms == ("AlumniCredential", "alumniOf")
    assert "AlumniCredential" in result.check("safe_jsonld").message
    # The employ vector's contexts define every term: nothing to report.
    employ = verify_credential(
        _json(RDFC / "employ" / "signedDataInt.json"), now=NOW, loader=CITIZENSHIP_LOADER
    )
    assert employ.vocab_terms == ()


def test_employ_vector_needs_its_pinned_context() -> None:
    result = verify_credential(_json(RDFC / "employ" / "signedDataInt.json"), now=NOW)
    contexts = result.check("contexts")
    assert not contexts.ok and contexts.code == "context-not-bundled"
    assert CITIZENSHIP_URL in contexts.message
    assert result.check("signature").skipped
