"""Read as signed: the JSON a verifier reads is its signed graph, written the one canonical way.

An ``eddsa-rdfc-2022`` signature covers the RDF graph of a document, not its
JSON. Many JSON spellings give the same graph: a key written as its full IRI
(``"https://www.w3.org/2018/credentials#validUntil"``) or a compact IRI, a
value wrapped in ``{"@value": ..., "@type": ...}``, properties moved into
``@nest`` or ``@included``, a node split in two objects with the same ``id``,
``@id``/``@type`` beside ``id``/``type``, a member repeated in a set, the
string ``"false"`` where the context makes the value an ``xsd:boolean``. Each
keeps the signature valid while the JSON keys that checks and policies read
say something else (a revoked credential whose ``credentialStatus`` is
written as an IRI has, for a JSON reader, no status at all).

``check_compact_form(document, expanded, index)`` closes that gap: it walks
the JSON and its JSON-LD expansion side by side and refuses, by name, every
spelling that is not the canonical compact one, so what the checks read is
exactly what was signed. The rules, each with its code:

- ``keyword-key``: a JSON-LD keyword other than ``@context`` written as a key
  (``@id``, ``@type``, ``@included``, ``@nest``, ``@graph``, ``@reverse``,
  ``@set``, ``@list``, ``@index``...), or a term aliasing one;
- ``iri-key``: a key written as an IRI or compact IRI instead of its term;
- ``term-alias``: a key that is another name for a property the document's
  published contexts name differently;
- ``value-not-compact``: a value object (``@value`` with ``@type``) where the
  context writes the plain value; a value whose shape differs from the graph's;
- ``typed-value-not-native``: a string where the context makes the value a
  boolean or a number (``"false"`` for ``xsd:boolean``), or a number where it
  makes it a string;
- ``id-not-compact`` / ``type-not-compact``: an ``id`` or ``type`` written
  other than as the graph has it (a compact IRI, a full IRI where a term exists);
- ``split-node``: one node written as two objects with the same ``id`` in one
  property (two ``credentialSubject`` objects for one subject);
- ``duplicate-value``: a value repeated in a set (the graph holds it once);
- ``null-value``: a property whose value is ``null`` (the graph drops it).

Language-tagged strings (``{"@value": ..., "@language": ...}``) are compact
and accepted. ``term_index`` gives the terms of a document's contexts by the
IRI they stand for (the contexts scoped inside them included), computed once
per set of contexts.

>>> from coopcreds_proto.loader import OfflineDocumentLoader
>>> from coopcreds_proto.safe_jsonld import expand_safely
>>> loader = OfflineDocumentLoader.default()
>>> doc = {"@context": ["https://www.w3.org/ns/credentials/v2"],
...        "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
...        "credentialSubject": {"id": "did:example:1"},
...        "https://www.w3.org/2018/credentials#validUntil": "2020-01-01T00:00:00Z"}
>>> expanded = expand_safely(doc, loader).expanded
>>> check_compact_form(doc, expanded, term_index(doc, loader))
Traceback (most recent call last):
...
coopcreds_proto.errors.UnsafeJsonLdError: key 'https://www.w3.org/2018/credentials#validUntil' must be written 'validUntil' (at $["https://www.w3.org/2018/credentials#validUntil"])
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyld.jsonld import JsonLdError

from .errors import UnsafeJsonLdError
from .loader import OfflineDocumentLoader
from .safe_json import child_path

# XML Schema's namespace, as contexts write it (both schemes occur).
XSD_NAMESPACES = ("http://www.w3.org/2001/XMLSchema#", "https://www.w3.org/2001/XMLSchema#")
# Datatypes whose canonical JSON is a native value, by their local name: a JSON
# boolean for xsd:boolean, a JSON number for the numeric types.
NUMERIC_TYPES = frozenset({
    "integer", "int", "long", "short", "byte", "decimal", "float", "double",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
})


def native_kind(datatype: str | None) -> str | None:
    """``boolean`` or ``number`` for a datatype written natively in JSON, else ``None``."""
    if datatype is None:
        return None
    if not isinstance(datatype, str):
        raise TypeError(f"a datatype is an IRI string, not {type(datatype).__name__}")
    for namespace in XSD_NAMESPACES:
        if datatype.startswith(namespace):
            local = datatype[len(namespace):]
            if local == "boolean":
                return "boolean"
            return "number" if local in NUMERIC_TYPES else None
    return None


# The keys of a language-tagged string, the one value object that is compact.
_LANGUAGE_KEYS = frozenset({"@value", "@language", "@direction"})
INDEX_CACHE_SIZE = 128


@dataclass(frozen=True)
class TermIndex:
    """The terms of a document's contexts by the IRI they stand for.

    ``terms`` holds, for each IRI a context defines, the terms that name it;
    an IRI a published (bundled) context names is named only by those terms,
    never by a term an inline context adds. ``vocab`` are the ``@vocab`` bases
    that undefined terms fall back on.
    """

    terms: Mapping[str, frozenset[str]]
    vocab: tuple[str, ...] = ()

    def names(self, iri: str) -> frozenset[str]:
        """The terms for ``iri`` (empty if no context names it)."""
        return self.terms.get(iri, frozenset())

    def stands_for(self, key: str, iri: str) -> bool:
        """Whether the term ``key`` may be written for ``iri``."""
        names = self.terms.get(iri)
        if names:
            return key in names
        return any(iri == base + key for base in self.vocab)


_CACHE: dict[tuple[int, str], TermIndex] = {}
_CACHE_LOCK = threading.Lock()


def term_index(document: Any, loader: OfflineDocumentLoader) -> TermIndex:
    """The ``TermIndex`` of every ``@context`` in ``document`` (cached per loader and contexts)."""
    if not isinstance(loader, OfflineDocumentLoader):
        raise TypeError(f"loader must be an OfflineDocumentLoader, not {type(loader).__name__}")
    contexts = _contexts_in(document)
    key = (id(loader), json.dumps(contexts, sort_keys=True, separators=(",", ":")))
    with _CACHE_LOCK:
        found = _CACHE.get(key)
    if found is not None:
        return found
    index = _build_index(contexts, loader)
    with _CACHE_LOCK:
        if len(_CACHE) >= INDEX_CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = index
    return index


def _contexts_in(document: Any) -> list[Any]:
    """Every ``@context`` value in ``document``, the top-level one first."""
    found: list[Any] = []
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "@context" in value:
                found.append(value["@context"])
            stack.extend(v for k, v in value.items() if k != "@context")
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _build_index(contexts: list[Any], loader: OfflineDocumentLoader) -> TermIndex:
    processor = loader.jsonld_processor()
    options = loader.jsonld_options(base=None, isFrame=False, processingMode="json-ld-1.1")
    initial = processor._get_initial_context(options)
    published: dict[str, set[str]] = defaultdict(set)
    added: dict[str, set[str]] = defaultdict(set)
    vocab: set[str] = set()
    for context in contexts:
        items = context if isinstance(context, list) else [context]
        urls = [c for c in items if isinstance(c, str)]
        # The published contexts alone first: their names for an IRI are the
        # only names; what inline contexts add counts only for new IRIs.
        for local, into in ((urls, published), (items, added)):
            if not local or (into is added and local == urls):
                continue
            try:
                active = processor._process_context(initial, local, options)
            except JsonLdError:
                continue  # expansion already refused what cannot be processed
            _collect(processor, active, options, into, vocab)
    terms = {iri: frozenset(names) for iri, names in published.items()}
    for iri, names in added.items():
        if iri not in terms:
            terms[iri] = frozenset(names)
    return TermIndex(terms, tuple(sorted(vocab)))


def _collect(
    processor: Any, active: Any, options: dict, into: dict[str, set[str]], vocab: set[str]
) -> None:
    """Add the terms of ``active`` and of every context scoped inside it."""
    stack = [active]
    seen: set[str] = set()
    while stack:
        ctx = stack.pop()
        if isinstance(ctx.get("@vocab"), str):
            vocab.add(ctx["@vocab"])
        for term, definition in ctx["mappings"].items():
            if not definition:
                continue
            iri = definition.get("@id")
            if isinstance(iri, str) and not iri.startswith("@") and not definition.get("reverse"):
                into[iri].add(term)
            scoped = definition.get("@context")
            if scoped is None:
                continue
            mark = json.dumps(scoped, sort_keys=True, default=str)
            if mark in seen:
                continue
            seen.add(mark)
            try:
                stack.append(
                    processor._process_context(ctx, scoped, options, override_protected=True)
                )
            except JsonLdError:
                continue


def _refuse(code: str, message: str, path: str) -> UnsafeJsonLdError:
    return UnsafeJsonLdError(code, message, path=path)


def check_compact_form(document: dict, expanded: list, index: TermIndex) -> None:
    """Refuse ``document`` unless its JSON is the canonical compact form of ``expanded``.

    ``expanded`` is the document's JSON-LD expansion (``safe_jsonld.expand_safely``),
    ``index`` its contexts' ``term_index``. Raises ``UnsafeJsonLdError``.
    """
    if not (isinstance(expanded, list) and len(expanded) == 1 and isinstance(expanded[0], dict)):
        raise _refuse(
            "value-not-compact", "the document is not one JSON-LD node object", "$"
        )
    _Walk(index).node(document, expanded[0], "$")


class _Walk:
    def __init__(self, index: TermIndex) -> None:
        self.index = index

    def node(self, d: Any, e: dict, path: str) -> None:
        if not isinstance(d, dict):
            raise _refuse(
                "value-not-compact", "a node is written as a value, not as an object", path
            )
        for key in d:
            if key.startswith("@") and key != "@context":
                raise _refuse(
                    "keyword-key",
                    f"the JSON-LD keyword {key} is not accepted here: write the document in"
                    " compact form (id, type and the terms of its contexts)",
                    child_path(path, key),
                )
        for key in e:
            if key.startswith("@") and key not in ("@id", "@type"):
                raise _refuse(
                    "keyword-key",
                    f"a term of this object stands for the JSON-LD keyword {key}, which is not"
                    " accepted here",
                    path,
                )
        self.identifier(d, e, path)
        self.types(d, e, path)
        self.properties(d, e, path)

    def identifier(self, d: dict, e: dict, path: str) -> None:
        node_id = e.get("@id")
        written = d.get("id")
        if node_id is None:
            if "id" in d:
                raise _refuse("id-not-compact", "id is written but has no value", path)
            return
        if written != node_id:
            where = child_path(path, "id")
            if written is None:
                raise _refuse(
                    "id-not-compact",
                    f"this object's id {node_id} is written under another name: write it as id",
                    path,
                )
            raise _refuse(
                "id-not-compact", f"id {written!r} must be written {node_id!r}", where
            )

    def types(self, d: dict, e: dict, path: str) -> None:
        signed = e.get("@type", [])
        written = d.get("type", [])
        written = written if isinstance(written, list) else [written]
        where = child_path(path, "type")
        if len(written) != len(signed):
            raise _refuse(
                "type-not-compact",
                f"type lists {len(written)} value(s) but the signed graph has {len(signed)}:"
                " write every type once, under type",
                where,
            )
        _no_duplicates(signed, where, "type")
        for i, (term, iri) in enumerate(zip(written, signed)):
            self.vocabulary_value(term, iri, f"{where}[{i}]" if len(written) > 1 else where,
                                  "type-not-compact")

    def vocabulary_value(self, written: Any, iri: str, path: str, code: str) -> None:
        """A type (or a vocabulary value) is its term, or its IRI where no term names it."""
        if not isinstance(written, str):
            raise _refuse(code, f"{written!r} must be a string naming {iri}", path)
        if self.index.stands_for(written, iri):
            return
        names = sorted(self.index.names(iri))
        if written == iri and not names:
            return
        if names:
            raise _refuse(code, f"{written!r} must be written {names[0]!r}", path)
        raise _refuse(code, f"{written!r} must be written {iri!r}", path)

    def properties(self, d: dict, e: dict, path: str) -> None:
        keys = [k for k in d if k not in ("@context", "id", "type")]
        used: set[str] = set()
        for iri, values in e.items():
            if iri.startswith("@"):
                continue
            candidates = [k for k in keys if self.index.stands_for(k, iri)]
            if len(candidates) > 1:
                raise _refuse(
                    "term-alias",
                    f"{' and '.join(repr(k) for k in candidates)} both stand for {iri}:"
                    " write it once",
                    child_path(path, candidates[1]),
                )
            if not candidates:
                raise self.missing(iri, keys, used, e, path)
            key = candidates[0]
            used.add(key)
            self.values(d[key], values, child_path(path, key), key)
        for key in keys:
            if key in used:
                continue
            where = child_path(path, key)
            if d[key] is None:
                raise _refuse(
                    "null-value", f"{key} is null, which the signed graph leaves out: omit it",
                    where,
                )
            raise _refuse(
                "term-alias",
                f"{key!r} does not appear in the signed graph under that name: another name"
                " for a property, or a term standing for a keyword",
                where,
            )

    def missing(
        self, iri: str, keys: list[str], used: set[str], e: dict, path: str
    ) -> UnsafeJsonLdError:
        """The refusal for a property of the graph that no key of this object is named for."""
        names = sorted(self.index.names(iri))
        term = repr(names[0]) if names else "a term of the document's contexts"
        others = [i for i in e if not i.startswith("@")]
        unused = [
            k for k in keys
            if k not in used and not any(self.index.stands_for(k, other) for other in others)
        ]
        for key in unused:
            if ":" in key:
                return _refuse(
                    "iri-key",
                    f"key {key!r} must be written {term}" if names else
                    f"key {key!r} is an IRI: a property must be a term of the document's contexts",
                    child_path(path, key),
                )
        if unused:
            return _refuse(
                "term-alias",
                f"{unused[0]!r} stands for {iri}, which the contexts name {term}: write {term}",
                child_path(path, unused[0]),
            )
        return _refuse(
            "term-alias",
            f"{iri} is in the signed graph but not written as {term} in this object",
            path,
        )

    def values(self, d: Any, signed: list, path: str, key: str) -> None:
        if isinstance(d, dict) and ("@list" in d or "@set" in d):
            raise _refuse(
                "keyword-key",
                f"{key} is written with a JSON-LD keyword: write its values as an array",
                path,
            )
        if len(signed) == 1 and isinstance(signed[0], dict) and "@list" in signed[0]:
            signed = signed[0]["@list"]
        else:
            _no_duplicates(signed, path, key)
        written = d if isinstance(d, list) else [d]
        if len(written) != len(signed):
            raise _refuse(
                "value-not-compact",
                f"{key} has {len(written)} value(s) but the signed graph has {len(signed)}",
                path,
            )
        ids: dict[str, str] = {}
        for i, (w, s) in enumerate(zip(written, signed)):
            where = f"{path}[{i}]" if isinstance(d, list) else path
            node_id = s.get("@id") if isinstance(s, dict) and isinstance(w, dict) else None
            if node_id is not None:
                if node_id in ids:
                    raise _refuse(
                        "split-node",
                        f"{key} holds the node {node_id} twice ({ids[node_id]} and {where}):"
                        " write it once, with all its properties",
                        where,
                    )
                ids[node_id] = where
            self.value(w, s, where, key)

    def value(self, d: Any, s: Any, path: str, key: str) -> None:
        if not isinstance(s, dict):
            raise _refuse("value-not-compact", f"{key} has a value the graph cannot hold", path)
        if "@graph" in s:
            nodes = s["@graph"]
            if not isinstance(d, dict) or len(nodes) != 1:
                raise _refuse(
                    "value-not-compact", f"{key} must be written as one object per value", path
                )
            self.node(d, nodes[0], path)
            return
        if "@value" in s:
            self.literal(d, s, path, key)
            return
        if set(s) == {"@id"} and not isinstance(d, dict):
            if not isinstance(d, str):
                raise _refuse(
                    "value-not-compact", f"{key} must be a string naming {s['@id']}", path
                )
            if d != s["@id"]:
                self.vocabulary_value(d, s["@id"], path, "value-not-compact")
            return
        self.node(d, s, path)

    def literal(self, d: Any, s: dict, path: str, key: str) -> None:
        signed = s["@value"]
        datatype = s.get("@type")
        if datatype == "@json":
            if d != signed:
                raise _refuse("value-not-compact", f"{key} differs from what was signed", path)
            return
        if isinstance(d, dict):
            language = {k: v for k, v in s.items() if k in _LANGUAGE_KEYS}
            if datatype is None and len(language) > 1 and d == language:
                return  # a language-tagged string is compact as it is
            raise _refuse(
                "value-not-compact",
                f"{key} is written as a JSON-LD value object: write the plain value"
                f" {json.dumps(signed)} (its contexts give its type)",
                path,
            )
        kind = native_kind(datatype)
        if kind is not None and isinstance(signed, str):
            raise _refuse(
                "typed-value-not-native",
                f"{key} must be a JSON {kind}"
                f"{' (true or false)' if kind == 'boolean' else ''}, not the string"
                f" {json.dumps(signed)}",
                path,
            )
        if datatype is not None and kind is None and not isinstance(signed, str):
            raise _refuse(
                "typed-value-not-native",
                f"{key} must be a string, not {json.dumps(signed)} (its contexts make it"
                f" {datatype})",
                path,
            )
        if not _same_literal(d, signed):
            raise _refuse(
                "value-not-compact",
                f"{key} is written {json.dumps(d)} but signed as {json.dumps(signed)}",
                path,
            )


def _same_literal(written: Any, signed: Any) -> bool:
    if isinstance(written, bool) or isinstance(signed, bool):
        return type(written) is type(signed) and written == signed
    if isinstance(written, (int, float)) and isinstance(signed, (int, float)):
        return written == signed
    return type(written) is type(signed) and written == signed


def _no_duplicates(values: list, path: str, key: str) -> None:
    """No literal, IRI or type is listed twice (distinct blank nodes may look alike)."""
    seen: set[str] = set()
    for value in values:
        if isinstance(value, dict) and not ("@value" in value or set(value) == {"@id"}):
            continue
        mark = json.dumps(value, sort_keys=True, default=str)
        if mark in seen:
            raise _refuse(
                "duplicate-value",
                f"{key} lists the same value twice; the signed graph holds it once",
                path,
            )
        seen.add(mark)
