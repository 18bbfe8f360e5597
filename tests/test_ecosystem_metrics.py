"""Reach, reach lost, dominators, chains, agreements: hand-computed and brute-force checks."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from coopcreds_proto.ecosystem.data import Ecosystem, load_ecosystem, member_incidence
from coopcreds_proto.ecosystem.graph import (
    ACCREDITS,
    ISSUES_FOR,
    RECOGNISES,
    build_graph,
    graph_from_edges,
)
from coopcreds_proto.ecosystem.metrics import (
    agreements_needed,
    centrality,
    reach,
    reach_loss,
    reach_without,
    single_points_of_failure,
    trust_chain_lengths,
)
from coopcreds_proto.ecosystem.models import load_model, load_models


def tiny() -> Ecosystem:
    """Co-ops A, B (under apex P) and C; 10 people in A only, 5 in A and C, 2 in C only."""
    sectors = ["s"]
    return Ecosystem(
        coops=pd.DataFrame({
            "id": ["A", "B", "C"], "name": ["A", "B", "C"], "sector": ["s"] * 3,
            "region": ["r"] * 3, "coop_type": ["worker"] * 3, "members": [15, 0, 7],
            "founded": [2000] * 3, "platform": [False] * 3,
        }),
        bodies=pd.DataFrame({"id": ["P"], "name": ["P"], "kind": ["apex"], "sector": [""],
                             "region": ["r"]}),
        affiliations=pd.DataFrame({"coop_id": ["A", "B"], "body_id": ["P", "P"]}),
        segments=pd.DataFrame({"id": ["a", "ac", "c"], "count": [10, 5, 2]}),
        memberships=pd.DataFrame({"segment_id": ["a", "ac", "ac", "c"],
                                  "coop_id": ["A", "A", "C", "C"]}),
        value_flows=pd.DataFrame([[1.0]], index=pd.Index(sectors, name="sector"), columns=sectors),
    )


def test_reach_of_tiny_mesh_by_hand():
    eco = tiny()
    G = graph_from_edges(eco, [("A", "B", RECOGNISES), ("B", "A", RECOGNISES)],
                         issuers=["A", "B", "C"], anchors=["A", "B", "C"])
    r = reach(G)
    # own: 10*1 + 5*2 + 2*1; cross: B recognises A's credential -> the 10 and the 5.
    assert (r.own, r.cross, r.total) == (22, 15, 37)
    assert r.possible == 10 * 2 + 5 * 1 + 2 * 2
    assert r.multi_coop_people == 15  # the 10 (A, B) and the 5 (A, C, B); not the 2 at C
    assert r.value == pytest.approx(15 / 3)  # one sector, 3 co-ops: each co-op gets 1/3
    assert reach_without(G, nodes=["B"]).cross == 0
    assert reach_without(G, nodes=["A"]).cross == 0  # B recognised only A


def test_tiny_federation_by_hand_and_its_single_point_of_failure():
    eco = tiny()
    edges = [("P", "A", ACCREDITS), ("P", "B", ACCREDITS), ("A", "P", RECOGNISES),
             ("B", "P", RECOGNISES)]
    G = graph_from_edges(eco, edges, issuers=["A", "B"], anchors=["P"])
    assert reach(G).cross == 15
    assert reach_without(G, revoked=[("P", "A")]).cross == 0
    assert reach_without(G, nodes=["P"]).cross == 0
    spof = single_points_of_failure(G).set_index("node")
    assert spof.loc["P", "dominated_coops"] == 2
    assert trust_chain_lengths(G).set_index("length").loc[2, "pairs"] == 2  # A->P->B, B->P->A


def test_hub_convenor_issues_for_everyone():
    eco = tiny()
    edges = [("A", "P", RECOGNISES)]
    G = graph_from_edges(eco, edges + [("P", c, ISSUES_FOR) for c in "ABC"], anchors=["P"])
    # Only A verifies: every member not at A is recognised there (the 2 at C).
    assert reach(G).cross == 2


def _brute_force_cross(G) -> int:
    """Cross-co-op reach by enumerating chains in Python (an independent oracle)."""
    eco = G.graph["ecosystem"]
    model = G.graph["model"]
    kinds = {(u, v): k for u, v, k in G.edges(keys=True)}
    issuers = {c: ({c} if G.nodes[c]["issuer"] else set())
               | {u for (u, v), k in kinds.items() if k == ISSUES_FOR and v == c}
               for c in eco.coops["id"]}
    acc = nx.DiGraph([(u, v) for (u, v), k in kinds.items() if k == ACCREDITS])
    coops = set(eco.coops["id"])

    def vouchers(u):
        out = {u}
        if u in acc:
            lengths = nx.single_source_shortest_path_length(acc.reverse(copy=False), u,
                                                           cutoff=model.trust.max_chain_length)
            out |= set(lengths)
        return out

    def trusted(j):
        direct = {v for (u, v), k in kinds.items() if k == RECOGNISES and u == j}
        via = {w for (u, w), k in kinds.items() if k == RECOGNISES and u in direct
               and u not in coops}
        return direct | via

    trust = {j: trusted(j) for j in coops}
    vouch = {c: set().union(*(vouchers(u) for u in issuers[c])) if issuers[c] else set()
             for c in coops}
    seg_coops = eco.memberships.groupby("segment_id")["coop_id"].apply(set)
    counts = eco.segments.set_index("id")["count"]
    total = 0
    for seg, own in seg_coops.items():
        anchors = set().union(*(vouch[c] for c in own))
        total += counts[seg] * sum(1 for j in coops - own if trust[j] & anchors)
    return total


@pytest.mark.parametrize("model_id", ["convenor", "federated", "peer-to-peer", "hybrid"])
def test_sparse_reach_matches_brute_force(model_id):
    eco = load_ecosystem()
    model = load_model(model_id)
    if model_id == "peer-to-peer":
        model = model.with_changes(bilateral_agreements=3)
    some = list(eco.coops["id"])[::2] + ["coop-03"]
    for participants in (None, some):
        G = build_graph(eco, model, participants=participants)
        assert reach(G).cross == _brute_force_cross(G)


def test_removing_the_convenor_loses_all_cross_reach_mesh_only_the_departed_share():
    eco = load_ecosystem()
    hub = build_graph(eco, load_model("convenor"))
    assert reach_loss(hub, [hub.graph["convenor"]])["share_lost"].item() == 1.0

    mesh = build_graph(eco, load_model("peer-to-peer"))
    before = reach(mesh)
    assert before.cross == before.possible  # a full mesh recognises everyone everywhere
    gone = "coop-07"
    # By hand: afterwards a segment is recognised at every co-op but the departed one
    # and its own, if it holds a credential from a co-op other than the departed one.
    inc = member_incidence(eco)
    col = list(inc.coop_ids).index(gone)
    m = inc.matrix.toarray().astype(bool)
    others = m.copy()
    others[:, col] = False
    has_credential = others.any(axis=1)
    expected = int(np.sum(inc.counts * has_credential * (eco.n_coops - 1 - others.sum(axis=1))))
    after = reach_without(mesh, nodes=[gone]).cross
    assert after == expected
    departed_share = (before.cross - after) / before.cross
    assert 0 < departed_share < 3 / eco.n_coops


def test_dominators_name_each_apex_body_in_the_federated_model():
    eco = load_ecosystem()
    G = build_graph(eco, load_model("federated"))
    spof = single_points_of_failure(G).set_index("node")
    apexes = list(eco.bodies_of_kind("apex")["id"])
    assert sorted(spof.index) == sorted(apexes)
    per_apex = eco.affiliations[eco.affiliations["body_id"].isin(apexes)]["body_id"].value_counts()
    before = reach(G).cross
    for apex in apexes:
        # Its own co-ops' credentials (issuance), and more where its co-ops
        # recognise the other federations only through it (verification).
        assert spof.loc[apex, "dominated_coops"] >= per_apex[apex]
        assert spof.loc[apex, "cross_lost"] == before - reach_without(G, nodes=[apex]).cross
    assert single_points_of_failure(build_graph(eco, load_model("peer-to-peer"))).empty
    hub = single_points_of_failure(build_graph(eco, load_model("convenor")))
    assert hub["node"].tolist() == ["industry-01"] and hub["share_lost"].item() == 1.0


def test_losing_an_apex_body_costs_more_than_its_share_in_the_federation():
    eco = load_ecosystem()
    fed = build_graph(eco, load_model("federated"))
    hyb = build_graph(eco, load_model("hybrid"))
    apexes = list(eco.bodies_of_kind("apex")["id"])
    fed_loss = reach_loss(fed, apexes).set_index("node")["share_lost"]
    hyb_loss = reach_loss(hyb, apexes).set_index("node")["share_lost"]
    assert (fed_loss > 0).all() and (hyb_loss > 0).all()
    # In the hybrid, losing the convenor keeps each federation's own reach.
    conv = reach_loss(hyb, ["industry-01"])["share_lost"].item()
    assert 0 < conv < 1


def test_agreements_hub_linear_mesh_quadratic_on_graphs():
    eco = load_ecosystem()
    ids = list(eco.coops["id"])
    hub, mesh = load_model("convenor"), load_model("peer-to-peer")
    for n in (5, 10, 20, 40):
        assert agreements_needed(build_graph(eco, hub, participants=ids[:n])) == n
        assert agreements_needed(build_graph(eco, mesh, participants=ids[:n])) == n * (n - 1) // 2


def test_chain_lengths_and_centrality():
    eco = load_ecosystem()
    lengths = {m: trust_chain_lengths(build_graph(eco, model)) for m, model in load_models().items()}
    assert lengths["peer-to-peer"]["length"].tolist() == [1]
    assert lengths["convenor"]["length"].tolist() == [2]
    assert set(lengths["hybrid"]["length"]) == {2, 3}
    for frame in lengths.values():
        assert frame["pairs"].sum() == 50 * 49
    top = centrality(build_graph(eco, load_model("convenor")))
    assert top.loc[0, "node"] == "industry-01"
    assert list(itertools.islice(top.columns, 3)) == ["node", "kind", "name"]


def test_metcalfe_next_to_interactions_as_coops_join():
    from coopcreds_proto.ecosystem.metrics import (
        network_value,
        possible_interactions,
        value_by_adoption,
    )

    eco = load_ecosystem()
    hub = load_model("convenor")
    full = network_value(build_graph(eco, hub))
    assert full["users"] == eco.n_members
    assert full["metcalfe"] == eco.n_members * (eco.n_members - 1) // 2
    assert full["recognised_interactions"] == possible_interactions(build_graph(eco, hub))
    curve = value_by_adoption(eco, hub, [5, 10, 25, 50])
    assert curve["users"].is_monotonic_increasing
    assert curve["interactions_index"].is_monotonic_increasing
    assert curve["interactions_index"].iloc[-1] == 1.0
    # Counting users overstates early value: interactions need co-ops on both sides.
    assert (curve["interactions_index"].iloc[:-1] < curve["metcalfe_index"].iloc[:-1]).all()
