"""Reusable KYC: an identity-assurance credential verifies and states level, methods and date."""

from __future__ import annotations

from datetime import date

import pytest
from stay_fair_scenario import MEMBER, MUSIC, identity

from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.identity_assurance import (
    ASSURANCE_LEVELS,
    assurance_of,
    identity_assurance_credential,
    level_rank,
    meets,
)
from coopcreds_proto.vc.samples import sample_membership_credential
from coopcreds_proto.vc.verification import verify_credential


def test_the_credential_verifies_and_says_how_the_member_was_checked():
    vc = identity("substantial")
    assert verify_credential(vc, now="2026-08-10T12:00:00Z").verified
    stated = assurance_of(vc)
    assert stated is not None
    assert (stated.subject, stated.issuer) == (MEMBER.did, MUSIC.did)
    assert stated.level == "substantial"
    assert stated.methods == ("identity document", "video call")
    assert stated.checked_on == "2026-03-02"
    assert vc["validFrom"] == "2026-03-02T00:00:00Z"
    assert vc["validUntil"] == "2029-03-01T00:00:00Z"


def test_levels_are_ordered():
    assert ASSURANCE_LEVELS == ("low", "substantial", "high")
    assert [meets(level, "substantial") for level in ASSURANCE_LEVELS] == [False, True, True]
    assert meets(None, "low") is False and meets("nonsense", "low") is False
    assert meets(None, None) is True
    with pytest.raises(InputError, match="not one of low, substantial, high"):
        level_rank("medium")


def test_only_an_identity_assurance_credential_states_assurance():
    assert assurance_of(sample_membership_credential()) is None


@pytest.mark.parametrize(("kw", "path"), [
    ({"level": "very high"}, "level"),
    ({"methods": "passport"}, "methods"),
    ({"methods": []}, "methods"),
    ({"checked_on": "2026-03-02"}, "checked_on"),
])
def test_bad_input_is_refused(kw, path):
    args = {"level": "high", "methods": ["passport"], "checked_on": date(2026, 3, 2),
            "rng": SeededRandom("x"), **kw}
    with pytest.raises(InputError) as err:
        identity_assurance_credential(MUSIC.did, MEMBER.did, **args)
    assert err.value.path == path


def test_ids_come_from_the_injected_randomness():
    args = {"level": "high", "methods": ["passport"], "checked_on": date(2026, 3, 2)}
    one = identity_assurance_credential(MUSIC.did, MEMBER.did, rng=SeededRandom("a"), **args)
    two = identity_assurance_credential(MUSIC.did, MEMBER.did, rng=SeededRandom("a"), **args)
    three = identity_assurance_credential(MUSIC.did, MEMBER.did, rng=SeededRandom("b"), **args)
    assert one["id"] == two["id"] != three["id"]


def test_the_assurance_stated_is_the_holders_own():
    vc = identity("substantial")
    other = "did:example:someone-else"
    vc = {**vc, "credentialSubject": [{**vc["credentialSubject"], "id": other,
                                       "assuranceLevel": "high"}, vc["credentialSubject"]]}
    stated = assurance_of(vc, MEMBER.did)
    assert stated is not None and (stated.subject, stated.level) == (MEMBER.did, "substantial")
    assert assurance_of(vc, other).level == "high"  # type: ignore[union-attr]
    # No subject for this holder, or no holder to match among several: nothing is stated.
    assert assurance_of(vc, "did:example:nobody") is None
    assert assurance_of(vc) is None
    split = {**vc, "credentialSubject": [vc["credentialSubject"][1]] * 2}
    assert assurance_of(split, MEMBER.did) is None
