"""Reading a document written in canonical compact form without PyLD's expansion.

Almost every document a verifier meets is written the one canonical way: its
``@context`` is a list of published context URLs, every key is a term of
those contexts (``id`` and ``type`` for the two keywords), every value is the
plain JSON its term's definition expects. For such a document the JSON-LD
expansion is a direct rewrite, term by term, of what a compiled view of its
contexts already says: the IRI of each term, its type coercion, its
container, and the context a property or a type scopes. ``expand_compact``
computes that expansion in one walk, and ``expand_safely`` uses it first.

The view is compiled from PyLD's own processed contexts (the loader's memo:
computed once per distinct context list and scoped context, then reused), so
each term means here what it means to PyLD. The walk accepts a document only
when it can tell, as it goes, that every rule of ``safe_jsonld`` and of
``compact_form`` holds; it never refuses. On anything else (a key that is not
a term, an inline or nested ``@context``, a value object, a ``null``, an empty
array, a container other than ``@set`` or ``@graph``, a coercion to
``@vocab`` or ``@json``, a language default, a compact IRI, a value listed
twice, a node split in two...) it answers ``None`` and the caller takes
PyLD's full path, which gives the named refusal. So a document it accepts
gets exactly the decision PyLD's path would give (``tests/test_compact_expansion.py``
compares both over the read-as-signed corpus), in a fraction of the time.

>>> from coopcreds_proto.loader import OfflineDocumentLoader
>>> loader = OfflineDocumentLoader.default()
>>> doc = {"@context": ["https://www.w3.org/ns/credentials/v2"],
...        "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
...        "credentialSubject": {"id": "did:example:1"}}
>>> expand_compact(doc, loader)[0]["https://www.w3.org/2018/credentials#issuer"]
[{'@id': 'did:example:issuer'}]
>>> expand_compact(dict(doc, validUntil={"@value": "2020-01-01T00:00:00Z"}), loader) is None
True
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from pyld.jsonld import JsonLdError, JsonLdProcessor, _is_absolute_iri

from .compact_form import (
    TermIndex,
    _build_index,
    _contexts_in,
    _no_duplicates,
    _same_literal,
    native_kind,
)
from .errors import CoopCredsError
from .loader import OfflineDocumentLoader

# The containers a compact document may use for a term: none, a set, or a graph
# (the proof).
_PLAIN_CONTAINERS = ((), ("@set",), ("@graph",))
VIEW_CACHE_SIZE = 128


class _Unsure(Exception):
    """The walk cannot tell that the document is canonical: take PyLD's path."""


class CompiledView:
    """What the walk needs of one context list, computed once.

    ``index`` is the list's ``compact_form.TermIndex`` and ``term_iris`` its
    reverse (each term, the IRIs it may be written for).
    """

    def __init__(self, index: TermIndex) -> None:
        self.index = index
        reverse: dict[str, set[str]] = defaultdict(set)
        for iri, names in index.terms.items():
            for name in names:
                reverse[name].add(iri)
        self.term_iris: Mapping[str, frozenset[str]] = {
            k: frozenset(v) for k, v in reverse.items()
        }


_VIEWS: dict[tuple[int, tuple[tuple[str, ...], ...]], CompiledView] = {}
_VIEWS_LOCK = threading.Lock()


def compiled_view(
    contexts: tuple[tuple[str, ...], ...], loader: OfflineDocumentLoader
) -> CompiledView:
    """The ``CompiledView`` of a document's context lists, each a tuple of published
    context URLs (computed once per loader and distinct lists, then reused)."""
    key = (id(loader), contexts)
    with _VIEWS_LOCK:
        found = _VIEWS.get(key)
    if found is not None:
        return found
    view = CompiledView(_build_index([list(c) for c in contexts], loader))
    with _VIEWS_LOCK:
        if len(_VIEWS) >= VIEW_CACHE_SIZE:
            _VIEWS.clear()
        _VIEWS[key] = view
    return view


