"""Growth plots for a co-op board: curves with bands, scenarios side by side, tornado.

Every function takes the tidy results of :func:`~.runner.run_scenarios` (or the
tornado table of :func:`~.runner.sensitivity`), draws on ``ax`` if given (else
on a new pyplot figure) and returns the matplotlib ``Figure``. Colours are the
Okabe-Ito palette, readable with the common colour-vision deficiencies.

>>> import pandas as pd
>>> df = pd.DataFrame({"run": [0, 0, 1, 1], "period": [0, 1, 0, 1], "scenario": "s",
...                    "metric": "adopted_coops", "value": [1.0, 3.0, 1.0, 5.0]})
>>> fig = plot_growth(df, "adopted_coops")
>>> fig.axes[0].get_xlabel()
'Years since launch'
>>> import matplotlib.pyplot as plt; plt.close(fig)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..palette import colours
from .runner import DEFAULT_BAND, final_period, summarise

# Okabe & Ito (2008), "Color Universal Design": safe for colour-blind readers.
PALETTE = colours("okabe_ito")
_GREYS = colours("greys")
METRIC_LABELS = {
    "adopted_coops": "Co-ops that have adopted",
    "adoption_share": "Share of co-ops that have adopted",
    "wallet_holders": "Members holding the credential",
    "interactions": "Interactions per month",
    "agreements": "Recognition agreements",
}
PARAM_LABELS = {
    "innovation": "Innovation rate (p)",
    "imitation": "Imitation rate (q)",
    "initial_share": "Early adopters",
    "wallet_innovation": "Wallet uptake (own)",
    "wallet_imitation": "Wallet uptake (recognition)",
    "interactions_per_member": "Interactions per member",
    "agreement_rate": "Agreements negotiated per month",
}
# Line styles as well as colours: scenarios stay apart in grey print, and a
# scenario hidden under another (same numbers) still shows its dashes.
LINESTYLES = ("-", "--", "-.", ":")
MONTHS_PER_YEAR = 12


def _axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.2)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure.figure, ax  # the root Figure, also for an Axes in a subfigure

    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _scenarios(results: pd.DataFrame, scenarios: Sequence[str] | None) -> list[str]:
    present = list(pd.unique(results["scenario"]))
    if scenarios is None:
        return present
    missing = [s for s in scenarios if s not in present]
    if missing:
        raise KeyError(f"no results for scenario {missing[0]!r}")
    return list(scenarios)


def label(metric: str) -> str:
    """The axis label of a metric (its name if it has none)."""
    return METRIC_LABELS.get(metric, metric.replace("_", " "))


def plot_growth(
    results: pd.DataFrame,
    metric: str = "adopted_coops",
    *,
    scenarios: Sequence[str] | None = None,
    band: tuple[float, float] = DEFAULT_BAND,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Median growth curve of ``metric`` per scenario with a shaded quantile band."""
    fig, ax = _axes(ax)
    rows = results[results["metric"] == metric]
    summary = summarise(rows, band=band)
    for i, name in enumerate(_scenarios(results, scenarios)):
        part = summary[summary["scenario"] == name].sort_values("period")
        years = part["period"].to_numpy() / MONTHS_PER_YEAR
        colour = PALETTE[i % len(PALETTE)]
        ax.fill_between(years, part["low"], part["high"], color=colour, alpha=0.2, linewidth=0)
        ax.plot(years, part["median"], color=colour, linewidth=2, label=name,
                linestyle=LINESTYLES[i % len(LINESTYLES)])
    ax.set_xlabel("Years since launch")
    ax.set_ylabel(label(metric))
    low, high = band
    ax.set_title(title or f"{label(metric)}: median and {low:.0%}-{high:.0%} band of runs")
    ax.grid(alpha=0.3)
    ax.legend(title="Scenario", frameon=False)
    ax.set_xlim(left=0)
    return fig


