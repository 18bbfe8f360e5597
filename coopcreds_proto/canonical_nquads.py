"""RDFC-1.0 of a plain expanded tree, written straight to N-Quads.

The common case of a credential, a proof configuration or a presentation: an
expanded tree of nodes, value objects and graph objects (a proof), whose blank
nodes all differ in their first-degree hash (RDFC-1.0 §4.6). Its canonical
N-Quads need no node map, no dataset of triple dictionaries and no N-degree
hashing: each quad is written once as text, each blank node hashed once over
its quads, the blank nodes labelled in the order of their hashes, and the
lines sorted (§4.4 steps 2 to 5, with every hash unique).

``canonical_nquads`` returns ``None`` for anything else (a shared or cyclic
structure, a list, ``@included``, a reverse property, a relative IRI, a
double, a JSON literal, a base direction, two blank nodes alike at the first
degree, a dataset over the limits): :func:`coopcreds_proto.canonical.canonicalize_rdfc`
then takes PyLD's path, which handles every case and refuses what is too
costly. Both give the same text wherever this one answers (tested over the
W3C vectors and generated trees).

>>> tree = [{"@id": "urn:x:1", "https://example.org/p": [{"@value": "a"}, {"@value": True}]}]
>>> print(canonical_nquads(tree), end="")
<urn:x:1> <https://example.org/p> "a" .
<urn:x:1> <https://example.org/p> "true"^^<http://www.w3.org/2001/XMLSchema#boolean> .
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Any

from pyld.jsonld import XSD_BOOLEAN, XSD_DOUBLE, XSD_INTEGER, XSD_STRING, _is_absolute_iri
from pyld.nquads import escape

from .errors import require_type
from .safe_json import DEFAULT_LIMITS, Limits

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_VALUE_KEYS = frozenset({"@value", "@type", "@language"})
_NODE_KEYWORDS = frozenset({"@id", "@type"})
_BIG_INTEGER = 10**21  # JSON-LD writes integers this large as doubles


_KEPT_LENGTH = 512  # a vocabulary's IRIs are short: a longer one is checked each time


def _absolute(iri: Any) -> bool:
    """Whether ``iri`` is an absolute IRI string and not a blank node (the
    answer for short ones is kept: the same vocabulary recurs in every credential)."""
    if not isinstance(iri, str):
        return False
    return _absolute_kept(iri) if len(iri) <= _KEPT_LENGTH else _is_absolute(iri)


def _is_absolute(iri: str) -> bool:
    return not iri.startswith("_:") and bool(_is_absolute_iri(iri))


_absolute_kept = functools.lru_cache(maxsize=4096)(_is_absolute)


class _NotPlain(Exception):
    """Not a plain tree, or beyond what this path writes: PyLD's path handles it."""


def canonical_nquads(
    expanded: Any, limits: Limits = DEFAULT_LIMITS, *, hash_name: str = "sha256"
) -> str | None:
    """The RDFC-1.0 canonical N-Quads of the plain expanded tree ``expanded``, or
    ``None`` when it is not one or when two of its blank nodes are alike at the first degree."""
    require_type(limits, Limits, "limits")
    if hash_name not in ("sha256", "sha384"):
        raise ValueError(f"RDFC-1.0 hashes with sha256 or sha384, not {hash_name!r}")
    if not isinstance(expanded, list):
        return None
    writer = _Writer()
    try:
        for node in expanded:
            writer.node(node, "")
    except _NotPlain:
        return None
    if writer.blank_nodes() > limits.max_blank_nodes or writer.work() > limits.max_node_map_work:
        return None  # refused by the other path, with its message
    return writer.canonical(hash_name)


