"""The ecosystem as a typed networkx graph, built from data and an ecosystem model.

Nodes carry ``kind``: ``cooperative``, ``apex-body``, ``industry-body``,
``technology-provider`` or ``member-segment`` (segments only on request: at
scale, members stay in the sparse incidence matrix of
:func:`~coopcreds_proto.ecosystem.data.member_incidence`, because a graph with a
million member nodes is too slow to build). Edges of the ``nx.MultiDiGraph``
are keyed by their ``kind``:

================  ===============================================================
edge kind         meaning (u -> v)
================  ===============================================================
``member-of``     co-op u belongs to apex/industry body v; segment u's people are
                  members of co-op v (attribute ``count``)
``provides``      technology provider u runs wallets/issuers for co-op v
``accredits``     u vouches that v may issue member credentials
``issues-for``    u issues member credentials on behalf of co-op v
``recognises``    u accepts credentials vouched for by v (a co-op trusting an anchor,
                  or a body accepting another body's accreditations)
``value-flow``    (:func:`value_flow_graph` only) sector u's members spend share
                  ``weight`` of their spending in sector v
================  ===============================================================

Co-op nodes have ``participating`` and ``issuer`` flags; nodes that are trust
anchors have ``anchor=True``. ``G.graph`` holds ``ecosystem``, ``model`` and
``convenor`` (the convening body's id or None).

>>> from coopcreds_proto.ecosystem.data import load_ecosystem
>>> from coopcreds_proto.ecosystem.models import load_model
>>> eco = load_ecosystem()
>>> G = build_graph(eco, load_model("federated"))
>>> sorted(edge_kinds(G))
['accredits', 'member-of', 'provides', 'recognises']
>>> sum(1 for _, k in G.nodes(data="kind") if k == COOPERATIVE)
50
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np

from ..errors import InputError
from .agreements import agreement_rule, count_agreements, ring_partners
from .data import Ecosystem
from .models import FULL_MESH, EcosystemModel

COOPERATIVE = "cooperative"
APEX_BODY = "apex-body"
INDUSTRY_BODY = "industry-body"
TECHNOLOGY_PROVIDER = "technology-provider"
MEMBER_SEGMENT = "member-segment"
NODE_KINDS = (COOPERATIVE, APEX_BODY, INDUSTRY_BODY, TECHNOLOGY_PROVIDER, MEMBER_SEGMENT)
BODY_NODE_KIND = {"apex": APEX_BODY, "industry": INDUSTRY_BODY, "technology": TECHNOLOGY_PROVIDER}

MEMBER_OF = "member-of"
PROVIDES = "provides"
ACCREDITS = "accredits"
ISSUES_FOR = "issues-for"
RECOGNISES = "recognises"
VALUE_FLOW = "value-flow"
EDGE_KINDS = (MEMBER_OF, PROVIDES, ACCREDITS, ISSUES_FOR, RECOGNISES, VALUE_FLOW)
TRUST_EDGE_KINDS = (ACCREDITS, ISSUES_FOR, RECOGNISES)

SEGMENT_PREFIX = "segment:"
# The virtual root over the trust anchors in trust_flow_graph (for dominators).
TRUST_ROOT = "__trust-root__"


def edge_kinds(G: nx.MultiDiGraph) -> set[str]:
    """The set of edge kinds present in ``G``."""
    return {kind for _, _, kind in G.edges(keys=True)}


def nodes_of_kind(G: nx.Graph, kind: str) -> list[str]:
    """Node ids whose ``kind`` attribute is ``kind``, in insertion order."""
    return [n for n, k in G.nodes(data="kind") if k == kind]


def edges_of_kind(G: nx.MultiDiGraph, kind: str) -> list[tuple[str, str]]:
    """``(u, v)`` pairs of the edges of one kind."""
    return [(u, v) for u, v, k in G.edges(keys=True) if k == kind]


def pick_convenor(eco: Ecosystem, convenor: str | None = None) -> str | None:
    """The convening industry body: ``convenor`` if given (checked), else the first one."""
    industry = list(eco.bodies_of_kind("industry")["id"])
    if convenor is not None:
        if convenor not in industry:
            raise InputError(
                "unknown-convenor", f"{convenor!r} is not an industry body", path="convenor"
            )
        return convenor
    return industry[0] if industry else None


def needed_convenor(model: EcosystemModel, convenor: str | None) -> str:
    """The convenor a hub or hybrid ``model`` needs: ``convenor``, an error if there is none."""
    if convenor is None:
        raise InputError(
            "model-needs-convenor",
            f"model {model.id!r} needs an industry body as convenor; bodies.csv has none",
            path="bodies.csv",
        )
    return convenor


def _add_data_nodes(G: nx.MultiDiGraph, eco: Ecosystem, participants: set[str]) -> None:
    for row in eco.coops.itertuples(index=False):
        G.add_node(
            row.id,
            kind=COOPERATIVE,
            name=row.name,
            sector=row.sector,
            region=row.region,
            coop_type=row.coop_type,
            members=int(row.members),
            founded=int(row.founded),
            platform=bool(row.platform),
            participating=row.id in participants,
            issuer=False,
            anchor=False,
        )
    for row in eco.bodies.itertuples(index=False):
        G.add_node(
            row.id,
            kind=BODY_NODE_KIND[row.kind],
            name=row.name,
            sector=row.sector,
            region=row.region,
            issuer=False,
            anchor=False,
        )
    kinds = dict(zip(eco.bodies["id"], eco.bodies["kind"]))
    for coop, body in zip(eco.affiliations["coop_id"], eco.affiliations["body_id"]):
        if kinds[body] == "technology":
            G.add_edge(body, coop, key=PROVIDES, kind=PROVIDES)
        else:
            G.add_edge(coop, body, key=MEMBER_OF, kind=MEMBER_OF)


def _add_segments(G: nx.MultiDiGraph, eco: Ecosystem) -> None:
    counts = dict(zip(eco.segments["id"], eco.segments["count"]))
    for seg, count in counts.items():
        G.add_node(SEGMENT_PREFIX + seg, kind=MEMBER_SEGMENT, count=int(count))
    for seg, coop in zip(eco.memberships["segment_id"], eco.memberships["coop_id"]):
        node = SEGMENT_PREFIX + seg
        G.add_edge(node, coop, key=MEMBER_OF, kind=MEMBER_OF, count=int(counts[seg]))


def _edge(G: nx.MultiDiGraph, u: str, v: str, kind: str) -> None:
    G.add_edge(u, v, key=kind, kind=kind)


def apex_bodies_of(eco: Ecosystem) -> dict[str, list[str]]:
    """Each co-op's apex bodies (its affiliations to bodies of kind ``apex``), in file order."""
    apexes = set(eco.bodies_of_kind("apex")["id"])
    apex_of: dict[str, list[str]] = {}
    for coop, body in zip(eco.affiliations["coop_id"], eco.affiliations["body_id"]):
        if body in apexes:
            apex_of.setdefault(coop, []).append(body)
    return apex_of


