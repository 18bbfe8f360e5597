"""One source of truth per quantity: the graph, the simulation, the metrics and the costs agree."""

from __future__ import annotations

import json
from dataclasses import replace

import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

matplotlib.use("Agg")

from coopcreds_proto.cli import main
from coopcreds_proto.ecosystem import build_graph, load_ecosystem, load_model
from coopcreds_proto.ecosystem.agreements import bilateral_pairs, ring_partners
from coopcreds_proto.ecosystem.costs import counts_for, infrastructure_counts, price
from coopcreds_proto.ecosystem.data import Ecosystem, MemberIncidence, default_data_dir
from coopcreds_proto.ecosystem.graph import (
    RECOGNISES,
    edges_of_kind,
    graph_from_edges,
    model_agreements,
)
from coopcreds_proto.ecosystem.metrics import (
    agreements_needed,
    chain_lengths,
    reach,
    trust_chain_lengths,
)
from coopcreds_proto.ecosystem.plots import group_small_sectors, plot_value_flows
from coopcreds_proto.ecosystem.runner import cost_per_coop_by_year, run_scenarios
from coopcreds_proto.ecosystem.scenarios import EcosystemSource, Scenario
from coopcreds_proto.ecosystem.simulation import (
    METRICS,
    EcosystemArrays,
    GrowthParams,
    SimulationInputs,
    ecosystem_arrays,
    recognised_share,
    rules_for_model,
    simulate_run,
)
from coopcreds_proto.ecosystem.value_flows import recognised_spending, spending_per_coop

ECO = load_ecosystem()
ECO_DIR = default_data_dir()
AGREEMENTS = METRICS.index("agreements")
VARIANTS = [
    ("convenor", {}), ("federated", {}), ("hybrid", {}), ("peer-to-peer", {}),
    ("peer-to-peer", {"bilateral_agreements": 4}), ("peer-to-peer", {"bilateral_agreements": 3}),
    ("federated", {"bilateral_agreements": 3}),
]


def _model(name, changes):
    model = load_model(name)
    return model.with_changes(**changes) if changes else model


@pytest.mark.parametrize("name, changes", VARIANTS, ids=lambda v: str(v))
def test_graph_simulation_and_costs_count_the_same_agreements(name, changes):
    model = _model(name, changes)
    G = build_graph(ECO, model)
    expected = model_agreements(ECO, model)
    assert agreements_needed(G) == expected
    assert infrastructure_counts(G)["agreements"] == expected
    # Every co-op adopts at once and has time to sign every agreement it may.
    inputs = SimulationInputs.build(ecosystem_arrays(ECO), rules_for_model(model))
    out = simulate_run(inputs, GrowthParams(months=300, initial_share=1.0, agreement_rate=5.0),
                       seed=3, run=0)
    assert out[-1, AGREEMENTS] == expected


def test_peer_to_peer_partners_are_k_per_coop():
    model = load_model("peer-to-peer").with_changes(bilateral_agreements=4)
    G = build_graph(ECO, model)
    partners = pd.Series([u for u, _ in edges_of_kind(G, RECOGNISES)]).value_counts()
    assert set(partners) == {4} and len(partners) == 50
    assert agreements_needed(G) == bilateral_pairs(50, 4) == 100
    # The closed form of the cost models agrees: k partners, n k / 2 agreements.
    assert counts_for(model, 50)["agreements"] == 100
    for n in range(2, 25):
        for k in range(n + 1):
            pairs = ring_partners(n, k)
            assert len(pairs) == bilateral_pairs(n, k)
            degrees = np.bincount(pairs.ravel(), minlength=n)
            assert degrees.min() == min(k, n - 1) and degrees.max() <= min(k, n - 1) + 1


def test_costs_price_what_the_runs_signed():
    scenario = Scenario("p2p", "peer-to-peer", GrowthParams(months=36, initial_share=0.2),
                        EcosystemSource.data(), runs=5, seed=11)
    results = run_scenarios(scenario, executor="serial")
    table = cost_per_coop_by_year(results, [scenario], years=(1, 3)).set_index("year")
    model = load_model("peer-to-peer")
    for year in (1, 3):
        rows = results[results["period"] == 12 * year].pivot(
            index="run", columns="metric", values="value")
        assert table.loc[year, "agreements"] == round(rows["agreements"].median())
        per_run = [price(model, {**counts_for(model, round(c)), "agreements": round(a)})
                   ["running_per_coop"] for c, a in zip(rows["adopted_coops"], rows["agreements"])]
        assert table.loc[year, "running_per_coop"] == pytest.approx(np.median(per_run))
        # The full-mesh formula would price every pair of the adopted co-ops.
        formula = price(model, counts_for(model, round(rows["adopted_coops"].median())))
        assert table.loc[year, "running_per_coop"] < formula["running_per_coop"]


