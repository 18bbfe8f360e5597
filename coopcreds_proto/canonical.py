"""Canonical forms: RDFC-1.0 N-Quads (bounded) and RFC 8785 JSON.

``canonicalize_rdfc`` runs PyLD's URDNA2015 (the algorithm RDFC-1.0
standardised; PyLD's default, URGNA2012, is never used) on a document that
:func:`coopcreds_proto.safe_jsonld.expand_safely` already checked. RDFC-1.0
asks implementations to bound their work on "poison" datasets; this one
refuses a dataset with too many blank nodes, a group of look-alike blank nodes
whose permutations would explode, or too many Hash N-Degree Quads calls.

>>> canonicalize_jcs({"b": 1, "a": [True, None]})
b'{"a":[true,null],"b":1}'
"""

from __future__ import annotations

from typing import Any

import rfc8785
from pyld.canon import URDNA2015
from pyld.jsonld import JsonLdError, JsonLdProcessor

from .errors import UnsafeJsonLdError
from .loader import OfflineDocumentLoader
from .safe_json import DEFAULT_LIMITS, Limits

NQUADS = "application/n-quads"


class _BoundedURDNA2015(URDNA2015):
    """URDNA2015 with the work bounds of RDFC-1.0 §4.4 ("poison graphs")."""

    def __init__(self, limits: Limits, blank_nodes: int) -> None:
        super().__init__()
        self._group_limit = limits.max_blank_node_group
        self._calls_left = max(1, blank_nodes) * limits.max_deep_iterations_per_blank_node

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict:
        self._calls_left -= 1
        if self._calls_left < 0:
            raise _too_complex("too many Hash N-Degree Quads steps")
        return super().hash_n_degree_quads(id_, issuer)

    def create_hash_to_related(self, id_: str, issuer: Any) -> dict:
        related = super().create_hash_to_related(id_, issuer)
        largest = max((len(nodes) for nodes in related.values()), default=0)
        if largest > self._group_limit:
            raise _too_complex(f"{largest} indistinguishable blank nodes to permute")
        return related


def _too_complex(why: str) -> UnsafeJsonLdError:
    return UnsafeJsonLdError(
        "canonicalization-too-complex",
        f"refused to canonicalize: {why} (a poisoned or pathological dataset)",
        path="$",
    )


def to_dataset(expanded: list, loader: OfflineDocumentLoader) -> dict:
    """The RDF dataset of an already expanded (and checked) document."""
    try:
        return JsonLdProcessor().to_rdf(expanded, loader.jsonld_options(base=None))
    except JsonLdError as exc:  # pragma: no cover - expansion already passed
        raise UnsafeJsonLdError("invalid-jsonld", f"cannot convert to RDF: {exc}", path="$") from None


def canonicalize_dataset(dataset: dict, limits: Limits = DEFAULT_LIMITS) -> str:
    """RDFC-1.0 canonical N-Quads of an RDF dataset, within ``limits``."""
    blank_nodes = _count_blank_nodes(dataset)
    if blank_nodes > limits.max_blank_nodes:
        raise _too_complex(f"{blank_nodes} blank nodes, over the limit of {limits.max_blank_nodes}")
    return _BoundedURDNA2015(limits, blank_nodes).main(dataset, {"format": NQUADS})


def canonicalize_rdfc(
    expanded: list, loader: OfflineDocumentLoader, limits: Limits = DEFAULT_LIMITS
) -> str:
    """RDFC-1.0 canonical N-Quads of an expanded, checked document."""
    return canonicalize_dataset(to_dataset(expanded, loader), limits)


def _count_blank_nodes(dataset: dict) -> int:
    seen = set()
    for graph_name, triples in dataset.items():
        if graph_name.startswith("_:"):
            seen.add(graph_name)
        for triple in triples:
            for part in (triple["subject"], triple["object"]):
                if part["type"] == "blank node":
                    seen.add(part["value"])
    return len(seen)


def canonicalize_jcs(document: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes."""
    try:
        return rfc8785.dumps(document)
    except rfc8785.CanonicalizationError as exc:
        raise UnsafeJsonLdError("not-canonicalizable", f"cannot canonicalize as JSON: {exc}", path="$") from None
