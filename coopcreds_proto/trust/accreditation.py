"""Accreditations and recognitions as signed credentials, and loading them into a registry.

A governance authority publishes each accreditation as an
``AccreditationCredential`` it signs (eddsa-rdfc-2022), optionally revocable
through its own Bitstring Status List; an anchor of a framework publishes a
``RecognitionCredential`` saying its framework recognises another.
``load_trust`` verifies every credential before the trust registry sees it,
and keeps what it refused, with reasons.

Every property is read from the credential that is verified, and only in the
compact form its two contexts define (``@context`` exactly VC 2.0 and
``TRUST_CONTEXT``, each property under its term, plain values): a signature
covers the RDF graph, which other JSON spellings share, so a key written as
its full IRI, a property moved into an ``@included`` or ``@nest`` object or
into another object with the credential's id, ``@id``/``@type`` for
``id``/``type`` or a value object for a string is refused, named
(``trust-credential-not-compact``). Renaming keys cannot make an expired
recognition open-ended or hide a revoked accreditation's status.

A trust directory holds them on disk::

    anchors.json          {"format": "coopcreds-trust/1",
                           "frameworks": {URL: {"name": ..., "anchors": [DID, ...]}},
                           "names": {DID: name}}
    accreditations/*.json signed AccreditationCredentials
    recognitions/*.json   signed RecognitionCredentials
    witnessed/*.json      the registry's issuance log: {"issuer", "credentialId", "seenAt"}
    revocations/*.json    when each revocation was first seen (``revocation_log``):
                          {"accreditation", "firstSeen", "statusList"}

Every file is written atomically and never overwritten. A revocation is dated
by its first sighting, recorded once in ``revocations/``: the status list's
``validFrom`` moves forward each time the list is published again, the
recorded time never does.

>>> from datetime import datetime, timezone
>>> from coopcreds_proto.trust.registry import ISSUE
>>> acc = Accreditation(id="urn:acc:1", accreditor="did:example:body", subject="did:example:coop",
...     framework="https://example.org/gf", permissions=frozenset({ISSUE}),
...     credential_types=frozenset({"Membership"}),
...     valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc),
...     valid_until=datetime(2027, 1, 1, tzinfo=timezone.utc))
>>> doc = accreditation_credential(acc)
>>> doc["type"], doc["credentialSubject"]["permission"]
(['VerifiableCredential', 'AccreditationCredential'], ['issue'])
>>> accreditation_from_credential(doc) == acc
True
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError
from ..safe_json import DEFAULT_LIMITS, loads_strict
from ..timestamps import format_timestamp, parse_timestamp
from ..vc.credentials import VC_V2_CONTEXT, issue, issuer_id
from ..vc.verification import read_status, verify_credential
from .registry import Accreditation, Recognition, TrustAnswer, TrustRegistry, Witnessed
from .revocation_log import REVOCATIONS_DIR, RevocationLog

if TYPE_CHECKING:  # pragma: no cover
    from ..keys import SigningKey
    from ..loader import OfflineDocumentLoader
    from ..local_registry import LocalRegistry

TRUST_CONTEXT = "https://w3id.org/coopcreds/trust/v1"
TRUST_DIR_FORMAT = "coopcreds-trust/1"
ANCHORS_FILE = "anchors.json"
ACCREDITATIONS_DIR = "accreditations"
RECOGNITIONS_DIR = "recognitions"
WITNESSED_DIR = "witnessed"
# The most bytes read from each file of a trust directory (through bounded_read):
# a signed trust credential is a few kilobytes, like any credential it is at most
# the JSON limit of a document; anchors.json lists frameworks and DIDs; an issuance
# log entry is a few hundred bytes.
MAX_TRUST_CREDENTIAL_BYTES = DEFAULT_LIMITS.max_bytes
MAX_ANCHORS_BYTES = 1_000_000
MAX_WITNESSED_BYTES = 64 * 1024

# Where each Accreditation field lives in the credential, for path-precise errors.
_ACC_PATHS = {
    "id": "$.id", "accreditor": "$.issuer", "subject": "$.credentialSubject.id",
    "framework": "$.credentialSubject.governanceFramework",
    "permissions": "$.credentialSubject.permission",
    "credential_types": "$.credentialSubject.credentialType",
    "valid_from": "$.validFrom", "valid_until": "$.validUntil",
    "regions": "$.credentialSubject.region", "sectors": "$.credentialSubject.sector",
    "max_chain": "$.credentialSubject.maxChainLength",
}
_REC_PATHS = {
    "recogniser": "$.credentialSubject.id", "recognised": "$.credentialSubject.recognisedFramework",
    "transitive": "$.credentialSubject.transitive",
    "credential_types": "$.credentialSubject.credentialType",
    "valid_from": "$.validFrom", "valid_until": "$.validUntil", "id": "$.id",
}


def _bad(message: str, path: str) -> InputError:
    return InputError("bad-trust-credential", message, path=path)


def _envelope(kind: str, id_: str, issuer: str, valid_from: datetime | None,
              valid_until: datetime | None, subject: dict, status_entry: dict | None) -> dict:
    doc: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, TRUST_CONTEXT],
        "id": id_,
        "type": ["VerifiableCredential", kind],
        "issuer": issuer,
    }
    if valid_from is not None:
        doc["validFrom"] = format_timestamp(valid_from)
    if valid_until is not None:
        doc["validUntil"] = format_timestamp(valid_until)
    doc["credentialSubject"] = subject
    if status_entry is not None:
        doc["credentialStatus"] = status_entry
    return doc


def accreditation_credential(acc: Accreditation, *, status_entry: dict | None = None) -> dict:
    """The unsigned ``AccreditationCredential`` for ``acc`` (issuer: the accreditor).

    ``status_entry`` is a revocation entry in the accreditor's own status list.
    """
    subject: dict[str, Any] = {
        "id": acc.subject,
        "type": "Accreditation",
        "governanceFramework": acc.framework,
        "permission": sorted(acc.permissions),
        "credentialType": sorted(acc.credential_types),
    }
    if acc.regions is not None:
        subject["region"] = sorted(acc.regions)
    if acc.sectors is not None:
        subject["sector"] = sorted(acc.sectors)
    subject["maxChainLength"] = acc.max_chain
    return _envelope("AccreditationCredential", acc.id, acc.accreditor, acc.valid_from,
                     acc.valid_until, subject, status_entry)


def recognition_credential(rec: Recognition, issuer: str, *,
                           status_entry: dict | None = None) -> dict:
    """The unsigned ``RecognitionCredential`` for ``rec``, issued by ``issuer``
    (an anchor of ``rec.recogniser``); ``rec.id`` becomes the credential id."""
    if rec.id is None:
        raise InputError("bad-recognition", "a recognition credential needs an id", path="id")
    subject: dict[str, Any] = {
        "id": rec.recogniser,
        "type": "Recognition",
        "recognisedFramework": rec.recognised,
        "transitive": rec.transitive,
    }
    if rec.credential_types is not None:
        subject["credentialType"] = sorted(rec.credential_types)
    return _envelope("RecognitionCredential", rec.id, issuer, rec.valid_from, rec.valid_until,
                     subject, status_entry)


def _sign(unsigned: dict, key: SigningKey, now: datetime | str | None,
          loader: OfflineDocumentLoader | None) -> dict:
    return issue(unsigned, key, created=now, loader=loader)


def issue_accreditation(acc: Accreditation, key: SigningKey, *, status_entry: dict | None = None,
                        now: datetime | str | None = None,
                        loader: OfflineDocumentLoader | None = None) -> dict:
    """``accreditation_credential`` signed with the accreditor's ``key`` (eddsa-rdfc-2022).

    ``now`` is the proof's ``created`` time. Ed25519 signatures are
    deterministic, so no random source is involved.
    """
    return _sign(accreditation_credential(acc, status_entry=status_entry), key, now, loader)


def issue_recognition(rec: Recognition, key: SigningKey, *, status_entry: dict | None = None,
                      now: datetime | str | None = None,
                      loader: OfflineDocumentLoader | None = None) -> dict:
    """``recognition_credential`` issued and signed by the anchor holding ``key``."""
    unsigned = recognition_credential(rec, key.controller, status_entry=status_entry)
    return _sign(unsigned, key, now, loader)


def _subject(doc: Any, kind: str, subject_type: str) -> dict:
    if not isinstance(doc, dict):
        raise _bad("a credential must be a JSON object", "$")
    types = doc.get("type")
    if not isinstance(types, list) or kind not in types:
        raise _bad(f"type must include {kind}", "$.type")
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        raise _bad("credentialSubject must be one JSON object", "$.credentialSubject")
    if subject.get("type") != subject_type and not (
            isinstance(subject.get("type"), list) and subject_type in subject["type"]):
        raise _bad(f"credentialSubject.type must be {subject_type}", "$.credentialSubject.type")
    _compact_form(doc, kind, _SUBJECT_KEYS[subject_type])
    return subject


# --- the one JSON form a trust credential is read in ----------------------------
#
# The signature covers the RDF graph, which many JSON spellings share (a key written
# as its full IRI, a property moved into an @included or @nest object or into another
# object with the credential's id, @id for id, a value object for a string). A trust
# credential is read only in the compact form its two contexts define, so the
# properties read are the properties signed: every other spelling is refused, named.

_ENVELOPE_KEYS = frozenset({"@context", "id", "type", "issuer", "name", "description",
                            "validFrom", "validUntil", "credentialSubject", "credentialStatus",
                            "proof"})
_ISSUER_KEYS = frozenset({"id", "name", "description"})
_SUBJECT_KEYS = {
    "Accreditation": frozenset({"id", "type", "governanceFramework", "permission",
                                "credentialType", "region", "sector", "maxChainLength"}),
    "Recognition": frozenset({"id", "type", "recognisedFramework", "transitive",
                              "credentialType"}),
}
_STATUS_KEYS = frozenset({"id", "type", "statusPurpose", "statusListIndex",
                          "statusListCredential", "statusSize", "statusMessage",
                          "statusReference"})
_STATUS_MESSAGE_KEYS = frozenset({"status", "message"})
_PROOF_KEYS = frozenset({"@context", "id", "type", "cryptosuite", "verificationMethod",
                         "proofPurpose", "proofValue", "created", "expires", "domain",
                         "challenge", "nonce", "previousProof"})
_TEXT_VALUE_KEYS = frozenset({"@value", "@language", "@direction"})


def _not_compact(message: str, path: str) -> InputError:
    return InputError("trust-credential-not-compact", message, path=path)


def _compact_form(doc: dict, kind: str, subject_keys: frozenset[str]) -> None:
    """Refuse every JSON spelling of a trust credential but the compact one."""
    if doc.get("@context") != [VC_V2_CONTEXT, TRUST_CONTEXT]:
        raise _not_compact(f"a {kind}'s @context must be exactly [{VC_V2_CONTEXT},"
                           f" {TRUST_CONTEXT}]", "$.@context")
    _only(doc, _ENVELOPE_KEYS, "$", kind)
    for key in ("id", "validFrom", "validUntil"):
        if key in doc and not isinstance(doc[key], str):
            raise _not_compact(f"{key} must be a plain string (no value object)", f"$.{key}")
    if not all(isinstance(t, str) for t in doc["type"]):
        raise _not_compact("type must be a list of type names", "$.type")
    issuer = doc.get("issuer")
    if isinstance(issuer, dict):
        _only(issuer, _ISSUER_KEYS, "$.issuer", kind)
        if not isinstance(issuer.get("id"), str):
            raise _not_compact("issuer.id must be a string", "$.issuer.id")
        _texts(issuer, "$.issuer")
    elif not isinstance(issuer, str):
        raise _not_compact("issuer must be a DID or an object with an id", "$.issuer")
    _texts(doc, "$")
    subject = doc["credentialSubject"]
    _only(subject, subject_keys, "$.credentialSubject", kind)
    _leaves(subject, "$.credentialSubject")
    for entry, path in _objects(doc, "credentialStatus"):
        _only(entry, _STATUS_KEYS, path, kind)
        _leaves({k: v for k, v in entry.items() if k != "statusMessage"}, path)
        messages = entry.get("statusMessage", [])
        if not isinstance(messages, list):
            raise _not_compact("statusMessage must be a list", f"{path}.statusMessage")
        for i, message in enumerate(messages):
            where = f"{path}.statusMessage[{i}]"
            if not isinstance(message, dict):
                raise _not_compact("a status message must be an object", where)
            _only(message, _STATUS_MESSAGE_KEYS, where, kind)
            _leaves(message, where)
    for proof, path in _objects(doc, "proof"):
        _only(proof, _PROOF_KEYS, path, kind)
        _leaves(proof, path)


def _only(node: dict, allowed: frozenset[str], path: str, kind: str) -> None:
    for key in node:
        if key not in allowed:
            what = "JSON-LD keyword" if key.startswith("@") else "key"
            raise _not_compact(f"{what} {key!r} is not a term of a {kind} in compact form,"
                               f" the only form read (terms: {', '.join(sorted(allowed))})",
                               f"{path}.{key}")


def _leaves(node: dict, path: str) -> None:
    """Every value a string, number or boolean, or a list of them: no object to merge."""
    for key, value in node.items():
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, (str, int, float, bool)):
                raise _not_compact(f"{key} must be a plain value or a list of plain values",
                                   f"{path}.{key}")


def _texts(node: dict, path: str) -> None:
    for key in ("name", "description"):
        value = node.get(key)
        if value is None or isinstance(value, str):
            continue
        if not (isinstance(value, dict) and set(value) <= _TEXT_VALUE_KEYS
                and all(isinstance(v, str) for v in value.values())):
            raise _not_compact(f"{key} must be a string or a language-tagged string",
                               f"{path}.{key}")


def _objects(doc: dict, key: str) -> list[tuple[dict, str]]:
    value = doc.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    found = []
    for i, item in enumerate(items):
        path = f"$.{key}[{i}]" if isinstance(value, list) else f"$.{key}"
        if not isinstance(item, dict):
            raise _not_compact(f"{key} must be an object or a list of objects", path)
        found.append((item, path))
    return found


def _strings(value: Any, path: str, *, required: bool) -> frozenset[str] | None:
    if value is None:
        if required:
            raise _bad("is required", path)
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items \
            or not all(isinstance(v, str) and v for v in items):
        raise _bad("must be a non-empty string or list of non-empty strings", path)
    return frozenset(items)


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise _bad("must be a non-empty string", path)
    return value


def _when(doc: dict, name: str, *, required: bool) -> datetime | None:
    if name not in doc and not required:
        return None
    if name not in doc:
        raise _bad(f"{name} is required", f"$.{name}")
    return parse_timestamp(doc[name], path=f"$.{name}")


def _build(cls: type, paths: Mapping[str, str], **values: Any) -> Any:
    try:
        return cls(**values)
    except InputError as exc:
        where = paths.get(exc.path or "", exc.path)
        raise exc.with_path(where) from None


def accreditation_from_credential(doc: Any) -> Accreditation:
    """The ``Accreditation`` an ``AccreditationCredential`` states (no proof checked here)."""
    subject = _subject(doc, "AccreditationCredential", "Accreditation")
    sp = "$.credentialSubject"
    chain = subject.get("maxChainLength", 0)
    if not isinstance(chain, int) or isinstance(chain, bool) or chain < 0:
        raise _bad("maxChainLength must be an integer >= 0", f"{sp}.maxChainLength")
    permissions = _strings(subject.get("permission"), f"{sp}.permission", required=True)
    return _build(
        Accreditation, _ACC_PATHS,
        id=_string(doc.get("id"), "$.id"),
        accreditor=_string(issuer_id(doc), "$.issuer"),
        subject=_string(subject.get("id"), f"{sp}.id"),
        framework=_string(subject.get("governanceFramework"), f"{sp}.governanceFramework"),
        permissions=permissions,
        credential_types=_strings(subject.get("credentialType"), f"{sp}.credentialType",
                                  required=True),
        valid_from=_when(doc, "validFrom", required=True),
        valid_until=_when(doc, "validUntil", required=True),
        regions=_strings(subject.get("region"), f"{sp}.region", required=False),
        sectors=_strings(subject.get("sector"), f"{sp}.sector", required=False),
        max_chain=chain,
    )


def recognition_from_credential(doc: Any) -> Recognition:
    """The ``Recognition`` a ``RecognitionCredential`` states (no proof checked here)."""
    subject = _subject(doc, "RecognitionCredential", "Recognition")
    sp = "$.credentialSubject"
    transitive = subject.get("transitive", False)
    if not isinstance(transitive, bool):
        raise _bad("transitive must be true or false", f"{sp}.transitive")
    return _build(
        Recognition, _REC_PATHS,
        recogniser=_string(subject.get("id"), f"{sp}.id"),
        recognised=_string(subject.get("recognisedFramework"), f"{sp}.recognisedFramework"),
        transitive=transitive,
        valid_from=_when(doc, "validFrom", required=False),
        valid_until=_when(doc, "validUntil", required=False),
        credential_types=_strings(subject.get("credentialType"), f"{sp}.credentialType",
                                  required=False),
        id=_string(doc.get("id"), "$.id"),
    )


@dataclass(frozen=True)
class Rejected:
    """A trust credential ``load_trust`` refused: where it came from and why."""

    source: str
    reasons: tuple[str, ...]
    document: Any = field(repr=False, compare=False, default=None)

    def describe(self) -> str:
        """One line: the source and its reasons."""
        return f"{self.source} rejected: {'; '.join(self.reasons)}"


@dataclass(frozen=True)
class TrustLoad:
    """The registry built from verified credentials, and the credentials refused.

    A ``TrustSource``: deciding may ask it instead of its ``registry``.
    """

    registry: TrustRegistry
    rejected: tuple[Rejected, ...] = ()

    def trusted(self, issuer: str, credential_type: str, frameworks: Iterable[str],
                at: datetime, *, region: str | None = None, sector: str | None = None,
                credential_id: str | None = None, honour_witnessed: bool = False) -> TrustAnswer:
        """``TrustRegistry.trusted``, with the refused credentials that concern ``issuer``
        added to the reasons of an untrusted answer (a forged accreditation says why)."""
        answer = self.registry.trusted(issuer, credential_type, frameworks, at, region=region,
                                       sector=sector, credential_id=credential_id,
                                       honour_witnessed=honour_witnessed)
        if answer.trusted:
            return answer
        notes = [r.describe() for r in self.rejected if _mentions(r.document, issuer)]
        return TrustAnswer(False, (), answer.reasons + tuple(notes))

    def name_of(self, did_or_url: str) -> str | None:
        """The display name the registry knows ``did_or_url`` by, if any."""
        return self.registry.name_of(did_or_url)


def _mentions(doc: Any, did: str) -> bool:
    subject = doc.get("credentialSubject") if isinstance(doc, dict) else None
    return isinstance(subject, dict) and subject.get("id") == did


_TOLERATED = {"validity_period"}  # the registry itself judges dates, at the time asked


def _revocation_time(doc: dict, accreditation_id: str, registry: LocalRegistry, now: datetime,
                     loader: OfflineDocumentLoader | None, log: RevocationLog) -> datetime:
    """The time a revoked accreditation is dated by: its first sighting, recorded in ``log``.

    Once recorded it never moves (see ``revocation_log``). A first sighting is
    dated by the earlier of ``now`` and the ``validFrom`` of the verified list
    that shows the bit set: no one could see the revocation before the list
    was valid, and the list may say it was valid before this load saw it.
    """
    recorded = log.first_seen(accreditation_id)
    if recorded is not None:
        return recorded
    moments, lists = [now], []
    for entry in read_status(doc, registry=registry, now=now, loader=loader):
        if entry.code in ("status-revoked", "status-suspended") and entry.list_url:
            lists.append(entry.list_url)
            published = _verified_valid_from(entry.list_url, registry, now, loader)
            if published is not None:
                moments.append(published)
    return log.record(accreditation_id, min(moments), status_list=lists[0] if lists else None)


def _verified_valid_from(url: str, registry: LocalRegistry, now: datetime,
                         loader: OfflineDocumentLoader | None) -> datetime | None:
    """The ``validFrom`` of the status list at ``url``, read from the list as verified."""
    try:
        listed = registry.read(url)
    except CoopCredsError:
        return None
    if not verify_credential(listed, now=now, loader=loader, registry=registry).verified:
        return None
    try:
        return parse_timestamp(listed.get("validFrom"), path=f"{url}$.validFrom")
    except CoopCredsError:
        return None


def load_trust(
    credentials: Iterable[Any] | Mapping[str, Any],
    *,
    anchors: Mapping[str, Iterable[str]],
    names: Mapping[str, str] | None = None,
    now: datetime,
    loader: OfflineDocumentLoader | None = None,
    registry: LocalRegistry | None,
    revocation_log: RevocationLog,
) -> TrustLoad:
    """Verify accreditation and recognition credentials and build a ``TrustRegistry``.

    ``credentials`` is a list of documents or a mapping from a source name (a
    file) to a document. Each is verified (proof, issuer's key, status list in
    ``registry``); refused, with reasons, when the proof does not verify, the
    status cannot be read, the subject is malformed, or a recognition is not
    issued by an anchor of the recognising framework. An accreditation whose
    status bit is set is kept and revoked in the registry, so a query explains
    "revoked" rather than finding nothing; the revocation is dated by its first
    sighting, recorded in ``revocation_log`` and never moved by a later
    publication of the list (see ``revocation_log``). Validity dates are left
    to the registry, which judges them at the time asked.
    """
    items = (list(credentials.items()) if isinstance(credentials, Mapping)
             else [(f"credential[{i}]", doc) for i, doc in enumerate(credentials)])
    frozen_anchors = {fw: frozenset(dids) for fw, dids in anchors.items()}
    accs: list[Accreditation] = []
    recs: list[Recognition] = []
    revocations: dict[str, datetime] = {}
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for source, doc in items:
        try:
            is_acc = isinstance(doc, dict) and "AccreditationCredential" in (doc.get("type") or ())
            value: Accreditation | Recognition = (
                accreditation_from_credential(doc) if is_acc else recognition_from_credential(doc))
        except CoopCredsError as exc:
            rejected.append(Rejected(source, (f"malformed: {exc}",), doc))
            continue
        result = verify_credential(doc, now=now, loader=loader, registry=registry)
        failed = [c for c in result.failed if c.name not in _TOLERATED]
        revoked_at = None
        if isinstance(value, Accreditation) and registry is not None and [
                c.code for c in failed] in (["status-revoked"], ["status-suspended"]):
            revoked_at = _revocation_time(doc, value.id, registry, now, loader,
                                          revocation_log)
            failed = []
        if failed:
            rejected.append(Rejected(source, tuple(
                f"{c.name}: {c.message}" for c in failed if not c.skipped) or tuple(
                f"{c.name}: {c.message}" for c in failed), doc))
            continue
        if isinstance(value, Recognition):
            issuer = issuer_id(doc)
            if issuer not in frozen_anchors.get(value.recogniser, frozenset()):
                why = (f"recognition of {value.recognised} by {value.recogniser} is issued by"
                       f" {issuer}, not by an anchor of {value.recogniser}")
                rejected.append(Rejected(source, (why,), doc))
                continue
        ident = value.id or source
        if ident in seen:
            rejected.append(Rejected(source, (f"duplicate: another credential has id {ident}",),
                                     doc))
            continue
        seen.add(ident)
        if isinstance(value, Accreditation):
            accs.append(value)
            if revoked_at is not None:
                revocations[value.id] = revoked_at
        else:
            recs.append(value)
    trust = TrustRegistry(anchors=frozen_anchors, accreditations=tuple(accs),
                          revocations=revocations, recognitions=tuple(recs),
                          names=dict(names or {}))
    return TrustLoad(trust, tuple(rejected))


# --- the trust directory -------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def credential_filename(doc: dict) -> str:
    """A file name for a trust credential: readable from its id, unique by its hash."""
    ident = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(ident, str) or not ident:
        raise _bad("a trust credential needs an id to be saved", "$.id")
    slug = _UNSAFE.sub("-", ident).strip("-.")[:60] or "credential"
    return f"{slug}-{hashlib.sha256(ident.encode('utf-8')).hexdigest()[:12]}.json"


def _write_new(path: Path, document: Any) -> Path:
    content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    try:
        return write_atomically(path, content, overwrite=False)
    except FileExistsError:
        raise InputError("trust-file-exists", f"{path} exists already; it is never overwritten",
                         path=str(path)) from None


def save_anchors(directory: str | os.PathLike[str], anchors: Mapping[str, Iterable[str]], *,
                 names: Mapping[str, str] | None = None) -> Path:
    """Write ``anchors.json`` (frameworks, their anchors and display names) into ``directory``."""
    names = dict(names or {})
    frameworks = {}
    for fw, dids in sorted(anchors.items()):
        entry: dict[str, Any] = {"anchors": sorted(dids)}
        if fw in names:
            entry["name"] = names[fw]
        frameworks[fw] = entry
    others = {k: v for k, v in sorted(names.items()) if k not in anchors}
    doc = {"format": TRUST_DIR_FORMAT, "frameworks": frameworks, "names": others}
    return _write_new(Path(directory) / ANCHORS_FILE, doc)


def add_anchor(directory: str | os.PathLike[str], framework: str, anchors: Iterable[str], *,
               name: str | None = None) -> Path:
    """Add ``framework`` and its anchor DIDs to the directory's ``anchors.json``
    (creating it); a framework already there is never changed."""
    if not isinstance(framework, str) or not re.match(r"^https?://\S+$", framework):
        raise InputError("bad-framework", f"a framework is an http(s) URL, got {framework!r}",
                         path="framework")
    dids = sorted(set(anchors))
    if not dids or not all(isinstance(d, str) and d.startswith("did:") for d in dids):
        raise InputError("bad-anchor", "name at least one anchor DID (did:...)", path="anchors")
    path = Path(directory) / ANCHORS_FILE
    if not path.exists():
        return save_anchors(directory, {framework: dids},
                            names={framework: name} if name else None)
    known, _ = load_anchors(directory)  # validates the file before changing it
    if framework in known:
        raise InputError("framework-exists", f"{framework} is already in {path}; anchors of a"
                         " published framework are not changed here", path=str(path))
    doc = loads_strict(read_bounded(path, MAX_ANCHORS_BYTES, what="anchors file"))
    doc["frameworks"][framework] = {"anchors": dids, **({"name": name} if name else {})}
    content = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    # Adding a framework is an explicit change to the file: replace it in one step.
    return write_atomically(path, content, overwrite=True)


def save_trust_credential(directory: str | os.PathLike[str], doc: dict) -> Path:
    """Write a signed accreditation or recognition credential into its folder of ``directory``."""
    types = doc.get("type") if isinstance(doc, dict) else None
    types = types if isinstance(types, list) else []
    if "AccreditationCredential" in types:
        folder = ACCREDITATIONS_DIR
    elif "RecognitionCredential" in types:
        folder = RECOGNITIONS_DIR
    else:
        raise _bad("not an AccreditationCredential or RecognitionCredential", "$.type")
    return _write_new(Path(directory) / folder / credential_filename(doc), doc)


def record_witnessed(directory: str | os.PathLike[str], entry: Witnessed) -> Path:
    """Log that the registry saw ``entry.issuer``'s credential at ``entry.seen_at``
    (one file per sighting, never rewritten, so the log only grows)."""
    doc = {"issuer": entry.issuer, "credentialId": entry.credential_id,
           "seenAt": format_timestamp(entry.seen_at)}
    name = hashlib.sha256(json.dumps(doc, sort_keys=True).encode("utf-8")).hexdigest()[:24]
    return _write_new(Path(directory) / WITNESSED_DIR / f"{name}.json", doc)


def _load_witnessed(directory: Path) -> tuple[Witnessed, ...]:
    entries = []
    for path in sorted((directory / WITNESSED_DIR).glob("*.json")):
        doc = loads_strict(read_bounded(path, MAX_WITNESSED_BYTES, what="issuance log entry"))
        if not isinstance(doc, dict):
            raise InputError("bad-witness-log", "an entry must be a JSON object", path=str(path))
        entries.append(Witnessed(
            _string(doc.get("issuer"), f"{path}$.issuer"),
            _string(doc.get("credentialId"), f"{path}$.credentialId"),
            parse_timestamp(doc.get("seenAt"), path=f"{path}$.seenAt")))
    return tuple(entries)


def load_anchors(directory: str | os.PathLike[str]) -> tuple[dict[str, frozenset[str]],
                                                            dict[str, str]]:
    """Read ``anchors.json``: (framework -> anchor DIDs, DID/framework -> name)."""
    path = Path(directory) / ANCHORS_FILE
    try:
        data = loads_strict(read_bounded(path, MAX_ANCHORS_BYTES, what="anchors file"))
    except FileNotFoundError:
        raise InputError("no-trust-dir", f"{path} not found: not a trust directory",
                         path=str(path)) from None
    if not isinstance(data, dict) or data.get("format") != TRUST_DIR_FORMAT:
        raise InputError("bad-anchors-file", f"format must be {TRUST_DIR_FORMAT}",
                         path=f"{path}$.format")
    frameworks, extra = data.get("frameworks"), data.get("names", {})
    if not isinstance(frameworks, dict) or not isinstance(extra, dict):
        raise InputError("bad-anchors-file", "frameworks and names must be JSON objects",
                         path=str(path))
    anchors: dict[str, frozenset[str]] = {}
    names: dict[str, str] = {}
    for fw, entry in frameworks.items():
        where = f"{path}$.frameworks[{fw}]"
        dids = entry.get("anchors") if isinstance(entry, dict) else None
        if not isinstance(dids, list) or not all(isinstance(d, str) and d for d in dids):
            raise InputError("bad-anchors-file", "anchors must be a list of DIDs",
                             path=where + ".anchors")
        anchors[fw] = frozenset(dids)
        if isinstance(entry.get("name"), str):
            names[fw] = entry["name"]
    for key, name in extra.items():
        if not isinstance(name, str) or not name:
            raise InputError("bad-anchors-file", "a name must be a non-empty string",
                             path=f"{path}$.names[{key}]")
        names[key] = name
    return anchors, names


def load_trust_dir(directory: str | os.PathLike[str], *, now: datetime,
                   registry: LocalRegistry | None,
                   loader: OfflineDocumentLoader | None = None) -> TrustLoad:
    """``load_trust`` over a trust directory (files that are not JSON are rejected, named),
    with the directory's issuance log as the registry's ``witnessed`` entries and its
    ``revocations/`` folder as the revocation log (a revocation seen for the first time
    is recorded there)."""
    anchors, names = load_anchors(directory)
    documents: dict[str, Any] = {}
    for folder in (ACCREDITATIONS_DIR, RECOGNITIONS_DIR):
        for path in sorted((Path(directory) / folder).glob("*.json")):
            try:
                documents[str(path)] = loads_strict(
                    read_bounded(path, MAX_TRUST_CREDENTIAL_BYTES, what="trust credential"))
            except CoopCredsError as exc:
                documents[str(path)] = exc  # rejected below with its reason
    unreadable = {k: v for k, v in documents.items() if isinstance(v, CoopCredsError)}
    load = load_trust({k: v for k, v in documents.items() if k not in unreadable},
                      anchors=anchors, names=names, now=now, loader=loader, registry=registry,
                      revocation_log=RevocationLog(Path(directory) / REVOCATIONS_DIR))
    bad = tuple(Rejected(k, (f"not readable JSON: {v}",)) for k, v in unreadable.items())
    registry_with_log = load.registry.with_witnessed(*_load_witnessed(Path(directory)))
    return TrustLoad(registry_with_log, load.rejected + bad)


__all__ = [
    "TRUST_CONTEXT", "Rejected", "TrustLoad", "accreditation_credential",
    "accreditation_from_credential", "add_anchor", "credential_filename", "issue_accreditation",
    "issue_recognition", "load_anchors", "load_trust", "load_trust_dir",
    "recognition_credential", "recognition_from_credential", "record_witnessed",
    "save_anchors", "save_trust_credential",
]