# --- the value-flow matrix: one meaning -------------------------------------------


def two_sectors() -> EcosystemArrays:
    """Spending half and half between a 2-co-op sector R and an 8-co-op sector U."""
    return EcosystemArrays(
        coop_ids=tuple(f"c{i}" for i in range(10)),
        sector=np.array([0, 0] + [1] * 8), group=np.full(10, -1), members=np.full(10, 100),
        affinity=np.full((2, 2), 0.5), sector_names=("R", "U"), group_names=("g",),
    )


def test_value_flows_split_a_sector_share_evenly_between_its_coops():
    flows = np.full((2, 2), 0.5)
    assert spending_per_coop(flows, np.array([2, 8])).tolist() == [[0.25, 0.0625]] * 2
    recognising = np.array([True, True] + [False] * 8)
    share = recognised_spending(flows, two_sectors().sector, recognising)
    assert share.tolist() == [0.5, 0.5]


def test_simulation_reads_the_value_flows_as_the_metrics_do():
    inputs = SimulationInputs.build(two_sectors(), "convenor")
    adopted = np.array([True, True] + [False] * 8)  # only the recognised sector
    assert recognised_share(inputs, adopted) == pytest.approx(np.full(10, 0.5))
    # Interactions: every wallet holder's transactions land half at recognising co-ops.
    out = simulate_run(inputs, GrowthParams(months=1, initial_share=1.0, innovation=0.0,
                                            imitation=0.0, wallet_innovation=1.0,
                                            interactions_per_member=1.0), seed=1, run=0)
    assert out[1, METRICS.index("interactions")] == pytest.approx(out[1, METRICS.index(
        "wallet_holders")])  # all co-ops adopted: all spending recognised


def test_metrics_value_of_the_two_sector_case_is_one_half():
    coops = [f"c{i}" for i in range(10)]
    sectors = ["R", "U"]
    eco = Ecosystem(
        coops=pd.DataFrame({"id": coops, "name": coops, "sector": ["R"] * 2 + ["U"] * 8,
                            "region": "r", "coop_type": "worker", "members": 1,
                            "founded": 2000, "platform": False}),
        bodies=pd.DataFrame(columns=["id", "name", "kind", "sector", "region"]),
        affiliations=pd.DataFrame(columns=["coop_id", "body_id"]),
        segments=pd.DataFrame({"id": ["u"], "count": [1]}),
        memberships=pd.DataFrame({"segment_id": ["u"], "coop_id": ["c2"]}),
        value_flows=pd.DataFrame(np.full((2, 2), 0.5), index=pd.Index(sectors, name="sector"),
                                 columns=sectors),
    )
    # A member of a U co-op, recognised at the two R co-ops only.
    G = graph_from_edges(eco, [("c0", "c2", RECOGNISES), ("c1", "c2", RECOGNISES)],
                         issuers=["c2"], anchors=["c2"])
    assert reach(G).value == pytest.approx(0.5)  # not 2 / (2 + 8) = 0.2


# --- chain rules ----------------------------------------------------------------------


def _individuals(eco):
    n = eco.n_coops
    return MemberIncidence(sp.identity(n, format="csr", dtype=np.int32), np.ones(n, dtype=np.int64),
                           tuple(eco.coops["id"]), tuple(eco.coops["id"]))


