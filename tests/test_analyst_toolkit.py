"""The analyst's toolkit: growth fitted to data, Sobol indices, Parquet, the log-log view."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from coopcreds_proto.cli import main
from coopcreds_proto.ecosystem.global_sensitivity import sobol_indices
from coopcreds_proto.ecosystem.growth_fit import (
    bass_curve,
    bass_map,
    fit_bass,
    load_observed,
    peak_month_curve,
    peak_month_map,
    project,
    simulate_adoption,
)
from coopcreds_proto.ecosystem.growth_plots import plot_interactions_scaling, plot_projection
from coopcreds_proto.ecosystem.runner import read_results, run_scenarios, write_parquet
from coopcreds_proto.ecosystem.scenarios import EcosystemSource, Scenario
from coopcreds_proto.ecosystem.simulation import GrowthParams
from coopcreds_proto.errors import InputError

SMALL = Scenario("p2p", "peer-to-peer", GrowthParams(months=24, initial_share=0.1),
                 EcosystemSource.synthetic(40, seed=2), runs=3, seed=9)


@pytest.mark.parametrize("seed", [1, 3])
def test_a_fit_recovers_the_parameters_of_a_series_the_model_made(seed):
    truth = {"innovation": 0.005, "imitation": 0.08, "market": 500}
    observed = simulate_adoption(0.005, 0.08, 500, months=72, seed=seed)
    fit = fit_bass(observed, bootstrap=100, seed=11)
    for name, value in truth.items():
        low, high = fit.interval(name)
        assert low <= value <= high, (name, low, value, high)
    # A known market narrows the imitation interval.
    known = fit_bass(observed, market=500, bootstrap=100, seed=11)
    assert known.market == 500 and known.interval("market") == (500.0, 500.0)


def test_projection_bands_carry_the_fit_uncertainty():
    observed = load_observed()["adopted_coops"].to_numpy()
    fit = fit_bass(observed, market=300, bootstrap=40, seed=5)
    band = project(fit, 120)
    assert len(band) == 121 and (band["low"] <= band["estimate"] + 1e-9).all()
    assert (band["estimate"] <= band["high"] + 1e-9).all()
    assert band["high"].iloc[-1] - band["low"].iloc[-1] > 0  # uncertainty carried forward
    assert band["observed"].iloc[: len(observed)].tolist() == observed.tolist()
    assert band["observed"].iloc[len(observed):].isna().all()
    fig = plot_projection(band)
    assert {t.get_text() for t in fig.axes[0].get_legend().get_texts()} >= {"observed", "best fit"}


def test_the_map_runs_behind_the_continuous_curve():
    p, q = 0.0025, 0.0317
    lag = peak_month_map(p, q) - peak_month_curve(p, q)
    assert 0.5 <= lag < 2
    share = bass_map(p, q, 400)
    assert np.abs(share - bass_curve(p, q, np.arange(401))).max() < 0.01


def test_fit_refuses_a_series_that_is_not_cumulative():
    with pytest.raises(InputError) as caught:
        fit_bass([0, 5, 3, 8, 9, 12, 14], bootstrap=10, seed=1)
    assert caught.value.code == "bad-observed-series"


def test_sobol_indices_find_a_parameter_that_cannot_matter():
    hub = Scenario("hub", "convenor", GrowthParams(months=24, initial_share=0.1),
                   EcosystemSource.synthetic(40, seed=2), runs=2, seed=9)
    table = sobol_indices(hub, parameters=("innovation", "agreement_rate"), base_samples=8,
                          runs=2, metric="adopted_coops", seed=3).set_index("parameter")
    # A convenor signs no bilateral agreements: their pace explains nothing.
    assert table.loc["agreement_rate", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert table.loc["innovation", "ST"] > 0.5
    assert (table["ST_low"] <= table["ST"]).all() and (table["ST"] <= table["ST_high"]).all()


def test_parquet_round_trips_the_results(tmp_path):
    results = run_scenarios(SMALL, executor="serial")
    path = write_parquet(results, tmp_path / "results.parquet")
    assert read_results(path).equals(results)
    with pytest.raises(InputError) as caught:
        write_parquet(results, path)
    assert caught.value.code == "output-exists"


def test_simulate_writes_parquet_next_to_the_csv(tmp_path, capsys):
    scenario = tmp_path / "s.json"
    scenario.write_text('{"name": "s", "model": "convenor", "years": 1, "runs": 2, "seed": 3,'
                        ' "ecosystem": {"synthetic": {"coops": 30, "seed": 1}}}', encoding="utf-8")
    out, parquet = tmp_path / "r.csv", tmp_path / "r.parquet"
    assert main(["simulate", "--scenario", str(scenario), "--out", str(out), "--parquet",
                 str(parquet), "--workers", "1", "--no-progress"]) == 0
    assert read_results(parquet).equals(read_results(out))


def test_log_log_view_has_the_three_references():
    results = run_scenarios(SMALL, executor="serial")
    fig = plot_interactions_scaling(results)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"grows like n", "grows like n log n", "grows like n²"} <= set(labels)
