"""One verification model: checks, proof purposes, verifier options, named steps."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coopcreds_proto.checks import NOT_CHECKED, Check, CheckFailed, Step, failed, run_steps
from coopcreds_proto.errors import CoopCredsError, InputError, ProofError
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.proof_checks import read_document, read_proofs
from coopcreds_proto.proofs import ProofOptions, add_proof, without_proof
from coopcreds_proto.purposes import (
    AssertionPurpose,
    AuthenticationPurpose,
    ControllerPurpose,
    purpose_named,
)
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.recognition import POLICY_CHECK_TITLES, policy_check
from coopcreds_proto.vc import presentations, verification
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import PRESENTATION_STEPS, present, verify_presentation
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.status_check import StatusCheckError, check_entries
from coopcreds_proto.vc.status_list import (
    allocate,
    new_status_list,
    publish_status_list,
    status_entry,
)
from coopcreds_proto.vc.verification import (
    CREDENTIAL_STEPS,
    CredentialState,
    VerificationResult,
    verify_credential,
)
from coopcreds_proto.verifier_options import VerifierOptions, VerifierSettings

ACTORS = sample_actors()
CHALLENGE, DOMAIN = "c-model", "https://coop.example"


@pytest.fixture(scope="module")
def signed() -> dict:
    return issue(sample_membership_credential(ACTORS), ACTORS.coop, created=SAMPLE_CREATED)


# --- Check and run_steps -----------------------------------------------------------


def _raise(code: str):
    def run(state: object) -> str:
        raise CheckFailed(code, f"{code} happened")

    return run


def test_failed_means_ran_and_did_not_pass_everywhere() -> None:
    steps = (
        Step("a", "A", (), lambda s: "fine"),
        Step("b", "B", ("a",), _raise("b-broken")),
        Step("c", "C", ("b",), lambda s: "never"),
        Step("d", "D", ("a",), _raise("d-broken")),
    )
    checks = run_steps(steps, None)
    assert [c.state for c in checks] == ["passed", "failed", "skipped", "failed"]
    assert [c.name for c in failed(checks)] == ["b", "d"]
    assert checks[2].code == NOT_CHECKED and "“B” did not pass" in checks[2].message
    assert [c.title for c in checks] == ["A", "B", "C", "D"]
    # The same meaning on a credential result, a presentation result and a decision.
    result = VerificationResult(False, checks)
    assert [c.name for c in result.failed] == ["b", "d"]
    assert [c.name for c in result.skipped] == ["c"]


def test_a_bug_in_a_step_is_not_a_failed_check() -> None:
    steps = (Step("a", "A", (), lambda s: 1 / 0),)
    with pytest.raises(ZeroDivisionError):
        run_steps(steps, None)


def test_check_json_carries_the_code_and_the_state() -> None:
    check = Check("status", False, "revoked", "status-revoked", title="Status")
    assert check.to_json() == {
        "name": "status", "title": "Status", "ok": False, "skipped": False,
        "code": "status-revoked", "message": "revoked",
    }
    with pytest.raises(ValueError):
        Check("status", True, "fine", "status-revoked")


def test_policy_checks_are_the_same_check_type() -> None:
    check = policy_check("credential_age", False, "not checked", skipped=True)
    assert type(check) is Check
    assert check.title == POLICY_CHECK_TITLES["credential_age"]
    assert check.code == NOT_CHECKED and not check.failed


# --- proof purposes ----------------------------------------------------------------


def test_purposes_fill_the_proof_when_signing(signed: dict) -> None:
    assert signed["proof"]["proofPurpose"] == "assertionMethod"
    assert "challenge" not in signed["proof"]
    purpose = AuthenticationPurpose(CHALLENGE, (DOMAIN, "https://other.example"))
    proof = add_proof(
        without_proof(signed), ACTORS.coop, ProofOptions(purpose=purpose, created=SAMPLE_CREATED)
    )["proof"]
    assert (proof["proofPurpose"], proof["challenge"], proof["domain"]) == (
        "authentication", CHALLENGE, [DOMAIN, "https://other.example"]
    )
    # The verifier's own domain is enough among several the proof names.
    assert AuthenticationPurpose(CHALLENGE, DOMAIN).check([proof]).endswith(DOMAIN)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"proofPurpose": "assertionMethod"}, "wrong-proof-purpose"),
        ({"challenge": "other"}, "wrong-challenge"),
        ({"challenge": None}, "no-challenge"),
        ({"domain": "https://evil.example"}, "wrong-domain"),
        ({"domain": None}, "no-domain"),
    ],
)
def test_purposes_check_the_proof_when_verifying(change: dict, code: str) -> None:
    proof = AuthenticationPurpose(CHALLENGE, DOMAIN).fill({"type": "DataIntegrityProof"})
    proof = {k: v for k, v in {**proof, **change}.items() if v is not None}
    with pytest.raises(CheckFailed) as err:
        AuthenticationPurpose(CHALLENGE, DOMAIN).check([proof])
    assert err.value.code == code


def test_purpose_relationships_and_refusals() -> None:
    assert AssertionPurpose().relationship == "assertionMethod"
    assert AuthenticationPurpose(CHALLENGE, DOMAIN).relationship == "authentication"
    assert ControllerPurpose("capabilityInvocation").relationship == "capabilityInvocation"
    assert purpose_named("assertionMethod") == AssertionPurpose()
    with pytest.raises(ProofError) as err:
        ControllerPurpose("friendship")
    assert err.value.code == "bad-proof-purpose"
    with pytest.raises(InputError) as err:
        AuthenticationPurpose("", DOMAIN)
    assert err.value.code == "bad-challenge"
    with pytest.raises(InputError) as err:
        AuthenticationPurpose(CHALLENGE, ())
    assert err.value.code == "bad-domain"


# --- verifier options --------------------------------------------------------------


def test_options_object_and_keywords_are_the_same_thing(signed: dict) -> None:
    options = VerifierOptions(now=SAMPLE_NOW)
    assert verify_credential(signed, options) == verify_credential(signed, now=SAMPLE_NOW)
    # Keywords replace the object's fields.
    late = verify_credential(signed, options, now="2031-01-01T00:00:00Z")
    assert late.check("validity_period").code == "expired"
    with pytest.raises(TypeError, match="unknown verifier option 'clockskew'"):
        verify_credential(signed, options, clockskew=timedelta(0))  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        VerifierOptions(clock_skew=5)  # type: ignore[arg-type]


def test_settings_typed_dict_names_every_option() -> None:
    fields = {f.name for f in dataclasses.fields(VerifierOptions)}
    assert set(VerifierSettings.__annotations__) == fields


def test_the_clock_is_read_once_per_verification() -> None:
    options = VerifierOptions()
    pinned = options.pinned()
    assert isinstance(pinned.now, datetime) and pinned.pinned() is pinned
    fixed = VerifierOptions(now=datetime(2026, 6, 1, tzinfo=timezone.utc))
    assert fixed.pinned() is fixed


def test_presentation_options_reach_every_embedded_credential(signed: dict) -> None:
    """One setting given to the presentation verifier holds for the credentials inside."""
    expiring = issue(
        {**sample_membership_credential(ACTORS), "validUntil": "2026-06-01T12:00:30Z"},
        ACTORS.coop, created=SAMPLE_CREATED,
    )
    vp = present([expiring], ACTORS.member, challenge=CHALLENGE, domain=DOMAIN,
                 created="2026-06-01T12:00:00Z")
    later = "2026-06-01T12:03:00Z"  # 2.5 minutes after validUntil: within the default 5-minute skew
    assert verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN, now=later).verified
    strict = verify_presentation(vp, VerifierOptions(now=later, clock_skew=timedelta(0)),
                                 challenge=CHALLENGE, domain=DOMAIN)
    assert strict.check("credentials").code == "credential-not-verified"
    assert strict.credential_results[0].check("validity_period").code == "expired"


# --- named, testable steps --------------------------------------------------------


def test_the_verifiers_are_tables_of_named_steps() -> None:
    assert [s.name for s in CREDENTIAL_STEPS] == list(verification.CHECK_TITLES)
    assert [s.name for s in PRESENTATION_STEPS] == list(presentations.PRESENTATION_CHECKS)
    for steps in (CREDENTIAL_STEPS, PRESENTATION_STEPS):
        names = [s.name for s in steps]
        for i, step in enumerate(steps):
            assert set(step.needs) <= set(names[:i]), f"{step.name} needs a later step"


def test_a_step_runs_on_its_own(signed: dict) -> None:
    state = CredentialState(copy.deepcopy(signed), VerifierOptions(now=SAMPLE_NOW))
    read_document(state)
    read_proofs(state)
    assert verification.validity_period(state).startswith("valid at")
    state.document["validUntil"] = "2026-01-01T00:00:00Z"
    with pytest.raises(CoopCredsError) as err:
        verification.validity_period(state)
    assert err.value.code == "expired"


# --- the status check receives its verifier ----------------------------------------


def test_the_status_list_is_verified_by_the_verifier_it_is_given(tmp_path: Path) -> None:
    registry = LocalRegistry(tmp_path)
    url = "https://riverside.example/status/1"
    status_list, (index,) = allocate(new_status_list(url, ACTORS.coop.did), SeededRandom("m"))
    publish_status_list(status_list, ACTORS.coop, registry, valid_from="2026-05-01T00:00:00Z")
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialStatus"] = status_entry(status_list, index)
    credential = issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)
    options = VerifierOptions(now=SAMPLE_NOW, registry=registry)
    seen: list[dict] = []

    def spy(document: dict, given: VerifierOptions) -> VerificationResult:
        seen.append(document)
        assert given.registry is registry and given.now == options.pinned().now
        return verify_credential(document, given)

    assert "not revoked" in check_entries(credential, options, verify_list=spy, cache=None)
    assert [d["id"] for d in seen] == [url]

    def refuse(document: dict, given: VerifierOptions) -> VerificationResult:
        return VerificationResult(False, (Check("signature", False, "no", "bad-signature"),))

    with pytest.raises(StatusCheckError) as err:
        check_entries(credential, options, verify_list=refuse, cache=None)
    assert err.value.code == "status-list-unverifiable"


# --- profiles ---------------------------------------------------------------------


def test_a_presentation_without_a_holder_is_read_unless_the_profile_is_strict(signed: dict) -> None:
    unsigned = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"], "verifiableCredential": [signed]}
    options = ProofOptions(purpose=AuthenticationPurpose(CHALLENGE, DOMAIN), created=SAMPLE_NOW)
    vp = add_proof(unsigned, ACTORS.member, options)
    result = verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN, now=SAMPLE_NOW)
    assert result.verified, str(result)
    assert result.holder is None and "bound to no holder" in result.check("holder_binding").message
    strict = verify_presentation(vp, VerifierOptions.profile("strict", now=SAMPLE_NOW),
                                 challenge=CHALLENGE, domain=DOMAIN)
    assert [c.code for c in strict.failed] == ["no-holder"]


def test_an_inline_context_resetting_an_unset_vocab_is_read(signed: dict) -> None:
    unsigned = sample_membership_credential(ACTORS)
    unsigned["@context"] = [*unsigned["@context"], {"@vocab": None}]
    credential = issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED, allow_inline_contexts=True)
    assert verify_credential(credential, now=SAMPLE_NOW).verified
    unsigned["credentialSubject"]["shoeSize"] = 42
    with pytest.raises(CoopCredsError) as err:  # still every term defined, or refused
        issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED, allow_inline_contexts=True)
    assert err.value.code == "undefined-term"


def test_profiles_by_name() -> None:
    assert VerifierOptions.profile("default") == VerifierOptions()
    strict = VerifierOptions.profile("strict", clock_skew=timedelta(0))
    assert (strict.allow_inline_contexts, strict.other_proofs, strict.holder_required,
            strict.holder_is_subject, strict.clock_skew) == (False, False, True, True, timedelta(0))
    with pytest.raises(InputError) as err:
        VerifierOptions.profile("lenient")
    assert err.value.code == "unknown-profile"
