"""Canonical forms: RDFC-1.0 N-Quads (bounded) and RFC 8785 JSON.

``canonicalize_rdfc`` canonicalizes a document that
:func:`coopcreds_proto.safe_jsonld.expand_safely` already checked: a plain tree
whose blank nodes differ at the first degree is written straight to N-Quads
(:mod:`coopcreds_proto.canonical_nquads`); anything else goes to PyLD's
URDNA2015 (the algorithm RDFC-1.0 standardised; PyLD's default, URGNA2012, is
never used), which this module bounds. RDFC-1.0
asks implementations to bound their work on "poison" datasets; this one
refuses a dataset with too many blank nodes, a group of look-alike blank nodes
whose permutations would explode, or too many Hash N-Degree Quads calls.

>>> canonicalize_jcs({"b": 1, "a": [True, None]})
b'{"a":[true,null],"b":1}'
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import rfc8785
from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer
from pyld.jsonld import JsonLdError, _is_absolute_iri

from .canonical_nquads import canonical_nquads
from .errors import UnsafeJsonLdError, require_type
from .loader import OfflineDocumentLoader
from .safe_json import DEFAULT_LIMITS, Limits

NQUADS = "application/n-quads"


class _BoundedURDNA2015(URDNA2015):
    """URDNA2015 with the work bounds of RDFC-1.0 §4.4 ("poison graphs")."""

    def __init__(self, limits: Limits, blank_nodes: int, hash_name: str = "sha256") -> None:
        super().__init__()
        self._hash_name = hash_name
        self._group_limit = limits.max_blank_node_group
        self._calls_left = max(1, blank_nodes) * limits.max_deep_iterations_per_blank_node

    def create_hash(self) -> Any:
        # RDFC-1.0's hash is a parameter: SHA-256 by default, SHA-384 for P-384 proofs.
        return hashlib.new(self._hash_name)

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict:
        self._calls_left -= 1
        if self._calls_left < 0:
            raise _too_complex("too many Hash N-Degree Quads steps")
        return super().hash_n_degree_quads(id_, issuer)

    def modify_first_degree_component(self, id_: str, component: dict, key: str) -> dict:
        # PyLD deep-copies here; a blank-node component holds only strings, so
        # a shallow copy is the same copy, several times faster.
        if component["type"] != "blank node":
            return component
        return {**component, "value": "_:a" if component["value"] == id_ else "_:z"}

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


def to_dataset(
    expanded: list, loader: OfflineDocumentLoader, limits: Limits = DEFAULT_LIMITS
) -> dict:
    """The RDF dataset of an already expanded (and checked) document.

    The dataset of PyLD's ``to_rdf`` (the same quads, up to the labels of blank
    nodes and their order), without expanding the document again: a plain
    expanded tree has its triples written straight from the tree
    (``_tree_dataset``), another expansion goes to PyLD's node map and
    triples. Anything that does not look expanded takes PyLD's full path. A document
    whose node map would cost more than ``limits.max_node_map_work`` (many
    values of one property of one node, written in one array or spread over
    objects with the same ``@id``) is refused before it is built:

    >>> from coopcreds_proto.loader import OfflineDocumentLoader
    >>> flood = [{"@id": "urn:x:1", "https://example.org/p": [{"@value": i} for i in range(2000)]}]
    >>> to_dataset(flood, OfflineDocumentLoader.default())
    Traceback (most recent call last):
    ...
    coopcreds_proto.errors.UnsafeJsonLdError: refused to canonicalize: one property of one node gathers 2,000 values (4,000,000 units of node-map work, over the limit of 1,000,000) (a poisoned or pathological dataset) (at $)
    """
    require_type(expanded, (list, dict), "a JSON-LD document")
    require_type(loader, OfflineDocumentLoader, "loader")
    processor = loader.jsonld_processor()
    try:
        shape = _expanded_shape(expanded)
        if shape is None:
            return processor.to_rdf(expanded, loader.jsonld_options(base=None))
        work, largest = _node_map_work(expanded)
        if work > limits.max_node_map_work:
            raise _too_complex(
                f"one property of one node gathers {largest:,} values ({work:,} units of"
                f" node-map work, over the limit of {limits.max_node_map_work:,})"
            )
        if shape is _PLAIN:
            tree = _tree_dataset(expanded, processor)
            if tree is not None:
                return tree
        if shape is _RELABELS:
            # The node map renames blank-node datatypes in place: keep the caller's intact.
            expanded = copy.deepcopy(expanded)
        issuer = IdentifierIssuer("_:b")
        node_map: dict = {"@default": {}}
        processor._create_node_map(expanded, node_map, "@default", issuer)
        return {
            name: processor._graph_to_rdf(graph, issuer, _TO_RDF_OPTIONS)
            for name, graph in sorted(node_map.items())
            if name == "@default" or _is_absolute_iri(name)
        }
    except JsonLdError as exc:  # pragma: no cover - expansion already passed
        raise UnsafeJsonLdError(
            "invalid-jsonld", f"cannot convert to RDF: {exc}", path="$"
        ) from None


class _NotATree(Exception):
    """The expansion is not a plain tree of nodes: PyLD's node map handles it."""