@pytest.mark.parametrize("model", [
    load_model("convenor"), load_model("federated"), load_model("hybrid"),
    load_model("hybrid").with_changes(max_chain_length=1),
    load_model("federated").with_changes(body_recognition="none"),
    load_model("peer-to-peer").with_changes(bilateral_agreements=2),
], ids=lambda m: f"{m.id}-{m.trust.max_chain_length}-{m.trust.body_recognition}")
def test_trust_chain_lengths_and_reach_share_the_chain_rules(model):
    G = build_graph(ECO, model)
    lengths = chain_lengths(G)
    off = ~np.eye(len(lengths), dtype=bool)
    # One person per co-op: reach's cross pairs are exactly the pairs with a chain.
    assert reach(G, _individuals(ECO)).cross == int(np.isfinite(lengths[off]).sum())
    table = trust_chain_lengths(G).set_index("length")
    assert table["pairs"].sum() == 50 * 49
    chained = int(table.drop(index="none", errors="ignore")["pairs"].sum())
    assert chained == int(np.isfinite(lengths[off]).sum())
    if model.trust.max_chain_length >= 1:
        assert (lengths[np.isfinite(lengths)] <= model.trust.max_chain_length + 3).all()


def test_hybrid_chains_longer_than_the_limit_are_not_counted():
    short = build_graph(ECO, load_model("hybrid").with_changes(max_chain_length=1))
    table = trust_chain_lengths(short).set_index("length")
    assert 3 not in table.index and table.loc["none", "pairs"] > 0


# --- defaults and meanings ---------------------------------------------------------------


def test_default_imitation_is_the_documented_bass_average_per_month():
    params = GrowthParams()
    assert params.innovation == round(0.03 / 12, 4)
    assert params.imitation == round(0.38 / 12, 4)


@pytest.mark.parametrize("share, expected", [(0.01, 1), (0.02, 1), (0.1, 5), (0.5, 25), (1.0, 50),
                                             (0.0, 0)])
def test_initial_share_is_a_share_of_the_coops(share, expected):
    inputs = SimulationInputs.build(ecosystem_arrays(ECO), "convenor")
    params = GrowthParams(months=1, initial_share=share)
    starts = {simulate_run(inputs, params, seed=s, run=0)[0, 0] for s in range(30)}
    assert starts == {expected}


def test_chord_diagram_keeps_every_sector():
    fig = plot_value_flows(ECO)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert sorted(labels) == sorted(ECO.sectors)  # tourism and music-culture included
    grouped = plot_value_flows(ECO, min_share=0.08)
    labels = [t.get_text() for t in grouped.axes[0].get_legend().get_texts()]
    other = [label for label in labels if label.startswith("other (")]
    assert len(other) == 1
    named = set(labels[:-1]) | set(other[0][len("other ("):-1].split(", "))
    assert named == set(ECO.sectors)


def test_grouping_small_sectors_keeps_the_total_flow():
    flows = np.array([[5.0, 0.1, 0.1], [0.1, 0.01, 0.0], [0.2, 0.0, 0.02]])
    merged, names = group_small_sectors(flows, ["a", "b", "c"], 0.1)
    assert names == ["a", "other (b, c)"] and merged.sum() == pytest.approx(flows.sum())


def test_network_report_all_without_an_industry_body(tmp_path, capsys):
    for name in ("coops", "segments", "memberships", "value_flows"):
        (tmp_path / f"{name}.csv").write_text(
            (ECO_DIR / f"{name}.csv").read_text(encoding="utf-8"), encoding="utf-8")
    bodies = ECO.bodies[ECO.bodies["kind"] != "industry"]
    bodies.to_csv(tmp_path / "bodies.csv", index=False)
    links = ECO.affiliations[ECO.affiliations["body_id"].isin(bodies["id"])]
    links.to_csv(tmp_path / "affiliations.csv", index=False)
    assert main(["network", "report", "--model", "all", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "federated" in out and "cross_coop_share" in out
    assert "convenor: not reported: model 'convenor' needs an industry body" in out
    assert main(["network", "report", "--model", "all", "--data", str(tmp_path), "--json"]) == 0
    reports = {r["model"]: r for r in json.loads(capsys.readouterr().out)}
    assert reports["hybrid"]["code"] == "model-needs-convenor"
    assert reports["peer-to-peer"]["metrics"]["coops"] == 50


def test_variants_of_a_scenario_share_their_random_numbers():
    base = Scenario("base", "convenor", GrowthParams(months=24, initial_share=0.1),
                    EcosystemSource.data(), runs=1, seed=5)
    inputs = base.inputs()
    a = simulate_run(inputs, base.params, seed=5, run=0)
    b = simulate_run(inputs, replace(base.params, wallet_imitation=0.2), seed=5, run=0)
    # Wallet uptake does not change who adopts: the same draws give the same co-ops.
    assert np.array_equal(a[:, 0], b[:, 0])

