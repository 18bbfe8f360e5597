"""Hostile documents of about a megabyte: each refused with its named check, fast.

The shapes are those of ``benchmarks/bench_hostile.py``, which times them
against the target (1 s each). Here each must fail the check that names what
is wrong, and all of them together must cost under a generous 20 s of CPU: the
quadratic base58 decoding and node map they used to reach took minutes for one.
"""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from coopcreds_proto.canonical import canonicalize_rdfc
from coopcreds_proto.errors import UnsafeJsonLdError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.safe_json import DEFAULT_LIMITS
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present, verify_presentation
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.signin import SignInService
from coopcreds_proto.vc.verification import verify_credential

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_hostile.py"
_spec = importlib.util.spec_from_file_location("bench_hostile", BENCHMARK)
assert _spec is not None and _spec.loader is not None
bench_hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_hostile)

ACTORS = sample_actors()
SIGNED = issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)
SHOWN = present([SIGNED], ACTORS.member, challenge="c-1", domain=bench_hostile.DOMAIN,
                created="2026-06-01T12:00:00Z")

# input -> (the check that fails first, its code)
CREDENTIALS = {
    "base58 proofValue": ("signature", "bad-proof-value"),
    "base58 did:key signer": ("verification_method", "bad-multibase"),
    "did:key issuer": ("well_formed", "bad-issuer"),
    "one huge claim": ("signature", "bad-signature"),
    "one huge id": ("well_formed", "bad-id"),
    "a megabyte of context URL": ("well_formed", "bad-context-entry"),
    "a megabyte of term": ("safe_jsonld", "undefined-term"),
    "a huge array": ("safe_jsonld", "too-many-values"),
    "arrays within the item limit": ("safe_jsonld", "too-many-values"),
    "one node, a flood of values": ("safe_jsonld", "canonicalization-too-complex"),
    "nested too deep": ("safe_jsonld", "too-deep"),
    "a megabyte of fraction": ("signature", "bad-signature"),
    "a megabyte of year": ("well_formed", "bad-timestamp"),
    "thousands of proofs": ("well_formed", "too-many-proofs"),
    "thousands of status entries": ("safe_jsonld", "too-many-values"),
    "thousands of schemas": ("safe_jsonld", "too-many-values"),
    "the same subject hundreds of times": ("safe_jsonld", "too-many-values"),
    "within every limit, all canonicalized": ("signature", "bad-signature"),
}
PRESENTATIONS = {
    "hundreds of credentials": "too-many-values",
    "base58 proofValue": "bad-proof-value",
    "thousands of proofs": "too-many-proofs",
}


@pytest.fixture(scope="module")
def cpu_seconds() -> dict[str, float]:
    return {}


def test_the_benchmark_covers_every_shape_named_here():
    assert set(bench_hostile.hostile_credentials(SIGNED)) == set(CREDENTIALS)
    assert set(bench_hostile.hostile_presentations(SIGNED, SHOWN)) == set(PRESENTATIONS)


@pytest.mark.parametrize("name", sorted(CREDENTIALS))
def test_a_hostile_credential_fails_its_named_check(name, cpu_seconds):
    credential = bench_hostile.hostile_credentials(SIGNED)[name]
    assert len(json.dumps(credential)) <= DEFAULT_LIMITS.max_bytes * 1.2
    start = time.process_time()
    result = verify_credential(credential, now=SAMPLE_NOW)
    cpu_seconds[f"credential {name}"] = time.process_time() - start
    assert not result.verified
    first = result.failed[0]
    assert (first.name, first.code) == CREDENTIALS[name], first
    assert len(first.message) <= 5_000  # a megabyte of input is never echoed back


@pytest.mark.parametrize("name", sorted(PRESENTATIONS))
def test_a_hostile_presentation_is_refused_as_itself_and_through_sign_in(name, cpu_seconds):
    presentation = bench_hostile.hostile_presentations(SIGNED, SHOWN)[name]
    start = time.process_time()
    result = verify_presentation(presentation, challenge="c-1", domain=bench_hostile.DOMAIN,
                                 now=SAMPLE_NOW)
    refusal = SignInService(bench_hostile.DOMAIN, accepted_issuers=[ACTORS.coop.did]).complete(
        json.dumps(presentation))
    cpu_seconds[f"presentation {name}"] = time.process_time() - start
    assert not result.verified and result.failed[0].code == PRESENTATIONS[name]
    assert not refusal.ok and refusal.reasons


def test_all_of_them_together_cost_seconds_not_minutes(cpu_seconds):
    # Runs after the cases above (file order); a generous bound that only the
    # quadratic paths (minutes for one input) could break.
    assert len(cpu_seconds) == len(CREDENTIALS) + len(PRESENTATIONS)
    assert sum(cpu_seconds.values()) < 20, sorted(cpu_seconds.items(), key=lambda kv: -kv[1])


def test_a_poisoned_dataset_stays_refused_in_well_under_a_second():
    loader = OfflineDocumentLoader.default()
    expanded = expand_safely(bench_hostile_core_clique(), loader).expanded
    start = time.process_time()
    with pytest.raises(UnsafeJsonLdError) as refused:
        canonicalize_rdfc(expanded, loader)
    assert time.process_time() - start < 5  # milliseconds in practice (bench_core.py)
    assert refused.value.code == "canonicalization-too-complex"


def bench_hostile_core_clique() -> dict:
    """The 7-node blank-node clique of ``bench_core.py`` (RDFC-1.0 would try 7! permutations)."""
    ids = [f"_:b{i}" for i in range(7)]
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/coopcreds/v1"],
        "type": ["VerifiableCredential", "CooperativeMembershipCredential"],
        "issuer": ACTORS.coop.did,
        "credentialSubject": {
            "id": "did:example:member",
            "type": "CooperativeMember",
            "memberOf": [
                {"id": me, "memberOf": [o for o in ids if o != me]} for me in ids
            ],
        },
    }
