"""Running scenarios: executors agree, results survive interruptions, summaries."""

from __future__ import annotations

import concurrent.futures as cf

import numpy as np
import pandas as pd
import pytest

from coopcreds_proto.ecosystem.runner import (
    TIDY_COLUMNS,
    ResultsFileError,
    compare_scenarios,
    manifest_path,
    months_to_share,
    read_results,
    run_scenarios,
    sensitivity,
    summarise,
)
from coopcreds_proto.ecosystem.scenarios import EcosystemSource, Scenario
from coopcreds_proto.ecosystem.simulation import METRICS, GrowthParams

ECO = EcosystemSource.synthetic(40, sectors=4, federations=3, seed=2)
PARAMS = GrowthParams(months=18, innovation=0.01, imitation=0.2, initial_share=0.05)
SCENARIOS = (
    Scenario("hub", "convenor", PARAMS, ECO, runs=4, seed=99),
    Scenario("mesh", "peer-to-peer", PARAMS, ECO, runs=3, seed=7),
)
ROWS_PER_RUN = (PARAMS.months + 1) * len(METRICS)


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return run_scenarios(SCENARIOS, executor="serial")


def test_results_are_one_tidy_frame(serial):
    assert tuple(serial.columns) == TIDY_COLUMNS
    assert len(serial) == (4 + 3) * ROWS_PER_RUN
    assert list(pd.unique(serial["scenario"])) == ["hub", "mesh"]
    assert set(serial["metric"]) == set(METRICS)
    hub = serial[serial["scenario"] == "hub"]
    assert sorted(hub["run"].unique()) == [0, 1, 2, 3]
    assert serial["value"].notna().all()
    # Runs differ (they have their own streams) but a run is reproducible.
    finals = hub[(hub["period"] == PARAMS.months) & (hub["metric"] == "wallet_holders")]
    assert finals["value"].nunique() > 1


def test_local_processes_give_identical_results(serial):
    assert run_scenarios(SCENARIOS, workers=2, batch_size=2).equals(serial)


def test_an_executor_passed_in_gives_identical_results(serial):
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        assert run_scenarios(SCENARIOS, executor=pool, batch_size=1).equals(serial)


def test_a_local_dask_cluster_gives_identical_results(serial):
    distributed = pytest.importorskip("distributed")
    # Threads in this process, over loopback TCP: the in-process transport would
    # look up the machine's address by "connecting" to 8.8.8.8, which the test
    # suite's network guard refuses.
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None,
        protocol="tcp://", host="127.0.0.1",
    ) as cluster, distributed.Client(cluster) as client:
        assert run_scenarios(SCENARIOS, executor=client, batch_size=2).equals(serial)


def test_results_file_holds_the_same_numbers(serial, tmp_path):
    out = tmp_path / "results.csv"
    df = run_scenarios(SCENARIOS, executor="serial", out=out)
    assert df.equals(serial)
    assert read_results(out).equals(serial)  # exact floats, whatever the completion order
    assert manifest_path(out).exists()


def test_an_existing_results_file_is_never_overwritten_silently(tmp_path):
    out = tmp_path / "results.csv"
    out.write_text("precious\n")
    with pytest.raises(ResultsFileError) as err:
        run_scenarios(SCENARIOS, executor="serial", out=out)
    assert err.value.code == "output-exists"
    assert out.read_text() == "precious\n"
    with pytest.raises(ResultsFileError) as err:
        run_scenarios(SCENARIOS, executor="serial", out=out, if_exists="resume")
    assert err.value.code == "not-a-results-file"
    run_scenarios(SCENARIOS, executor="serial", out=out, if_exists="overwrite")
    assert len(read_results(out)) == (4 + 3) * ROWS_PER_RUN


class Stop(KeyboardInterrupt):
    pass


def interrupt_after(n_runs: int):
    def progress(done: int, total: int) -> None:
        if done >= n_runs:
            raise Stop

    return progress


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_an_interrupted_simulation_keeps_its_finished_runs(serial, tmp_path, executor):
    out = tmp_path / "results.csv"
    with pytest.raises(Stop):
        run_scenarios(SCENARIOS, executor=executor, workers=2, out=out, batch_size=1,
                      progress=interrupt_after(3))
    kept = read_results(out)
    runs = kept.groupby(["scenario", "run"]).size()
    assert len(runs) >= 3 and (runs == ROWS_PER_RUN).all()
    for scenario, run in runs.index:
        expected = serial[(serial["scenario"] == scenario) & (serial["run"] == run)]
        got = kept[(kept["scenario"] == scenario) & (kept["run"] == run)]
        assert np.array_equal(got["value"].to_numpy(), expected["value"].to_numpy())
    finished = []
    resumed = run_scenarios(SCENARIOS, executor="serial", out=out, if_exists="resume",
                            progress=lambda done, total: finished.append(done))
    assert finished[0] == len(runs)  # the kept runs are not simulated again
    assert resumed.equals(serial)
    assert read_results(out).equals(serial)


