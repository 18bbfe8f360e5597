"""Many seeded runs of growth scenarios, on local processes or a Dask cluster.

:func:`run_scenarios` splits the runs of each scenario into batches and hands
them to an executor: by default this process for a small sweep and local
processes (``concurrent.futures.ProcessPoolExecutor``) for a large one (see
:func:`choose_executor`), ``"serial"`` or ``"processes"`` to say which, any
``concurrent.futures.Executor`` you pass, or a ``dask.distributed.Client``
(``pip install 'dask[distributed]'``). Every batch runs with one BLAS thread
(``threadpoolctl``): the simulation's matrix products are small, and a BLAS
library that spreads each over several threads inside every worker process
makes a large sweep several times slower. Run ``k`` of a scenario always draws
from ``SeedSequence(seed, spawn_key=(k,))``, so every executor gives the same
numbers.

Results are one tidy DataFrame (``run, period, scenario, metric, value``). With
``out=`` they are also appended to a CSV file as runs complete (one block of
rows per run, flushed), so an interrupted simulation loses no finished run;
``if_exists="resume"`` then completes the file.

>>> from coopcreds_proto.ecosystem.scenarios import EcosystemSource, Scenario
>>> from coopcreds_proto.ecosystem.simulation import GrowthParams
>>> s = Scenario("demo", "convenor", GrowthParams(months=12),
...              EcosystemSource.synthetic(40, seed=1), runs=3, seed=7)
>>> df = run_scenarios(s, executor="serial")
>>> list(df.columns), len(df) == 3 * 13 * len(METRICS)
(['run', 'period', 'scenario', 'metric', 'value'], True)
"""

from __future__ import annotations

import concurrent.futures as cf
import csv
import importlib.util
import io
import json
import math
import os
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits
from tqdm.auto import tqdm

from ..atomic_files import write_atomically
from ..errors import InputError
from .costs import counts_for, price
from .models import load_model
from .scenarios import PARAM_FIELDS, Scenario
from .simulation import METRICS, PROBABILITY_FIELDS, GrowthParams, SimulationInputs, simulate_runs

TIDY_COLUMNS = ("run", "period", "scenario", "metric", "value")
DEFAULT_BAND = (0.05, 0.95)
SENSITIVITY_PARAMS = (
    "innovation", "imitation", "wallet_innovation", "wallet_imitation",
    "interactions_per_member", "agreement_rate",
)

Progress = Callable[[int, int], None]
# Values must read back bit for bit: pandas < 3 parses floats with a fast,
# inexact parser unless asked for round-trip precision (pandas 3 always is exact).
_CSV_OPTIONS: dict[str, Any] = {"dtype": {"scenario": str, "metric": str}}
if int(pd.__version__.split(".")[0]) < 3:
    _CSV_OPTIONS["float_precision"] = "round_trip"


class ResultsFileError(InputError):
    """A results file that cannot be written or resumed."""


# --- executing ---------------------------------------------------------------


def _simulate_batch(
    inputs: SimulationInputs, params: GrowthParams, seed: int, runs: tuple[int, ...]
) -> np.ndarray:
    """Worker entry point (module level so that processes and Dask can pickle it).

    One BLAS thread: processes (or Dask workers) already use every core.
    """
    with threadpool_limits(limits=1, user_api="blas"):
        return simulate_runs(inputs, params, seed=seed, runs=runs)


# Below this much work (runs x months x co-ops), starting worker processes costs
# more than it saves: the sweep runs in this process.
SERIAL_WORK = 20_000_000


def choose_executor(work: int, slots: int) -> str:
    """``"serial"`` for a sweep of less than :data:`SERIAL_WORK` co-op-months (or one
    slot), else ``"processes"``. Threads are never chosen: the simulation's numpy
    calls are small and hold the GIL for much of their time (two threads run a
    20,000-co-op sweep slower than one).

    >>> choose_executor(40 * 120 * 50, 2), choose_executor(1000 * 120 * 20_000, 2)
    ('serial', 'processes')
    """
    return "serial" if slots <= 1 or work < SERIAL_WORK else "processes"


