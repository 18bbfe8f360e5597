"""Growth fitted to data: Bass innovation, imitation and market size from observed adoption.

The simulation's co-op adoption, fully mixed, is the **discrete monthly Bass map**

    F[t+1] = F[t] + (1 - F[t]) (p + (1 - p) q F[t])

(``F`` the share adopted, ``p`` innovation, ``q`` imitation, per month), not
the **continuous Bass curve** ``F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})``.
The map counts a month's adopters at the end of the month (half a step) and
lets them react only to the share adopted at its start, so it runs behind the
curve: at the documented defaults (p = 0.0025, q = 0.0317) new adoption peaks
in month 75.5 of the map against 74.3 on the curve:

>>> round(peak_month_map(0.0025, 0.0317), 1), round(peak_month_curve(0.0025, 0.0317), 1)
(75.5, 74.3)

:func:`fit_bass` fits ``p``, ``q`` and (when it is not known) the market size
``m`` to an observed series of cumulative adopters per month (co-ops or
members), by least squares on the monthly new adopters, and refits series
drawn from the fit (a parametric bootstrap) to give each an interval; :func:`project` carries the bootstrap's
parameter sets forward into projection bands. A sample series, with its
provenance, is ``data/ecosystem/observed_adoption.csv`` (:func:`load_observed`).

>>> observed = simulate_adoption(0.01, 0.12, 400, months=60, seed=3)
>>> fit = fit_bass(observed, bootstrap=20, seed=1)
>>> fit.interval("imitation")[0] < 0.12 < fit.interval("imitation")[1]
True
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import least_squares

from ..bounded_read import read_bounded
from ..errors import InputError
from .data import default_data_dir

OBSERVED_FILE = "observed_adoption.csv"
MAX_OBSERVED_BYTES = 1_000_000
PARAMETERS = ("innovation", "imitation", "market")


def bass_map(p: float, q: float, months: int, *, start: float = 0.0) -> np.ndarray:
    """The discrete monthly Bass map: the share adopted at months 0..``months``."""
    share = np.empty(months + 1)
    share[0] = start
    for t in range(months):
        f = share[t]
        share[t + 1] = f + (1.0 - f) * (p + (1.0 - p) * q * f)
    return share


def bass_curve(p: float, q: float, t: np.ndarray | float) -> np.ndarray:
    """The continuous Bass curve ``F(t)`` (share adopted at time ``t`` in months, from 0)."""
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - decay) / (1.0 + (q / p) * decay)


def peak_month_curve(p: float, q: float) -> float:
    """When the continuous curve's new adoption peaks: ``ln(q/p) / (p + q)``."""
    return float(np.log(q / p) / (p + q))


def peak_month_map(p: float, q: float, *, horizon: int = 2000) -> float:
    """When the map's new adoption peaks, a month's adopters placed at its middle
    (the vertex of a parabola through the three highest months)."""
    new = np.diff(bass_map(p, q, horizon))
    top = int(np.argmax(new))
    if 0 < top < len(new) - 1:
        y0, y1, y2 = new[top - 1:top + 2]
        offset = 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
    else:
        offset = 0.0
    return float(top + offset + 0.5)


def simulate_adoption(
    p: float, q: float, market: int, *, months: int, seed: int | np.random.SeedSequence,
    start: int = 0,
) -> np.ndarray:
    """Cumulative adopters of ``market`` units drawn month by month from the map's
    probabilities (binomial): a series as the model would generate it."""
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(sequence)
    adopted = np.empty(months + 1, dtype=np.int64)
    adopted[0] = start
    for t in range(months):
        f = adopted[t] / market
        chance = p + (1.0 - p) * q * f
        adopted[t + 1] = adopted[t] + rng.binomial(market - adopted[t], chance)
    return adopted


@dataclass(frozen=True, eq=False)
class BassFit:
    """A fitted Bass map and its bootstrap.

    ``innovation``, ``imitation``, ``market``: the least-squares estimates;
    ``samples``: one row (innovation, imitation, market) per bootstrap refit;
    ``observed``: the series fitted; ``level``: the intervals' coverage; ``seed``:
    the bootstrap's seed (kept, so the fit can be repeated).
    """

    innovation: float
    imitation: float
    market: float
    samples: np.ndarray
    observed: np.ndarray
    level: float
    seed: int
    market_known: bool

    def interval(self, name: str) -> tuple[float, float]:
        """The bootstrap interval of one parameter (innovation, imitation or market)."""
        if name not in PARAMETERS:
            raise InputError("unknown-parameter", f"no Bass parameter {name!r} (one of "
                             f"{', '.join(PARAMETERS)})", path=name)
        column = self.samples[:, PARAMETERS.index(name)]
        tail = (1.0 - self.level) / 2
        low, high = np.quantile(column, [tail, 1.0 - tail])
        return float(low), float(high)

    def table(self) -> pd.DataFrame:
        """The estimates with their intervals: parameter, estimate, low, high."""
        rows = []
        for name in PARAMETERS:
            low, high = self.interval(name)
            rows.append({"parameter": name, "estimate": getattr(self, name),
                         "low": low, "high": high})
        return pd.DataFrame(rows).set_index("parameter")


