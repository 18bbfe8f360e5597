"""Issuing and verifying: round trips, proof sets and chains, time checks,
fail-closed status, and a verifier that never raises on bad input."""

from __future__ import annotations

import copy
import html
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcreds_proto import (
    CoopCredsError,
    InputError,
    ProofError,
    UnsafeJsonLdError,
    issue,
    sample_actors,
    sample_membership_credential,
    verify_credential,
)
from coopcreds_proto.proofs import (
    ProofOptions,
    add_proof,
    create_proof,
    proofs_of,
    verify_proof_signature,
    without_proof,
)
from coopcreds_proto.purposes import ControllerPurpose
from coopcreds_proto.vc.samples import SAMPLE_CREATED, SAMPLE_NOW
from coopcreds_proto.vc.verification import CHECK_TITLES
from coopcreds_proto.verifier_options import VerifierOptions

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
ACTORS = sample_actors()
CHECK_NAMES = list(CHECK_TITLES)


def _unsigned() -> dict:
    return sample_membership_credential(ACTORS)


def _signed(suite: str = "eddsa-rdfc-2022", **changes: object) -> dict:
    credential = _unsigned()
    credential.update(changes)
    return issue(credential, ACTORS.coop, cryptosuite=suite, created=SAMPLE_CREATED)


def _failed(result) -> list[str]:
    """Names of the checks that failed (not those skipped because of them)."""
    return [c.name for c in result.failed if not c.skipped]


@pytest.fixture(scope="module", params=SUITES)
def suite(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def signed(suite: str) -> dict:
    return _signed(suite)


# -- round trips ---------------------------------------------------------------------


def test_round_trip(suite: str, signed: dict) -> None:
    unsigned = _unsigned()
    assert {k: v for k, v in signed.items() if k != "proof"} == unsigned
    proof = signed["proof"]
    assert proof["cryptosuite"] == suite
    assert proof["verificationMethod"] == ACTORS.coop.verification_method
    assert proof["created"] == SAMPLE_CREATED
    assert ("@context" in proof) == (suite == "eddsa-jcs-2022")
    result = verify_credential(signed, now=SAMPLE_NOW)
    assert result.verified, str(result)
    assert [c.name for c in result.checks] == CHECK_NAMES
    assert all(c.ok and not c.skipped for c in result.checks)
    assert suite in result.check("signature").message
    # From JSON text as well; issuing is deterministic for a fixed `created`.
    assert verify_credential(json.dumps(signed), now=SAMPLE_NOW).verified
    assert verify_credential(json.dumps(signed).encode(), now=SAMPLE_NOW).verified
    assert _signed(suite) == signed


def test_issue_does_not_change_its_input() -> None:
    unsigned = _unsigned()
    before = copy.deepcopy(unsigned)
    issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)
    assert unsigned == before


def test_a_changed_claim_fails_the_signature(suite: str, signed: dict) -> None:
    changed = copy.deepcopy(signed)
    changed["credentialSubject"]["membershipClass"] = "worker member"
    result = verify_credential(changed, now=SAMPLE_NOW)
    assert _failed(result) == ["signature"]
    assert result.check("signature").code == "bad-signature"


def test_the_sample_credential_has_no_vocab_fallback_terms(signed: dict) -> None:
    assert verify_credential(signed, now=SAMPLE_NOW).vocab_terms == ()


# -- proof sets and chains ----------------------------------------------------------------


