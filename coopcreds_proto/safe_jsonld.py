"""Safe JSON-LD: refuse what PyLD would silently drop, rewrite or fetch.

PyLD has no safe mode. Left alone it drops undefined terms, resolves relative
IRIs against a made-up base, and happily loads any context URL. A signature
over such a document would not cover what a person reads in it. ``expand_safely``
closes those gaps before anything is canonicalized or signed:

- every ``@context`` is a bundled URL (or, if the caller allows it, an inline object);
- no property is dropped by expansion (an undefined term);
- every ``@id`` and ``@type`` expands to an absolute IRI (or a blank node);
- protected terms are not redefined;
- plus the JSON checks of :mod:`coopcreds_proto.safe_json`.

Terms that expand only through a context's ``@vocab`` fallback (the W3C
examples context has one) are not refused but reported by name.

>>> from coopcreds_proto.loader import OfflineDocumentLoader
>>> doc = {"@context": ["https://www.w3.org/ns/credentials/v2"],
...        "type": ["VerifiableCredential"], "foo": "bar"}
>>> expand_safely(doc, OfflineDocumentLoader.default())
Traceback (most recent call last):
...
coopcreds_proto.errors.UnsafeJsonLdError: 'foo' is not defined by the document's contexts, so a signature would not cover it (at $.foo)
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyld.jsonld import KEYWORDS, JsonLdError

from .compact_expansion import expand_compact
from .errors import (
    CoopCredsError,
    DocumentLoaderError,
    InputError,
    UnsafeJsonLdError,
    require_type,
)
from .loader import OfflineDocumentLoader
from .safe_json import (
    DEFAULT_LIMITS,
    Limits,
    check_json_value,
    child_path,
    crumb_steps,
    steps_path,
)

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]*$")
_KEYWORD = re.compile(r"^@[a-z]+$")


@dataclass(frozen=True)
class ExpandedDocument:
    """A document that passed the safety checks, with its expanded form."""

    expanded: list
    vocab_terms: tuple[str, ...] = ()
    # True when the document was read by ``compact_expansion``: it is then known
    # to be in canonical compact form (``compact_form.check_compact_form`` holds).
    compact: bool = False


class _Dropped(Exception):
    def __init__(self, term: str | None) -> None:
        self.term = term


def _on_dropped(term: str | None) -> None:
    raise _Dropped(term)


def expand_safely(
    document: dict,
    loader: OfflineDocumentLoader,
    *,
    allow_inline_contexts: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ExpandedDocument:
    """Check ``document`` and return its JSON-LD expansion, or raise ``UnsafeJsonLdError``."""
    if not isinstance(document, dict):
        raise InputError(
            "not-an-object", "a JSON-LD document here must be a JSON object", path="$"
        )
    require_type(loader, OfflineDocumentLoader, "loader")
    check_json_value(document, limits)
    found = _found_contexts(document)
    _check_found(found, loader, allow_inline_contexts=allow_inline_contexts)
    return _expand_checked(document, loader, found)


def _expand_checked(
    document: dict, loader: OfflineDocumentLoader, found: list[tuple[str, Any]]
) -> ExpandedDocument:
    """The rest of :func:`expand_safely`, for a ``document`` whose JSON values and
    contexts (``found``, from ``_found_contexts``) were already checked."""
    if found:
        compact = expand_compact(document, loader, [context for _, context in found])
        if compact is not None:
            try:
                vocab_terms = check_expanded(compact, document, _vocab_bases(loader, found))
            except UnsafeJsonLdError:
                pass  # refused below, by PyLD's path, with its message
            else:
                return ExpandedDocument(compact, vocab_terms, compact=True)
    processor = loader.jsonld_processor(_on_dropped)
    try:
        expanded = processor.expand(document, loader.jsonld_options(base=None))
    except _Dropped as dropped:
        # PyLD names no term for a key that looks like a keyword ("@foo"): find it.
        term = dropped.term or _unknown_keyword(document) or "?"
        raise UnsafeJsonLdError(
            "undefined-term",
            f"{term!r} is not defined by the document's contexts, so a signature would not cover it",
            path=find_key(document, term) or "$",
        ) from None
    except JsonLdError as exc:
        raise jsonld_error(exc, document) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # PyLD failing inside on an input it should have refused: refuse it here.
        raise UnsafeJsonLdError(
            "invalid-jsonld", f"not valid JSON-LD: the processor could not read it ({exc!r})",
            path="$",
        ) from None
    vocab_terms = check_expanded(expanded, document, _vocab_bases(loader, found))
    return ExpandedDocument(expanded, vocab_terms)


def _unknown_keyword(document: Any) -> str | None:
    """The first key of ``document`` written like a JSON-LD keyword that is not one."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in value:
                if key.startswith("@") and key not in KEYWORDS:
                    return key
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))
    return None


