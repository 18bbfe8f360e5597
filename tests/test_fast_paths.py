"""The speed-ups give PyLD's and RFC 8785's own results, and keep every refusal.

- ``canonical.to_dataset`` builds the dataset from the expanded document
  without expanding it again: it must equal PyLD's ``to_rdf``.
- ``canonicalize_jcs`` writes sorted compact JSON for plain JSON: it must
  equal the ``rfc8785`` reference implementation byte for byte.
- A loader's processor memoizes processed contexts and expanded IRIs: its
  expansions must equal a plain PyLD processor's, and a warm memo must not
  let an unsafe document through.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdProcessor

from coopcreds_proto.canonical import (
    canonicalize_dataset,
    canonicalize_jcs,
    canonicalize_rdfc,
    to_dataset,
)
from coopcreds_proto.errors import UnsafeJsonLdError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.safe_jsonld import check_contexts, expand_safely
from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential

VECTORS = Path(__file__).parent / "vectors"
V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
COOP = "https://w3id.org/coopcreds/v1"
CITIZENSHIP_URL = "https://w3id.org/citizenship/v4rc1"
CITIZENSHIP_SHA256 = "5038c7383afd7ab2158f1b997913a8f60978a0abcf96e0b0d08e29f146d2db1e"


def _loader() -> OfflineDocumentLoader:
    content = (VECTORS / "contexts" / "citizenship-v4rc1.json").read_bytes()
    return OfflineDocumentLoader.default().with_contexts(
        {CITIZENSHIP_URL: (content, CITIZENSHIP_SHA256)}
    )


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _documents() -> dict[str, dict]:
    actors = sample_actors()
    signed = _json(VECTORS / "eddsa-rdfc-2022" / "signedDataInt.json")
    return {
        "membership": sample_membership_credential(actors),
        "alumni": _json(VECTORS / "eddsa-rdfc-2022" / "unsigned.json"),
        "alumni-signed": signed,
        "employ": _json(VECTORS / "eddsa-rdfc-2022" / "employ" / "employmentAuth.json"),
        "proof-config": {
            **{k: v for k, v in signed["proof"].items() if k != "proofValue"},
            "@context": signed["@context"],
        },
        "blank-nodes-lists-and-literals": {
            "@context": [V2, EXAMPLES],
            "type": ["VerifiableCredential"],
            "issuer": {
                "name": "No id, so a blank node",
                "extra": {"@language": "cy", "@value": "Helo"},
            },
            "credentialSubject": [
                {
                    "id": "_:s0",
                    "knows": [{"id": "_:s1"}],
                    "ratings": {"@list": [1, 2.5, True, "x"]},
                },
                {
                    "id": "_:s1",
                    "knows": [{"id": "_:s0"}],
                    "nested": {"@list": [{"@list": ["a"]}]},
                    "big": 1e22,
                    "when": {"@value": "2020-01-01", "@type": "https://example.com/t"},
                },
            ],
        },
        "named-graph": {
            "@context": [V2, EXAMPLES],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {
                "id": "did:example:s",
                "claims": {"@graph": [{"id": "did:example:g", "p": "v"}]},
            },
        },
    }


DOCUMENTS = _documents()


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_to_dataset_equals_pyld_to_rdf(name: str) -> None:
    loader = _loader()
    expanded = expand_safely(DOCUMENTS[name], loader).expanded
    before = copy.deepcopy(expanded)
    reference = JsonLdProcessor().to_rdf(copy.deepcopy(expanded), loader.jsonld_options(base=None))
    dataset = to_dataset(expanded, loader)
    # The same dataset: the same quads, up to the labels of blank nodes and their order.
    assert canonicalize_dataset(dataset) == canonicalize_dataset(reference)
    assert {g: len(t) for g, t in dataset.items() if not g.startswith("_:")} == {
        g: len(t) for g, t in reference.items() if not g.startswith("_:")}
    assert sorted(len(t) for t in dataset.values()) == sorted(len(t) for t in reference.values())
    assert expanded == before  # the caller's expansion is left as it was
    assert canonicalize_rdfc(expanded, loader) == JsonLdProcessor().normalize(
        copy.deepcopy(expanded),
        loader.jsonld_options(base=None, algorithm="URDNA2015", format="application/n-quads"),
    )


def test_to_dataset_leaves_a_hand_made_expansion_unchanged() -> None:
    # Expansion refuses a value typed by a blank node, but to_dataset may be
    # given one directly, and PyLD's node map relabels it in place.
    expanded = [
        {"@id": "https://example.com/s", "https://example.com/p": [{"@value": "x", "@type": "_:t"}]}
    ]
    before = copy.deepcopy(expanded)
    dataset = to_dataset(expanded, _loader())
    assert expanded == before
    assert dataset["@default"][0]["object"] == {"type": "literal", "value": "x", "datatype": "_:b0"}


def test_to_dataset_of_a_compact_document_still_expands_it() -> None:
    loader = _loader()
    document = DOCUMENTS["alumni"]
    assert to_dataset(document, loader) == JsonLdProcessor().to_rdf(
        document, loader.jsonld_options(base=None)
    )
    assert to_dataset([document], loader) == JsonLdProcessor().to_rdf(
        [document], loader.jsonld_options(base=None)
    )


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_memoized_expansion_equals_plain_pyld(name: str) -> None:
    loader = _loader()
    # A plain processor with a cache of its own: nothing shared with the memos.
    options = {
        "documentLoader": loader,
        "contextResolver": ContextResolver({}, loader),
        "base": None,
    }
    plain = JsonLdProcessor().expand(DOCUMENTS[name], options)
    for _ in range(3):  # cold, then warm memos
        assert (
            loader.jsonld_processor().expand(DOCUMENTS[name], loader.jsonld_options(base=None))
            == plain
        )


def test_warm_memos_still_refuse_unsafe_documents() -> None:
    loader = _loader()
    good = DOCUMENTS["membership"]
    for _ in range(2):
        expand_safely(good, loader)
    undefined = copy.deepcopy(good)
    undefined["credentialSubject"]["shoeSize"] = 42
    with pytest.raises(UnsafeJsonLdError) as caught:
        expand_safely(undefined, loader)
    assert (caught.value.code, caught.value.path) == (
        "undefined-term",
        "$.credentialSubject.shoeSize",
    )
    relative = copy.deepcopy(good)
    relative["credentialSubject"]["type"] = "NotDefined"
    with pytest.raises(UnsafeJsonLdError) as caught:
        expand_safely(relative, loader)
    assert caught.value.code == "relative-iri"
    redefined = copy.deepcopy(good)
    redefined["@context"] = [V2, {"id": "https://example.com/not-id"}]
    with pytest.raises(UnsafeJsonLdError) as caught:
        expand_safely(redefined, loader, allow_inline_contexts=True)
    assert caught.value.code == "protected-term-redefinition"


def test_an_inline_context_changed_in_place_is_processed_again() -> None:
    loader = _loader()
    inline = {"shoeSize": "https://example.com/shoeSize"}
    document = {"@context": [V2, inline], "type": ["VerifiableCredential"], "shoeSize": "42"}
    first = expand_safely(document, loader, allow_inline_contexts=True).expanded
    assert "https://example.com/shoeSize" in first[0]
    inline["shoeSize"] = "https://example.com/footSize"
    second = expand_safely(document, loader, allow_inline_contexts=True).expanded
    assert "https://example.com/footSize" in second[0]
    del inline["shoeSize"]
    with pytest.raises(UnsafeJsonLdError) as caught:
        expand_safely(document, loader, allow_inline_contexts=True)
    assert caught.value.code == "undefined-term"


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=20,
)


def _reference_jcs(value: object) -> bytes | type:
    try:
        return rfc8785.dumps(value)
    except Exception as exc:  # noqa: BLE001 - compared by type below
        return type(exc)


def _our_jcs(value: object) -> bytes | type:
    try:
        return canonicalize_jcs(value)
    except UnsafeJsonLdError:
        return rfc8785.CanonicalizationError
    except Exception as exc:  # noqa: BLE001 - compared by type below
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_jcs_equals_rfc8785(value: object) -> None:
    reference = _reference_jcs(value)
    if isinstance(reference, type) and issubclass(reference, rfc8785.CanonicalizationError):
        reference = rfc8785.CanonicalizationError
    assert _our_jcs(value) == reference


@pytest.mark.parametrize(
    "value",
    [
        {"\U0001f600": 1, "\ufb33": 2, "a": 3},  # UTF-16 order differs from code point order
        {"z": "\ud800"},  # lone surrogate
        {"n": 2**53},
        {"n": -(2**53)},
        {"n": 2**53 - 1},
        {"f": 1.0},
        {"f": 1e21},
        {"k": ("tuple", 1)},
        {1: "int key"},
        {"c": '\x00\x1f\x7f\u2028"\\/'},
        [],
        {},
        "",
        None,
    ],
)
def test_jcs_edge_cases_equal_rfc8785(value: object) -> None:
    reference = _reference_jcs(value)
    if isinstance(reference, type) and issubclass(reference, rfc8785.CanonicalizationError):
        reference = rfc8785.CanonicalizationError
    assert _our_jcs(value) == reference


def test_jcs_of_shared_and_cyclic_structures_matches_rfc8785() -> None:
    shared = {"x": ["y"]}
    value = {"a": shared, "b": shared, "c": [shared["x"], shared["x"]]}
    assert canonicalize_jcs(value) == rfc8785.dumps(value)
    cyclic: dict = {"a": 1}
    cyclic["self"] = cyclic
    with pytest.raises(RecursionError):
        rfc8785.dumps(cyclic)
    with pytest.raises(UnsafeJsonLdError) as refused:  # refused, not a crash
        canonicalize_jcs(cyclic)
    assert refused.value.code == "not-canonicalizable"


def test_a_cyclic_document_is_not_walked_forever() -> None:
    cyclic: dict = {"@context": [V2]}
    cyclic["self"] = cyclic
    with pytest.raises(UnsafeJsonLdError) as refused:
        check_contexts(cyclic, OfflineDocumentLoader.default(), allow_inline_contexts=False)
    assert refused.value.code == "too-deep"