def _is_dask_client(executor: Any) -> bool:
    return type(executor).__module__.startswith("distributed") and hasattr(executor, "submit")


@dataclass(frozen=True)
class _Task:
    scenario: int
    runs: tuple[int, ...]


def _batches(todo: Sequence[int], size: int) -> Iterable[tuple[int, ...]]:
    for start in range(0, len(todo), size):
        yield tuple(todo[start:start + size])


def progress_bar(total: int) -> tuple[Progress, Callable[[], None]]:
    """A tqdm progress bar on stderr as a ``(callback(done, total), close)`` pair."""
    bar = tqdm(total=total, unit="run", file=sys.stderr, dynamic_ncols=True)

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    return update, bar.close


def run_scenarios(
    scenarios: Scenario | Sequence[Scenario],
    *,
    runs: int | None = None,
    executor: Any = None,
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    if_exists: str = "error",
    batch_size: int | None = None,
    progress: bool | Progress = False,
) -> pd.DataFrame:
    """Simulate every run of every scenario; the tidy results, sorted by scenario, run, period.

    Parameters
    ----------
    scenarios : one Scenario or several (names must differ).
    runs : runs per scenario (default: each scenario's ``runs``).
    executor : ``None`` (by size, :func:`choose_executor`), ``"processes"``
        (local processes), ``"serial"``, a ``concurrent.futures.Executor`` or a
        ``dask.distributed.Client`` (both left running).
    workers : processes for the local executor (default: CPU count).
    out : CSV file the runs are appended to as they complete.
    if_exists : what to do when ``out`` exists: ``"error"`` (default, never
        overwrite results silently), ``"resume"`` (keep its complete runs, do the
        rest) or ``"overwrite"``.
    batch_size : runs per task (default: enough tasks to keep the workers busy).
    progress : ``True`` for a progress bar on stderr, or a ``callback(done, total)``.
    """
    scenarios = (scenarios,) if isinstance(scenarios, Scenario) else tuple(scenarios)
    if not scenarios:
        raise InputError("no-scenarios", "nothing to simulate: no scenarios given")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise InputError("duplicate-scenario", "scenario names must differ", path="name")
    if runs is not None and (isinstance(runs, bool) or not isinstance(runs, int) or runs < 1):
        raise InputError("bad-runs", f"runs must be a positive integer, got {runs!r}", path="runs")
    counts = [runs or s.runs for s in scenarios]
    # The ecosystems first: a bad data directory fails before any file is written.
    inputs = {i: s.inputs() for i, s in enumerate(scenarios)}
    if isinstance(executor, str) and executor not in ("processes", "serial"):
        raise InputError("unknown-executor", f"unknown executor {executor!r}", path="executor")
    results: dict[tuple[int, int], np.ndarray] = {}
    writer = None
    if out is not None:
        writer = _ResultsWriter(Path(out), scenarios, if_exists)
        results.update(writer.existing)
    todo = {
        i: [r for r in range(counts[i]) if (i, r) not in results] for i in range(len(scenarios))
    }
    total = sum(counts)
    n_todo = sum(len(v) for v in todo.values())

    own_pool = None
    slots = workers or os.cpu_count() or 1
    if executor is None:
        work = sum(len(todo[i]) * (s.params.months + 1) * inputs[i].n_coops
                   for i, s in enumerate(scenarios))
        executor = choose_executor(work, slots)
    pool: Any = None if executor == "serial" else executor
    if _is_dask_client(pool):
        slots = max(1, sum(w.get("nthreads", 1) for w in pool.scheduler_info()["workers"].values()))
    size = batch_size or max(1, min(25, math.ceil(n_todo / (4 * slots))))
    tasks = [_Task(i, b) for i, todo_i in todo.items() for b in _batches(todo_i, size)]

    close_bar: Callable[[], None] | None = None
    if progress is True:
        progress, close_bar = progress_bar(total)
    callback: Progress | None = progress or None
    done = total - n_todo

    def finish(task: _Task, arrays: np.ndarray) -> None:
        nonlocal done
        for run, arr in zip(task.runs, arrays):
            results[(task.scenario, run)] = arr
            if writer is not None:
                writer.append(scenarios[task.scenario].name, run, arr)
        if writer is not None:
            writer.flush()
        done += len(task.runs)
        if callback is not None:
            callback(done, total)

    futures: list[Any] = []
    try:
        if callback is not None:
            callback(done, total)
        if executor == "processes":
            own_pool = pool = cf.ProcessPoolExecutor(max_workers=slots)
        if pool is None:
            for task in tasks:
                s = scenarios[task.scenario]
                finish(task, _simulate_batch(inputs[task.scenario], s.params, s.seed, task.runs))
        elif _is_dask_client(pool):
            # optional: distributed (the dask extra), only for a Dask client
            from distributed import as_completed

            by_future = {}
            for task in tasks:
                s = scenarios[task.scenario]
                fut = pool.submit(_simulate_batch, inputs[task.scenario], s.params, s.seed,
                                  task.runs, pure=False)
                by_future[fut] = task
            futures = list(by_future)
            for fut in as_completed(futures):
                finish(by_future[fut], fut.result())
        else:
            by_future = {
                pool.submit(_simulate_batch, inputs[t.scenario], scenarios[t.scenario].params,
                            scenarios[t.scenario].seed, t.runs): t
                for t in tasks
            }
            futures = list(by_future)
            for fut in cf.as_completed(futures):
                finish(by_future[fut], fut.result())
    except BaseException:
        # Stop what has not started; the finished runs are already on disk.
        for fut in futures:
            fut.cancel()
        if own_pool is not None:
            own_pool.shutdown(wait=False, cancel_futures=True)
            own_pool = None
        raise
    finally:
        if own_pool is not None:
            own_pool.shutdown()
        if writer is not None:
            writer.close()
        if close_bar is not None:
            close_bar()
    return _tidy(scenarios, counts, results)


