"""The offline document loader: bundled, pinned JSON-LD contexts and did:key.

The workbench never fetches anything. JSON-LD contexts come from
``data/contexts/`` (shipped in the package as ``coopcreds_proto.data``), each
pinned by the SHA-256 of its bytes in ``manifest.json`` and checked when the
bundle is read; did:key URLs are resolved locally; every other URL is refused
with a ``DocumentLoaderError`` that names it.

The package's bundle is only ever read. Contexts a user publishes (a
definition version's, see ``definitions.release``) live in a folder of their
own with the same layout, and a loader serves them when it is given that
folder: ``OfflineDocumentLoader.default().with_bundle("published-contexts")``.

>>> loader = OfflineDocumentLoader.default()
>>> loader.load("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"]
True
>>> loader.load("https://example.com/ctx")
Traceback (most recent call last):
...
coopcreds_proto.errors.DocumentLoaderError: refused to load https://example.com/ctx: not in the offline bundle (no network access)
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from frozendict import frozendict
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError, JsonLdProcessor

from .atomic_files import write_atomically
from .did_key import resolve_did_key
from .errors import CoopCredsError, DocumentLoaderError
from .local_registry import LocalRegistry
from .urls import shown_url

MANIFEST = "manifest.json"
# Bounds on one loader's memos of processed contexts and expanded IRIs (entries;
# a full memo is emptied and refilled).
PROCESSED_CONTEXTS_MAX = 512
EXPANDED_IRIS_MAX = 8192


@dataclass(frozen=True)
class SupersededRevision:
    """An earlier published revision of a bundled context, known by its digests
    (hex) and where it was published: a credential that pins it relied on
    other bytes than the ones the bundle holds."""

    published: str
    sha256: str
    sha384: str = ""
    sha512: str = ""

    def digest(self, algorithm: str) -> bytes | None:
        """The revision's digest for ``algorithm`` (sha256, sha384, sha512), if recorded."""
        known = {"sha256": self.sha256, "sha384": self.sha384, "sha512": self.sha512}
        return bytes.fromhex(known[algorithm]) if known.get(algorithm) else None


@dataclass(frozen=True)
class BundledContext:
    """One pinned context document: its URL, file name, SHA-256 and bytes, and
    the earlier revisions of it that were published (``superseded``)."""

    url: str
    file: str
    sha256: str
    title: str
    content: bytes = field(repr=False)
    superseded: tuple[SupersededRevision, ...] = ()

    @property
    def document(self) -> dict:
        return json.loads(self.content)


def contexts_dir() -> Path:
    """The directory of the bundled contexts (``data/contexts`` in a checkout)."""
    return Path(str(resources.files("coopcreds_proto.data").joinpath("contexts")))


def read_bundle(directory: str | os.PathLike[str] | None = None) -> tuple[BundledContext, ...]:
    """Read and check a context bundle (default: the package's): every file must match
    its pinned SHA-256. A folder without ``manifest.json`` is refused (``not-a-context-bundle``)."""
    directory = Path(directory) if directory is not None else contexts_dir()
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DocumentLoaderError(
            "not-a-context-bundle",
            f"{directory} is not a context bundle: it has no {MANIFEST}",
            path=str(directory),
        ) from None
    bundle = []
    for entry in manifest["contexts"]:
        content = (directory / entry["file"]).read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        if digest != entry["sha256"]:
            raise DocumentLoaderError(
                "context-hash-mismatch",
                f"bundled context {entry['url']} ({entry['file']}) has sha256 {digest},"
                f" expected {entry['sha256']}",
                path=str(directory / entry["file"]),
            )
        superseded = tuple(
            SupersededRevision(r["published"], r["sha256"], r.get("sha384", ""),
                               r.get("sha512", ""))
            for r in entry.get("superseded", ())
        )
        bundle.append(BundledContext(entry["url"], entry["file"], entry["sha256"],
                                     entry["title"], content, superseded))
    return tuple(bundle)


@lru_cache(maxsize=1)
def _default_loader() -> OfflineDocumentLoader:
    return OfflineDocumentLoader(read_bundle())


