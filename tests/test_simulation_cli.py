"""``coopcreds simulate``: results file, summary, resume, one-line errors."""

from __future__ import annotations

import json

import pytest

from coopcreds_proto.cli import main
from coopcreds_proto.ecosystem.runner import read_results
from coopcreds_proto.ecosystem.simulation import METRICS

SCENARIO = {
    "name": "cli",
    "model": "convenor",
    "years": 1,
    "runs": 2,
    "seed": 5,
    "ecosystem": {"synthetic": {"coops": 30, "seed": 1}},
    "sweep": {"model": ["convenor", "peer-to-peer"]},
}


@pytest.fixture
def scenario_file(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(SCENARIO))
    return path


def test_simulate_writes_results_and_prints_a_summary(scenario_file, tmp_path, capsys):
    out = tmp_path / "results.csv"
    code = main(["simulate", "--scenario", str(scenario_file), "--runs", "3", "--out", str(out),
                 "--workers", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    results = read_results(out)
    assert len(results) == 2 * 3 * 13 * len(METRICS)
    assert "cli[model=peer-to-peer]" in captured.out and "results:" in captured.out
    assert "run" in captured.err  # the progress bar


def test_existing_output_needs_resume_or_overwrite(scenario_file, tmp_path, capsys):
    out = tmp_path / "results.csv"
    args = ["simulate", "--scenario", str(scenario_file), "--out", str(out), "--no-progress",
            "--workers", "1"]
    assert main(args) == 0
    before = out.read_bytes()
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--resume" in err and len(err.strip().splitlines()) == 1
    assert out.read_bytes() == before
    assert main([*args, "--resume"]) == 0
    assert len(read_results(out)) == 2 * 2 * 13 * len(METRICS)
    assert main([*args, "--overwrite", "--seed", "6"]) == 0


def test_a_bad_scenario_is_one_line_naming_the_field(tmp_path, capsys):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**SCENARIO, "params": {"imitation": 1.7}}))
    code = main(["simulate", "--scenario", str(path), "--out", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "params.imitation" in err and "probability" in err
    assert not (tmp_path / "r.csv").exists()


def test_bad_numbers_on_the_command_line(scenario_file, tmp_path, capsys):
    code = main(["simulate", "--scenario", str(scenario_file), "--out", str(tmp_path / "r.csv"),
                 "--runs", "0"])
    assert code == 2 and "--runs" in capsys.readouterr().err


def test_simulate_on_a_dask_scheduler_gives_the_local_numbers(scenario_file, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    local, remote = tmp_path / "local.csv", tmp_path / "dask.csv"
    assert main(["simulate", "--scenario", str(scenario_file), "--out", str(local),
                 "--workers", "1", "--no-progress"]) == 0
    # Loopback TCP: the in-process transport would probe 8.8.8.8 (refused by the guard).
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp://", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        code = main(["simulate", "--scenario", str(scenario_file), "--out", str(remote),
                     "--dask", cluster.scheduler_address, "--no-progress"])
    assert code == 0, capsys.readouterr().err
    assert read_results(remote).equals(read_results(local))
