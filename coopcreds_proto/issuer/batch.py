"""The designated issuer: membership credentials in bulk, from the member register.

Each credential is built from the credential definition (default: the
``cooperative-membership`` v0.1 draft, so its ``@context`` is the definition's
published context), signed with the co-op's key, and given two status entries
(revocation and suspension, W3C Bitstring Status List) when the issuer has
status lists. Everything the issuer does is kept in one directory::

    OUT/credentials/RFC-00042.json   the member's current credential (one per member)
    OUT/superseded/RFC-00042.<id>.json  earlier credentials (revoked when replaced)
    OUT/status/revocation.json       the status lists and which indexes are taken
    OUT/status/suspension.json
    OUT/issuance-log.jsonl           what was issued, revoked, suspended, when (append-only)

Applying a register again brings the credentials in line with it: new members
get a credential; a member whose details changed gets a new one and the old
one is revoked; a member who left has theirs revoked; a member whose status
went to ``suspended`` (or back) is suspended (or unsuspended) in the status
list; a suspension the issuer decided (``suspend_member``) stays until it is
lifted; ``reissue_signed_by`` replaces what a compromised key signed. Files
are written atomically and an existing file is never overwritten: a
credential file the log does not know about stops the run. After each run
the status lists are saved, and signed and published to the local registry
when one is given.

Public API
----------
- ``Cooperative`` (the co-op that issues: ``memberOf`` and the issuer's name),
  ``SAMPLE_COOP`` (Riverside Food Co-operative, for demos).
- ``Issuer(key, coop, out_dir, *, definition=None, status_base=None,
  registry=None, cryptosuite="eddsa-rdfc-2022", valid_for=365 days, omit=())``.
- ``build_credential(issuer, record, *, credential_id, valid_from, status=())``
  -> unsigned dict.
- ``apply_register(issuer, records, *, now=None, rng=DEFAULT_RANDOM,
  progress=True, reissue_signed_by=()) -> IssuanceReport`` (``issue_batch``
  is the same).
- ``revoke_member``, ``suspend_member``, ``unsuspend_member(issuer, number, *,
  now=None, reason="")`` -> ``Action``.
- ``ledger(issuer) -> dict[str, LedgerEntry]`` (per membership number, the
  current credential and its state), ``read_credential(issuer, number)``,
  ``status_lists(issuer)`` (the saved ``StatusList`` objects).
- ``Action(member, action, credential_id, file, detail)``,
  ``IssuanceReport(actions, issuer_did, out_dir)`` with ``.counts``,
  ``.to_frame()``, ``str()`` and ``_repr_html_()``.
- ``IssuanceError`` (codes ``credential-file-exists``, ``unknown-member``,
  ``member-revoked``, ``status-list-mismatch``, ``bad-log``, ``issuer-busy``,
  ``bad-status-url``, ``no-status-list``, ``status-base-missing``, ``field-not-in-definition``).

>>> import tempfile
>>> from coopcreds_proto.issuer.member_register import generate_register
>>> from coopcreds_proto.randomness import SeededRandom
>>> from coopcreds_proto.vc.samples import sample_actors
>>> issuer = Issuer(sample_actors().coop, SAMPLE_COOP, tempfile.mkdtemp())
>>> report = apply_register(issuer, generate_register(3), now="2026-02-01T09:00:00Z",
...                         rng=SeededRandom("doc"), progress=False)
>>> report.counts
{'issued': 3}
>>> read_credential(issuer, "RFC-00042")["credentialSubject"]["name"]
'Ada Okafor'
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from tqdm import tqdm

from .. import html_views
from ..atomic_files import write_atomically
from ..cryptosuites import CanonicalizationInput, get_cryptosuite
from ..definitions.artefacts import definition_loader
from ..definitions.definition import CredentialDefinition, definition_path, load_definition
from ..errors import CoopCredsError, InputError
from ..keys import SigningKey
from ..loader import OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..proofs import ProofOptions
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..safe_json import DEFAULT_LIMITS, loads_strict
from ..safe_jsonld import expand_safely
from ..timestamps import as_datetime, format_timestamp, shifted
from ..urls import shown_url, url_problem
from ..vc.credentials import VC_V2_CONTEXT, check_credential_shape, issuer_id
from ..vc.disclosure import SD_SUITE, claim_pointer, mandatory_pointers_for
from ..vc.status_list import (
    StatusList,
    allocate,
    load_status_list,
    new_status_list,
    publish_status_list,
    revoke,
    save_status_list,
    set_status,
    status_entry,
    suspend,
    unsuspend,
)
from .member_register import MemberRecord

if TYPE_CHECKING:  # pragma: no cover - typing only: pandas is loaded only to make a table
    import pandas as pd

LOG_NAME = "issuance-log.jsonl"
LOG_FORMAT = "coopcreds-issuance-log/1"
DEFAULT_VALID_FOR = timedelta(days=365)
_FILE_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class IssuanceError(InputError):
    """The issuer cannot do what was asked (and has not done any of it)."""


@dataclass(frozen=True)
class Cooperative:
    """The co-operative that issues: what goes in ``memberOf`` and the issuer's name."""

    name: str  # the legal name, as on the public register
    registered_identifier: str
    jurisdiction: str
    cooperative_type: str
    sector: str | None = None
    display_name: str | None = None  # the issuer's everyday name (default: the legal name)

    def member_of(self, did: str) -> dict[str, Any]:
        value: dict[str, Any] = {"id": did, "type": "Cooperative", "name": self.name,
                                 "registeredIdentifier": self.registered_identifier,
                                 "jurisdiction": self.jurisdiction}
        if self.sector:
            value["sector"] = self.sector
        value["cooperativeType"] = self.cooperative_type
        return value