class OfflineDocumentLoader:
    """A JSON-LD document loader that serves only pinned contexts and did:key.

    Call it the way PyLD calls a loader (``loader(url, options)``), or use
    :meth:`load` for the document alone. ``extra`` adds more pinned contexts
    (for example a test vector's), as ``{url: (bytes, sha256)}``.
    """

    def __init__(
        self,
        contexts: tuple[BundledContext, ...],
        extra: Mapping[str, tuple[bytes, str]] | None = None,
        registry: LocalRegistry | None = None,
    ) -> None:
        if not isinstance(contexts, (tuple, list)) or not all(
            isinstance(c, BundledContext) for c in contexts
        ):
            raise TypeError("contexts must be a tuple of BundledContext (see read_bundle)")
        if extra is not None and not isinstance(extra, Mapping):
            raise TypeError(
                f"extra must be a mapping of URL to (bytes, sha256), not {type(extra).__name__}"
            )
        if registry is not None and not isinstance(registry, LocalRegistry):
            raise TypeError(f"registry must be a LocalRegistry, not {type(registry).__name__}")
        self.registry = registry
        self._with_registry: dict[LocalRegistry, OfflineDocumentLoader] = {}
        self._documents: dict[str, dict] = {c.url: c.document for c in contexts}
        self._pinned: dict[str, str] = {c.url: c.sha256 for c in contexts}
        for url, (content, sha256) in (extra or {}).items():
            digest = hashlib.sha256(content).hexdigest()
            if digest != sha256:
                raise DocumentLoaderError(
                    "context-hash-mismatch",
                    f"context {url} has sha256 {digest}, expected {sha256}",
                    path=url,
                )
            self._documents[url] = json.loads(content)
            self._pinned[url] = sha256
        self._index()
        self.contexts = contexts
        # Parsed contexts are cached per loader, never in PyLD's global cache,
        # so two loaders can never see each other's documents.
        self._resolved_cache: dict = {}
        # Processed (active) contexts and IRIs expanded under them, per loader
        # and bounded: see _ContextMemo.
        self._processed = _ContextMemo(PROCESSED_CONTEXTS_MAX, self)
        self._iris: dict[tuple, Any] = {}

    def _index(self) -> None:
        self._urls = frozenset(self._documents)
        # The context objects inside this loader's documents (scoped contexts):
        # the only objects the processed-context memo keys by identity.
        owned: set[int] = set()
        stack: list[Any] = list(self._documents.values())
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                owned.add(id(item))
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
        self._owned = frozenset(owned)

    @classmethod
    def default(cls) -> OfflineDocumentLoader:
        """The loader over the bundle shipped with the package (one shared instance,
        so parsed contexts are cached across calls)."""
        return _default_loader()

    def with_contexts(self, extra: Mapping[str, tuple[bytes, str]]) -> OfflineDocumentLoader:
        """A new loader with this one's contexts plus ``extra`` ({url: (bytes, sha256)})."""
        merged = OfflineDocumentLoader(self.contexts, extra)
        for url, doc in self._documents.items():
            merged._documents.setdefault(url, doc)
            merged._pinned.setdefault(url, self._pinned[url])
        merged._index()
        return merged

    def with_bundle(self, directory: str | os.PathLike[str]) -> OfflineDocumentLoader:
        """A new loader with this one's contexts plus those of the bundle at ``directory``.

        The bundle is a folder laid out like the package's (``manifest.json``
        and the files it pins), such as the one ``publish_context`` writes;
        every file is checked against its pinned SHA-256 (``read_bundle``). A
        URL this loader serves already must be pinned to the same SHA-256
        (``DocumentLoaderError`` ``context-conflict``): a published context
        never changes.
        """
        added = []
        for context in read_bundle(directory):
            pinned = self._pinned.get(context.url)
            if pinned is None:
                added.append(context)
            elif pinned != context.sha256:
                raise DocumentLoaderError(
                    "context-conflict",
                    f"{context.url} in {directory} has sha256 {context.sha256[:12]}..., but"
                    f" it is pinned to {pinned[:12]}... already",
                    path=str(Path(directory) / context.file),
                )
        merged = OfflineDocumentLoader((*self.contexts, *added), registry=self.registry)
        for url, doc in self._documents.items():
            merged._documents.setdefault(url, doc)
            merged._pinned.setdefault(url, self._pinned[url])
        merged._index()
        return merged

    def with_registry(self, registry: LocalRegistry) -> OfflineDocumentLoader:
        """A loader that also resolves ``did:web`` DIDs from a local registry
        (made once per registry, so its context caches are reused)."""
        if registry == self.registry:
            return self
        loader = self._with_registry.get(registry)
        if loader is None:
            loader = OfflineDocumentLoader(self.contexts, registry=registry)
            loader._documents.update(self._documents)
            loader._pinned.update(self._pinned)
            loader._index()
            self._with_registry[registry] = loader
        return loader

    @property
    def urls(self) -> frozenset[str]:
        """Every context URL this loader serves."""
        return self._urls

    def pinned_sha256(self, url: str) -> str | None:
        """The SHA-256 (hex) a served context is pinned to; None for any other URL."""
        return self._pinned.get(url)

    def knows(self, url: str) -> bool:
        """True if ``url`` is a bundled context, a did:key URL, or (with a
        registry) a did:web URL."""
        return (
            url in self._documents
            or url.startswith("did:key:")
            or (self.registry is not None and url.startswith("did:web:"))
        )

    def load(self, url: str) -> dict:
        """The document behind ``url``; else ``DocumentLoaderError`` naming it, or the
        error of the DID it names (a malformed did:key, a did:web the registry lacks)."""
        if not isinstance(url, str):
            raise TypeError(f"a URL to load is a string, not {type(url).__name__}")
        if url in self._documents:
            return self._documents[url]
        shown = shown_url(url)  # a URL of any length is named, shortened, in errors
        if url.startswith("did:key:"):
            try:
                return resolve_did_key(url)
            except CoopCredsError as exc:
                raise exc.with_path(shown) from None
        if url.startswith("did:web:") and self.registry is not None:
            try:
                return self.registry.read(url.split("#", 1)[0])
            except CoopCredsError as exc:
                raise exc.with_path(shown) from None
        if url.startswith("did:web:"):
            raise DocumentLoaderError(
                "did-web-needs-registry",
                f"cannot resolve {shown_url(url.split('#', 1)[0])}: did:web DIDs are read from a"
                " local registry, and none was given (no network access)",
                path=shown,
            )
        raise DocumentLoaderError(
            "url-not-bundled",
            f"refused to load {shown}: not in the offline bundle (no network access)",
            path=shown,
        )

    def __call__(self, url: str, options: Any = None) -> dict:
        try:
            document = self.load(url)
        except CoopCredsError as exc:
            raise JsonLdError(
                str(exc), "jsonld.LoadDocumentError", {"url": url}, code="loading document failed"
            ) from exc
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            "tag": "static",
        }

    def jsonld_options(self, **more: Any) -> dict:
        """PyLD options that use this loader and its private context cache."""
        return {
            "documentLoader": self,
            "contextResolver": ContextResolver(self._resolved_cache, self),
            **more,
        }

    def jsonld_processor(self, on_property_dropped: Any = None) -> JsonLdProcessor:
        """A PyLD processor that reuses this loader's processed contexts across calls.

        Use it with :meth:`jsonld_options`; its results are PyLD's own.
        """
        if on_property_dropped is None:
            return _MemoProcessor(self._processed, self._iris)
        return _MemoProcessor(self._processed, self._iris, on_property_dropped)


