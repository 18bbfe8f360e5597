"""Start-up: the first verification in a fresh process, and ``coopcreds verify`` end to end.

Run ``python benchmarks/bench_startup.py`` (``--quick`` for fewer runs,
``--json`` for machine-readable figures). Each figure is the median of several
fresh processes, each verifying the sample membership credential
(``eddsa-rdfc-2022``) once:

- ``first_verification_s``: measured inside the process, from before
  ``coopcreds_proto`` is imported to the verification's result (imports, the
  offline loader and its contexts, the verification);
- ``cli_verify_s``: the wall time of ``coopcreds verify --now ... FILE`` as a
  shell runs it (interpreter start included), exit status 0.

The processes run as a user's would, with Python's bytecode cache: one first,
unmeasured run of each writes it under a temporary ``PYTHONPYCACHEPREFIX``
(the checkout is left as it is, even where ``PYTHONDONTWRITEBYTECODE`` is set).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)

FIRST_VERIFICATION_MAX_S = 0.3
CLI_VERIFY_MAX_S = 0.8
RUNS, QUICK_RUNS = 7, 3
TIMEOUT_S = 120

# Run in the fresh process: the clock starts before the package is imported.
FIRST_VERIFICATION = """
import time
started = time.perf_counter()
import json, sys
from coopcreds_proto import verify_credential
with open(sys.argv[1], encoding="utf-8") as f:
    result = verify_credential(json.load(f), now=sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - started, "verified": result.verified}))
"""


def fresh_environment(cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def cli_command(credential: Path) -> list[str]:
    """``coopcreds verify`` as installed beside this interpreter (else ``python -m``)."""
    script = Path(sys.executable).with_name("coopcreds")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "coopcreds_proto.cli"]
    return [*head, "verify", "--now", SAMPLE_NOW, str(credential)]


def first_verification(credential: Path, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_VERIFICATION, str(credential), SAMPLE_NOW],
        capture_output=True, text=True, env=env, timeout=TIMEOUT_S, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the fresh process failed:\n{done.stderr}")
    found = json.loads(done.stdout)
    if not found["verified"]:
        raise SystemExit("the sample credential did not verify in the fresh process")
    return float(found["seconds"])


def cli_verify(credential: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        cli_command(credential), capture_output=True, text=True, env=env, timeout=TIMEOUT_S,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"coopcreds verify exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return seconds


def measure(runs: int) -> dict:
    actors = sample_actors()
    signed = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    with tempfile.TemporaryDirectory(prefix="coopcreds-startup-") as tmp:
        credential = Path(tmp) / "membership.json"
        credential.write_text(json.dumps(signed), encoding="utf-8")
        env = fresh_environment(Path(tmp) / "pycache")
        first_verification(credential, env)  # writes the bytecode cache: not measured
        cli_verify(credential, env)
        first = [first_verification(credential, env) for _ in range(runs)]
        cli = [cli_verify(credential, env) for _ in range(runs)]
    return {
        "runs": runs,
        "first_verification_s": statistics.median(first),
        "cli_verify_s": statistics.median(cli),
        "first_verification_all_s": first,
        "cli_verify_all_s": cli,
    }


def targets(figures: dict) -> list[dict]:
    first, cli = figures["first_verification_s"], figures["cli_verify_s"]
    return [
        {"target": f"first verification in a fresh process < {FIRST_VERIFICATION_MAX_S} s",
         "value": first, "pass": first < FIRST_VERIFICATION_MAX_S},
        {"target": f"coopcreds verify end to end < {CLI_VERIFY_MAX_S} s",
         "value": cli, "pass": cli < CLI_VERIFY_MAX_S},
    ]


def report(figures: dict, checks: list[dict]) -> str:
    lines = [
        f"coopcreds start-up benchmark (median of {figures['runs']} fresh processes;"
        + f" Python {sys.version.split()[0]})",
        "",
        "first verification (s, each run): "
        + ", ".join(f"{s:.3f}" for s in figures["first_verification_all_s"]),
        "coopcreds verify (s, each run):   "
        + ", ".join(f"{s:.3f}" for s in figures["cli_verify_all_s"]),
        "",
        "Targets:",
    ]
    for t in checks:
        lines.append(f"  {'PASS' if t['pass'] else 'FAIL'}  {t['target']:<48} {t['value']:.3f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure(QUICK_RUNS if args.quick else RUNS)
    checks = targets(figures)
    if args.json:
        print(json.dumps({**figures, "targets": checks}, indent=2))
    else:
        print(report(figures, checks))
    return 0 if all(t["pass"] for t in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