def test_a_run_cut_off_mid_write_is_simulated_again(serial, tmp_path):
    out = tmp_path / "results.csv"
    run_scenarios(SCENARIOS, executor="serial", out=out)
    text = out.read_text()
    # As if the process died while writing the last block: half a run, half a line.
    cut = text[: len(text) - (ROWS_PER_RUN // 2) * 40 - 7]
    out.write_text(cut)
    resumed = run_scenarios(SCENARIOS, executor="serial", out=out, if_exists="resume")
    assert resumed.equals(serial)
    assert read_results(out).equals(serial)


def test_resuming_with_a_different_scenario_is_refused(tmp_path):
    out = tmp_path / "results.csv"
    run_scenarios(SCENARIOS[:1], executor="serial", out=out, runs=1)
    changed = Scenario("hub", "convenor", PARAMS, ECO, runs=2, seed=100)
    with pytest.raises(ResultsFileError) as err:
        run_scenarios(changed, executor="serial", out=out, if_exists="resume")
    assert err.value.code == "resume-mismatch"


def test_summaries_have_ordered_bands(serial):
    summary = summarise(serial)
    assert (summary["low"] <= summary["median"] + 1e-12).all()
    assert (summary["median"] <= summary["high"] + 1e-12).all()
    assert set(summary["runs"]) == {4.0, 3.0}
    table = compare_scenarios(serial, metrics=["adopted_coops", "interactions"])
    assert list(table.index) == ["hub", "mesh"]
    hub = serial[(serial["scenario"] == "hub") & (serial["period"] == PARAMS.months)]
    expected = hub[hub["metric"] == "adopted_coops"]["value"].mean()
    assert table.loc["hub", ("adopted_coops", "mean")] == pytest.approx(expected)
    assert ("months_to_half", "median") in table.columns


def test_months_to_share():
    df = pd.DataFrame({
        "run": [0, 0, 0, 1, 1, 1], "period": [0, 1, 2] * 2, "scenario": "s",
        "metric": "adoption_share", "value": [0.1, 0.6, 0.9, 0.1, 0.2, 0.7],
    })
    assert months_to_share(df, 0.5)["s"] == 1.5
    assert np.isnan(months_to_share(df, 0.95)["s"])


def test_sensitivity_gives_tornado_data():
    base = Scenario("hub", "convenor", PARAMS, ECO, runs=3, seed=4)
    tornado = sensitivity(base, parameters=("imitation", "agreement_rate", "innovation"),
                          change=0.5, metric="adopted_coops", executor="serial")
    assert list(tornado.columns) == [
        "parameter", "low_value", "high_value", "low_outcome", "high_outcome", "baseline",
        "swing", "swing_low", "swing_high",
    ]
    assert set(tornado["parameter"]) == {"imitation", "agreement_rate", "innovation"}
    swings = tornado["swing"].abs().to_numpy()
    assert (np.diff(swings) <= 0).all()
    row = tornado.set_index("parameter")
    # A convenor negotiates no bilateral agreements: that rate cannot matter.
    assert row.loc["agreement_rate", "swing"] == 0
    assert row.loc["agreement_rate", ["swing_low", "swing_high"]].tolist() == [0, 0]
    assert row.loc["imitation", "swing"] > 0
    assert row.loc["imitation", "swing_low"] <= row.loc["imitation", "swing"] <= row.loc[
        "imitation", "swing_high"]
    assert row.loc["imitation", "low_value"] == pytest.approx(0.1)


def test_bad_runner_arguments():
    with pytest.raises(Exception) as err:
        run_scenarios(SCENARIOS, executor="cluster")
    assert getattr(err.value, "code", None) == "unknown-executor"
    with pytest.raises(Exception) as err:
        run_scenarios((SCENARIOS[0], SCENARIOS[0]), executor="serial")
    assert getattr(err.value, "code", None) == "duplicate-scenario"


def test_cost_per_coop_follows_the_simulated_size():
    from coopcreds_proto.ecosystem.runner import cost_per_coop_by_year

    scenarios = [Scenario("hub", "convenor", GrowthParams(months=36, innovation=0.05), ECO,
                          runs=3, seed=3)]
    results = run_scenarios(scenarios, executor="serial")
    costs = cost_per_coop_by_year(results, scenarios, years=(1, 3, 5))
    assert list(costs["year"]) == [1, 3]  # no year 5 in a 3-year run
    assert (np.diff(costs["coops"]) >= 0).all()
    # A hub's running costs are mostly fixed: more co-ops, less each.
    assert costs["running_per_coop"].iloc[1] < costs["running_per_coop"].iloc[0]


def test_resume_with_model_changes(tmp_path):
    from coopcreds_proto.ecosystem.scenarios import parse_scenarios

    doc = {"name": "h", "model": "hybrid", "seed": 1, "years": 1, "runs": 2,
           "ecosystem": {"synthetic": {"coops": 20}},
           "model_changes": {"anchors": ["apex-body"], "bilateral_agreements": 3}}
    out = tmp_path / "r.csv"
    first = run_scenarios(parse_scenarios(doc), executor="serial", out=out, runs=1)
    again = run_scenarios(parse_scenarios(doc), executor="serial", out=out, if_exists="resume")
    assert again[again["run"] == 0].reset_index(drop=True).equals(first)
    assert again["run"].nunique() == 2


def test_bad_ecosystem_data_fails_before_writing_anything(tmp_path):
    from coopcreds_proto.errors import InputError

    broken = Scenario("x", "convenor", PARAMS, EcosystemSource.data(str(tmp_path / "nowhere")),
                      runs=1, seed=1)
    out = tmp_path / "r.csv"
    with pytest.raises(InputError):
        run_scenarios(broken, executor="serial", out=out)
    assert not out.exists()
