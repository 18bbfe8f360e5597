"""RDFC-1.0 written straight from a plain expanded tree equals PyLD's URDNA2015.

``canonical_nquads`` answers for plain trees whose blank nodes differ at the
first degree and returns None for anything else; wherever it answers, its text
is the one PyLD's node map, triples and URDNA2015 give, over the signed
documents of ``test_compact_expansion``, the read-as-signed rewrites and random
edits (``test_tree_dataset.expansions``), with SHA-256 and SHA-384.
"""

from __future__ import annotations

import copy

import pytest
import test_compact_expansion as documents
from test_tree_dataset import CASES, LOADER, expansions, pyld_dataset

import coopcreds_proto.canonical_nquads as nquads_module
from coopcreds_proto.canonical import canonicalize_dataset, canonicalize_rdfc
from coopcreds_proto.canonical_nquads import canonical_nquads
from coopcreds_proto.errors import UnsafeJsonLdError
from coopcreds_proto.safe_json import Limits
from coopcreds_proto.safe_jsonld import expand_safely

P = "https://example.org/p"
Q = "https://example.org/q"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def reference(expanded: list, hash_name: str = "sha256") -> str:
    return canonicalize_dataset(pyld_dataset(expanded), hash_name=hash_name)


@pytest.mark.parametrize("hash_name", ["sha256", "sha384"])
def test_every_tree_it_writes_equals_pyld(hash_name: str) -> None:
    written = 0
    for expanded in expansions():
        before = copy.deepcopy(expanded)
        direct = canonical_nquads(expanded, hash_name=hash_name)
        assert expanded == before  # the caller's expansion is left as it was
        if direct is None:
            continue
        written += 1
        assert direct == reference(expanded, hash_name)
    # Most of the corpus is plain: the direct path is what verification runs.
    assert written >= CASES // 2


def test_the_signed_documents_take_the_direct_path() -> None:
    for name, document in documents.BASES.items():
        expanded = expand_safely(document, LOADER, allow_inline_contexts=True).expanded
        without_proofs = [{k: v for k, v in expanded[0].items()
                           if k != "https://w3id.org/security#proof"}]
        assert canonical_nquads(without_proofs) == reference(without_proofs), name


@pytest.mark.parametrize("values", [
    # The node map compares values as JSON-LD does: "1"^^xsd:integer and 1 are two
    # values (two equal quads), a boolean never equals a number, a value given twice is one.
    [{"@value": "1", "@type": XSD_INTEGER}, {"@value": 1}],
    [{"@value": True}, {"@value": 1}, {"@value": "true"}],
    [{"@value": "Ada"}, {"@value": "Ada"}],
    [{"@value": "Helo", "@language": "cy"}, {"@value": "Helo"}],
    [{"@value": 'a "quoted"\ttab\nline\\'}],
    [{"@id": "urn:x:2"}, {"@id": "urn:x:2"}, {"@value": "urn:x:2"}],
    [{"@value": 10**20}, {"@value": -(10**20)}],
])
def test_values_are_written_and_merged_as_the_node_map_does(values: list) -> None:
    expanded = [{"@id": "urn:x:1", P: values}]
    direct = canonical_nquads(expanded)
    assert direct is not None
    assert direct == reference(expanded)


def test_blank_nodes_alike_at_the_first_degree_are_left_to_urdna2015() -> None:
    twins = [{"@id": "urn:x:1", P: [{Q: [{"@value": "same"}]}, {Q: [{"@value": "same"}]}]}]
    assert canonical_nquads(twins) is None
    assert canonicalize_rdfc(twins, LOADER) == reference(twins)
    told_apart = [{"@id": "urn:x:1", P: [{Q: [{"@value": "one"}]}, {Q: [{"@value": "two"}]}]}]
    assert canonical_nquads(told_apart) == reference(told_apart)


def test_a_node_without_triples_takes_no_canonical_label() -> None:
    expanded = [{}, {P: [{"@value": "x"}]}, {"@id": "_:lonely"}]
    direct = canonical_nquads(expanded)
    assert direct == reference(expanded) == '_:c14n0 <https://example.org/p> "x" .\n'


def test_named_graphs_and_node_references_across_them() -> None:
    expanded = [{"@id": "urn:x:vp", P: [{"@graph": [
        {"@id": "urn:x:vc", "@type": ["https://example.org/T"], Q: [{"@id": "_:s"}]},
        {"@id": "_:s", P: [{"@value": "in the graph"}]},
    ]}], Q: [{"@id": "_:s"}]}]
    direct = canonical_nquads(expanded)
    assert direct is not None and " _:c14n" in direct
    assert direct == reference(expanded)


@pytest.mark.parametrize("odd", [
    {"@value": 2.5},
    {"@value": 10**21},
    {"@value": "x", "@direction": "rtl"},
    {"@value": {"a": 1}, "@type": "@json"},
    {"@list": [{"@value": 1}]},
    {"@set": [{"@value": 1}]},
    {"@id": "relative"},
    {"@value": "x", "@type": "_:blank"},
    {"@value": "x", "@type": {"not": "an IRI"}},
    {"@id": "urn:x:2", "@type": [["not", "an IRI"]]},
    {"@id": "urn:x:2", "@type": [{"not": "an IRI"}]},
])
def test_what_it_does_not_write_is_left_to_pyld(odd: dict) -> None:
    expanded = [{"@id": "urn:x:1", P: [odd]}]
    assert canonical_nquads(expanded) is None


def test_shared_and_cyclic_structures_are_left_to_pyld() -> None:
    shared = {"@id": "urn:x:2", Q: [{"@value": "x"}]}
    assert canonical_nquads([{"@id": "urn:x:1", P: [shared, shared]}]) is None
    value = {"@value": "x"}  # a value object written twice is only a value
    twice = [{"@id": "urn:x:1", P: [value, value]}]
    assert canonical_nquads(twice) == reference(twice)
    cyclic: dict = {"@id": "urn:x:1"}
    cyclic[P] = [cyclic]
    assert canonical_nquads([cyclic]) is None


def test_the_limits_are_those_of_the_other_path() -> None:
    flood = [{"@id": "urn:x:1", P: [{"@value": i} for i in range(1100)]}]
    assert canonical_nquads(flood) is None
    with pytest.raises(UnsafeJsonLdError) as raised:
        canonicalize_rdfc(flood, LOADER)
    assert raised.value.code == "canonicalization-too-complex"
    many = [{"@id": "urn:x:1", P: [{Q: [{"@value": i}]} for i in range(20)]}]
    few = Limits(max_blank_nodes=10)
    assert canonical_nquads(many) == reference(many)
    assert canonical_nquads(many, few) is None
    with pytest.raises(UnsafeJsonLdError) as raised:
        canonicalize_rdfc(many, LOADER, few)
    assert raised.value.code == "canonicalization-too-complex"


def test_long_iris_are_written_but_not_kept_across_documents() -> None:
    long_iri = "https://example.org/" + "x" * 5000
    expanded = [{"@id": long_iri, P: [{"@id": long_iri + "/2"}]}]
    canonical_nquads([{"@id": "urn:x:1", P: [{"@id": "urn:x:2"}]}])  # the predicate is kept
    kept = nquads_module._absolute_kept.cache_info().currsize
    assert canonical_nquads(expanded) == reference(expanded)
    assert nquads_module._absolute_kept.cache_info().currsize == kept  # no long IRI kept