SAMPLE_COOP = Cooperative(
    name="Riverside Food Co-operative Ltd", registered_identifier="IP031234",
    jurisdiction="GB", cooperative_type="consumer", sector="food retail",
    display_name="Riverside Food Co-operative",
)


@dataclass(frozen=True)
class Issuer:
    """Who issues, as whom, from which definition, into which directory.

    ``status_base`` (an https URL) gives the issuer status lists at
    ``{status_base}/revocation`` and ``{status_base}/suspension``; without it
    credentials carry no ``credentialStatus`` (and cannot be revoked).
    ``omit`` leaves personal fields out of every credential (e.g. ``("name",)``).
    """

    key: SigningKey
    coop: Cooperative
    out_dir: Path
    definition: CredentialDefinition | None = None
    status_base: str | None = None
    registry: LocalRegistry | None = None
    cryptosuite: str = "eddsa-rdfc-2022"
    valid_for: timedelta | None = DEFAULT_VALID_FOR
    omit: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "out_dir", Path(self.out_dir))
        if self.status_base is not None:
            base, problem = self.status_base, url_problem(self.status_base)
            if problem is not None or not base.startswith("https://") or "?" in base \
                    or "#" in base:
                why = f" ({problem})" if problem else ""
                raise IssuanceError("bad-status-url", "the status lists' base must be an https"
                                    f" URL without query or fragment: {shown_url(base)}{why}",
                                    path=shown_url(base))
        if self.definition is None:
            path = definition_path("cooperative-membership", "0.1")
            object.__setattr__(self, "definition", load_definition(path))
        if self.status_base is not None:
            object.__setattr__(self, "status_base", self.status_base.rstrip("/"))
        object.__setattr__(self, "omit", tuple(self.omit))

    @property
    def did(self) -> str:
        return self.key.controller

    def status_url(self, purpose: str) -> str | None:
        return f"{self.status_base}/{purpose}" if self.status_base else None


@dataclass(frozen=True)
class LedgerEntry:
    """A member's current credential, as the issuance log says."""

    member: str
    credential_id: str
    file: str
    member_did: str
    digest: str
    claimed_status: str  # the membershipStatus written in the credential
    suspended: bool = False
    suspended_by: str = ""  # "register" (its status column) or "issuer" (suspend_member)
    revoked: bool = False
    status: dict[str, int] = field(default_factory=dict)  # purpose -> index
    issued: str = ""
    replaced: tuple[str, ...] = ()  # earlier credential ids of this member
    key_id: str = ""  # the verification method that signed it


@dataclass(frozen=True)
class Action:
    """One thing the issuer did for one member."""

    member: str
    action: str  # issued | reissued | revoked | suspended | unsuspended | unchanged
    credential_id: str
    file: str = ""
    detail: str = ""

    def to_record(self) -> dict[str, str]:
        return {"member": self.member, "action": self.action,
                "credential_id": self.credential_id, "file": self.file, "detail": self.detail}


