"""``coopcreds status``: an issuer's status lists, and a verifier's status check.

    $ coopcreds status new https://coop.example/status/1 --state status-1.json \\
          --key coop-key.json --registry registry/
    $ coopcreds status allocate --state status-1.json          # a credentialStatus entry
    $ coopcreds status revoke --state status-1.json --index 94567 \\
          --key coop-key.json --registry registry/
    $ coopcreds status suspend|unsuspend ...                   # on a suspension list
    $ coopcreds status check signed.json --registry registry/

The state file holds the list and which indexes are taken; it is saved before
the list is republished, so a list in the registry never shows less than the
issuer decided. ``check`` reads only the status (the list's proof, issuer,
purpose, freshness and the bit); ``coopcreds verify --registry`` checks all.
Exit codes: 0 done (for ``check``: no entry revoked, suspended or unknown),
1 (``check``) a status that does not pass, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json

from ..errors import CoopCredsError, InputError
from ..randomness import DEFAULT_RANDOM
from ..safe_json import loads_strict
from ..timestamps import format_timestamp, parse_timestamp, utc_now
from ..vc.status_list import (
    MIN_ENTRIES,
    PURPOSES,
    StatusList,
    load_status_list,
    new_status_list,
    publish_status_list,
    reserve_indexes,
    revoke,
    save_status_list,
    status_entry,
    suspend,
    unsuspend,
)
from ..vc.verification import read_status
from ._common import (
    EXIT_NOT_VERIFIED,
    EXIT_OK,
    add_key_file_options,
    emit,
    input_label,
    load_signing_key,
    not_json,
    read_input,
    registry_to_read,
    registry_to_write,
)

ACTIONS = {"revoke": revoke, "suspend": suspend, "unsuspend": unsuspend}


def _timestamp(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return format_timestamp(parse_timestamp(value))
    except InputError as exc:
        raise exc.with_context(option) from None


def _publish(args: argparse.Namespace, status_list: StatusList) -> dict:
    key = load_signing_key(args)
    valid_from = _timestamp(args.now, "--now") or format_timestamp(utc_now())
    return publish_status_list(
        status_list,
        key,
        registry_to_write(args.registry),
        valid_from=valid_from,
        valid_until=_timestamp(args.valid_until, "--valid-until"),
        ttl=args.ttl,
    )


def _read_json(name: str) -> dict:
    data = read_input(name, what="credential")
    try:
        document = loads_strict(data)
    except CoopCredsError as exc:
        raise not_json(name, exc) from None
    if not isinstance(document, dict):
        raise InputError(
            "not-an-object", f"{input_label(name)}: not a credential (not a JSON object)"
        )
    return document


def cmd_new(args: argparse.Namespace) -> int:
    key = load_signing_key(args)
    status_list = new_status_list(args.url, key.controller, args.purpose, length=args.length)
    if registry_to_write(args.registry).has(args.url):
        raise InputError(
            "already-published", f"a document is already published at {args.url}", path=args.url
        )
    save_status_list(status_list, args.state)  # refuses to overwrite an existing state file
    _publish(args, status_list)
    emit(f"{args.purpose} list of {status_list.length:,} entries published at {args.url}")
    return EXIT_OK


def cmd_allocate(args: argparse.Namespace) -> int:
    indexes = reserve_indexes(args.state, args.count, DEFAULT_RANDOM)
    status_list = load_status_list(args.state)
    entries = [status_entry(status_list, i) for i in indexes]
    emit(json.dumps(entries[0] if len(entries) == 1 else entries, indent=2))
    return EXIT_OK


def _index_of(args: argparse.Namespace, status_list: StatusList) -> int:
    if args.index is not None:
        return args.index
    credential = _read_json(args.credential)
    entries = credential.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        if (
            isinstance(entry, dict)
            and entry.get("statusListCredential") == status_list.url
            and entry.get("statusPurpose") == status_list.purpose
        ):
            try:
                return int(entry["statusListIndex"])
            except (KeyError, TypeError, ValueError):
                break
    raise InputError(
        "no-status-entry",
        f"{args.credential} has no {status_list.purpose} entry in {status_list.url}",
    )


def cmd_change(args: argparse.Namespace) -> int:
    status_list = load_status_list(args.state)
    index = _index_of(args, status_list)
    changed = ACTIONS[args.action](status_list, index)
    # Save first: if publishing fails, running the command again publishes it.
    save_status_list(changed, args.state, overwrite=True)
    _publish(args, changed)
    done = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "unsuspended"}[args.action]
    emit(f"index {index} {done}; {status_list.url} republished")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    credential = _read_json(args.file)
    now = _timestamp(args.now, "--now")
    results = read_status(credential, registry=registry_to_read(args.registry), now=now)
    ok = all(r.ok for r in results)
    if args.json:
        emit(json.dumps({
            "ok": ok,
            "entries": [
                {"statusListCredential": r.list_url, "statusListIndex": r.index,
                 "statusPurpose": r.purpose, "ok": r.ok, "code": r.code, "message": r.message}
                for r in results
            ],
        }, indent=2))
    elif not results:
        emit("no credentialStatus: nothing to revoke")
    else:
        for r in results:
            emit(f"{'ok' if r.ok else 'FAIL':<4}  {r.message}")
    return EXIT_OK if ok else EXIT_NOT_VERIFIED


def _signing_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", required=True, help="the issuer's key file")
    parser.add_argument("--passphrase-file", help="file whose first line opens the key file")
    add_key_file_options(parser)
    parser.add_argument("--registry", required=True,
                        help="the local registry directory (created if missing)")
    parser.add_argument("--now", help="validFrom of the published list (default: now)")
    parser.add_argument("--valid-until", help="validUntil of the published list")
    parser.add_argument("--ttl", type=int, help="ttl of the published list, in milliseconds")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``status new|allocate|revoke|suspend|unsuspend|check`` to ``commands``."""
    status = commands.add_parser(
        "status",
        help="status lists: create, allocate, revoke, suspend, check",
        description="Bitstring Status List v1.0: an issuer's revocation and suspension "
        "lists, published in a local registry, and a verifier's status check.",
    )
    actions = status.add_subparsers(dest="status_command", required=True, metavar="ACTION")

    new = actions.add_parser("new", help="create a status list and publish it")
    new.add_argument("url", help="the URL the list is published at (https)")
    new.add_argument("--state", required=True, help="file to keep the list and its indexes in")
    new.add_argument("--purpose", choices=PURPOSES, default="revocation")
    new.add_argument("--length", type=int, default=MIN_ENTRIES,
                     help=f"number of entries (at least {MIN_ENTRIES:,})")
    _signing_options(new)
    new.set_defaults(func=cmd_new)

    allocate = actions.add_parser(
        "allocate", help="take random unused indexes; print their credentialStatus entries"
    )
    allocate.add_argument("--state", required=True, help="the list's state file")
    allocate.add_argument("--count", type=int, default=1)
    allocate.set_defaults(func=cmd_allocate)

    for action, text in (("revoke", "revoke an index (permanent)"),
                         ("suspend", "suspend an index"),
                         ("unsuspend", "lift the suspension of an index")):
        change = actions.add_parser(action, help=text + " and republish the list")
        change.add_argument("--state", required=True, help="the list's state file")
        which = change.add_mutually_exclusive_group(required=True)
        which.add_argument("--index", type=int, help="the status list index")
        which.add_argument("--credential", help="a credential whose entry in this list to use")
        _signing_options(change)
        change.set_defaults(func=cmd_change, action=action)

    check = actions.add_parser(
        "check", help="read a credential's status from the registry (not its signature)"
    )
    check.add_argument("file", help="the credential (JSON file, - for stdin)")
    check.add_argument("--registry", required=True, help="the local registry directory")
    check.add_argument("--now", help="check as of this time (xsd:dateTimeStamp)")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(func=cmd_check)