def participating(eco: Ecosystem, participants: Iterable[str] | None) -> list[str]:
    """The participating co-op ids in ``coops.csv`` order (all of them for ``None``).

    An id that is not a co-op of ``eco`` is an error (``unknown-participant``).
    """
    all_coops = list(eco.coops["id"])
    if participants is None:
        return all_coops
    wanted = set(participants)
    unknown = wanted.difference(all_coops)
    if unknown:
        raise InputError(
            "unknown-participant",
            f"participants not in coops.csv: {', '.join(sorted(unknown)[:5])}",
            path="participants",
        )
    return [c for c in all_coops if c in wanted]


def bilateral_partners(eco: Ecosystem, participants: list[str], per_coop: int) -> np.ndarray:
    """Pairs (i, j) of bilateral agreements: each co-op has ``per_coop`` partners, its
    nearest in (sector, region, id) order, so that similar co-ops pair up; deterministic.

    The partner rule is :func:`~.agreements.ring_partners` (``per_coop // 2`` on
    each side in that order, and the co-op opposite for an odd number), so ``n``
    co-ops sign :func:`~.agreements.bilateral_pairs` ``(n, per_coop)`` agreements.
    """
    n = len(participants)
    if n < 2 or per_coop <= 0:
        return np.empty((0, 2), dtype=object)
    table = eco.coops.set_index("id").loc[participants, ["sector", "region"]].reset_index()
    order = table.sort_values(["sector", "region", "id"])["id"].to_numpy(dtype=object)
    pairs = ring_partners(n, per_coop)
    return np.column_stack([order[pairs[:, 0]], order[pairs[:, 1]]])


