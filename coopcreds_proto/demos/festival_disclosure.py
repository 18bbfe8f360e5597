"""The festival discount with selective disclosure: Sam shows membership and sector only.

The Stay Fair / Play Fair world (``stay_fair``) once more, with one change:
the Indie Music Co-operative adds a P-256 key to its DID document and issues
Sam's membership credential with ``ecdsa-sd-2023``. Stay Fair asks only
whether Sam's membership is active and which sector Sam's co-op is in; Sam's
wallet derives a disclosure of exactly that (plus what the issuer made
mandatory), shows the consent screen, and presents it. Stay Fair decides with
the same checks and trust registry as before.

>>> import tempfile
>>> scene = build(tempfile.mkdtemp())
>>> desk = stay_fair.counter("stayfair", at=stay_fair.FESTIVAL)
>>> asked = request(desk)
>>> shown = scene.wallet.disclose(asked)
>>> sorted(shown["credentialSubject"])
['id', 'memberOf', 'membershipStatus', 'type']
>>> visit(scene, desk, shown, asked).decision.granted
True
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from ..cryptosuites.ecdsa_sd_2023 import parse_derived_proof_value
from ..did_web import add_key
from ..keys import EcdsaKey
from ..proofs import without_proof
from ..randomness import SeededRandom
from ..trust.policy import VerifierPolicy
from ..vc.credentials import issue
from ..vc.disclosure import SD_SUITE, claim_label, claims_of, mandatory_pointers_for
from ..vc.presentation_request import PresentationRequest
from ..vc.wallet import Wallet
from . import stay_fair

# What Stay Fair needs for the fair-stay rate, and why.
FIELDS = ("membershipStatus", "memberOf.sector")
PURPOSE = "to give you the festival fair-stay rate (members of music co-ops)"


@dataclass(frozen=True)
class Scene:
    """The Stay Fair world, with Sam's membership credential issued with ecdsa-sd-2023."""

    world: stay_fair.World = field(repr=False)
    key: EcdsaKey = field(repr=False)
    membership: dict = field(repr=False)

    @property
    def wallet(self) -> Wallet:
        """Sam's wallet, holding the selective-disclosure credential."""
        return Wallet().add_key(self.world.member).add_credential(self.membership)


def build(directory: str | os.PathLike[str]) -> Scene:
    """The Stay Fair world in ``directory``; the music co-op adds ``#key-2`` (P-256) and
    signs Sam's membership once, with the issuer, validity and types mandatory."""
    world = stay_fair.build_world(directory)
    key = add_key(stay_fair.MUSIC_DID, world.registry, key_type="P-256",
                  rng=SeededRandom("festival-disclosure/indiemusic/key-2"))
    assert isinstance(key, EcdsaKey)
    unsigned = without_proof(world.membership)
    membership = issue(unsigned, key, cryptosuite=SD_SUITE, created=stay_fair.ISSUED,
                       mandatory_pointers=mandatory_pointers_for(unsigned),
                       rng=SeededRandom("festival-disclosure/membership"))
    return Scene(world, key, membership)


def request(desk: stay_fair.Counter, fields: Sequence[str] = FIELDS) -> PresentationRequest:
    """Stay Fair's request for ``fields`` of Sam's membership credential."""
    return desk.request(fields, purpose=PURPOSE)


def policy(fields: Sequence[str] = FIELDS) -> VerifierPolicy:
    """Stay Fair's festival policy, asking for ``fields`` only."""
    return dataclasses.replace(stay_fair.VERIFIERS["stayfair"].policy,
                               required_claims=tuple(fields))


def visit(scene: Scene, desk: stay_fair.Counter, disclosure: dict,
          asked: PresentationRequest | None = None) -> stay_fair.Visit:
    """Sam presents ``disclosure`` at Stay Fair's ``desk`` (answering ``asked``, when
    given: the decision then also checks that nothing beyond it was disclosed)."""
    return stay_fair.visit(scene.world, desk, credentials=[disclosure], request=asked,
                           policy=policy())


def side_by_side(full: dict, disclosure: dict) -> pd.DataFrame:
    """Every claim of the full credential, what the old full presentation showed and what
    the disclosure shows (``-`` where it shows nothing)."""
    everything, shown = claims_of(full), claims_of(disclosure)
    rows = [
        {"claim": claim_label(path), "full presentation": _text(value),
         "disclosure": _text(shown[path]) if path in shown else "-"}
        for path, value in everything.items()
    ]
    return pd.DataFrame(rows).set_index("claim")


def linkability(disclosures: dict[str, dict]) -> pd.DataFrame:
    """What two or more disclosures of one credential have in common, by verifier."""
    rows = []
    for verifier, disclosure in disclosures.items():
        value = parse_derived_proof_value(disclosure["proof"]["proofValue"])
        rows.append({
            "verifier": verifier,
            "credential id": disclosure.get("id", "-"),
            "holder DID": disclosure["credentialSubject"].get("id", "-"),
            "issuer signature (first bytes)": value.base_signature[:8].hex(),
            "claims shown": ", ".join(sorted(
                p.removeprefix("credentialSubject.") for p in claims_of(disclosure)
                if p.startswith("credentialSubject.")
                and p.split(".")[-1] not in ("id", "type"))),
        })
    return pd.DataFrame(rows).set_index("verifier")


def _text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


__all__ = ["FIELDS", "PURPOSE", "Scene", "build", "linkability", "policy", "request",
           "side_by_side", "visit"]