@dataclass(frozen=True, repr=False)
class IssuanceReport:
    """What a run did, member by member (unchanged members included)."""

    actions: tuple[Action, ...]
    issuer_did: str
    out_dir: str
    published: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for a in self.actions:
            counts[a.action] = counts.get(a.action, 0) + 1
        return counts

    def to_frame(self) -> pd.DataFrame:
        import pandas as pd  # heavy: pandas, only for the report as a table (issuing needs none)

        return pd.DataFrame([a.to_record() for a in self.actions],
                            columns=["member", "action", "credential_id", "file", "detail"])

    def _summary(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items()) or "nothing to do"
        return f"{len(self.actions)} members: {counts}"

    def __str__(self) -> str:
        lines = [f"Issuer {self.issuer_did}", self._summary()]
        for a in self.actions:
            if a.action != "unchanged":
                lines.append(f"  {a.member:<12} {a.action:<11} {a.detail}".rstrip())
        if self.published:
            lines.append("Status lists published: " + ", ".join(self.published))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "issuer/issuance_report.html", summary=self._summary(),
            actions=[(a.member, a.action, a.detail) for a in self.actions
                     if a.action != "unchanged"],
            published=", ".join(self.published))

# --- building ---------------------------------------------------------------------


def _check_terms(definition: CredentialDefinition, claims: dict[str, Any]) -> None:
    active = {f.term for f in definition.active_fields}
    for term in claims:
        if term not in active:
            raise IssuanceError(
                "field-not-in-definition",
                f"the register fills {term!r}, which definition {definition.slug}"
                f" {definition.version} does not have",
                path=term,
            )


def build_credential(
    issuer: Issuer,
    record: MemberRecord,
    *,
    credential_id: str,
    valid_from: datetime | str,
    status: Sequence[dict] = (),
) -> dict:
    """The unsigned credential for ``record``, as the definition shapes it."""
    d = issuer.definition
    assert d is not None  # set in Issuer.__post_init__
    claims = record.claims(omit=issuer.omit)
    subject: dict[str, Any] = {"id": record.member_did, "type": d.subject_type}
    subject["memberOf"] = issuer.coop.member_of(issuer.did)
    subject.update(claims)
    _check_terms(d, {k: v for k, v in subject.items() if k not in ("id", "type")})
    start = as_datetime(valid_from)
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, d.context_url],
        "id": credential_id,
        "type": ["VerifiableCredential", d.credential_type],
        "name": d.name,
        "description": f"Membership of {issuer.coop.display_name or issuer.coop.name}",
        "issuer": {"id": issuer.did, "name": issuer.coop.display_name or issuer.coop.name},
        "validFrom": format_timestamp(start),
    }
    if issuer.valid_for is not None:
        credential["validUntil"] = format_timestamp(shifted(start, issuer.valid_for))
    credential["credentialSubject"] = subject
    if status:
        credential["credentialStatus"] = list(status) if len(status) > 1 else dict(status[0])
    return credential


def _digest(issuer: Issuer, record: MemberRecord) -> str:
    """What the credential says about the member, except the membership status."""
    d = issuer.definition
    assert d is not None
    content = {
        "definition": d.context_url,
        "issuer": issuer.did,
        "memberOf": issuer.coop.member_of(issuer.did),
        "did": record.member_did,
        "claims": {k: v for k, v in record.claims(omit=issuer.omit).items()
                   if k != "membershipStatus"},
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:32]


def _credential_id(rng: RandomSource) -> str:
    return f"urn:uuid:{uuid.UUID(bytes=rng.bytes(16), version=4)}"


