"""Plots for co-op boards: the trust network, the sector value flows, reach lost.

Colour-blind-safe colours throughout: sectors use Paul Tol's "muted" palette
(ten distinguishable colours), roles use Okabe-Ito colours *and* marker shapes,
so nothing relies on colour alone. Every function returns the matplotlib
``Figure`` (nothing is shown), with a title, labels and a legend.

>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from coopcreds_proto.ecosystem import build_graph, load_ecosystem, load_model
>>> fig = plot_network(build_graph(load_ecosystem(), load_model("federated")))
>>> fig.axes[0].get_title()
'Federated apex bodies: 50 co-ops, 4 apex bodies'
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Wedge
from matplotlib.path import Path

from ..palette import colours
from .data import Ecosystem
from .graph import (
    ACCREDITS,
    APEX_BODY,
    COOPERATIVE,
    INDUSTRY_BODY,
    ISSUES_FOR,
    RECOGNISES,
    TECHNOLOGY_PROVIDER,
)
from .value_flows import sector_spending

# Paul Tol's muted qualitative palette (colour-blind safe), one colour per sector.
SECTOR_COLOURS = colours("tol_muted")
_ROLE_COLOURS = colours("roles")
_EDGE_COLOURS = colours("edges")
_GREYS = colours("greys")
# Okabe-Ito colours for roles, each with its own marker.
ROLE_STYLE = {
    INDUSTRY_BODY: (_ROLE_COLOURS["industry_body"], "*", "industry body (convenor)"),
    APEX_BODY: (_ROLE_COLOURS["apex_body"], "s", "apex body"),
    TECHNOLOGY_PROVIDER: (_ROLE_COLOURS["technology_provider"], "^", "technology provider"),
}
EDGE_STYLE = {
    ACCREDITS: (_EDGE_COLOURS["accredits"], "accredits"),
    ISSUES_FOR: (_EDGE_COLOURS["issues_for"], "issues for"),
    RECOGNISES: (_EDGE_COLOURS["recognises"], "recognises"),
}
LABEL_LIMIT = 60  # co-op labels only up to this many co-ops
DPI = 100


def sector_colours(sectors: list[str] | tuple[str, ...]) -> dict[str, str]:
    """A colour per sector, in order (cycles beyond ten sectors)."""
    return {s: SECTOR_COLOURS[i % len(SECTOR_COLOURS)] for i, s in enumerate(sectors)}


def grouped_layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """Positions that stay legible from 50 to 500 nodes: co-ops on an outer ring in
    one arc per sector (by region, then id, within it), apex bodies on an inner
    ring next to their co-ops, the convenor at the centre, technology providers
    on a small middle ring."""
    eco: Ecosystem = G.graph["ecosystem"]
    coops = eco.coops.sort_values(["sector", "region", "id"], key=lambda c: c.map(
        {s: i for i, s in enumerate(eco.sectors)}) if c.name == "sector" else c)
    n = len(coops)
    gap = 2 * math.pi * 0.02  # a gap between sector arcs
    sectors = [s for s in eco.sectors if s in set(coops["sector"])]
    usable = 2 * math.pi - gap * len(sectors)
    pos: dict[str, tuple[float, float]] = {}
    angle = 0.0
    coop_angle: dict[str, float] = {}
    for sector in sectors:
        ids = coops[coops["sector"] == sector]["id"].tolist()
        span = usable * len(ids) / n
        for k, node in enumerate(ids):
            a = angle + span * (k + 0.5) / len(ids)
            coop_angle[node] = a
            pos[node] = (math.cos(a), math.sin(a))
        angle += span + gap
    bodies = {kind: [n for n, d in G.nodes(data=True) if d.get("kind") == kind]
              for kind in (APEX_BODY, INDUSTRY_BODY, TECHNOLOGY_PROVIDER)}
    for kind, radius in ((APEX_BODY, 0.55), (TECHNOLOGY_PROVIDER, 0.3)):
        nodes = bodies[kind]
        # Place each body at the mean angle of its co-ops (spread out if they clash).
        angles = []
        for node in nodes:
            linked = [coop_angle[v] for v in nx.all_neighbors(G, node) if v in coop_angle]
            if linked:
                angles.append(math.atan2(np.mean(np.sin(linked)), np.mean(np.cos(linked))))
            else:
                angles.append(2 * math.pi * len(angles) / max(len(nodes), 1))
        # Evenly spaced (never on top of each other), in the order of their co-ops.
        order = np.argsort(angles, kind="stable")
        base = angles[order[0]] if nodes else 0.0
        for rank, idx in enumerate(order):
            a = base + 2 * math.pi * rank / len(nodes)
            pos[nodes[idx]] = (radius * math.cos(a), radius * math.sin(a))
    industry = bodies[INDUSTRY_BODY]
    for k, node in enumerate(industry):
        offset = 0.0 if k == 0 else 0.12
        pos[node] = (offset * math.cos(k), offset * math.sin(k))
    return pos


def plot_network(
    G: nx.MultiDiGraph,
    *,
    title: str | None = None,
    max_edges: int = 4000,
    ax: plt.Axes | None = None,
) -> Figure:
    """The trust network: co-ops coloured by sector (hollow if not participating),
    bodies by role (colour and shape), trust edges by kind.

    Beyond :data:`LABEL_LIMIT` co-ops, nodes shrink and only bodies are labelled;
    beyond ``max_edges`` trust edges, an evenly spaced subset is drawn (said in
    the title).
    """
    eco: Ecosystem = G.graph["ecosystem"]
    model = G.graph.get("model")
    pos = grouped_layout(G)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 9), dpi=DPI)
    else:
        fig = ax.figure.figure  # the root Figure, also for an Axes in a subfigure
    n_coops = eco.n_coops
    small = n_coops > LABEL_LIMIT
    node_size = max(6.0, 120.0 * min(1.0, 50.0 / n_coops))

    edges = [(u, v, k) for u, v, k in G.edges(keys=True) if k in EDGE_STYLE]
    shown = edges
    if len(edges) > max_edges:
        step = len(edges) / max_edges
        shown = [edges[int(i * step)] for i in range(max_edges)]
    for kind, (colour, _) in EDGE_STYLE.items():
        segs = [(pos[u], pos[v]) for u, v, k in shown if k == kind and u in pos and v in pos]
        if segs:
            alpha = 0.15 if kind == RECOGNISES else 0.5
            ax.add_collection(LineCollection(segs, colors=colour, linewidths=0.6, alpha=alpha,
                                             zorder=1))

    colours = sector_colours(eco.sectors)
    coops = [n for n, d in G.nodes(data=True) if d.get("kind") == COOPERATIVE]
    for participating in (True, False):
        nodes = [c for c in coops if bool(G.nodes[c].get("participating", True)) == participating]
        if not nodes:
            continue
        xy = np.array([pos[c] for c in nodes])
        cols = [colours[G.nodes[c]["sector"]] for c in nodes]
        ax.scatter(xy[:, 0], xy[:, 1], s=node_size, marker="o", zorder=3,
                   c=cols if participating else "white", edgecolors=cols if not participating
                   else "white", linewidths=0.8 if not small else 0.3)
    for kind, (colour, marker, _) in ROLE_STYLE.items():
        nodes = [n for n, d in G.nodes(data=True) if d.get("kind") == kind]
        if nodes:
            xy = np.array([pos[n] for n in nodes])
            size = 420 if kind == INDUSTRY_BODY else 160
            ax.scatter(xy[:, 0], xy[:, 1], s=size, marker=marker, c=colour, zorder=4,
                       edgecolors="white", linewidths=0.8)
            if len(nodes) <= 12:
                for node in nodes:
                    x, y = pos[node]
                    ax.annotate(node, (x, y), xytext=(0, -14), textcoords="offset points",
                                ha="center", fontsize=8, zorder=5)
    if not small:
        for c in coops:
            x, y = pos[c]
            a = math.atan2(y, x)
            ax.annotate(c.replace("coop-", ""), (x, y), xytext=(10 * math.cos(a), 10 * math.sin(a)),
                        textcoords="offset points", ha="center", va="center", fontsize=6)

    sector_handles = [Line2D([], [], marker="o", ls="", color=colours[s], label=s)
                      for s in eco.sectors if s in set(eco.coops["sector"])]
    role_handles = [Line2D([], [], marker=m, ls="", color=c, markersize=9, label=label)
                    for c, m, label in ROLE_STYLE.values()]
    role_handles.append(Line2D([], [], marker="o", ls="", markerfacecolor="white",
                               markeredgecolor=_GREYS["light"], label="co-op not taking part"))
    edge_handles = [Line2D([], [], color=c, label=label) for c, label in EDGE_STYLE.values()]
    first = ax.legend(handles=sector_handles, title="Co-op sector", loc="upper left",
                      bbox_to_anchor=(1.0, 1.0), fontsize=8, title_fontsize=9, frameon=False)
    ax.add_artist(first)
    ax.legend(handles=role_handles + edge_handles, title="Roles and trust edges",
              loc="lower left", bbox_to_anchor=(1.0, 0.0), fontsize=8, title_fontsize=9,
              frameon=False)
    n_apex = sum(1 for _, d in G.nodes(data=True) if d.get("kind") == APEX_BODY)
    heading = title or (f"{model.name if model else 'Ecosystem'}: {n_coops} co-ops, "
                        f"{n_apex} apex bodies")
    if len(shown) < len(edges):
        heading += f"\n(showing {len(shown):,} of {len(edges):,} trust edges)"
    ax.set_title(heading)
    ax.set_aspect("equal")
    ax.set_xlim(-1.25, 1.25)
    ax.set_ylim(-1.25, 1.25)
    ax.axis("off")
    fig.tight_layout()
    return fig


def _ribbon(a0: float, a1: float, b0: float, b1: float, radius: float) -> Path:
    """A chord ribbon from arc [a0, a1] to arc [b0, b1] through the centre."""
    def pt(a: float) -> tuple[float, float]:
        return radius * math.cos(a), radius * math.sin(a)

    def arc(start: float, end: float) -> list[tuple[float, float]]:
        steps = max(2, int(abs(end - start) / 0.05))
        return [pt(start + (end - start) * t / steps) for t in range(1, steps + 1)]

    verts = [pt(a0), *arc(a0, a1), (0.0, 0.0), pt(b0), *arc(b0, b1), (0.0, 0.0), pt(a0)]
    codes = ([Path.MOVETO] + [Path.LINETO] * len(arc(a0, a1)) + [Path.CURVE3, Path.CURVE3]
             + [Path.LINETO] * len(arc(b0, b1)) + [Path.CURVE3, Path.CURVE3])
    return Path(verts, codes)


def group_small_sectors(
    flows: np.ndarray, sectors: list[str], min_share: float
) -> tuple[np.ndarray, list[str]]:
    """The flows with the sectors whose in + out flow is under ``min_share`` of all flows
    merged into one sector named "other (a, b, ...)" (never dropped); the names."""
    size = flows.sum(axis=1) + flows.sum(axis=0)
    total = size.sum()
    small = [i for i in range(len(sectors)) if total and size[i] < min_share * total]
    if len(small) < 2:
        return flows, list(sectors)
    big = [i for i in range(len(sectors)) if i not in small]
    index = np.array([big.index(i) if i in big else len(big) for i in range(len(sectors))])
    merged = np.zeros((len(big) + 1, len(big) + 1))
    np.add.at(merged, (index[:, None], index[None, :]), flows)
    label = "other (" + ", ".join(sectors[i] for i in small) + ")"
    return merged, [sectors[i] for i in big] + [label]


def plot_value_flows(
    eco: Ecosystem,
    *,
    weight_by_members: bool = True,
    min_share: float = 0.01,
    title: str | None = None,
) -> Figure:
    """Chord diagram of sector value flows (pure matplotlib).

    Each sector is an arc sized by the value it sends and receives; a ribbon
    from sector A to sector B has the colour of A and a width proportional to
    the flow (A's members' spending share in B, times A's members when
    ``weight_by_members``: :func:`~.value_flows.sector_spending`). No sector is
    left out: sectors whose arc would be under ``min_share`` of the circle are
    drawn as one arc, "other", labelled with their names.
    """
    names = list(eco.sectors)
    flows = eco.value_flows.loc[names, names].to_numpy(dtype=float)
    if weight_by_members:
        members = eco.coops.groupby("sector")["members"].sum().reindex(names, fill_value=0)
        flows = sector_spending(flows, members.to_numpy(dtype=float))
    flows, sectors = group_small_sectors(flows, names, min_share)
    out, inn = flows.sum(axis=1), flows.sum(axis=0)
    size = out + inn
    keep = [i for i in range(len(sectors)) if size[i] > 0]
    colours = sector_colours(names)
    colours.update({s: _GREYS["mid"] for s in sectors if s not in colours})
    fig, ax = plt.subplots(figsize=(10, 8), dpi=DPI)
    gap = 0.03
    usable = 2 * math.pi - gap * len(keep)
    scale = usable / size[keep].sum() if keep else 0.0
    start: dict[int, float] = {}
    angle = 0.0
    for i in keep:
        start[i] = angle
        span = size[i] * scale
        ax.add_patch(Wedge((0, 0), 1.08, math.degrees(angle), math.degrees(angle + span),
                           width=0.08, color=colours[sectors[i]]))
        mid = angle + span / 2
        ax.text(1.16 * math.cos(mid), 1.16 * math.sin(mid), sectors[i], fontsize=8,
                ha="left" if math.cos(mid) >= 0 else "right", va="center",
                rotation=math.degrees(mid) if math.cos(mid) >= 0 else math.degrees(mid) + 180,
                rotation_mode="anchor")
        angle += span + gap
    # Within a sector's arc: outgoing slots first (by target), then incoming (by source).
    cursor = dict(start)
    out_slot, in_slot = {}, {}
    for i in keep:
        for j in keep:
            if flows[i, j] > 0:
                width = flows[i, j] * scale
                out_slot[i, j] = (cursor[i], cursor[i] + width)
                cursor[i] += width
    for j in keep:
        for i in keep:
            if flows[i, j] > 0:
                width = flows[i, j] * scale
                in_slot[i, j] = (cursor[j], cursor[j] + width)
                cursor[j] += width
    for (i, j), (a0, a1) in out_slot.items():
        b0, b1 = in_slot[i, j]
        ax.add_patch(PathPatch(_ribbon(a0, a1, b1, b0, 1.0), facecolor=colours[sectors[i]],
                               edgecolor="none", alpha=0.55))
    handles = [Line2D([], [], marker="s", ls="", color=colours[sectors[i]], label=sectors[i])
               for i in keep]
    ax.legend(handles=handles, title="Spending sector (ribbon colour)", loc="upper left",
              bbox_to_anchor=(1.02, 1.0), fontsize=8, title_fontsize=9, frameon=False)
    unit = "members x spending share" if weight_by_members else "spending share"
    grouped = "" if sectors == names else f"; sectors under {min_share:.0%} grouped"
    ax.set_title(title or f"Sector value flows\n({unit}{grouped})")
    ax.set_xlim(-1.4, 1.4)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.tight_layout()
    return fig


def plot_reach_loss(losses: pd.DataFrame, *, title: str | None = None) -> Figure:
    """Horizontal bars: the share of cross-co-op reach lost when each participant
    leaves; one colour per model when the frame has a ``model`` column."""
    frame = losses.copy()
    if "model" not in frame.columns:
        frame["model"] = "model"
    wide = frame.pivot_table(index="node", columns="model", values="share_lost", sort=False)
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(wide) + 1.5), dpi=DPI)
    palette = colours("okabe_ito")[:6]
    hatches = ["", "//", "..", "xx", "\\\\", "--"]
    height = 0.8 / max(len(wide.columns), 1)
    y = np.arange(len(wide))
    for k, model in enumerate(wide.columns):
        ax.barh(y + k * height, wide[model].fillna(0) * 100, height=height, label=model,
                color=palette[k % len(palette)], hatch=hatches[k % len(hatches)],
                edgecolor="white")
    ax.set_yticks(y + height * (len(wide.columns) - 1) / 2)
    ax.set_yticklabels(wide.index)
    ax.invert_yaxis()
    ax.set_xlabel("cross-co-op reach lost (%)")
    ax.set_ylabel("participant that leaves")
    ax.set_xlim(0, 100)
    ax.legend(title="ecosystem model", fontsize=8, frameon=False, loc="lower right")
    ax.set_title(title or "Reach lost when a participant leaves")
    fig.tight_layout()
    return fig
