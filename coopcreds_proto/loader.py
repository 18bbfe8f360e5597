"""The offline document loader: bundled, pinned JSON-LD contexts and did:key.

The workbench never fetches anything. JSON-LD contexts come from
``data/contexts/`` (shipped in the package as ``coopcreds_proto.data``), each
pinned by the SHA-256 of its bytes in ``manifest.json`` and checked when the
bundle is read; did:key URLs are resolved locally; every other URL is refused
with a ``DocumentLoaderError`` that names it.

>>> loader = OfflineDocumentLoader.default()
>>> loader.load("https://www.w3.org/ns/credentials/v2")["@context"]["@protected"]
True
>>> loader.load("https://example.com/ctx")
Traceback (most recent call last):
...
coopcreds_proto.errors.DocumentLoaderError: refused to load https://example.com/ctx: not in the offline bundle (no network access)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError

from .did_key import resolve_did_key
from .errors import CoopCredsError, DocumentLoaderError

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BundledContext:
    """One pinned context document: its URL, file name, SHA-256 and bytes."""

    url: str
    file: str
    sha256: str
    title: str
    content: bytes = field(repr=False)

    @property
    def document(self) -> dict:
        return json.loads(self.content)


def contexts_dir() -> Path:
    """The directory of the bundled contexts (``data/contexts`` in a checkout)."""
    return Path(str(resources.files("coopcreds_proto.data").joinpath("contexts")))


def read_bundle(directory: Path | None = None) -> tuple[BundledContext, ...]:
    """Read and check a context bundle: every file must match its pinned SHA-256."""
    directory = directory or contexts_dir()
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
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
        bundle.append(
            BundledContext(entry["url"], entry["file"], entry["sha256"], entry["title"], content)
        )
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
    ) -> None:
        self._documents: dict[str, dict] = {c.url: c.document for c in contexts}
        for url, (content, sha256) in (extra or {}).items():
            digest = hashlib.sha256(content).hexdigest()
            if digest != sha256:
                raise DocumentLoaderError(
                    "context-hash-mismatch",
                    f"context {url} has sha256 {digest}, expected {sha256}",
                    path=url,
                )
            self._documents[url] = json.loads(content)
        self.contexts = contexts
        # Parsed contexts are cached per loader, never in PyLD's global cache,
        # so two loaders can never see each other's documents.
        self._resolved_cache: dict = {}

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
        return merged

    @property
    def urls(self) -> frozenset[str]:
        """Every context URL this loader serves."""
        return frozenset(self._documents)

    def knows(self, url: str) -> bool:
        """True if ``url`` is a bundled context or a did:key URL."""
        return url in self._documents or url.startswith("did:key:")

    def load(self, url: str) -> dict:
        """The document behind ``url``, or ``DocumentLoaderError`` naming it."""
        if url in self._documents:
            return self._documents[url]
        if url.startswith("did:key:"):
            try:
                return resolve_did_key(url)
            except CoopCredsError as exc:
                raise DocumentLoaderError(exc.code, exc.message, path=url) from None
        raise DocumentLoaderError(
            "context-not-bundled",
            f"refused to load {url}: not in the offline bundle (no network access)",
            path=url,
        )

    def __call__(self, url: str, options: Any = None) -> dict:
        try:
            document = self.load(url)
        except DocumentLoaderError as exc:
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


def export_contexts(directory: str | os.PathLike, loader: OfflineDocumentLoader | None = None) -> Path:
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
        _write_atomically(target / name, content)
    return target / "index.json"


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(content)
    os.replace(tmp, path)
