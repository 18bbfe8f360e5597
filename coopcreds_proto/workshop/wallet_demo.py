"""The credentials a workshop shows: sample cards with the verifier's result, and a member's wallet.

The wallet answers one co-op's request: the consent screen is
:func:`~coopcreds_proto.vc.presentation_request.consent_summary` as the wallet
returns it, and *share* sends the presentation the wallet makes for that
request (the issuer derives a credential holding only the fields asked for).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from ..definitions.artefacts import definition_loader, example_credential
from ..definitions.definition import CredentialDefinition
from ..display.cards import credential_card
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..trust.registry import TrustRegistry
from ..vc.credentials import issue
from ..vc.presentation_request import (
    ConsentSummary,
    PresentationRequest,
    consent_summary,
    derive_for_request,
)
from ..vc.samples import SAMPLE_CREATED, SAMPLE_NOW, sample_actors, sample_membership_credential
from ..vc.verification import verify_credential
from ..vc.wallet import Wallet


@dataclass(frozen=True)
class SampleCard:
    caption: str
    html: Markup
    verdict: str


def sample_cards(draft: CredentialDefinition) -> list[SampleCard]:
    """A membership credential as issued today (checked by a verifier) and one under ``draft``."""
    actors = sample_actors()
    signed = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    result = verify_credential(signed, now=SAMPLE_NOW)
    example = example_credential(draft, actors)
    example_signed = issue(example, actors.coop, created=SAMPLE_CREATED,
                           loader=definition_loader(draft))
    draft_result = verify_credential(example_signed, now=SAMPLE_NOW,
                                     loader=definition_loader(draft))
    return [
        SampleCard("today", Markup(credential_card(signed, result).html),
                   "verified" if result.verified else "not-verified"),
        SampleCard("draft", Markup(credential_card(example_signed, draft_result).html),
                   "verified" if draft_result.verified else "not-verified"),
    ]


class WalletDemo:
    """The member's wallet, their credential, and one co-op's request to see part of it."""

    def __init__(self, rng: RandomSource = DEFAULT_RANDOM) -> None:
        self._rng = rng
        self.actors = sample_actors()
        self.credential = issue(sample_membership_credential(self.actors), self.actors.coop,
                                created=SAMPLE_CREATED)
        self.wallet = Wallet().add_key(self.actors.member).add_credential(self.credential)
        self.request = PresentationRequest(
            verifier=self.actors.outsider.did,
            verifier_name="Stay Fair Tourism Co-operative",
            purpose="a member discount on stays during the co-op festival",
            credential_type="CooperativeMembershipCredential",
            fields=("memberName", "membershipStatus"),
            challenge=rng.bytes(16).hex(),
            domain="https://stayfair.example",
        )
        trust = TrustRegistry(names={self.actors.outsider.did: self.request.verifier_name})
        self.summary: ConsentSummary = consent_summary(self.request, self.credential, trust=trust)
        self.card = Markup(credential_card(
            self.credential, verify_credential(self.credential, now=SAMPLE_NOW)).html)

    def share(self) -> dict:
        """The presentation the wallet sends when the member shares."""
        derived = derive_for_request(self.credential, self.request, key=self.actors.coop,
                                     now=SAMPLE_NOW, rng=self._rng)
        return self.wallet.present(self.request.challenge, self.request.domain,
                                   credentials=[derived], created=SAMPLE_NOW)
