"""The growth simulation core: seeding, recognition structures, network effects."""

from __future__ import annotations

import numpy as np
import pytest

from coopcreds_proto.ecosystem.data import load_ecosystem
from coopcreds_proto.ecosystem.models import load_models
from coopcreds_proto.ecosystem.simulation import (
    BUILTIN_RULES,
    METRICS,
    EcosystemArrays,
    GrowthParams,
    SimulationInputs,
    ecosystem_arrays,
    rules_for_model,
    simulate_run,
    simulate_runs,
    synthetic_ecosystem,
)
from coopcreds_proto.errors import InputError

ECO = synthetic_ecosystem(80, n_sectors=5, n_groups=4, seed=3)
SHORT = GrowthParams(months=36, innovation=0.01, imitation=0.1, initial_share=0.05)
M = {name: i for i, name in enumerate(METRICS)}


def run(model: str, params: GrowthParams = SHORT, *, seed: int = 11, run: int = 0) -> np.ndarray:
    return simulate_run(SimulationInputs.build(ECO, model), params, seed=seed, run=run)


@pytest.mark.parametrize("model", list(BUILTIN_RULES))
def test_same_seed_and_run_gives_identical_numbers(model):
    assert np.array_equal(run(model), run(model))
    assert not np.array_equal(run(model, run=0), run(model, run=1))
    assert not np.array_equal(run(model, seed=11), run(model, seed=12))


def test_a_run_does_not_depend_on_the_batch_it_is_in():
    inputs = SimulationInputs.build(ECO, "peer-to-peer")
    batch = simulate_runs(inputs, SHORT, seed=5, runs=[3, 0, 7])
    assert batch.shape == (3, SHORT.months + 1, len(METRICS))
    for k, r in enumerate([3, 0, 7]):
        assert np.array_equal(batch[k], simulate_run(inputs, SHORT, seed=5, run=r))


@pytest.mark.parametrize("model", list(BUILTIN_RULES))
def test_metrics_stay_within_their_bounds(model):
    out = run(model)
    adopted = out[:, M["adopted_coops"]]
    assert (np.diff(adopted) >= 0).all()
    assert (adopted <= ECO.n_coops).all()
    assert np.allclose(out[:, M["adoption_share"]], adopted / ECO.n_coops)
    wallets = out[:, M["wallet_holders"]]
    assert (np.diff(wallets) >= 0).all() and wallets[-1] <= ECO.members.sum()
    assert (out[:, M["interactions"]] >= 0).all()
    # Interactions per wallet holder never exceed the per-member rate.
    assert (out[:, M["interactions"]] <= SHORT.interactions_per_member * wallets + 1e-9).all()


def test_no_innovation_and_no_early_adopters_means_no_adoption():
    quiet = GrowthParams(months=24, innovation=0.0, initial_share=0.0)
    assert run("convenor", quiet)[:, M["adopted_coops"]].max() == 0


def test_imitation_only_adds_adopters_under_a_convenor():
    # Same seed, same draws: a larger q raises every hazard, so the adopters of
    # the low-q run stay a subset (coupling) and the count is never lower.
    low = run("convenor", GrowthParams(months=36, innovation=0.005, imitation=0.0))
    high = run("convenor", GrowthParams(months=36, innovation=0.005, imitation=0.3))
    assert (high[:, M["adopted_coops"]] >= low[:, M["adopted_coops"]]).all()
    assert high[-1, M["adopted_coops"]] > low[-1, M["adopted_coops"]]


def test_peer_to_peer_without_agreements_recognises_nothing():
    no_deals = GrowthParams(months=24, initial_share=0.2, agreement_rate=0.0)
    out = run("peer-to-peer", no_deals)
    assert out[:, M["agreements"]].max() == 0
    assert out[:, M["interactions"]].max() == 0
    assert out[-1, M["adopted_coops"]] > 0  # co-ops still adopt on their own (innovation)


def test_peer_to_peer_agreements_grow_and_respect_the_partner_cap():
    params = GrowthParams(months=48, initial_share=0.3, agreement_rate=2.0)
    mesh = run("peer-to-peer", params)
    assert mesh[-1, M["agreements"]] > mesh[12, M["agreements"]] > 0
    capped_rules = rules_for_model(load_models()["peer-to-peer"].with_changes(
        bilateral_agreements=2))
    capped = simulate_run(SimulationInputs.build(ECO, capped_rules), params, seed=11, run=0)
    cap = 2 * capped[:, M["adopted_coops"]] / 2
    assert (capped[:, M["agreements"]] <= cap).all()
    assert capped[-1, M["agreements"]] < mesh[-1, M["agreements"]]


