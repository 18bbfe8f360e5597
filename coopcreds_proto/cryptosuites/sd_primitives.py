"""Selective-disclosure primitives (W3C vc-di-ecdsa §3.4, "DI SD Functions").

What ecdsa-sd-2023 builds on: JSON pointers that pick claims out of a compact
JSON-LD document (:func:`select_json_ld`), blank nodes named by IRIs while
claims are picked (skolemizing), canonical N-Quads whose blank-node labels are
replaced (an HMAC of the canonical label for the issuer and holder, the label
map of a derived proof for the verifier), and the grouping of those N-Quads
into the ones a set of pointers selects and the others.

Every document is expanded through :func:`coopcreds_proto.safe_jsonld.expand_safely`
and canonicalized within the caller's limits, so the JSON-LD safety rules apply
to the documents derived here as to any other.

>>> parse_pointer("/credentialSubject/a~1b/0")
('credentialSubject', 'a/b', 0)
>>> select_json_ld({"@context": "x", "type": "T", "a": {"b": 1, "c": 2}}, ["/a/b"])
{'type': 'T', 'a': {'b': 1}, '@context': 'x'}
"""

from __future__ import annotations

import base64
import copy
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyld.nquads import serialize_nquad

from ..canonical import canonical_labels, to_dataset
from ..errors import InputError, ProofError
from ..loader import OfflineDocumentLoader
from ..safe_json import DEFAULT_LIMITS, Limits
from ..safe_jsonld import expand_safely

SKOLEM_PREFIX = "urn:bnid:"
# A JSON pointer is at most this long and has at most this many steps.
MAX_POINTER_CHARS = 1_000
MAX_POINTER_STEPS = 64
_INDEX = re.compile(r"0|[1-9][0-9]{0,8}")

LabelMapFactory = Callable[[Mapping[str, str]], dict[str, str]]


def parse_pointer(pointer: object) -> tuple[str | int, ...]:
    """The steps of a JSON pointer (RFC 6901): names, and array indexes as ints.

    >>> parse_pointer("/issuer")
    ('issuer',)
    >>> parse_pointer("issuer")
    Traceback (most recent call last):
    ...
    coopcreds_proto.errors.InputError: JSON pointer 'issuer' does not start with '/'
    """
    if not isinstance(pointer, str):
        raise InputError("bad-json-pointer", f"a JSON pointer is a string, not {type(pointer).__name__}")
    shown = pointer[:80]
    if len(pointer) > MAX_POINTER_CHARS or pointer.count("/") > MAX_POINTER_STEPS:
        raise InputError("bad-json-pointer", f"JSON pointer {shown!r}... is too long", path=shown)
    if not pointer.startswith("/"):
        raise InputError(
            "bad-json-pointer", f"JSON pointer {shown!r} does not start with '/'", path=shown
        )
    steps: list[str | int] = []
    for step in pointer.split("/")[1:]:
        if re.search(r"~[^01]|~$", step):
            raise InputError(
                "bad-json-pointer", f"JSON pointer {shown!r}: '~' is followed by 0 or 1 only",
                path=shown,
            )
        if _INDEX.fullmatch(step):
            steps.append(int(step))
        else:
            steps.append(step.replace("~1", "/").replace("~0", "~"))
    return tuple(steps)


