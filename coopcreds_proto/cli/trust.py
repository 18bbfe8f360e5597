"""``coopcreds trust`` and ``coopcreds recognise``: accreditations, recognitions, trust queries.

    $ coopcreds trust anchor --trust trust/ --framework https://body.example/gf \\
          --anchor did:web:body.example --name "Industry body framework"
    $ coopcreds trust accredit --trust trust/ --key body-key.json --subject did:web:coop.example \\
          --framework https://body.example/gf --type CooperativeMembershipCredential \\
          --from 2026-01-01 --until 2027-01-01 --state acc-status.json --registry registry/
    $ coopcreds trust revoke --trust trust/ --id urn:uuid:... --state acc-status.json \\
          --key body-key.json --registry registry/
    $ coopcreds trust query --trust trust/ --registry registry/ --issuer did:web:coop.example \\
          --type CooperativeMembershipCredential --framework https://body.example/gf
    $ coopcreds trust witness --trust trust/ --issuer did:web:coop.example --credential-id urn:uuid:...
    $ coopcreds recognise --trust trust/ --key g-key.json --framework https://g.example/gf \\
          --recognises https://body.example/gf --from 2026-01-01 --until 2028-01-01

The trust directory is described in :mod:`coopcreds_proto.trust.accreditation`. The
revocation entry of an accreditation lives in the authority's own status list
(create it with ``coopcreds status new``). Exit codes: 0 done (``query``:
trusted), 1 (``query``) not trusted, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from ..did_web import as_moment
from ..errors import InputError
from ..keys import AnySigningKey
from ..randomness import DEFAULT_RANDOM
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, utc_now
from ..trust.accreditation import (
    ACCREDITATIONS_DIR,
    add_anchor,
    credential_filename,
    issue_accreditation,
    issue_recognition,
    load_anchors,
    load_trust_dir,
    record_witnessed,
    save_trust_credential,
)
from ..trust.registry import ACCREDIT, ISSUE, Accreditation, Recognition, Witnessed
from ..vc.status_list import (
    StatusListError,
    load_status_list,
    publish_status_list,
    reserve_indexes,
    revoke,
    save_status_list,
    status_entry,
)
from ._common import (
    EXIT_OK,
    add_key_file_options,
    emit,
    load_signing_key,
    read_input,
    registry_to_read,
    registry_to_write,
)

if TYPE_CHECKING:  # pragma: no cover
    from datetime import datetime

EXIT_NOT_TRUSTED = 1


def _moment(value: str, option: str) -> datetime:
    """The date or date-time given to ``option``, as an aware datetime."""
    try:
        return as_moment(value, what=option)
    except InputError as exc:
        raise exc.with_context(option) from None


def _moment_or_now(value: str | None, option: str) -> datetime:
    """The date or date-time given to ``option``, or now if it was not given."""
    return utc_now() if value is None else _moment(value, option)


def _key(args: argparse.Namespace) -> AnySigningKey:
    return load_signing_key(args)


def _new_id() -> str:
    return f"urn:uuid:{uuid.UUID(bytes=DEFAULT_RANDOM.bytes(16), version=4)}"


def cmd_anchor(args: argparse.Namespace) -> int:
    path = add_anchor(args.trust, args.framework, args.anchor, name=args.name)
    emit(f"{args.framework} anchored by {', '.join(sorted(set(args.anchor)))} in {path}")
    return EXIT_OK


def _status_entry(args: argparse.Namespace, authority: str) -> dict | None:
    if args.state is None:
        return None

    if args.registry is None:
        raise InputError("missing-option", "--state needs --registry (where the list is published)",
                         path="--registry")
    status_list = load_status_list(args.state)
    if status_list.issuer != authority:
        raise InputError("status-list-not-yours",
                         f"{args.state} belongs to {status_list.issuer}, not to the accrediting"
                         f" authority {authority}: revocation must be in its own list",
                         path=args.state)
    if status_list.purpose != "revocation":
        raise StatusListError("wrong-purpose", f"{args.state} is a {status_list.purpose} list;"
                              " accreditations need a revocation list", path=args.state)
    registry = registry_to_read(args.registry)
    assert registry is not None  # --registry was checked above
    if not registry.has(status_list.url):
        raise InputError("status-list-unpublished", f"{status_list.url} is not published in"
                         f" {args.registry}; run coopcreds status new first", path=status_list.url)
    (index,) = reserve_indexes(args.state, 1, DEFAULT_RANDOM)
    return status_entry(load_status_list(args.state), index)


def cmd_accredit(args: argparse.Namespace) -> int:
    key = _key(args)
    if args.max_chain and not args.may_accredit:
        raise InputError("bad-option", "--max-chain needs --may-accredit", path="--max-chain")
    permissions = ({ACCREDIT} if args.may_accredit else set()) | (
        set() if args.no_issue else {ISSUE})
    if not permissions:
        raise InputError("bad-option", "--no-issue without --may-accredit grants nothing",
                         path="--no-issue")
    acc = Accreditation(
        id=args.id or _new_id(), accreditor=key.controller, subject=args.subject,
        framework=args.framework, permissions=frozenset(permissions),
        credential_types=frozenset(args.type), valid_from=_moment(args.valid_from, "--from"),
        valid_until=_moment(args.valid_until, "--until"),
        regions=frozenset(args.region) if args.region else None,
        sectors=frozenset(args.sector) if args.sector else None, max_chain=args.max_chain)
    entry = _status_entry(args, key.controller)
    signed = issue_accreditation(acc, key, status_entry=entry,
                                 now=_moment_or_now(args.now, "--now"))
    path = save_trust_credential(args.trust, signed)
    emit(f"{acc.id} written to {path}")
    return EXIT_OK


def _find(directory: str, credential_id: str) -> dict:
    path = Path(directory) / ACCREDITATIONS_DIR / credential_filename({"id": credential_id})
    if not path.is_file():
        raise InputError("unknown-accreditation",
                         f"no accreditation {credential_id} in {directory}", path=str(path))
    return loads_strict(read_input(str(path), what="accreditation"))


def cmd_revoke(args: argparse.Namespace) -> int:
    doc = _find(args.trust, args.id)
    status_list = load_status_list(args.state)
    entry = doc.get("credentialStatus")
    if not isinstance(entry, dict) or entry.get("statusListCredential") != status_list.url:
        raise InputError("no-status-entry",
                         f"{args.id} has no revocation entry in {status_list.url}",
                         path="$.credentialStatus")
    try:
        index = int(entry["statusListIndex"])
    except (KeyError, TypeError, ValueError):
        raise InputError("no-status-entry", f"{args.id}: statusListIndex is not an index",
                         path="$.credentialStatus.statusListIndex") from None
    key = _key(args)
    changed = revoke(status_list, index)
    # Save first: if publishing fails, running the command again publishes it.
    save_status_list(changed, args.state, overwrite=True)
    moment = _moment_or_now(args.now, "--now")
    publish_status_list(changed, key, registry_to_write(args.registry),
                        valid_from=format_timestamp(moment))
    emit(f"{args.id} revoked (index {index}); {status_list.url} republished,"
         f" revoked from {format_timestamp(moment)}")
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    now = _moment_or_now(args.now, "--now")
    at = now if args.at is None else _moment(args.at, "--at")
    load = load_trust_dir(args.trust, now=now, registry=registry_to_read(args.registry))
    answer = load.trusted(args.issuer, args.type, args.framework, at, region=args.region,
                          sector=args.sector, credential_id=args.credential_id,
                          honour_witnessed=args.honour_witnessed)
    registry = load.registry
    if args.json:
        emit(json.dumps({
            "trusted": answer.trusted,
            "issuer": args.issuer,
            "issuerName": registry.name_of(args.issuer),
            "framework": answer.framework,
            "frameworkName": registry.name_of(answer.framework) if answer.framework else None,
            "chain": [link.describe() for link in answer.chain],
            "reasons": list(answer.reasons),
            "rejected": [{"source": r.source, "reasons": list(r.reasons)}
                         for r in load.rejected],
        }, indent=2))
    else:
        emit(answer.explain())
    return EXIT_OK if answer.trusted else EXIT_NOT_TRUSTED


def cmd_witness(args: argparse.Namespace) -> int:
    seen = _moment_or_now(args.at, "--at")
    path = record_witnessed(args.trust, Witnessed(args.issuer, args.credential_id, seen))
    emit(f"{args.credential_id} of {args.issuer} witnessed; logged in {path}")
    return EXIT_OK


def cmd_recognise(args: argparse.Namespace) -> int:
    key = _key(args)
    anchors, _ = load_anchors(args.trust)
    if key.controller not in anchors.get(args.framework, frozenset()):
        raise InputError("not-an-anchor", f"{key.controller} is not an anchor of"
                         f" {args.framework} in {args.trust}: only an anchor may recognise"
                         " another framework for it", path="--key")
    rec = Recognition(args.framework, args.recognises, args.transitive,
                      valid_from=_moment(args.valid_from, "--from"),
                      valid_until=_moment(args.valid_until, "--until"),
                      credential_types=frozenset(args.type) if args.type else None,
                      id=args.id or _new_id())
    signed = issue_recognition(rec, key, now=_moment_or_now(args.now, "--now"))
    path = save_trust_credential(args.trust, signed)
    emit(f"{rec.describe()} written to {path}")
    return EXIT_OK


def _key_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", required=True, help="the signing key file")
    parser.add_argument("--passphrase-file", help="file whose first line opens the key file")
    add_key_file_options(parser)
    parser.add_argument("--now", help="the signing time (default: now)")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``trust anchor|accredit|revoke|query|witness`` and ``recognise`` to ``commands``."""
    trust = commands.add_parser(
        "trust", help="trust registry: anchors, accreditations, revocation, queries",
        description="Accreditations of designated issuers as signed credentials in a trust "
        "directory, revocable through the authority's status list, and trust queries.")
    actions = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")

    anchor = actions.add_parser("anchor", help="add a governance framework and its anchors")
    anchor.add_argument("--trust", required=True, metavar="DIR", help="the trust directory")
    anchor.add_argument("--framework", required=True, metavar="URL")
    anchor.add_argument("--anchor", required=True, action="append", metavar="DID",
                        help="a governance authority DID (repeatable)")
    anchor.add_argument("--name", help="the framework's display name")
    anchor.set_defaults(func=cmd_anchor)

    acc = actions.add_parser("accredit", help="sign an accreditation into the trust directory")
    acc.add_argument("--trust", required=True, metavar="DIR", help="the trust directory")
    _key_options(acc)
    acc.add_argument("--subject", required=True, metavar="DID", help="the party accredited")
    acc.add_argument("--framework", required=True, metavar="URL")
    acc.add_argument("--type", required=True, action="append", metavar="T",
                     help="a credential type it covers (repeatable)")
    acc.add_argument("--region", action="append", help="limit to a region (repeatable)")
    acc.add_argument("--sector", action="append", help="limit to a sector (repeatable)")
    acc.add_argument("--from", dest="valid_from", required=True, metavar="DATE")
    acc.add_argument("--until", dest="valid_until", required=True, metavar="DATE")
    acc.add_argument("--may-accredit", action="store_true", help="the subject may accredit others")
    acc.add_argument("--no-issue", action="store_true", help="accredit only, not issue")
    acc.add_argument("--max-chain", type=int, default=0, metavar="N",
                     help="links that may follow this one (with --may-accredit)")
    acc.add_argument("--id", help="the accreditation id (default: a new urn:uuid)")
    acc.add_argument("--state", help="the authority's revocation status list state file")
    acc.add_argument("--registry", metavar="DIR", help="where that list is published")
    acc.set_defaults(func=cmd_accredit)

    rev = actions.add_parser("revoke", help="revoke an accreditation in the authority's list")
    rev.add_argument("--trust", required=True, metavar="DIR", help="the trust directory")
    rev.add_argument("--id", required=True, help="the accreditation id")
    rev.add_argument("--state", required=True, help="the authority's status list state file")
    rev.add_argument("--registry", required=True, metavar="DIR")
    _key_options(rev)
    rev.set_defaults(func=cmd_revoke)

    query = actions.add_parser("query", help="is this issuer trusted for this type?")
    query.add_argument("--trust", required=True, metavar="DIR", help="the trust directory")
    query.add_argument("--registry", required=True, metavar="DIR",
                       help="the local registry (status lists, did:web documents)")
    query.add_argument("--issuer", required=True, metavar="DID")
    query.add_argument("--type", required=True, metavar="T")
    query.add_argument("--framework", required=True, action="append", metavar="URL",
                       help="a framework the verifier trusts (repeatable)")
    query.add_argument("--region")
    query.add_argument("--sector")
    query.add_argument("--credential-id", metavar="ID", help="the credential asked about")
    query.add_argument("--honour-witnessed", action="store_true",
                       help="honour a credential the issuance log saw before a revocation")
    query.add_argument("--at", metavar="DATE", help="the time asked about (default: now)")
    query.add_argument("--now", help="verify the trust credentials as of (default: now)")
    query.add_argument("--json", action="store_true", help="machine-readable output")
    query.set_defaults(func=cmd_query)

    witness = actions.add_parser("witness", help="log a credential the registry has seen")
    witness.add_argument("--trust", required=True, metavar="DIR", help="the trust directory")
    witness.add_argument("--issuer", required=True, metavar="DID")
    witness.add_argument("--credential-id", required=True, metavar="ID")
    witness.add_argument("--at", metavar="DATE", help="when it was seen (default: now)")
    witness.set_defaults(func=cmd_witness)

    rec = commands.add_parser(
        "recognise", help="sign a recognition of another framework into a trust directory",
        description="An anchor of framework G signs that G recognises framework H "
        "(optionally transitively, for some types, within dates).")
    rec.add_argument("--trust", required=True, metavar="DIR", help="the trust directory")
    _key_options(rec)
    rec.add_argument("--framework", required=True, metavar="G", help="the recognising framework")
    rec.add_argument("--recognises", required=True, metavar="H", help="the recognised framework")
    rec.add_argument("--transitive", action="store_true",
                     help="G also recognises what H recognises")
    rec.add_argument("--type", action="append", metavar="T", help="only for these types")
    rec.add_argument("--from", dest="valid_from", required=True, metavar="DATE")
    rec.add_argument("--until", dest="valid_until", required=True, metavar="DATE")
    rec.add_argument("--id", help="the recognition id (default: a new urn:uuid)")
    rec.set_defaults(func=cmd_recognise)
