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
    first, cls = unique_sparse_rows(trust)  # co-ops sharing a trust row share a class
    tc = trust[first].T.tocsr()  # anchors x classes
    # Only the anchors some co-op trusts can get a member recognised: the others
    # (a co-op vouching for itself, say) are left out of the products.
    trusted = np.flatnonzero(np.diff(tc.indptr) > 0)
    tc = tc[trusted]
    x = _bool(m @ _bool(issued @ vouch)[:, trusted])  # segments x trusted anchors vouching
    # Segments vouched for by the same anchors are recognised by the same classes:
    # the segments x classes product is formed once per distinct set of anchors.
    seen_by, anchor_set = unique_sparse_rows(x)
    b = _bool(x[seen_by] @ tc)  # anchor sets x classes: recognised at that class's co-ops
    size = np.bincount(cls, minlength=len(first)).astype(np.int64)
    own_hit = np.asarray(b[anchor_set[rows], cls[cols]]).ravel().astype(np.int64)
    overlap = np.bincount(rows, weights=own_hit, minlength=m.shape[0]).astype(np.int64)
    n_own = members.n_own
    cross = np.asarray(b @ size).ravel().astype(np.int64)[anchor_set] - overlap

    # Value: the share of spending that reaches recognising co-ops.
    coop_sector, flows, home = members.coop_sector, members.flows, members.home
    class_sector = np.zeros((len(first), flows.shape[0]))
    np.add.at(class_sector, (cls, coop_sector), 1.0)
    by_class_home = class_sector @ flows.T  # classes x home sector
    recognised_value = np.asarray((b @ by_class_home)[anchor_set, home]).ravel()
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