def test_convenor_counts_one_agreement_per_adopted_coop():
    out = run("convenor")
    assert np.array_equal(out[:, M["agreements"]], out[:, M["adopted_coops"]])


def test_recognition_structure_orders_the_network_effect():
    # Same seed and parameters: the hub recognises everyone, federations leave out
    # co-ops without an apex body, peer to peer starts with no recognition at all.
    params = GrowthParams(months=60, innovation=0.003, imitation=0.2, initial_share=0.05)
    final = {m: run(m, params)[-1, M["interactions"]] for m in BUILTIN_RULES}
    assert final["convenor"] >= final["federated"] > final["peer-to-peer"]


def test_federated_groups_follow_apex_bodies():
    inputs = SimulationInputs.build(ECO, "federated")
    assert inputs.n_groups == len(ECO.group_names) + 1
    assert inputs.base[-1, -1] == 0  # co-ops without an apex body: not recognised
    assert SimulationInputs.build(ECO, "hybrid").base[-1, -1] == 1  # the convenor covers them


def test_rules_from_the_model_definitions_match_the_builtin_ones():
    for model_id, model in load_models().items():
        assert rules_for_model(model) == BUILTIN_RULES[model_id]


def test_bundled_data_becomes_simulation_arrays():
    eco = load_ecosystem()
    arrays = ecosystem_arrays(eco)
    assert arrays.n_coops == eco.n_coops
    assert arrays.sector_names == eco.sectors
    apex = set(eco.bodies.loc[eco.bodies["kind"] == "apex", "id"])
    assert set(arrays.group_names) == apex
    assert arrays.members.sum() == eco.coops["members"].sum()
    links = set(zip(eco.affiliations["coop_id"], eco.affiliations["body_id"]))
    for coop, g in zip(arrays.coop_ids, arrays.group):
        if g >= 0:
            assert (coop, arrays.group_names[g]) in links
        else:
            assert not any((coop, body) in links for body in apex)
    out = simulate_run(SimulationInputs.build(arrays, "federated"), SHORT, seed=1, run=0)
    assert out.shape == (SHORT.months + 1, len(METRICS))


def test_unknown_model_is_refused():
    with pytest.raises(InputError) as err:
        SimulationInputs.build(ECO, "hub-and-spoke")
    assert err.value.code == "unknown-model" and err.value.path == "model"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("imitation", -0.1, "negative-rate"),
        ("innovation", 1.5, "probability-above-one"),
        ("agreement_rate", float("nan"), "bad-number"),
        ("months", 0, "bad-months"),
    ],
)
def test_bad_growth_parameters_name_the_field(field, value, code):
    with pytest.raises(InputError) as err:
        GrowthParams(**{field: value})
    assert err.value.code == code and err.value.path == field


def test_rates_may_exceed_one_but_probabilities_may_not():
    assert GrowthParams(agreement_rate=3.0, interactions_per_member=10.0).agreement_rate == 3.0


def test_ecosystem_arrays_are_checked_and_read_only():
    with pytest.raises(InputError) as err:
        EcosystemArrays(("a", "b"), [0, 5], [0, 0], [1, 1], np.ones((2, 2)), ("x", "y"), ("g",))
    assert err.value.code == "bad-sector-index"
    with pytest.raises(InputError) as err:
        EcosystemArrays(("a",), [0], [0], [1], np.ones((2, 2)), ("x",), ("g",))
    assert err.value.path == "affinity"
    with pytest.raises(ValueError):
        ECO.members[0] = 5


def test_federations_that_do_not_recognise_each_other_stay_apart():
    federated = load_models()["federated"]
    apart = rules_for_model(federated.with_changes(body_recognition="none"))
    assert apart.across_groups == 0 and apart.agreements.body_links == "none"
    inputs = SimulationInputs.build(ECO, apart)
    assert (inputs.base == np.diag(np.r_[np.ones(len(ECO.group_names)), 0.0])).all()
    params = GrowthParams(months=48, innovation=0.005, imitation=0.3, initial_share=0.05)
    together = simulate_run(SimulationInputs.build(ECO, "federated"), params, seed=2, run=0)
    alone = simulate_run(inputs, params, seed=2, run=0)
    assert alone[-1, M["interactions"]] < together[-1, M["interactions"]]