def model_agreements(
    eco: Ecosystem, model: EcosystemModel, participants: Iterable[str] | None = None
) -> int:
    """Agreements ``model`` signs when ``participants`` (default: all co-ops) take part.

    The count of :func:`~.agreements.count_agreements` over the data: the
    participants' apex-body affiliations, the apex bodies that have participants
    and the co-ops that issue their own credentials. :func:`build_graph` wires
    exactly these (one trust-edge pair each).
    """
    chosen = participating(eco, participants)
    rule = agreement_rule(model)
    apex_of = apex_bodies_of(eco)
    links = sum(len(apex_of.get(c, ())) for c in chosen)
    active = len({a for c in chosen for a in apex_of.get(c, ())})
    if model.topology in ("federated", "hybrid"):
        issuers = sum(1 for c in chosen if apex_of.get(c))
    else:
        issuers = len(chosen) if model.roles.issuer == "cooperative" else 0
    return count_agreements(rule, participants=len(chosen), apex_links=links,
                            active_apex=active, issuers=issuers)


def _wire_model(
    G: nx.MultiDiGraph, eco: Ecosystem, model: EcosystemModel, participants: list[str],
    convenor: str | None,
) -> None:
    topology = model.topology
    apexes = list(eco.bodies_of_kind("apex")["id"])
    apex_of = apex_bodies_of(eco)
    if topology == "hub":
        hub = needed_convenor(model, convenor)
        G.nodes[hub]["issuer"] = True
        for coop in participants:
            _edge(G, hub, coop, ISSUES_FOR)
            _edge(G, coop, hub, RECOGNISES)
    elif topology in ("federated", "hybrid"):
        # A hybrid model has the convenor above the apex bodies; a federated one has none.
        above = needed_convenor(model, convenor) if topology == "hybrid" else None
        # Only apex bodies with participating co-ops take part (and sign agreements).
        active = [a for a in apexes if any(a in apex_of.get(c, ()) for c in participants)]
        if above is not None:
            G.nodes[above]["issuer"] = True
            for apex in active:
                _edge(G, above, apex, ACCREDITS)
        for coop in participants:
            own = apex_of.get(coop, [])
            for apex in own:
                _edge(G, apex, coop, ACCREDITS)
                _edge(G, coop, apex, RECOGNISES)
            if own:
                G.nodes[coop]["issuer"] = True
            if above is not None:
                _edge(G, coop, above, RECOGNISES)
                if not own:
                    _edge(G, above, coop, ISSUES_FOR)
        if model.trust.body_recognition == "all-pairs":
            for a in active:
                for b in active:
                    if a != b:
                        _edge(G, a, b, RECOGNISES)
    elif topology == "mesh":
        for coop in participants:
            G.nodes[coop]["issuer"] = True
    agreements = model.trust.bilateral_agreements
    if agreements:
        issuers = [c for c in participants if G.nodes[c]["issuer"]]
        if agreements == FULL_MESH:
            pairs = [(a, b) for i, a in enumerate(issuers) for b in issuers[i + 1:]]
        else:
            pairs = bilateral_partners(eco, issuers, int(agreements)).tolist()
        for a, b in pairs:
            _edge(G, a, b, RECOGNISES)
            _edge(G, b, a, RECOGNISES)
    anchors = model.trust.anchors
    if "convenor" in anchors and convenor is not None:
        G.nodes[convenor]["anchor"] = True
    if "apex-body" in anchors:
        for apex in apexes:
            G.nodes[apex]["anchor"] = True
    if "cooperative" in anchors:
        for coop in participants:
            if G.nodes[coop]["issuer"]:
                G.nodes[coop]["anchor"] = True


