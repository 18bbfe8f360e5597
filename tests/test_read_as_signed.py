"""Deciding on what was signed: every JSON spelling of a signed graph but the compact one is refused.

An ``eddsa-rdfc-2022`` signature covers the RDF graph, so rewrites that keep
the graph keep the signature valid. Here:

- a corpus of the rewrites an attacker would try (a key as its IRI, a value
  object, ``@included``, ``@nest``, a split subject, ``"false"`` for a
  boolean...), on credentials, proofs, presentations, status lists and
  accreditations, each refused by name;
- a property test: a seeded random source draws 1,200 rewrites of a signed
  credential and of a signed presentation; an oracle independent of the verifier computes the
  signed content (canonical N-Quads of document and proof configuration) and
  what a program reading the JSON sees. A rewrite that changes the signed
  content is refused; one that keeps it but changes the JSON reading is
  refused by ``read_as_signed``; one that keeps both verifies. No rewrite may
  be accepted while it reads differently (a wrong acceptance).
"""

from __future__ import annotations

import copy
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from json_reading import json_reading

from coopcreds_proto.canonical import canonicalize_rdfc
from coopcreds_proto.compact_form import check_compact_form, term_index
from coopcreds_proto.errors import CoopCredsError, UnsafeJsonLdError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.trust.accreditation import issue_accreditation, load_trust
from coopcreds_proto.trust.policy import Benefit, VerifierPolicy
from coopcreds_proto.trust.recognition import decide
from coopcreds_proto.trust.registry import ISSUE, Accreditation, TrustRegistry
from coopcreds_proto.trust.revocation_log import RevocationLog
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import (
    create_presentation,
    present,
    sign_presentation,
    verify_presentation,
)
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.status_list import allocate, new_status_list, sign_status_list, status_entry
from coopcreds_proto.vc.verification import verify_credential

LOADER = OfflineDocumentLoader.default()
ACTORS = sample_actors()
CRED = "https://www.w3.org/2018/credentials#"
SEC = "https://w3id.org/security#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CHALLENGE, DOMAIN = "c-read-as-signed", "https://coop.example"
PRESENTED = "2026-06-01T12:00:00Z"
EXAMPLES = int(os.environ.get("COOPCREDS_REWRITE_EXAMPLES", "1200"))
MIN_RESPELLED = EXAMPLES // 2  # graph-preserving rewrites that read differently

Path_ = tuple


def _credential() -> dict:
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialSubject"]["roles"] = ["member", "board director"]
    return issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)


CREDENTIAL = _credential()
PRESENTATION = present(
    [CREDENTIAL], ACTORS.member, challenge=CHALLENGE, domain=DOMAIN, created=PRESENTED
)


def verify(document: dict):
    if "VerifiablePresentation" in document.get("type", []):
        return verify_presentation(document, challenge=CHALLENGE, domain=DOMAIN, now=PRESENTED)
    return verify_credential(document, now=SAMPLE_NOW)


# --- the oracle: what was signed, and what a JSON reader sees ----------------------


def signed_content(document: Any) -> tuple | None:
    """The RDFC canonical forms of the unsecured document and of its proof configuration."""
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        return None
    proof = document["proof"]
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    config = {**{k: v for k, v in proof.items() if k != "proofValue"},
              "@context": unsecured.get("@context")}
    try:
        return tuple(
            canonicalize_rdfc(expand_safely(d, LOADER, allow_inline_contexts=True).expanded,
                              LOADER)
            for d in (unsecured, config)
        ) + (proof.get("proofValue"),)
    except CoopCredsError:
        return None


BASES = {"credential": CREDENTIAL, "presentation": PRESENTATION}
CONTENT = {name: signed_content(doc) for name, doc in BASES.items()}
READING = {name: json_reading(doc) for name, doc in BASES.items()}


def _iris(document: dict) -> dict[str, str]:
    """Each term of the document's contexts and the IRI it stands for."""
    found: dict[str, str] = {}
    for iri, names in term_index(document, LOADER).terms.items():
        for name in names:
            found.setdefault(name, iri)
    return found


TERM_IRIS = _iris(PRESENTATION)
def _datatype(value: Any) -> str | None:
    """The datatype a context most likely gives ``value`` (the oracle tells if it does)."""
    if isinstance(value, bool):
        return f"{XSD}boolean"
    if isinstance(value, int):
        return f"{XSD}integer"
    if not isinstance(value, str):
        return None
    if re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", value):
        return f"{XSD}dateTime"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return f"{XSD}date"
    if value.startswith("eddsa-"):
        return f"{SEC}cryptosuiteString"
    if value.startswith("z") and len(value) > 40:
        return f"{SEC}multibase"
    return None


