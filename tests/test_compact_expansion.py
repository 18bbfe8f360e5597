"""The compiled reading of compact documents decides exactly as PyLD's path does.

``compact_expansion.expand_compact`` reads a document written in canonical
compact form without PyLD's expansion. For every document of the read-as-signed
corpus (its named cases, its 1,200 graph-preserving rewrites), of random edits
of signed credentials, presentations and status lists, and of a list of edge
cases, the compiled reading either declines (None) or returns exactly PyLD's
expansion of a document that PyLD's path accepts, compact form included; and
``expand_safely`` (which tries it first) gives the same outcome as PyLD's path
alone: the same expansion and ``@vocab`` terms, or the same refusal.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
import test_read_as_signed as corpus

from coopcreds_proto import compact_expansion, safe_jsonld
from coopcreds_proto.compact_expansion import expand_compact
from coopcreds_proto.compact_form import check_compact_form, term_index
from coopcreds_proto.errors import CoopCredsError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present
from coopcreds_proto.vc.samples import SAMPLE_CREATED, sample_actors
from coopcreds_proto.vc.status_list import new_status_list, sign_status_list

LOADER = OfflineDocumentLoader.default()
ACTORS = sample_actors()
EXAMPLES = corpus.EXAMPLES
EDITS = 1500
V2 = "https://www.w3.org/ns/credentials/v2"
COOP = "https://w3id.org/coopcreds/v1"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"


def pyld_outcome(document: Any, *, allow_inline_contexts: bool = False) -> tuple:
    """What PyLD's path alone decides: ("refused", code) or ("read", expanded, vocab terms)."""
    try:
        safe_jsonld.expand_compact = _declining  # type: ignore[assignment]  # PyLD alone
        checked = expand_safely(document, LOADER, allow_inline_contexts=allow_inline_contexts)
        check_compact_form(document, checked.expanded, term_index(document, LOADER))
    except CoopCredsError as exc:
        return ("refused", exc.code)
    finally:
        safe_jsonld.expand_compact = expand_compact
    return ("read", checked.expanded, checked.vocab_terms)


def _declining(*args: Any, **kwargs: Any) -> None:
    return None


def outcome(document: Any, *, allow_inline_contexts: bool = False) -> tuple:
    """What expand_safely (compiled reading first) and the compact-form check decide."""
    try:
        checked = expand_safely(document, LOADER, allow_inline_contexts=allow_inline_contexts)
        if not checked.compact:
            check_compact_form(document, checked.expanded, term_index(document, LOADER))
    except CoopCredsError as exc:
        return ("refused", exc.code)
    return ("read", checked.expanded, checked.vocab_terms)


TALLY = {"compiled": 0, "declined": 0}


def compare(document: Any) -> None:
    fast = expand_compact(copy.deepcopy(document), LOADER)
    if fast is not None:
        TALLY["compiled"] += 1
        processor = LOADER.jsonld_processor()
        expanded = processor.expand(copy.deepcopy(document), LOADER.jsonld_options(base=None))
        # The same structure, key order included (node maps and blank-node labels follow it).
        assert json.dumps(fast) == json.dumps(expanded), json.dumps(document)[:2000]
        check_compact_form(document, expanded, term_index(document, LOADER))
    else:
        TALLY["declined"] += 1
    assert outcome(document) == pyld_outcome(document), json.dumps(document)[:2000]


def _jcs(document: dict) -> dict:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    return issue(unsigned, ACTORS.coop, cryptosuite="eddsa-jcs-2022", created=SAMPLE_CREATED)