def plot_scenario_comparison(
    results: pd.DataFrame,
    metric: str = "interactions",
    *,
    period: int | None = None,
    scenarios: Sequence[str] | None = None,
    band: tuple[float, float] = DEFAULT_BAND,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """One bar per scenario: mean ``metric`` at ``period`` (default: last) with its band."""
    fig, ax = _axes(ax)
    rows = final_period(results) if period is None else results[results["period"] == period]
    rows = rows[rows["metric"] == metric]
    names = _scenarios(results, scenarios)
    grouped = rows.groupby("scenario")["value"]
    mean = grouped.mean().reindex(names)
    low = grouped.quantile(band[0]).reindex(names)
    high = grouped.quantile(band[1]).reindex(names)
    y = np.arange(len(names))[::-1]
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(names))]
    ax.barh(y, mean, color=colours, height=0.6)
    ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="none", ecolor=_GREYS["dark"],
                capsize=4, linewidth=1)
    ax.set_yticks(y, names)
    ax.set_xlabel(label(metric))
    when = "at the end" if period is None else f"after {period} months"
    ax.set_title(title or f"{label(metric)} {when} (mean, bars: {band[0]:.0%}-{band[1]:.0%})")
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_tornado(
    tornado: pd.DataFrame,
    *,
    metric: str = "interactions",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """The sensitivity (tornado) chart: outcome with each parameter moved down and up."""
    fig, ax = _axes(ax, size=(8.5, 4.2))
    table = tornado.iloc[::-1]  # biggest swing on top
    y = np.arange(len(table))
    base = float(table["baseline"].iloc[0]) if len(table) else 0.0
    lows = table["low_outcome"].to_numpy() - base
    highs = table["high_outcome"].to_numpy() - base
    ax.barh(y, lows, left=base, color=PALETTE[0], height=0.6, label="parameter lowered")
    ax.barh(y, highs, left=base, color=PALETTE[1], height=0.6, label="parameter raised")
    ax.axvline(base, color=_GREYS["dark"], linewidth=1)
    ax.set_yticks(y, [PARAM_LABELS.get(p, p) for p in table["parameter"]])
    ax.set_xlabel(f"{label(metric)} at the end (baseline {base:,.0f})")
    ax.set_title(title or "Which parameter moves the outcome most")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x", alpha=0.3)
    return fig


def plot_interactions_vs_users(
    results: pd.DataFrame,
    *,
    scenarios: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Value by interactions next to value by users: interactions against wallet holders.

    The dotted line grows with the square of the users (Metcalfe), drawn through
    the first scenario's end point. A curve that lies above it on the way grows
    more slowly than users squared: counting pairs of users overstates what
    each new member adds.
    """
    fig, ax = _axes(ax)
    summary = summarise(results[results["metric"].isin(["wallet_holders", "interactions"])])
    names = _scenarios(results, scenarios)
    reference: tuple[float, float] | None = None
    for i, name in enumerate(names):
        part = summary[summary["scenario"] == name].pivot(
            index="period", columns="metric", values="median"
        )
        users, interactions = part["wallet_holders"], part["interactions"]
        ax.plot(users, interactions, color=PALETTE[i % len(PALETTE)], linewidth=2, label=name,
                linestyle=LINESTYLES[i % len(LINESTYLES)])
        if reference is None and users.iloc[-1] > 0:
            reference = (float(users.iloc[-1]), float(interactions.iloc[-1]))
    if reference is not None and reference[1] > 0:
        xs = np.linspace(0, reference[0], 50)
        ax.plot(xs, reference[1] * (xs / reference[0]) ** 2, linestyle=(0, (1, 3)),
                color=_GREYS["mid"], linewidth=1.5, label="Metcalfe: grows with users²")
    ax.set_xlabel(label("wallet_holders"))
    ax.set_ylabel(label("interactions"))
    ax.set_title(title or "Interactions against users (median of runs)")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig


REFERENCE_LAWS = {
    "n": lambda n: n,
    "n log n": lambda n: n * np.log(n),
    "n²": lambda n: n ** 2,
}


def plot_interactions_scaling(
    results: pd.DataFrame,
    *,
    scenarios: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Interactions against users on log-log axes, with n, n log n and n² references.

    On log-log axes a power law is a straight line whose slope is its exponent:
    the reference lines (slopes 1, a little over 1, and 2) are drawn through the
    first scenario's end point, so a curve steeper than the n² line grows faster
    than Metcalfe's law and one close to the n line grows in proportion to the
    users. Months with no users or no interactions are left out (no logarithm).
    """
    fig, ax = _axes(ax)
    summary = summarise(results[results["metric"].isin(["wallet_holders", "interactions"])])
    names = _scenarios(results, scenarios)
    reference: tuple[float, float, float] | None = None
    for i, name in enumerate(names):
        part = summary[summary["scenario"] == name].pivot(
            index="period", columns="metric", values="median"
        )
        keep = (part["wallet_holders"] > 1) & (part["interactions"] > 0)
        users, interactions = part.loc[keep, "wallet_holders"], part.loc[keep, "interactions"]
        if users.empty:
            continue
        ax.plot(users, interactions, color=PALETTE[i % len(PALETTE)], linewidth=2, label=name,
                linestyle=LINESTYLES[i % len(LINESTYLES)])
        if reference is None:
            reference = (float(users.iloc[-1]), float(interactions.iloc[-1]), float(users.min()))
    if reference is not None:
        end_users, end_interactions, low = reference
        xs = np.geomspace(max(low, 2.0), end_users, 60)
        for j, (law, f) in enumerate(REFERENCE_LAWS.items()):
            ys = end_interactions * f(xs) / f(end_users)
            ax.plot(xs, ys, linestyle=(0, (1, 2 + j)), color=_GREYS["mid"], linewidth=1.2,
                    label=f"grows like {law}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(f"{label('wallet_holders')} (log scale)")
    ax.set_ylabel(f"{label('interactions')} (log scale)")
    ax.set_title(title or "Interactions against users, log-log (median of runs)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=8)
    return fig


def plot_projection(
    projection: pd.DataFrame,
    *,
    what: str = "co-ops that have adopted",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A fitted growth projection (:func:`~.growth_fit.project`): the observed months as
    dots, the best fit as a line, the band the fit's uncertainty leaves around it."""
    fig, ax = _axes(ax)
    x = projection["period"]
    ax.fill_between(x, projection["low"], projection["high"], color=PALETTE[0], alpha=0.2,
                    linewidth=0, label="fit's uncertainty (bootstrap band)")
    ax.plot(x, projection["estimate"], color=PALETTE[0], linewidth=2, label="best fit")
    seen = projection["observed"].notna()
    ax.plot(x[seen], projection.loc[seen, "observed"], "o", color=_GREYS["dark"], markersize=3,
            label="observed")
    ax.set_xlabel("month")
    ax.set_ylabel(what)
    ax.set_title(title or "Growth fitted to the observed months, and projected")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, loc="upper left")
    return fig


def growth_panel(results: pd.DataFrame, *, metrics: Sequence[str] = (
    "adopted_coops", "wallet_holders", "interactions", "agreements"), **kwargs: Any
) -> Figure:
    """Four growth curves in one figure (a dashboard for one or a few scenarios)."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), layout="constrained")
    for ax, metric in zip(axes.ravel(), metrics):
        plot_growth(results, metric, ax=ax, title=label(metric), **kwargs)
    return fig