# --- rewrites --------------------------------------------------------------------


def _walk(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "@context":
                yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i))


def _get(document: Any, path: Path_) -> Any:
    for step in path:
        document = document[step]
    return document


def _set(document: Any, path: Path_, value: Any) -> None:
    _get(document, path[:-1])[path[-1]] = value


def _rename(obj: dict, old: str, new: str) -> dict:
    return {(new if k == old else k): v for k, v in obj.items()}


def _replace(document: dict, path: Path_, new: Any) -> dict:
    if not path:
        return new
    _set(document, path, new)
    return document


def _objects(document: dict) -> list[Path_]:
    return [p for p, v in _walk(document) if isinstance(v, dict) and "@value" not in v]


def _leaves(document: dict) -> list[Path_]:
    return [p for p, v in _walk(document)
            if p and not isinstance(v, (dict, list)) and isinstance(p[-1], (str, int))]


def rewrite(document: dict, rng: random.Random) -> tuple[str, dict]:
    """One rewrite of a deep copy of ``document``: its name and the result."""
    doc = copy.deepcopy(document)
    kind = rng.choice(sorted(REWRITES))
    return kind, REWRITES[kind](doc, rng)


def _key_to_iri(doc: dict, rng: random.Random) -> dict:
    keyed = [(p, k) for p in _objects(doc) for k in _get(doc, p) if k in TERM_IRIS]
    path, key = rng.choice(keyed)
    return _replace(doc, path, _rename(_get(doc, path), key, TERM_IRIS[key]))


def _value_object(doc: dict, rng: random.Random) -> dict:
    path = rng.choice(_leaves(doc))
    value = _get(doc, path)
    typed = _datatype(value)
    _set(doc, path, {"@value": value} if typed is None else {"@value": value, "@type": typed})
    return doc


def _native_as_string(doc: dict, rng: random.Random) -> dict:
    natives = [p for p in _leaves(doc) if isinstance(_get(doc, p), (bool, int))]
    path = rng.choice(natives)
    value = _get(doc, path)
    _set(doc, path, str(value).lower() if isinstance(value, bool) else str(value))
    return doc


def _keyword_for_alias(doc: dict, rng: random.Random) -> dict:
    keyed = [(p, k) for p in _objects(doc) for k in _get(doc, p) if k in ("id", "type")]
    path, key = rng.choice(keyed)
    return _replace(doc, path, _rename(_get(doc, path), key, "@" + key))


def _type_split(doc: dict, rng: random.Random) -> dict:
    typed = [p for p in _objects(doc) if isinstance(_get(doc, p).get("type"), list)
             and len(_get(doc, p)["type"]) > 1]
    path = rng.choice(typed)
    node = _get(doc, path)
    node["@type"] = node["type"][1:]
    node["type"] = node["type"][:1]
    return doc


def _duplicate(doc: dict, rng: random.Random) -> dict:
    lists = [p for p, v in _walk(doc) if isinstance(v, list) and v and p]
    path = rng.choice(lists)
    value = _get(doc, path)
    _set(doc, path, [*value, value[0]])
    return doc


def _move(doc: dict, rng: random.Random, keyword: str) -> dict:
    """Move one property of a node with an id into ``@included`` or ``@nest``."""
    nodes = [p for p in _objects(doc) if "id" in _get(doc, p)
             and [k for k in _get(doc, p) if k not in ("id", "type", "@context", "proof")]]
    path = rng.choice(nodes)
    node = _get(doc, path)
    key = rng.choice([k for k in node if k not in ("id", "type", "@context", "proof")])
    value = node.pop(key)
    if keyword == "@included":
        node["@included"] = [{"id": node["id"], key: value}]
    else:
        node["@nest"] = {key: value}
    return doc


def _split_node(doc: dict, rng: random.Random) -> dict:
    nodes = [p for p in _objects(doc) if p and isinstance(p[-1], str) and "id" in _get(doc, p)
             and len([k for k in _get(doc, p) if k not in ("id", "type")]) >= 2]
    path = rng.choice(nodes)
    node = _get(doc, path)
    keys = [k for k in node if k not in ("id", "type")]
    cut = rng.randint(1, len(keys) - 1)
    first = {"id": node["id"], **{k: node[k] for k in keys[:cut]}}
    second = {k: v for k, v in node.items() if k not in keys[:cut]}
    _set(doc, path, [first, second])
    return doc


