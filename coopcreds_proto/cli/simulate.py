"""``coopcreds simulate``: seeded growth runs of a scenario file, written as they complete.

    $ coopcreds simulate --scenario data/ecosystem/scenarios/models-compared.json \\
          --runs 200 --out results.csv --workers 2
    $ coopcreds simulate --scenario FILE --out results.csv --resume   # after an interruption

The results file is the tidy table (run, period, scenario, metric, value), one
block of rows per finished run; an interrupted simulation keeps every finished
run and ``--resume`` completes it. A summary per scenario goes to stdout, the
progress bar to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from typing import Any

from ..errors import InputError


def register(commands: Any) -> None:
    """Add the ``simulate`` subcommand to the top-level parser's subcommands."""
    sim = commands.add_parser(
        "simulate",
        help="simulate ecosystem growth scenarios (many seeded runs) into a CSV file",
        description="Run seeded growth simulations of the scenarios in FILE (JSON or YAML) and "
        "write the tidy results (run, period, scenario, metric, value) to a CSV file as the "
        "runs complete. Runs use local processes, or a Dask cluster with --dask.",
    )
    sim.add_argument("--scenario", required=True, metavar="FILE", help="scenario file")
    sim.add_argument("--runs", type=int, metavar="N",
                     help="runs per scenario (default: the file's 'runs')")
    sim.add_argument("--out", required=True, metavar="FILE", help="results CSV to write")
    sim.add_argument("--parquet", metavar="FILE",
                     help="also write the results as Parquet when the runs are done "
                     "(needs pyarrow: the parquet extra)")
    sim.add_argument("--workers", type=int, metavar="N",
                     help="local worker processes (default: CPU count; 1: in this process)")
    sim.add_argument("--dask", metavar="ADDRESS",
                     help="run on the Dask scheduler at ADDRESS (needs dask[distributed])")
    sim.add_argument("--seed", type=int, metavar="N", help="override every scenario's seed")
    existing = sim.add_mutually_exclusive_group()
    existing.add_argument("--resume", action="store_true",
                          help="keep the complete runs already in --out and do the rest")
    existing.add_argument("--overwrite", action="store_true",
                          help="replace --out if it exists")
    sim.add_argument("--no-progress", action="store_true", help="no progress bar")
    sim.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    # heavy: pandas, networkx, scipy (the ecosystem stack), only when a simulation runs
    from ..ecosystem.runner import (
        ResultsFileError,
        compare_scenarios,
        progress_bar,
        require_parquet,
        run_scenarios,
        write_parquet,
    )
    from ..ecosystem.scenarios import load_scenarios

    if args.runs is not None and args.runs < 1:
        raise InputError("bad-runs", f"--runs must be a positive integer, got {args.runs}")
    if args.workers is not None and args.workers < 1:
        raise InputError("bad-workers", f"--workers must be a positive integer, got {args.workers}")
    if args.seed is not None and args.seed < 0:
        raise InputError("bad-simulation-seed", f"--seed must be >= 0, got {args.seed}")
    scenarios = load_scenarios(args.scenario)
    if args.seed is not None:
        scenarios = tuple(replace(s, seed=args.seed) for s in scenarios)
    executor: Any = "serial" if args.workers == 1 else None
    client = None
    if args.dask:
        try:
            from distributed import Client  # optional: distributed (the dask extra)
        except ImportError:
            raise InputError("dask-missing",
                             "--dask needs dask.distributed: pip install 'dask[distributed]'"
                             ) from None
        client = executor = Client(args.dask)
    if_exists = "resume" if args.resume else "overwrite" if args.overwrite else "error"
    if args.parquet and os.path.exists(args.parquet) and not args.overwrite:
        raise ResultsFileError("output-exists", f"{args.parquet} exists: replace it with "
                               "--overwrite")
    if args.parquet:
        require_parquet()
    if if_exists == "error" and os.path.exists(args.out):
        raise ResultsFileError(
            "output-exists",
            f"{args.out} exists: finish it with --resume or replace it with --overwrite")
    done = [0, 0]

    def note(finished: int, total: int) -> None:
        done[:] = [finished, total]
        if bar is not None:
            bar(finished, total)

    bar = None
    close = None
    if not args.no_progress:
        total = sum(args.runs or s.runs for s in scenarios)
        bar, close = progress_bar(total)
    try:
        results = run_scenarios(
            scenarios, runs=args.runs, executor=executor, workers=args.workers, out=args.out,
            if_exists=if_exists, progress=note,
        )
    except KeyboardInterrupt:
        print(f"coopcreds: interrupted: {done[0]} of {done[1]} runs are in {args.out}; "
              "run again with --resume to finish", file=sys.stderr)
        return 130
    finally:
        if close is not None:
            close()
        if client is not None:
            client.close()
    table = compare_scenarios(results, metrics=["adopted_coops", "wallet_holders", "interactions"])
    width = max(8, *(len(s.name) for s in scenarios))
    print(f"{'scenario':<{width}} {'model':<13} {'runs':>5} "
          f"{'co-ops':>9} {'wallets':>11} {'interactions/mo':>16}  seed")
    for s in scenarios:
        row = table.loc[s.name]
        runs = int(results.loc[results["scenario"] == s.name, "run"].nunique())
        print(f"{s.name:<{width}} {s.model:<13} {runs:>5} "
              f"{row[('adopted_coops', 'mean')]:>9.1f} {row[('wallet_holders', 'mean')]:>11.0f} "
              f"{row[('interactions', 'mean')]:>16.0f}  {s.seed}")
    if args.parquet:
        write_parquet(results, args.parquet, overwrite=True)
    print(f"results: {args.out}{' and ' + args.parquet if args.parquet else ''} "
          "(final month, mean of runs)")
    return 0
