"""A lone proof's configuration is read from the document's own expansion.

For a document read in canonical compact form, the RDFC suites take the
expansion of the proof configuration (the proof without ``proofValue``, under
the document's ``@context``) from the proof node of the document's expansion
instead of expanding the configuration again. Over the signed documents of
``test_compact_expansion``, the read-as-signed rewrites and random edits, the
two give the same canonical N-Quads, and whatever they do not cover (a proof
with its own ``@context``, proof sets, PyLD's reading) is left out.
"""

from __future__ import annotations

import copy

import test_compact_expansion as documents
from test_tree_dataset import CASES, signed_and_edited

from coopcreds_proto.canonical import canonicalize_rdfc
from coopcreds_proto.errors import CoopCredsError
from coopcreds_proto.proof_checks import _proof_configuration_expansion
from coopcreds_proto.safe_jsonld import expand_safely

LOADER = documents.LOADER


def config_of(document: dict) -> dict:
    proof = document["proof"]
    config = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    config["@context"] = document["@context"]
    return config


def test_the_configuration_read_from_the_document_is_the_one_expanded_alone() -> None:
    compared = 0
    for document in signed_and_edited(20261205):
        try:
            expanded = expand_safely(document, LOADER)
        except CoopCredsError:
            continue
        proof = document.get("proof")
        if not expanded.compact or not isinstance(proof, dict) or "@context" in proof:
            continue
        derived = _proof_configuration_expansion(copy.deepcopy(expanded.expanded), proof)
        if derived is None:
            continue
        try:
            alone = expand_safely(config_of(document), LOADER).expanded
        except CoopCredsError:
            continue  # the configuration alone is refused: verification refuses it too
        assert canonicalize_rdfc(derived, LOADER) == canonicalize_rdfc(alone, LOADER)
        compared += 1
    assert compared >= CASES // 10  # the documents and their unchanged-meaning rewrites


def test_proof_sets_and_other_expansions_are_left_out() -> None:
    credential = documents.BASES["credential"]
    proof = credential["proof"]
    one = expand_safely(credential, LOADER).expanded
    assert _proof_configuration_expansion(one, proof) is not None
    node = one[0]
    proof_key = "https://w3id.org/security#proof"
    two = [{**node, proof_key: node[proof_key] * 2}]
    assert _proof_configuration_expansion(two, proof) is None
    assert _proof_configuration_expansion(
        [{k: v for k, v in node.items() if k != proof_key}], proof) is None
    assert _proof_configuration_expansion(one * 2, proof) is None
    other_type = copy.deepcopy(one)
    other_type[0][proof_key][0]["@graph"][0]["@type"] = ["https://example.org/OtherProof"]
    assert _proof_configuration_expansion(other_type, proof) is None
