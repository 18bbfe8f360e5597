"""The "Stay Fair / Play Fair" actors, trust registry and credentials shared by the recognition tests.

An industry body anchors the co-op credentials framework and accredits an
independent-music co-op to issue membership and identity-assurance
credentials. A member of the music co-op presents at a tourism co-op (Stay
Fair) and an energy co-op (fast-tracked sign-up).
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import cache

from coopcreds_proto.credentials import issue
from coopcreds_proto.identity_assurance import issue_identity_assurance
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.presentations import present
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.samples import SampleActors, sample_membership_credential
from coopcreds_proto.trust_registry import ISSUE, Accreditation, TrustRegistry

UTC = timezone.utc
FRAMEWORK = "https://w3id.org/coopcreds/frameworks/co-op-credentials"
MEMBERSHIP = "CooperativeMembershipCredential"
IDENTITY = "IdentityAssuranceCredential"
STAY_FAIR = "did:web:stayfair.example"
VALLEY = "did:web:valleyenergy.example"
CAR_SHARE = "did:web:commonscarshare.example"
FESTIVAL = "2026-08-10T12:00:00Z"
DOMAIN = "https://stayfair.example"


def key(name: str) -> Ed25519Key:
    return Ed25519Key.generate(SeededRandom(f"stay-fair-tests/{name}"))


BODY = key("industry-body")
MUSIC = key("indie-music-coop")
MEMBER = key("member-sam")
ROGUE = key("rogue-coop")


def accreditation(subject: str = MUSIC.did, **kw: object) -> Accreditation:
    values: dict[str, object] = {
        "id": "urn:acc:music", "accreditor": BODY.did, "subject": subject,
        "framework": FRAMEWORK, "permissions": frozenset({ISSUE}),
        "credential_types": frozenset({MEMBERSHIP, IDENTITY}),
        "valid_from": datetime(2026, 1, 1, tzinfo=UTC),
        "valid_until": datetime(2028, 1, 1, tzinfo=UTC),
    }
    values.update(kw)
    return Accreditation(**values)  # type: ignore[arg-type]


NAMES = {BODY.did: "Co-op Industry Body", MUSIC.did: "Indie Music Co-operative",
         STAY_FAIR: "Stay Fair Tourism Co-operative", VALLEY: "Valley Green Energy Co-operative",
         FRAMEWORK: "Co-op Credentials framework"}


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
