"""Publishing definition versions and releasing adopted ones as signed credentials.

Publishing puts a version's context into a context bundle of the user's
choosing (a folder such as ``published-contexts/``: the context file plus a
sha256-pinned entry in its ``manifest.json``), so credentials of that version
verify for ever after, whatever later versions say, with a loader given that
folder (``OfflineDocumentLoader.default().with_bundle(folder)``). A published
context never changes: publishing the same URL with other bytes is refused,
and a version whose context the package already bundles is published there
already. The package's own bundle (``data/contexts``) is never written.

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
- ``PublishedContext(url, file, sha256, created, directory)``;
  ``publish_context(definition, directory) -> PublishedContext``;
  ``publish_context_bytes(url, content, file, title, directory)``;
  ``published_urls(directory=None) -> dict[url, sha256]`` (default: the
  package's bundle); ``ensure_release_context(directory)``.
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
    """A context in a bundle; ``created`` is False when it was there already.

    ``directory`` is the bundle that holds it: the one published to, or the
    package's own when the package bundles that version already.
    """

    url: str
    file: str
    sha256: str
    created: bool
    directory: Path


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
    try:
        return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"contexts": []}  # a new bundle


def _refuse_package_folder(directory: Path) -> None:
    """Publishing never writes into the installed package (its code or its data)."""
    where = directory.resolve()
    for package in (Path(__file__).resolve().parent.parent, bundle_dir().resolve().parent):
        if where == package or package in where.parents:
            raise InputError(
                "package-folder-read-only",
                f"{directory} is inside the installed package, which is never written:"
                " publish into a folder of your own (for example published-contexts/)",
                path=str(directory),
            )


def published_urls(directory: str | os.PathLike | None = None) -> dict[str, str]:
    """Every context URL in the bundle at ``directory`` (default: the package's), with
    its pinned sha256; an empty dict for a folder nothing was published to yet."""
    d = Path(directory) if directory is not None else bundle_dir()
    return {e["url"]: e["sha256"] for e in _read_manifest(d)["contexts"]}


def publish_context_bytes(
    url: str,
    content: bytes,
    file: str,
    title: str,
    directory: str | os.PathLike,
) -> PublishedContext:
    """Add ``content`` as context ``url`` to the bundle at ``directory``, pinned by its sha256.

    The folder and its ``manifest.json`` are created if needed. Publishing
    identical bytes again, or a context the package bundles with these bytes,
    is a no-op. Refused (``InputError``): the URL is published (here or in the
    package) with other bytes (``published-context-immutable``), ``file``
    exists with other bytes (``context-file-exists``), ``directory`` is inside
    the installed package (``package-folder-read-only``).
    """
    target_dir = Path(directory)
    _refuse_package_folder(target_dir)
    sha = hashlib.sha256(content).hexdigest()
    json.loads(content)  # only JSON goes into a bundle
    bundled = next((c for c in OfflineDocumentLoader.default().contexts if c.url == url), None)
    if bundled is not None:
        _same_bytes(url, bundled.sha256, sha)
        return PublishedContext(url, bundled.file, sha, created=False, directory=bundle_dir())
    target_dir.mkdir(parents=True, exist_ok=True)
    with _locked(target_dir):
        manifest = _read_manifest(target_dir)
        for entry in manifest["contexts"]:
            if entry["url"] == url:
                _same_bytes(url, entry["sha256"], sha)
                return PublishedContext(url, entry["file"], sha, created=False,
                                        directory=target_dir)
        target = target_dir / file
        if target.exists() and target.read_bytes() != content:
            raise InputError("context-file-exists", f"{target} exists with other content",
                             path=str(target))
        manifest["contexts"].append({"url": url, "file": file, "sha256": sha, "title": title})
        write_atomically(target, content, overwrite=True)
        write_atomically(target_dir / MANIFEST,
                         json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                         overwrite=True)
    return PublishedContext(url, file, sha, created=True, directory=target_dir)


def _same_bytes(url: str, pinned: str, sha: str) -> None:
    if pinned != sha:
        raise InputError(
            "published-context-immutable",
            f"{url} is published already with sha256 {pinned[:12]}...;"
            " a published context never changes: publish a new version",
            path=url,
        )


def publish_context(
    definition: CredentialDefinition, directory: str | os.PathLike
) -> PublishedContext:
    """Publish this version's context into the bundle at ``directory`` (a folder of your own)."""
    check_definition(definition)
    return publish_context_bytes(
        definition.context_url,
        context_bytes(definition),
        f"coopcreds-{definition.slug}-v{definition.version}.json",
        f"coopcreds {definition.name}, version {definition.version}",
        directory,
    )


def ensure_release_context(directory: str | os.PathLike) -> PublishedContext:
    """Make sure the release context is published (the package bundles it: then a no-op)."""
    return publish_context_bytes(RELEASE_CONTEXT_URL, release_context_bytes(),
                                 RELEASE_CONTEXT_FILE, "coopcreds definition releases",
                                 directory)


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
    version and type, and its context's sha256 (and that any context
    ``loader`` serves with that URL, bundled or published, has the same bytes).
    """
    release_loader = _release_loader(loader)
    result = verify_credential(credential, now=now, loader=release_loader)
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
        pinned = release_loader.pinned_sha256(definition.context_url)
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
            raise _release_file_exists(path)
    for path, content in files.values():
        if path.exists():
            continue  # the same bytes, checked above
        try:
            write_atomically(path, content)
        except FileExistsError:  # created meanwhile by someone else
            raise _release_file_exists(path) from None
    return {name: path for name, (path, _) in files.items()}


def _release_file_exists(path: Path) -> InputError:
    return InputError("release-file-exists", f"{path} exists with other content;"
                      " choose an empty directory", path=str(path))