class _ContextMemo:
    """Processed active contexts of one loader, keyed by what PyLD computes them from.

    PyLD caches a processed context under the id (``_uuid``) of the active
    context it was applied to, but every type-scoped context starts from a fresh
    clone with a fresh id, so that cache never hits and each expansion
    re-processes every scoped context (most of an expansion's cost). This memo
    keys on the frozen active context's id and the local context instead, so a
    repeated (active, local) pair returns PyLD's earlier, identical result.
    Local contexts are context URLs, lists of them, or context objects found
    in the loader's own documents (a document's inline contexts are copied
    afresh by every expansion, so they are never remembered).
    """

    def __init__(self, limit: int, loader: OfflineDocumentLoader) -> None:
        self.limit = limit
        self.loader = loader
        self.entries: dict[tuple, tuple[Any, Any, Any]] = {}

    def key(self, active_ctx: Any, local_ctx: Any, flags: tuple) -> tuple | None:
        # Only frozen active contexts: PyLD never changes them once made.
        if not isinstance(active_ctx, frozendict) or "_uuid" not in active_ctx:
            return None
        if isinstance(local_ctx, str):
            local: Any = local_ctx
        elif isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
            local = ("list", *local_ctx)
        elif isinstance(local_ctx, dict) and id(local_ctx) in self.loader._owned:
            # By identity, confirmed by content on every hit.
            local = ("object", id(local_ctx))
        else:
            return None
        return (active_ctx["_uuid"], local, *flags)

    def get(self, key: tuple, local_ctx: Any) -> Any:
        entry = self.entries.get(key)
        if entry is None:
            return None
        result, original, snapshot = entry
        if isinstance(local_ctx, dict) and (original is not local_ctx or snapshot != local_ctx):
            return None
        return result

    def put(self, key: tuple, local_ctx: Any, result: Any) -> None:
        if len(self.entries) >= self.limit:
            self.entries.clear()
        # Holding the local context keeps its id from being reused; the snapshot
        # catches a context object that was changed in place since.
        snapshot = copy.deepcopy(local_ctx) if isinstance(local_ctx, dict) else None
        self.entries[key] = (result, local_ctx, snapshot)


