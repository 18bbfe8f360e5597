"""Property test: a signed credential verifies exactly when its signed content is unchanged
and its JSON reads as what was signed.

Hypothesis applies one mutation at a time to a signed credential (both
suites): a value changed, a key added or removed, a type changed, a proof field
changed, and mutations that may or may not change the meaning (keys
reordered, arrays reordered, a value wrapped in a one-element array or
unwrapped, a term written as its full IRI, a string written as a value
object). An oracle written from the vc-di-eddsa spec, independent of the
cryptosuite code, computes the signed content of the mutant:

- eddsa-rdfc-2022: RDFC-1.0 canonical N-Quads of the unsecured document and of
  the proof configuration (via ``safe_jsonld`` + ``canonical``; a mutant those
  refuse counts as changed);
- eddsa-jcs-2022: the RFC 8785 bytes of both;

plus the proofValue itself. ``verify_credential`` must fail when that content
differs from the original's. When it is unchanged, a second oracle decides:
what a program reading the JSON sees (keys, values and their JSON types, sets
in any order, a one-element array as its element) is the original's, and the
mutant verifies; or it is not (an IRI for a key, a value object, ``"true"``
for ``true``: the same graph, another reading), and the mutant is refused by
the ``read_as_signed`` check, so no check ever decides on what was not signed. The mutations are chosen so that the
VC data-model shape rules (which look at the JSON, not at its meaning) never
reject a mutant whose signed content is unchanged.
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from json_reading import json_reading

from coopcreds_proto import (
    CoopCredsError,
    issue,
    sample_actors,
    sample_membership_credential,
    verify_credential,
)
from coopcreds_proto.canonical import canonicalize_jcs, canonicalize_rdfc
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.vc.samples import COOPCREDS_CONTEXT, SAMPLE_CREATED, SAMPLE_NOW

RDFC = "eddsa-rdfc-2022"
JCS = "eddsa-jcs-2022"
LOADER = OfflineDocumentLoader.default()
ACTORS = sample_actors()
MIN_MUTATIONS = 200  # over both suites
# More for a deeper local run: COOPCREDS_MUTATION_EXAMPLES=2000 pytest tests/test_mutations.py
EXAMPLES_PER_SUITE = int(os.environ.get("COOPCREDS_MUTATION_EXAMPLES", "160"))

Path = tuple  # a JSON path as a tuple of keys and indexes

TALLY: Counter[str] = Counter()


def _base(suite: str) -> dict:
    credential = sample_membership_credential(ACTORS)
    # A one-element array too, so that unwrapping it is one of the mutations.
    credential["credentialSubject"]["roles"] = ["member"]
    return issue(credential, ACTORS.coop, cryptosuite=suite, created=SAMPLE_CREATED)


BASE = {RDFC: _base(RDFC), JCS: _base(JCS)}


# -- the oracle -------------------------------------------------------------------------------


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def signed_content(document: Any, suite: str) -> tuple | None:
    """What the proof signs (vc-di-eddsa §3.3/§3.4), or None if it can't be computed."""
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        return None
    proof = document["proof"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        # Verify Proof: the proof's @context must start the document's, and replaces it.
        wanted = _as_list(options.pop("@context"))
        if _as_list(unsecured.get("@context"))[: len(wanted)] != wanted:
            return None
        unsecured["@context"] = wanted if isinstance(proof["@context"], list) else proof["@context"]
    config = {**options, "@context": unsecured.get("@context")}
    try:
        if suite == RDFC:
            parts = tuple(
                canonicalize_rdfc(expand_safely(d, LOADER).expanded, LOADER)
                for d in (unsecured, config)
            )
        else:
            parts = (canonicalize_jcs(unsecured), canonicalize_jcs(config))
    except CoopCredsError:
        return None
    return (*parts, proof.get("proofValue"))


BASE_CONTENT = {suite: signed_content(doc, suite) for suite, doc in BASE.items()}


# -- where mutations apply -------------------------------------------------------------------


def _walk(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


def _get(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


def _in_proof(path: Path) -> bool:
    return bool(path) and path[0] == "proof"


def _in_context(path: Path) -> bool:
    return "@context" in path


def _free(path: Path) -> bool:
    """Where the data-model shape rules don't look: the subject, and name/description."""
    return bool(path) and (
        path[0] == "credentialSubject" or path[:1] in (("name",), ("description",))
    )


TERM_IRIS: dict[str, str] = {
    term: (definition if isinstance(definition, str) else definition["@id"])
    for term, definition in LOADER.load(COOPCREDS_CONTEXT)["@context"].items()
    if not term.startswith("@") and term not in ("id", "type")
}
TERM_IRIS.update(
    {
        "id": "@id",
        "type": "@type",
        "name": "https://schema.org/name",
        "description": "https://schema.org/description",
    }
)


def targets(document: dict) -> dict[str, list[Path]]:
    nodes = list(_walk(document))
    leaves = [p for p, v in nodes if not isinstance(v, (dict, list)) and p]
    objects = [p for p, v in nodes if isinstance(v, dict)]
    keyed = [p for p, _ in nodes if p and isinstance(p[-1], str)]
    return {
        "value": [p for p in leaves if not _in_proof(p)],
        "add-key": [p for p in objects if not _in_proof(p) and not _in_context(p)],
        "remove-key": [p for p in keyed if not _in_proof(p)],
        "type": [p for p in keyed if p[-1] == "type"],
        "proof-change": [p for p in keyed if _in_proof(p) and len(p) == 2],
        "proof-remove": [p for p in keyed if _in_proof(p) and len(p) == 2],
        "proof-add": [("proof",)],
        "reorder-keys": [p for p in objects if len(_get(document, p)) > 1],
        "reorder-array": [
            p for p, v in nodes if isinstance(v, list) and len(v) > 1 and not _in_context(p)
        ],
        "wrap": [p for p in keyed if _free(p) and not isinstance(_get(document, p), list)],
        "unwrap": [
            p
            for p in keyed
            if _free(p) and isinstance(_get(document, p), list) and len(_get(document, p)) == 1
        ],
        "term-to-iri": [p for p in keyed if _free(p) and p[-1] in TERM_IRIS],
        "type-to-iri": [
            p
            for p, v in nodes
            if _free(p) and isinstance(v, str) and "type" in p[-2:] and v in TERM_IRIS
        ],
        "value-object": [p for p in leaves if _free(p) and isinstance(_get(document, p), str)],
    }


TARGETS = {suite: targets(doc) for suite, doc in BASE.items()}
KINDS = sorted(TARGETS[RDFC])

# -- mutations ------------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
SCALARS = st.sampled_from(
    [
        "",
        "x",
        "Ada Okafor",
        "true",
        "false",
        True,
        False,
        0,
        1,
        1.0,
        -1,
        "2019-03-14",
        "did:example:123",
        "https://coop.example/x",
        None,
    ]
)
NEW_KEYS = [
    "foo",
    "memberName",
    "legalName",
    "sector",
    "name",
    "description",
    "jurisdiction",
    "id",
    "type",
    "@id",
    "validUntil",
    "https://w3id.org/coopcreds/vocab#sector",
]
NEW_VALUES = st.sampled_from(
    ["x", "Ada", "https://coop.example/x", True, 7, {"legalName": "Y"}, ["a", "b"]]
)
TYPES = [
    "VerifiableCredential",
    "CooperativeMembershipCredential",
    "CooperativeMember",
    "Cooperative",
    "DataIntegrityProof",
    "VerifiablePresentation",
]
PROOF_FIELDS = {
    "type": ["Ed25519Signature2020", "DataIntegrityProof "],
    "cryptosuite": [RDFC, JCS, "eddsa-2022"],
    "created": ["2026-01-15T09:00:01Z", "2026-01-15T09:00:00.000Z", "2026-01-15T10:00:00+01:00"],
    "verificationMethod": [
        ACTORS.outsider.verification_method,
        ACTORS.coop.verification_method + "x",
    ],
    "proofPurpose": ["authentication", "capabilityInvocation"],
    "proofValue": [BASE[RDFC]["proof"]["proofValue"], BASE[JCS]["proof"]["proofValue"]],
    # The document's own @context is what the proof is checked under anyway.
    "@context": [
        ["https://www.w3.org/ns/credentials/v2"],
        "https://www.w3.org/ns/credentials/v2",
        BASE[RDFC]["@context"],
    ],
    "challenge": ["abc"],
    "domain": ["coop.example"],
    "expires": ["2027-01-01T00:00:00Z"],
    "nonce": ["n-1"],
    "id": ["urn:uuid:proof-1"],
    "previousProof": ["urn:uuid:proof-0"],
    "foo": ["x"],
}


def _set(document: Any, path: Path, value: Any) -> None:
    _get(document, path[:-1])[path[-1]] = value


def _rename(obj: dict, old: str, new: str) -> dict:
    return {(new if k == old else k): v for k, v in obj.items()}


def _replace_object(document: dict, path: Path, new: dict) -> dict:
    if not path:
        return new
    _set(document, path, new)
    return document


def _shuffled(data: st.DataObject, items: list) -> list:
    """A permutation of ``items`` other than the identity."""
    order = data.draw(st.permutations(items))
    return order if order != items else items[1:] + items[:1]


def mutate(document: dict, kind: str, path: Path, data: st.DataObject) -> dict:
    """One mutation of ``kind`` at ``path`` of a deep copy of ``document``."""
    doc = copy.deepcopy(document)
    old = _get(doc, path)
    if kind == "value":
        choices = [SCALARS, TEXT] + (
            [st.just(old + "x"), st.just(old[:-1])] if isinstance(old, str) and old else []
        )
        new = data.draw(st.one_of(choices).filter(lambda v: v != old or type(v) is not type(old)))
        _set(doc, path, new)
    elif kind == "add-key":
        key = data.draw(st.sampled_from([k for k in NEW_KEYS if k not in old]))
        old[key] = data.draw(NEW_VALUES)
    elif kind == "remove-key":
        del _get(doc, path[:-1])[path[-1]]
    elif kind == "type":
        values = _as_list(old)
        how = data.draw(
            st.sampled_from(["replace", "append"] + (["drop"] if len(values) > 1 else []))
        )
        if how == "drop":
            values = [
                v for i, v in enumerate(values) if i != data.draw(st.integers(0, len(values) - 1))
            ]
        elif how == "append":
            values = [*values, data.draw(st.sampled_from([t for t in TYPES if t not in values]))]
        else:
            i = data.draw(st.integers(0, len(values) - 1))
            values[i] = data.draw(st.sampled_from([t for t in TYPES if t != values[i]]))
        _set(doc, path, values if isinstance(old, list) or len(values) > 1 else values[0])
    elif kind == "proof-change":
        options = [v for v in PROOF_FIELDS.get(path[-1], []) if v != old] + [f"{old}x"]
        _set(doc, path, data.draw(st.sampled_from(options)))
    elif kind == "proof-remove":
        del doc["proof"][path[-1]]
    elif kind == "proof-add":
        key = data.draw(st.sampled_from(sorted(set(PROOF_FIELDS) - set(doc["proof"]))))
        doc["proof"][key] = data.draw(st.sampled_from(PROOF_FIELDS[key]))
    elif kind == "reorder-keys":
        order = _shuffled(data, list(old))
        doc = _replace_object(doc, path, {k: old[k] for k in order})
    elif kind == "reorder-array":
        _set(doc, path, [old[i] for i in _shuffled(data, list(range(len(old))))])
    elif kind == "wrap":
        _set(doc, path, [old])
    elif kind == "unwrap":
        _set(doc, path, old[0])
    elif kind == "term-to-iri":
        parent = _get(doc, path[:-1])
        doc = _replace_object(doc, path[:-1], _rename(parent, path[-1], TERM_IRIS[path[-1]]))
    elif kind == "type-to-iri":
        _set(doc, path, TERM_IRIS[old])
    elif kind == "value-object":
        _set(doc, path, {"@value": old})
    else:  # pragma: no cover
        raise AssertionError(kind)
    return doc


# -- the property ---------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> Iterator[None]:
    """Report how many mutations ran, and of which sort, when the module is done."""
    TALLY.clear()
    yield
    line = (
        f"mutations tried: {TALLY['tried']} (semantic {TALLY['semantic']}, non-semantic"
        f" {TALLY['same']}, respelled {TALLY['respelled']}); "
        + ", ".join(f"{s}: {TALLY[s + ':semantic']}+{TALLY[s + ':same']}" for s in (RDFC, JCS))
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown even without -s
            reporter.write_line(f"\n{line}")
    else:
        print(f"\n{line}")
    ran = {s for s in (RDFC, JCS) if TALLY[s + ":tried"]}
    if ran == {RDFC, JCS}:  # the whole module ran (not a -k selection)
        assert TALLY["tried"] >= MIN_MUTATIONS, line
        assert TALLY["respelled"] >= 10, line  # the same graph, written another way
        for suite in ran:
            assert TALLY[suite + ":semantic"] >= 50 and TALLY[suite + ":same"] >= 10, line


def test_base_credentials_verify() -> None:
    for suite, signed in BASE.items():
        assert verify_credential(signed, now=SAMPLE_NOW).verified
        assert BASE_CONTENT[suite] is not None
        assert all(TARGETS[suite][kind] for kind in KINDS), {
            k: v for k, v in TARGETS[suite].items() if not v
        }


def test_oracle_tells_changes_apart() -> None:
    """The oracle itself: blind to key order, sensitive to a changed claim."""
    for suite, signed in BASE.items():
        reordered = dict(reversed(list(signed.items())))
        assert signed_content(reordered, suite) == BASE_CONTENT[suite]
        changed = copy.deepcopy(signed)
        changed["credentialSubject"]["memberName"] = "Ada O."
        assert signed_content(changed, suite) != BASE_CONTENT[suite]
    wrapped = copy.deepcopy(BASE[RDFC])
    wrapped["credentialSubject"]["memberName"] = ["Ada Okafor"]
    assert signed_content(wrapped, RDFC) == BASE_CONTENT[RDFC]


def _check_mutation(suite: str, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(KINDS), label="kind")
    path = data.draw(st.sampled_from(TARGETS[suite][kind]), label="path")
    mutant = mutate(BASE[suite], kind, path, data)
    content = signed_content(mutant, suite)
    changed = content is None or content != BASE_CONTENT[suite]
    same_reading = json_reading(mutant) == json_reading(BASE[suite])
    sort = "semantic" if changed else ("same" if same_reading else "respelled")
    TALLY.update(["tried", sort, f"{suite}:tried", f"{suite}:{sort}", f"{suite}:{kind}:{sort}"])
    event(f"{kind}: {sort}")
    result = verify_credential(mutant, now=SAMPLE_NOW)
    if changed:
        assert not result.verified, f"{kind} at {path} changed the signed content, yet it verified"
        assert not result.check("signature").ok
    elif same_reading:
        assert result.verified, f"{kind} at {path} left the signed content alone, yet:\n{result}"
    else:
        assert not result.verified, f"{kind} at {path} reads differently, yet it verified"
        assert [c.name for c in result.failed] == ["read_as_signed"], str(result)


MUTATION_SETTINGS = settings(
    max_examples=EXAMPLES_PER_SUITE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@MUTATION_SETTINGS
@given(st.data())
def test_rdfc_verifies_exactly_when_the_canonical_form_is_unchanged(data: st.DataObject) -> None:
    _check_mutation(RDFC, data)


@MUTATION_SETTINGS
@given(st.data())
def test_jcs_verifies_exactly_when_the_jcs_bytes_are_unchanged(data: st.DataObject) -> None:
    _check_mutation(JCS, data)


# -- named cases: what RDFC treats as the same credential, and what it doesn't ---------------


def _subject(document: dict) -> dict:
    return document["credentialSubject"]


def _rename_in_subject(old: str, new: str):
    def change(document: dict) -> None:
        document["credentialSubject"] = _rename(_subject(document), old, new)

    return change


# Each case: the change, whether RDFC signs the same graph after it, and whether
# the JSON still reads the same (if not, read_as_signed refuses it, by this code).
NAMED_CASES = {
    "boolean written as a string for an xsd:boolean term": (
        lambda d: _subject(d).__setitem__("votingRights", "true"), True, "typed-value-not-native",
    ),
    "a one-element array instead of a single value": (
        lambda d: _subject(d).__setitem__("memberName", ["Ada Okafor"]), True, None,
    ),
    "a value object for a plain string": (
        lambda d: _subject(d).__setitem__("memberName", {"@value": "Ada Okafor"}), True,
        "value-not-compact",
    ),
    "a term written as its full IRI": (
        _rename_in_subject("memberName", TERM_IRIS["memberName"]), True, "iri-key",
    ),
    "id written as @id": (_rename_in_subject("id", "@id"), True, "keyword-key"),
    "credential types in another order": (lambda d: d["type"].reverse(), True, None),
    "a typed term as its full IRI loses its datatype": (
        _rename_in_subject("memberSince", TERM_IRIS["memberSince"]), False, None,
    ),
    "a claim set to null": (lambda d: _subject(d).__setitem__("memberName", None), False, None),
    "a trailing space in a literal": (
        lambda d: _subject(d).__setitem__("memberName", "Ada Okafor "), False, None,
    ),
    "a single value instead of a one-element array": (
        lambda d: _subject(d).__setitem__("roles", "member"), True, None,
    ),
}


@pytest.mark.parametrize("name", sorted(NAMED_CASES))
@pytest.mark.parametrize("suite", [RDFC, JCS])
def test_named_mutations(suite: str, name: str) -> None:
    change, same_for_rdfc, respelled = NAMED_CASES[name]
    mutant = copy.deepcopy(BASE[suite])
    change(mutant)
    assert mutant != BASE[suite]
    same_content = same_for_rdfc and suite == RDFC  # JCS signs the bytes: every change counts
    assert (signed_content(mutant, suite) == BASE_CONTENT[suite]) is same_content
    assert (json_reading(mutant) == json_reading(BASE[suite])) is (same_for_rdfc and not respelled)
    result = verify_credential(mutant, now=SAMPLE_NOW)
    assert result.verified is (same_content and respelled is None)
    if same_content and respelled:
        assert result.check("read_as_signed").code == respelled