def _set_keyword(doc: dict, rng: random.Random) -> dict:
    path = rng.choice(_leaves(doc))
    _set(doc, path, {"@set": [_get(doc, path)]})
    return doc


def _wrap(doc: dict, rng: random.Random) -> dict:
    """A single value as a one-element array: the same graph and the same reading."""
    singles = [p for p in _leaves(doc) if isinstance(p[-1], str) and "credentialSubject" in p
               and p[-1] not in ("id", "type")]
    path = rng.choice(singles)
    _set(doc, path, [_get(doc, path)])
    return doc


REWRITES: dict[str, Callable[[dict, random.Random], dict]] = {
    "key as its IRI": _key_to_iri,
    "value object": _value_object,
    "boolean or number as a string": _native_as_string,
    "@id/@type for id/type": _keyword_for_alias,
    "type and @type both": _type_split,
    "a set member twice": _duplicate,
    "@included": lambda doc, data: _move(doc, data, "@included"),
    "@nest": lambda doc, data: _move(doc, data, "@nest"),
    "a node split in two": _split_node,
    "@set": _set_keyword,
    "one-element array": _wrap,
}

TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def enough_respellings(request: pytest.FixtureRequest) -> Iterator[None]:
    TALLY.clear()
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    line = (f"rewrites tried: {TALLY['tried']}, same graph read differently:"
            f" {TALLY['respelled']}, wrongly accepted: {TALLY['wrongly accepted']}")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # shown even without -s
            reporter.write_line(f"\n{line}")
    if TALLY["tried"] >= EXAMPLES:  # the property test ran in full
        assert TALLY["tried"] >= 1000 or EXAMPLES < 1000, dict(TALLY)
        assert TALLY["respelled"] >= MIN_RESPELLED, dict(TALLY)
        assert TALLY["wrongly accepted"] == 0, dict(TALLY)


def test_no_rewrite_is_accepted_while_it_reads_differently() -> None:
    rng = random.Random(20261203)
    for _ in range(EXAMPLES):
        name = rng.choice(sorted(BASES))
        kind, mutant = rewrite(BASES[name], rng)
        check_rewrite(name, kind, mutant)
    assert TALLY["tried"] == EXAMPLES


def check_rewrite(name: str, kind: str, mutant: dict) -> None:
    content = signed_content(mutant)
    same_graph = content is not None and content == CONTENT[name]
    same_reading = json_reading(mutant) == READING[name]
    result = verify(mutant)
    TALLY.update(["tried", f"{kind}: {'same graph' if same_graph else 'changed'}"])
    if same_graph and not same_reading:
        TALLY["respelled"] += 1
    if result.verified and not (same_graph and same_reading):
        TALLY["wrongly accepted"] += 1
        raise AssertionError(f"{kind} on the {name} was accepted, yet it reads differently")
    if same_graph and same_reading:
        assert result.verified, f"{kind} on the {name} kept graph and reading, yet:\n{result}"
    elif same_graph:
        # Refused by name: the compact-form check, or the data model's shape rules
        # (which read the JSON first, e.g. a credential whose type moved to @type).
        refused_by = {c.name for c in result.failed}
        assert refused_by and refused_by <= {"well_formed", "read_as_signed"}, str(result)


# --- the corpus: named cases, each refused by name ----------------------------------


def _subject(doc: dict) -> dict:
    return doc["credentialSubject"]