class _MemoProcessor(JsonLdProcessor):
    """PyLD's processor with memos in front of context processing and IRI expansion."""

    def __init__(self, memo: _ContextMemo, iris: dict, *args: Any) -> None:
        super().__init__(*args)
        self._memo = memo
        self._iris = iris

    def _expand_iri(
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Outside context processing (no local context), the expansion of a
        # term depends only on the frozen active context and these arguments.
        # Only vocabulary terms (keys, types) are remembered: they recur across
        # documents; document-specific values such as ids are not.
        uuid = active_ctx.get("_uuid") if vocab and isinstance(active_ctx, frozendict) else None
        if uuid is not None and local_ctx is None and defined is None and type(value) is str:
            key = (uuid, value, base, vocab)
            try:
                return self._iris[key]
            except KeyError:
                pass
            result = super()._expand_iri(active_ctx, value, base, vocab)
            if len(self._iris) >= EXPANDED_IRIS_MAX:
                self._iris.clear()
            self._iris[key] = result
            return result
        return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        key = None
        if not cycles:
            flags = (
                override_protected,
                propagate,
                validate_scoped,
                options.get("base"),
                options.get("processingMode"),
            )
            key = self._memo.key(active_ctx, local_ctx, flags)
        if key is not None:
            hit = self._memo.get(key, local_ctx)
            if hit is not None:
                return hit
        result = super()._process_context(
            active_ctx, _without_void_vocab(active_ctx, local_ctx, options), options,
            override_protected, propagate, validate_scoped, cycles,
        )
        # Errors propagate above and are never remembered; only frozen results are.
        if key is not None and isinstance(result, frozendict):
            self._memo.put(key, local_ctx, result)
        return result


def _without_void_vocab(active_ctx: Any, local_ctx: Any, options: dict) -> Any:
    """``local_ctx`` without ``"@vocab": null`` where no ``@vocab`` is set to reset.

    Resetting an unset ``@vocab`` changes nothing (JSON-LD 1.1), but PyLD 3.3
    fails on it with a ``KeyError``; dropping the no-op keeps such a context
    readable. Every other context is returned as it is.
    """
    items = local_ctx if isinstance(local_ctx, list) else [local_ctx]
    if not any(isinstance(i, dict) and "@vocab" in i and i["@vocab"] is None for i in items):
        return local_ctx
    vocab_set = isinstance(active_ctx, Mapping) and "@vocab" in active_ctx
    loader = options.get("documentLoader")
    fixed = []
    for item in items:
        if isinstance(item, str) and isinstance(loader, OfflineDocumentLoader) and loader.knows(item):
            inner = loader.load(item).get("@context")
            if isinstance(inner, dict) and "@vocab" in inner:
                vocab_set = inner["@vocab"] is not None
        elif item is None:
            vocab_set = False  # a null context resets everything
        elif isinstance(item, dict) and "@vocab" in item:
            if item["@vocab"] is None and not vocab_set:
                item = {k: v for k, v in item.items() if k != "@vocab"}
            else:
                vocab_set = item["@vocab"] is not None
        fixed.append(item)
    return fixed if isinstance(local_ctx, list) else fixed[0]


def export_contexts(
    directory: str | os.PathLike, loader: OfflineDocumentLoader | None = None
) -> Path:
    """Write the context bundle and ``index.json`` ({url: file name}) to ``directory``.

    Other tools (for example a JavaScript verifier) can load exactly the same
    documents from it. Existing files with other content are not overwritten.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    contexts = (loader or OfflineDocumentLoader.default()).contexts
    index = {c.url: c.file for c in contexts}
    files = {c.file: c.content for c in contexts}
    files["index.json"] = (json.dumps(index, indent=2, sort_keys=True) + "\n").encode()
    for name, content in files.items():
        path = target / name
        if path.exists() and path.read_bytes() != content:
            raise DocumentLoaderError(
                "export-would-overwrite",
                f"{path} exists with different content; choose an empty directory",
                path=str(path),
            )
    for name, content in files.items():
        write_atomically(target / name, content, overwrite=True)
    return target / "index.json"
