"""``coopcreds did web``: did:web identities in a local registry, and their keys over time.

    $ coopcreds did web new did:web:riverside.example --registry reg --out key-1.json
    did:web:riverside.example#key-1
    $ coopcreds did web add-key did:web:riverside.example --registry reg --out key-2.json
    did:web:riverside.example#key-2
    $ coopcreds did web retire-key did:web:riverside.example#key-1 --from 2026-03-01 --registry reg
    $ coopcreds did web compromised did:web:riverside.example#key-2 --from 2026-04-01 --registry reg
    $ coopcreds did web keys did:web:riverside.example --registry reg
    $ coopcreds did resolve did:web:riverside.example --registry reg

``register(did_commands)`` adds ``web`` under the ``did`` group and an optional
``--registry`` to ``did resolve`` (did:key resolves as before without one).
Exit codes: 0 success, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..did_key import resolve_did_key
from ..did_web import (
    add_key,
    create_did_web,
    did_web_document,
    key_history,
    mark_key_compromised,
    retire_key,
)
from ..errors import KeyMaterialError
from ..keys import AnySigningKey, save_key
from ..local_registry import LocalRegistry
from ..randomness import DEFAULT_RANDOM
from ._common import EXIT_OK, emit, read_passphrase, registry_to_read, registry_to_write


def _check_out(path: str) -> None:
    # Before the DID document changes: a key published but never saved is lost.
    if Path(path).exists():
        raise KeyMaterialError("key-file-exists", f"{path} exists already", path=path)


def _save(key: AnySigningKey, out: str, passphrase: str | None) -> None:
    try:
        save_key(key, out, passphrase=passphrase)
    except (KeyMaterialError, OSError) as exc:
        raise KeyMaterialError(
            "key-not-saved",
            f"{key.id} was published but its key file {out} could not be written ({exc});"
            " mark it compromised and add another key",
            path=out,
        ) from None


def cmd_new(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file)
    _check_out(args.out)
    key = create_did_web(args.did, registry_to_write(args.registry), rng=DEFAULT_RANDOM)
    _save(key, args.out, passphrase)
    emit(key.id)
    return EXIT_OK


def cmd_add_key(args: argparse.Namespace) -> int:
    passphrase = read_passphrase(args.passphrase_file)
    _check_out(args.out)
    key = add_key(args.did, _existing(args.registry), rng=DEFAULT_RANDOM)
    _save(key, args.out, passphrase)
    emit(key.id)
    return EXIT_OK


def _print_keys(did: str, registry: LocalRegistry) -> None:
    for record in key_history(did, registry):
        emit(f"{record.id}  {record.status}")


def _existing(path: str) -> LocalRegistry:
    """The registry at ``path``, which must exist: these commands change published documents."""
    registry = registry_to_read(path)
    assert registry is not None  # --registry is required
    return registry


def cmd_retire(args: argparse.Namespace) -> int:
    registry = _existing(args.registry)
    retire_key(args.vm_id, registry, from_=args.from_)
    _print_keys(args.vm_id.split("#", 1)[0], registry)
    return EXIT_OK


def cmd_compromised(args: argparse.Namespace) -> int:
    registry = _existing(args.registry)
    mark_key_compromised(args.vm_id, registry, from_=args.from_)
    _print_keys(args.vm_id.split("#", 1)[0], registry)
    return EXIT_OK


def cmd_keys(args: argparse.Namespace) -> int:
    _print_keys(args.did, _existing(args.registry))
    return EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    if args.registry is not None and args.did.startswith("did:web:"):
        document = did_web_document(args.did, _existing(args.registry))
    else:
        document = resolve_did_key(args.did)
    emit(json.dumps(document, indent=2))
    return EXIT_OK


def register(did_commands: argparse._SubParsersAction) -> None:
    """Add ``web ...`` to the ``did`` command group and ``--registry`` to ``did resolve``."""
    resolve = did_commands.choices["resolve"]
    resolve.description = "Resolve a did:key offline, or a did:web from a local registry."
    resolve.add_argument(
        "--registry",
        metavar="DIR",
        help="the local registry that did:web DID documents are read from",
    )
    resolve.set_defaults(func=cmd_resolve)

    web = did_commands.add_parser(
        "web",
        help="did:web identities in a local registry: create, add, retire, compromise keys",
        description="Keep a did:web identity's DID document in a local registry (no network). "
        "Every change rewrites the document atomically and keeps every earlier key.",
    )
    sub = web.add_subparsers(dest="did_web_command", required=True, metavar="COMMAND")

    def registry_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--registry", required=True, metavar="DIR",
            help="the local registry directory (created by `did web new`)",
        )

    def key_file_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--out", required=True, metavar="KEYFILE", help="the key file to write")
        parser.add_argument(
            "--passphrase-file",
            metavar="FILE",
            help="encrypt the secret key with the passphrase on the first line of FILE",
        )

    new = sub.add_parser(
        "new",
        help="create a did:web DID with its first key (#key-1)",
        description="Publish a new DID document with one Ed25519 key (random, from the "
        "operating system) and write the key file; prints the key's id.",
    )
    new.add_argument("did", metavar="DID")
    registry_option(new)
    key_file_options(new)
    new.set_defaults(func=cmd_new)

    add = sub.add_parser(
        "add-key",
        help="add a new key (#key-N) to a did:web DID",
        description="Add a new Ed25519 key to the DID document; earlier keys stay listed.",
    )
    add.add_argument("did", metavar="DID")
    registry_option(add)
    key_file_options(add)
    add.set_defaults(func=cmd_add_key)

    retire = sub.add_parser(
        "retire-key",
        help="retire a key from a date (proofs created after it are refused)",
        description="Set the key's `expires`: proofs it made before that time still verify.",
    )
    retire.add_argument("vm_id", metavar="VM_ID")
    retire.add_argument(
        "--from", dest="from_", required=True, metavar="ISO", help="e.g. 2026-03-01 or a date-time"
    )
    registry_option(retire)
    retire.set_defaults(func=cmd_retire)

    compromised = sub.add_parser(
        "compromised",
        help="declare a key compromised from a date",
        description="Set the key's `revoked`: verifiers refuse everything it signed, or "
        "(if their policy trusts earlier signatures) what it signed from that time on.",
    )
    compromised.add_argument("vm_id", metavar="VM_ID")
    compromised.add_argument(
        "--from", dest="from_", required=True, metavar="ISO", help="e.g. 2026-04-01 or a date-time"
    )
    registry_option(compromised)
    compromised.set_defaults(func=cmd_compromised)

    keys = sub.add_parser("keys", help="list a did:web DID's keys and their standing")
    keys.add_argument("did", metavar="DID")
    registry_option(keys)
    keys.set_defaults(func=cmd_keys)
