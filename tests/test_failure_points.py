"""What is lost if an organisation goes: dominator trees on both sides, against reach recomputed."""

from __future__ import annotations

import numpy as np
import pytest

from coopcreds_proto.ecosystem import (
    build_graph,
    generate_ecosystem,
    load_ecosystem,
    load_model,
    metrics,
)
from coopcreds_proto.ecosystem.metrics import (
    failure_points,
    reach,
    reach_loss,
    reach_without,
    single_points_of_failure,
)
from coopcreds_proto.errors import InputError

ECO = load_ecosystem()
VARIANTS = [
    ("convenor", {}), ("federated", {}), ("peer-to-peer", {}), ("hybrid", {}),
    ("federated", {"body_recognition": "none"}), ("hybrid", {"max_chain_length": 1}),
    ("peer-to-peer", {"bilateral_agreements": 3}),
    ("federated", {"transitive_recognition": True, "bilateral_agreements": 2}),
]


def _model(name, changes):
    model = load_model(name)
    return model.with_changes(**changes) if changes else model


@pytest.mark.parametrize("eco", [ECO, generate_ecosystem(90, seed=8)], ids=["bundled", "generated"])
@pytest.mark.parametrize("name, changes", VARIANTS, ids=str)
def test_every_departure_costs_what_reach_recomputed_says(eco, name, changes):
    G = build_graph(eco, _model(name, changes))
    table = failure_points(G).set_index("node")
    before = reach(G).cross
    for node in table.index:
        assert table.loc[node, "cross_lost"] == before - reach_without(G, nodes=[node]).cross, node


def test_the_hybrid_convenor_counts_on_the_verifier_side_too():
    G = build_graph(ECO, load_model("hybrid"))
    spof = single_points_of_failure(G).set_index("node")
    lost = reach_loss(G, ["industry-01"]).set_index("node").loc["industry-01", "share_lost"]
    # Issuance alone: the convenor issues for the 9 co-ops without an apex body
    # (18%); its federations' co-ops recognise each other only through it.
    assert spof.loc["industry-01", "share_lost"] == lost > 0.75
    assert spof.loc["industry-01", "dominated_coops"] == 50
    assert spof.index[0] == "industry-01"


def test_reach_loss_does_not_recompute_reach_per_departure(monkeypatch):
    G = build_graph(ECO, load_model("hybrid"))
    calls = []
    original = metrics._evaluate
    monkeypatch.setattr(metrics, "_evaluate", lambda *a, **k: calls.append(1) or original(*a, **k))
    nodes = [n for n in G.nodes]
    table = reach_loss(G, nodes)
    assert len(table) == len(nodes) and calls == []


def test_reach_loss_names_an_unknown_node():
    with pytest.raises(InputError) as caught:
        reach_loss(build_graph(ECO, load_model("convenor")), ["nobody"])
    assert caught.value.code == "unknown-node"


def test_common_dominators_of_singles_pairs_and_larger_groups_match_a_walk_up_the_tree():
    rng = np.random.default_rng(14)
    size, root = 400, 0
    parent = np.full(size, -1)
    for v in range(1, size - 40):  # the last 40 nodes are not reached
        parent[v] = rng.integers(0, v)
    src = parent[parent >= 0]
    dst = np.flatnonzero(parent >= 0)
    idom, depth, anc = metrics._dominator_tree(src, dst, size, root)
    assert (idom[dst] == src).all()

    def chain(v):
        up = [v]
        while up[-1] != root:
            up.append(int(parent[up[-1]]))
        return up

    sizes = rng.integers(1, 6, size=300)
    nodes = rng.integers(0, size, size=int(sizes.sum()))
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    found = metrics._lowest_common(anc, nodes, starts)
    for k, (start, count) in enumerate(zip(starts, sizes)):
        group = nodes[start:start + count].tolist()
        if any(parent[v] < 0 and v != root for v in group):
            expected = -2
        else:
            common = set.intersection(*(set(chain(v)) for v in group))
            expected = max(common, key=lambda u: depth[u])
        assert found[k] == expected, group
