"""Scenario files: the bundled ones load, bad ones fail naming the field."""

from __future__ import annotations

import json

import pytest

from coopcreds_proto.ecosystem.scenarios import (
    EcosystemSource,
    Scenario,
    ScenarioError,
    load_scenario,
    load_scenarios,
    parse_scenarios,
    scenarios_dir,
)
from coopcreds_proto.ecosystem.simulation import GrowthParams
from coopcreds_proto.error_codes import explain
from coopcreds_proto.errors import CoopCredsError, InputError

BASE = {"name": "s", "model": "convenor", "seed": 1, "ecosystem": {"synthetic": {"coops": 20}}}


def parse(**changes):
    return parse_scenarios({**BASE, **changes})


def error_of(doc) -> InputError:
    """The error ``doc`` is refused with, of the class the error catalogue names for its code."""
    with pytest.raises(InputError) as err:
        parse_scenarios(doc)
    assert type(err.value).__name__ == explain(err.value.code).error_class
    return err.value


def test_bundled_scenarios_load():
    files = sorted(scenarios_dir().glob("*.json"))
    assert {f.name for f in files} >= {"models-compared.json", "peer-to-peer-agreements.json"}
    compared = load_scenarios(scenarios_dir() / "models-compared.json")
    assert [s.model for s in compared] == ["convenor", "federated", "peer-to-peer", "hybrid"]
    assert len({s.seed for s in compared}) == 1
    assert all(s.params.months == 120 for s in compared)
    p2p = {s.name: s for s in load_scenarios(scenarios_dir() / "peer-to-peer-agreements.json")}
    assert p2p["p2p-four-partners"].rules().partners == 4
    assert p2p["p2p-full-mesh"].rules().partners is None


def test_a_sweep_expands_to_every_combination():
    scenarios = parse(sweep={"model": ["convenor", "peer-to-peer"],
                             "params.imitation": [0.01, 0.02, 0.04]})
    assert len(scenarios) == 6
    assert {(s.model, s.params.imitation) for s in scenarios} == {
        (m, q) for m in ("convenor", "peer-to-peer") for q in (0.01, 0.02, 0.04)
    }
    assert len({s.name for s in scenarios}) == 6


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"model": "hub"}, "unknown-model", "$.model"),
        ({"params": {"imitation": -0.2}}, "negative-rate", "$.params.imitation"),
        ({"params": {"agreement_rate": -1}}, "negative-rate", "$.params.agreement_rate"),
        ({"params": {"innovation": 1.2}}, "probability-above-one", "$.params.innovation"),
        ({"params": {"imitaton": 0.1}}, "unknown-field", "$.params.imitaton"),
        ({"params": {"imitation": "high"}}, "bad-type", "$.params.imitation"),
        ({"colour": "red"}, "unknown-field", "$.colour"),
        ({"years": 0}, "out-of-range", "$.years"),
        ({"runs": 2.5}, "bad-type", "$.runs"),
        ({"sweep": {"model": ["convenor", "mesh"]}}, "unknown-model", "$.sweep.model"),
        ({"sweep": {"params.imitation": [0.1, 2.0]}}, "probability-above-one",
         "$.sweep.imitation"),
        ({"sweep": {"params.imitation": []}}, "bad-sweep", "$.sweep.params.imitation"),
        ({"ecosystem": {"synthetic": {"coops": 0}}}, "out-of-range",
         "$.ecosystem.synthetic.coops"),
        ({"ecosystem": {"data": "x", "synthetic": {}}}, "bad-ecosystem", "$.ecosystem"),
        ({"model_changes": {"bilateral_agreements": -3}}, "model-bad-field",
         "$.model_changes.trust.bilateral_agreements"),
    ],
)
def test_bad_scenarios_name_the_field(changes, code, path):
    err = error_of({**BASE, **changes})
    assert (err.code, err.path) == (code, path)
    assert path in str(err)


def test_missing_name_or_model():
    doc = dict(BASE)
    del doc["model"]
    assert (error_of(doc).code, error_of(doc).path) == ("scenario-field-missing", "$.model")
    assert isinstance(error_of(doc), ScenarioError)


def test_errors_in_a_list_point_at_the_scenario():
    err = error_of({"scenarios": [BASE, {**BASE, "name": "t", "params": {"imitation": 7}}]})
    assert err.code == "probability-above-one"
    assert err.path == "$.scenarios[1].params.imitation"


def test_duplicate_names_are_refused():
    assert error_of({"scenarios": [BASE, BASE]}).code == "duplicate-scenario"


def test_json_files_are_read_strictly(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{"name": "a", "name": "b", "model": "convenor"}')
    with pytest.raises(CoopCredsError) as err:
        load_scenarios(path)
    assert err.value.code == "duplicate-key" and str(path) in str(err.value)
    with pytest.raises(ScenarioError) as err:
        load_scenarios(tmp_path / "missing.json")
    assert err.value.code == "scenario-file-missing"


def test_yaml_files_work_and_bad_yaml_names_the_line(tmp_path):
    good = tmp_path / "s.yaml"
    good.write_text(
        "name: y\nmodel: federated\nseed: 3\nyears: 2\n"
        "ecosystem: {synthetic: {coops: 12}}\nparams:\n  imitation: 0.05\n"
    )
    scenario = load_scenario(good)
    assert (scenario.model, scenario.params.months, scenario.params.imitation) == (
        "federated", 24, 0.05)
    bad = tmp_path / "bad.yml"
    bad.write_text("name: y\nmodel: [convenor\n")
    with pytest.raises(InputError) as err:
        load_scenarios(bad)
    assert err.value.code == "not-yaml" and err.value.path.startswith("line ")
    negative = tmp_path / "neg.yaml"
    negative.write_text("name: y\nmodel: convenor\nparams: {innovation: -0.01}\n")
    with pytest.raises(InputError) as err:
        load_scenarios(negative)
    assert err.value.path == "$.params.innovation" and str(negative) in err.value.message


def test_relative_data_directories_are_relative_to_the_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({**BASE, "ecosystem": {"data": "eco"}}))
    assert load_scenario(path).ecosystem.data_dir == str((tmp_path / "eco").resolve())


def test_without_a_seed_a_fresh_one_is_drawn_and_kept():
    doc = {k: v for k, v in BASE.items() if k != "seed"}
    first, second = parse_scenarios(doc)[0].seed, parse_scenarios(doc)[0].seed
    assert first != second and first > 2**64


def test_with_params_validates():
    scenario = parse()[0]
    assert scenario.with_params(imitation=0.2).params.imitation == 0.2
    with pytest.raises(InputError) as err:
        scenario.with_params(imitation=2.0)
    assert err.value.path == "$.params.imitation"


def test_scenario_values_are_checked_in_code_too():
    eco = EcosystemSource.synthetic(10, seed=1)
    with pytest.raises(InputError) as err:
        Scenario("x", "star", GrowthParams(), eco, seed=1)
    assert err.value.code == "unknown-model"
    with pytest.raises(InputError) as err:
        Scenario("x", "convenor", GrowthParams(), eco, runs=0, seed=1)
    assert err.value.code == "bad-runs"
