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

import math
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
    native_kind,
)
from .errors import CoopCredsError, require_type
from .loader import OfflineDocumentLoader

# The containers a compact document may use for a term: none, a set, or a graph
# (the proof).
_PLAIN_CONTAINERS = ((), ("@set",), ("@graph",))
VIEW_CACHE_SIZE = 128
PLANS_MAX = 4096  # per view and kind of entry; a full table is emptied and refilled


class _Unsure(Exception):
    """The walk cannot tell that the document is canonical: take PyLD's path."""


class CompiledView:
    """What the walk needs of one context list, computed once.

    ``index`` is the list's ``compact_form.TermIndex`` and ``term_iris`` its
    reverse (each term, the IRIs it may be written for).
    """

    def __init__(self, index: TermIndex, loader: OfflineDocumentLoader) -> None:
        require_type(index, TermIndex, "index")
        require_type(loader, OfflineDocumentLoader, "loader")
        self.index = index
        # Held, so that the loader's id, a key of the cache, is never another loader's.
        self.loader = loader
        reverse: dict[str, set[str]] = defaultdict(set)
        for iri, names in index.terms.items():
            for name in names:
                reverse[name].add(iri)
        self.term_iris: Mapping[str, frozenset[str]] = {
            k: frozenset(v) for k, v in reverse.items()
        }
        # What the walk compiled under this view, by active context (its PyLD id)
        # and key or types; each entry holds its context, which it is checked against.
        self.plans: dict[tuple, tuple[Any, Any]] = {}
        self.entered: dict[tuple, tuple[Any, Any]] = {}
        self.typed: dict[tuple, tuple[Any, Any]] = {}

    @staticmethod
    def _remember(cache: dict, slot: tuple, entry: tuple[Any, Any]) -> None:
        if slot[0] is None:
            return  # a context without PyLD's id is never remembered
        if len(cache) >= PLANS_MAX:
            cache.clear()
        cache[slot] = entry


_VIEWS: dict[tuple[int, tuple[tuple[str, ...], ...]], CompiledView] = {}
_VIEWS_LOCK = threading.Lock()


def compiled_view(
    contexts: tuple[tuple[str, ...], ...], loader: OfflineDocumentLoader
) -> CompiledView:
    """The ``CompiledView`` of a document's context lists, each a tuple of published
    context URLs (computed once per loader and distinct lists, then reused)."""
    require_type(loader, OfflineDocumentLoader, "loader")
    require_type(contexts, tuple, "contexts")
    key = (id(loader), contexts)
    with _VIEWS_LOCK:
        found = _VIEWS.get(key)
    if found is not None and found.loader is loader:
        return found
    view = CompiledView(_build_index([list(c) for c in contexts], loader), loader)
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


# What a key of a node object is, under one active context.
_ID, _TYPE, _PROPERTY, _UNSURE = range(4)
_JSON_SCALARS = (str, bool, int, float)


class _KeyPlan:
    """A key of a node object under one active context, compiled: what it expands
    to and how its values expand (the coercion, container and scoped context)."""

    __slots__ = (
        "coercion",
        "graph",
        "iri",
        "kind",
        "native",
        "scalars",
        "tagged",
        "term_ctx",
    )

    def __init__(self, kind: int, iri: str = "", term_ctx: Any = None) -> None:
        self.kind = kind
        self.iri = iri
        self.term_ctx = term_ctx
        self.graph = False
        self.coercion: str | None = None
        self.native: str | None = None
        self.tagged = False
        self.scalars = False


_UNSURE_PLAN = _KeyPlan(_UNSURE)


