"""A presented credential is read from the presentation's own expansion.

Under the VC 2.0 context a credential inside a presentation is expanded under
its own ``@context`` only (``verifiableCredential`` has a null scoped
context), so the verifier takes its expansion from the presentation's instead
of expanding it again. Over the presentation of ``test_read_as_signed`` and
its graph-preserving rewrites and random edits, each presented credential's
result is the one ``verify_credential`` gives it alone, and the reading is
used whenever the presentation was read in canonical compact form.
"""

from __future__ import annotations

import copy
import random

import pytest
import test_compact_expansion as documents
import test_read_as_signed as corpus

from coopcreds_proto.canonical import canonicalize_rdfc
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.vc import presentations
from coopcreds_proto.vc.presentations import verify_presentation
from coopcreds_proto.vc.verification import verify_credential

CASES = 400


def _outcome(result) -> list[tuple]:
    return [(c.name, c.ok, c.code, c.message) for c in result.checks]


def _presentations() -> list[dict]:
    rng = random.Random(20261206)
    found = [corpus.PRESENTATION]
    for _ in range(CASES // 2):
        found.append(corpus.rewrite(corpus.PRESENTATION, rng)[1])
    for _ in range(CASES // 2):
        found.append(documents.edit(corpus.PRESENTATION, rng))
    return found


def test_each_presented_credential_is_decided_as_it_is_alone(monkeypatch) -> None:
    read: list = []
    embedded = presentations.verify_embedded_credentials

    def recording(credentials, options, expansions):
        read.extend(e for e in expansions if e is not None)
        for credential, expansion in zip(credentials, expansions):
            if expansion is not None:
                alone = expand_safely(credential, corpus.LOADER).expanded
                assert canonicalize_rdfc(expansion.expanded, corpus.LOADER) == \
                    canonicalize_rdfc(alone, corpus.LOADER)
        return embedded(credentials, options, expansions)

    monkeypatch.setattr(presentations, "verify_embedded_credentials", recording)
    decided = 0
    for presentation in _presentations():
        result = verify_presentation(copy.deepcopy(presentation), challenge=corpus.CHALLENGE,
                                     domain=corpus.DOMAIN, now=corpus.PRESENTED)
        for i, credential_result in enumerate(result.credential_results):
            alone = verify_credential(presentation["verifiableCredential"][i]
                                      if isinstance(presentation["verifiableCredential"], list)
                                      else presentation["verifiableCredential"],
                                      now=corpus.PRESENTED)
            assert _outcome(credential_result) == _outcome(alone)
            assert credential_result.vocab_terms == alone.vocab_terms
            decided += 1
    assert decided >= CASES // 8
    assert len(read) >= CASES // 8  # the reading is what verification runs


@pytest.mark.parametrize("change", ["no v2 first", "not a presentation type"])
def test_a_presentation_not_under_the_v2_rules_expands_its_credentials_alone(
    change: str, monkeypatch
) -> None:
    seen: list = []
    embedded = presentations.verify_embedded_credentials

    def recording(credentials, options, expansions):
        seen.extend(expansions)
        return embedded(credentials, options, expansions)

    monkeypatch.setattr(presentations, "verify_embedded_credentials", recording)
    state = presentations.PresentationState(
        corpus.PRESENTATION, presentations.VerifierOptions(now=corpus.PRESENTED),
        presentations.AuthenticationPurpose(corpus.CHALLENGE, corpus.DOMAIN), "presentation")
    state.document = copy.deepcopy(corpus.PRESENTATION)
    state.credentials = list(state.document["verifiableCredential"])
    state.expanded = expand_safely(state.document, corpus.LOADER)
    assert presentations._expansions_read(state)[0] is not None
    if change == "no v2 first":
        state.document["@context"] = ["https://www.w3.org/ns/credentials/examples/v2",
                                      *state.document["@context"]]
    else:
        state.document["type"] = ["SomethingElse"]
    assert presentations._expansions_read(state) == [None]
