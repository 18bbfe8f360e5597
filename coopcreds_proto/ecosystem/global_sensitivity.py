"""Global sensitivity: Sobol indices of the growth parameters, with confidence intervals (SALib).

The one-at-a-time tornado (:func:`~.runner.sensitivity`) moves one parameter
while the others stay at the baseline; Sobol indices move all of them at once
over their ranges and split the outcome's variance between them: ``S1`` is the
share a parameter explains alone, ``ST`` the share it explains with its
interactions with the others. A parameter with ``ST`` near zero can be fixed
anywhere in its range.

Every parameter point runs the same seeded runs (common random numbers), so
the variance split is the parameters', not the runs' noise. Needs SALib (the
``sensitivity`` extra: ``pip install 'coopcreds[sensitivity]'``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .runner import SENSITIVITY_PARAMS
from .scenarios import Scenario
from .simulation import METRICS, PROBABILITY_FIELDS, simulate_runs


def sobol_indices(
    scenario: Scenario,
    *,
    parameters: Sequence[str] = SENSITIVITY_PARAMS,
    change: float = 0.2,
    base_samples: int = 64,
    runs: int = 4,
    metric: str = "interactions",
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """First-order and total Sobol indices of ``metric`` at the last month.

    Each parameter ranges over -/+ ``change`` around the scenario's value; the
    Sobol sequence draws ``base_samples`` x (parameters + 2) points (a power of
    two for ``base_samples``), each simulated ``runs`` times with the scenario's
    seed, the outcome being their mean. Returns parameter, S1, S1_low, S1_high,
    ST, ST_low, ST_high (``level`` bootstrap intervals, SALib's), largest ST first.
    """
    try:
        # optional: SALib (the sensitivity extra), only for Sobol indices
        from SALib.analyze import sobol as analyse
        from SALib.sample import sobol as sample
    except ImportError:
        raise InputError("salib-missing", "global sensitivity needs SALib: "
                         "pip install 'coopcreds[sensitivity]'") from None
    names = [f.name for f in fields(scenario.params)]
    for name in parameters:
        if name not in names or name == "months":
            raise InputError("unknown-parameter", f"no growth parameter {name!r}", path=name)
    if metric not in METRICS:
        raise InputError("unknown-metric", f"unknown metric {metric!r}", path="metric")
    if not 0 < level < 1:
        raise InputError("bad-band", f"level must be in (0, 1), got {level}", path="level")
    if not 0 < change < 1 or base_samples < 2 or base_samples & (base_samples - 1):
        raise InputError("bad-sensitivity-change", "change must be in (0, 1) and base_samples "
                         "a power of two", path="base_samples")
    bounds = []
    for name in parameters:
        value = getattr(scenario.params, name)
        high = value * (1 + change)
        bounds.append([value * (1 - change), min(high, 1.0) if name in PROBABILITY_FIELDS
                       else high])
    problem = {"num_vars": len(parameters), "names": list(parameters), "bounds": bounds}
    points = sample.sample(problem, base_samples, calc_second_order=False, seed=seed)
    inputs = scenario.inputs()
    column = METRICS.index(metric)
    outcome = np.empty(len(points))
    for i, point in enumerate(points):
        changes: dict[str, Any] = dict(zip(parameters, map(float, point)))
        params = replace(scenario.params, **changes)
        runs_out = simulate_runs(inputs, params, seed=scenario.seed, runs=range(runs))
        outcome[i] = runs_out[:, -1, column].mean()
    result = analyse.analyze(problem, outcome, calc_second_order=False, conf_level=level,
                             seed=seed)
    table = pd.DataFrame({
        "parameter": list(parameters),
        "S1": result["S1"], "S1_low": result["S1"] - result["S1_conf"],
        "S1_high": result["S1"] + result["S1_conf"],
        "ST": result["ST"], "ST_low": result["ST"] - result["ST_conf"],
        "ST_high": result["ST"] + result["ST_conf"],
    })
    return table.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)