CREDENTIAL_CASES: dict[str, tuple[Callable[[dict], Any], str]] = {
    "credentialStatus written as its IRI": (
        lambda d: d.__setitem__(CRED + "credentialStatus", {
            "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": "1", "statusListCredential": "https://x.example/status/1"}),
        "iri-key",
    ),
    "validUntil written as its IRI with a typed value": (
        lambda d: d.__setitem__(CRED + "validUntil",
                                {"@value": d.pop("validUntil"), "@type": XSD + "dateTime"}),
        "iri-key",
    ),
    "validUntil moved into @nest": (
        lambda d: d.__setitem__("@nest", {"validUntil": d.pop("validUntil")}), "keyword-key",
    ),
    "validUntil moved into an @included credential": (
        lambda d: d.__setitem__("@included", [{"id": d["id"], "type": "VerifiableCredential",
                                               "validUntil": d.pop("validUntil")}]),
        "keyword-key",
    ),
    "issuer name as a value object": (
        lambda d: d["issuer"].__setitem__("name", {"@value": d["issuer"]["name"]}),
        "value-not-compact",
    ),
    "memberSince as a typed value object": (
        lambda d: _subject(d).__setitem__("memberSince", {"@value": _subject(d)["memberSince"],
                                                          "@type": XSD + "date"}),
        "value-not-compact",
    ),
    "votingRights as the string false": (
        lambda d: _subject(d).__setitem__("votingRights", "true"), "typed-value-not-native",
    ),
    "credentialSubject split into two objects with the same id": (
        lambda d: d.__setitem__("credentialSubject", [
            {"id": _subject(d)["id"], "memberName": _subject(d)["memberName"]},
            {k: v for k, v in _subject(d).items() if k != "memberName"}]),
        "split-node",
    ),
    "type and @type both present": (
        lambda d: d.__setitem__("@type", [d["type"].pop()]), "keyword-key",
    ),
    "@id instead of id": (lambda d: d.__setitem__("@id", d.pop("id")), "keyword-key"),
    "a type listed twice": (lambda d: d["type"].append(d["type"][0]), "duplicate-value"),
    "a role listed twice": (
        lambda d: _subject(d)["roles"].append(_subject(d)["roles"][0]), "duplicate-value",
    ),
    "a type written as its IRI": (
        lambda d: d["type"].__setitem__(1, TERM_IRIS["CooperativeMembershipCredential"]),
        "type-not-compact",
    ),
    "proof expires written as sec:expiration": (
        lambda d: d["proof"].__setitem__(SEC + "expiration", "2026-02-01T00:00:00Z"),
        "iri-key",
    ),
    "proof created written as its IRI": (
        lambda d: d["proof"].__setitem__(TERM_IRIS["created"], d["proof"].pop("created")),
        "iri-key",
    ),
}


@pytest.mark.parametrize("name", sorted(CREDENTIAL_CASES))
def test_credential_rewrites_are_refused_by_name(name: str) -> None:
    change, code = CREDENTIAL_CASES[name]
    mutant = copy.deepcopy(CREDENTIAL)
    change(mutant)
    result = verify_credential(mutant, now=SAMPLE_NOW)
    assert not result.verified
    check = result.check("read_as_signed")
    assert check.failed and check.code == code, str(result)
    # Nothing that reads the JSON decided on it: those checks did not run.
    for skipped in ("validity_period", "status", "schema", "proof_timing", "issuer_binding"):
        assert result.check(skipped).skipped


@pytest.mark.parametrize("name", sorted(CREDENTIAL_CASES))
def test_the_same_rewrites_inside_a_presentation_are_refused(name: str) -> None:
    change, code = CREDENTIAL_CASES[name]
    mutant = copy.deepcopy(PRESENTATION)
    change(mutant["verifiableCredential"][0])
    result = verify_presentation(mutant, challenge=CHALLENGE, domain=DOMAIN, now=PRESENTED)
    assert not result.verified
    check = result.check("read_as_signed")
    assert check.failed and check.code == code, str(result)
    assert "credential 1 of 1" in check.message
    assert result.check("credentials").skipped


def test_a_presentation_proof_respelled_is_refused() -> None:
    mutant = copy.deepcopy(PRESENTATION)
    mutant["proof"][SEC + "expiration"] = "2026-06-01T12:01:00Z"
    result = verify_presentation(mutant, challenge=CHALLENGE, domain=DOMAIN,
                                 now="2026-06-01T13:00:00Z")
    assert result.check("read_as_signed").code == "iri-key"
    assert result.check("proof_timing").skipped


def test_an_inline_alias_for_a_published_term_is_refused() -> None:
    unsigned = sample_membership_credential(ACTORS)
    unsigned["@context"] = [*unsigned["@context"], {"endsOn": {"@id": CRED + "validUntil",
                                                               "@type": XSD + "dateTime"}}]
    unsigned["endsOn"] = unsigned.pop("validUntil")
    document = copy.deepcopy(unsigned)
    expanded = expand_safely(document, LOADER, allow_inline_contexts=True).expanded
    with pytest.raises(UnsafeJsonLdError) as err:
        check_compact_form(document, expanded, term_index(document, LOADER))
    assert err.value.code == "term-alias" and "validUntil" in err.value.message