_RDF_TYPE = {"type": "IRI", "value": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
_VALUE_KEYS = frozenset({"@value", "@type", "@language", "@direction"})
_LITERALS = (str, bool, int, float)


def _tree_dataset(expanded: list, processor: Any) -> dict | None:
    """The RDF dataset of a plain expanded tree, equal to PyLD's node map and triples.

    A plain tree: node objects (``@id``, ``@type`` and absolute property IRIs),
    value objects, and graph objects (``{"@graph": [...]}``, a proof), each met
    once. Its triples are written straight from the tree: a node written in two
    places gives the union of its triples, and a value a subject's property
    already holds (the same ``@id``, or a value object equal by JSON-LD's
    comparison) is added once, as the node map adds it. Blank nodes are labelled
    afresh (canonicalization relabels them anyway). ``None`` for anything else
    (lists, reverse properties, ``@included``, a blank-node type or predicate,
    a relative IRI), which takes PyLD's path.
    """
    tree = _Tree(processor)
    try:
        for node in expanded:
            tree.node(node, "@default")
    except _NotATree:
        return None
    return {name: triples for name, triples in sorted(tree.graphs.items())}


class _Tree:
    def __init__(self, processor: Any) -> None:
        self.processor = processor
        self.issuer = IdentifierIssuer("_:b")
        self.graphs: dict[str, list] = {"@default": []}
        # What each (graph, subject, property) holds already, as the node map compares it.
        self.held: set[tuple] = set()
        self.absolute: set[str] = set()  # IRIs found absolute (the same few recur)

    def is_absolute(self, iri: str) -> bool:
        if iri in self.absolute:
            return True
        if _is_absolute_iri(iri):
            self.absolute.add(iri)
            return True
        return False

    def subject(self, node: dict) -> str:
        node_id = node.get("@id")
        if node_id is None:
            return str(self.issuer.get_id())
        if not isinstance(node_id, str) or not self.is_absolute(node_id):
            raise _NotATree
        return str(self.issuer.get_id(node_id)) if node_id.startswith("_:") else node_id

    def node(self, node: Any, graph: str) -> str:
        if not isinstance(node, dict):
            raise _NotATree
        subject_id = self.subject(node)
        subject = {"type": "blank node" if subject_id.startswith("_:") else "IRI",
                   "value": subject_id}
        triples = self.graphs[graph]
        for key, values in sorted(node.items()):
            if key == "@id":
                continue
            if not isinstance(values, list):
                raise _NotATree
            if key == "@type":
                for value in values:
                    if (not isinstance(value, str) or value.startswith("_:")
                            or not self.is_absolute(value)):
                        raise _NotATree
                    if self.first(graph, subject_id, key, ("@id", value)):
                        triples.append({"subject": subject, "predicate": _RDF_TYPE,
                                        "object": {"type": "IRI", "value": value}})
                continue
            if key[:1] == "@" or key.startswith("_:") or not self.is_absolute(key):
                raise _NotATree
            predicate = {"type": "IRI", "value": key}
            for value in values:
                item = self.item(value, graph, subject_id, key)
                if item is not None:
                    triples.append({"subject": subject, "predicate": predicate, "object": item})
        return subject_id

    def item(self, value: Any, graph: str, subject_id: str, key: str) -> dict | None:
        """The object of one value of ``subject_id``'s ``key`` (None: held already)."""
        if not isinstance(value, dict):
            raise _NotATree
        if "@value" in value:
            datatype = value.get("@type")
            literal = value["@value"]
            if (not value.keys() <= _VALUE_KEYS or type(literal) not in _LITERALS
                    or (datatype is not None and (not isinstance(datatype, str)
                                                  or datatype.startswith("_:")))):
                raise _NotATree
            # JSON-LD's comparison of values: @value (a boolean only equals a boolean),
            # @type, @language (and @index, never present here).
            mark = ("@value", type(literal) is bool, literal, datatype, value.get("@language"))
            if not self.first(graph, subject_id, key, mark):
                return None
            triples = self.graphs[graph]
            return self.processor._object_to_rdf(value, self.issuer, triples, _TO_RDF_OPTIONS)
        if value.keys() == {"@graph"}:
            nodes = value["@graph"]
            if not isinstance(nodes, list):
                raise _NotATree
            name = str(self.issuer.get_id())
            self.graphs[name] = []
            for node in nodes:
                self.node(node, name)
            self.first(graph, subject_id, key, ("@id", name))
            return {"type": "blank node", "value": name}
        if any(k[:1] == "@" and k not in ("@id", "@type") for k in value):
            raise _NotATree  # a list, a set, @included, @reverse, @index...
        child = self.node(value, graph)
        if not self.first(graph, subject_id, key, ("@id", child)):
            return None
        return {"type": "blank node" if child.startswith("_:") else "IRI", "value": child}

    def first(self, graph: str, subject: str, key: str, mark: tuple) -> bool:
        """Whether ``mark`` is new for this subject's ``key`` (then it is held from now on)."""
        slot = (graph, subject, key, mark)
        if slot in self.held:
            return False
        self.held.add(slot)
        return True


_NOT_MERGED = frozenset({"@id", "@value", "@language", "@direction", "@index", "@context"})
_CONTAINERS = frozenset({"@list", "@set", "@graph", "@included", "@reverse", "@nest"})


def _node_map_work(expanded: Any) -> tuple[int, int]:
    """(the sum of n², the largest n) over the n values each (node, property) gathers in
    PyLD's node map: objects with the same ``@id`` are one node, the others one each."""
    counts: dict[tuple[object, str], int] = {}
    stack: list[Any] = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
            continue
        if not isinstance(item, dict) or "@value" in item:
            continue
        named = item.get("@id")
        node: object = named if isinstance(named, str) else id(item)
        for key, value in item.items():
            if key in _NOT_MERGED:
                continue
            if key not in _CONTAINERS:
                slot = (node, key)
                counts[slot] = counts.get(slot, 0) + (len(value) if isinstance(value, list) else 1)
            stack.append(value)
    return sum(n * n for n in counts.values()), max(counts.values(), default=0)


# What to_rdf passes to the triple step (its defaults).
_TO_RDF_OPTIONS = {
    "produceGeneralizedRdf": False,
    "processingMode": "json-ld-1.1",
    "rdfDirection": None,
}
_PLAIN = object()
_RELABELS = object()


def _expanded_shape(value: Any) -> object | None:
    """None unless ``value`` is in JSON-LD expanded form (a list of objects, no
    ``@context``, every key a keyword or an IRI: compact terms have no colon,
    no object or list met twice); else whether the node map would change it
    (a value typed by a blank node)."""
    if not isinstance(value, list):
        return None
    shape = _PLAIN
    seen = {id(value)}
    stack: list[Any] = list(value)
    while stack:
        item = stack.pop()
        if isinstance(item, (list, dict)):
            # A shared or cyclic structure takes PyLD's own path.
            if id(item) in seen:
                return None
            seen.add(id(item))
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    return None
                if key[:1] == "@":
                    if key == "@context":
                        return None
                    if key == "@value":
                        datatype = item.get("@type")
                        if isinstance(datatype, str) and datatype.startswith("_:"):
                            shape = _RELABELS
                        continue
                elif ":" not in key:
                    return None
                stack.append(child)
    return shape


def canonicalize_dataset(
    dataset: dict, limits: Limits = DEFAULT_LIMITS, *, hash_name: str = "sha256"
) -> str:
    """RDFC-1.0 canonical N-Quads of an RDF dataset, within ``limits``."""
    return canonical_labels(dataset, limits, hash_name=hash_name)[0]


def canonical_labels(
    dataset: dict, limits: Limits = DEFAULT_LIMITS, *, hash_name: str = "sha256"
) -> tuple[str, dict[str, str]]:
    """RDFC-1.0 canonical N-Quads of an RDF dataset and its canonical issuer's map
    (each input blank node label to its ``c14nN`` label, without ``_:``).

    ``hash_name`` is RDFC-1.0's hash algorithm: ``sha256`` or ``sha384``.
    """
    require_type(dataset, dict, "an RDF dataset")
    if hash_name not in ("sha256", "sha384"):
        raise ValueError(f"RDFC-1.0 hashes with sha256 or sha384, not {hash_name!r}")
    blank_nodes = _count_blank_nodes(dataset)
    if blank_nodes > limits.max_blank_nodes:
        raise _too_complex(f"{blank_nodes} blank nodes, over the limit of {limits.max_blank_nodes}")
    canon = _BoundedURDNA2015(limits, blank_nodes, hash_name)
    nquads = canon.main(dataset, {"format": NQUADS})
    issued = canon.canonical_issuer.existing
    return nquads, {old[2:]: new[2:] for old, new in issued.items()}


def canonicalize_rdfc(
    expanded: list,
    loader: OfflineDocumentLoader,
    limits: Limits = DEFAULT_LIMITS,
    *,
    hash_name: str = "sha256",
) -> str:
    """RDFC-1.0 canonical N-Quads of an expanded, checked document.

    A plain tree whose blank nodes differ at the first degree is written
    straight to N-Quads (:mod:`coopcreds_proto.canonical_nquads`); anything
    else goes through PyLD's dataset and URDNA2015, within ``limits``.
    """
    require_type(expanded, (list, dict), "a JSON-LD document")
    require_type(loader, OfflineDocumentLoader, "loader")
    if hash_name not in ("sha256", "sha384"):
        raise ValueError(f"RDFC-1.0 hashes with sha256 or sha384, not {hash_name!r}")
    direct = canonical_nquads(expanded, limits, hash_name=hash_name)
    if direct is not None:
        return direct
    return canonicalize_dataset(to_dataset(expanded, loader, limits), limits, hash_name=hash_name)


_SAFE_INT = 2**53 - 1


def _jcs_equals_sorted_json(document: Any) -> bool:
    """True when RFC 8785 and ``json.dumps(sort_keys=True)`` give the same text.

    They escape strings alike and write null, booleans and safe integers alike;
    they differ on floats, on unsafe integers (refused by RFC 8785), on
    non-string keys (coerced by ``json``) and on key order when a key has a
    character beyond U+FFFF (RFC 8785 orders UTF-16 code units). Anything else
    (subclasses, tuples, other types, shared or cyclic structures) is left to
    the reference implementation.
    """
    stack = [document]
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if -_SAFE_INT <= value <= _SAFE_INT:
                continue
            return False
        if kind is dict or kind is list:
            if id(value) in seen:
                return False
            seen.add(id(value))
        if kind is dict:
            for key in value:
                if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                    return False
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        else:
            return False
    return True


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
    """RFC 8785 (JCS) canonical JSON bytes (a cyclic structure is ``not-canonicalizable``)."""
    try:
        return _jcs(document)
    except (RecursionError, ValueError):  # a cyclic structure: no JSON text has one
        raise UnsafeJsonLdError(
            "not-canonicalizable", "cannot canonicalize as JSON: the structure contains itself",
            path="$",
        ) from None


def _jcs(document: Any) -> bytes:
    if _jcs_equals_sorted_json(document):
        # For this subset of JSON, RFC 8785 is exactly sorted, compact JSON
        # (see _jcs_equals_sorted_json); the C encoder is far faster.
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: the reference implementation reports it
    try:
        return rfc8785.dumps(document)
    except rfc8785.CanonicalizationError as exc:
        raise UnsafeJsonLdError(
            "not-canonicalizable", f"cannot canonicalize as JSON: {exc}", path="$"
        ) from None
