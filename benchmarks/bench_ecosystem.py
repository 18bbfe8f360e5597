"""Ecosystem benchmarks: print the figures and PASS/FAIL against the targets.

    python benchmarks/bench_ecosystem.py            # every section present
    python benchmarks/bench_ecosystem.py reach      # one section
    python benchmarks/bench_ecosystem.py simulation

Reach target: build the graph and compute exact reach for 100,000 co-ops and
10,000,000 members (segments with counts), plus the reach lost when each
organisation leaves (every one of them, from the dominator trees), in under
60 s and 4 GiB on this 2-core machine. Members are a sparse member x co-op
incidence matrix next to a networkx graph of the organisations only (a graph
with ten million member nodes is too slow to build). ``reach 10000 1000000``
runs the same at a tenth of the size.

Simulation target: 1,000 seeded runs of a 10-year monthly growth simulation
over 20,000 co-ops in under 60 s on this 2-core machine (local processes, one
BLAS thread each); the same sweep through a local Dask cluster gives identical
results.
"""

from __future__ import annotations

import resource
import sys
import time

from coopcreds_proto.ecosystem.data import member_incidence
from coopcreds_proto.ecosystem.generator import generate_ecosystem
from coopcreds_proto.ecosystem.graph import build_graph
from coopcreds_proto.ecosystem.metrics import failure_points, reach
from coopcreds_proto.ecosystem.models import load_model

REACH_COOPS = 100_000
REACH_MEMBERS = 10_000_000
REACH_SECONDS = 60.0
REACH_MEMORY_GIB = 4.0
SEED = 20260601


def peak_rss_gib() -> float:
    """Peak resident memory of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024
    return peak * scale / 2**30


def bench_reach(
    n_coops: int = REACH_COOPS,
    n_members: int = REACH_MEMBERS,
    *,
    model_id: str = "hybrid",
) -> bool:
    """Reach and the reach lost when each organisation leaves, at scale."""
    print(f"== reach: {n_coops:,} co-ops, {n_members:,} members, model {model_id} ==")
    start = time.perf_counter()
    eco = generate_ecosystem(n_coops, n_members, seed=SEED)
    members = member_incidence(eco)
    t_data = time.perf_counter()
    G = build_graph(eco, load_model(model_id))
    t_graph = time.perf_counter()
    result = reach(G, members)
    t_reach = time.perf_counter()
    losses = failure_points(G, members)
    end = time.perf_counter()
    elapsed = end - start
    peak = peak_rss_gib()
    worst = losses.iloc[0]
    print(f"data (generator, {len(eco.segments):,} segments): {t_data - start:6.2f} s")
    print(f"graph ({G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges): "
          f"{t_graph - t_data:6.2f} s")
    print(f"exact reach: {t_reach - t_graph:6.2f} s  total pairs {result.total:,}, "
          f"cross-co-op {result.cross:,} ({result.cross_share:.1%})")
    print(f"reach lost for each of {len(losses):,} organisations: {end - t_reach:6.2f} s  "
          f"(worst: {worst['node']} loses {worst['share_lost']:.1%})")
    ok = elapsed < REACH_SECONDS and peak < REACH_MEMORY_GIB
    print(f"total {elapsed:.2f} s (target < {REACH_SECONDS:.0f} s), peak RSS {peak:.2f} GiB "
          f"(target < {REACH_MEMORY_GIB:.0f} GiB): {'PASS' if ok else 'FAIL'}")
    return ok


SIMULATION_RUNS = 1_000
SIMULATION_COOPS = 20_000
SIMULATION_SECONDS = 60.0


def bench_simulation(
    runs: int = SIMULATION_RUNS, n_coops: int = SIMULATION_COOPS, *, workers: int = 2,
    dask: bool = True,
) -> bool:
    """Seeded growth runs (10 years, monthly) over the four models, locally and on Dask.

    The runs are split evenly over the four ecosystem models of
    ``data/ecosystem/scenarios/benchmark-2000.json`` (generated co-ops, here
    ``n_coops`` of them); the
    same sweep then goes through a local Dask cluster and must give the same
    DataFrame, bit for bit.
    """
    from dataclasses import replace

    from coopcreds_proto.ecosystem.runner import run_scenarios
    from coopcreds_proto.ecosystem.scenarios import (
        EcosystemSource,
        load_scenarios,
        scenarios_dir,
    )

    base = load_scenarios(scenarios_dir() / "benchmark-2000.json")
    per_model = max(1, runs // len(base))
    source = EcosystemSource.generated(n_coops, seed=base[0].ecosystem.seed)
    scenarios = [replace(s, ecosystem=source, runs=per_model) for s in base]
    months = scenarios[0].params.months
    total = per_model * len(scenarios)
    print(f"== simulation: {total:,} runs x {months} months over {n_coops:,} co-ops "
          f"({len(scenarios)} models), {workers} local processes ==")
    start = time.perf_counter()
    scenarios[0].inputs()  # the generated ecosystem, built once and shared by the sweep
    t_data = time.perf_counter()
    local = run_scenarios(scenarios, executor="processes", workers=workers)
    t_local = time.perf_counter()
    elapsed = t_local - start
    print(f"data (generator, {n_coops:,} co-ops): {t_data - start:6.2f} s")
    print(f"local processes: {t_local - t_data:6.2f} s  ({total / (t_local - t_data):.0f} runs/s, "
          f"{len(local):,} result rows)")
    final = local[(local["period"] == months) & (local["metric"] == "adoption_share")]
    for name, share in final.groupby("scenario", sort=False)["value"].mean().items():
        print(f"  {name}: {share:.1%} of co-ops adopted after {months // 12} years (mean)")
    ok = elapsed < SIMULATION_SECONDS
    print(f"total {elapsed:.2f} s (target < {SIMULATION_SECONDS:.0f} s): "
          f"{'PASS' if ok else 'FAIL'}")
    if not dask:
        return ok
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("dask: dask[distributed] is not installed: FAIL")
        return False
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, Client(cluster) as client:
        t0 = time.perf_counter()
        remote = run_scenarios(scenarios, executor=client)
        t1 = time.perf_counter()
    same = remote.equals(local)
    print(f"local Dask cluster ({workers} workers): {t1 - t0:6.2f} s, "
          f"same DataFrame as local processes: {'PASS' if same else 'FAIL'}")
    return ok and same


SECTIONS = {"reach": bench_reach, "simulation": bench_simulation}


def main(argv: list[str] | None = None) -> int:
    """Run the named sections (default: all present); exit 1 if any fails.

    A section name may be followed by its sizes: ``reach 10000 1000000``.
    """
    words = (argv if argv is not None else sys.argv[1:]) or list(SECTIONS)
    plan: list[tuple[str, list[int]]] = []
    for word in words:
        if word.isdigit() and plan:
            plan[-1][1].append(int(word))
        elif word in SECTIONS:
            plan.append((word, []))
        else:
            print(f"unknown section {word!r}; known: {', '.join(SECTIONS)}")
            return 2
    results = [SECTIONS[name](*sizes) for name, sizes in plan]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
