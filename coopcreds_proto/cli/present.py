"""``coopcreds present``: sign a presentation of credentials for a verifier's challenge and domain.

    $ coopcreds present --key member-key.json --challenge C --domain https://coop.example \\
          membership.json > presentation.json
    $ coopcreds verify presentation.json --challenge C --domain https://coop.example

The holder is the key's DID (``--holder`` names it explicitly and must match).
The signed presentation goes to stdout.
"""

from __future__ import annotations

import argparse
import json

from ..cryptosuites import CRYPTOSUITES
from ..errors import InputError
from ..vc.presentations import present
from ._common import (
    EXIT_OK,
    add_key_file_options,
    checked_timestamp,
    load_signing_key,
    read_credential,
)


def cmd_present(args: argparse.Namespace) -> int:
    created = checked_timestamp(args.created, "--created")
    credentials = []
    for name in args.files:
        credentials.append(read_credential(name))
    key = load_signing_key(args)
    if args.holder is not None and args.holder != key.controller:
        raise InputError(
            "holder-key-mismatch",
            f"--holder {args.holder} is not the DID of the key ({key.controller})",
        )
    signed = present(
        credentials,
        key,
        challenge=args.challenge,
        domain=args.domain,
        holder=args.holder,
        created=created,
        cryptosuite=args.suite,
    )
    print(json.dumps(signed, indent=2))
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``present`` to the top-level command list."""
    pres = commands.add_parser(
        "present",
        help="sign a presentation of credentials for a challenge and domain",
        description="Wrap signed credentials in a VerifiablePresentation and sign it with the "
        "holder's key (proof purpose authentication, bound to the verifier's challenge and "
        "domain). The signed presentation is written to stdout.",
    )
    pres.add_argument("files", nargs="+", metavar="VC.json", help="signed credentials ('-': stdin)")
    pres.add_argument("--key", required=True, metavar="FILE", help="the holder's key file")
    pres.add_argument(
        "--passphrase-file", metavar="FILE", help="passphrase (first line) of an encrypted key file"
    )
    add_key_file_options(pres)
    pres.add_argument("--challenge", required=True, help="the challenge the verifier gave you")
    pres.add_argument("--domain", required=True, help="the verifier's domain")
    pres.add_argument("--holder", metavar="DID", help="the holder DID (default: the key's DID)")
    pres.add_argument(
        "--suite", choices=sorted(CRYPTOSUITES), default="eddsa-rdfc-2022", help="the cryptosuite"
    )
    pres.add_argument(
        "--created", metavar="ISO", help="the proof's creation time (default: now)"
    )
    pres.set_defaults(func=cmd_present)
