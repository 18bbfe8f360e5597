"""Verifier policies: the example policies load, round-trip, and bad JSON is named by its path."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from coopcreds_proto.errors import CoopCredsError, InputError
from coopcreds_proto.trust.policy import (
    EXAMPLE_POLICIES,
    Benefit,
    VerifierPolicy,
    example_policy_path,
    load_policy,
    policy_from_dict,
)


@pytest.mark.parametrize("name", EXAMPLE_POLICIES)
def test_example_policies_load_and_round_trip(name):
    policy = load_policy(example_policy_path(name))
    assert policy.name == name
    assert policy_from_dict(policy.to_json()) == policy
    assert json.loads(example_policy_path(name).read_text()) == policy.to_json()


def test_the_stay_fair_policy_reads_as_written():
    policy = load_policy(example_policy_path("stay-fair-play-fair"))
    assert policy.verifier == "did:web:stayfair.example"
    assert policy.verifier_name == "Stay Fair Tourism Co-operative"
    assert policy.max_age == timedelta(days=400)
    assert policy.benefit == Benefit("discount", policy.benefit.description, "15%")
    assert policy.valid_from is not None and policy.valid_from.month == 8
    kyc = load_policy(example_policy_path("verified-identity-access"))
    assert kyc.minimum_assurance == "substantial" and kyc.benefit.kind == "access"
    assert load_policy(example_policy_path("fast-track-sign-up")).benefit.kind == \
        "fast-track-onboarding"


def good() -> dict:
    return load_policy(example_policy_path("stay-fair-play-fair")).to_json()


@pytest.mark.parametrize(("change", "path", "words"), [
    ({"benefit": {"kind": "cashback", "description": "x"}}, "$.benefit.kind", "not one of"),
    ({"benefit": {"kind": "discount", "description": " "}}, "$.benefit.description",
     "description"),
    ({"minimumAssuranceLevel": "medium"}, "$.minimumAssuranceLevel", "low, substantial, high"),
    ({"maxCredentialAgeDays": 0}, "$.maxCredentialAgeDays", "positive"),
    ({"maxCredentialAgeDays": True}, "$.maxCredentialAgeDays", "positive"),
    ({"acceptedTypes": []}, "$.acceptedTypes", "at least one accepted"),
    ({"acceptedTypes": ["A", 3]}, "$.acceptedTypes[1]", "non-empty string"),
    ({"frameworks": [], "trustedIssuers": []}, "$.frameworks", "framework or issuer"),
    ({"frameworks": ["not a url"]}, "$.frameworks[0]", "URL"),
    ({"verifier": {"id": "did:web:x.example"}}, "$.verifier.name", "non-empty string"),
    ({"verifier": "did:web:x.example"}, "$.verifier", "object"),
    ({"validFrom": "2026-08-01"}, "$.validFrom", "xsd:dateTimeStamp"),
    ({"validUntil": "2026-07-01T00:00:00Z"}, "$.validUntil", "after validFrom"),
    ({"honourWitnessed": "yes"}, "$.honourWitnessed", "true or false"),
    ({"discount": "10%"}, "$.discount", "unknown policy field"),
])
def test_bad_policies_are_refused_with_the_json_path(change, path, words):
    with pytest.raises(InputError) as err:
        policy_from_dict({**good(), **change})
    assert err.value.path == path
    assert words in str(err.value)


def test_load_policy_names_the_file(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text('{"policy": "p", "policy": "q"}')
    with pytest.raises(CoopCredsError) as err:
        load_policy(path)
    assert err.value.code == "duplicate-key" and str(path) in str(err.value)
    path.write_text(json.dumps({**good(), "requiredClaims": "memberName"}))
    with pytest.raises(InputError, match=r"requiredClaims must be a list") as err:
        load_policy(path)
    assert err.value.path == "$.requiredClaims"


def test_a_policy_needs_something_to_trust():
    with pytest.raises(InputError, match="framework or issuer"):
        VerifierPolicy(name="p", verifier="did:web:x.example", verifier_name="X",
                       accepted_types=("T",), benefit=Benefit("access", "the hall"))


def test_unknown_example_policy():
    with pytest.raises(InputError, match="no example policy 'nope'"):
        example_policy_path("nope")
