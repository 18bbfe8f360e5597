"""The headless demo: issue a membership credential, verify it, and watch three forgeries fail.

Deterministic (sample keys, fixed signing time and a fixed "now"), so the
output never changes; it doubles as a smoke test: :func:`run_demo` returns 0
only if the genuine credential is verified and each forgery is refused by the
check that should catch it.

>>> import io
>>> run_demo(io.StringIO())
0
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from ..proofs import ProofOptions, add_proof, proofs_of
from ..vc.credentials import issue, issuer_id
from ..vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    SampleActors,
    sample_actors,
    sample_membership_credential,
)
from ..vc.verification import CHECK_TITLES, VerificationResult, verify_credential

RULE = "=" * 72


@dataclass(frozen=True)
class Forgery:
    """One way to tamper with a signed credential, and the check that must catch it."""

    title: str
    story: str
    expected_check: str
    make: Callable[[dict, dict, SampleActors], dict]


def _change_claim(signed: dict, unsigned: dict, actors: SampleActors) -> dict:
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["membershipNumber"] = "RFC-00001"
    forged["credentialSubject"]["votingRights"] = False
    return forged


def _add_claim(signed: dict, unsigned: dict, actors: SampleActors) -> dict:
    forged = copy.deepcopy(signed)
    forged["credentialSubject"]["discount"] = "50%"
    return forged


def _outsider_signs(signed: dict, unsigned: dict, actors: SampleActors) -> dict:
    # issue() refuses to sign for an issuer the key does not belong to, so a
    # forger would go around it and use the low-level proof function.
    return add_proof(unsigned, actors.outsider, ProofOptions(created=SAMPLE_CREATED))


FORGERIES = (
    Forgery(
        "A claim is changed",
        "Someone edits the signed credential: membership number RFC-00042 becomes\n"
        "RFC-00001, and the voting rights are switched off.",
        "signature",
        _change_claim,
    ),
    Forgery(
        "An unsigned claim is added",
        'Someone adds "discount": "50%" to the member\'s claims. "discount" is not\n'
        "a term the credential's vocabulary defines, so a signature could never cover it.",
        "safe_jsonld",
        _add_claim,
    ),
    Forgery(
        "Signed by someone else",
        "An outsider signs the very same credential with their own key and leaves\n"
        "the co-op named as the issuer.",
        "issuer_binding",
        _outsider_signs,
    ),
)


def summary_lines(credential: dict) -> list[str]:
    """A short, readable summary of a membership credential (not the JSON)."""
    subject = credential.get("credentialSubject") or {}
    if isinstance(subject, list):
        subject = subject[0] if subject else {}
    coop = subject.get("memberOf") or {}
    issuer = credential.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, dict) else None
    rows: list[tuple[str, Any]] = [
        ("Member", subject.get("memberName")),
        ("Co-operative", coop.get("legalName") or issuer_name),
        ("Registered as", _join(coop.get("registeredIdentifier"), coop.get("jurisdiction"))),
        ("Membership number", subject.get("membershipNumber")),
        ("Membership", _join(subject.get("membershipClass"), subject.get("membershipStatus"))),
        ("Member since", subject.get("memberSince")),
        ("Voting rights", _yes_no(subject.get("votingRights"))),
        ("Roles", ", ".join(subject.get("roles") or []) or None),
        ("Valid from", credential.get("validFrom")),
        ("Valid until", credential.get("validUntil")),
        ("Issued by", issuer_name or issuer_id(credential)),
    ]
    proofs = proofs_of(credential)
    if proofs:
        proof = proofs[0]
        rows.append(("Signed", f"{proof.get('created')} ({proof.get('cryptosuite')})"))
    width = max(len(label) for label, _ in rows)
    return [f"  {label + ':':<{width + 1}}  {value}" for label, value in rows if value is not None]


def _join(*parts: Any) -> str | None:
    text = ", ".join(str(p) for p in parts if p)
    return text or None


def _yes_no(value: Any) -> str | None:
    return None if value is None else ("yes" if value is True else "no")


def _failed_for_reason(result: VerificationResult, expected: str) -> bool:
    check = result.check(expected)
    return not result.verified and not check.ok and not check.skipped


def run_demo(out: TextIO | None = None) -> int:
    """Narrate the demo to ``out`` (stdout); 0 if the outcome is exactly 1 verified, 3 refused."""
    out = out or sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out)

    actors = sample_actors()
    unsigned = sample_membership_credential(actors)
    coop_name = unsigned["issuer"]["name"]
    member_name = unsigned["credentialSubject"]["memberName"]

    say("Co-op Credentials demo: a membership card anyone can check, offline")
    say(RULE)
    say("Who is who. Each party is known by a DID, a public identifier made from")
    say("its signing key (these sample keys are public: never use them for real).")
    say(f"  {coop_name} (the issuer):")
    say(f"    {actors.coop.did}")
    say(f"  {member_name} (the member):")
    say(f"    {actors.member.did}")
    say()

    say(f"1. {coop_name} issues a membership credential to {member_name}")
    say(RULE)
    signed = issue(unsigned, actors.coop, created=SAMPLE_CREATED)
    for line in summary_lines(signed):
        say(line)
    say()

    say(f"2. Anyone checks it (as if today were {SAMPLE_NOW})")
    say(RULE)
    genuine = verify_credential(signed, now=SAMPLE_NOW)
    say(str(genuine))
    say()

    verified = 1 if genuine.verified else 0
    refused = 0 if genuine.verified else 1
    as_expected = genuine.verified

    say("3. Three forgeries, three refusals")
    say(RULE)
    for number, forgery in enumerate(FORGERIES, start=1):
        forged = forgery.make(signed, unsigned, actors)
        result = verify_credential(forged, now=SAMPLE_NOW)
        say(f"({number}) {forgery.title}")
        for line in forgery.story.splitlines():
            say(f"    {line}")
        if result.verified:
            verified += 1
            as_expected = False
            say("    VERIFIED (it should have been refused!)")
        else:
            refused += 1
            say("    REFUSED:")
            for check in result.failed:
                if not check.skipped:
                    say(f"      {check.title}: {check.message}")
            if not _failed_for_reason(result, forgery.expected_check):
                as_expected = False
                say(f"    (expected the check '{CHECK_TITLES[forgery.expected_check]}' to fail)")
        say()

    say(RULE)
    say(f"{verified} verified, {refused} refused")
    return 0 if as_expected and verified == 1 and refused == len(FORGERIES) else 1
