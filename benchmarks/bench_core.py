"""Core speed: issue/s and verify/s for both cryptosuites, RDFC cost, poison refusal.

Run ``python benchmarks/bench_core.py`` (``--quick`` for a short run, ``--json``
for machine-readable figures). Every figure is one thread, the median of
several runs of N iterations each, timed with ``time.perf_counter``.

Credentials measured:

- ``membership``: the sample co-operative membership credential, issued by the
  sample co-op (``samples.sample_membership_credential``);
- ``alumni``: the small W3C examples credential of the vc-di-eddsa test
  vectors (AlumniCredential), built inline with the sample co-op as issuer so
  that it verifies end to end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from coopcreds_proto.canonical import canonicalize_rdfc
from coopcreds_proto.errors import UnsafeJsonLdError
from coopcreds_proto.loader import OfflineDocumentLoader
from coopcreds_proto.safe_jsonld import expand_safely
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.verification import verify_credential

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
RDFC_ALUMNI_MIN = 400.0  # verifications/s; jsonld.js + vc 7.3 manage about 400/s
RDFC_MEMBERSHIP_MIN = 250.0
JCS_OVER_RDFC_MIN = 5.0
POISON_MAX_S = 0.25  # "well under a second"
CLIQUE_SIZE = 7


@dataclass(frozen=True)
class Settings:
    runs: int
    verify_n: int
    issue_n: int
    canon_n: int
    poison_runs: int


FULL = Settings(runs=7, verify_n=200, issue_n=200, canon_n=200, poison_runs=5)
QUICK = Settings(runs=3, verify_n=40, issue_n=40, canon_n=40, poison_runs=3)


def alumni_credential(issuer: str) -> dict:
    """The vc-di-eddsa AlumniCredential (TestVectors/unsigned.json), issued by ``issuer``."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": issuer,
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:abcdefgh",
            "alumniOf": "The School of Examples",
        },
    }


def clique_credential(issuer: str, size: int = CLIQUE_SIZE) -> dict:
    """A credential whose subjects are ``size`` look-alike blank nodes, all linked
    to each other: RDFC-1.0 would try size! permutations ("poison graph")."""
    ids = [f"_:b{i}" for i in range(size)]
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/coopcreds/v1"],
        "type": ["VerifiableCredential", "CooperativeMembershipCredential"],
        "issuer": issuer,
        "credentialSubject": [
            {"id": me, "type": "CooperativeMember", "memberOf": [o for o in ids if o != me]}
            for me in ids
        ],
    }


def runs_of(fn: Callable[[], Any], n: int, runs: int) -> list[float]:
    """Seconds per call, one figure per run of ``n`` calls (after one warm-up call)."""
    fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        out.append((time.perf_counter() - start) / n)
    return out


def section_lines(result: dict, target_width: int = 40) -> list[str]:
    """Indented lines for a result's ``figures`` and its ``targets`` with PASS or FAIL."""
    lines = []
    for key, value in result["figures"].items():
        shown = f"{value:,.4f}" if isinstance(value, float) else f"{value:,}"
        lines.append(f"  {key:<26} {shown}")
    for t in result["targets"]:
        mark = "PASS" if t["pass"] else "FAIL"
        lines.append(f"  {mark}  {t['target']:<{target_width}} {t['value']:.4f} {t['unit']}")
    return lines


def per_second(seconds: list[float]) -> float:
    return 1.0 / statistics.median(seconds)