def _tidy(
    scenarios: Sequence[Scenario], counts: Sequence[int],
    results: dict[tuple[int, int], np.ndarray],
) -> pd.DataFrame:
    frames = []
    n_metrics = len(METRICS)
    for i, scenario in enumerate(scenarios):
        n_runs, n_periods = counts[i], scenario.params.months + 1
        if n_runs == 0:
            continue
        values = np.stack([results[(i, r)] for r in range(n_runs)])
        frames.append(pd.DataFrame({
            "run": np.repeat(np.arange(n_runs), n_periods * n_metrics),
            "period": np.tile(np.repeat(np.arange(n_periods), n_metrics), n_runs),
            "scenario": scenario.name,
            "metric": np.tile(np.array(METRICS, dtype=object), n_runs * n_periods),
            "value": values.reshape(-1),
        }))
    return pd.concat(frames, ignore_index=True)


# --- the results file ----------------------------------------------------------


def manifest_path(out: Path) -> Path:
    """The scenarios behind a results file, next to it (``results.csv.scenarios.json``)."""
    return out.with_name(out.name + ".scenarios.json")


def _describe(scenario: Scenario) -> dict[str, Any]:
    return {
        "name": scenario.name, "model": scenario.model, "seed": str(scenario.seed),
        "params": asdict(scenario.params), "ecosystem": asdict(scenario.ecosystem),
        "model_changes": [list(c) for c in scenario.model_changes],
    }


def _atomic_write(path: Path, text: str) -> None:
    write_atomically(path, text.encode("utf-8"), overwrite=True)


