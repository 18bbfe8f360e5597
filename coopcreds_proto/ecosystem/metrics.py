"""Network metrics: plain functions over an ecosystem graph returning numbers or DataFrames.

Reach is exact and sparse. Members are a segment x co-op incidence matrix ``M``
(counts per segment); the graph's trust edges become four small sparse
matrices over organisations: ``Iss`` (whose credentials a co-op's members
hold), ``Acc`` (who accredits whom), ``Rd`` (which anchors a co-op recognises)
and ``Rb`` (bodies recognising bodies). A member of segment ``s`` is recognised
at co-op ``j`` when some credential of ``s`` is vouched for by an anchor that
``j`` trusts:  ``(M @ Iss @ V) @ Trust.T > 0`` with ``V = I + Acc + ... +
Acc^L`` (``L`` = the model's maximum chain length) and ``Trust = Rd + Rd @ Rb``.
The product is never formed co-op by co-op: co-ops that trust the same
anchors share a column class, so the work is ``segments x classes`` (a hub
has one class, a federation one per apex body, a mesh sparse rows).

A member is always recognised at their own co-ops (``own`` pairs); ``cross``
pairs are the other co-ops that recognise them, the number that a network of
trust adds. ``possible`` pairs are all member x other-co-op pairs.

>>> from coopcreds_proto.ecosystem import build_graph, load_ecosystem, load_model
>>> eco = load_ecosystem()
>>> hub = reach(build_graph(eco, load_model("convenor")))
>>> hub.cross == hub.possible  # everyone is recognised everywhere
True
>>> reach_without(build_graph(eco, load_model("convenor")), nodes=["industry-01"]).cross
0
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import InputError
from .data import (
    Ecosystem,
    MemberIncidence,
    member_incidence,
    merge_identical_segments,
    unique_sparse_rows,
)
from .graph import (
    ACCREDITS,
    COOPERATIVE,
    ISSUES_FOR,
    MEMBER_SEGMENT,
    RECOGNISES,
    TRUST_EDGE_KINDS,
    build_graph,
)
from .models import EcosystemModel
from .value_flows import spending_per_coop

# Without a model (graph_from_edges), accreditation chains may be this long.
DEFAULT_MAX_CHAIN_LENGTH = 3


@dataclass(frozen=True)
class TrustOperator:
    """The trust edges of a graph as sparse matrices over organisations.

    Node order: the co-ops (in ``eco.coops`` order, so co-op ``i`` is node ``i``)
    then the bodies. ``issued`` (co-ops x nodes), ``accredited`` (nodes x nodes,
    ``[u, a]``: a accredits u), ``recognises`` (co-ops x nodes), ``body_recognises``
    (nodes x nodes), ``max_chain_length``, ``transitive`` (body recognition).
    """

    node_ids: tuple[str, ...]
    n_coops: int
    issued: sp.csr_matrix
    accredited: sp.csr_matrix
    recognises: sp.csr_matrix
    body_recognises: sp.csr_matrix
    max_chain_length: int
    transitive: bool

    def index(self, node: str) -> int:
        return self._positions()[node]

    def _positions(self) -> dict[str, int]:
        cache = self.__dict__.get("_pos")
        if cache is None:
            cache = {n: i for i, n in enumerate(self.node_ids)}
            object.__setattr__(self, "_pos", cache)
        return cache


@dataclass(frozen=True)
class Reach:
    """Member x co-op pairs in which a member is recognised (people counted with weights).

    ``people``: members; ``own``: pairs at the member's own co-ops; ``cross``:
    pairs at other co-ops that recognise them; ``total = own + cross``;
    ``possible``: all member x other-co-op pairs; ``cross_share = cross / possible``;
    ``value``: the share of members' spending (value flows) that reaches co-ops
    that recognise them, summed over members (0 <= value <= people);
    ``multi_coop_people``: people recognised at two or more co-ops.
    """

    people: int
    own: int
    cross: int
    possible: int
    value: float
    multi_coop_people: int

    @property
    def total(self) -> int:
        return self.own + self.cross

    @property
    def cross_share(self) -> float:
        return self.cross / self.possible if self.possible else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "total": self.total, "cross_share": round(self.cross_share, 6)}


# --- building the operator ---------------------------------------------------------


def _model_rules(G: nx.MultiDiGraph) -> tuple[int, bool]:
    model = G.graph.get("model")
    if model is None:
        return DEFAULT_MAX_CHAIN_LENGTH, False
    return model.trust.max_chain_length, model.trust.transitive_recognition


def trust_operator(G: nx.MultiDiGraph) -> TrustOperator:
    """The sparse trust matrices of ``G`` (see the module docstring)."""
    eco: Ecosystem = G.graph["ecosystem"]
    coop_ids = list(eco.coops["id"])
    others = [n for n, k in G.nodes(data="kind") if k not in (COOPERATIVE, MEMBER_SEGMENT)]
    node_ids = tuple(coop_ids + others)
    pos = {n: i for i, n in enumerate(node_ids)}
    n, c = len(node_ids), len(coop_ids)
    iss_r, iss_c = [], []
    for i, coop in enumerate(coop_ids):
        if G.nodes[coop].get("issuer"):
            iss_r.append(i)
            iss_c.append(i)
    acc_r, acc_c, rec_r, rec_c, rb_r, rb_c = [], [], [], [], [], []
    for u, v, kind in G.edges(keys=True):
        if kind not in TRUST_EDGE_KINDS or u not in pos or v not in pos:
            continue
        if kind == ISSUES_FOR and pos[v] < c:
            iss_r.append(pos[v])
            iss_c.append(pos[u])
        elif kind == ACCREDITS:
            acc_r.append(pos[v])
            acc_c.append(pos[u])
        elif kind == RECOGNISES:
            if pos[u] < c:
                rec_r.append(pos[u])
                rec_c.append(pos[v])
            else:
                rb_r.append(pos[u])
                rb_c.append(pos[v])
    chain, transitive = _model_rules(G)

    def mat(rows, cols, shape):
        m = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=shape)
        m.sum_duplicates()
        m.data[:] = 1
        return m

    return TrustOperator(
        node_ids=node_ids,
        n_coops=c,
        issued=mat(iss_r, iss_c, (c, n)),
        accredited=mat(acc_r, acc_c, (n, n)),
        recognises=mat(rec_r, rec_c, (c, n)),
        body_recognises=mat(rb_r, rb_c, (n, n)),
        max_chain_length=chain,
        transitive=transitive,
    )


def _bool(m: sp.spmatrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m)
    m.data = (m.data != 0).astype(np.int32)
    m.eliminate_zeros()
    return m


def _vouching(op: TrustOperator, acc: sp.csr_matrix) -> sp.csr_matrix:
    """V[u, a] = 1 when anchor a vouches for u through <= max_chain_length accreditations."""
    n = acc.shape[0]
    v = sp.identity(n, dtype=np.int32, format="csr")
    step = v
    for _ in range(op.max_chain_length):
        step = _bool(step @ acc)
        if step.nnz == 0:
            break
        v = _bool(v + step)
    return v


def _trust(rd: sp.csr_matrix, rb: sp.csr_matrix, transitive: bool) -> sp.csr_matrix:
    """Trust[j, a] = 1 when co-op j accepts anchor a directly or through a body that
    recognises a (one hop; all hops when recognition is transitive)."""
    trust = _bool(rd + rd @ rb)
    if transitive:
        while True:
            wider = _bool(trust + trust @ rb)
            if wider.nnz == trust.nnz:
                break
            trust = wider
    return trust


def _keep(mask: np.ndarray) -> sp.dia_matrix:
    return sp.diags(mask.astype(np.int32), format="csr", dtype=np.int32)


def _home_sectors(eco: Ecosystem, matrix: sp.csr_matrix) -> np.ndarray:
    """The sector index of each segment's first co-op (in coops.csv order)."""
    sectors = pd.Index(eco.sectors)
    coop_sector = sectors.get_indexer(eco.coops["sector"])
    m = matrix.tocsr()
    m.sort_indices()
    first_col = np.where(np.diff(m.indptr) > 0, m.indices[np.minimum(m.indptr[:-1], m.nnz - 1)], 0)
    return coop_sector[first_col]