def check_contexts(
    document: Any, loader: OfflineDocumentLoader, *, allow_inline_contexts: bool
) -> None:
    """Every ``@context`` anywhere in ``document`` must be bundled (or allowed inline)."""
    require_type(loader, OfflineDocumentLoader, "loader")
    _check_found(_found_contexts(document), loader, allow_inline_contexts=allow_inline_contexts)


def _check_found(
    found: list[tuple[str, Any]], loader: OfflineDocumentLoader, *, allow_inline_contexts: bool
) -> None:
    urls = loader.urls
    for path, context in found:
        for item, item_path in _each(context, path):
            if isinstance(item, str):
                if item not in urls:
                    raise UnsafeJsonLdError(
                        "context-not-bundled",
                        f"context {item} is not in the offline bundle",
                        path=item_path,
                    )
            elif isinstance(item, dict):
                if not allow_inline_contexts:
                    raise UnsafeJsonLdError(
                        "inline-context",
                        "inline @context objects are not accepted; use a published context URL",
                        path=item_path,
                    )
                # An allowed inline context may still import others: check those too.
                check_contexts({k: v for k, v in item.items()}, loader, allow_inline_contexts=True)
            else:
                raise UnsafeJsonLdError(
                    "bad-context",
                    f"@context entry {item!r} is not a URL or an object",
                    path=item_path,
                )


def _found_contexts(document: Any) -> list[tuple[str, Any]]:
    """Every ``@context`` in ``document`` as (JSON path, value), in document order."""
    found: list[tuple[str, Any]] = []
    # Each value with its crumb (parent crumb, key or (index,)): a path is
    # written out only for what is found.
    stack: list[tuple[Any, tuple | None, bool, int]] = [(document, None, False, 0)]
    deepest = sys.getrecursionlimit()
    while stack:
        value, crumb, is_context, depth = stack.pop()
        if depth > deepest:
            # As deep as a recursive walk could go: a cyclic structure never ends.
            raise UnsafeJsonLdError(
                "too-deep", "nested deeper than any JSON document (a structure that contains"
                " itself?)", path=steps_path(crumb_steps(crumb)[:8]) + "...",
            )
        if is_context:
            found.append((steps_path(crumb_steps(crumb)), value))
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if isinstance(item, (dict, list)) or key == "@context":
                    stack.append((item, (crumb, key), key == "@context", depth + 1))
        elif isinstance(value, list):
            for i in range(len(value) - 1, -1, -1):
                item = value[i]
                if isinstance(item, (dict, list)):
                    stack.append((item, (crumb, (i,)), False, depth + 1))
    return found


def _each(context: Any, path: str) -> Iterator[tuple[Any, str]]:
    if isinstance(context, list):
        for i, item in enumerate(context):
            yield item, f"{path}[{i}]"
    else:
        yield context, path


def vocab_bases(loader: OfflineDocumentLoader, document: dict) -> tuple[str, ...]:
    """The ``@vocab`` IRIs that the document's contexts fall back on."""
    return _vocab_bases(loader, _found_contexts(document))


def _vocab_bases(loader: OfflineDocumentLoader, found: list[tuple[str, Any]]) -> tuple[str, ...]:
    bases = []
    for _, context in found:
        for item in context if isinstance(context, list) else (context,):
            ctx = loader.load(item).get("@context", {}) if isinstance(item, str) else item
            if isinstance(ctx, dict) and isinstance(ctx.get("@vocab"), str):
                bases.append(ctx["@vocab"])
    return tuple(bases)