class _BatchSigner:
    """Signs many credentials that share one proof configuration (key, suite, created).

    The configuration's canonical hash is computed once per ``@context``
    instead of once per credential; everything else is what
    ``credentials.issue`` does (shape rules, issuer = key controller, the safe
    JSON-LD check), and the result is the same, byte for byte.
    """

    def __init__(self, key: SigningKey, cryptosuite: str, created: str,
                 loader: OfflineDocumentLoader, rng: RandomSource = DEFAULT_RANDOM,
                 mandatory_claims: Sequence[str] = ()) -> None:
        self.key = key
        self.rng = rng
        self.mandatory_claims = tuple(mandatory_claims)
        self.suite = get_cryptosuite(cryptosuite)
        self.options = ProofOptions(cryptosuite=cryptosuite, created=created).to_json(key)
        self.loader = loader
        self._configs: dict[str, tuple[dict, bytes]] = {}

    def _config(self, credential: dict) -> tuple[dict, bytes]:
        context = json.dumps(credential.get("@context"), sort_keys=True)
        if context not in self._configs:
            config = self.suite.proof_config(self.options, credential)
            given = CanonicalizationInput(self.loader, DEFAULT_LIMITS)
            digest = hashlib.sha256(self.suite.canonicalize_proof_config(config, given)).digest()
            self._configs[context] = (config, digest)
        return self._configs[context]

    def sign(self, credential: dict) -> dict:
        check_credential_shape(credential)
        if "proof" in credential:
            raise InputError("already-signed", "the credential already has a proof",
                             path="$.proof")
        if issuer_id(credential) != self.key.controller:
            raise InputError(
                "issuer-key-mismatch",
                f"the issuer is {issuer_id(credential)} but the key belongs to "
                f"{self.key.controller}", path="$.issuer")
        checked = expand_safely(credential, self.loader, limits=DEFAULT_LIMITS)
        if not self.suite.name.startswith("eddsa-"):
            # ECDSA hashes by curve, ecdsa-sd-2023 signs each statement: the suite signs,
            # and a selective-disclosure credential reveals at least mandatory_pointers_for.
            config = self.suite.proof_config(self.options, credential)
            given = CanonicalizationInput(self.loader, DEFAULT_LIMITS, checked.expanded)
            pointers: tuple[str, ...] = ()
            if self.suite.name == SD_SUITE:
                subject = credential.get("credentialSubject")
                held = [c for c in self.mandatory_claims
                        if isinstance(subject, dict) and _holds(subject, c)]
                pointers = mandatory_pointers_for(credential, [claim_pointer(c) for c in held])
            proof = self.suite.sign(credential, config, self.key, given,
                                    mandatory_pointers=pointers, rng=self.rng)
            return {**credential, "proof": proof}
        config, config_hash = self._config(credential)
        given = CanonicalizationInput(self.loader, DEFAULT_LIMITS, checked.expanded)
        doc_hash = hashlib.sha256(self.suite.canonicalize_document(credential, given)).digest()
        proof = self.suite.signed_proof(config, self.key.sign(config_hash + doc_hash))
        return {**credential, "proof": proof}


def _holds(subject: dict, path: str) -> bool:
    """Whether ``subject`` has the (dotted) claim ``path`` (a member may lack an optional one)."""
    value: Any = subject
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