@dataclass(frozen=True)
class _Members:
    """What reach needs of the members, computed once per incidence."""

    matrix: sp.csr_matrix
    counts: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    n_own: np.ndarray
    home: np.ndarray
    coop_sector: np.ndarray
    flows: np.ndarray  # home sector x co-op sector, per co-op of the target sector


def _prepare(eco: Ecosystem, incidence: MemberIncidence) -> _Members:
    m = incidence.matrix.tocsr()
    rows, cols = m.nonzero()
    sectors = pd.Index(eco.sectors)
    coop_sector = sectors.get_indexer(eco.coops["sector"])
    per_sector = np.bincount(coop_sector, minlength=len(sectors))
    # Spending of a member with home sector h goes to sector t in share
    # flows[h, t], split evenly between the co-ops of sector t (.value_flows).
    flows = spending_per_coop(eco.value_flows.to_numpy(), per_sector)
    return _Members(
        matrix=m,
        counts=incidence.counts.astype(np.int64),
        rows=rows,
        cols=cols,
        n_own=np.diff(m.indptr).astype(np.int64),
        home=_home_sectors(eco, m),
        coop_sector=coop_sector,
        flows=flows,
    )


def _evaluate(
    op: TrustOperator,
    members: _Members,
    *,
    removed: Sequence[str] = (),
    revoked: Sequence[tuple[str, str]] = (),
) -> Reach:
    n, c = len(op.node_ids), op.n_coops
    keep = np.ones(n, dtype=bool)
    for node in removed:
        keep[op.index(node)] = False
    kn, kc = _keep(keep), _keep(keep[:c])
    acc = op.accredited
    if revoked:
        acc = acc.tolil(copy=True)
        for accreditor, accredited in revoked:
            acc[op.index(accredited), op.index(accreditor)] = 0
        acc = acc.tocsr()
        acc.eliminate_zeros()
    acc = _bool(kn @ acc @ kn)
    issued = _bool(kc @ op.issued @ kn)
    rd = _bool(kc @ op.recognises @ kn)
    rb = _bool(kn @ op.body_recognises @ kn)
    vouch = _vouching(op, acc)
    trust = _trust(rd, rb, op.transitive)  # co-ops x nodes

    m, counts, rows, cols = members.matrix, members.counts, members.rows, members.cols
    x = _bool(m @ _bool(issued @ vouch))  # segments x anchors vouching for them
    first, cls = unique_sparse_rows(trust)  # co-ops sharing a trust row share a class
    tc = trust[first].T.tocsr()  # anchors x classes
    b = _bool(x @ tc)  # segments x classes: recognised at that class's co-ops
    size = np.bincount(cls, minlength=len(first)).astype(np.int64)
    own_hit = np.asarray(b[rows, cls[cols]]).ravel().astype(np.int64)
    overlap = np.bincount(rows, weights=own_hit, minlength=m.shape[0]).astype(np.int64)
    n_own = members.n_own
    cross = np.asarray(b @ size).ravel().astype(np.int64) - overlap

    # Value: the share of spending that reaches recognising co-ops.
    coop_sector, flows, home = members.coop_sector, members.flows, members.home
    class_sector = np.zeros((len(first), flows.shape[0]))
    np.add.at(class_sector, (cls, coop_sector), 1.0)
    by_class_home = class_sector @ flows.T  # classes x home sector
    recognised_value = np.asarray((b @ by_class_home)[np.arange(m.shape[0]), home]).ravel()
    own_value = np.bincount(
        rows, weights=own_hit * flows[home[rows], coop_sector[cols]], minlength=m.shape[0]
    )
    value = float(np.dot(counts, recognised_value - own_value))

    return Reach(
        people=int(counts.sum()),
        own=int(np.dot(counts, n_own)),
        cross=int(np.dot(counts, cross)),
        possible=int(np.dot(counts, c - n_own)),
        value=round(value, 6),
        multi_coop_people=int(counts[(n_own + cross) >= 2].sum()),
    )