_KEPT_LENGTH = 512  # a vocabulary's IRIs are short: a longer one is checked each time


def _is_absolute(value: str) -> bool:
    return bool(_ABSOLUTE_IRI.match(value))


# The answer for short IRIs is kept across documents (a vocabulary recurs in every one).
_absolute_kept = functools.lru_cache(maxsize=4096)(_is_absolute)


def check_expanded(expanded: Any, document: dict, vocab: tuple[str, ...]) -> tuple[str, ...]:
    """Refuse non-absolute ``@id``/``@type``; return the terms that only ``@vocab`` defined."""
    fallback: set[str] = set()
    # IRIs already met in this document (the same few recur throughout it).
    met: set[str] = set()

    def iri(value: Any, kind: str) -> None:
        if not isinstance(value, str) or value in met:
            return
        if value.startswith("_:"):
            return
        if not (_absolute_kept(value) if len(value) <= _KEPT_LENGTH else _is_absolute(value)):
            raise UnsafeJsonLdError(
                "relative-iri",
                f"{kind} {value!r} is not an absolute IRI (a term the contexts do not"
                " define, or a relative reference)",
                path=find_value(document, value) or "$",
            )
        met.add(value)
        for base in vocab:
            if value.startswith(base) and len(value) > len(base):
                fallback.add(value[len(base) :])

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "@id":
                iri(value, "@id")
            elif key == "@type":
                is_value = "@value" in node
                for t in value if isinstance(value, list) else [value]:
                    if not (is_value and t == "@json"):
                        iri(t, "@type")
            elif key in ("@value", "@language", "@direction", "@index"):
                continue
            elif key[:1] == "@" and _KEYWORD.match(key):
                walk(value)
            else:
                iri(key, "property")
                walk(value)

    walk(expanded)
    return tuple(sorted(fallback))


def jsonld_error(exc: JsonLdError, document: dict) -> CoopCredsError:
    """Map a PyLD error (wrapped, often several levels deep) to a stable code.

    What the document loader raised comes back as it was, except that a URL
    outside the bundle is, here, a context outside the bundle."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DocumentLoaderError) and cause.code == "url-not-bundled":
            return UnsafeJsonLdError("context-not-bundled", cause.message, path=cause.path)
        if isinstance(cause, CoopCredsError):
            return cause
        code = getattr(cause, "code", None)
        if code == "protected term redefinition":
            term = (getattr(cause, "details", None) or {}).get("term")
            return UnsafeJsonLdError(
                "protected-term-redefinition",
                f"the protected term {term!r} may not be redefined"
                if term
                else "a protected term may not be redefined",
                path=(find_key(document, "@context") if term is None else None) or "$.@context",
            )
        if code == "loading document failed":
            url = (getattr(cause, "details", None) or {}).get("url")
            if url:
                return UnsafeJsonLdError(
                    "context-not-bundled",
                    f"refused to load {url}: not in the offline bundle",
                    path=url,
                )
        nested = cause.__cause__ or getattr(cause, "cause", None)
        if nested is None:
            break
        cause = nested
    message = str(getattr(cause, "message", None) or cause).splitlines()[0]
    return UnsafeJsonLdError("invalid-jsonld", f"not valid JSON-LD: {message}", path="$")


def find_key(value: Any, key: str, path: str = "$") -> str | None:
    """The JSON path of the first occurrence of ``key`` in ``value``."""
    if isinstance(value, dict):
        if key in value:
            return child_path(path, key)
        items = ((child_path(path, k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for child, item in items:
        found = find_key(item, key, child)
        if found:
            return found
    return None


def find_value(value: Any, target: str, path: str = "$") -> str | None:
    """The JSON path of the first string equal to ``target`` (as a value or a key)."""
    if value == target:
        return path
    if isinstance(value, dict):
        if target in value:
            return child_path(path, target)
        items = ((child_path(path, k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for child, item in items:
        found = find_value(item, target, child)
        if found:
            return found
    return None