def _alumni() -> dict:
    return issue({
        "@context": [V2, EXAMPLES_CONTEXT], "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"], "name": "Alumni Credential",
        "issuer": ACTORS.coop.did, "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }, ACTORS.coop, created=SAMPLE_CREATED)


def _status_list() -> dict:
    return sign_status_list(new_status_list("https://coop.example/status/1", ACTORS.coop.did),
                            ACTORS.coop, valid_from=SAMPLE_CREATED, created=SAMPLE_CREATED)


BASES = {
    "credential": corpus.CREDENTIAL,
    "presentation": corpus.PRESENTATION,
    "jcs credential": _jcs(corpus.CREDENTIAL),
    "jcs presentation": present([_jcs(corpus.CREDENTIAL)], ACTORS.member, challenge="c",
                                domain="https://d.example", created=corpus.PRESENTED,
                                cryptosuite="eddsa-jcs-2022"),
    "alumni": _alumni(),
    "status list": _status_list(),
}


@pytest.mark.parametrize("name", sorted(BASES))
def test_signed_documents_are_read_compiled_as_pyld_reads_them(name: str) -> None:
    document = BASES[name]
    assert expand_compact(document, LOADER) is not None, "the compiled reading declined"
    compare(document)


@pytest.mark.parametrize("name", sorted(corpus.CREDENTIAL_CASES))
def test_every_named_respelling_is_declined_and_refused_as_before(name: str) -> None:
    change, code = corpus.CREDENTIAL_CASES[name]
    for base in (corpus.CREDENTIAL, BASES["jcs credential"]):
        mutant = copy.deepcopy(base)
        change(mutant)
        assert expand_compact(mutant, LOADER) is None
        assert outcome(mutant) == pyld_outcome(mutant) == ("refused", code)


def test_the_rewrites_of_the_read_as_signed_corpus_are_decided_alike() -> None:
    rng = random.Random(20261203)  # the corpus's own seed: the same rewrites
    for _ in range(EXAMPLES):
        name = rng.choice(sorted(corpus.BASES))
        _, mutant = corpus.rewrite(corpus.BASES[name], rng)
        compare(mutant)


# Values an edit may put anywhere: each kind of JSON, and spellings the rules single out.
ODD_VALUES: list[Any] = [
    None, [], {}, [[]], [None], True, False, 0, 1.5, "", "x", "true", "12", "relative/path",
    "did:example:other", "_:b0", "urn:uuid:1", "xsd:boolean", "@id", "cred:issuer",
    "https://w3id.org/coopcreds/vocab#memberName", {"@value": "x"}, {"id": "did:example:1"},
    {"id": "_:b1", "type": "Cooperative"}, {"@context": V2}, ["a", "a"], ["a", "b"],
    {"type": "VerifiableCredential"}, {"type": ["Cooperative", "Cooperative"]},
    {"@value": "x", "@language": "en"}, 2**60, -0.0, "2026-01-01T00:00:00Z",
]
ODD_KEYS = [
    "id", "type", "@id", "@type", "@context", "@included", "@nest", "memberName", "name",
    "description", "votingRights", "memberSince", "roles", "memberOf", "validUntil", "proof",
    "unknownTerm", "cred:issuer", "https://www.w3.org/2018/credentials#issuer", "sec:proof",
    "credentialStatus", "relatedResource", "encodedList", "statusPurpose", "alumniOf",
]


def _objects(value: Any, out: list[dict]) -> list[dict]:
    if isinstance(value, dict):
        out.append(value)
        for item in value.values():
            _objects(item, out)
    elif isinstance(value, list):
        for item in value:
            _objects(item, out)
    return out


def edit(document: dict, rng: random.Random) -> dict:
    """One to three random edits: a key renamed, removed or added, a value replaced or
    wrapped in an array, a context changed."""
    doc = copy.deepcopy(document)
    for _ in range(rng.randint(1, 3)):
        target = rng.choice(_objects(doc, []))
        keys = list(target)
        action = rng.choice(["rename", "remove", "add", "replace", "wrap", "context"])
        if action == "context":
            doc["@context"] = rng.choice([[V2], [V2, COOP], [COOP, V2], [V2, EXAMPLES_CONTEXT],
                                          V2, [V2, COOP, EXAMPLES_CONTEXT], [V2, {"x": "urn:x"}]])
        elif not keys or action == "add":
            target[rng.choice(ODD_KEYS)] = copy.deepcopy(rng.choice(ODD_VALUES))
        elif action == "rename":
            key = rng.choice(keys)
            target[rng.choice(ODD_KEYS)] = target.pop(key)
        elif action == "remove":
            target.pop(rng.choice(keys))
        elif action == "replace":
            target[rng.choice(keys)] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:
            key = rng.choice(keys)
            target[key] = [target[key]]
    return doc


def test_random_edits_of_signed_documents_are_decided_alike() -> None:
    rng = random.Random(1203)
    names = sorted(BASES)
    for _ in range(EDITS):
        compare(edit(BASES[rng.choice(names)], rng))
    # Both paths were exercised, not one alone.
    assert TALLY["compiled"] >= 50 and TALLY["declined"] >= 500, TALLY


def test_inline_contexts_are_left_to_pyld() -> None:
    document = copy.deepcopy(BASES["credential"])
    document["@context"] = [*document["@context"], {"extra": "urn:extra"}]
    assert expand_compact(document, LOADER) is None
    assert outcome(document, allow_inline_contexts=True) == pyld_outcome(
        document, allow_inline_contexts=True)


def test_a_second_reading_reuses_the_compiled_view() -> None:
    urls = ((V2, COOP),)
    assert compact_expansion.compiled_view(urls, LOADER) is compact_expansion.compiled_view(
        urls, LOADER)


def test_each_loader_has_its_own_compiled_view() -> None:
    other = OfflineDocumentLoader(LOADER.contexts)
    urls = ((V2, COOP),)
    mine, theirs = (compact_expansion.compiled_view(urls, x) for x in (LOADER, other))
    assert mine.loader is LOADER and theirs.loader is other and mine is not theirs
