"""Growth plots and the interactive explorer."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

from coopcreds_proto.ecosystem.growth_plots import (
    PALETTE,
    growth_panel,
    plot_growth,
    plot_interactions_vs_users,
    plot_scenario_comparison,
    plot_tornado,
)
from coopcreds_proto.ecosystem.runner import run_scenarios, sensitivity
from coopcreds_proto.ecosystem.scenarios import EcosystemSource, Scenario
from coopcreds_proto.ecosystem.simulation import GrowthParams
from coopcreds_proto.widgets.ecosystem import GrowthExplorer

ECO = EcosystemSource.synthetic(30, sectors=3, federations=2, seed=9)
PARAMS = GrowthParams(months=24, innovation=0.01, imitation=0.2, initial_share=0.05)
SCENARIOS = (
    Scenario("hub", "convenor", PARAMS, ECO, runs=4, seed=1),
    Scenario("mesh", "peer-to-peer", PARAMS, ECO, runs=4, seed=1),
)


@pytest.fixture(scope="module")
def results():
    return run_scenarios(SCENARIOS, executor="serial")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_growth_curves_have_a_band_and_a_line_per_scenario(results):
    fig = plot_growth(results, "wallet_holders")
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["hub", "mesh"]
    assert len(ax.collections) == 2  # one shaded band each
    assert ax.get_ylabel() == "Members holding the credential"
    assert "band" in ax.get_title() and ax.get_legend() is not None
    # Years on the x axis: 24 months -> 2 years.
    assert ax.get_lines()[0].get_xdata()[-1] == pytest.approx(2.0)
    assert matplotlib.colors.to_hex(ax.get_lines()[0].get_color()) == PALETTE[0].lower()


def test_a_growth_plot_on_an_axes_of_a_subfigure_returns_the_whole_figure(results):
    root = plt.figure()
    _, right = root.subfigures(1, 2)
    ax = right.subplots()
    assert plot_growth(results, "adopted_coops", ax=ax) is root
    assert ax.get_lines()


def test_unknown_scenario_is_an_error(results):
    with pytest.raises(KeyError):
        plot_growth(results, scenarios=["nope"])


def test_scenario_comparison_bars_are_the_means(results):
    fig = plot_scenario_comparison(results, "adopted_coops")
    ax = fig.axes[0]
    widths = sorted(p.get_width() for p in ax.patches)
    last = results[(results["period"] == 24) & (results["metric"] == "adopted_coops")]
    assert np.allclose(widths, sorted(last.groupby("scenario")["value"].mean()))
    top = max(ax.get_yticklabels(), key=lambda t: t.get_position()[1])
    assert top.get_text() == "hub"  # the first scenario reads first


def test_tornado_puts_the_biggest_swing_on_top():
    tornado = sensitivity(SCENARIOS[0], parameters=("innovation", "imitation"), change=0.5,
                          runs=2, executor="serial")
    fig = plot_tornado(tornado)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].startswith(
        {"innovation": "Innovation", "imitation": "Imitation"}[tornado["parameter"].iloc[0]])
    assert len(ax.patches) == 4 and ax.get_legend() is not None


def test_interactions_against_users_and_panel(results):
    ax = plot_interactions_vs_users(results).axes[0]
    assert any("Metcalfe" in line.get_label() for line in ax.get_lines())
    assert len(growth_panel(results).axes) == 4


def test_explorer_follows_its_controls():
    explorer = GrowthExplorer(ECO, runs=2, seed=5, years=2)
    first = explorer.key_numbers()
    png = bytes(explorer.image.value)
    assert png.startswith(b"\x89PNG")
    explorer.model.value = "peer-to-peer"
    assert explorer.scenario().model == "peer-to-peer"
    assert explorer.key_numbers().index.name.startswith("peer-to-peer")
    assert not explorer.key_numbers().equals(first)
    explorer.imitation.value = 0.25
    assert explorer.scenario().params.imitation == 0.25
    bundle = explorer._repr_mimebundle_()
    assert "Co-ops that have adopted" in bundle["text/html"]
    assert bundle["text/plain"].startswith("GrowthExplorer(model='peer-to-peer'")
    assert "application/vnd.jupyter.widget-view+json" in bundle