def _is_blank_id(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("_:")


def _initial_selection(source: Any) -> dict:
    """What every selected object keeps: its ``id`` (unless a blank node's) and ``type``."""
    selection: dict = {}
    if isinstance(source, dict):
        if "id" in source and not _is_blank_id(source["id"]):
            selection["id"] = source["id"]
        if "type" in source:
            selection["type"] = copy.deepcopy(source["type"])
    return selection


class _Sparse(dict):
    """An array being selected: index to value; made dense (in index order) at the end."""


def select_json_ld(document: dict, pointers: Sequence[str]) -> dict | None:
    """The part of compact ``document`` that ``pointers`` select, with the ``id``
    and ``type`` of every object on the way and the document's ``@context``;
    ``None`` for no pointer. A pointer that does not match is ``bad-json-pointer``.
    """
    if not pointers:
        return None
    selection = _initial_selection(document)
    for pointer in pointers:
        _select_path(document, parse_pointer(pointer), selection, pointer)
    dense = _dense(selection)
    if "@context" in document:
        dense["@context"] = copy.deepcopy(document["@context"])
    return dense


def _select_path(document: dict, steps: tuple[str | int, ...], selection: dict, pointer: str) -> None:
    if not steps:
        raise InputError(
            "bad-json-pointer", "the JSON pointer '' would select the whole document; name a claim",
            path=pointer,
        )
    value: Any = document
    selected_parent: Any = selection
    selected: Any = selection
    for step in steps:
        selected_parent = selected
        value = _step(value, step, pointer)
        existing = selected_parent.get(step)
        if existing is None:
            existing = _Sparse() if isinstance(value, list) else _initial_selection(value)
            selected_parent[step] = existing
        selected = existing
    if isinstance(value, dict):
        selected = {**selected, **copy.deepcopy(value)}
    else:
        selected = copy.deepcopy(value)
    selected_parent[steps[-1]] = selected


def _step(value: Any, step: str | int, pointer: str) -> Any:
    if isinstance(value, list) and isinstance(step, int) and step < len(value):
        return value[step]
    if isinstance(value, dict) and str(step) in value:
        return value[str(step)]
    raise InputError(
        "bad-json-pointer", f"JSON pointer {pointer[:200]!r} does not match the document",
        path=pointer[:200],
    )


def _dense(value: Any) -> Any:
    if isinstance(value, _Sparse):
        return [_dense(value[i]) for i in sorted(value)]
    if isinstance(value, dict):
        return {str(k): _dense(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dense(v) for v in value]
    return value


# --- skolemizing -------------------------------------------------------------


def skolemize_expanded(expanded: list) -> list:
    """A copy of an expanded document where every blank node (named ``_:x`` or
    unnamed) is named ``urn:bnid:skN``, so a selection keeps which node is which."""
    names: dict[str, str] = {}
    issued = iter(range(1 << 62))

    def fresh() -> str:
        return f"{SKOLEM_PREFIX}sk{next(issued)}"

    def name_of(label: str) -> str:
        if label not in names:
            names[label] = fresh()
        return names[label]

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return [walk(v) for v in value]
        if not isinstance(value, dict) or "@value" in value:
            return copy.deepcopy(value)
        out = {}
        for key, child in value.items():
            if key in ("@id", "@type"):
                out[key] = copy.deepcopy(child)
            else:
                out[key] = walk(child)
        if "@list" in value or "@set" in value:
            return out
        ident = value.get("@id")
        if ident is None:
            out["@id"] = fresh()
        elif _is_blank_id(ident):
            out["@id"] = name_of(ident)
        return out

    return walk(expanded)


def compact_skolemized(
    skolemized: list, context: Any, loader: OfflineDocumentLoader
) -> dict:
    """The skolemized expansion compacted again under the document's ``@context``."""
    processor = loader.jsonld_processor()
    compacted = processor.compact(
        skolemized, {"@context": context} if context is not None else {},
        loader.jsonld_options(base=None),
    )
    if context is not None:
        compacted["@context"] = copy.deepcopy(context)
    return compacted


# --- RDF: quads, deskolemized, relabelled --------------------------------------


Quad = dict  # {"subject", "predicate", "object", and "name" outside the default graph}


def dataset_quads(dataset: dict) -> list[Quad]:
    """The quads of a PyLD dataset, each a new dict (a named graph's name in ``name``)."""
    quads = []
    for graph, triples in dataset.items():
        for triple in triples:
            quad = {k: dict(v) for k, v in triple.items()}
            if graph != "@default":
                quad["name"] = {"type": "blank node" if graph.startswith("_:") else "IRI",
                                "value": graph}
            quads.append(quad)
    return quads


def deskolemize(quads: list[Quad]) -> list[Quad]:
    """``urn:bnid:X`` IRIs back to blank nodes ``_:X``."""
    for quad in quads:
        for position in ("subject", "object", "name"):
            term = quad.get(position)
            if term and term["type"] == "IRI" and term["value"].startswith(SKOLEM_PREFIX):
                term["type"] = "blank node"
                term["value"] = "_:" + term["value"][len(SKOLEM_PREFIX):]
    return quads


def relabel(quads: Iterable[Quad], label_map: Mapping[str, str]) -> list[str]:
    """Each quad as an N-Quad, its blank nodes ``_:x`` renamed ``_:label_map[x]``."""
    lines = []
    for quad in quads:
        renamed = {}
        for position, term in quad.items():
            if term.get("type") == "blank node":
                label = term["value"][2:]
                if label not in label_map:
                    raise ProofError(
                        "sd-label-missing",
                        f"the blank node _:{label[:40]} has no label in the label map", path="$",
                    )
                term = {**term, "value": "_:" + label_map[label]}
            renamed[position] = term
        lines.append(serialize_nquad(renamed))
    return lines


def to_quads(
    document: dict,
    loader: OfflineDocumentLoader,
    *,
    limits: Limits = DEFAULT_LIMITS,
    allow_inline_contexts: bool = False,
    expanded: list | None = None,
) -> list[Quad]:
    """The RDF quads of a compact document (expanded safely), deskolemized."""
    if expanded is None:
        expanded = expand_safely(
            document, loader, allow_inline_contexts=allow_inline_contexts, limits=limits
        ).expanded
    return deskolemize(dataset_quads(to_dataset(expanded, loader, limits)))


def _as_dataset(quads: Sequence[Quad]) -> dict:
    dataset: dict[str, list] = {"@default": []}
    for quad in quads:
        graph = quad["name"]["value"] if "name" in quad else "@default"
        triple = {k: dict(v) for k, v in quad.items() if k != "name"}
        dataset.setdefault(graph, []).append(triple)
    return dataset


def canonical_id_map(quads: Sequence[Quad], limits: Limits = DEFAULT_LIMITS) -> dict[str, str]:
    """RDFC-1.0's map from each blank node label of ``quads`` to its ``c14nN`` label."""
    return canonical_labels(_as_dataset(quads), limits)[1]


def label_replacement_canonicalize(
    quads: Sequence[Quad], label_map_factory: LabelMapFactory, limits: Limits = DEFAULT_LIMITS
) -> tuple[dict[str, str], list[str]]:
    """(the label map, the canonical N-Quads with every blank node relabelled, sorted).

    The factory turns RDFC-1.0's canonical id map into the new labels.
    """
    label_map = label_map_factory(canonical_id_map(quads, limits))
    return label_map, sorted(set(relabel(quads, label_map)))


def hmac_label_map_factory(hmac_key: bytes) -> LabelMapFactory:
    """New labels ``u`` + base64url(HMAC-SHA256(key, canonical label)), as the issuer
    and the holder make them."""

    def factory(canonical: Mapping[str, str]) -> dict[str, str]:
        return {
            label: "u" + _b64url(hmac.new(hmac_key, c14n.encode(), "sha256").digest())
            for label, c14n in canonical.items()
        }

    return factory


def label_map_factory(verifier_labels: Mapping[str, str]) -> LabelMapFactory:
    """New labels read from a derived proof's label map (``c14nN`` to label), as the
    verifier makes them."""

    def factory(canonical: Mapping[str, str]) -> dict[str, str]:
        missing = sorted(set(canonical.values()) - set(verifier_labels))
        if missing:
            raise ProofError(
                "sd-label-missing",
                f"the proof's label map has no label for {', '.join(missing[:5])}", path="$.proof",
            )
        return {label: verifier_labels[c14n] for label, c14n in canonical.items()}

    return factory


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- grouping ----------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """The canonical N-Quads a group of pointers selects (``matching``, by index in the
    whole document's canonical N-Quads) and the others (``non_matching``)."""

    matching: dict[int, str]
    non_matching: dict[int, str]
    deskolemized: tuple[Quad, ...]


@dataclass(frozen=True)
class Grouped:
    """The outcome of :func:`canonicalize_and_group`."""

    groups: dict[str, Group]
    label_map: dict[str, str]
    nquads: tuple[str, ...]


def canonicalize_and_group(
    document: dict,
    label_map_factory: LabelMapFactory,
    groups: Mapping[str, Sequence[str]],
    loader: OfflineDocumentLoader,
    *,
    limits: Limits = DEFAULT_LIMITS,
    allow_inline_contexts: bool = False,
) -> Grouped:
    """Canonical N-Quads of ``document`` with labels from the factory, and, for each
    named group of JSON pointers, which of them the pointers select."""
    expanded = expand_safely(
        document, loader, allow_inline_contexts=allow_inline_contexts, limits=limits
    ).expanded
    skolemized = skolemize_expanded(expanded)
    compact = compact_skolemized(skolemized, document.get("@context"), loader)
    quads = deskolemize(dataset_quads(to_dataset(skolemized, loader, limits)))
    label_map, nquads = label_replacement_canonicalize(quads, label_map_factory, limits)
    result: dict[str, Group] = {}
    for name, pointers in groups.items():
        selection = select_json_ld(compact, pointers)
        selected_quads: list[Quad] = []
        if selection is not None:
            selected_quads = to_quads(
                selection, loader, limits=limits, allow_inline_contexts=allow_inline_contexts
            )
        selected = set(relabel(selected_quads, label_map))
        matching = {i: q for i, q in enumerate(nquads) if q in selected}
        others = {i: q for i, q in enumerate(nquads) if q not in selected}
        result[name] = Group(matching, others, tuple(selected_quads))
    return Grouped(result, label_map, tuple(nquads))