class _ResultsWriter:
    """Appends one block of CSV rows per finished run; resumes a partial file."""

    def __init__(self, path: Path, scenarios: Sequence[Scenario], if_exists: str) -> None:
        if if_exists not in ("error", "resume", "overwrite"):
            raise InputError("bad-if-exists", f"if_exists must be error, resume or overwrite, "
                             f"got {if_exists!r}", path="if_exists")
        self.path = path
        self.scenarios = {s.name: s for s in scenarios}
        self.existing: dict[tuple[int, int], np.ndarray] = {}
        manifest = {"columns": list(TIDY_COLUMNS), "metrics": list(METRICS),
                    "scenarios": [_describe(s) for s in scenarios]}
        # As it reads back from the file (tuples become lists), for comparing on resume.
        manifest = json.loads(json.dumps(manifest))
        exists = path.exists()
        if exists and if_exists == "error":
            raise ResultsFileError(
                "output-exists", f"{path} exists: resume it or choose to overwrite it",
                path=str(path),
            )
        if exists and if_exists == "resume":
            self._resume(manifest)
        else:
            _atomic_write(path, ",".join(TIDY_COLUMNS) + "\n")
        _atomic_write(manifest_path(path), json.dumps(manifest, indent=2) + "\n")
        # Kept open while runs arrive (one flushed block each); close() ends it.
        self._fh = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._fh, lineterminator="\n")

    def _resume(self, manifest: dict[str, Any]) -> None:
        previous_file = manifest_path(self.path)
        if previous_file.exists():
            previous = json.loads(previous_file.read_text(encoding="utf-8"))
            before = {s["name"]: s for s in previous.get("scenarios", [])}
            for now in manifest["scenarios"]:
                then = before.get(now["name"])
                if then is not None and then != now:
                    raise ResultsFileError(
                        "resume-mismatch",
                        f"{self.path}: scenario {now['name']!r} differs from the one the file "
                        "was started with (model, seed or parameters)", path=now["name"],
                    )
        raw = self.path.read_bytes()
        header = (",".join(TIDY_COLUMNS) + "\n").encode()
        if not raw.startswith(header):
            raise ResultsFileError("not-a-results-file",
                                   f"{self.path} is not a results file of this tool",
                                   path=str(self.path))
        # A run cut off half-way (the process was killed while writing) is
        # dropped and simulated again: only complete runs count.
        text = raw[: raw.rfind(b"\n") + 1].decode("utf-8")
        frame = pd.read_csv(io.StringIO(text), **_CSV_OPTIONS)
        unknown = sorted(set(frame["scenario"]) - set(self.scenarios))
        if unknown:
            raise ResultsFileError(
                "resume-mismatch", f"{self.path} holds runs of other scenarios: {unknown[0]!r}",
                path=unknown[0],
            )
        index = {name: i for i, name in enumerate(self.scenarios)}
        keep = []
        for (name, run), rows in frame.groupby(["scenario", "run"], sort=False):
            months = self.scenarios[name].params.months
            if len(rows) != (months + 1) * len(METRICS):
                continue
            table = rows.pivot(index="period", columns="metric", values="value")
            if list(table.index) != list(range(months + 1)) or set(table.columns) != set(METRICS):
                continue
            self.existing[(index[name], int(run))] = table[list(METRICS)].to_numpy(dtype=float)
            keep.append(rows)
        cleaned = pd.concat(keep) if keep else frame.iloc[:0]
        if len(cleaned) != len(frame) or len(text) != len(raw):
            _atomic_write(self.path, cleaned.to_csv(index=False, lineterminator="\n",
                                                    float_format=None))

    def append(self, scenario: str, run: int, values: np.ndarray) -> None:
        rows = [
            (run, period, scenario, metric, repr(float(v)))
            for period, row in enumerate(values)
            for metric, v in zip(METRICS, row)
        ]
        self._csv.writerows(rows)

    def flush(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()


def require_parquet() -> None:
    """Refuse Parquet in one coded error when pyarrow (the ``parquet`` extra) is missing."""
    if importlib.util.find_spec("pyarrow") is None:
        raise InputError("parquet-missing",
                         "Parquet needs pyarrow: pip install 'coopcreds[parquet]'")


def write_parquet(results: pd.DataFrame, path: str | os.PathLike[str], *,
                  overwrite: bool = False) -> Path:
    """The tidy results as a Parquet file (columns and types as :func:`read_results` gives),
    written atomically; an existing file is replaced only with ``overwrite``."""
    require_parquet()
    if list(results.columns) != list(TIDY_COLUMNS):
        raise ResultsFileError("not-a-results-file", "only the tidy results table "
                               f"({', '.join(TIDY_COLUMNS)}) is written as Parquet")
    buffer = io.BytesIO()
    results.to_parquet(buffer, engine="pyarrow", index=False)
    target = Path(path)
    if target.exists() and not overwrite:
        raise ResultsFileError("output-exists", f"{target} exists: choose to overwrite it",
                               path=str(target))
    write_atomically(target, buffer.getvalue(), overwrite=overwrite)
    return target


def read_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A results file (CSV, or Parquet for a ``.parquet`` name) as the tidy DataFrame
    (sorted by scenario as first seen, run, period)."""
    if str(path).lower().endswith(".parquet"):
        require_parquet()
        frame = pd.read_parquet(path, engine="pyarrow")
    else:
        frame = pd.read_csv(path, **_CSV_OPTIONS)
    if list(frame.columns) != list(TIDY_COLUMNS):
        raise ResultsFileError("not-a-results-file", f"{path} is not a results file of this tool",
                               path=str(path))
    order = {name: i for i, name in enumerate(pd.unique(frame["scenario"]))}
    metric_order = {m: i for i, m in enumerate(METRICS)}
    keys = pd.DataFrame({
        "s": frame["scenario"].map(order), "r": frame["run"], "p": frame["period"],
        "m": frame["metric"].map(metric_order),
    })
    return frame.loc[keys.sort_values(["s", "r", "p", "m"], kind="stable").index].reset_index(
        drop=True
    )


# --- summaries ---------------------------------------------------------------


def summarise(results: pd.DataFrame, *, band: tuple[float, float] = DEFAULT_BAND) -> pd.DataFrame:
    """Mean, median and a quantile band over runs: scenario, metric, period, mean, median, low, high, runs.

    >>> df = pd.DataFrame({"run": [0, 1, 2], "period": 0, "scenario": "s", "metric": "m",
    ...                    "value": [1.0, 2.0, 3.0]})
    >>> summarise(df, band=(0.0, 1.0))[["mean", "low", "high", "runs"]].values.tolist()
    [[2.0, 1.0, 3.0, 3.0]]
    """
    low, high = band
    if not 0 <= low < high <= 1:
        raise InputError("bad-band", f"band must be two quantiles 0 <= low < high <= 1, got {band}")
    grouped = results.groupby(["scenario", "metric", "period"], sort=False)["value"]
    out = grouped.agg(["mean", "median", "count"]).rename(columns={"count": "runs"})
    out["low"] = grouped.quantile(low)
    out["high"] = grouped.quantile(high)
    out["runs"] = out["runs"].astype(float)
    return out[["mean", "median", "low", "high", "runs"]].reset_index()


def final_period(results: pd.DataFrame) -> pd.DataFrame:
    """Each scenario's rows at its last period."""
    last = results.groupby("scenario", sort=False)["period"].transform("max")
    return results[results["period"] == last]


def compare_scenarios(
    results: pd.DataFrame, *, metrics: Sequence[str] | None = None, period: int | None = None,
    band: tuple[float, float] = DEFAULT_BAND,
) -> pd.DataFrame:
    """Scenarios side by side at one period (default: the last): mean and band per metric.

    One row per scenario; columns ``(metric, statistic)`` with statistic in
    mean, low, high; plus ``months_to_half``, the median month in which half
    the co-ops had adopted (NaN if most runs never got there).
    """
    rows = final_period(results) if period is None else results[results["period"] == period]
    if metrics is not None:
        rows = rows[rows["metric"].isin(metrics)]
    grouped = rows.groupby(["scenario", "metric"], sort=False)["value"]
    table = pd.DataFrame({
        "mean": grouped.mean(), "low": grouped.quantile(band[0]), "high": grouped.quantile(band[1]),
    }).unstack("metric")
    table = table.swaplevel(axis=1)
    order = [m for m in METRICS if m in table.columns.get_level_values(0)]
    table = table[[(m, s) for m in order for s in ("mean", "low", "high")]]
    table[("months_to_half", "median")] = months_to_share(results, 0.5)
    scenario_order = list(pd.unique(results["scenario"]))
    return table.loc[[s for s in scenario_order if s in table.index]]


def months_to_share(results: pd.DataFrame, share: float) -> pd.Series:
    """Median (over runs) of the first month with ``adoption_share >= share``, per scenario."""
    adoption = results[results["metric"] == "adoption_share"]
    reached = adoption[adoption["value"] >= share]
    first = reached.groupby(["scenario", "run"], sort=False)["period"].min()
    runs = adoption.groupby("scenario", sort=False)["run"].nunique()
    out = {}
    for scenario, n_runs in runs.items():
        months = first.get(scenario, pd.Series(dtype=float))
        # Runs that never reach the share count as "later than the horizon".
        padded = np.concatenate([months.to_numpy(float), np.full(n_runs - len(months), np.inf)])
        median = float(np.median(padded))
        out[scenario] = median if np.isfinite(median) else float("nan")
    return pd.Series(out, name="months_to_share", dtype=float)


# --- sensitivity ---------------------------------------------------------------


def sensitivity(
    scenario: Scenario,
    *,
    parameters: Sequence[str] = SENSITIVITY_PARAMS,
    change: float = 0.2,
    metric: str = "interactions",
    period: int | None = None,
    runs: int | None = None,
    level: float = 0.95,
    **run_options: Any,
) -> pd.DataFrame:
    """One-at-a-time sensitivity: each parameter moved by -/+ ``change`` (a fraction).

    All variants share the scenario's seed and so their random numbers (common
    random numbers: run ``k`` of every variant draws the same adoption numbers),
    so each run gives a paired difference that is the parameter's effect, not
    noise. Returns the tornado data, biggest swing first: parameter, low_value,
    high_value, low_outcome, high_outcome, baseline (means over runs), swing
    (``high_outcome - low_outcome``) and ``swing_low``, ``swing_high``: a
    ``level`` confidence interval of the swing from the runs' paired differences.
    """
    if not 0 < change < 1:
        raise InputError("bad-sensitivity-change",
                         f"change must be a fraction in (0, 1), got {change}", path="change")
    if metric not in METRICS:
        raise InputError("unknown-metric", f"unknown metric {metric!r}", path="metric")
    if not 0 < level < 1:
        raise InputError("bad-band", f"level must be in (0, 1), got {level}", path="level")
    variants = [scenario]
    plan = []
    for name in parameters:
        if name not in PARAM_FIELDS:
            raise InputError("unknown-parameter", f"no growth parameter {name!r}", path=name)
        value = getattr(scenario.params, name)
        low, high = value * (1 - change), value * (1 + change)
        if name in PROBABILITY_FIELDS:
            high = min(high, 1.0)
        plan.append((name, low, high))
        for tag, v in (("low", low), ("high", high)):
            variants.append(replace(scenario, name=f"{scenario.name} | {name} {tag}",
                                    params=replace(scenario.params, **{name: v})))
    results = run_scenarios(variants, runs=runs, **run_options)
    rows = final_period(results) if period is None else results[results["period"] == period]
    per_run = rows[rows["metric"] == metric].pivot(index="run", columns="scenario", values="value")
    baseline = float(per_run[scenario.name].mean())
    n_runs = len(per_run)
    t = t_quantile(0.5 + level / 2, n_runs - 1) if n_runs > 1 else math.nan
    table_rows = []
    for name, low, high in plan:
        lo, hi = per_run[f"{scenario.name} | {name} low"], per_run[f"{scenario.name} | {name} high"]
        paired = (hi - lo).to_numpy(dtype=float)
        spread = t * paired.std(ddof=1) / math.sqrt(n_runs) if n_runs > 1 else math.nan
        table_rows.append({
            "parameter": name, "low_value": low, "high_value": high,
            "low_outcome": float(lo.mean()), "high_outcome": float(hi.mean()),
            "baseline": baseline, "swing": float(paired.mean()),
            "swing_low": float(paired.mean() - spread), "swing_high": float(paired.mean() + spread),
        })
    table = pd.DataFrame(table_rows)
    order = table["swing"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order].reset_index(drop=True)


def t_quantile(p: float, df: int) -> float:
    """Student's t quantile (Cornish-Fisher expansion around the normal one; within 0.01
    of the exact value from 3 degrees of freedom, 0.0001 from 30). Kept free of
    scipy.stats, whose import alone would double the memory a command needs.

    >>> round(t_quantile(0.975, 59), 3), round(t_quantile(0.975, 5), 2)
    (2.001, 2.57)
    """
    z = statistics.NormalDist().inv_cdf(p)
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4))


