"""The local registry: an offline stand-in for the web, in one directory.

Status list credentials and ``did:web`` DID documents are "published" by
writing them here, and read back from here by verifiers: nothing goes over a
network. A URL maps to one file: ``https://host/a/b`` is
``ROOT/web/host/a/b.json``. A ``did:web`` DID resolves, as its method says, to
``https://host[/path]/did.json`` (``/.well-known/did.json`` without a path),
so it lives in the same tree.

Writes are atomic and never silently overwrite: replacing a document (a status
list being updated, a DID document with a new key) must be asked for.

>>> import tempfile
>>> registry = LocalRegistry(tempfile.mkdtemp())
>>> registry.path_for("https://coop.example/status/1").relative_to(registry.root).as_posix()
'web/coop.example/status/1.json'
>>> did_web_url("did:web:coop.example")
'https://coop.example/.well-known/did.json'
>>> did_web_url("did:web:coop.example:members")
'https://coop.example/members/did.json'
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from .atomic_files import write_atomically
from .errors import DocumentLoaderError, InputError
from .safe_json import loads_strict
from .urls import Url, check_url, shown_url, url_problem

_HOST = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(%3a[0-9]+)?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


def did_web_url(did: str) -> str:
    """The https URL of a ``did:web`` DID's document (the method's rule).

    A DID whose host or port would make a URL that :mod:`coopcreds_proto.urls`
    refuses (port 0 or above 65535, say) is refused as ``bad-did-web``, with why.
    """
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise InputError("not-did-web", f"not a did:web DID: {shown_url(did)}")
    did = did.split("#", 1)[0].split("?", 1)[0]
    parts = did[len("did:web:") :].split(":")
    host = parts[0].lower()
    if not _HOST.match(host) or not all(
        _SEGMENT.match(p) and p not in (".", "..") for p in parts[1:]
    ):
        raise InputError("bad-did-web", f"{shown_url(did)} is not a valid did:web DID", path=shown_url(did))
    host = unquote(host)  # a port is written %3A
    path = "/".join(parts[1:])
    url = f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"
    problem = url_problem(url)
    if problem is not None:
        raise InputError(
            "bad-did-web",
            f"{shown_url(did)} is not a valid did:web DID: its URL {url} is refused: {problem}",
            path=shown_url(did),
        )
    return url



_KEPT_URL_LENGTH = 512  # the answer for a longer URL is worked out each time


@functools.lru_cache(maxsize=1024)
def _path_in(root: Path, url: str) -> Path:
    """The file under ``root`` for ``url`` (``LocalRegistry.path_for``; the same few
    URLs recur with every credential checked, so the answer is kept)."""
    if isinstance(url, str) and url.startswith("did:web:"):
        url = did_web_url(url)
    problem = url_problem(url)
    parts = None if problem else check_url(url)
    if parts is not None:
        problem = _registry_problem(parts)
    if parts is None or problem is not None:
        raise InputError(
            "bad-registry-url",
            f"{shown_url(url)} cannot be published in the local registry: {problem}",
            path=shown_url(url),
        )
    assert parts.host is not None  # an https URL that check_url accepted has one
    host = parts.host + (f"_{parts.port}" if parts.port else "")
    name = "/".join(s for s in parts.path.split("/") if s) or "index"
    return root / "web" / host / f"{name}.json"


def _registry_problem(url: Url) -> str | None:
    """Why a usable URL cannot name a file of the registry, or ``None``."""
    if url.scheme != "https":
        return "only https URLs are published"
    if "?" in url.text or "#" in url.text:
        return "a URL with a query or fragment is not published"
    for segment in (s for s in url.path.split("/") if s):
        if segment in (".", "..") or not _SEGMENT.match(segment):
            return f"its path segment {shown_url(segment)} is not a plain name"
    return None


@dataclass(frozen=True)
class LocalRegistry:
    """Documents published by URL in a directory (see the module docstring)."""

    root: Path

    def __init__(self, root: str | os.PathLike[str]) -> None:
        object.__setattr__(self, "root", Path(root))

    def path_for(self, url: str) -> Path:
        """The file that holds the document published at ``url``."""
        if isinstance(url, str) and len(url) <= _KEPT_URL_LENGTH:
            return _path_in(self.root, url)
        return _path_in.__wrapped__(self.root, url)

    def has(self, url: str) -> bool:
        """True if a document is published at ``url``."""
        return self.path_for(url).is_file()

    def read_bytes(self, url: str) -> bytes | None:
        """The bytes of the document published at ``url`` (None if there is none)."""
        try:
            return self.path_for(url).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def read(self, url: str) -> dict:
        """The document published at ``url``, or ``DocumentLoaderError`` naming it."""
        path = self.path_for(url)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise DocumentLoaderError(
                "not-in-registry", f"nothing is published at {url} in the local registry", path=url
            ) from None
        document = loads_strict(content)
        if not isinstance(document, dict):
            raise DocumentLoaderError(
                "bad-registry-document", f"the document at {url} is not a JSON object", path=url
            )
        return document

    def publish(self, url: str, document: dict, *, replace: bool = False) -> Path:
        """Write ``document`` at ``url`` atomically; an existing one only if ``replace``."""
        path = self.path_for(url)
        content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        try:
            return write_atomically(path, content, overwrite=replace)
        except FileExistsError:
            raise InputError(
                "already-published",
                f"a document is already published at {url}; replace it explicitly",
                path=url,
            ) from None
