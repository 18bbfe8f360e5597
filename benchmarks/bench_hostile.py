"""Hostile inputs: a credential or presentation of about 1 MB is refused or decided in under 1 s.

Run ``python benchmarks/bench_hostile.py`` (``--json`` for machine-readable
figures). Each input is about a megabyte of JSON shaped to make a verifier
work: a huge base58 ``proofValue`` or did:key (base58 decoding is quadratic in
the length), a huge claim, thousands of array items, proofs or subjects, a
flood of values for one node (PyLD's node map is quadratic in them), fractions
of a second and years a megabyte long, a presentation of hundreds of
credentials, the same through sign-in. Each is verified once, in one thread,
after one warm-up verification of a normal credential (which pays the one-time
imports), and timed in CPU seconds of this process (``time.process_time``),
which other work on the machine does not inflate; the wall time is printed too.

Target: every input refused or decided in under 1 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present, verify_presentation
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.signin import SignInService
from coopcreds_proto.vc.verification import verify_credential

TARGET_S = 1.0
MEGABYTE = 990_000  # under the 1,000,000-byte document limit, so the content is what is judged
DOMAIN = "https://shop.example"


def hostile_credentials(signed: dict) -> dict[str, dict]:
    """Signed-looking credentials of about a megabyte each, by what they attack."""
    proof, subject = signed["proof"], signed["credentialSubject"]
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    one_schema = {"id": "https://coop.example/schemas/0", "type": "JsonSchema"}
    return {
        "base58 proofValue": {**signed, "proof": {**proof, "proofValue": "z" + "2" * MEGABYTE}},
        "base58 did:key signer": {
            **signed, "proof": {**proof, "verificationMethod": f"did:key:z{'2' * MEGABYTE}#k"}},
        "did:key issuer": {**signed, "issuer": "did:key:z" + "2" * MEGABYTE},
        "one huge claim": {**signed, "credentialSubject": {**subject, "memberName": "a" * MEGABYTE}},
        "one huge id": {**signed, "id": "urn:uuid:" + "a" * MEGABYTE},
        "a megabyte of context URL": {
            **signed, "@context": [*signed["@context"], "https://coop.example/" + "a" * MEGABYTE]},
        "a megabyte of term": {**signed, "credentialSubject": {**subject, "b" * MEGABYTE: 1}},
        "a huge array": {**signed, "credentialSubject": {**subject, "roles": ["r" * 12] * 60_000}},
        "arrays within the item limit": {**signed, "credentialSubject": {
            **subject, **{f"role{i}": ["r" * 12] * 900 for i in range(60)}}},
        "one node, a flood of values": {**signed, "credentialSubject": [
            {"id": subject["id"], "roles": [f"role {j}-{i}" for i in range(900)]}
            for j in range(10)]},
        "nested too deep": {**signed, "credentialSubject": {**subject, "roles": deep}},
        "a megabyte of fraction": {
            **signed, "proof": {**proof, "created": f"2026-01-15T09:00:00.{'1' * MEGABYTE}Z"}},
        "a megabyte of year": {**signed, "validFrom": "1" * MEGABYTE + "-01-15T00:00:00Z"},
        "thousands of proofs": {**signed, "proof": [proof] * (MEGABYTE // 400)},
        "thousands of status entries": {**signed, "credentialStatus": [
            {"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
             "statusListIndex": "1", "statusListCredential": f"https://coop.example/s/{i}"}
            for i in range(MEGABYTE // 160)]},
        "thousands of schemas": {**signed, "credentialSchema": [
            {**one_schema, "id": f"https://coop.example/schemas/{i}"}
            for i in range(MEGABYTE // 60)]},
        "the same subject hundreds of times": {
            **signed, "credentialSubject": [subject] * (MEGABYTE // 800)},
        # Nothing to refuse early: every limit kept, so all of it is canonicalized.
        "within every limit, all canonicalized": {**signed, "credentialSubject": [
            {**subject, "id": f"did:example:{i}", "roles": [f"role {j}" for j in range(8)],
             "memberOf": {**subject["memberOf"], "id": f"did:example:coop-{i}"}}
            for i in range(370)]},
    }


def hostile_presentations(signed: dict, shown: dict) -> dict[str, dict]:
    proof = shown["proof"]
    size = len(json.dumps(signed))
    return {
        "hundreds of credentials": {**shown, "verifiableCredential": [signed] * (MEGABYTE // size)},
        "base58 proofValue": {**shown, "proof": {**proof, "proofValue": "z" + "2" * MEGABYTE}},
        "thousands of proofs": {**shown, "proof": [proof] * (MEGABYTE // 400)},
    }


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    outcome = call()
    return outcome, time.process_time() - cpu, time.perf_counter() - wall


def measure() -> dict:
    actors = sample_actors()
    signed = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    shown = present([signed], actors.member, challenge="c-1", domain=DOMAIN,
                    created="2026-06-01T12:00:00Z")
    # Warm-up: the first verification pays one-time imports (the JSON Schema validator).
    verify_credential({**signed, "credentialSchema": {"id": "https://coop.example/s",
                                                      "type": "JsonSchema"}}, now=SAMPLE_NOW)
    rows = []
    for name, credential in hostile_credentials(signed).items():
        result, cpu, wall = timed(lambda c=credential: verify_credential(c, now=SAMPLE_NOW))
        rows.append(_row("credential", name, credential, result, cpu, wall))
    for name, presentation in hostile_presentations(signed, shown).items():
        result, cpu, wall = timed(lambda p=presentation: verify_presentation(
            p, challenge="c-1", domain=DOMAIN, now=SAMPLE_NOW))
        rows.append(_row("presentation", name, presentation, result, cpu, wall))
        service = SignInService(DOMAIN, accepted_issuers=[actors.coop.did])
        text = json.dumps(presentation)
        answer, cpu, wall = timed(lambda t=text, s=service: s.complete(t))
        rows.append({"kind": "sign-in", "input": name, "bytes": len(text),
                     "outcome": "signed in" if answer.ok else "refused",
                     "cpu_s": cpu, "wall_s": wall})
    worst = max(row["cpu_s"] for row in rows)
    return {
        "rows": rows,
        "worst_cpu_s": worst,
        "targets": [{"target": f"every ~1 MB input decided in < {TARGET_S:g} s CPU",
                     "value": worst, "unit": "s", "pass": worst < TARGET_S}],
    }


def _row(kind: str, name: str, document: dict, result: Any, cpu: float, wall: float) -> dict:
    failed = result.failed
    return {"kind": kind, "input": name, "bytes": len(json.dumps(document)),
            "outcome": failed[0].code if failed else "verified", "cpu_s": cpu, "wall_s": wall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    report = measure()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("Hostile inputs of about 1 MB: each refused or decided (CPU s, wall s)")
        for row in report["rows"]:
            print(f"  {row['kind']:<12} {row['input']:<36} {row['bytes']:>9,} B"
                  f"  {row['cpu_s']:6.3f}  {row['wall_s']:6.3f}  {row['outcome']}")
        for target in report["targets"]:
            mark = "PASS" if target["pass"] else "FAIL"
            print(f"  {mark}  {target['target']:<44} {target['value']:.3f} {target['unit']}")
    return 0 if all(t["pass"] for t in report["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
