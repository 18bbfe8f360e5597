"""Co-op-to-co-op trust networks: ecosystem data, models, graphs, metrics, costs, plots.

Stable API (the growth simulation and the trust registry build on it)
---------------------------------------------------------------------
Data (:mod:`.data`)
    ``load_ecosystem(directory=None) -> Ecosystem`` reads and validates the CSV
    files (default: the bundled ``data/ecosystem`` set of 50 co-ops); bad files
    raise ``InputError`` naming file, row and field. ``Ecosystem`` holds pandas
    DataFrames: ``coops`` (id, name, sector, region, coop_type, members, founded,
    platform), ``bodies`` (id, name, kind: apex | industry | technology, sector,
    region), ``affiliations`` (coop_id, body_id), ``segments`` (id, count),
    ``memberships`` (segment_id, coop_id), ``value_flows`` (sector x sector
    shares); ``.n_coops``, ``.n_members``, ``.sectors``. ``save_ecosystem(eco, dir)``
    writes it; ``member_incidence(eco) -> MemberIncidence(matrix, counts,
    segment_ids, coop_ids)`` gives members as a sparse segment x co-op matrix
    (columns in ``eco.coops`` order); ``merge_identical_segments`` collapses
    individuals with the same co-ops.
Generator (:mod:`.generator`)
    ``generate_ecosystem(n_coops, n_members=None, *, seed, overlap=..., platform_share=...)``:
    deterministic per seed, calibrated (``CALIBRATION``, ``ASSUMPTIONS`` tables).
Models (:mod:`.models`)
    ``load_model("convenor" | "federated" | "peer-to-peer" | "hybrid" | path) ->
    EcosystemModel`` (``roles``, ``trust``, ``costs``), ``load_models()``,
    ``parse_model(dict)``, ``model.with_changes(bilateral_agreements=4, ...)``.
    Definitions live in ``data/ecosystem/models/*.json``.
Graph (:mod:`.graph`)
    ``build_graph(eco, model=None, *, participants=None, convenor=None,
    include_segments=False) -> nx.MultiDiGraph`` with typed nodes (``kind``:
    cooperative, apex-body, industry-body, technology-provider, member-segment)
    and typed edges (key and ``kind``: member-of, provides, accredits,
    issues-for, recognises); ``graph_from_edges`` for trust structures from a
    registry; ``trust_flow_graph`` (virtual root over anchors, for dominators);
    ``value_flow_graph(eco)`` (sector nodes, weighted value-flow edges).
Metrics (:mod:`.metrics`), costs (:mod:`.costs`), plots (:mod:`.plots`)
    plain functions over a graph returning numbers or DataFrames.
Agreements (:mod:`.agreements`) and value flows (:mod:`.value_flows`)
    counted and read one way for the graph, the simulation, the metrics and the
    costs: ``count_agreements`` (k partners per co-op for bilateral agreements),
    ``spending_per_coop`` (a sector's share split evenly between its co-ops).

Members are never graph nodes at scale: a graph with a million member nodes is
too slow to build, so members stay in the sparse incidence matrix and the
graph holds only organisations; reach multiplies the two (``scipy.sparse``).

>>> from coopcreds_proto.ecosystem import load_ecosystem, load_model, build_graph
>>> G = build_graph(load_ecosystem(), load_model("peer-to-peer"))
>>> G.number_of_nodes() > 50
True
"""

from __future__ import annotations

from .data import (
    Ecosystem,
    MemberIncidence,
    default_data_dir,
    load_ecosystem,
    member_incidence,
    merge_identical_segments,
    save_ecosystem,
    validate_ecosystem,
)
from .generator import generate_ecosystem
from .graph import build_graph, graph_from_edges, trust_flow_graph, value_flow_graph
from .models import EcosystemModel, load_model, load_models, parse_model

# The room's modules, and the stable API re-exported above.
__all__ = [
    "Ecosystem",
    "EcosystemModel",
    "MemberIncidence",
    "agreements",
    "build_graph",
    "costs",
    "data",
    "default_data_dir",
    "generate_ecosystem",
    "generator",
    "global_sensitivity",
    "graph",
    "graph_from_edges",
    "growth_fit",
    "growth_plots",
    "load_ecosystem",
    "load_model",
    "load_models",
    "member_incidence",
    "merge_identical_segments",
    "metrics",
    "models",
    "pairwise",
    "parse_model",
    "plots",
    "runner",
    "save_ecosystem",
    "scenarios",
    "simulation",
    "trust_flow_graph",
    "trust_registry_for_model",
    "validate_ecosystem",
    "value_flow_graph",
    "value_flows",
]
