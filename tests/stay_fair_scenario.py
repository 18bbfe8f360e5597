"""The "Stay Fair / Play Fair" actors, trust registry and credentials shared by the recognition tests.

An industry body anchors the co-op credentials framework and accredits an
independent-music co-op to issue membership and identity-assurance
credentials. A member of the music co-op presents at a tourism co-op (Stay
Fair) and an energy co-op (fast-tracked sign-up).

Names, dates, verifier DIDs and the accreditation come from
``coopcreds_proto.demos.stay_fair`` (the scenario the notebook tells); the keys here
are test-only ``did:key`` keys, so these tests need no local registry.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from coopcreds_proto.demos.stay_fair import (
    CAR_SHARE,
    FRAMEWORK,
    IDENTITY,
    MEMBERSHIP,
    STAY_FAIR,
    VALLEY,
    VERIFIERS,
    accreditation_of,
    registry_names,
)
from coopcreds_proto.demos.stay_fair import FESTIVAL as FESTIVAL_TIME
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.timestamps import format_timestamp
from coopcreds_proto.trust.identity_assurance import issue_identity_assurance
from coopcreds_proto.trust.registry import Accreditation, TrustRegistry
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present
from coopcreds_proto.vc.samples import SampleActors, sample_membership_credential

# Re-exported for the tests, with the helpers below.
__all__ = ["BODY", "CAR_SHARE", "DOMAIN", "FESTIVAL", "FRAMEWORK", "IDENTITY", "MEMBER",
           "MEMBERSHIP", "MUSIC", "NAMES", "ROGUE", "STAY_FAIR", "VALLEY", "accreditation",
           "identity", "membership", "presentation", "registry"]
FESTIVAL = format_timestamp(FESTIVAL_TIME)
DOMAIN = VERIFIERS["stayfair"].domain


def key(name: str) -> Ed25519Key:
    return Ed25519Key.generate(SeededRandom(f"stay-fair-tests/{name}"))


BODY = key("industry-body")
MUSIC = key("indie-music-coop")
MEMBER = key("member-sam")
ROGUE = key("rogue-coop")


def accreditation(subject: str = MUSIC.did, **kw: object) -> Accreditation:
    return accreditation_of(BODY.did, subject, **{"id": "urn:acc:music", **kw})


NAMES = registry_names(BODY.did, MUSIC.did)


def registry(*accreditations: Accreditation) -> TrustRegistry:
    return TrustRegistry(anchors={FRAMEWORK: frozenset({BODY.did})},
                         accreditations=accreditations or (accreditation(),), names=NAMES)


@cache
def membership(issuer: str = "music", created: str = "2026-01-15T09:00:00Z") -> dict:
    """The member's membership credential (it calls its issuer "Riverside Food Co-operative")."""
    signer = {"music": MUSIC, "rogue": ROGUE}[issuer]
    unsigned = sample_membership_credential(SampleActors(coop=signer, member=MEMBER,
                                                         outsider=ROGUE))
    unsigned["validFrom"] = created.replace("T09:00:00Z", "T00:00:00Z")
    return issue(unsigned, signer, created=created)


@cache
def identity(level: str = "substantial", issuer: str = "music") -> dict:
    signer = {"music": MUSIC, "rogue": ROGUE}[issuer]
    return issue_identity_assurance(signer, MEMBER.did, level=level,
                                    methods=["identity document", "video call"],
                                    checked_on=date(2026, 3, 2), now="2026-03-02T10:00:00Z",
                                    rng=SeededRandom(f"ia/{level}/{issuer}"))


def presentation(*credentials: dict, challenge: str = "c-1", domain: str = DOMAIN,
                 at: str = FESTIVAL) -> dict:
    return present(list(credentials), MEMBER, challenge=challenge, domain=domain, created=at)
