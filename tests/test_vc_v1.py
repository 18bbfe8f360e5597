"""VC 1.1 credentials from other issuers: read by their own rules, verified when valid, never issued."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.proofs import ProofOptions, add_proof
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.data_model import RULES, VC_V1_CONTEXT, data_model_of
from coopcreds_proto.vc.presentations import present, verify_presentation
from coopcreds_proto.vc.samples import SAMPLE_CREATED, SAMPLE_NOW, sample_actors
from coopcreds_proto.vc.verification import verify_credential

ACTORS = sample_actors()
DI_CONTEXT = "https://w3id.org/security/data-integrity/v2"
COOPCREDS_V1 = "https://w3id.org/coopcreds/v1"
CHALLENGE, DOMAIN = "c-v1", "https://coop.example"


def _unsigned() -> dict:
    """A VC 1.1 credential as another issuer writes one (Data Integrity proof context added)."""
    return {
        "@context": [VC_V1_CONTEXT, COOPCREDS_V1, DI_CONTEXT],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "CooperativeMembershipCredential"],
        "issuer": ACTORS.coop.did,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "expirationDate": "2027-01-01T00:00:00Z",
        "credentialSubject": {"id": ACTORS.member.did, "memberName": "Ada Okafor"},
    }


def _signed(document: dict | None = None) -> dict:
    return add_proof(document or _unsigned(), ACTORS.coop, ProofOptions(created=SAMPLE_CREATED))


def test_a_valid_vc_1_1_credential_verifies_and_says_it_is_1_1() -> None:
    result = verify_credential(_signed(), now=SAMPLE_NOW)
    assert result.verified, str(result)
    assert result.data_model == "1.1" and result.to_json()["dataModel"] == "1.1"
    assert result.check("well_formed").message.startswith("VC 1.1 data model")
    assert data_model_of(_unsigned()) == "1.1"


@pytest.mark.parametrize(
    ("now", "code"),
    [("2025-12-01T00:00:00Z", "not-yet-valid"), ("2027-02-01T00:00:00Z", "expired")],
)
def test_issuance_and_expiration_dates_bound_its_validity(now: str, code: str) -> None:
    result = verify_credential(_signed(), now=now)
    assert result.check("validity_period").code == code


def _without(name: str) -> Callable[[dict], None]:
    return lambda doc: doc.pop(name)


CASES: dict[str, tuple[Callable[[dict], object], str, str]] = {
    "no issuanceDate": (_without("issuanceDate"), "missing-issuance-date", "$.issuanceDate"),
    "a status entry without an id": (
        lambda d: d.__setitem__("credentialStatus", {"type": "BitstringStatusListEntry"}),
        "bad-status-entry-v1", "$.credentialStatus",
    ),
    "an issuanceDate that is not a date-time": (
        lambda d: d.__setitem__("issuanceDate", "last Tuesday"), "bad-timestamp",
        "$.issuanceDate",
    ),
    "no issuer": (_without("issuer"), "bad-issuer", "$.issuer"),
    "no subject": (_without("credentialSubject"), "bad-subject", "$.credentialSubject"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_vc_1_1_rule_fails_the_well_formed_check(name: str) -> None:
    change, code, path = CASES[name]
    document = _unsigned()
    change(document)
    result = verify_credential({**document, "proof": _signed()["proof"]}, now=SAMPLE_NOW)
    (first,) = result.failed
    assert (first.name, first.code) == ("well_formed", code), str(result)
    assert path in first.message


def test_every_vc_1_1_rule_is_broken_by_a_case() -> None:
    assert {r.code for r in RULES if r.version == "1.1"} <= {code for _, code, _ in CASES.values()}


def test_issuing_stays_vc_2_0() -> None:
    with pytest.raises(InputError) as refused:
        issue(_unsigned(), ACTORS.coop, created=SAMPLE_CREATED)
    assert refused.value.code == "first-context"


def test_a_vc_1_1_credential_is_read_inside_a_presentation() -> None:
    vp = present([_signed()], ACTORS.member, challenge=CHALLENGE, domain=DOMAIN,
                 created="2026-06-01T12:00:00Z")
    result = verify_presentation(vp, challenge=CHALLENGE, domain=DOMAIN,
                                 now="2026-06-01T12:00:00Z")
    assert result.verified, str(result)
    assert result.credential_results[0].data_model == "1.1"
    assert result.data_model == "2.0"


def test_a_respelled_vc_1_1_credential_is_refused() -> None:
    signed = _signed()
    respelled = copy.deepcopy(signed)
    respelled["https://www.w3.org/2018/credentials#expirationDate"] = respelled.pop(
        "expirationDate")
    result = verify_credential(respelled, now="2027-02-01T00:00:00Z")
    assert not result.verified
    assert result.check("read_as_signed").code == "iri-key"