def params_table(scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """The scenarios' models and growth parameters, one row per scenario."""
    return pd.DataFrame(
        [{"scenario": s.name, "model": s.model, "runs": s.runs,
          **{f.name: getattr(s.params, f.name) for f in fields(s.params)}} for s in scenarios]
    ).set_index("scenario")


def cost_per_coop_by_year(
    results: pd.DataFrame, scenarios: Sequence[Scenario], *, years: Sequence[int] = (1, 3, 5, 10),
) -> pd.DataFrame:
    """Running cost per participating co-op as each scenario grows: what the runs signed, priced.

    For each scenario, year and run: the co-ops that have adopted and the
    agreements the run has signed by then (the ``agreements`` metric, counted as
    the graph and the cost models count them, :mod:`.agreements`); issuers,
    verifiers and registries for that many co-ops (:func:`~.costs.counts_for`),
    all priced with the model's cost parameters. The median over runs is
    reported. Columns: scenario, model, year, coops, agreements,
    running_per_coop, first_year_per_coop.
    """
    wide = results[results["metric"].isin(["adopted_coops", "agreements"])].pivot_table(
        index=["scenario", "period", "run"], columns="metric", values="value", sort=False)
    rows = []
    for scenario in scenarios:
        model = load_model(scenario.model)
        if scenario.model_changes:
            model = model.with_changes(**{
                k: list(v) if isinstance(v, tuple) else v for k, v in scenario.model_changes
            })
        for year in years:
            period = 12 * year
            if (scenario.name, period) not in wide.index.droplevel("run"):
                continue
            runs = wide.loc[(scenario.name, period)]
            priced = []
            for coops, agreements in zip(runs["adopted_coops"], runs["agreements"]):
                counts = {**counts_for(model, max(1, round(coops))),
                          "agreements": round(agreements)}
                priced.append(price(model, counts))
            frame = pd.DataFrame(priced)
            rows.append({
                "scenario": scenario.name, "model": scenario.model, "year": year,
                "coops": round(float(runs["adopted_coops"].median())),
                "agreements": round(float(runs["agreements"].median())),
                "running_per_coop": float(frame["running_per_coop"].median()),
                "first_year_per_coop": float(frame["first_year_per_coop"].median()),
            })
    return pd.DataFrame(rows)
