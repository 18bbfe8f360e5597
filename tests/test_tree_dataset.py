"""A plain expanded tree becomes the RDF dataset PyLD's node map would give.

``canonical.to_dataset`` writes the triples of a plain expansion (nodes, values
and graph objects, each met once) straight from the tree. Over the signed
documents of ``test_compact_expansion``, the read-as-signed rewrites and random
edits, the canonical N-Quads of that dataset equal those of PyLD's node map and
triples, and anything else is left to PyLD.
"""

from __future__ import annotations

import copy
import random

import test_compact_expansion as documents
import test_read_as_signed as corpus
from pyld.identifier_issuer import IdentifierIssuer
from pyld.jsonld import _is_absolute_iri

from coopcreds_proto.canonical import (
    _TO_RDF_OPTIONS,
    _tree_dataset,
    canonicalize_dataset,
    canonicalize_rdfc,
)
from coopcreds_proto.errors import CoopCredsError
from coopcreds_proto.safe_jsonld import expand_safely

LOADER = documents.LOADER
CASES = 1200


def pyld_dataset(expanded: list) -> dict:
    """PyLD's node map and triples of ``expanded`` (what ``to_dataset`` did before)."""
    processor = LOADER.jsonld_processor()
    issuer = IdentifierIssuer("_:b")
    node_map: dict = {"@default": {}}
    processor._create_node_map(copy.deepcopy(expanded), node_map, "@default", issuer)
    return {name: processor._graph_to_rdf(graph, issuer, _TO_RDF_OPTIONS)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _is_absolute_iri(name)}


def signed_and_edited(seed: int) -> list[dict]:
    """The signed documents, then CASES // 2 read-as-signed rewrites and CASES // 2
    random edits of them (``seed`` chooses them)."""
    rng = random.Random(seed)
    found = list(documents.BASES.values())
    for _ in range(CASES // 2):
        name = rng.choice(sorted(corpus.BASES))
        found.append(corpus.rewrite(corpus.BASES[name], rng)[1])
    for _ in range(CASES // 2):
        found.append(documents.edit(documents.BASES[rng.choice(sorted(documents.BASES))], rng))
    return found


def expansions() -> list[list]:
    out = []
    for document in signed_and_edited(20261204):
        try:
            out.append(expand_safely(document, LOADER, allow_inline_contexts=True).expanded)
        except CoopCredsError:
            continue
    return out


def test_a_plain_tree_gives_the_canonical_form_of_pyld_node_map() -> None:
    written = 0
    for expanded in expansions():
        tree = _tree_dataset(copy.deepcopy(expanded), LOADER.jsonld_processor())
        if tree is None:
            continue
        written += 1
        assert canonicalize_dataset(tree) == canonicalize_dataset(pyld_dataset(expanded))
    assert written >= CASES // 2


def test_a_node_written_twice_gives_its_triples_once() -> None:
    # The co-op is the issuer and the subject's memberOf: one node, two objects.
    expanded = expand_safely(documents.BASES["credential"], LOADER).expanded
    twice = copy.deepcopy(expanded)
    subject = twice[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    subject["https://schema.org/name"] = [{"@value": "Ada"}, {"@value": "Ada"}]
    subject["https://w3id.org/coopcreds/vocab#flag"] = [{"@value": True}, {"@value": 1}]
    tree = _tree_dataset(copy.deepcopy(twice), LOADER.jsonld_processor())
    assert tree is not None
    assert canonicalize_dataset(tree) == canonicalize_dataset(pyld_dataset(twice))
    assert canonicalize_rdfc(twice, LOADER).count('"Ada"') == 1


def test_lists_and_reverse_properties_are_left_to_pyld() -> None:
    for odd in ({"@list": [{"@value": 1}]}, {"@set": [{"@value": 1}]}):
        expanded = [{"@id": "urn:x:1", "https://example.org/p": [odd]}]
        assert _tree_dataset(expanded, LOADER.jsonld_processor()) is None
    reverse = [{"@id": "urn:x:1", "@reverse": {"https://example.org/p": [{"@id": "urn:x:2"}]}}]
    assert _tree_dataset(reverse, LOADER.jsonld_processor()) is None