class _Walk:
    """PyLD's expansion (``JsonLdProcessor._expand``) restricted to canonical compact
    JSON, with the compact-form rules checked on the way.

    What depends only on the active context and a key (a ``_KeyPlan``), or on the
    active context and a node's types, is computed once per compiled view with
    PyLD's own functions and looked up after that.
    """

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
        for k in element:
            if k[:1] == "@" and k != "@context":
                raise _Unsure
        must_revert = True
        if active.get("previousContext") and len(element) <= 2 and "@context" not in element:
            type_scoped = active
            for k in sorted(element):
                expanded = self.iri(type_scoped, k)
                if expanded == "@value":
                    raise _Unsure
                if expanded == "@id" and len(element) == 1:
                    must_revert = False
                    break
        active = self.entered(active, key, must_revert)
        if "@context" in element:
            active, _, type_ctx = self.processor._prepare_nested_context(
                active, element, self.options)
        else:
            type_ctx = active
            types = element.get("type")
            if types is not None:
                if self.iri(active, "type") != "@type":
                    raise _Unsure  # a context that redefines type: PyLD's path
                active = self.typed(active, types)
        return self.properties(active, type_ctx, element)

    def entered(self, active: Any, key: str | None, must_revert: bool) -> Any:
        """The context of a node that is a value of ``key``: the type-scoped context
        reverted (unless ``must_revert`` is false), then ``key``'s scoped context."""
        cache = self.view.entered
        slot = (active.get("_uuid"), key, must_revert)
        found = cache.get(slot)
        if found is not None and found[0] is active:
            return found[1]
        p = self.processor
        property_scoped = (
            JsonLdProcessor.get_context_value(active, key, "@context") if key is not None
            else None
        )
        result = p._revert_to_previous_context(active) if must_revert else active
        if property_scoped is not None:
            result = p._process_context(
                result, property_scoped, self.options, override_protected=True)
        self.view._remember(cache, slot, (active, result))
        return result

    def typed(self, active: Any, types: Any) -> Any:
        """``_prepare_nested_context`` for a node of ``types`` (no ``@context`` of its own)."""
        strings = tuple(sorted(t for t in JsonLdProcessor.arrayify(types) if isinstance(t, str)))
        cache = self.view.typed
        slot = (active.get("_uuid"), strings)
        found = cache.get(slot)
        if found is not None and found[0] is active:
            return found[1]
        result = active
        for type_ in strings:
            ctx = JsonLdProcessor.get_context_value(active, type_, "@context")
            if ctx is not None and ctx is not False:
                result = self.processor._process_context(
                    result, ctx, self.options, propagate=False)
        self.view._remember(cache, slot, (active, result))
        return result

    def plan(self, active: Any, key: str) -> _KeyPlan:
        cache = self.view.plans
        slot = (active.get("_uuid"), key)
        found = cache.get(slot)
        if found is not None and found[0] is active:
            return found[1]
        plan = self.compile(active, key)
        self.view._remember(cache, slot, (active, plan))
        return plan

    def compile(self, active: Any, key: str) -> _KeyPlan:
        expanded = self.iri(active, key)
        if expanded == "@id":
            return _KeyPlan(_ID) if key == "id" else _UNSURE_PLAN
        if expanded == "@type":
            return _KeyPlan(_TYPE) if key == "type" else _UNSURE_PLAN
        if not (isinstance(expanded, str) and expanded[:1] != "@" and _is_absolute_iri(expanded)):
            return _UNSURE_PLAN  # undefined, another keyword, or a relative IRI
        if not self.index.stands_for(key, expanded):
            return _UNSURE_PLAN
        p, get = self.processor, JsonLdProcessor.get_context_value
        term_ctx = active
        scoped = get(active, key, "@context")
        if scoped is not None:
            term_ctx = p._process_context(
                active, scoped, self.options, propagate=True, override_protected=True
            )
        declared = get(active, key, "@container")
        container = () if declared is None else tuple(JsonLdProcessor.arrayify(declared))
        if container not in _PLAIN_CONTAINERS:
            return _UNSURE_PLAN
        # An array of values is a list if the term's scoped context says so (PyLD's _expand).
        if "@list" in JsonLdProcessor.arrayify(get(term_ctx, key, "@container") or []):
            return _UNSURE_PLAN
        mapping = term_ctx["mappings"].get(key) or active["mappings"].get(key)
        if mapping and mapping.get("reverse"):
            return _UNSURE_PLAN
        coercion = get(active, key, "@type")
        if coercion in ("@json", "@none"):
            return _UNSURE_PLAN
        plan = _KeyPlan(_PROPERTY, expanded, term_ctx)
        # A scalar is expanded under the term's own (scoped) context: it is read here
        # only where the term means the same there.
        plan.scalars = (get(term_ctx, key, "@type") == coercion
                        and self.iri(term_ctx, key) == expanded)
        plan.graph = container == ("@graph",)
        plan.coercion = coercion
        plan.native = native_kind(coercion) if coercion not in (None, "@id", "@vocab") else None
        plan.tagged = (get(term_ctx, key, "@language") is not None
                       or get(term_ctx, key, "@direction") is not None)
        return plan

    def properties(self, active: Any, type_ctx: Any, element: dict) -> dict:
        out: dict = {}
        iris: dict[str, str] = {}
        for k, value in sorted(element.items()):
            if k == "@context":
                continue  # processed by _prepare_nested_context (URLs only: see expand_compact)
            plan = self.plan(active, k)
            kind = plan.kind
            if kind == _PROPERTY:
                iri = plan.iri
                if iri in out:
                    raise _Unsure  # two keys for one property
                iris[k] = iri
                out[iri] = self.values(plan, k, value)
            elif kind == _ID:
                if not isinstance(value, str):
                    raise _Unsure
                node_id = self.processor._expand_iri(active, value, base=None)
                if node_id != value or not (_is_absolute_iri(value) or value.startswith("_:")):
                    raise _Unsure
                out["@id"] = value
            elif kind == _TYPE:
                out["@type"] = self.types(type_ctx, value)
            else:
                raise _Unsure
        # No key may also be a name for another property of this object (term-alias).
        if len(iris) > 1:
            here = set(iris.values())
            term_iris = self.view.term_iris
            for k, iri in iris.items():
                names = term_iris.get(k)
                if names is not None and not names & here <= {iri}:
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

    def values(self, plan: _KeyPlan, key: str, value: Any) -> list:
        written = value if isinstance(value, list) else [value]
        if not written:
            raise _Unsure
        out: list = []
        ids: set[str] = set()
        for item in written:
            if isinstance(item, dict):
                node = self.node(plan.term_ctx, key, item)
                node_id = node.get("@id")
                if node_id is not None:
                    if node_id in ids:
                        raise _Unsure  # a split node
                    ids.add(node_id)
                out.append({"@graph": [node]} if plan.graph else node)
            elif (plan.graph or not plan.scalars or type(item) not in _JSON_SCALARS
                  or (type(item) is float and math.isnan(item))):
                raise _Unsure  # a node expected, or not a JSON scalar (NaN is not one)
            else:
                out.append(self.scalar(plan, item))
        if len(out) > 1:
            _no_duplicates(out, "$", key)  # raises: a value listed twice
        return out

    def scalar(self, plan: _KeyPlan, item: Any) -> dict:
        """``_expand_value`` of a JSON scalar, which must be written as compact JSON."""
        coercion = plan.coercion
        if type(item) is str and coercion in ("@id", "@vocab"):
            iri = self.processor._expand_iri(
                plan.term_ctx, item, vocab=coercion == "@vocab", base=None)
            # A term for an IRI (a @vocab coercion, proofPurpose) or the IRI itself.
            if not isinstance(iri, str) or iri != item and not self.index.stands_for(item, iri):
                raise _Unsure
            return {"@id": iri}
        if coercion is not None and coercion not in ("@id", "@vocab"):
            native = plan.native
            if native is None:
                if type(item) is not str:
                    raise _Unsure  # typed-value-not-native
            elif type(item) is str:
                raise _Unsure  # typed-value-not-native
            return {"@type": coercion, "@value": item}
        if plan.tagged and type(item) is str:
            raise _Unsure  # a language or direction: PyLD's path decides
        return {"@value": item}