def _incidence(G: nx.MultiDiGraph, incidence: MemberIncidence | None) -> MemberIncidence:
    return incidence if incidence is not None else member_incidence(G.graph["ecosystem"])


# --- reach ---------------------------------------------------------------------------


def reach(G: nx.MultiDiGraph, incidence: MemberIncidence | None = None) -> Reach:
    """Exact reach of ``G``'s members (default: the ecosystem's segments).

    ``incidence`` may be any member x co-op incidence over the same co-ops, e.g.
    individuals (counts of 1).
    """
    eco = G.graph["ecosystem"]
    # People with the same co-ops have the same reach: merging them is exact
    # and turns a million individuals into the distinct membership sets.
    members = _prepare(eco, merge_identical_segments(_incidence(G, incidence)))
    return _evaluate(trust_operator(G), members)


def reach_without(
    G: nx.MultiDiGraph,
    *,
    nodes: Iterable[str] = (),
    revoked: Iterable[tuple[str, str]] = (),
    incidence: MemberIncidence | None = None,
    operator: TrustOperator | None = None,
) -> Reach:
    """Reach after ``nodes`` leave the network (they stop issuing, verifying,
    accrediting and recognising; a departed co-op's members remain its members)
    and after the accreditations ``revoked`` (pairs ``(accreditor, accredited)``)."""
    op = operator if operator is not None else trust_operator(G)
    members = _prepare(G.graph["ecosystem"], merge_identical_segments(_incidence(G, incidence)))
    return _evaluate(op, members, removed=list(nodes), revoked=list(revoked))


