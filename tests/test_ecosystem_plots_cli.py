"""Ecosystem plots (structure, not pixels) and ``coopcreds network report``."""

from __future__ import annotations

import json

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from coopcreds_proto.cli import main
from coopcreds_proto.ecosystem import build_graph, generate_ecosystem, load_ecosystem
from coopcreds_proto.ecosystem.metrics import reach_loss
from coopcreds_proto.ecosystem.models import load_model
from coopcreds_proto.ecosystem.plots import (
    LABEL_LIMIT,
    SECTOR_COLOURS,
    grouped_layout,
    plot_network,
    plot_reach_loss,
    plot_value_flows,
)


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_network_plot_labels_small_graphs_only():
    small = plot_network(build_graph(load_ecosystem(), load_model("federated")))
    assert "apex-01" in _texts(small) and "01" in _texts(small)
    legends = [leg.get_title().get_text() for leg in small.axes[0].get_children()
               if isinstance(leg, matplotlib.legend.Legend)]
    assert set(legends) == {"Co-op sector", "Roles and trust edges"}
    big_eco = generate_ecosystem(LABEL_LIMIT * 5, seed=3)
    big = plot_network(build_graph(big_eco, load_model("peer-to-peer")), max_edges=500)
    texts = _texts(big)
    assert not any(t.isdigit() for t in texts)  # no co-op labels beyond the limit
    assert "showing 500 of" in big.axes[0].get_title()
    plt.close("all")


def test_network_plot_on_an_axes_of_a_subfigure_returns_the_whole_figure():
    # A subfigure has no tight_layout: the plot lays out and returns the figure it is in.
    root = plt.figure()
    left, _ = root.subfigures(1, 2)
    ax = left.subplots()
    fig = plot_network(build_graph(load_ecosystem(), load_model("federated")), ax=ax)
    assert fig is root
    assert ax.get_title().startswith("Federated")
    plt.close("all")


def test_layout_keeps_nodes_apart():
    G = build_graph(generate_ecosystem(500, seed=4), load_model("hybrid"))
    pos = grouped_layout(G)
    assert set(pos) == set(G.nodes)
    points = sorted(pos.values())
    assert len(set(points)) == len(points)


def test_chord_and_loss_plots():
    eco = load_ecosystem()
    fig = plot_value_flows(eco)
    assert "Sector value flows" in fig.axes[0].get_title()
    assert len(fig.axes[0].patches) > len(eco.sectors)  # arcs plus ribbons
    colours = {matplotlib.colors.to_hex(p.get_facecolor()) for p in fig.axes[0].patches}
    assert colours <= {c.lower() for c in SECTOR_COLOURS}
    G = build_graph(eco, load_model("federated"))
    loss = plot_reach_loss(reach_loss(G, ["apex-01", "apex-02"]).assign(model="federated"))
    assert loss.axes[0].get_xlabel() == "cross-co-op reach lost (%)"
    plt.close("all")


def test_network_report_json(capsys):
    assert main(["network", "report", "--model", "federated", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == "federated"
    assert report["metrics"]["coops"] == 50
    assert {r["node"] for r in report["single_points_of_failure"]} == {
        "apex-01", "apex-02", "apex-03", "apex-04"}


def test_network_report_table_all_models(capsys):
    assert main(["network", "report", "--model", "all"]) == 0
    out = capsys.readouterr().out
    for name in ("convenor", "federated", "peer-to-peer", "hybrid", "cross_coop_share"):
        assert name in out
    assert "peer-to-peer: no single point of failure" in out


@pytest.mark.parametrize("argv, message", [
    (["network", "report", "--model", "star"], "unknown ecosystem model 'star'"),
    (["network", "report", "--model", "convenor", "--data", "/nonexistent"], "coops.csv"),
])
def test_network_report_errors(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