def test_a_language_tagged_name_is_compact() -> None:
    unsigned = sample_membership_credential(ACTORS)
    unsigned["name"] = {"@value": "Adhesión cooperativa", "@language": "es"}
    signed = issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)
    assert verify_credential(signed, now=SAMPLE_NOW).verified


# --- status lists and trust credentials --------------------------------------------


def test_a_respelled_status_list_is_not_read(tmp_path: Path) -> None:
    """A list whose statusPurpose is respelled (same graph, same signature) is unverifiable,
    so a credential on it has an unknown status, never a pass."""
    registry = LocalRegistry(tmp_path)
    url = "https://riverside.example/status/1"
    status_list, (index,) = allocate(new_status_list(url, ACTORS.coop.did), SeededRandom("r"))
    listed = sign_status_list(status_list, ACTORS.coop, valid_from="2026-05-01T00:00:00Z")
    subject = listed["credentialSubject"]
    subject[TERM_IRIS["statusPurpose"]] = subject.pop("statusPurpose")
    assert signed_content(listed) == signed_content(
        sign_status_list(status_list, ACTORS.coop, valid_from="2026-05-01T00:00:00Z"))
    registry.publish(url, listed)
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialStatus"] = status_entry(status_list, index)
    credential = issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)
    result = verify_credential(credential, now=SAMPLE_NOW, registry=registry)
    check = result.check("status")
    assert not check.ok and check.code == "status-list-unverifiable"
    assert "read_as_signed" in check.message


def test_an_expired_accreditation_cannot_be_respelled_open_ended() -> None:
    """An accreditation's validUntil written as its IRI: the registry refuses the credential."""
    framework = "https://gov.example/gf"
    accreditation = issue_accreditation(
        Accreditation(
            id="urn:uuid:acc-1", accreditor=ACTORS.outsider.did, subject=ACTORS.coop.did,
            framework=framework, permissions=frozenset({ISSUE}),
            credential_types=frozenset({"CooperativeMembershipCredential"}),
            valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
            valid_until=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ),
        ACTORS.outsider, now="2026-01-01T00:00:00Z",
    )
    accreditation[CRED + "validUntil"] = accreditation.pop("validUntil")
    load = load_trust([accreditation], anchors={framework: [ACTORS.outsider.did]},
                      now=datetime(2026, 6, 1, tzinfo=timezone.utc), registry=None,
                      revocation_log=RevocationLog())
    assert not load.registry.accreditations
    (rejected,) = load.rejected
    assert "iri-key" in rejected.describe() or "validUntil" in rejected.describe()


# --- policy decisions ---------------------------------------------------------------

POLICY = VerifierPolicy(
    name="discount", verifier="did:example:shop", verifier_name="Shop Co-op",
    trusted_issuers=(ACTORS.coop.did,), accepted_types=("CooperativeMembershipCredential",),
    required_claims=("memberName", "votingRights"), benefit=Benefit("discount", "10% off", "10%"),
)


def test_the_policy_grants_the_benefit_on_the_signed_spelling_only() -> None:
    granted = decide(PRESENTATION, POLICY, trust=TrustRegistry(), challenge=CHALLENGE,
                     domain=DOMAIN, challenges=None, now=PRESENTED)
    assert granted.granted, str(granted)
    for name, (change, code) in sorted(CREDENTIAL_CASES.items()):
        mutant = copy.deepcopy(PRESENTATION)
        change(mutant["verifiableCredential"][0])
        decision = decide(mutant, POLICY, trust=TrustRegistry(), challenge=CHALLENGE,
                          domain=DOMAIN, challenges=None, now=PRESENTED)
        refused = decision.check("presentation")
        assert not decision.granted and decision.benefit is None, name
        assert refused.code == code and refused.message.startswith("Read as signed"), name


def test_a_holder_cannot_sign_a_respelled_presentation() -> None:
    respelled = copy.deepcopy(CREDENTIAL)
    _subject(respelled)["votingRights"] = "true"
    unsigned = create_presentation([respelled], ACTORS.member.did)
    with pytest.raises(UnsafeJsonLdError) as err:
        sign_presentation(unsigned, ACTORS.member, challenge=CHALLENGE, domain=DOMAIN)
    assert err.value.code == "typed-value-not-native"
