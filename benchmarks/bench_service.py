"""The issuer and verifier service over HTTP on loopback, against its targets.

Run ``python benchmarks/bench_service.py`` (``--quick`` for a short run,
``--json`` for machine-readable figures). It starts ``coopcreds service
serve`` with 2 worker processes on an ephemeral loopback port, in a temporary
folder, with the sample co-op's key and status lists, and measures:

- ``issuance``: 10 clients issuing credentials (``eddsa-rdfc-2022``, two
  status entries each, every one committed before it is returned); target: at
  least 150 credentials/s.
- ``verification``: 10 clients verifying those credentials (status read from
  the published lists); target: at least 400 credentials/s; the figure is
  also given as a ratio to ``verify_credential`` in this process on one
  thread.
- ``latency``: 50 concurrent clients, each on its own kept-alive connection,
  verifying together at the verification target's rate (400 a second in all,
  each client sending every 125 ms from a seeded random start); a request's
  latency runs from the moment it was due, so a request that had to wait for
  the one before it is counted with its wait (no coordinated omission);
  target: p95 under 50 ms. The same 50 clients sending back to back, each as
  soon as answered, are also measured: that is a saturation test, whose
  latency is the queue (by Little's law 50 clients over the rate served), and
  is reported as such, not held to the target.

The clients run on the same machine and take their share of its cores, so the
script also reads the service's own CPU time (``/proc``) while it verifies:
the CPU milliseconds an issuance and a verification cost the service, and
the rates its workers could sustain with both cores to themselves (on a busy
machine these say more than the wall-clock rates).

Every loop is bounded in count and in time (``DEADLINE_S`` a section).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from http_load import JsonConnection  # benchmarks/, the folder of this script

try:
    import uvloop
except ImportError:  # not on Windows
    uvloop = None

from coopcreds_proto.database import open_database
from coopcreds_proto.keys import save_key
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.service.config import load_config
from coopcreds_proto.service.running import ServiceProcess
from coopcreds_proto.service.schema import SERVICE_SCHEMA
from coopcreds_proto.service.tokens import create_token, issuer_scopes
from coopcreds_proto.vc.samples import sample_actors
from coopcreds_proto.vc.verification import verify_credential
from coopcreds_proto.verifier_options import VerifierOptions

ISSUE_MIN_PER_S = 150.0
VERIFY_MIN_PER_S = 400.0
P95_MAX_MS = 50.0
LATENCY_CLIENTS = 50
LATENCY_RATE_PER_S = VERIFY_MIN_PER_S  # the offered load of the latency target, in all
DEADLINE_S = 120.0
WORKERS = 2


def _folder(root: Path) -> tuple[Path, str]:
    save_key(sample_actors().coop, root / "key.json")
    (root / "service.yaml").write_text(
        "domain: https://riverside.coop.example\nissuers:\n  - name: riverside\n"
        "    key_file: key.json\n"
        "    status_list_base: https://riverside.coop.example/issuers/riverside/status-lists\n")
    db = open_database(load_config(root / "service.yaml").database, SERVICE_SCHEMA)
    token = create_token(db, issuer_scopes("riverside")).token
    db.close()
    return root / "service.yaml", token


def _unsigned(number: int) -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleMembershipCredential"],
        "issuer": sample_actors().coop.did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"did:example:member-{number}", "name": f"Member {number}"},
    }


def _service_cpu_s(pid: int) -> float:
    """CPU seconds used so far by the service process ``pid`` and its workers (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _run(clients: Any) -> float:
    """Run the clients' coroutine on uvloop when it is installed (a lighter load
    generator leaves more of the shared cores to the service)."""
    factory = uvloop.new_event_loop if uvloop is not None else None
    with asyncio.Runner(loop_factory=factory) as runner:
        return float(runner.run(clients))


async def _clients(count: int, work: Any) -> float:
    """Run ``work(k)`` for ``count`` clients at once; the seconds until all end."""
    start = time.perf_counter()
    await asyncio.gather(*(work(k) for k in range(count)))
    return time.perf_counter() - start


def bench(quick: bool) -> dict[str, Any]:
    count = 300 if quick else 2_000
    latency_requests = 10 if quick else 40
    with tempfile.TemporaryDirectory() as tmp:
        config, token = _folder(Path(tmp))
        with ServiceProcess(config, workers=WORKERS, log=Path(tmp) / "log") as service:
            assert service.process is not None
            issued: list[dict] = []
            verified: list[int] = []
            latencies: list[float] = []
            bodies = [JsonConnection.body({"credential": _unsigned(n)}) for n in range(count)]

            async def issuer(k: int) -> None:
                deadline = time.monotonic() + DEADLINE_S
                async with JsonConnection(service.url.rstrip("/"),
                                          {"Authorization": f"Bearer {token}"}) as client:
                    for n in range(k, count, 10):
                        if time.monotonic() > deadline:
                            return
                        status, answer = await client.post(
                            "/issuers/riverside/credentials/issue", bodies[n])
                        if status != 201:
                            raise RuntimeError(f"issuing answered {status}: {answer[:300]!r}")
                        issued.append(json.loads(answer)["verifiableCredential"])

            cpu_before = _service_cpu_s(service.process.pid)
            issue_s = _run(_clients(10, issuer))
            issue_cpu_s = _service_cpu_s(service.process.pid) - cpu_before
            checks = [JsonConnection.body({"verifiableCredential": c}) for c in issued]

            async def verifier(k: int) -> None:
                deadline = time.monotonic() + DEADLINE_S
                async with JsonConnection(service.url.rstrip("/")) as client:
                    for body in checks[k::10]:
                        if time.monotonic() > deadline:
                            return
                        status, _ = await client.post("/credentials/verify", body)
                        verified.append(status)

            cpu_before = _service_cpu_s(service.process.pid)
            verify_s = _run(_clients(10, verifier))
            verify_cpu_s = _service_cpu_s(service.process.pid) - cpu_before

            period = LATENCY_CLIENTS / LATENCY_RATE_PER_S
            starts = random.Random(20261203)
            offsets = [starts.uniform(0, period) for _ in range(LATENCY_CLIENTS)]
            at_rate_status: list[int] = []

            async def paced(k: int) -> None:
                deadline = time.monotonic() + DEADLINE_S
                async with JsonConnection(service.url.rstrip("/")) as client:
                    first = time.perf_counter() + offsets[k]
                    for i in range(latency_requests):
                        if time.monotonic() > deadline:
                            return
                        due = first + i * period
                        await asyncio.sleep(max(0.0, due - time.perf_counter()))
                        body = checks[(k * latency_requests + i) % len(checks)]
                        status, _ = await client.post("/credentials/verify", body)
                        latencies.append(time.perf_counter() - due)
                        at_rate_status.append(status)

            async def back_to_back(k: int) -> None:
                deadline = time.monotonic() + DEADLINE_S
                async with JsonConnection(service.url.rstrip("/")) as client:
                    for i in range(latency_requests):
                        if time.monotonic() > deadline:
                            return
                        body = checks[(k * latency_requests + i) % len(checks)]
                        start = time.perf_counter()
                        await client.post("/credentials/verify", body)
                        saturated.append(time.perf_counter() - start)

            at_rate_s = _run(_clients(LATENCY_CLIENTS, paced))
            saturated: list[float] = []
            client_cpu = time.process_time()
            saturated_s = _run(_clients(LATENCY_CLIENTS, back_to_back))
            client_cpu = time.process_time() - client_cpu
        options = VerifierOptions(registry=LocalRegistry(Path(tmp) / "registry"))
        sample = issued[:min(200, len(issued))]
        verify_credential(sample[0], options)
        start = time.perf_counter()
        in_process_ok = sum(verify_credential(c, options).verified for c in sample)
        in_process_per_s = len(sample) / (time.perf_counter() - start)
    issue_rate = len(issued) / issue_s
    verify_rate = len(verified) / verify_s
    p95 = _p95_ms(latencies)
    figures = {
        "credentials issued": len(issued),
        "issued per s": issue_rate,
        "service CPU ms an issuance": issue_cpu_s * 1000 / max(len(issued), 1),
        "issuance capacity, 2 cores, /s": 2 * len(issued) / issue_cpu_s if issue_cpu_s else 0.0,
        "verified over HTTP": len(verified),
        "all verified": all(s == 200 for s in verified) and in_process_ok == len(sample),
        "verified per s": verify_rate,
        "in process per s (1 thread)": in_process_per_s,
        "HTTP / in process": verify_rate / in_process_per_s,
        "service CPU ms a verification": verify_cpu_s * 1000 / max(len(verified), 1),
        "verify capacity, 2 cores, /s": 2 * len(verified) / verify_cpu_s if verify_cpu_s else 0.0,
        "latency requests": len(latencies),
        "offered rate, 50 clients, /s": len(latencies) / at_rate_s,
        "p50 ms (50 clients at rate)": statistics.median(latencies) * 1000,
        "p95 ms (50 clients at rate)": p95,
        "p99 ms (50 clients at rate)": _quantile_ms(latencies, 99),
        "saturated: served per s": len(saturated) / saturated_s,
        "saturated: p95 ms (queue)": _p95_ms(saturated),
        "saturated: client CPU ms a request": client_cpu * 1000 / max(len(saturated), 1),
    }
    targets = [
        {"target": f"issuance >= {ISSUE_MIN_PER_S:.0f}/s (2 workers)", "value": issue_rate,
         "unit": "/s", "pass": issue_rate >= ISSUE_MIN_PER_S and len(issued) == count},
        {"target": f"verification >= {VERIFY_MIN_PER_S:.0f}/s (2 workers)", "value": verify_rate,
         "unit": "/s", "pass": verify_rate >= VERIFY_MIN_PER_S and figures["all verified"]},
        {"target": f"p95 latency < {P95_MAX_MS:.0f} ms, 50 clients at"
                   f" {LATENCY_RATE_PER_S:.0f}/s", "value": p95, "unit": "ms",
         "pass": (p95 < P95_MAX_MS and len(latencies) == LATENCY_CLIENTS * latency_requests
                  and all(s == 200 for s in at_rate_status))},
    ]
    return {"figures": figures, "targets": targets}


def _quantile_ms(seconds: list[float], percent: int) -> float:
    if len(seconds) < 2:
        return 0.0
    return statistics.quantiles(seconds, n=100)[percent - 1] * 1000


def _p95_ms(seconds: list[float]) -> float:
    return _quantile_ms(seconds, 95)


def report(result: dict[str, Any]) -> str:
    lines = ["service over HTTP (loopback, 2 workers)"]
    for key, value in result["figures"].items():
        shown = f"{value:,.2f}" if isinstance(value, float) else f"{value}"
        lines.append(f"  {key:<30} {shown}")
    for t in result["targets"]:
        mark = "PASS" if t["pass"] else "FAIL"
        lines.append(f"  {mark}  {t['target']:<40} {t['value']:.2f} {t['unit']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = bench(args.quick)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0 if all(t["pass"] for t in result["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
