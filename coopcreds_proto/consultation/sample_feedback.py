"""Synthetic workshop feedback: about 20 co-operatives reviewing draft v0.1.

Nothing here describes a real organisation or person. The records are made
up, from a seed, to look like what the initiative's survey reported:

* every respondent is concerned with privacy (each participant raises it at
  least once);
* co-operation among co-operatives draws the most engagement (the fields
  about recognition and benefits across co-ops get the most feedback);
* reusable KYC (the identity-assurance field) matters most to larger and
  strongly regulated co-ops, housing above all; small co-ops find it heavy.

Every record has ``source="synthetic"``. The same seed gives the same records,
byte for byte, so the sample file in ``data/consultation/`` can be checked
against its generator.

>>> records = generate_workshop_feedback(SAMPLE_SEED)
>>> len({r.organisation for r in records}), {r.source for r in records}
(20, {'synthetic'})
>>> records == generate_workshop_feedback(SAMPLE_SEED)
True
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from ..randomness import RandomSource, SeededRandom, randbelow
from .feedback import NEW_FIELD, FeedbackRecord, make_record, write_feedback
from .proposals import Decision

SAMPLE_SEED = "coopcreds-workshop-2026-03-12"
"""The seed of the committed sample file ``data/consultation/sample_feedback.jsonl``."""
WORKSHOP_START = datetime(2026, 3, 12, 10, 0, tzinfo=timezone.utc)


def sample_file() -> Path:
    """``data/consultation/sample_feedback.jsonl`` (shipped as ``coopcreds_proto.data``)."""
    base = resources.files("coopcreds_proto.data").joinpath("consultation")
    return Path(str(base)) / "sample_feedback.jsonl"



@dataclass(frozen=True)
class WorkshopOrganisation:
    """A fictional co-operative at the workshop."""

    name: str
    sector: str
    coop_type: str
    members: int
    regulated: bool

    @property
    def large(self) -> bool:
        return self.members >= 1000

    @property
    def kyc_matters(self) -> bool:
        """Larger and strongly regulated co-ops need reusable KYC most."""
        return self.regulated or self.large


# Fictional co-operatives across the sectors the survey reached.
ORGANISATIONS: tuple[WorkshopOrganisation, ...] = (
    WorkshopOrganisation("Northlight Film Co-operative", "media and entertainment", "worker", 38, False),
    WorkshopOrganisation("Common Ground Radio", "media and entertainment", "multi-stakeholder", 1450, False),
    WorkshopOrganisation("Stagehands Collective", "media and entertainment", "worker", 64, False),
    WorkshopOrganisation("Harbour Press Co-op", "media and entertainment", "consumer", 2300, False),
    WorkshopOrganisation("Coastpath Walking Holidays", "tourism", "worker", 22, False),
    WorkshopOrganisation("Valley Hostels Co-operative", "tourism", "consumer", 3100, True),
    WorkshopOrganisation("Island Ferries Co-op", "tourism", "multi-stakeholder", 860, True),
    WorkshopOrganisation("Green Acre Growers", "agriculture", "producer", 140, False),
    WorkshopOrganisation("Upland Dairy Co-operative", "agriculture", "producer", 1200, True),
    WorkshopOrganisation("Orchard Seed Share", "agriculture", "consumer", 310, False),
    WorkshopOrganisation("Riverside Housing Co-operative", "housing", "consumer", 2600, True),
    WorkshopOrganisation("Brickworks Mutual Homes", "housing", "consumer", 480, True),
    WorkshopOrganisation("Elm Street Tenants Co-op", "housing", "consumer", 95, True),
    WorkshopOrganisation("Student Homes Co-operative", "housing", "consumer", 1900, True),
    WorkshopOrganisation("RideFair Drivers Co-op", "platform co-ops", "worker", 5200, True),
    WorkshopOrganisation("CareLink Platform Co-op", "platform co-ops", "multi-stakeholder", 740, True),
    WorkshopOrganisation("Shutterline Photo Co-op", "platform co-ops", "producer", 1100, False),
    WorkshopOrganisation("Open Data Commons Co-op", "platform co-ops", "multi-stakeholder", 75, False),
    WorkshopOrganisation("Regional Co-op Federation", "co-op of co-ops", "co-op of co-ops", 210, False),
    WorkshopOrganisation("Co-operative Services Union", "co-op of co-ops", "co-op of co-ops", 3400, True),
)

_FIRST = (
    "Amara", "Ben", "Chiara", "Dev", "Eilidh", "Farid", "Grace", "Hamza", "Ines", "Jonas",
    "Kemi", "Lars", "Mei", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sami", "Tomas",
)
_LAST = (
    "Adeyemi", "Brennan", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Haddad",
    "Ivanova", "Jensen", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "O'Neill",
    "Patel", "Quispe", "Rossi", "Silva", "Tanaka",
)
_ROLES = ("board member", "member", "staff", "secretary", "treasurer", "member-owner")

# What each draft field is about, so the generator knows who cares.
FIELD_TOPICS: dict[str, str] = {
    "name": "privacy",
    "memberOf": "cooperation",
    "memberOf.sector": "cooperation",
    "membershipNumber": "privacy",
    "membershipClass": "governance",
    "memberSince": "privacy",
    "membershipStatus": "governance",
    "votingRights": "governance",
    "roles": "governance",
    "identityAssurance": "kyc",
    "benefits": "cooperation",
}
# New fields participants propose: term -> (label, topic).
PROPOSALS: dict[str, tuple[str, str]] = {
    "recognisedBy": ("Recognised by (other co-ops)", "cooperation"),
    "federationMembership": ("Member of a federation or co-op of co-ops", "cooperation"),
    "preferredName": ("Preferred name (instead of legal name)", "privacy"),
}

_PRIVACY_COMMENTS = {
    "name": (
        "Privacy first: a legal name is not needed to prove membership to another co-op.",
        "Showing the full name everywhere is a privacy risk; let members choose.",
    ),
    "membershipNumber": (
        "The membership number links records across services: a privacy concern.",
        "Keep the number internal; outsiders do not need it and it harms privacy.",
    ),
    "memberSince": (
        "The exact date says more than needed; a year would protect privacy.",
        "Privacy: tenure can be sensitive for people who left and came back.",
    ),
    "identityAssurance": (
        "Who checked our identity, and when, must not leak: privacy by default.",
        "Only the level should be shown, not the documents: privacy matters here.",
    ),
}
_COOPERATION_COMMENTS = (
    "This is what makes the credential worth having: recognition between co-ops.",
    "Co-operation among co-operatives in practice: discounts and services across sectors.",
    "Our federation could accept this instead of its own paperwork.",
    "Members moving between co-ops could carry their standing with them.",
    "A shared benefit catalogue would bring sectors together.",
    "We would use it at every inter-co-op event.",
)
_KYC_KEEP = (
    "As a regulated co-op we repeat identity checks for every tenancy; reuse would save weeks.",
    "Anti-money-laundering rules make KYC unavoidable for us: reusable checks help.",
    "Large membership: re-checking identity is our biggest onboarding cost.",
    "Our regulator asks who verified identity and when: keep this claim.",
)
_KYC_LIGHT = (
    "Too heavy for a small co-op; make identity assurance optional.",
    "We know our members personally; a KYC claim adds little for us.",
    "Fine if optional, but it should not be required to join.",
)
_OTHER_COMMENTS = {
    "keep": (
        "Clear and useful as drafted.",
        "We already record this; no change needed.",
        "Good for our general meeting procedures.",
    ),
    "change": (
        "The wording should be plainer for members.",
        "Allow more than one value here.",
        "Use the categories our sector already uses.",
    ),
    "drop": (
        "Nobody outside the co-op needs this.",
        "We could not keep this up to date.",
    ),
}
_PLAY_COMMENTS = (
    "Would be fun to show at festivals and member events.",
    "Badges for roles would make volunteering more visible.",
    "Could unlock the shared events calendar across co-ops.",
)


def _pick(rng: RandomSource, options: Sequence[str]) -> str:
    return options[randbelow(rng, len(options))]


def _chance(rng: RandomSource, percent: int) -> bool:
    return randbelow(rng, 100) < percent


def _names(rng: RandomSource, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}"
        if name not in names:
            names.append(name)
    return names


def generate_workshop_feedback(
    seed: str,
    *,
    organisations: Sequence[WorkshopOrganisation] = ORGANISATIONS,
    start: datetime = WORKSHOP_START,
) -> list[FeedbackRecord]:
    """Synthetic feedback from two representatives of each co-operative, in time order.

    ``seed`` is required: the data is for demos and tests, and the seed
    written next to it lets anyone regenerate it.
    """
    rng = SeededRandom(f"workshop-feedback:{seed}")
    names = _names(rng, 2 * len(organisations))
    records: list[FeedbackRecord] = []
    other_fields = [t for t, topic in FIELD_TOPICS.items() if topic in ("governance", "privacy")]

    for index, org in enumerate(organisations):
        for person in names[2 * index : 2 * index + 2]:
            role = _pick(rng, _ROLES)
            consent = "attributed" if _chance(rng, 70) else "anonymous"
            minute = randbelow(rng, 60)

            def add(
                field: str,
                stance: str,
                priority: int,
                sphere: str,
                comment: str,
                term: str | None = None,
                *,
                _person: str = person,
                _role: str = role,
                _consent: str = consent,
                _org: WorkshopOrganisation = org,
            ) -> None:
                nonlocal minute
                minute += 1 + randbelow(rng, 6)
                records.append(
                    make_record(
                        organisation=_org.name,
                        participant=_person,
                        role=_role,
                        sector=_org.sector,
                        sphere=sphere,
                        field=NEW_FIELD if term else field,
                        proposed_term=term,
                        proposed_label=PROPOSALS[term][0] if term else None,
                        stance=stance,
                        priority=max(1, min(5, priority)),
                        comment=comment,
                        consent=_consent,
                        source="synthetic",
                        rng=rng,
                        time=start + timedelta(minutes=minute),
                    )
                )

            # Privacy: every respondent raises it at least once.
            privacy_field = _pick(rng, tuple(_PRIVACY_COMMENTS))
            add(
                privacy_field,
                "drop" if _chance(rng, 35) else "change",
                3 + randbelow(rng, 3),
                _pick(rng, ("legal", "work")),
                _pick(rng, _PRIVACY_COMMENTS[privacy_field]),
            )
            if _chance(rng, 25):
                add(
                    NEW_FIELD, "add", 3 + randbelow(rng, 2), "play",
                    "Let members show the name they are known by: kinder and more private.",
                    term="preferredName",
                )

            # Co-operation among co-ops: the most engagement, mostly support.
            add(
                "benefits",
                "keep" if _chance(rng, 80) else "change",
                4 + randbelow(rng, 2),
                _pick(rng, ("work", "work", "play")),
                _pick(rng, _COOPERATION_COMMENTS),
            )
            if _chance(rng, 50):
                add("benefits", "keep", 3 + randbelow(rng, 3), "play", _pick(rng, _PLAY_COMMENTS))
            if _chance(rng, 60):
                add(
                    "memberOf" if _chance(rng, 60) else "memberOf.sector",
                    "keep" if _chance(rng, 75) else "change",
                    3 + randbelow(rng, 3),
                    _pick(rng, ("work", "legal")),
                    _pick(rng, _COOPERATION_COMMENTS),
                )
            if _chance(rng, 55):
                term = "federationMembership" if org.sector == "co-op of co-ops" or _chance(
                    rng, 40
                ) else "recognisedBy"
                add(
                    NEW_FIELD, "add", 3 + randbelow(rng, 3), _pick(rng, ("work", "play")),
                    _pick(rng, _COOPERATION_COMMENTS), term=term,
                )

            # Reusable KYC: vital to large and regulated co-ops, heavy for small ones.
            if org.kyc_matters:
                add(
                    "identityAssurance",
                    "keep" if _chance(rng, 85) else "change",
                    4 + randbelow(rng, 2) + (1 if org.sector == "housing" else 0),
                    "legal",
                    _pick(rng, _KYC_KEEP),
                )
            elif _chance(rng, 60):
                add(
                    "identityAssurance",
                    "drop" if _chance(rng, 40) else "change",
                    1 + randbelow(rng, 2),
                    _pick(rng, ("legal", "work")),
                    _pick(rng, _KYC_LIGHT),
                )

            # One or two other fields, some seen through the play sphere.
            for _ in range(1 + randbelow(rng, 2)):
                field = _pick(rng, other_fields)
                stance = _pick(rng, ("keep", "keep", "change", "drop"))
                if _chance(rng, 25):
                    add(field, stance, 1 + randbelow(rng, 3), "play", _pick(rng, _PLAY_COMMENTS))
                else:
                    add(
                        field, stance, 1 + randbelow(rng, 5), _pick(rng, ("legal", "work")),
                        _pick(rng, _OTHER_COMMENTS[stance]),
                    )

    records.sort(key=lambda r: (r.time, r.id))
    return records


def write_sample(path: str | Path, seed: str = SAMPLE_SEED, *, overwrite: bool = False) -> int:
    """Write the synthetic sample file for ``seed``; returns the number of records."""
    return write_feedback(path, generate_workshop_feedback(seed), overwrite=overwrite)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m coopcreds_proto.consultation.sample_feedback --out FILE [--seed SEED] [--force]``."""
    parser = argparse.ArgumentParser(description="Write synthetic workshop feedback (JSON Lines).")
    parser.add_argument("--out", required=True, help="the JSON Lines file to write")
    parser.add_argument("--seed", default=SAMPLE_SEED, help=f"default: {SAMPLE_SEED}")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    args = parser.parse_args(argv)
    count = write_sample(args.out, args.seed, overwrite=args.force)
    print(f"{count} synthetic records written to {args.out} (seed {args.seed!r})")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def sample_decisions() -> dict[str, Any]:
    """What the facilitators of the sample workshop decided (for ``propose_next_version``).

    Every decision answers feedback in the sample file; the notebook
    ``02_consultation_workshop`` walks through them.
    """
    return {
        "benefits": Decision(
            "accept", "keep", note="The field that drew the most engagement: co-operation "
            "among co-operatives is why members want the credential."
        ),
        "+recognisedBy": Decision(
            "accept",
            note="Other co-operatives and federations that recognise the membership.",
            changes={
                "label": "Recognised by",
                "description": "Other co-operatives or federations that recognise this "
                "membership, by their DIDs.",
                "datatype": "iri",
                "multiple": True,
                "sensitivity": "public",
                "example": ["did:web:federation.example"],
            },
        ),
        "+federationMembership": Decision(
            "reject", note="Covered by recognisedBy, which can name the federation."
        ),
        "+preferredName": Decision(
            "reject", note="The name field already holds the name as the member wants it shown."
        ),
        "membershipNumber": Decision(
            "accept",
            "change",
            note="Treated as sensitive: it links a member's visits across services.",
            changes={
                "sensitivity": "sensitive",
                "description": "The member's number in the co-operative's register of members;"
                " left out when the credential is shown outside the co-operative.",
                "discussion": "",
            },
        ),
        "memberSince": Decision(
            "accept",
            "change",
            note="The year is enough to show tenure; the exact day says more than needed.",
            changes={
                "label": "Member since (year)",
                "description": "The year the person became a member.",
                "datatype": "integer",
                "example": 2019,
            },
        ),
        "identityAssurance": Decision(
            "accept",
            "change",
            note="Optional, for the co-operatives that need it.",
            changes={
                "rationale": "Reusable identity checks matter most to larger and strongly "
                "regulated co-operatives (housing above all); others can leave the claim out.",
            },
        ),
        "name": Decision(
            "reject", "drop", note="Kept, optional: the member decides whether it is shown."
        ),
        "votingRights": Decision(
            "reject", "drop", note="Needed for votes in federations and co-ops of co-ops."
        ),
    }
