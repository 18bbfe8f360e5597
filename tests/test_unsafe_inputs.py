"""Unsafe inputs: each refusal, its stable code and JSON path, the same from
``expand_safely``, ``issue`` (which never signs it) and ``verify_credential``.

Also the pitfall the checks exist for: plain PyLD silently drops an undefined
term, so a signature over its output would not cover what a person reads.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from pyld import jsonld

from coopcreds_proto import CoopCredsError, InputError, UnsafeJsonLdError, issue, verify_credential
from coopcreds_proto.canonical import canonicalize_rdfc
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.safe_json import DEFAULT_LIMITS, loads_strict
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.verifier_options import VerifierOptions

LOADER = OfflineDocumentLoader.default()
ACTORS = sample_actors()
SIGNED = issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)
UNKNOWN_CONTEXT = "https://contexts.example/unknown/v1"


def _unsigned() -> dict:
    return sample_membership_credential(ACTORS)


def _subject(**claims: object) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        doc["credentialSubject"].update(claims)

    return change


def _extra_context(context: object) -> Callable[[dict], None]:
    def change(doc: dict) -> None:
        doc["@context"] = [*doc["@context"], context]

    return change


def _deep(depth: int) -> dict:
    node: dict = {"legalName": "bottom"}
    for _ in range(depth):
        node = {"memberOf": node}
    return node


@dataclass(frozen=True)
class Case:
    """One unsafe change to the sample credential, and how it must be refused."""

    change: Callable[[dict], None]
    code: str
    path: str  # exact, or a prefix when it ends with '*'
    check: str | tuple[str, ...] = (
        "safe_jsonld"  # the verify_credential check(s) that may report it
    )
    options: dict = field(default_factory=dict)


CASES = {
    "undefined term": Case(_subject(foo="bar"), "undefined-term", "$.credentialSubject.foo"),
    # A relative id of the subject itself breaks the data model first (bad-id); inside a
    # claim it is for the JSON-LD checks.
    "relative @id": Case(
        _subject(memberOf={"id": "coop-7", "type": "Cooperative"}), "relative-iri",
        "$.credentialSubject.memberOf.id",
    ),
    "undefined @type value": Case(
        _subject(type="FooMember"), "relative-iri", "$.credentialSubject.type"
    ),
    "context not in the bundle": Case(
        _extra_context(UNKNOWN_CONTEXT), "context-not-bundled", "$.@context[2]", check="contexts"
    ),
    "inline context when not allowed": Case(
        _extra_context({"nickname": "https://coop.example/vocab#nickname"}),
        "inline-context",
        "$.@context[2]",
        check="contexts",
        options={"allow_inline_contexts": False},
    ),
    "protected term redefinition (a coopcreds term)": Case(
        _extra_context({"memberName": "https://evil.example/name"}),
        "protected-term-redefinition",
        "$.@context*",
        options={"allow_inline_contexts": True},
    ),
    "protected term redefinition (id)": Case(
        _extra_context({"id": "https://evil.example/id"}),
        "protected-term-redefinition",
        "$.@context*",
        options={"allow_inline_contexts": True},
    ),
    "protected term redefinition (name)": Case(
        _extra_context({"name": "https://evil.example/name"}),
        "protected-term-redefinition",
        "$.@context*",
        options={"allow_inline_contexts": True},
    ),
    "protected term redefinition (issuer, protected inline)": Case(
        # The VerifiableCredential type-scoped context must then redefine a protected term.
        _extra_context({"@protected": True, "issuer": "https://evil.example/issuer"}),
        "protected-term-redefinition",
        "$.@context*",
        options={"allow_inline_contexts": True},
    ),
    "an inline context importing an unknown one": Case(
        # Refused by the loader (under safe_jsonld); the contexts check does not look into @import.
        _extra_context({"@import": UNKNOWN_CONTEXT}),
        "context-not-bundled",
        "*",
        check=("contexts", "safe_jsonld"),
        options={"allow_inline_contexts": True},
    ),
    "NaN (a Python float)": Case(
        _subject(memberName=float("nan")), "non-finite-number", "$.credentialSubject.memberName"
    ),
    "Infinity (a Python float)": Case(
        _subject(memberName=float("-inf")), "non-finite-number", "$.credentialSubject.memberName"
    ),
    "over-size": Case(_subject(memberName="a" * (DEFAULT_LIMITS.max_bytes + 1)), "too-large", "$"),
    "over-deep nesting": Case(
        _subject(memberOf=_deep(DEFAULT_LIMITS.max_depth + 5)),
        "too-deep",
        "$.credentialSubject.memberOf.memberOf*",
    ),
    "too many values": Case(
        _subject(roles=[["member"] * 500] * (DEFAULT_LIMITS.max_values // 500)), "too-many-values",
        "$",
    ),
    "too many items in one array": Case(
        _subject(roles=["member"] * (DEFAULT_LIMITS.max_items + 1)), "too-many-values",
        "$.credentialSubject.roles",
    ),
    "a control character (U+0008) in a literal": Case(
        _subject(memberName="Ada\bOkafor"), "control-character", "$.credentialSubject.memberName"
    ),
    "a control character in a key": Case(
        _subject(**{"member\x1fName": "x"}), "control-character", "$.credentialSubject*"
    ),
    "a lone surrogate in a literal": Case(
        _subject(memberName="Ada \ud800"), "lone-surrogate", "$.credentialSubject.memberName"
    ),
    "an integer beyond the interoperable range": Case(
        _subject(memberName=2**53), "number-out-of-range", "$.credentialSubject.memberName"
    ),
    "a huge integer": Case(
        _subject(memberName=10**400), "number-out-of-range", "$.credentialSubject.memberName"
    ),
    "a value that isn't JSON": Case(
        _subject(memberName=b"Ada"), "not-json-value", "$.credentialSubject.memberName"
    ),
}


def _unsafe(case: Case) -> dict:
    doc = _unsigned()
    case.change(doc)
    return doc


def _with_proof(doc: dict) -> dict:
    return {**doc, "proof": copy.deepcopy(SIGNED["proof"])}


def _as_tuple(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _path_matches(path: str | None, expected: str) -> bool:
    if expected.endswith("*"):
        return path is not None and path.startswith(expected[:-1])
    return path == expected


@pytest.mark.parametrize("name", sorted(CASES))
def test_expand_safely_refuses(name: str) -> None:
    case = CASES[name]
    with pytest.raises(UnsafeJsonLdError) as refused:
        expand_safely(_unsafe(case), LOADER, **case.options)
    assert refused.value.code == case.code
    assert _path_matches(refused.value.path, case.path), refused.value.path


@pytest.mark.parametrize("name", sorted(CASES))
def test_issue_refuses_and_never_signs(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES[name]
    signatures: list[bytes] = []
    original_sign = type(ACTORS.coop).sign
    monkeypatch.setattr(
        type(ACTORS.coop),
        "sign",
        lambda key, data: signatures.append(data) or original_sign(key, data),
    )
    with pytest.raises(UnsafeJsonLdError) as refused:
        issue(_unsafe(case), ACTORS.coop, created=SAMPLE_CREATED, **case.options)
    assert refused.value.code == case.code
    assert _path_matches(refused.value.path, case.path), refused.value.path
    assert signatures == []


@pytest.mark.parametrize("name", sorted(CASES))
def test_verify_reports_the_same_refusal(name: str) -> None:
    case = CASES[name]
    doc = _unsafe(case)
    with pytest.raises(UnsafeJsonLdError) as refused:
        expand_safely(doc, LOADER, **case.options)
    result = verify_credential(_with_proof(doc), now=SAMPLE_NOW, **case.options)
    assert result.verified is False
    failed = [c for c in result.failed if not c.skipped]
    assert failed[0].name in _as_tuple(case.check), str(result)
    assert failed[0].code == case.code
    assert failed[0].message == str(refused.value).splitlines()[0]
    assert result.check("signature").skipped


# -- JSON text ---------------------------------------------------------------------------------

SIGNED_TEXT = json.dumps(SIGNED, indent=1)
MEMBER_NAME = '"memberName": "Ada Okafor"'

TEXT_CASES = {
    "duplicate keys": (
        SIGNED_TEXT.replace(MEMBER_NAME, MEMBER_NAME + ', "memberName": "Eve"'),
        "duplicate-key",
        "$.credentialSubject.memberName",
    ),
    "NaN": (SIGNED_TEXT.replace('"Ada Okafor"', "NaN"), "non-finite-number", "$"),
    "Infinity": (SIGNED_TEXT.replace('"Ada Okafor"', "Infinity"), "non-finite-number", "$"),
    "-Infinity": (SIGNED_TEXT.replace('"Ada Okafor"', "-Infinity"), "non-finite-number", "$"),
    "a number that overflows to infinity": (
        SIGNED_TEXT.replace('"Ada Okafor"', "1e999"),
        "non-finite-number",
        "$",
    ),
    "an integer with 5000 digits": (
        SIGNED_TEXT.replace('"Ada Okafor"', "1" * 5000),
        "number-out-of-range",
        "$",
    ),
    "an escaped lone surrogate": (
        SIGNED_TEXT.replace('"Ada Okafor"', '"Ada \\ud800"'),
        "lone-surrogate",
        "$*",
    ),
    "a raw lone surrogate": (SIGNED_TEXT.replace('"Ada Okafor"', '"Ada \ud800"'), "not-json", None),
    "over-size": (
        SIGNED_TEXT.replace('"Ada Okafor"', '"' + "a" * DEFAULT_LIMITS.max_bytes + '"'),
        "too-large",
        "$",
    ),
    "over-deep": ("[" * 10_000 + "]" * 10_000, "too-deep", "$*"),
    "not UTF-8": (SIGNED_TEXT.encode("utf-16"), "not-json", None),
}


@pytest.mark.parametrize("name", sorted(TEXT_CASES))
def test_json_text_refusals(name: str) -> None:
    text, code, path = TEXT_CASES[name]
    with pytest.raises(CoopCredsError) as refused:
        expand_safely(loads_strict(text), LOADER)
    assert refused.value.code == code
    if path is not None:
        assert _path_matches(refused.value.path, path), refused.value.path
    result = verify_credential(text, now=SAMPLE_NOW)  # never raises
    assert result.verified is False
    failed = [c for c in result.failed if not c.skipped]
    assert failed[0].code == code, str(result)
    assert failed[0].message == str(refused.value).splitlines()[0]


def test_strict_parser_names_duplicate_keys_by_path() -> None:
    with pytest.raises(UnsafeJsonLdError) as nested:
        loads_strict('{"a": {"b": [{"c": 1}, {"c": 1, "c": 2}]}}')
    assert (nested.value.code, nested.value.path) == ("duplicate-key", "$.a.b[1].c")
    with pytest.raises(UnsafeJsonLdError) as quoted:
        loads_strict('{"a b": 1, "a b": 2}')
    assert (quoted.value.code, quoted.value.path) == ("duplicate-key", '$["a b"]')
    # Python's own parser keeps the last one without a word: the reason for the check.
    assert json.loads('{"a": 1, "a": 2}') == {"a": 2}
    with pytest.raises(InputError) as broken:
        loads_strict('{"a": ')
    assert broken.value.code == "not-json"


def test_non_string_keys_are_refused_not_raised() -> None:
    doc = _with_proof(_unsigned())
    doc["credentialSubject"][7] = "seven"
    with pytest.raises(UnsafeJsonLdError) as refused:
        issue({k: v for k, v in doc.items() if k != "proof"}, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == "non-string-key"
    result = verify_credential(doc, now=SAMPLE_NOW)
    assert result.verified is False
    assert next(c.code for c in result.failed if not c.skipped) == "non-string-key"


# -- inline contexts -----------------------------------------------------------------------------


def test_inline_redefinition_of_a_type_scoped_term_changes_nothing() -> None:
    """The v2 context defines issuer/credentialSubject in the VerifiableCredential
    type-scoped, protected context, which is applied after the document's own:
    an inline definition of them (not itself protected) is overridden, so the
    signed N-Quads stay those of the unchanged credential."""
    plain = canonicalize_rdfc(expand_safely(_unsigned(), LOADER).expanded, LOADER)
    for term in ("issuer", "credentialSubject"):
        doc = _unsigned()
        _extra_context({term: f"https://evil.example/{term}"})(doc)
        redefined = canonicalize_rdfc(
            expand_safely(doc, LOADER, allow_inline_contexts=True).expanded, LOADER
        )
        assert redefined == plain
        assert "evil.example" not in redefined


@pytest.mark.parametrize(
    "suite",
    ["eddsa-rdfc-2022", "eddsa-jcs-2022"],
)
def test_an_allowed_inline_context_can_be_signed_and_verified(suite: str) -> None:
    doc = _unsigned()
    _extra_context({"nickname": "https://coop.example/vocab#nickname"})(doc)
    doc["credentialSubject"]["nickname"] = "Ada"
    signed = issue(
        doc, ACTORS.coop, cryptosuite=suite, created=SAMPLE_CREATED, allow_inline_contexts=True
    )
    assert verify_credential(signed, now=SAMPLE_NOW).verified  # read by default
    strict = VerifierOptions.profile("strict", now=SAMPLE_NOW)
    refused = verify_credential(signed, strict)  # the strict profile reads published ones only
    assert refused.check("contexts").code == "inline-context"


# -- poisoned datasets -----------------------------------------------------------------------------


def _clique(size: int = 7) -> dict:
    """``size`` blank nodes, each memberOf every other: all look alike to RDFC."""
    doc = _unsigned()
    doc["credentialSubject"]["memberOf"] = [
        {"id": f"_:b{i}", "memberOf": [f"_:b{j}" for j in range(size) if j != i]}
        for i in range(size)
    ]
    return doc


def _identical_children(parents: int, children: int) -> dict:
    """Blank-node members, each with ``children`` identical blank-node members."""
    doc = _unsigned()
    del doc["credentialSubject"]["id"]
    doc["credentialSubject"]["memberOf"] = [
        {
            "type": "Cooperative",
            "memberOf": [{"type": "Cooperative", "legalName": "Same"} for _ in range(children)],
        }
        for _ in range(parents)
    ]
    return doc


def _many_blank_nodes(count: int) -> dict:
    doc = _unsigned()
    doc["credentialSubject"]["memberOf"] = [{"legalName": f"Co-op {i}"} for i in range(count)]
    return doc


POISON = {
    "a 7-node blank-node clique": _clique(7),
    "identical blank nodes, each with 7 identical children": _identical_children(2, 7),
    "identical blank nodes, each with 3 identical children": _identical_children(3, 3),
    "more blank nodes than the limit": _many_blank_nodes(DEFAULT_LIMITS.max_blank_nodes + 1),
}


@pytest.mark.parametrize("name", sorted(POISON))
def test_poisoned_dataset_is_refused_quickly(name: str) -> None:
    doc = POISON[name]
    started = time.perf_counter()
    expanded = expand_safely(
        doc, LOADER
    ).expanded  # well-formed JSON-LD: only canonicalization is at risk
    with pytest.raises(UnsafeJsonLdError) as refused:
        canonicalize_rdfc(expanded, LOADER)
    assert refused.value.code == "canonicalization-too-complex"
    with pytest.raises(UnsafeJsonLdError) as not_signed:
        issue(doc, ACTORS.coop, created=SAMPLE_CREATED)
    assert not_signed.value.code == "canonicalization-too-complex"
    result = verify_credential(_with_proof(doc), now=SAMPLE_NOW)
    elapsed = time.perf_counter() - started
    assert result.verified is False
    assert "canonicalization-too-complex" in [c.code for c in result.failed]
    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_poisoned_dataset_is_reported_as_unsafe_json_ld() -> None:
    result = verify_credential(_with_proof(_clique(7)), now=SAMPLE_NOW)
    check = result.check("safe_jsonld")
    assert not check.ok and check.code == "canonicalization-too-complex"


@pytest.mark.parametrize(("parents", "children"), [(1, 30), (30, 1), (8, 2)])
def test_identical_siblings_that_rdfc_can_tell_apart_are_signed(
    parents: int, children: int
) -> None:
    """Many identical blank-node siblings are not by themselves a poison: when
    their parent is distinguishable, RDFC labels them without permutations."""
    doc = _identical_children(parents, children)
    started = time.perf_counter()
    signed = issue(doc, ACTORS.coop, created=SAMPLE_CREATED)
    assert verify_credential(signed, now=SAMPLE_NOW).verified
    assert time.perf_counter() - started < 1.0
    nquads = canonicalize_rdfc(expand_safely(doc, LOADER).expanded, LOADER)
    blank = {term for line in nquads.splitlines() for term in line.split() if term.startswith("_:")}
    assert (
        len(blank) == 1 + parents + parents * children
    )  # subject, members, their members: none merged


# -- the pitfall ---------------------------------------------------------------------------------------


def _pyld_nquads(doc: dict) -> str:
    return jsonld.normalize(
        doc, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": LOADER}
    )


def test_plain_pyld_silently_drops_an_undefined_term() -> None:
    doc = _unsigned()
    with_term = copy.deepcopy(doc)
    with_term["credentialSubject"]["shareholding"] = "51% of the co-op"
    # Plain PyLD: no error, and the claim is simply not there to be signed.
    assert _pyld_nquads(with_term) == _pyld_nquads(doc)
    assert "51%" not in _pyld_nquads(with_term)
    # The workbench refuses instead.
    with pytest.raises(UnsafeJsonLdError) as refused:
        expand_safely(with_term, LOADER)
    assert (refused.value.code, refused.value.path) == (
        "undefined-term",
        "$.credentialSubject.shareholding",
    )


def test_plain_pyld_makes_up_a_base_for_an_undefined_type() -> None:
    doc = _unsigned()
    doc["credentialSubject"]["type"] = "BoardChair"
    nquads = _pyld_nquads(doc)
    # No error: the type becomes an IRI under PyLD's made-up base, and that gets signed.
    assert "<http://example.org/base/BoardChair>" in nquads
    with pytest.raises(UnsafeJsonLdError) as refused:
        expand_safely(doc, LOADER)
    assert refused.value.code == "relative-iri"