def _as_urls(context: Any, loader: OfflineDocumentLoader) -> tuple[str, ...] | None:
    """A ``@context`` value as a tuple of URLs the loader serves, else ``None``."""
    items = context if isinstance(context, list) else [context]
    if not items or not all(isinstance(c, str) and c in loader.urls for c in items):
        return None
    return tuple(items)


def expand_compact(
    document: Any, loader: OfflineDocumentLoader, contexts: list[Any] | None = None
) -> list | None:
    """The JSON-LD expansion of ``document`` if it is in canonical compact form, else None.

    ``contexts`` are the document's ``@context`` values, the top-level one first
    (found if not given). ``None`` never means refused: it means "read it with
    PyLD" (see the module). A document accepted here passes
    ``compact_form.check_compact_form`` and expands, with PyLD, to exactly what
    is returned.
    """
    if not isinstance(document, dict) or not isinstance(loader, OfflineDocumentLoader):
        return None
    if contexts is None:
        contexts = _contexts_in(document)
    lists = []
    for context in contexts:
        urls = _as_urls(context, loader)
        if urls is None:
            return None
        lists.append(urls)
    if not lists or document.get("@context") is None:
        return None
    try:
        view = compiled_view(tuple(lists), loader)
        return _Walk(loader, view).document(document)
    except (_Unsure, JsonLdError, CoopCredsError, RecursionError):
        return None


