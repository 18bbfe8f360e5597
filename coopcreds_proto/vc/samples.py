"""Sample actors and a sample membership credential, for demos, notebooks and tests.

The keys come from fixed seeds, so every demo shows the same DIDs and
signatures. They are public: never use them for anything real.

>>> actors = sample_actors()
>>> actors.coop.did == sample_actors().coop.did
True
>>> sample_membership_credential(actors)["type"]
['VerifiableCredential', 'CooperativeMembershipCredential']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..keys import Ed25519Key
from ..randomness import SeededRandom
from .credentials import VC_V2_CONTEXT

COOPCREDS_CONTEXT = "https://w3id.org/coopcreds/v1"
SAMPLE_CREATED = "2026-01-15T09:00:00Z"
SAMPLE_NOW = "2026-06-01T12:00:00Z"


@dataclass(frozen=True)
class SampleActors:
    """A co-operative that issues, one of its members, and an outsider."""

    coop: Ed25519Key
    member: Ed25519Key
    outsider: Ed25519Key


def sample_actors(seed: str = "coopcreds-demo") -> SampleActors:
    """Deterministic demo keys (from ``seed``): never for real use."""
    return SampleActors(
        coop=Ed25519Key.generate(SeededRandom(f"{seed}/riverside-food-coop")),
        member=Ed25519Key.generate(SeededRandom(f"{seed}/member-ada")),
        outsider=Ed25519Key.generate(SeededRandom(f"{seed}/outsider")),
    )


def sample_membership_credential(actors: SampleActors | None = None) -> dict:
    """An unsigned membership credential from the sample co-op to its member."""
    if actors is not None and not isinstance(actors, SampleActors):
        raise TypeError(f"actors must be SampleActors (sample_actors()), not {type(actors).__name__}")
    actors = actors or sample_actors()
    return {
        "@context": [VC_V2_CONTEXT, COOPCREDS_CONTEXT],
        "id": "urn:uuid:6a1f3c52-8d0e-4b7a-9c21-5e4d3b2a1f00",
        "type": ["VerifiableCredential", "CooperativeMembershipCredential"],
        "name": "Co-operative membership",
        "description": "Membership of Riverside Food Co-operative",
        "issuer": {"id": actors.coop.did, "name": "Riverside Food Co-operative"},
        "validFrom": "2026-01-15T00:00:00Z",
        "validUntil": "2027-01-15T00:00:00Z",
        "credentialSubject": {
            "id": actors.member.did,
            "type": "CooperativeMember",
            "memberName": "Ada Okafor",
            "memberOf": {
                "id": actors.coop.did,
                "type": "Cooperative",
                "legalName": "Riverside Food Co-operative Ltd",
                "registeredIdentifier": "IP031234",
                "jurisdiction": "GB",
                "sector": "food retail",
                "cooperativeType": "consumer",
            },
            "membershipNumber": "RFC-00042",
            "membershipClass": "consumer member",
            "memberSince": "2019-03-14",
            "membershipStatus": "active",
            "votingRights": True,
            "roles": ["member", "board director"],
        },
    }
