"""Trust registry speed: ``TrustRegistry.trusted`` over a large federation.

Run ``python benchmarks/bench_trust.py`` (``--quick`` for a short run,
``--json`` for machine-readable figures). One thread, the median of several
runs of N queries each (``bench_core.runs_of``), timed with ``time.perf_counter``.

The registry: 2,000 co-ops and 20 apex bodies. Each apex body anchors its own
framework and accredits 100 co-ops (through a regional delegate for a quarter
of them, so some chains have two links); each co-op anchors its own framework
and accredits itself. 5,000 recognition agreements: the 380 apex pairs
(not transitive) and 4,620 bilateral co-op agreements, one in four transitive
(enough for a large part of the network to be reached transitively).
A tenth of the co-op accreditations are revoked.

Queries (each with a different ``at``, so no answer is reused from a cache):

- ``direct``: a co-op under its own apex body's framework;
- ``recognised_apex``: a co-op under another apex body's framework (one
  recognition link, then the accreditation chain);
- ``recognised_bilateral``: a co-op under a partner co-op's framework;
- ``untrusted_worst``: a revoked co-op asked under the co-op framework whose
  transitive agreements reach the most frameworks (the co-op's own framework
  among them), so every framework is tried and every refusal explained;
  ``untrusted_worst_cold``: the same, first query on a freshly built registry
  (its memo of recognition walks empty).

Target: every query under 5 ms.

The full decision (``decision_ratio``): the "Stay Fair / Play Fair" scenario
(``coopcreds_proto.demos.stay_fair``), a member's presentation of a membership
credential at the tourism co-op. Timed: ``recognition.decide`` (the
presentation verified with its credential, the issuer's accreditation chain
found in the trust registry loaded from signed accreditations, the policy
evaluated) against ``verify_credential`` of the same credential alone, both
with the same local registry. Presentations are signed beforehand, one per
challenge: signing is the holder's work, not the co-op's.
Target: a full decision under 3x a bare credential verification.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from bench_core import runs_of, section_lines  # one timing loop, one report layout

from coopcreds_proto.trust.registry import (
    ACCREDIT,
    ISSUE,
    Accreditation,
    Recognition,
    TrustRegistry,
)

N_COOPS, N_APEX, N_RECOGNITIONS = 2_000, 20, 5_000
QUERY_MAX_MS = 5.0
DECISION_MAX_RATIO = 3.0
TYPE = "CooperativeMembershipCredential"
UTC = timezone.utc
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)


def apex_fw(a: int) -> str:
    return f"https://apex-{a:02d}.example/framework"


def coop_fw(c: int) -> str:
    return f"https://coop-{c:04d}.example/framework"


def coop_did(c: int) -> str:
    return f"did:web:coop-{c:04d}.example"


def build_registry(seed: int = 2026) -> TrustRegistry:
    """The benchmark registry (see the module docstring); deterministic for ``seed``."""
    rng = random.Random(seed)
    types = frozenset({TYPE, "IdentityAssuranceCredential"})
    anchors: dict[str, frozenset[str]] = {}
    accs: list[Accreditation] = []
    revocations: dict[str, datetime] = {}

    def acc(id_: str, by: str, to: str, fw: str, perms: set[str], chain: int = 0) -> None:
        accs.append(Accreditation(id=id_, accreditor=by, subject=to, framework=fw,
                                  permissions=frozenset(perms), credential_types=types,
                                  valid_from=START, valid_until=END, max_chain=chain))

    for a in range(N_APEX):
        body = f"did:web:apex-{a:02d}.example"
        anchors[apex_fw(a)] = frozenset({body})
        delegate = f"did:web:apex-{a:02d}-region.example"
        acc(f"urn:acc:apex-{a}:delegate", body, delegate, apex_fw(a), {ACCREDIT}, 1)
        for c in range(a, N_COOPS, N_APEX):
            by = delegate if c % 4 == 0 else body
            acc(f"urn:acc:apex-{a}:coop-{c}", by, coop_did(c), apex_fw(a), {ISSUE})
    for c in range(N_COOPS):
        anchors[coop_fw(c)] = frozenset({coop_did(c)})
        acc(f"urn:acc:self:coop-{c}", coop_did(c), coop_did(c), coop_fw(c), {ISSUE})
        if c % 10 == 3:
            revocations[f"urn:acc:apex-{c % N_APEX}:coop-{c}"] = START + timedelta(days=30)
            revocations[f"urn:acc:self:coop-{c}"] = START + timedelta(days=30)
    recs = [Recognition(apex_fw(a), apex_fw(b), valid_from=START, valid_until=END)
            for a in range(N_APEX) for b in range(N_APEX) if a != b]
    pairs: set[tuple[int, int]] = set()
    while len(recs) + 2 * len(pairs) < N_RECOGNITIONS:
        x, y = rng.randrange(N_COOPS), rng.randrange(N_COOPS)
        if x != y and (y, x) not in pairs:
            pairs.add((x, y))
    for x, y in sorted(pairs):
        for g, h in ((x, y), (y, x)):
            recs.append(Recognition(coop_fw(g), coop_fw(h), transitive=rng.random() < 0.25,
                                    valid_from=START, valid_until=END,
                                    credential_types=frozenset({TYPE})))
    return TrustRegistry(anchors=anchors, accreditations=tuple(accs), revocations=revocations,
                         recognitions=tuple(recs))


def _widest_transitive(reg: TrustRegistry, at: datetime) -> int:
    """The co-op whose framework recognises the most frameworks (for the worst case)."""
    best, best_size = 0, -1
    for c in range(N_COOPS):
        size = len(reg._reach(coop_fw(c), at, TYPE).paths)
        if size > best_size:
            best, best_size = c, size
    return best


def bench(quick: bool = False) -> dict:
    runs, n = (3, 50) if quick else (7, 300)
    started = time.perf_counter()
    reg = build_registry()
    build_s = time.perf_counter() - started
    probe = START + timedelta(days=100)
    wide = _widest_transitive(reg, probe)
    reach = len(reg._reach(coop_fw(wide), probe, TYPE).paths)
    partners = [(r.recogniser, r.recognised) for r in reg.recognitions
                if r.recogniser.startswith("https://coop-")]
    clock = iter(range(10**9))

    def at() -> datetime:  # a new moment per query: nothing comes from a cache
        return START + timedelta(days=60, seconds=next(clock))

    def direct() -> None:
        c = 5
        assert reg.trusted(coop_did(c), TYPE, [apex_fw(c % N_APEX)], at()).trusted

    def recognised_apex() -> None:
        c = 8  # accredited through the regional delegate: two links
        assert reg.trusted(coop_did(c), TYPE, [apex_fw((c + 1) % N_APEX)], at()).trusted

    g, h = partners[0]
    h_did = "did:web:" + h.removeprefix("https://").removesuffix("/framework")

    def recognised_bilateral() -> None:
        assert reg.trusted(h_did, TYPE, [g], at()).trusted

    # A revoked co-op (under its apex framework and its own) that the wide framework
    # does reach: the chain is walked and refused, the other frameworks explained.
    reached = reg._reach(coop_fw(wide), probe, TYPE).paths
    victim = next((c for c in range(3, N_COOPS, 10) if coop_fw(c) in reached), 13)

    def untrusted_worst() -> None:
        answer = reg.trusted(coop_did(victim), TYPE, [coop_fw(wide)], at())
        assert not answer.trusted

    figures: dict[str, float | int] = {
        "coops": N_COOPS, "apex_bodies": N_APEX, "accreditations": len(reg.accreditations),
        "recognitions": len(reg.recognitions), "build_s": build_s,
        "worst_case_reach": reach,
    }
    for name, fn in (("direct", direct), ("recognised_apex", recognised_apex),
                     ("recognised_bilateral", recognised_bilateral),
                     ("untrusted_worst", untrusted_worst)):
        figures[f"{name}_ms"] = statistics.median(runs_of(fn, n, runs)) * 1000
    worst = reg.trusted(coop_did(victim), TYPE, [coop_fw(wide)], at())
    figures["untrusted_worst_reasons"] = len(worst.reasons)
    cold = []
    for _ in range(runs):  # the first query on a fresh registry: every memo empty
        fresh = replace(reg)
        begin = time.perf_counter()
        fresh.trusted(coop_did(victim), TYPE, [coop_fw(wide)], at())
        cold.append(time.perf_counter() - begin)
    figures["untrusted_worst_cold_ms"] = statistics.median(cold) * 1000
    targets = [
        {"target": f"trusted() {name} < {QUERY_MAX_MS:g} ms", "value": figures[f"{name}_ms"],
         "unit": "ms", "pass": figures[f"{name}_ms"] < QUERY_MAX_MS}
        for name in ("direct", "recognised_apex", "recognised_bilateral", "untrusted_worst",
                     "untrusted_worst_cold")
    ]
    decision = bench_decision(quick)
    figures.update(decision)
    targets.append({"target": f"full decision < {DECISION_MAX_RATIO:g}x bare verification",
                    "value": decision["decision_ratio"], "unit": "x",
                    "pass": decision["decision_ratio"] < DECISION_MAX_RATIO})
    return {"figures": figures, "targets": targets}


def bench_decision(quick: bool = False) -> dict[str, float]:
    """Milliseconds per full decision and per bare verification, and their ratio."""
    import tempfile

    from coopcreds_proto.demos import stay_fair
    from coopcreds_proto.trust.recognition import decide
    from coopcreds_proto.vc.presentations import present
    from coopcreds_proto.vc.verification import verify_credential

    runs, n = (3, 20) if quick else (5, 60)
    with tempfile.TemporaryDirectory(prefix="coopcreds-bench-") as tmp:
        world = stay_fair.build_world(tmp)
        desk = stay_fair.counter("stayfair", at=stay_fair.FESTIVAL)
        domain, policy, at = desk.desk.domain, desk.desk.policy, stay_fair.FESTIVAL
        prepared = []
        for _ in range(runs * n + 1):  # one per call, and the warm-up
            challenge = desk.challenge()
            prepared.append((challenge, present([world.membership], world.member,
                                                challenge=challenge, domain=domain, created=at)))
        queue = iter(prepared)

        def full() -> None:
            challenge, vp = next(queue)
            assert decide(vp, policy, trust=world.trust, challenge=challenge, domain=domain,
                          now=at, registry=world.registry, challenges=desk.challenges).granted

        def bare() -> None:
            assert verify_credential(world.membership, now=at, registry=world.registry).verified

        decision_s = statistics.median(runs_of(full, n, runs))
        bare_s = statistics.median(runs_of(bare, n, runs))
    return {"decision_ms": decision_s * 1000, "bare_verification_ms": bare_s * 1000,
            "decision_ratio": decision_s / bare_s}


def report(result: dict) -> str:
    head = f"coopcreds trust registry benchmark (one thread; Python {sys.version.split()[0]})"
    return "\n".join([head, *section_lines(result, 44)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = bench(args.quick)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if all(t["pass"] for t in result["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