class _Writer:
    def __init__(self) -> None:
        # Each quad as its four terms written out (graph "" for the default graph).
        self.quads: list[tuple[str, str, str, str]] = []
        self.blank: dict[str, list[tuple[str, str, str, str]]] = {}  # label -> its quads
        self.labels: dict[str, str] = {}  # a document's blank node id -> its label here
        self.held: set[tuple] = set()  # (graph, subject, property, value) written already
        self.counts: dict[tuple[str, str], int] = {}  # values per (node, property), all graphs
        self.seen: set[int] = set()  # objects met (a shared one is not a tree)

    def fresh(self) -> str:
        label = f"_:b{len(self.blank)}"
        self.blank[label] = []
        return label

    def iri(self, iri: Any) -> str:
        if not _absolute(iri):
            raise _NotPlain
        return iri  # a string: _absolute said so

    def meet(self, value: Any) -> None:
        if id(value) in self.seen:
            raise _NotPlain
        self.seen.add(id(value))

    def subject(self, node: dict) -> str:
        node_id = node.get("@id")
        if node_id is None:
            return self.fresh()
        if isinstance(node_id, str) and node_id.startswith("_:"):
            label = self.labels.get(node_id)
            if label is None:
                label = self.labels[node_id] = self.fresh()
            return label
        return f"<{self.iri(node_id)}>"

    def add(self, graph: str, subject: str, predicate: str, obj: str) -> None:
        quad = (subject, predicate, obj, graph)
        self.quads.append(quad)
        blank = self.blank
        if subject[:2] == "_:":
            blank[subject].append(quad)
        if obj[:2] == "_:" and obj != subject:
            blank[obj].append(quad)
        if graph[:2] == "_:" and graph != subject and graph != obj:
            blank[graph].append(quad)

    def node(self, node: Any, graph: str) -> str:
        if not isinstance(node, dict):
            raise _NotPlain
        self.meet(node)  # a node met twice is shared, or in a cycle: not a tree
        subject = self.subject(node)
        held, counts, add = self.held, self.counts, self.add
        for key, values in node.items():
            if key == "@id":
                continue
            if not isinstance(values, list):
                raise _NotPlain
            slot = (subject, key)
            counts[slot] = counts.get(slot, 0) + len(values)
            if key == "@type":
                for value in values:
                    obj = f"<{self.iri(value)}>"
                    seen = (graph, subject, key, obj)
                    if seen not in held:
                        held.add(seen)
                        add(graph, subject, _RDF_TYPE, obj)
                continue
            if key[:1] == "@":
                raise _NotPlain
            predicate = f"<{self.iri(key)}>"
            for value in values:
                obj, mark = self.item(value, graph)
                seen = (graph, subject, key, mark)
                if seen not in held:
                    held.add(seen)
                    add(graph, subject, predicate, obj)
        return subject

    def item(self, value: Any, graph: str) -> tuple[str, Any]:
        """The object term of one value and what the node map compares it by (a
        node's own triples are written as it is met)."""
        if not isinstance(value, dict):
            raise _NotPlain
        if "@value" in value:
            data = value["@value"]
            if len(value) == 1 and type(data) is str:
                # The common case: a plain string (JSON-LD compares it by its text).
                return f'"{_escaped(data)}"', ("@value", False, data, None, None)
            # JSON-LD's comparison of values: @value (a boolean equals only a
            # boolean), @type, @language: "1"^^xsd:integer and 1 are two values.
            mark = ("@value", type(data) is bool, data, value.get("@type"),
                    value.get("@language"))
            return _literal(value), mark
        if value.keys() == {"@graph"}:
            nodes = value["@graph"]
            if not isinstance(nodes, list):
                raise _NotPlain
            self.meet(value)
            name = self.fresh()
            for node in nodes:
                self.node(node, name)
            return name, name
        for k in value:
            if k[:1] == "@" and k not in _NODE_KEYWORDS:
                raise _NotPlain  # a list, a set, @included, @reverse, @index...
        child = self.node(value, graph)
        return child, child

    def blank_nodes(self) -> int:
        """Blank nodes in the dataset (a node with no triples is in none)."""
        return sum(1 for quads in self.blank.values() if quads)

    def work(self) -> int:
        """The node-map work PyLD's path bounds (``Limits.max_node_map_work``)."""
        return sum(n * n for n in self.counts.values())

    def canonical(self, hash_name: str) -> str | None:
        hashes: dict[str, str] = {}
        for label, quads in self.blank.items():
            if not quads:
                continue
            lines = sorted(_line(quad, label) for quad in quads)
            digest = hashlib.new(hash_name, "".join(lines).encode("utf-8")).hexdigest()
            if digest in hashes:
                return None  # alike at the first degree: N-degree hashing needed
            hashes[digest] = label
        issued = {hashes[h]: f"_:c14n{i}" for i, h in enumerate(sorted(hashes))}
        lines = []
        for s, p, o, g in self.quads:
            s = issued.get(s, s)
            o = issued.get(o, o)
            if g:
                lines.append(f"{s} {p} {o} {issued.get(g, g)} .\n")
            else:
                lines.append(f"{s} {p} {o} .\n")
        lines.sort()
        return "".join(lines)


def _line(quad: tuple[str, str, str, str], label: str) -> str:
    """``quad`` as RDFC-1.0's Hash First Degree Quads writes it for ``label``."""
    s, p, o, g = quad
    if s[:2] == "_:":
        s = "_:a" if s == label else "_:z"
    if o[:2] == "_:":
        o = "_:a" if o == label else "_:z"
    if not g:
        return f"{s} {p} {o} .\n"
    if g[:2] == "_:":
        g = "_:a" if g == label else "_:z"
    return f"{s} {p} {o} {g} .\n"


_NEEDS_ESCAPE = re.compile(r'[\\\t\n\r"]')


def _escaped(text: str) -> str:
    """``text`` escaped as N-Quads writes a literal (PyLD's ``escape``)."""
    return escape(text) if _NEEDS_ESCAPE.search(text) else text


def _literal(value: dict) -> str:
    """A value object as an N-Quads literal, as JSON-LD's RDF conversion writes it
    (with no ``rdfDirection``); ``_NotPlain`` for what this path leaves to PyLD."""
    if not value.keys() <= _VALUE_KEYS:
        raise _NotPlain  # @direction, @index...
    data = value["@value"]
    datatype = value.get("@type")
    if datatype is not None and not _absolute(datatype):
        raise _NotPlain
    if datatype in ("@json", XSD_DOUBLE):
        raise _NotPlain
    if "@language" in value:
        language = value["@language"]
        if datatype is not None or not isinstance(language, str) or not language \
                or not isinstance(data, str):
            raise _NotPlain
        return f'"{_escaped(data)}"@{language}'
    kind = type(data)
    if kind is str:
        text = data
        datatype = datatype or XSD_STRING
    elif kind is bool:
        text = "true" if data else "false"
        datatype = datatype or XSD_BOOLEAN
    elif kind is int and -_BIG_INTEGER < data < _BIG_INTEGER:
        text = str(data)
        datatype = datatype or XSD_INTEGER
    else:
        raise _NotPlain  # doubles and very large integers: PyLD's canonical doubles
    if datatype == XSD_STRING:
        return f'"{_escaped(text)}"'
    return f'"{_escaped(text)}"^^<{datatype}>'