def test_proof_set_of_two_proofs_by_the_issuer_key() -> None:
    first = _signed("eddsa-rdfc-2022")
    both = add_proof(
        first, ACTORS.coop, ProofOptions(cryptosuite="eddsa-jcs-2022", created=SAMPLE_CREATED)
    )
    assert [p["cryptosuite"] for p in proofs_of(both)] == ["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    assert first["proof"] == proofs_of(both)[0]  # add_proof copies, never changes its input
    result = verify_credential(both, now=SAMPLE_NOW)
    assert result.verified, str(result)
    assert "2 Data Integrity proofs" in result.check("well_formed").message
    assert result.check("signature").message == "valid eddsa-jcs-2022, eddsa-rdfc-2022 signatures"


def test_a_witness_proof_beside_the_issuers_is_read_unless_the_profile_is_strict() -> None:
    both = add_proof(_signed(), ACTORS.outsider, ProofOptions(created=SAMPLE_CREATED))
    for proof, key in zip(proofs_of(both), (ACTORS.coop, ACTORS.outsider)):
        assert verify_proof_signature(both, proof, key.public_key) is True
    witnessed = verify_credential(both, now=SAMPLE_NOW)
    assert witnessed.verified, str(witnessed)
    assert f"also proved by {ACTORS.outsider.did}" in witnessed.check("issuer_binding").message
    # Without the issuer's own proof, another party's proof is not enough.
    alone = add_proof(without_proof(_signed()), ACTORS.outsider,
                      ProofOptions(created=SAMPLE_CREATED))
    assert verify_credential(alone, now=SAMPLE_NOW).check("issuer_binding").code == (
        "issuer-mismatch")
    result = verify_credential(both, VerifierOptions.profile("strict", now=SAMPLE_NOW))
    assert _failed(result) == ["issuer_binding"]
    binding = result.check("issuer_binding")
    assert binding.code == "issuer-mismatch"
    assert binding.message.startswith("proof 2 of 2: ")
    assert ACTORS.outsider.did in binding.message
    assert result.check("signature").ok


def test_a_proof_set_member_that_is_tampered_with_fails() -> None:
    both = add_proof(_signed(), ACTORS.coop, ProofOptions(created=SAMPLE_CREATED))
    both["proof"][1]["created"] = "2026-01-15T09:00:01Z"
    result = verify_credential(both, now=SAMPLE_NOW)
    assert _failed(result) == ["signature"]
    assert result.check("signature").message.startswith("proof 2 of 2: ")


def _chain() -> dict:
    first = add_proof(
        _unsigned(), ACTORS.coop, ProofOptions(id="urn:uuid:proof-1", created=SAMPLE_CREATED)
    )
    return add_proof(
        first,
        ACTORS.coop,
        ProofOptions(
            id="urn:uuid:proof-2", created="2026-01-16T09:00:00Z", previous_proof="urn:uuid:proof-1"
        ),
    )


def test_proof_chain_verifies() -> None:
    chain = _chain()
    first, second = proofs_of(chain)
    assert second["previousProof"] == "urn:uuid:proof-1"
    for proof in (first, second):
        assert verify_proof_signature(chain, proof, ACTORS.coop.public_key) is True
    assert verify_credential(chain, now=SAMPLE_NOW).verified
    # The chained proof signs proof 1: changing proof 1 breaks proof 2 (and proof 1).
    tampered = copy.deepcopy(chain)
    tampered["proof"][0]["created"] = "2026-01-15T09:00:01Z"
    assert verify_proof_signature(tampered, tampered["proof"][1], ACTORS.coop.public_key) is False


def test_proof_chain_with_a_missing_previous_proof_fails() -> None:
    with pytest.raises(ProofError) as refused:
        create_proof(
            _signed(),
            ACTORS.coop,
            ProofOptions(created=SAMPLE_CREATED, previous_proof="urn:uuid:nope"),
        )
    assert refused.value.code == "previous-proof-missing"
    assert "urn:uuid:nope" in refused.value.message

    chain = _chain()
    orphan = copy.deepcopy(chain)
    orphan["proof"] = [chain["proof"][1]]  # proof 1 removed: nothing to chain to
    with pytest.raises(ProofError) as missing:
        verify_proof_signature(orphan, orphan["proof"][0], ACTORS.coop.public_key)
    assert missing.value.code == "previous-proof-missing"
    result = verify_credential(orphan, now=SAMPLE_NOW)
    assert _failed(result) == ["signature"]
    assert result.check("signature").code == "previous-proof-missing"


# -- time ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def early_signed() -> dict:
    """Signed well before validFrom, so only the validity period is in play."""
    return issue(_unsigned(), ACTORS.coop, created="2025-12-01T00:00:00Z")


@pytest.mark.parametrize(
    ("now", "skew", "failure"),
    [
        ("2026-01-14T23:55:00Z", timedelta(minutes=5), None),  # validFrom - skew: valid
        ("2026-01-14T23:54:59Z", timedelta(minutes=5), "not-yet-valid"),
        ("2026-01-15T00:00:00Z", timedelta(0), None),
        ("2026-01-14T23:59:59Z", timedelta(0), "not-yet-valid"),
        ("2027-01-15T00:05:00Z", timedelta(minutes=5), None),  # validUntil + skew: valid
        ("2027-01-15T00:05:01Z", timedelta(minutes=5), "expired"),
        ("2027-01-15T00:00:00Z", timedelta(0), None),
        ("2027-01-15T00:00:01Z", timedelta(0), "expired"),
    ],
)
def test_validity_period_with_clock_skew(
    early_signed: dict, now: str, skew: timedelta, failure: str | None
) -> None:
    result = verify_credential(early_signed, now=now, clock_skew=skew)
    if failure is None:
        assert result.verified, str(result)
    else:
        assert _failed(result) == ["validity_period"]
        assert result.check("validity_period").code == failure


@pytest.mark.parametrize(
    ("created", "failure"),
    [("2026-06-01T12:05:00Z", None), ("2026-06-01T12:05:01Z", "created-in-future")],
)
def test_proof_created_in_the_future(created: str, failure: str | None) -> None:
    signed = issue(_unsigned(), ACTORS.coop, created=created)
    result = verify_credential(signed, now=SAMPLE_NOW)  # 12:00, skew 5 minutes
    if failure is None:
        assert result.verified, str(result)
    else:
        assert _failed(result) == ["proof_timing"]
        assert result.check("proof_timing").code == failure


@pytest.mark.parametrize(
    ("expires", "failure"),
    [
        ("2026-06-01T11:55:01Z", None),
        ("2026-06-01T11:54:59Z", "proof-expired"),
        ("2026-05-01T00:00:00Z", "proof-expired"),
    ],
)
def test_expired_proof(expires: str, failure: str | None) -> None:
    signed = issue(_unsigned(), ACTORS.coop, created=SAMPLE_CREATED, expires=expires)
    assert signed["proof"]["expires"] == expires
    result = verify_credential(signed, now=SAMPLE_NOW)
    if failure is None:
        assert result.verified, str(result)
    else:
        assert _failed(result) == ["proof_timing"]
        assert result.check("proof_timing").code == failure


def test_clock_skew_must_be_a_timedelta(signed: dict) -> None:
    with pytest.raises(TypeError):
        verify_credential(signed, now=SAMPLE_NOW, clock_skew=300)  # type: ignore[arg-type]


# -- purpose, status, suites -----------------------------------------------------------------


def test_wrong_proof_purpose(signed: dict) -> None:
    result = verify_credential(signed, now=SAMPLE_NOW, purpose=ControllerPurpose("authentication"))
    assert _failed(result) == ["proof_purpose"]
    assert result.check("proof_purpose").code == "wrong-proof-purpose"

    other = add_proof(
        _unsigned(),
        ACTORS.coop,
        ProofOptions(created=SAMPLE_CREATED, purpose=ControllerPurpose("capabilityInvocation")),
    )
    result = verify_credential(other, now=SAMPLE_NOW)
    assert _failed(result) == ["proof_purpose"]
    assert "capabilityInvocation" in result.check("proof_purpose").message


def test_credential_status_fails_closed(suite: str) -> None:
    status = {
        "id": "https://coop.example/status/3#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://coop.example/status/3",
    }
    signed = _signed(suite, credentialStatus=status)
    result = verify_credential(signed, now=SAMPLE_NOW)
    assert result.verified is False
    assert _failed(result) == ["status"]
    check = result.check("status")
    assert check.code == "status-not-checked" and not check.skipped
    assert "fails closed" in check.message
    assert all(c.ok for c in result.checks if c.name != "status")


def test_unknown_cryptosuite_is_refused(signed: dict) -> None:
    with pytest.raises(ProofError) as refused:
        issue(_unsigned(), ACTORS.coop, cryptosuite="bbs-2023", created=SAMPLE_CREATED)
    assert refused.value.code == "unknown-cryptosuite"
    changed = copy.deepcopy(signed)
    changed["proof"]["cryptosuite"] = "bbs-2023"
    result = verify_credential(changed, now=SAMPLE_NOW)
    assert _failed(result) == ["well_formed"]
    assert result.check("well_formed").code == "unknown-cryptosuite"


# -- never raises on garbage --------------------------------------------------------------------


def _with_proof(**fields: object) -> dict:
    doc = _signed()
    doc["proof"].update(fields)
    return doc


GARBAGE = {
    "a list": ([], "well_formed", "not-an-object"),
    "an empty dict": ({}, "well_formed", "first-context"),
    "JSON text that isn't JSON": ('{"@context": [', "well_formed", "not-json"),
    "bytes that aren't UTF-8": (b"\xff\xfe{}", "well_formed", "not-json"),
    "JSON text of a list": ("[1, 2]", "well_formed", "not-an-object"),
    "JSON null": ("null", "well_formed", "not-an-object"),
    "deeply nested JSON text": ("[" * 100_000 + "]" * 100_000, "well_formed", "too-deep"),
    "a proof that's a string": (
        {**_unsigned(), "proof": "signed, honest"},
        "well_formed",
        "bad-proof",
    ),
    "an empty proof list": ({**_unsigned(), "proof": []}, "well_formed", "no-proof"),
    "a proof of another type": (
        _with_proof(type="Ed25519Signature2020"),
        "well_formed",
        "bad-proof-type",
    ),
    "a proof without proofValue": (_with_proof(proofValue=None), "well_formed", "bad-proof"),
    "a proof created at no time": (
        _with_proof(created="yesterday"),
        "well_formed",
        "bad-proof-timestamp",
    ),
    "proofValue not multibase": (
        _with_proof(proofValue="not-multibase"),
        "signature",
        "bad-proof-value",
    ),
    "proofValue not base58": (_with_proof(proofValue="z0OIl"), "signature", "bad-proof-value"),
    "proofValue too short": (_with_proof(proofValue="z3yq"), "signature", "bad-proof-value"),
    "verificationMethod not a DID URL": (
        _with_proof(verificationMethod="https://coop.example/keys/1"),
        "verification_method",
        "bad-verification-method",
    ),
    "verificationMethod without fragment": (
        _with_proof(verificationMethod=ACTORS.coop.did),
        "verification_method",
        "bad-verification-method",
    ),
    "an unknown DID method": (
        _with_proof(verificationMethod="did:web:coop.example#key-1"),
        "verification_method",
        None,
    ),
    "a did:key that isn't one": (
        _with_proof(verificationMethod="did:key:zNotAKey#zNotAKey"),
        "verification_method",
        None,
    ),
    "no credentialSubject": ({**_signed(), "credentialSubject": {}}, "well_formed", "bad-subject"),
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_verification_never_raises_on_garbage(name: str) -> None:
    credential, check_name, code = GARBAGE[name]
    result = verify_credential(credential, now=SAMPLE_NOW)
    assert result.verified is False
    assert _failed(result)[0] == check_name, str(result)
    check = result.check(check_name)
    assert not check.skipped and check.message
    if code is not None:
        assert check.code == code
    # Later checks that depend on a failed one are skipped, not crashed.
    assert all(c.code == "not-checked" for c in result.checks if c.skipped)
    json.dumps(result.to_json())


def test_unknown_did_method_is_named() -> None:
    result = verify_credential(
        _with_proof(verificationMethod="did:web:coop.example#key-1"), now=SAMPLE_NOW
    )
    assert "did:web:coop.example" in result.check("verification_method").message
    assert result.check("signature").skipped and result.check("issuer_binding").skipped


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.one_of(
        JSON_VALUES,
        st.text(max_size=40),
        st.dictionaries(
            st.sampled_from(["proof", "issuer", "type", "credentialSubject", "@context"]),
            JSON_VALUES,
        ).map(lambda extra: {**_unsigned(), **extra}),
    )
)
def test_verification_never_raises_on_arbitrary_json(credential: object) -> None:
    if not isinstance(credential, (dict, list, str)):
        credential = json.dumps(credential)
    result = verify_credential(credential, now=SAMPLE_NOW)
    assert result.verified is False
    assert _failed(result), str(result)


def test_api_misuse_raises_type_error() -> None:
    with pytest.raises(TypeError):
        verify_credential(42, now=SAMPLE_NOW)  # type: ignore[arg-type]


# -- result presentation -----------------------------------------------------------------------


def test_result_to_json_shape(signed: dict) -> None:
    for result in (
        verify_credential(signed, now=SAMPLE_NOW),
        verify_credential("{}", now=SAMPLE_NOW),
    ):
        data = json.loads(json.dumps(result.to_json()))
        assert set(data) == {"verified", "dataModel", "checks"}
        assert data["dataModel"] == ("2.0" if result.verified else None)  # "{}" names none
        assert data["verified"] is result.verified
        assert [c["name"] for c in data["checks"]] == CHECK_NAMES
        for entry in data["checks"]:
            assert set(entry) == {"name", "title", "ok", "skipped", "code", "message"}
            assert entry["title"] == CHECK_TITLES[entry["name"]]
            # A passed check has no code; a failed one its error code; a skipped one not-checked.
            assert (entry["code"] is None) == entry["ok"]
            assert (entry["code"] == "not-checked") == entry["skipped"]
            assert (
                isinstance(entry["ok"], bool)
                and isinstance(entry["message"], str)
                and entry["message"]
            )


def test_text_and_html_show_every_check(signed: dict) -> None:
    good = verify_credential(signed, now=SAMPLE_NOW)
    bad = verify_credential({**signed, "validUntil": "2026-02-01T00:00:00Z"}, now=SAMPLE_NOW)
    for result in (good, bad):
        page = result._repr_html_()
        text = str(result)
        for title in CHECK_TITLES.values():
            assert html.escape(title) in page
            assert title in text
    assert "Verified" in good._repr_html_() and str(bad).startswith("NOT VERIFIED")
    assert "Not verified" in bad._repr_html_()
    assert "FAIL" in str(bad) and str(good).startswith("VERIFIED")


def test_html_escapes_what_the_credential_says() -> None:
    result = verify_credential(_with_proof(verificationMethod="did:web:<b>x</b>#k"), now=SAMPLE_NOW)
    assert "<b>x</b>" not in result._repr_html_()


# -- issue() refusals ---------------------------------------------------------------------------


def test_issue_refuses_an_issuer_key_mismatch() -> None:
    with pytest.raises(InputError) as refused:
        issue(_unsigned(), ACTORS.outsider, created=SAMPLE_CREATED)
    assert refused.value.code == "issuer-key-mismatch"
    assert refused.value.path == "$.issuer"


def test_issue_refuses_an_already_signed_credential(signed: dict) -> None:
    with pytest.raises(InputError) as refused:
        issue(signed, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == "already-signed"


def test_issue_refuses_undefined_terms() -> None:
    credential = _unsigned()
    credential["credentialSubject"]["shoeSize"] = "42"
    with pytest.raises(UnsafeJsonLdError) as refused:
        issue(credential, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == "undefined-term"
    assert refused.value.path == "$.credentialSubject.shoeSize"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"@context": ["https://www.w3.org/ns/credentials/examples/v2"]}, "first-context"),
        ({"type": ["CooperativeMembershipCredential"]}, "not-a-credential"),
        ({"validFrom": "2026-01-15"}, "bad-timestamp"),
        ({"validFrom": "2028-01-01T00:00:00Z"}, "bad-validity"),
    ],
)
def test_issue_refuses_a_broken_data_model(change: dict, code: str) -> None:
    credential = {**_unsigned(), **change}
    with pytest.raises(CoopCredsError) as refused:
        issue(credential, ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == code