def _rows_out(m: sp.csr_matrix, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The edges ``(r, col)`` of ``m``'s rows ``rows`` (vectorised)."""
    counts = m.indptr[rows + 1] - m.indptr[rows]
    at = np.repeat(m.indptr[rows], counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    return np.repeat(rows, counts), m.indices[at].astype(np.int64)


def _class_edges(
    op: TrustOperator, row: int, acc_down: sp.csr_matrix, issued_by: sp.csr_matrix,
    root: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The trust-flow graph of the verifiers whose direct recognitions are co-op ``row``'s.

    Nodes: organisations by index, holders as ``n + i`` (co-op i's credentials),
    ``root``. Edges into a node the verifiers recognise directly are left out:
    such a node hangs from the root whatever else leads to it.
    """
    n = len(op.node_ids)
    rd = op.recognises
    direct = rd.indices[rd.indptr[row]:rd.indptr[row + 1]].astype(np.int64)
    is_direct = np.zeros(n, dtype=bool)
    is_direct[direct] = True
    seen = is_direct.copy()
    flag = np.zeros(n, dtype=bool)
    src, dst = [np.full(len(direct), root, dtype=np.int64)], [direct]
    frontier = direct
    while len(frontier):  # through bodies that recognise others: one hop, or all if transitive
        s, d = _rows_out(op.body_recognises, frontier)
        keep = ~is_direct[d]
        src.append(s[keep])
        dst.append(d[keep])
        new = _distinct(d[keep & ~seen[d]], flag)
        seen[new] = True
        frontier = new if op.transitive else new[:0]
    frontier = np.flatnonzero(seen)
    for _ in range(op.max_chain_length):  # accreditations, at most the chain length
        s, d = _rows_out(acc_down, frontier)
        keep = ~is_direct[d]
        src.append(s[keep])
        dst.append(d[keep])
        new = _distinct(d[keep & ~seen[d]], flag)
        seen[new] = True
        frontier = new
        if not len(frontier):
            break
    s, d = _rows_out(issued_by, np.flatnonzero(seen))
    src.append(s)
    dst.append(n + d)
    return np.concatenate(src), np.concatenate(dst)


def _distinct(values: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """The distinct ``values`` in increasing order, marked in the all-False ``flag``
    (left all False again): linear, where sorting is not."""
    flag[values] = True
    out = np.flatnonzero(flag)
    flag[out] = False
    return out


def _lowest_common(anc: list[np.ndarray], nodes: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For groups of ``nodes`` (each group starting at ``starts``), the deepest node of the
    tree (given by ``anc[d][v]``, v's ancestor at depth d, -2 if none) above all of them."""
    lca = np.full(len(starts), -2, dtype=np.int64)
    if not len(starts):
        return lca
    # A group of one node is its own deepest common node (if reached): only the
    # larger groups walk the levels.
    sizes = np.diff(np.r_[starts, len(nodes)])
    single = sizes == 1
    alone = nodes[starts[single]]
    lca[single] = np.where(anc[0][alone] >= 0, alone, -2)
    if single.all():
        return lca
    # Pairs (the usual multi-co-op member) compare their two ancestors directly.
    pair = np.flatnonzero(sizes == 2)
    first, second = nodes[starts[pair]], nodes[starts[pair] + 1]
    for level in anc:
        up = level[first]
        same = (up == level[second]) & (up >= 0)
        lca[pair[same]] = up[same]
        if not same.all():  # a pair parted at this level stays apart below it
            pair, first, second = pair[same], first[same], second[same]
            if not len(pair):
                break
    group = np.flatnonzero(sizes > 2)
    if not len(group):
        return lca
    pick = np.repeat(starts[group], sizes[group]) + (
        np.arange(sizes[group].sum()) - np.repeat(np.cumsum(sizes[group]) - sizes[group],
                                                  sizes[group]))
    members = nodes[pick]
    count = sizes[group]
    for level in anc:
        begin = np.r_[0, np.cumsum(count)[:-1]]
        at = level[members]
        low = np.minimum.reduceat(at, begin)
        high = np.maximum.reduceat(at, begin)
        same = (low == high) & (low >= 0)
        lca[group[same]] = low[same]
        if same.all():
            continue
        # A group whose nodes part at this level stays apart below it: drop it.
        group, members, count = group[same], members[np.repeat(same, count)], count[same]
        if not len(group):
            break
    return lca


def _dominator_tree(
    src: np.ndarray, dst: np.ndarray, size: int, root: int
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]] | None:
    """Immediate dominators of an acyclic flow graph, layer by layer (vectorised): a node's
    dominator is the nearest common dominator of its predecessors. Returns (idom, depth,
    anc) with -1 / -1 / -2 for nodes not reached, or None if the graph has a cycle."""
    idom = np.full(size, -1, dtype=np.int64)
    depth = np.full(size, -1, dtype=np.int64)
    anc = [np.full(size, -2, dtype=np.int64)]
    anc[0][root] = root
    depth[root] = 0
    indeg = np.bincount(dst, minlength=size)
    by_src = np.argsort(src, kind="stable")
    out_ptr = np.r_[0, np.cumsum(np.bincount(src, minlength=size))]
    by_dst = np.argsort(dst, kind="stable")
    in_ptr = np.r_[0, np.cumsum(indeg)]
    frontier = np.array([root], dtype=np.int64)
    flag = np.zeros(size, dtype=bool)  # deduplicates without sorting
    done = 1
    while len(frontier):
        counts = out_ptr[frontier + 1] - out_ptr[frontier]
        if not counts.sum():
            break
        first = np.repeat(out_ptr[frontier], counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        targets = dst[by_src[first + offset]]
        indeg -= np.bincount(targets, minlength=size)
        ready = _distinct(targets[indeg[targets] == 0], flag)
        if not len(ready):
            break
        n_in = in_ptr[ready + 1] - in_ptr[ready]
        pos = np.repeat(in_ptr[ready], n_in) + (
            np.arange(n_in.sum()) - np.repeat(np.cumsum(n_in) - n_in, n_in))
        preds = src[by_dst[pos]]
        starts = np.r_[0, np.cumsum(n_in)[:-1]]
        parent = _lowest_common(anc, preds, starts)
        idom[ready] = parent
        depth[ready] = depth[parent] + 1
        deepest = int(depth[ready].max())
        while len(anc) <= deepest:
            anc.append(np.full(size, -2, dtype=np.int64))
        for d in range(deepest):
            anc[d][ready] = anc[d][parent]
        anc[deepest][ready] = -2
        ready_depth = depth[ready]
        for d in range(int(ready_depth.min()), deepest + 1):
            at_d = ready[ready_depth == d]
            anc[d][at_d] = at_d
        done += len(ready)
        frontier = ready
    flag[dst] = True
    flag[root] = True
    if done < int(flag.sum()):
        return None  # a cycle: left for the general algorithm
    return idom, depth, anc


def _general_dominator_tree(
    src: np.ndarray, dst: np.ndarray, size: int, root: int
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """The same for a flow graph with cycles (networkx's iterative algorithm)."""
    flow = nx.DiGraph()
    flow.add_node(root)
    flow.add_edges_from(zip(src.tolist(), dst.tolist()))
    idom_map = nx.immediate_dominators(flow, root)
    idom = np.full(size, -1, dtype=np.int64)
    depth = np.full(size, -1, dtype=np.int64)
    depth[root] = 0
    pending = [v for v in idom_map if v != root]
    while pending:
        later = []
        for v in pending:
            if depth[idom_map[v]] >= 0:
                idom[v] = idom_map[v]
                depth[v] = depth[idom_map[v]] + 1
            else:
                later.append(v)
        pending = later
    anc = [np.full(size, -2, dtype=np.int64) for _ in range(int(depth.max()) + 1)]
    for v in np.flatnonzero(depth >= 0):
        u = int(v)
        while True:
            anc[depth[u]][v] = u
            if u == root:
                break
            u = int(idom[u])
    return idom, depth, anc


def dependencies(G: nx.MultiDiGraph, incidence: MemberIncidence | None = None) -> Dependencies:
    """What each organisation's departure costs (see :class:`Dependencies`)."""
    eco = G.graph["ecosystem"]
    members = _prepare(eco, merge_identical_segments(_incidence(G, incidence)))
    op = trust_operator(G)
    n, c = len(op.node_ids), op.n_coops
    size, root = n + c + 1, n + c
    acc_down = _bool(op.accredited.T)  # [a, u]: a accredits u
    issued_by = _bool(op.issued.T)  # [u, i]: u issues co-op i's credentials
    # Co-ops that recognise the same nodes directly have the same trust-flow graph.
    trust = _bool(op.recognises)
    first, cls = unique_sparse_rows(trust)
    m, counts = members.matrix, members.counts.astype(np.int64)
    order = np.lexsort((members.cols, members.rows))
    rows, cols = members.rows[order], members.cols[order]
    n_seg = m.shape[0]
    in_class = sp.csr_matrix((np.ones(c), (np.arange(c), cls)), shape=(c, len(first)))
    own_in_class = (m @ in_class).tocsc()  # segments x classes
    class_size = np.bincount(cls, minlength=len(first))
    lost = np.zeros(size)
    dominated = np.zeros(size, dtype=np.int64)
    cross_before = 0
    coop_idx = np.arange(c)
    # The member entries (segment, co-op) and the co-ops of each class, grouped by class:
    # a class's verifier side looks at its own co-ops only.
    entry_order = np.argsort(cls[cols], kind="stable")
    entry_ptr = np.searchsorted(cls[cols][entry_order], np.arange(len(first) + 1))
    coop_order = np.argsort(cls, kind="stable")
    coop_ptr = np.searchsorted(cls[coop_order], np.arange(len(first) + 1))
    for k, row in enumerate(first):
        if trust.indptr[row] == trust.indptr[row + 1]:
            continue  # these co-ops recognise nobody: nothing to lose
        src, dst = _class_edges(op, int(row), acc_down, issued_by, root)
        tree = _dominator_tree(src, dst, size, root)
        idom, depth, anc = tree if tree is not None else _general_dominator_tree(
            src, dst, size, root)
        # Each recognised segment hangs below the deepest dominator that all its
        # reachable holders share (their nearest common dominator).
        reached = depth[n + cols] >= 0
        seg, hold = rows[reached], n + cols[reached]
        recognised = np.zeros(n_seg, dtype=bool)
        recognised[seg] = True
        attach = np.full(n_seg, -1, dtype=np.int64)
        if len(seg):
            starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
            attach[seg[starts]] = _lowest_common(anc, hold, starts)
        own_k = own_in_class[:, k].toarray().ravel()
        cross_w = np.where(recognised, counts * (class_size[k] - own_k), 0).astype(float)
        people_w = np.where(recognised, counts, 0).astype(float)
        cross_before += int(cross_w.sum())
        hit = attach >= 0
        sub_cross = np.bincount(attach[hit], weights=cross_w[hit], minlength=size)
        sub_people = np.bincount(attach[hit], weights=people_w[hit], minlength=size)
        holders_below = np.zeros(size)
        holders_below[n:n + c] = depth[n:n + c] >= 0
        for d in range(len(anc) - 1, 0, -1):  # subtree sums, deepest first
            at_d = np.flatnonzero(depth == d)
            np.add.at(sub_cross, idom[at_d], sub_cross[at_d])
            np.add.at(sub_people, idom[at_d], sub_people[at_d])
            np.add.at(holders_below, idom[at_d], holders_below[at_d])
        # A departing co-op also takes its own credentials (its holder node).
        h = n + coop_idx
        h_in = depth[h] >= 0
        holds_own = np.zeros(c, dtype=bool)
        both = (depth[coop_idx] >= 0) & h_in
        holds_own[both] = anc_at(anc, depth[coop_idx[both]], h[both]) == coop_idx[both]
        extra = h_in & ~holds_own
        lost[:n] += sub_cross[:n]
        lost[:c] += np.where(extra, sub_cross[h], 0)
        # Co-ops whose credentials depend on a node, other than the node itself.
        dominated[:n] = np.maximum(dominated[:n], holders_below[:n] - np.r_[
            holds_own, np.zeros(n - c, dtype=bool)])
        # The verifier side: a departing co-op of this class stops recognising
        # the members it recognised (those it did not take with it already).
        in_k = coop_order[coop_ptr[k]:coop_ptr[k + 1]]
        dom_people = sub_people[in_k] + np.where(extra[in_k], sub_people[n + in_k], 0)
        e = entry_order[entry_ptr[k]:entry_ptr[k + 1]]
        e_rows, e_cols = rows[e], cols[e]
        own_people = np.bincount(e_cols, weights=counts[e_rows] * recognised[e_rows],
                                 minlength=c)[in_k]
        a = attach[e_rows]
        ok = recognised[e_rows] & (a >= 0)
        by_coop = np.zeros(len(e), dtype=bool)
        sel = ok & (depth[e_cols] >= 0)
        by_coop[sel] = anc_at(anc, depth[e_cols[sel]], a[sel]) == e_cols[sel]
        by_holder = np.zeros(len(e), dtype=bool)
        sel = ok & (depth[n + e_cols] >= 0) & ~by_coop
        by_holder[sel] = anc_at(anc, depth[n + e_cols[sel]], a[sel]) == n + e_cols[sel]
        own_dom = np.bincount(e_cols, weights=counts[e_rows] * (by_coop | by_holder),
                              minlength=c)[in_k]
        lost[in_k] += people_w.sum() - own_people - dom_people + own_dom
    return Dependencies(
        node_ids=op.node_ids, cross_before=cross_before,
        cross_lost=np.rint(lost[:n]).astype(np.int64), dominated_coops=dominated[:n],
    )


def anc_at(anc: list[np.ndarray], depths: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """``anc[depths[j]][nodes[j]]`` for each j: each node's ancestor at the given depth."""
    out = np.full(len(nodes), -2, dtype=np.int64)
    for d, level in enumerate(anc):  # a few levels: cheaper than finding the distinct depths
        pick = np.flatnonzero(depths == d)
        if len(pick):
            out[pick] = level[nodes[pick]]
    return out


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
