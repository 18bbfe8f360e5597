"""Credential lifecycle speed: status checks (and further sections as they are added).

Run ``python benchmarks/bench_lifecycle.py`` (``--quick`` for a short run,
``--json`` for machine-readable figures, ``--only NAME`` for one section).
Every figure is one thread, the median of several runs of N iterations each,
timed with ``time.perf_counter``.

Each section is a function ``bench_<name>(quick: bool) -> dict`` returning
``{"figures": {...}, "targets": [{"target", "value", "unit", "pass"}]}``;
``main()`` runs every such function defined in this module, in order.

- ``bulk_issue``: ``read_register`` + ``issuance.apply_register`` of 10,000
  members (status entries from two 131,072-entry lists, one file per
  credential, lists signed and published; target: at least 200 credentials/s),
  and applying the same register again (nothing to do).
- ``presentation``: ``verify_presentation`` of one credential with its status
  entries against ``verify_credential`` of the bare credential (no status;
  target: at most 2.5x), and of the credential with its status.
- ``status``: ``check_status`` of a credential with one revocation entry
  against a published 131,072-entry list that is already cached (target:
  under 1 ms), the same check without the cache (list proof verified and
  decoded each time), decoding alone, and ``verify_credential`` with and
  without the status entry.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench_core import runs_of, section_lines  # one timing loop, one report layout

from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.status_check import StatusCache
from coopcreds_proto.vc.status_list import (
    allocate,
    decode_bits,
    new_status_list,
    publish_status_list,
    revoke,
    status_entry,
)
from coopcreds_proto.vc.verification import check_status, verify_credential

STATUS_CACHED_MAX_MS = 1.0


def median_ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def bench_status(quick: bool = False) -> dict:
    """Status check against a cached 131,072-entry list (target < 1 ms)."""
    runs, n, slow_n = (3, 200, 5) if quick else (7, 2000, 20)
    actors = sample_actors()
    url = "https://riverside.example/status/revocation/1"
    with tempfile.TemporaryDirectory() as root:
        registry = LocalRegistry(root)
        lst, indexes = allocate(
            new_status_list(url, actors.coop.did), SeededRandom("bench-status"), 1000
        )
        for index in indexes[::10]:  # some revoked, as in a real list
            lst = revoke(lst, index)
        published = publish_status_list(
            lst, actors.coop, registry, valid_from="2026-05-01T00:00:00Z"
        )
        unsigned = sample_membership_credential(actors)
        bare = issue(unsigned, actors.coop, created=SAMPLE_CREATED)
        unsigned["credentialStatus"] = status_entry(lst, indexes[1])
        with_status = issue(unsigned, actors.coop, created=SAMPLE_CREATED)
        cache = StatusCache()
        encoded = published["credentialSubject"]["encodedList"]

        cached = runs_of(
            lambda: check_status(with_status, registry=registry, now=SAMPLE_NOW, cache=cache), n, runs
        )
        uncached = runs_of(
            lambda: check_status(with_status, registry=registry, now=SAMPLE_NOW, cache=None), slow_n, runs
        )
        decode = runs_of(lambda: decode_bits(encoded), n // 10, runs)
        verify_bare = runs_of(lambda: verify_credential(bare, now=SAMPLE_NOW), slow_n, runs)
        verify_status = runs_of(
            lambda: verify_credential(with_status, now=SAMPLE_NOW, registry=registry),
            slow_n,
            runs,
        )
    figures = {
        "entries": lst.length,
        "encoded_chars": len(encoded),
        "check_cached_ms": median_ms(cached),
        "check_uncached_ms": median_ms(uncached),
        "decode_ms": median_ms(decode),
        "verify_bare_ms": median_ms(verify_bare),
        "verify_with_status_ms": median_ms(verify_status),
    }
    targets = [
        {
            "target": f"status check, cached list < {STATUS_CACHED_MAX_MS:g} ms",
            "value": figures["check_cached_ms"],
            "unit": "ms",
            "pass": figures["check_cached_ms"] < STATUS_CACHED_MAX_MS,
        }
    ]
    return {"figures": figures, "targets": targets}


BULK_MIN_PER_S = 200.0
PRESENTATION_MAX_RATIO = 2.5


def _issuer_for_bench(root: str, actors: Any) -> Any:
    from pathlib import Path

    from coopcreds_proto.issuer.batch import SAMPLE_COOP, Issuer

    return Issuer(actors.coop, SAMPLE_COOP, Path(root) / "out",
                  status_base="https://riverside.example/status",
                  registry=LocalRegistry(Path(root) / "registry"))


def bench_bulk_issue(quick: bool = False) -> dict:
    """Bulk issuance from a register CSV, status entries and files included (>= 200/s)."""
    from pathlib import Path

    from coopcreds_proto.issuer.batch import apply_register
    from coopcreds_proto.issuer.member_register import (
        generate_register,
        read_register,
        write_register,
    )

    n = 500 if quick else 10_000
    actors = sample_actors()
    with tempfile.TemporaryDirectory() as root:
        register = write_register(generate_register(n, seed="bench-bulk"),
                                  Path(root) / "members.csv")
        issuer = _issuer_for_bench(root, actors)
        start = time.perf_counter()
        records = read_register(register)
        read_s = time.perf_counter() - start
        report_ = apply_register(issuer, records, now=SAMPLE_CREATED,
                                 rng=SeededRandom("bench-bulk"), progress=False)
        total_s = time.perf_counter() - start
        issued = report_.counts.get("issued", 0)
        start = time.perf_counter()
        again = apply_register(issuer, records, now=SAMPLE_NOW, rng=SeededRandom("again"),
                               progress=False)
        reapply_s = time.perf_counter() - start
    per_s = issued / total_s
    figures = {
        "credentials": issued,
        "read_register_s": read_s,
        "total_s": total_s,
        "credentials_per_s": per_s,
        "reapply_unchanged_s": reapply_s,
        "reapply_unchanged": again.counts.get("unchanged", 0),
    }
    targets = [{
        "target": f"bulk issuance of {n:,} >= {BULK_MIN_PER_S:g}/s",
        "value": per_s, "unit": "/s", "pass": per_s >= BULK_MIN_PER_S and issued == n,
    }]
    return {"figures": figures, "targets": targets}


def bench_presentation(quick: bool = False) -> dict:
    """A presentation of one credential (status included) vs the bare credential (<= 2.5x)."""
    from coopcreds_proto.issuer.batch import apply_register, read_credential
    from coopcreds_proto.issuer.member_register import generate_register
    from coopcreds_proto.vc.presentations import present, verify_presentation

    runs, n = (5, 10) if quick else (15, 40)
    actors = sample_actors()
    domain = "https://partner.example"
    with tempfile.TemporaryDirectory() as root:
        issuer = _issuer_for_bench(root, actors)
        apply_register(issuer, generate_register(3), now=SAMPLE_CREATED,
                       rng=SeededRandom("bench-vp"), progress=False)
        with_status = read_credential(issuer, "RFC-00042")  # Ada, the sample member
        bare = issue({k: v for k, v in with_status.items()
                      if k not in ("proof", "credentialStatus")},
                     actors.coop, created=SAMPLE_CREATED, loader=None)
        vp = present([with_status], actors.member, challenge="bench-challenge", domain=domain,
                     created=SAMPLE_NOW)
        registry = issuer.registry
        assert verify_presentation(vp, challenge="bench-challenge", domain=domain,
                                   now=SAMPLE_NOW, registry=registry).verified
        assert verify_credential(bare, now=SAMPLE_NOW).verified
        # In turns, one run of each after the other: the ratio compares runs made
        # under the same load of the machine, whose speed drifts from minute to minute.
        bare_s: list[float] = []
        status_s: list[float] = []
        vp_s: list[float] = []
        for _ in range(runs):
            bare_s += runs_of(lambda: verify_credential(bare, now=SAMPLE_NOW), n, 1)
            status_s += runs_of(
                lambda: verify_credential(with_status, now=SAMPLE_NOW, registry=registry), n, 1)
            vp_s += runs_of(lambda: verify_presentation(
                vp, challenge="bench-challenge", domain=domain, now=SAMPLE_NOW,
                registry=registry), n, 1)
    figures = {
        "verify_bare_credential_ms": median_ms(bare_s),
        "verify_credential_with_status_ms": median_ms(status_s),
        "verify_presentation_ms": median_ms(vp_s),
        "ratio_to_bare": statistics.median(v / b for v, b in zip(vp_s, bare_s)),
        "ratio_to_credential_with_status": statistics.median(
            v / s for v, s in zip(vp_s, status_s)),
    }
    targets = [{
        "target": f"presentation <= {PRESENTATION_MAX_RATIO:g}x bare credential",
        "value": figures["ratio_to_bare"], "unit": "x",
        "pass": figures["ratio_to_bare"] <= PRESENTATION_MAX_RATIO,
    }]
    return {"figures": figures, "targets": targets}


def sections() -> list[tuple[str, Callable[[bool], dict]]]:
    """Every ``bench_<name>`` function of this module, in definition order."""
    return [
        (name[len("bench_"):], fn)
        for name, fn in globals().items()
        if name.startswith("bench_") and callable(fn)
    ]


def report(results: dict[str, dict]) -> str:
    lines = [f"coopcreds lifecycle benchmark (one thread; Python {sys.version.split()[0]})"]
    for name, result in results.items():
        lines += ["", f"[{name}]", *section_lines(result)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--only", action="append", help="run only this section (repeatable)")
    args = parser.parse_args(argv)
    chosen = [(n, fn) for n, fn in sections() if not args.only or n in args.only]
    if args.only and len(chosen) != len(set(args.only)):
        parser.error(f"sections: {', '.join(n for n, _ in sections())}")
    results = {name: fn(args.quick) for name, fn in chosen}
    print(json.dumps(results, indent=2) if args.json else report(results))
    passed = all(t["pass"] for result in results.values() for t in result["targets"])
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