def build_graph(
    eco: Ecosystem,
    model: EcosystemModel | None = None,
    *,
    participants: Iterable[str] | None = None,
    convenor: str | None = None,
    include_segments: bool = False,
) -> nx.MultiDiGraph:
    """The ecosystem graph of ``eco``, wired by ``model`` (if given).

    Parameters
    ----------
    eco : the ecosystem data (co-ops, bodies, affiliations, members).
    model : an ecosystem model; without one, only data edges (``member-of``,
        ``provides``) are added.
    participants : ids of the co-ops that take part (default: all); the others
        are nodes with ``participating=False`` and no trust edges.
    convenor : the industry body that convenes (hub and hybrid models);
        default: the first industry body in ``bodies.csv``.
    include_segments : add member-segment nodes with ``member-of`` edges (for
        small data sets and drawings only).

    Example
    -------
    >>> from coopcreds_proto.ecosystem import load_ecosystem, load_model
    >>> G = build_graph(load_ecosystem(), load_model("convenor"))
    >>> hub = G.graph["convenor"]
    >>> G.nodes[hub]["kind"], len([u for u, v in edges_of_kind(G, RECOGNISES) if v == hub])
    ('industry-body', 50)
    """
    chosen = participating(eco, participants)
    G = nx.MultiDiGraph()
    convenor_id = pick_convenor(eco, convenor)
    G.graph.update(ecosystem=eco, model=model, convenor=convenor_id)
    _add_data_nodes(G, eco, set(chosen))
    if include_segments:
        _add_segments(G, eco)
    if model is not None:
        _wire_model(G, eco, model, chosen, convenor_id)
    return G


def graph_from_edges(
    eco: Ecosystem,
    edges: Iterable[tuple[str, str, str]],
    *,
    issuers: Iterable[str] = (),
    anchors: Iterable[str] = (),
    model: EcosystemModel | None = None,
) -> nx.MultiDiGraph:
    """A graph over ``eco``'s nodes with explicit trust edges ``(u, v, kind)``.

    For trust structures that come from elsewhere (e.g. a trust registry's
    accreditations and recognition agreements) rather than from a model.

    >>> from coopcreds_proto.ecosystem import load_ecosystem
    >>> eco = load_ecosystem()
    >>> a, b = eco.coops["id"][:2]
    >>> G = graph_from_edges(eco, [(a, b, "recognises")], issuers=[b], anchors=[b])
    >>> G.has_edge(a, b, key="recognises")
    True
    """
    G = nx.MultiDiGraph()
    G.graph.update(ecosystem=eco, model=model, convenor=None)
    _add_data_nodes(G, eco, set(eco.coops["id"]))
    for node in issuers:
        G.nodes[node]["issuer"] = True
    for node in anchors:
        G.nodes[node]["anchor"] = True
    for u, v, kind in edges:
        if kind not in TRUST_EDGE_KINDS:
            raise InputError("bad-edge-kind", f"edge kind {kind!r} is not one of "
                             f"{', '.join(TRUST_EDGE_KINDS)}", path="kind")
        for node in (u, v):
            if node not in G:
                raise InputError("unknown-node", f"edge names unknown node {node!r}", path=node)
        _edge(G, u, v, kind)
    return G


def trust_flow_graph(G: nx.MultiDiGraph, *, root: str = TRUST_ROOT) -> nx.DiGraph:
    """Directed graph along which trust flows: ``root`` -> anchors -> (accredits,
    issues-for) -> issuers and the co-ops issued for. Used for dominators."""
    flow = nx.DiGraph()
    flow.add_node(root)
    flow.add_nodes_from(n for n in G.nodes if G.nodes[n].get("kind") != MEMBER_SEGMENT)
    for node, is_anchor in G.nodes(data="anchor"):
        if is_anchor:
            flow.add_edge(root, node)
    for u, v, kind in G.edges(keys=True):
        if kind in (ACCREDITS, ISSUES_FOR):
            flow.add_edge(u, v)
    return flow


def value_flow_graph(eco: Ecosystem, *, threshold: float = 0.0) -> nx.DiGraph:
    """Sectors as nodes (``kind='sector'``, ``coops``, ``members``) and ``value-flow``
    edges weighted by the share of spending (only weights above ``threshold``)."""
    H = nx.DiGraph()
    per_sector = eco.coops.groupby("sector")["members"].agg(["count", "sum"])
    for sector in eco.sectors:
        coops, members = (
            per_sector.loc[sector].tolist() if sector in per_sector.index else (0, 0)
        )
        H.add_node(sector, kind="sector", coops=int(coops), members=int(members))
    flows = eco.value_flows
    for a in eco.sectors:
        for b in eco.sectors:
            weight = float(flows.at[a, b])
            if weight > threshold:
                H.add_edge(a, b, kind=VALUE_FLOW, weight=weight)
    return H
