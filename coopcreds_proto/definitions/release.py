"""Publishing definition versions and releasing adopted ones as signed credentials.

Publishing puts a version's context into the offline bundle (``data/contexts``
plus a sha256-pinned entry in ``manifest.json``), so credentials of that
version verify for ever after, whatever later versions say. A published
context never changes: publishing the same URL with other bytes is refused.

Adoption is a democratic decision: ``adopt`` checks the recorded vote meets
its rule, records it in the definition (``decisions`` and ``changelog``),
sets the status to ``adopted``, and signs a release credential
(``CredentialDefinitionRelease``) with the convening body's key. The release
carries the SHA-256 of the adopted definition's canonical JSON and the URL and
SHA-256 of its context (also as a VC 2.0 ``relatedResource`` with
``digestSRI``). Anyone verifies it with ``verify_release`` or, for the
signature alone, ``coopcreds verify``.

Public API
----------
- ``PublishedContext(url, file, sha256, created)``;
  ``publish_context(definition, contexts_dir=None) -> PublishedContext``;
  ``publish_context_bytes(url, content, file, title, contexts_dir=None)``;
  ``published_urls(contexts_dir=None) -> dict[url, sha256]``;
  ``ensure_release_context(contexts_dir=None)``.
- ``RELEASE_CONTEXT_URL``, ``release_context_bytes()``.
- ``Release(definition, credential, context)``;
  ``adopt(definition, decision, key, *, created=None, loader=None) -> Release``;
  ``release_credential(definition, issuer_did, issuer_name="") -> dict`` (unsigned);
  ``verify_release(credential, definition=None, *, now=None, loader=None) ->
  ReleaseCheck(verified, problems, result)``;
  ``save_release(release, directory) -> dict[str, Path]`` (refuses to replace
  any differing file; writes nothing unless it can write everything).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import loader as _loader
from ..atomic_files import write_atomically
from ..errors import InputError
from ..keys import SigningKey
from ..loader import MANIFEST, OfflineDocumentLoader
from ..loader import contexts_dir as bundle_dir
from ..vc.credentials import VC_V2_CONTEXT, issue
from ..vc.related_resources import sri, sri_matches
from ..vc.verification import VerificationResult, verify_credential
from .artefacts import context_bytes, definition_loader
from .definition import (
    RULES,
    AdoptionDecision,
    ChangelogEntry,
    CredentialDefinition,
    check_definition,
    definition_digest,
    definition_to_yaml,
)

RELEASE_CONTEXT_URL = "https://w3id.org/coopcreds/release/v1"
RELEASE_CONTEXT_FILE = "coopcreds-release-v1.json"
_V = "https://w3id.org/coopcreds/vocab#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
RELEASE_CONTEXT = {
    "@context": {
        "@version": 1.1,
        "@protected": True,
        "id": "@id",
        "type": "@type",
        "CredentialDefinitionRelease": _V + "CredentialDefinitionRelease",
        "CredentialDefinitionVersion": _V + "CredentialDefinitionVersion",
        "AdoptionDecision": _V + "AdoptionDecision",
        "credentialType": {"@id": _V + "credentialType"},
        "definitionVersion": {"@id": _V + "definitionVersion"},
        "definitionDigest": {"@id": _V + "definitionDigest"},
        "definitionContext": {"@id": _V + "definitionContext", "@type": "@id"},
        "contextDigest": {"@id": _V + "contextDigest"},
        "adoptionDecision": {"@id": _V + "adoptionDecision", "@type": "@id"},
        "decisionDate": {"@id": _V + "decisionDate", "@type": _XSD + "date"},
        "decisionRule": {"@id": _V + "decisionRule"},
        "votesFor": {"@id": _V + "votesFor", "@type": _XSD + "integer"},
        "votesAgainst": {"@id": _V + "votesAgainst", "@type": _XSD + "integer"},
        "abstentions": {"@id": _V + "abstentions", "@type": _XSD + "integer"},
        "voters": {"@id": _V + "voters"},
        "convenedBy": {"@id": _V + "convenedBy"},
    }
}


def release_context_bytes() -> bytes:
    """The bytes of the release context (published once, pinned like any other)."""
    return (json.dumps(RELEASE_CONTEXT, indent=2) + "\n").encode("utf-8")


# --- publishing ------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedContext:
    """A context in the bundle; ``created`` is False when it was there already."""

    url: str
    file: str
    sha256: str
    created: bool


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    # One publisher at a time per bundle, so no manifest entry is lost.
    # The directory itself is locked: no lock file is left in the bundle.
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read_manifest(directory: Path) -> dict:
    return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))


def published_urls(directory: str | os.PathLike | None = None) -> dict[str, str]:
    """Every context URL in the bundle at ``directory``, with its pinned sha256."""
    d = Path(directory) if directory else bundle_dir()
    return {e["url"]: e["sha256"] for e in _read_manifest(d)["contexts"]}


def publish_context_bytes(
    url: str,
    content: bytes,
    file: str,
    title: str,
    contexts_dir: str | os.PathLike | None = None,
) -> PublishedContext:
    """Add ``content`` as context ``url`` to the bundle, pinned by its sha256.

    Publishing identical bytes again is a no-op. Refused (``InputError``):
    the URL is published with other bytes (``published-context-immutable``),
    or ``file`` exists with other bytes (``context-file-exists``).
    """
    directory = Path(contexts_dir) if contexts_dir else bundle_dir()
    sha = hashlib.sha256(content).hexdigest()
    json.loads(content)  # only JSON goes into the bundle
    with _locked(directory):
        manifest = _read_manifest(directory)
        for entry in manifest["contexts"]:
            if entry["url"] == url:
                if entry["sha256"] != sha:
                    raise InputError(
                        "published-context-immutable",
                        f"{url} is published already with sha256 {entry['sha256'][:12]}...;"
                        " a published context never changes: publish a new version",
                        path=url,
                    )
                return PublishedContext(url, entry["file"], sha, created=False)
        target = directory / file
        if target.exists() and target.read_bytes() != content:
            raise InputError("context-file-exists", f"{target} exists with other content",
                             path=str(target))
        manifest["contexts"].append({"url": url, "file": file, "sha256": sha, "title": title})
        write_atomically(target, content, overwrite=True)
        write_atomically(directory / MANIFEST,
                         json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                         overwrite=True)
    if directory.resolve() == bundle_dir().resolve():
        # The shared default loader read the old manifest: make it read again.
        _loader._default_loader.cache_clear()
    return PublishedContext(url, file, sha, created=True)


def publish_context(
    definition: CredentialDefinition, contexts_dir: str | os.PathLike | None = None
) -> PublishedContext:
    """Publish this version's context into the bundle (default: the package's)."""
    check_definition(definition)
    return publish_context_bytes(
        definition.context_url,
        context_bytes(definition),
        f"coopcreds-{definition.slug}-v{definition.version}.json",
        f"coopcreds {definition.name}, version {definition.version}",
        contexts_dir,
    )


def ensure_release_context(contexts_dir: str | os.PathLike | None = None) -> PublishedContext:
    """Make sure the release context is in the bundle."""
    return publish_context_bytes(RELEASE_CONTEXT_URL, release_context_bytes(),
                                 RELEASE_CONTEXT_FILE, "coopcreds definition releases",
                                 contexts_dir)


def _release_loader(loader: OfflineDocumentLoader | None) -> OfflineDocumentLoader:
    loader = loader or OfflineDocumentLoader.default()
    if RELEASE_CONTEXT_URL in loader.urls:
        return loader
    content = release_context_bytes()
    return loader.with_contexts({RELEASE_CONTEXT_URL: (content,
                                                       hashlib.sha256(content).hexdigest())})


# --- adoption and release ----------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """An adopted definition, its signed release credential, and its context bytes."""

    definition: CredentialDefinition
    credential: dict
    context: bytes


def release_credential(
    definition: CredentialDefinition, issuer_did: str, issuer_name: str = ""
) -> dict:
    """The unsigned release credential of an adopted ``definition``."""
    d = definition
    decision = next((x for x in reversed(d.decisions) if x.passed), None)
    if d.status != "adopted" or decision is None:
        raise InputError("not-adopted", f"version {d.version} has no passed adoption decision",
                         path="status")
    content = context_bytes(d)
    vote: dict[str, Any] = {
        "type": "AdoptionDecision",
        "decisionDate": decision.date,
        "decisionRule": decision.rule,
        "votesFor": decision.votes_for,
        "votesAgainst": decision.votes_against,
        "abstentions": decision.abstentions,
    }
    if decision.voters:
        vote["voters"] = list(decision.voters)
    if decision.body:
        vote["convenedBy"] = decision.body
    issuer: Any = {"id": issuer_did, "name": issuer_name} if issuer_name else issuer_did
    return {
        "@context": [VC_V2_CONTEXT, RELEASE_CONTEXT_URL],
        "type": ["VerifiableCredential", "CredentialDefinitionRelease"],
        "name": f"{d.name} {d.version}, adopted",
        "description": f"Release of version {d.version} of the {d.credential_type}"
        f" definition, adopted on {decision.date}",
        "issuer": issuer,
        "validFrom": f"{decision.date}T00:00:00Z",
        "credentialSubject": {
            "type": "CredentialDefinitionVersion",
            "name": d.name,
            "credentialType": d.credential_type,
            "definitionVersion": d.version,
            "definitionDigest": definition_digest(d),
            "definitionContext": d.context_url,
            "contextDigest": hashlib.sha256(content).hexdigest(),
            "adoptionDecision": vote,
        },
        "relatedResource": [{"id": d.context_url, "digestSRI": sri(content, "sha256")}],
    }


def adopt(
    definition: CredentialDefinition,
    decision: AdoptionDecision,
    key: SigningKey,
    *,
    created: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> Release:
    """Record ``decision``, mark the version adopted and sign its release with ``key``.

    Refused (``InputError``): an unknown rule (``bad-rule``), a vote that
    does not meet its rule (``decision-not-passed``), a version adopted
    already (``already-adopted``).
    """
    if definition.status == "adopted":
        raise InputError("already-adopted", f"version {definition.version} is adopted already",
                         path="status")
    if decision.rule not in RULES:
        raise InputError("bad-rule", f"unknown rule {decision.rule!r} (use"
                         f" {' or '.join(RULES)})", path="rule")
    counts = (decision.votes_for, decision.votes_against, decision.abstentions)
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in counts):
        raise InputError("bad-count", "votes must be whole numbers >= 0", path="votes")
    if not decision.passed:
        raise InputError(
            "decision-not-passed",
            f"{decision.votes_for} for, {decision.votes_against} against: the rule needs"
            f" {decision.rule_text}; version {definition.version} is not adopted",
            path="votes",
        )
    body = decision.body or "the convening body"
    entry = ChangelogEntry(
        definition.version, decision.date,
        f"Adopted by {body}: {decision.votes_for} for, {decision.votes_against} against,"
        f" {decision.abstentions} abstaining ({decision.rule_text}).")
    adopted = replace(definition, status="adopted",
                      decisions=(*definition.decisions, decision),
                      changelog=(*definition.changelog, entry))
    check_definition(adopted)
    definition_loader(adopted, loader)  # refuses a version whose published context differs
    unsigned = release_credential(adopted, key.did, decision.body)
    signed = issue(unsigned, key, created=created, loader=_release_loader(loader))
    return Release(adopted, signed, context_bytes(adopted))


@dataclass(frozen=True)
class ReleaseCheck:
    """The outcome of checking a release: signature and digests."""

    verified: bool
    problems: tuple[str, ...]
    result: VerificationResult

    def __str__(self) -> str:
        head = "RELEASE VERIFIED" if self.verified else "RELEASE NOT VERIFIED"
        return "\n".join([head, *(f"  - {p}" for p in self.problems), str(self.result)])


def verify_release(
    credential: dict | str,
    definition: CredentialDefinition | None = None,
    *,
    now: str | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> ReleaseCheck:
    """Verify a release credential and, given the ``definition``, that it is the one released.

    Checks the signature (``verify_credential``), that it is a
    ``CredentialDefinitionRelease``, and for ``definition``: its digest, its
    version and type, and its context's sha256 (and that any published
    context with that URL has the same bytes).
    """
    result = verify_credential(credential, now=now, loader=_release_loader(loader))
    problems: list[str] = [f"{c.name}: {c.message}" for c in result.failed]
    doc = json.loads(credential) if isinstance(credential, str) else credential
    subject = doc.get("credentialSubject") if isinstance(doc, dict) else None
    types = doc.get("type", []) if isinstance(doc, dict) else []
    if "CredentialDefinitionRelease" not in (types if isinstance(types, list) else [types]):
        problems.append("not a CredentialDefinitionRelease")
    if not isinstance(subject, dict):
        problems.append("no credentialSubject object")
        subject = {}
    if definition is not None:
        expected = {
            "definitionDigest": definition_digest(definition),
            "definitionVersion": definition.version,
            "credentialType": definition.credential_type,
            "definitionContext": definition.context_url,
            "contextDigest": hashlib.sha256(context_bytes(definition)).hexdigest(),
        }
        for name, value in expected.items():
            if subject.get(name) != value:
                problems.append(f"{name} does not match the definition"
                                f" (release: {subject.get(name)!r}, definition: {value!r})")
        for i, related in enumerate(doc.get("relatedResource") or [] if isinstance(doc, dict) else []):
            if isinstance(related, dict) and related.get("id") == definition.context_url:
                try:
                    same = sri_matches(context_bytes(definition), related.get("digestSRI"),
                                       path=f"relatedResource[{i}].digestSRI")
                except InputError as exc:
                    problems.append(str(exc))
                    continue
                if not same:
                    problems.append(f"relatedResource[{i}].digestSRI does not match the context")
        pinned = published_urls().get(definition.context_url)
        if pinned is not None and pinned != expected["contextDigest"]:
            problems.append("the published context of this version has other bytes")
    return ReleaseCheck(result.verified and not problems, tuple(problems), result)


def save_release(release: Release, directory: str | os.PathLike) -> dict[str, Path]:
    """Write the adopted definition, the release credential and the context to ``directory``.

    Files: ``v{version}.yaml``, ``release.json``, ``context.jsonld``. If any
    exists with other content nothing is written (code ``release-file-exists``).
    """
    target = Path(directory)
    d = release.definition
    files = {
        "definition": (target / d.file_name, definition_to_yaml(d).encode("utf-8")),
        "release": (target / "release.json",
                    (json.dumps(release.credential, indent=2) + "\n").encode("utf-8")),
        "context": (target / "context.jsonld", release.context),
    }
    for path, content in files.values():
        if path.exists() and path.read_bytes() != content:
            raise InputError("release-file-exists", f"{path} exists with other content;"
                             " choose an empty directory", path=str(path))
    for path, content in files.values():
        write_atomically(path, content, overwrite=True)
    return {name: path for name, (path, _) in files.items()}