# --- files ------------------------------------------------------------------------


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` at ``path`` atomically; refuse if ``path`` exists.

    No ``fsync`` per file: a run makes its files durable at the end, at once
    (``os.sync``), which costs far less than one ``fsync`` per credential.
    """
    try:
        write_atomically(path, data, durable=False)
    except FileExistsError:
        raise IssuanceError("credential-file-exists",
                            f"{path} exists already; not overwriting it",
                            path=str(path)) from None


def _credential_bytes(credential: dict) -> bytes:
    return (json.dumps(credential, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class _Log:
    """The append-only issuance log (one JSON object per line)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: TextIO | None = None

    def append(self, event: dict) -> None:
        if self.handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
        self.handle.write(json.dumps(event, sort_keys=True, ensure_ascii=False) + "\n")
        self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            os.fsync(self.handle.fileno())
            self.handle.close()
            self.handle = None


def _read_log(issuer: Issuer) -> dict[str, LedgerEntry]:
    path = issuer.out_dir / LOG_NAME
    entries: dict[str, LedgerEntry] = {}
    if not path.exists():
        return entries
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            event = loads_strict(line)
            kind, member = event["event"], event["member"]
            if kind == "issued":
                old = entries.get(member)
                entries[member] = LedgerEntry(
                    member=member, credential_id=event["credential_id"], file=event["file"],
                    member_did=event["member_did"], digest=event["digest"],
                    claimed_status=event["membership_status"],
                    suspended=bool(event.get("suspended", False)),
                    suspended_by=event.get("suspended_by", ""),
                    status={k: int(v) for k, v in event.get("status", {}).items()},
                    issued=event["at"],
                    replaced=(old.replaced + (old.credential_id,)) if old else (),
                    key_id=event.get("key", ""),
                )
            elif kind in ("revoked", "suspended", "unsuspended", "superseded"):
                entry = entries[member]
                if event["credential_id"] != entry.credential_id:
                    continue  # about an earlier credential of the member
                if kind == "revoked":
                    entries[member] = replace(entry, revoked=True)
                elif kind == "suspended":
                    entries[member] = replace(entry, suspended=True,
                                              suspended_by=event.get("by", "issuer"))
                elif kind == "unsuspended":
                    entries[member] = replace(entry, suspended=False, suspended_by="")
                else:
                    entries[member] = replace(entry, file=event["file"])
            elif kind != "opened":
                raise KeyError(kind)
        except (CoopCredsError, KeyError, TypeError, ValueError) as err:
            raise IssuanceError("bad-log", f"{LOG_NAME} line {number} is not usable ({err})",
                                path=str(path)) from None
    return entries


def ledger(issuer: Issuer) -> dict[str, LedgerEntry]:
    """Every member the issuer ever issued to, with their current credential's state."""
    return _read_log(issuer)


def read_credential(issuer: Issuer, number: str) -> dict:
    """The member's current (or last) credential, as issued."""
    entry = _read_log(issuer).get(number)
    if entry is None:
        raise IssuanceError("unknown-member", f"no credential was issued to {number}", path=number)
    return loads_strict((issuer.out_dir / entry.file).read_bytes())


# --- status lists -----------------------------------------------------------------


def _status_path(issuer: Issuer, purpose: str) -> Path:
    return issuer.out_dir / "status" / f"{purpose}.json"


def status_lists(issuer: Issuer) -> dict[str, StatusList]:
    """The issuer's saved status lists by purpose (empty without ``status_base``)."""
    lists: dict[str, StatusList] = {}
    base = issuer.status_base
    if not base:
        saved = [p for p in ("revocation", "suspension") if _status_path(issuer, p).exists()]
        if saved:  # its credentials carry status entries: leaving them out would not revoke
            raise IssuanceError(
                "status-base-missing",
                f"{issuer.out_dir} has status lists; give the same status_base (--status-list)",
                path=str(_status_path(issuer, saved[0])))
        return lists
    for purpose in ("revocation", "suspension"):
        path = _status_path(issuer, purpose)
        url = f"{base}/{purpose}"  # issuer.status_url(purpose), which has a base here
        if path.exists():
            lst = load_status_list(path)
            if lst.url != url or lst.issuer != issuer.did:
                raise IssuanceError(
                    "status-list-mismatch",
                    f"{path} is the list {lst.url} of {lst.issuer}, not {url} of {issuer.did}",
                    path=str(path))
        else:
            lst = new_status_list(url, issuer.did, purpose)
        lists[purpose] = lst
    return lists


def _save_lists(issuer: Issuer, lists: dict[str, StatusList]) -> None:
    for purpose, lst in lists.items():
        save_status_list(lst, _status_path(issuer, purpose), overwrite=True)


def _publish(issuer: Issuer, lists: dict[str, StatusList], now: datetime) -> tuple[str, ...]:
    if issuer.registry is None or not lists:
        return ()

    d = issuer.definition
    assert d is not None  # set in Issuer.__post_init__
    loader = definition_loader(d)
    for lst in lists.values():
        publish_status_list(lst, issuer.key, issuer.registry, valid_from=now, created=now,
                            loader=loader)
    return tuple(lst.url for lst in lists.values())


def _reconcile(
    lists: dict[str, StatusList], entries: dict[str, LedgerEntry]
) -> dict[str, StatusList]:
    """Set every bit the log says is set (a run stopped before saving its lists)."""
    for entry in entries.values():
        for purpose, wanted in (("revocation", entry.revoked), ("suspension", entry.suspended)):
            lst = lists.get(purpose)
            index = entry.status.get(purpose)
            if lst is not None and index is not None and wanted and not lst.status(index):
                lists[purpose] = set_status(lst, index, True)
    return lists


# --- applying a register ---------------------------------------------------------------


def _plan(issuer: Issuer, records: Sequence[MemberRecord], entries: dict[str, LedgerEntry],
          reissue_keys: frozenset[str] = frozenset()) -> list[tuple[str, MemberRecord | None, str]]:
    """(what to do, record, why) per member: new, changed, status, left or unchanged."""
    plan: list[tuple[str, MemberRecord | None, str]] = []
    numbers = set()
    for record in records:
        numbers.add(record.membership_number)
        entry = entries.get(record.membership_number)
        if entry is None or entry.revoked:
            why = "new member" if entry is None else "member again"
            plan.append(("issue", record, why))
            continue
        if entry.key_id in reissue_keys:
            plan.append(("reissue", record, f"signed with {entry.key_id}"))
        elif entry.digest != _digest(issuer, record):
            plan.append(("reissue", record, "details changed"))
        elif record.membership_status == "suspended":
            if entry.suspended or entry.claimed_status == "suspended":
                plan.append(("unchanged", record, ""))
            elif entry.status.get("suspension") is not None:
                plan.append(("suspend", record, "membership suspended"))
            else:
                plan.append(("reissue", record, "membership suspended"))
        elif entry.claimed_status == "suspended":
            plan.append(("reissue", record, "membership active again"))
        elif entry.suspended and entry.suspended_by == "register":
            plan.append(("unsuspend", record, "membership active again"))
        # A suspension the issuer decided (suspend_member) stays until unsuspend_member.
        else:
            plan.append(("unchanged", record, ""))
    for number, entry in sorted(entries.items()):
        if number not in numbers and not entry.revoked:
            plan.append(("leave", None, number))
    return plan


@contextmanager
def _exclusive(issuer: Issuer) -> Iterator[None]:
    """One run at a time per issuer directory (two would hand out the same file)."""
    issuer.out_dir.mkdir(parents=True, exist_ok=True)
    with open(issuer.out_dir / ".lock", "a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IssuanceError("issuer-busy", f"another run is using {issuer.out_dir}",
                                path=str(issuer.out_dir)) from None
        yield


def apply_register(
    issuer: Issuer,
    records: Sequence[MemberRecord],
    *,
    now: datetime | str | None = None,
    rng: RandomSource = DEFAULT_RANDOM,
    progress: bool = True,
    loader: OfflineDocumentLoader | None = None,
    durable: bool = True,
    reissue_signed_by: Sequence[str] = (),
) -> IssuanceReport:
    """Bring the issued credentials in line with the register ``records``.

    ``now`` is the issuing time (``validFrom`` and the proof's ``created``);
    pass it, and a ``SeededRandom`` as ``rng``, for reproducible output.
    ``progress`` shows a progress bar (tqdm) while signing. Every file is
    written atomically; ``durable=False`` skips the final ``os.sync`` (tests).
    ``reissue_signed_by`` (verification method ids) re-issues every current
    credential one of those keys signed, revoking it: after a key is
    compromised, or retired early.
    """
    with _exclusive(issuer):
        return _apply_register(issuer, records, now=now, rng=rng, progress=progress,
                               loader=loader, durable=durable,
                               reissue_signed_by=reissue_signed_by)


def _apply_register(issuer: Issuer, records: Sequence[MemberRecord], *,
                    now: datetime | str | None, rng: RandomSource, progress: bool,
                    loader: OfflineDocumentLoader | None, durable: bool,
                    reissue_signed_by: Sequence[str]) -> IssuanceReport:
    moment = as_datetime(now)
    stamp = format_timestamp(moment)
    d = issuer.definition
    assert d is not None
    loader = definition_loader(d, loader)
    out = issuer.out_dir
    entries = _read_log(issuer)
    plan = _plan(issuer, records, entries, frozenset(reissue_signed_by))
    lists = _reconcile(status_lists(issuer), entries)
    signing = [(kind, r) for kind, r, _ in plan if kind in ("issue", "reissue")]
    # Check every output before writing any, so a run never stops half-way on a
    # file that is in the way.
    known = {e.file for e in entries.values()}
    for _, record in signing:
        assert record is not None
        if not _FILE_SAFE.match(record.membership_number):
            raise IssuanceError("bad-membership-number",
                                f"{record.membership_number!r} cannot name a file")
        target = f"credentials/{record.membership_number}.json"
        if (out / target).exists() and target not in known:
            raise IssuanceError("credential-file-exists",
                                f"{out / target} exists and was not issued here; not overwriting",
                                path=str(out / target))
    # Indexes are taken, and saved as taken, before any credential uses them.
    indexes: dict[str, tuple[int, ...]] = {}
    if lists:
        for purpose in lists:
            lists[purpose], indexes[purpose] = allocate(lists[purpose], rng, len(signing))
        _save_lists(issuer, lists)
    for folder in ("credentials", "superseded"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    log = _Log(out / LOG_NAME)
    actions: list[Action] = []
    assert issuer.definition is not None  # Issuer.__post_init__ sets the default one
    signer = _BatchSigner(issuer.key, issuer.cryptosuite, stamp, loader, rng,
                          issuer.definition.mandatory_claims)
    bar = tqdm(total=len(signing), disable=not progress, desc="issuing", unit="credential")
    signed_count = 0
    try:
        if not entries:
            log.append({"event": "opened", "member": "", "format": LOG_FORMAT,
                        "issuer": issuer.did, "definition": d.context_url, "at": stamp})
        for kind, record, why in plan:
            if kind == "leave":
                actions.append(_revoke(issuer, lists, entries, why, log, stamp,
                                       reason="left the co-operative"))
                continue
            assert record is not None
            number = record.membership_number
            entry = entries.get(number)
            if kind == "unchanged":
                assert entry is not None
                actions.append(Action(number, "unchanged", entry.credential_id, entry.file))
                continue
            if kind in ("suspend", "unsuspend"):
                actions.append(_set_suspension(issuer, lists, entries, number, kind == "suspend",
                                               log, stamp, why, by="register"))
                continue
            status = {p: indexes[p][signed_count] for p in lists}
            signed_count += 1
            action, new_entry = _issue_one(issuer, record, entry, kind, status, lists, log,
                                           stamp, why, rng, signer)
            if entry is not None and kind == "reissue":
                old = _revoke(issuer, lists, entries, number, log, stamp,
                              reason="replaced by a new credential")
                action = replace(action, detail=f"{why}; the earlier credential is revoked"
                                 if "no status list" not in old.detail
                                 else f"{why}; the earlier one cannot be revoked (no status list)")
            entries[number] = new_entry
            actions.append(action)
            bar.update(1)
    finally:
        bar.close()
        log.close()
        if durable:
            os.sync()  # the credential files and directories, at once
        _save_lists(issuer, lists)
    published = _publish(issuer, lists, moment)
    return IssuanceReport(tuple(actions), issuer.did, str(out), published)


issue_batch = apply_register


def _issue_one(issuer: Issuer, record: MemberRecord, entry: LedgerEntry | None, kind: str,
               status: dict[str, int], lists: dict[str, StatusList], log: _Log, stamp: str,
               why: str, rng: RandomSource, signer: _BatchSigner) -> tuple[Action, LedgerEntry]:
    number = record.membership_number
    entries = [status_entry(lists[p], status[p]) for p in lists]
    unsigned = build_credential(issuer, record, credential_id=_credential_id(rng),
                                valid_from=stamp, status=entries)
    signed = signer.sign(unsigned)
    target = f"credentials/{number}.json"
    out = issuer.out_dir
    if entry is not None and (out / entry.file).exists() and entry.file == target:
        # The member's current file moves aside (never overwritten) before the new one lands.
        old_id = entry.credential_id.rsplit(":", 1)[-1]
        aside = f"superseded/{number}.{old_id}.json"
        os.link(out / entry.file, out / aside)  # fails rather than overwrite
        os.unlink(out / entry.file)
        log.append({"event": "superseded", "member": number, "credential_id": entry.credential_id,
                    "file": aside, "at": stamp})
    _write_new(out / target, _credential_bytes(signed))
    # The new credential keeps a suspension the issuer decided; the register's own
    # status column says whether the membership is suspended.
    by = ("register" if record.membership_status == "suspended"
          else "issuer" if entry is not None and not entry.revoked and entry.suspended
          and entry.suspended_by == "issuer" else "")
    suspended = bool(by) and "suspension" in lists
    if suspended:
        lists["suspension"] = set_status(lists["suspension"], status["suspension"], True)
    new_entry = LedgerEntry(
        member=number, credential_id=signed["id"], file=target, member_did=record.member_did,
        digest=_digest(issuer, record), claimed_status=record.membership_status,
        suspended=suspended, suspended_by=by if suspended else "", status=status, issued=stamp,
        replaced=(entry.replaced + (entry.credential_id,)) if entry else (),
        key_id=signed["proof"]["verificationMethod"],
    )
    log.append({"event": "issued", "member": number, "credential_id": signed["id"],
                "file": target, "member_did": record.member_did, "digest": new_entry.digest,
                "membership_status": record.membership_status, "suspended": suspended,
                "suspended_by": new_entry.suspended_by, "status": status, "at": stamp,
                "why": why, "key": new_entry.key_id})
    action = "issued" if kind == "issue" else "reissued"
    return Action(number, action, signed["id"], target, why), new_entry


def _revoke(issuer: Issuer, lists: dict[str, StatusList], entries: dict[str, LedgerEntry],
            number: str, log: _Log, stamp: str, *, reason: str) -> Action:
    entry = entries[number]
    index = entry.status.get("revocation")
    if "revocation" in lists and index is not None:
        lists["revocation"] = revoke(lists["revocation"], index)
        detail = reason
    else:
        detail = f"{reason} (no status list: the credential cannot be revoked, only forgotten)"
    log.append({"event": "revoked", "member": number, "credential_id": entry.credential_id,
                "reason": reason, "at": stamp})
    entries[number] = replace(entry, revoked=True)
    return Action(number, "revoked", entry.credential_id, entry.file, detail)


def _set_suspension(issuer: Issuer, lists: dict[str, StatusList], entries: dict[str, LedgerEntry],
                    number: str, suspended: bool, log: _Log, stamp: str, why: str, *,
                    by: str) -> Action:
    entry = entries[number]
    index = entry.status.get("suspension")
    if "suspension" not in lists or index is None:
        raise IssuanceError("no-status-list",
                            f"{number}'s credential has no suspension entry", path=number)
    lists["suspension"] = (suspend if suspended else unsuspend)(lists["suspension"], index)
    kind = "suspended" if suspended else "unsuspended"
    log.append({"event": kind, "member": number, "credential_id": entry.credential_id,
                "reason": why, "by": by, "at": stamp})
    entries[number] = replace(entry, suspended=suspended, suspended_by=by if suspended else "")
    return Action(number, kind, entry.credential_id, entry.file, why)


# --- one member at a time -----------------------------------------------------------------


def _one(issuer: Issuer, number: str, now: datetime | str | None, change) -> Action:
    with _exclusive(issuer):
        return _one_locked(issuer, number, now, change)


def _one_locked(issuer: Issuer, number: str, now: datetime | str | None, change) -> Action:
    moment = as_datetime(now)
    stamp = format_timestamp(moment)
    entries = _read_log(issuer)
    entry = entries.get(number)
    if entry is None:
        raise IssuanceError("unknown-member", f"no credential was issued to {number}", path=number)
    if entry.revoked:
        raise IssuanceError("member-revoked", f"{number}'s credential is revoked already",
                            path=number)
    lists = _reconcile(status_lists(issuer), entries)
    log = _Log(issuer.out_dir / LOG_NAME)
    try:
        action = change(lists, entries, log, stamp)
    finally:
        log.close()
        _save_lists(issuer, lists)
    _publish(issuer, lists, moment)
    return action


def revoke_member(issuer: Issuer, number: str, *, now: datetime | str | None = None,
                  reason: str = "revoked by the issuer") -> Action:
    """Revoke the member's current credential (permanent) and publish the list."""
    return _one(issuer, number, now, lambda lists, entries, log, stamp: _revoke(
        issuer, lists, entries, number, log, stamp, reason=reason))


def suspend_member(issuer: Issuer, number: str, *, now: datetime | str | None = None,
                   reason: str = "suspended by the issuer") -> Action:
    """Suspend the member's current credential (can be lifted) and publish the list.

    The suspension stays, through re-issues and later runs of the register,
    until ``unsuspend_member`` lifts it.
    """
    return _one(issuer, number, now, lambda lists, entries, log, stamp: _set_suspension(
        issuer, lists, entries, number, True, log, stamp, reason, by="issuer"))


def unsuspend_member(issuer: Issuer, number: str, *, now: datetime | str | None = None,
                     reason: str = "suspension lifted") -> Action:
    """Lift the suspension of the member's current credential and publish the list."""
    return _one(issuer, number, now, lambda lists, entries, log, stamp: _set_suspension(
        issuer, lists, entries, number, False, log, stamp, reason, by="issuer"))


def issued_frame(issuer: Issuer) -> pd.DataFrame:
    """The ledger as a DataFrame (one row per member: credential, state, indexes)."""
    import pandas as pd  # heavy: pandas, only for the ledger as a table (issuing needs none)

    rows = [{
        "member": e.member, "credential_id": e.credential_id,
        "state": "revoked" if e.revoked else "suspended" if e.suspended else "active",
        "issued": e.issued, "revocation_index": e.status.get("revocation"),
        "suspension_index": e.status.get("suspension"), "earlier": len(e.replaced),
    } for e in sorted(_read_log(issuer).values(), key=lambda e: e.member)]
    return pd.DataFrame(rows, columns=["member", "credential_id", "state", "issued",
                                       "revocation_index", "suspension_index", "earlier"])


__all__ = [
    "SAMPLE_COOP",
    "Action",
    "Cooperative",
    "IssuanceError",
    "IssuanceReport",
    "Issuer",
    "LedgerEntry",
    "apply_register",
    "build_credential",
    "issue_batch",
    "issued_frame",
    "ledger",
    "read_credential",
    "revoke_member",
    "status_lists",
    "suspend_member",
    "unsuspend_member",
]