class _Walk:
    """PyLD's expansion (``JsonLdProcessor._expand``) restricted to canonical compact
    JSON, with the compact-form rules checked on the way."""

    def __init__(self, loader: OfflineDocumentLoader, view: CompiledView) -> None:
        self.processor = loader.jsonld_processor()
        options = loader.jsonld_options(base=None)
        # The options PyLD's expand() would pass down (the loader's memo is keyed on them).
        options.setdefault("isFrame", False)
        options.setdefault("keepFreeFloatingNodes", False)
        options.setdefault("extractAllScripts", False)
        options.setdefault("processingMode", "json-ld-1.1")
        self.options = options
        self.view = view
        self.index = view.index

    def document(self, document: dict) -> list:
        p = self.processor
        initial = p._get_initial_context(self.options)
        node = self.node(initial, None, document)
        if len(node) == 1 and "@id" in node or not node:
            raise _Unsure  # PyLD drops a top-level node with only an id
        return [node]

    def iri(self, ctx: Any, term: str) -> Any:
        return self.processor._expand_iri(ctx, term, vocab=True)

    def node(self, active: Any, key: str | None, element: dict) -> dict:
        """``_expand`` of the object ``element``, a value of ``key`` (``active`` is the
        term's context, scoped by ``key``)."""
        p, options = self.processor, self.options
        for k in element:
            if k[:1] == "@" and k != "@context":
                raise _Unsure
        property_scoped = (
            JsonLdProcessor.get_context_value(active, key, "@context") if key is not None
            else None
        )
        type_scoped = active if active.get("previousContext") else None
        must_revert = True
        if type_scoped and len(element) <= 2 and "@context" not in element:
            for k in sorted(element):
                expanded = self.iri(type_scoped, k)
                if expanded == "@value":
                    raise _Unsure
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        if must_revert:
            active = p._revert_to_previous_context(active)
        if property_scoped is not None:
            active = p._process_context(active, property_scoped, options, override_protected=True)
        active, _, type_ctx = p._prepare_nested_context(active, element, options)
        return self.properties(active, type_ctx, element)

    def properties(self, active: Any, type_ctx: Any, element: dict) -> dict:
        out: dict = {}
        iris: dict[str, str] = {}
        for k, value in sorted(element.items()):
            if k == "@context":
                continue  # processed by _prepare_nested_context (URLs only: see expand_compact)
            expanded = self.iri(active, k)
            if expanded == "@id":
                if k != "id" or not isinstance(value, str):
                    raise _Unsure
                node_id = self.processor._expand_iri(active, value, base=None)
                if node_id != value or not (_is_absolute_iri(value) or value.startswith("_:")):
                    raise _Unsure
                out["@id"] = value
            elif expanded == "@type":
                if k != "type":
                    raise _Unsure
                out["@type"] = self.types(type_ctx, value)
            elif isinstance(expanded, str) and expanded[:1] != "@" and _is_absolute_iri(expanded):
                if expanded in iris.values() or not self.index.stands_for(k, expanded):
                    raise _Unsure
                iris[k] = expanded
                out[expanded] = self.values(active, k, expanded, value)
            else:
                raise _Unsure  # undefined, another keyword, or a relative IRI
        # No key may also be a name for another property of this object (term-alias).
        if iris:
            here = set(iris.values())
            for k, expanded in iris.items():
                if not self.view.term_iris.get(k, frozenset()) & here <= {expanded}:
                    raise _Unsure
        return out

    def types(self, type_ctx: Any, value: Any) -> list[str]:
        written = value if isinstance(value, list) else [value]
        if not written or not all(isinstance(t, str) for t in written):
            raise _Unsure
        expanded = [self.processor._expand_iri(type_ctx, t, vocab=True, base=None)
                    for t in written]
        if len(set(expanded)) != len(expanded):
            raise _Unsure
        for term, iri in zip(written, expanded):
            if not isinstance(iri, str):
                raise _Unsure
            if not (self.index.stands_for(term, iri) or (term == iri and not self.index.names(iri))):
                raise _Unsure
        return expanded

    def values(self, active: Any, key: str, expanded_key: str, value: Any) -> list:
        p, options = self.processor, self.options
        term_ctx = active
        scoped = JsonLdProcessor.get_context_value(active, key, "@context")
        if scoped is not None:
            term_ctx = p._process_context(
                active, scoped, options, propagate=True, override_protected=True
            )
        declared = JsonLdProcessor.get_context_value(active, key, "@container")
        container = () if declared is None else tuple(JsonLdProcessor.arrayify(declared))
        if container not in _PLAIN_CONTAINERS:
            raise _Unsure
        mapping = term_ctx["mappings"].get(key) or active["mappings"].get(key)
        if mapping and mapping.get("reverse"):
            raise _Unsure
        coercion = JsonLdProcessor.get_context_value(active, key, "@type")
        if coercion in ("@json", "@none"):
            raise _Unsure
        written = value if isinstance(value, list) else [value]
        if not written:
            raise _Unsure
        out: list = []
        ids: set[str] = set()
        for item in written:
            if isinstance(item, dict):
                node = self.node(term_ctx, key, item)
                node_id = node.get("@id")
                if node_id is not None:
                    if node_id in ids:
                        raise _Unsure  # a split node
                    ids.add(node_id)
                out.append({"@graph": [node]} if container == ("@graph",) else node)
            elif container == ("@graph",) or item is None or isinstance(item, list):
                raise _Unsure
            else:
                out.append(self.scalar(term_ctx, key, item))
        if len(out) > 1:
            _no_duplicates(out, "$", key)  # raises: a value listed twice
        return out

    def scalar(self, term_ctx: Any, key: str, item: Any) -> dict:
        signed = self.processor._expand_value(term_ctx, key, item, self.options)
        if not isinstance(signed, dict):
            raise _Unsure
        if "@id" in signed:
            if set(signed) != {"@id"} or not isinstance(item, str):
                raise _Unsure
            iri = signed["@id"]
            # A term for an IRI (a @vocab coercion, proofPurpose) or the IRI itself.
            if iri != item and not self.index.stands_for(item, iri):
                raise _Unsure
            return signed
        if set(signed) - {"@value", "@type"} or "@value" not in signed:
            raise _Unsure  # a language or direction: PyLD's path decides
        datatype = signed.get("@type")
        kind = native_kind(datatype)
        literal = signed["@value"]
        if kind is not None and isinstance(literal, str):
            raise _Unsure
        if datatype is not None and kind is None and not isinstance(literal, str):
            raise _Unsure
        if not _same_literal(item, literal):
            raise _Unsure
        return signed