def measure(settings: Settings) -> dict:
    actors = sample_actors()
    key = actors.coop
    loader = OfflineDocumentLoader.default()
    credentials = {
        "membership": sample_membership_credential(actors),
        "alumni": alumni_credential(key.did),
    }
    rates: dict[str, dict[str, dict[str, float]]] = {}
    for suite in SUITES:
        rates[suite] = {}
        for name, unsigned in credentials.items():
            signed = issue(unsigned, key, cryptosuite=suite, created=SAMPLE_CREATED)
            result = verify_credential(signed, now=SAMPLE_NOW)
            if not result.verified:
                raise SystemExit(f"{name}/{suite} does not verify:\n{result}")
            issue_s = runs_of(
                lambda u=unsigned, c=suite: issue(u, key, cryptosuite=c, created=SAMPLE_CREATED),
                settings.issue_n,
                settings.runs,
            )
            verify_s = runs_of(
                lambda s=signed: verify_credential(s, now=SAMPLE_NOW),
                settings.verify_n,
                settings.runs,
            )
            rates[suite][name] = {
                "issue_per_s": per_second(issue_s),
                "verify_per_s": per_second(verify_s),
            }

    membership = credentials["membership"]
    expand_s = runs_of(lambda: expand_safely(membership, loader), settings.canon_n, settings.runs)
    expanded = expand_safely(membership, loader).expanded
    canon_s = runs_of(lambda: canonicalize_rdfc(expanded, loader), settings.canon_n, settings.runs)
    both_s = runs_of(
        lambda: canonicalize_rdfc(expand_safely(membership, loader).expanded, loader),
        settings.canon_n,
        settings.runs,
    )

    poison = clique_credential(key.did)
    poison_expanded = expand_safely(poison, loader).expanded

    def refuse_canonical() -> None:
        try:
            canonicalize_rdfc(poison_expanded, loader)
        except UnsafeJsonLdError as exc:
            if exc.code != "canonicalization-too-complex":
                raise
            return
        raise SystemExit("the poisoned dataset was canonicalized, not refused")

    poisoned_signed = dict(poison, proof=dict(issue(credentials["membership"], key)["proof"]))

    def refuse_verify() -> None:
        result = verify_credential(poisoned_signed, now=SAMPLE_NOW)
        if result.verified or not any(
            c.code == "canonicalization-too-complex" for c in result.checks
        ):
            raise SystemExit(f"the poisoned credential was not refused as too complex:\n{result}")

    poison_canon = [runs_of(refuse_canonical, 1, 1)[0] for _ in range(settings.poison_runs)]
    poison_verify = [runs_of(refuse_verify, 1, 1)[0] for _ in range(settings.poison_runs)]

    return {
        "settings": settings.__dict__,
        "rates": rates,
        "canonicalization_ms": {
            "expand_safely": statistics.median(expand_s) * 1e3,
            "canonicalize_rdfc": statistics.median(canon_s) * 1e3,
            "expand_and_canonicalize": statistics.median(both_s) * 1e3,
        },
        "poison_refusal_s": {
            "canonicalize_rdfc": statistics.median(poison_canon),
            "verify_credential": statistics.median(poison_verify),
            "worst": max(poison_canon + poison_verify),
        },
    }


def targets(figures: dict) -> list[dict]:
    rdfc = figures["rates"]["eddsa-rdfc-2022"]
    jcs = figures["rates"]["eddsa-jcs-2022"]
    out = [
        {
            "target": f"rdfc verify alumni >= {RDFC_ALUMNI_MIN:.0f}/s",
            "value": rdfc["alumni"]["verify_per_s"],
            "pass": rdfc["alumni"]["verify_per_s"] >= RDFC_ALUMNI_MIN,
        },
        {
            "target": f"rdfc verify membership >= {RDFC_MEMBERSHIP_MIN:.0f}/s",
            "value": rdfc["membership"]["verify_per_s"],
            "pass": rdfc["membership"]["verify_per_s"] >= RDFC_MEMBERSHIP_MIN,
        },
    ]
    for name in ("alumni", "membership"):
        ratio = jcs[name]["verify_per_s"] / rdfc[name]["verify_per_s"]
        out.append(
            {
                "target": f"jcs verify {name} >= {JCS_OVER_RDFC_MIN:.0f}x rdfc",
                "value": ratio,
                "pass": ratio >= JCS_OVER_RDFC_MIN,
            }
        )
    worst = figures["poison_refusal_s"]["worst"]
    out.append(
        {
            "target": f"{CLIQUE_SIZE}-node blank-node clique refused in < {POISON_MAX_S} s",
            "value": worst,
            "pass": worst < POISON_MAX_S,
        }
    )
    return out


def report(figures: dict, checks: list[dict]) -> str:
    s = figures["settings"]
    python = sys.version.split()[0]
    lines = [
        f"coopcreds core benchmark (median of {s['runs']} runs; verify N={s['verify_n']},"
        + f" issue N={s['issue_n']}; one thread; Python {python})",
        "",
        f"{'suite':<17} {'credential':<11} {'issue/s':>9} {'verify/s':>9}",
    ]
    for suite, per in figures["rates"].items():
        for name, r in per.items():
            lines.append(
                f"{suite:<17} {name:<11} {r['issue_per_s']:>9.0f} {r['verify_per_s']:>9.0f}"
            )
    c = figures["canonicalization_ms"]
    p = figures["poison_refusal_s"]
    lines += [
        "",
        "RDFC of the membership credential (ms, median):"
        + f" expand_safely {c['expand_safely']:.2f}, canonicalize_rdfc {c['canonicalize_rdfc']:.2f},"
        + f" both {c['expand_and_canonicalize']:.2f}",
        f"{CLIQUE_SIZE}-node clique refused (s, median): canonicalize_rdfc {p['canonicalize_rdfc']:.4f},"
        + f" verify_credential {p['verify_credential']:.4f}",
        "",
        "Targets:",
    ]
    for t in checks:
        value = (
            f"{t['value']:.1f}x"
            if "x rdfc" in t["target"]
            else (f"{t['value']:.4f} s" if "clique" in t["target"] else f"{t['value']:.0f}/s")
        )
        lines.append(f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']:<42} {value}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(QUICK if args.quick else FULL)
    checks = targets(figures)
    if args.json:
        print(json.dumps({**figures, "targets": checks}, indent=2))
    else:
        print(report(figures, checks))
    return 0 if all(t["pass"] for t in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