def _path(params: np.ndarray, start: float, months: int, market: float | None) -> np.ndarray:
    p, q = params[0], params[1]
    m = market if market is not None else params[2]
    return m * bass_map(p, q, months, start=min(start / m, 1.0))


def _fit(observed: np.ndarray, market: float | None, guess: np.ndarray) -> np.ndarray:
    months = len(observed) - 1
    new = np.diff(observed)

    def residuals(params: np.ndarray) -> np.ndarray:
        return np.diff(_path(params, observed[0], months, market)) - new

    top = max(float(observed[-1]), 1.0)
    if market is None:
        lower, upper = [1e-6, 0.0, top], [0.5, 2.0, 100.0 * top]
        x0 = np.clip(guess, lower, [u * 0.999 for u in upper])
    else:
        lower, upper = [1e-6, 0.0], [0.5, 2.0]
        x0 = np.clip(guess[:2], lower, [u * 0.999 for u in upper])
    return least_squares(residuals, x0, bounds=(lower, upper), method="trf").x


def fit_bass(
    observed: Sequence[float] | np.ndarray | pd.Series,
    *,
    market: float | None = None,
    bootstrap: int = 200,
    level: float = 0.95,
    seed: int | None = None,
) -> BassFit:
    """Fit the monthly Bass map to cumulative adopters per month (month 0 first).

    ``market``: the number that could adopt, if known (else it is fitted too).
    The intervals come from a parametric bootstrap: ``bootstrap`` series drawn
    from the fitted map as the model makes them (each month's adopters a
    binomial draw) and fitted again, seeded with ``seed`` (default: a fresh seed
    from the operating system, kept in the fit).
    """
    series = np.asarray(observed, dtype=float)
    if series.ndim != 1 or len(series) < 6 or not np.isfinite(series).all():
        raise InputError("bad-observed-series", "the observed series needs at least 6 months "
                         "of finite cumulative counts", path="observed")
    if (np.diff(series) < 0).any() or series[0] < 0:
        raise InputError("bad-observed-series", "cumulative adopters never fall and are >= 0",
                         path="observed")
    if market is not None and market < series[-1]:
        raise InputError("bad-observed-series", f"the market ({market}) is smaller than the "
                         f"adopters observed ({series[-1]:.0f})", path="market")
    if bootstrap < 10 or not 0 < level < 1:
        raise InputError("bad-observed-series", "bootstrap needs >= 10 refits and level in (0, 1)",
                         path="bootstrap")
    seed = secrets.randbits(128) if seed is None else seed
    guess = np.array([0.01, 0.1, 2.0 * max(series[-1], 1.0)])
    best = _fit(series, market, guess)
    months = len(series) - 1
    # A parametric bootstrap: series drawn from the fitted map, month by month,
    # as the model would make them (binomial adoption), then fitted again.
    size = round(market if market is not None else best[2])
    children = np.random.SeedSequence(seed).spawn(bootstrap)
    samples = []
    for child in children:
        rebuilt = simulate_adoption(best[0], best[1], size, months=months,
                                    seed=child, start=round(series[0]))
        refit = _fit(rebuilt.astype(float), market, best)
        samples.append([refit[0], refit[1], market if market is not None else refit[2]])
    return BassFit(
        innovation=float(best[0]), imitation=float(best[1]),
        market=float(market if market is not None else best[2]),
        samples=np.array(samples), observed=series, level=level, seed=seed,
        market_known=market is not None,
    )


def project(fit: BassFit, months: int) -> pd.DataFrame:
    """Cumulative adopters projected from month 0 to ``months`` with the fit's uncertainty.

    Each bootstrap parameter set is run forward from the first observed month;
    columns: period, estimate (the best fit), low and high (the fit's ``level``
    band over the bootstrap), observed (NaN past the data).
    """
    start = fit.observed[0]
    best = _path(np.array([fit.innovation, fit.imitation, fit.market]), start, months, None)
    paths = np.array([_path(sample, start, months, None) for sample in fit.samples])
    tail = (1.0 - fit.level) / 2
    low, high = np.quantile(paths, [tail, 1.0 - tail], axis=0)
    observed = np.full(months + 1, np.nan)
    shown = min(len(fit.observed), months + 1)
    observed[:shown] = fit.observed[:shown]
    return pd.DataFrame({"period": np.arange(months + 1), "estimate": best, "low": low,
                         "high": high, "observed": observed})


def load_observed(path: str | Path | None = None) -> pd.DataFrame:
    """The sample observed adoption series (``data/ecosystem/observed_adoption.csv``):
    columns month, adopted_coops."""
    source = default_data_dir() / OBSERVED_FILE if path is None else Path(path)
    frame = pd.read_csv(io.BytesIO(read_bounded(source, MAX_OBSERVED_BYTES,
                                                what="observed series")))
    if list(frame.columns) != ["month", "adopted_coops"]:
        raise InputError("bad-observed-series", f"{source}: expected columns month, "
                         "adopted_coops", path=str(source))
    return frame