def reach_loss(
    G: nx.MultiDiGraph,
    nodes: Iterable[str],
    *,
    incidence: MemberIncidence | None = None,
) -> pd.DataFrame:
    """One row per node: the cross-co-op reach lost when it leaves, as pairs and share.

    Computed for all nodes at once from the dominator trees of
    :func:`dependencies` (the same numbers as :func:`reach_without` per node,
    without recomputing reach for each). Columns: node, kind, name,
    cross_before, cross_after, share_lost.
    """
    deps = dependencies(G, incidence)
    position = {v: i for i, v in enumerate(deps.node_ids)}
    before = deps.cross_before
    rows = []
    for node in nodes:
        if node not in position:
            raise InputError("unknown-node", f"{node!r} is not an organisation of the graph",
                             path=str(node))
        lost = int(deps.cross_lost[position[node]])
        rows.append(
            {
                "node": node,
                "kind": G.nodes[node]["kind"],
                "name": G.nodes[node].get("name", node),
                "cross_before": before,
                "cross_after": before - lost,
                "share_lost": round(lost / before, 4) if before else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=["node", "kind", "name", "cross_before", "cross_after",
                                       "share_lost"])


# --- what each departure costs: dominator trees, verifier side and issuance side ----------


@dataclass(frozen=True)
class Dependencies:
    """What each organisation's departure costs, from dominator trees (never reach per removal).

    Verifiers that recognise the same nodes (a *class*: one for a hub, one per
    apex body in a federation, one per co-op in a mesh) share one trust-flow graph:
    a root -> the nodes they recognise (directly or through a body) ->
    accreditations (at most the maximum chain length) -> issuers -> holders
    (co-ops' credentials). A node that dominates a holder in that graph is on
    every chain by which the class's verifiers recognise it: both the
    issuance side (an apex body above its co-ops) and the verifier side (the
    convenor that a federation's co-ops recognise the others through) show up.
    ``cross_lost[x]``: member x co-op pairs lost if node ``x`` leaves (as
    :func:`reach_without` counts them); ``dominated_coops[x]``: co-ops other than
    ``x`` whose credentials some verifiers recognise only through ``x``.
    """

    node_ids: tuple[str, ...]
    cross_before: int
    cross_lost: np.ndarray
    dominated_coops: np.ndarray


def _class_flow(
    op: TrustOperator, row: int, acc_down: sp.csr_matrix, issued_by: sp.csr_matrix
) -> nx.DiGraph:
    """The trust-flow graph of the verifiers whose trust row is co-op ``row``'s.

    Nodes: ``-1`` (root), organisations by index, holders as ``n + i`` (co-op
    i's credentials).
    """
    n = len(op.node_ids)
    flow = nx.DiGraph()
    flow.add_node(-1)
    rd, rb = op.recognises, op.body_recognises
    direct = rd.indices[rd.indptr[row]:rd.indptr[row + 1]]
    flow.add_edges_from((-1, int(b)) for b in direct)
    seen = set(direct.tolist())
    frontier = list(seen)
    while frontier:
        reached = []
        for b in frontier:
            for a in rb.indices[rb.indptr[b]:rb.indptr[b + 1]]:
                flow.add_edge(int(b), int(a))
                if a not in seen:
                    seen.add(int(a))
                    reached.append(int(a))
        # One hop through a body, unless recognition is transitive.
        frontier = reached if op.transitive else []
    frontier = list(seen)
    for _ in range(op.max_chain_length):
        reached = []
        for a in frontier:
            for u in acc_down.indices[acc_down.indptr[a]:acc_down.indptr[a + 1]]:
                flow.add_edge(int(a), int(u))
                if u not in seen:
                    seen.add(int(u))
                    reached.append(int(u))
        frontier = reached
    for u in seen:
        for i in issued_by.indices[issued_by.indptr[u]:issued_by.indptr[u + 1]]:
            flow.add_edge(int(u), n + int(i))
    return flow


def _ancestors(idom: dict[int, int], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Depth of every node in the dominator tree (root 0, -1 if unreached) and
    ``anc[d, v]``, v's dominator at depth d (-2 if none)."""
    depth = np.full(size, -1, dtype=np.int64)
    order: list[int] = []
    pending = [v for v in idom if v != -1]
    known = {-1: 0}
    while pending:
        later = []
        for v in pending:
            parent = idom[v]
            if parent in known:
                known[v] = known[parent] + 1
                order.append(v)
            else:
                later.append(v)
        pending = later
    for v in order:
        depth[v] = known[v]
    max_depth = int(depth.max()) if len(order) else 0
    anc = np.full((max_depth + 1, size), -2, dtype=np.int64)
    for v in order:
        u = v
        while u != -1:
            anc[known[u], v] = u
            u = idom[u]
    return depth, anc


def dependencies(G: nx.MultiDiGraph, incidence: MemberIncidence | None = None) -> Dependencies:
    """What each organisation's departure costs (see :class:`Dependencies`)."""
    eco = G.graph["ecosystem"]
    members = _prepare(eco, merge_identical_segments(_incidence(G, incidence)))
    op = trust_operator(G)
    n, c = len(op.node_ids), op.n_coops
    size = n + c
    acc_down = _bool(op.accredited.T)  # [a, u]: a accredits u
    issued_by = _bool(op.issued.T)  # [u, i]: u issues co-op i's credentials
    # Co-ops that recognise the same nodes directly have the same trust-flow graph.
    trust = _bool(op.recognises)
    first, cls = unique_sparse_rows(trust)
    m, counts = members.matrix, members.counts.astype(np.int64)
    rows, cols = members.rows, members.cols
    order = np.lexsort((cols, rows))
    rows, cols = rows[order], cols[order]
    in_class = sp.csr_matrix((np.ones(c), (np.arange(c), cls)), shape=(c, len(first)))
    own_in_class = np.asarray((m @ in_class).todense())  # segments x classes
    class_size = np.bincount(cls, minlength=len(first))
    lost = np.zeros(size)
    cross_before = 0
    dominated: set[tuple[int, int]] = set()
    for k, row in enumerate(first):
        if trust.indptr[row] == trust.indptr[row + 1]:
            continue  # these co-ops recognise nobody: nothing to lose
        idom = nx.immediate_dominators(_class_flow(op, int(row), acc_down, issued_by), -1)
        depth, anc = _ancestors(idom, size)
        holder = n + cols
        reached = depth[holder] >= 0
        seg, hold = rows[reached], holder[reached]
        recognised = np.zeros(m.shape[0], dtype=bool)
        recognised[seg] = True
        # Each recognised segment hangs below the deepest dominator all its
        # reachable holders share (their nearest common dominator).
        attach = np.full(m.shape[0], -1, dtype=np.int64)
        if len(seg):
            starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
            for d in range(1, anc.shape[0]):
                at = anc[d, hold]
                low = np.minimum.reduceat(at, starts)
                high = np.maximum.reduceat(at, starts)
                same = (low == high) & (low >= 0)
                attach[seg[starts[same]]] = low[same]
        verifiers = class_size[k]
        cross_w = np.where(recognised, counts * (verifiers - own_in_class[:, k]), 0)
        people_w = np.where(recognised, counts, 0)
        cross_before += int(cross_w.sum())
        sub_cross = np.zeros(size)
        sub_people = np.zeros(size)
        hit = attach >= 0
        np.add.at(sub_cross, attach[hit], cross_w[hit])
        np.add.at(sub_people, attach[hit], people_w[hit])
        for v in sorted((v for v in idom if v != -1), key=lambda v: -depth[v]):
            parent = idom[v]
            if parent != -1:
                sub_cross[parent] += sub_cross[v]
                sub_people[parent] += sub_people[v]
        # A departing co-op also takes its own credentials (its holder node).
        coop_idx = np.arange(c)
        h = n + coop_idx
        h_depth = depth[h]
        inside = (depth[coop_idx] >= 0) & (h_depth >= 0)
        holds_own = np.zeros(c, dtype=bool)
        holds_own[inside] = anc[depth[coop_idx[inside]], h[inside]] == coop_idx[inside]
        extra_cross = np.where((h_depth >= 0) & ~holds_own, sub_cross[h], 0)
        extra_people = np.where((h_depth >= 0) & ~holds_own, sub_people[h], 0)
        lost[:n] += sub_cross[:n]
        lost[:c] += extra_cross
        # The verifier side: a departing co-op of this class stops recognising
        # the members it recognised (those it did not take with it already).
        dom_people = sub_people[:c] + extra_people
        own_people = np.bincount(cols, weights=counts[rows] * recognised[rows], minlength=c)
        seg_of, coop_of = rows, cols
        a = attach[seg_of]
        ok = recognised[seg_of] & (a >= 0)
        d_x, d_h = depth[coop_of], depth[n + coop_of]
        by_coop = np.zeros(len(seg_of), dtype=bool)
        by_coop[ok & (d_x >= 0)] = anc[d_x[ok & (d_x >= 0)], a[ok & (d_x >= 0)]] == coop_of[
            ok & (d_x >= 0)]
        by_holder = np.zeros(len(seg_of), dtype=bool)
        sel = ok & (d_h >= 0) & ~by_coop
        by_holder[sel] = anc[d_h[sel], a[sel]] == n + coop_of[sel]
        own_dom = np.bincount(coop_of, weights=counts[seg_of] * (by_coop | by_holder),
                              minlength=c)
        in_k = cls == k
        lost[:c] += np.where(in_k, people_w.sum() - own_people - dom_people + own_dom, 0)
        # Co-ops whose credentials depend on a node (other than themselves).
        reached_h = np.flatnonzero(h_depth >= 0)
        for d in range(1, anc.shape[0]):
            above = anc[d, n + reached_h]
            keep = (above >= 0) & (above < n) & (above != reached_h)
            dominated.update(zip(above[keep].tolist(), reached_h[keep].tolist()))
    dominated_count = np.bincount([x for x, _ in dominated], minlength=n) if dominated else (
        np.zeros(n, dtype=np.int64))
    return Dependencies(
        node_ids=op.node_ids, cross_before=cross_before,
        cross_lost=np.rint(lost[:n]).astype(np.int64), dominated_coops=dominated_count[:n],
    )


def failure_points(G: nx.MultiDiGraph, incidence: MemberIncidence | None = None) -> pd.DataFrame:
    """What is lost if each organisation goes: every node, most costly first.

    Columns: node, kind, name, dominated_coops (co-ops other than it whose
    credentials some verifiers recognise only through it), cross_lost (member x
    co-op pairs lost) and share_lost (of the cross-co-op reach), equal to what
    :func:`reach_loss` reports, from one pass over the dominator trees.
    """
    deps = dependencies(G, incidence)
    before = deps.cross_before
    frame = pd.DataFrame({
        "node": list(deps.node_ids),
        "kind": [G.nodes[v].get("kind") for v in deps.node_ids],
        "name": [G.nodes[v].get("name", v) for v in deps.node_ids],
        "dominated_coops": deps.dominated_coops,
        "cross_lost": deps.cross_lost,
        "share_lost": np.round(deps.cross_lost / before, 4) if before else 0.0,
    })
    return frame.sort_values(["cross_lost", "node"], ascending=[False, True]).reset_index(drop=True)


def possible_interactions(G: nx.MultiDiGraph) -> int:
    """Member x other-co-op pairs: the most cross-co-op interactions there could be."""
    inc = member_incidence(G.graph["ecosystem"])
    n_own = np.diff(inc.matrix.indptr)
    return int(np.dot(inc.counts, inc.matrix.shape[1] - n_own))


# --- structure -----------------------------------------------------------------------


def trust_subgraph(G: nx.MultiDiGraph) -> nx.DiGraph:
    """Organisations with only the trust edges (accredits, issues-for, recognises)."""
    H = nx.DiGraph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if d.get("kind") != MEMBER_SEGMENT)
    H.add_edges_from((u, v, {"kind": k}) for u, v, k in G.edges(keys=True) if k in TRUST_EDGE_KINDS)
    return H


def _levels(step: sp.csr_matrix, start: sp.csr_matrix, depth: int | None) -> np.ndarray:
    """Dense ``D[r, x]``: the fewest steps (0, 1, ...) from row r's ``start`` set to x along
    ``step`` (``x`` reachable from ``y`` when ``step[y, x]``), at most ``depth``; inf if none."""
    dist = np.full(start.shape, np.inf)
    frontier = _bool(start)
    seen = frontier.toarray().astype(bool)
    dist[seen] = 0
    level = 0
    while frontier.nnz and (depth is None or level < depth):
        level += 1
        nxt = _bool(frontier @ step).toarray().astype(bool) & ~seen
        if not nxt.any():
            break
        dist[nxt] = level
        seen |= nxt
        frontier = sp.csr_matrix(nxt.astype(np.int32))
    return dist


def chain_lengths(G: nx.MultiDiGraph) -> np.ndarray:
    """``L[j, i]``: trust edges on the shortest chain by which co-op j recognises co-op i's
    credentials, by the rules :func:`reach` applies; inf where there is none.

    A chain is j -recognises-> anchor (directly, or through one body that
    recognises it; through more only when recognition is transitive), then at
    most the model's maximum chain length of accreditations down to the issuer,
    then -issues-for-> i when the issuer is not i itself. Dense in co-ops x
    co-ops: for small and medium graphs.
    """
    op = trust_operator(G)
    c = op.n_coops
    vouch_from = op.accredited.T.tocsr()  # [a, u]: a accredits u
    # depth[a, u]: accreditations from anchor a down to u (0 for u == a), within the limit.
    nodes = sp.identity(len(op.node_ids), dtype=np.int32, format="csr")
    depth = _levels(vouch_from, nodes, op.max_chain_length)
    # trust_len[j, a]: 1 for an anchor j recognises, 2 through one body, ...
    hops = None if op.transitive else 1
    trust_len = _levels(op.body_recognises, op.recognises, hops) + 1
    anchors = np.array([bool(G.nodes[n].get("anchor")) for n in op.node_ids])
    trust_len[:, ~anchors] = np.inf
    issued = op.issued.tocoo()
    # holder[i, a]: from anchor a down to co-op i's credentials (issuer, then issues-for).
    holder = np.full((c, len(op.node_ids)), np.inf)
    for i, u in zip(issued.row, issued.col):
        holder[i] = np.minimum(holder[i], depth[:, u] + (0 if u == i else 1))
    lengths = np.full((c, c), np.inf)
    for a in np.flatnonzero(anchors & np.isfinite(trust_len).any(axis=0)):
        np.minimum(lengths, trust_len[:, a][:, None] + holder[:, a][None, :], out=lengths)
    return lengths


def trust_chain_lengths(G: nx.MultiDiGraph) -> pd.DataFrame:
    """How many trust edges separate a verifying co-op from a holder's co-op.

    For every ordered pair of distinct participating co-ops (j verifies, i
    holds), the shortest chain of :func:`chain_lengths`, which follows the
    rules :func:`reach` applies (the maximum chain length, recognition through
    one body unless transitive); "none" when j does not recognise i's
    credentials. Returns columns length (edges), pairs, share.
    """
    eco: Ecosystem = G.graph["ecosystem"]
    coop_ids = list(eco.coops["id"])
    taking_part = np.array([bool(G.nodes[c].get("participating")) for c in coop_ids])
    lengths = chain_lengths(G)[np.ix_(taking_part, taking_part)]
    off_diagonal = ~np.eye(len(lengths), dtype=bool)
    values = lengths[off_diagonal]
    counts: dict[int | None, int] = {}
    for value, n in zip(*np.unique(values, return_counts=True)):
        counts[None if not np.isfinite(value) else int(value)] = int(n)
    total = sum(counts.values())
    rows = [
        {"length": "none" if k is None else k, "pairs": v, "share": round(v / total, 4)}
        for k, v in sorted(counts.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
    return pd.DataFrame(rows, columns=["length", "pairs", "share"])


def centrality(G: nx.MultiDiGraph, *, betweenness_limit: int = 1000) -> pd.DataFrame:
    """Centrality of every organisation in the trust subgraph, most central first.

    Columns: node, kind, name, trust_degree, pagerank, betweenness (computed only
    up to ``betweenness_limit`` nodes; NaN beyond, where it is too slow).
    """
    H = trust_subgraph(G)
    pagerank = nx.pagerank(H) if H.number_of_edges() else {n: 0.0 for n in H}
    if H.number_of_nodes() <= betweenness_limit:
        betweenness = nx.betweenness_centrality(H)
    else:
        betweenness = dict.fromkeys(H, float("nan"))
    frame = pd.DataFrame(
        {
            "node": list(H.nodes),
            "kind": [H.nodes[n].get("kind") for n in H],
            "name": [H.nodes[n].get("name", n) for n in H],
            "trust_degree": [H.degree(n) for n in H],
            "pagerank": [round(pagerank[n], 6) for n in H],
            "betweenness": [round(betweenness[n], 6) for n in H],
        }
    )
    return frame.sort_values(["pagerank", "node"], ascending=[False, True]).reset_index(drop=True)


def single_points_of_failure(
    G: nx.MultiDiGraph, incidence: MemberIncidence | None = None
) -> pd.DataFrame:
    """Organisations on every trust chain by which some verifiers recognise other co-ops.

    Both sides count: an apex body above its co-ops' credentials (issuance)
    and a convenor through which a federation's co-ops recognise the others
    (verification). The rows of :func:`failure_points` with ``dominated_coops``
    above zero, most costly first: node, kind, name, dominated_coops,
    cross_lost and share_lost (the share of cross-co-op reach lost if it goes,
    as :func:`reach_loss` says).
    """
    table = failure_points(G, incidence)
    return table[table["dominated_coops"] > 0].reset_index(drop=True)


def agreements_needed(G: nx.MultiDiGraph) -> int:
    """Agreements the graph embodies: one per co-op-body relationship (accreditation,
    issuing on its behalf, recognising a body) and one per pair of organisations that
    recognise each other (bilateral) or one recognising the other."""
    pairs = set()
    for u, v, kind in G.edges(keys=True):
        if kind in TRUST_EDGE_KINDS:
            pairs.add(frozenset((u, v)))
    return len(pairs)


def network_value(G: nx.MultiDiGraph, incidence: MemberIncidence | None = None) -> dict[str, float]:
    """Value by users (Metcalfe) next to value by interactions.

    ``metcalfe``: people x (people - 1) / 2 over members of participating co-ops;
    ``possible_interactions`` and ``recognised_interactions``: member x other-co-op
    pairs, all and recognised; ``spending_reach``: the share of members'
    spending that reaches co-ops recognising them (value flows).
    """
    eco = G.graph["ecosystem"]
    inc = _incidence(G, incidence)
    r = reach(G, inc)
    participating = np.array([bool(G.nodes[c].get("participating")) for c in eco.coops["id"]])
    in_network = np.asarray(inc.matrix @ participating.astype(np.int64)).ravel() > 0
    users = int(inc.counts[in_network].sum())
    return {
        "participating_coops": int(participating.sum()),
        "users": users,
        "metcalfe": users * (users - 1) // 2,
        "possible_interactions": r.possible,
        "recognised_interactions": r.cross,
        "spending_reach": round(r.value / r.people, 4) if r.people else 0.0,
    }


def summary(G: nx.MultiDiGraph, incidence: MemberIncidence | None = None) -> dict[str, float]:
    """The headline numbers of one graph (used by the CLI report and the notebook)."""
    r = reach(G, incidence)
    spof = single_points_of_failure(G, incidence)
    eco = G.graph["ecosystem"]
    return {
        "coops": eco.n_coops,
        "people": r.people,
        "reach_pairs": r.total,
        "cross_coop_pairs": r.cross,
        "cross_coop_share": round(r.cross_share, 4),
        "people_recognised_at_2plus_coops": r.multi_coop_people,
        "spending_reach": round(r.value / r.people, 4) if r.people else 0.0,
        "agreements": agreements_needed(G),
        "single_points_of_failure": len(spof),
        "largest_dependency_share": float(spof["share_lost"].max()) if len(spof) else 0.0,
    }


def value_by_adoption(
    eco: Ecosystem,
    model: EcosystemModel,
    sizes: Iterable[int],
    *,
    order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Value by users (Metcalfe) next to value by interactions as co-ops join.

    For each size n, the first n co-ops of ``order`` (default: largest first)
    take part. Columns: participating_coops, users, metcalfe,
    recognised_interactions, spending_reach, and both values as a share of
    their value with every co-op taking part (``metcalfe_index``,
    ``interactions_index``), so the two curves can be compared.
    """
    ids = list(order) if order is not None else eco.coops.sort_values(
        ["members", "id"], ascending=[False, True])["id"].tolist()
    inc = member_incidence(eco)
    rows = [network_value(build_graph(eco, model, participants=ids[:n]), inc) for n in sizes]
    full = network_value(build_graph(eco, model), inc)
    frame = pd.DataFrame(rows)
    frame["metcalfe_index"] = (frame["metcalfe"] / full["metcalfe"]).round(4) if full[
        "metcalfe"] else 0.0
    frame["interactions_index"] = (
        frame["recognised_interactions"] / full["recognised_interactions"]
    ).round(4) if full["recognised_interactions"] else 0.0
    return frame.drop(columns=["possible_interactions"])
