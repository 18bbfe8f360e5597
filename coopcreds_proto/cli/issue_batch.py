"""``coopcreds issue-batch``: membership credentials for every member of a register.

    $ coopcreds issue-batch members.csv --key coop.key --coop coop.json --out issued/ \\
          --status-list https://coop.example/status --registry registry/

The register is checked first (every problem, by row and column; nothing is
issued from a bad file). Run it again after the register changes: new members
get a credential, changed members a new one (the old one revoked), members who
left are revoked, suspended members suspended. ``--coop FILE`` describes the
co-operative (JSON: name, registered_identifier, jurisdiction,
cooperative_type, and optionally sector, display_name); ``--sample-coop`` uses
the demo co-op instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from pathlib import Path

from ..bounded_read import read_bounded
from ..cryptosuites import CRYPTOSUITES
from ..errors import CoopCredsError, InputError
from ..issuer.batch import SAMPLE_COOP, Cooperative, Issuer, apply_register
from ..issuer.member_register import RegisterError, read_register
from ..safe_json import loads_strict
from ..timestamps import as_datetime
from ._common import (
    EXIT_OK,
    MAX_SMALL_FILE_BYTES,
    add_key_file_options,
    checked_timestamp,
    load_signing_key,
    not_json,
    registry_to_write,
)

_COOP_KEYS = {"name", "registered_identifier", "jurisdiction", "cooperative_type", "sector",
              "display_name"}


def _coop(path: str | None, sample: bool) -> Cooperative:
    if sample:
        return SAMPLE_COOP
    if path is None:
        raise InputError("coop-missing", "say which co-operative issues: --coop FILE "
                         "(or --sample-coop for a demo)")
    raw = read_bounded(path, MAX_SMALL_FILE_BYTES, what="co-operative file")
    try:
        data = loads_strict(raw)
    except CoopCredsError as exc:
        raise not_json(path, exc) from None
    if not isinstance(data, dict):
        raise InputError("bad-coop", f"{path}: must be a JSON object", path=path)
    unknown = sorted(set(data) - _COOP_KEYS)
    if unknown:
        raise InputError("bad-coop", f"{path}: unknown keys {', '.join(unknown)} (known: "
                         f"{', '.join(sorted(_COOP_KEYS))})", path=path)
    required = ("name", "registered_identifier", "jurisdiction", "cooperative_type")
    missing = [k for k in required if not isinstance(data.get(k), str) or not data[k].strip()]
    if missing:
        raise InputError("bad-coop", f"{path}: missing {', '.join(missing)}", path=path)
    return Cooperative(**data)


def cmd_issue_batch(args: argparse.Namespace) -> int:
    created = checked_timestamp(args.created, "--created")
    moment = as_datetime(created)
    coop = _coop(args.coop, args.sample_coop)
    try:
        records = read_register(args.register, as_of=moment.date())  # before touching anything
    except RegisterError as err:
        for problem in err.problems:  # every one, so the register can be fixed in one go
            print(f"  {problem}", file=sys.stderr)
        raise
    if args.valid_days is not None and args.valid_days < 0:
        raise InputError("bad-valid-days", "--valid-days must be 0 (no end date) or more")
    key = load_signing_key(args)
    issuer = Issuer(
        key, coop, Path(args.out),
        status_base=args.status_list,
        registry=registry_to_write(args.registry) if args.registry else None,
        cryptosuite=args.suite,
        valid_for=timedelta(days=args.valid_days) if args.valid_days else None,
        omit=tuple(args.omit or ()),
    )
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    report = apply_register(issuer, records, now=moment, progress=progress)
    if args.json:
        print(json.dumps({
            "issuer": report.issuer_did, "out": report.out_dir, "counts": report.counts,
            "published": list(report.published),
            "actions": [a.to_record() for a in report.actions],
        }, indent=2))
    else:
        print(str(report))
        if args.status_list and not args.registry:
            print("Status lists saved in the output directory, not published (no --registry).")
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``issue-batch`` to the top-level command parser."""
    cmd = commands.add_parser(
        "issue-batch",
        help="issue membership credentials to every member of a register (CSV)",
        description=__doc__.split("\n\n", 2)[2] if __doc__ else None,
    )
    cmd.add_argument("register", metavar="REGISTER.csv",
                     help="the member register (columns: see data/registers/README.md)")
    cmd.add_argument("--key", metavar="FILE", required=True, help="the co-op's key file")
    cmd.add_argument("--passphrase-file", metavar="FILE",
                     help="passphrase (first line) of an encrypted key file")
    add_key_file_options(cmd)
    cmd.add_argument("--out", metavar="DIR", required=True,
                     help="the issuer's directory (credentials, status lists, log)")
    coop = cmd.add_mutually_exclusive_group()
    coop.add_argument("--coop", metavar="FILE", help="the issuing co-operative, as JSON")
    coop.add_argument("--sample-coop", action="store_true",
                      help="issue as the demo co-op (Riverside Food Co-operative)")
    cmd.add_argument("--registry", metavar="DIR",
                     help="publish the signed status lists in this local registry")
    cmd.add_argument("--status-list", metavar="URL",
                     help="base https URL of the status lists (URL/revocation, URL/suspension);"
                     " without it credentials cannot be revoked")
    cmd.add_argument("--suite", choices=sorted(CRYPTOSUITES), default="eddsa-rdfc-2022")
    cmd.add_argument("--created", metavar="ISO",
                     help="the issuing time (validFrom, proof created; default: now)")
    cmd.add_argument("--valid-days", type=int, default=365, metavar="N",
                     help="days until validUntil (default 365; 0: no end date)")
    cmd.add_argument("--omit", action="append", metavar="TERM",
                     help="leave a personal field out of the credentials (e.g. name); repeatable")
    bar = cmd.add_mutually_exclusive_group()
    bar.add_argument("--progress", dest="progress", action="store_true", default=None,
                     help="show a progress bar (default: when stderr is a terminal)")
    bar.add_argument("--no-progress", dest="progress", action="store_false")
    cmd.add_argument("--json", action="store_true", help="print what was done as JSON")
    cmd.set_defaults(func=cmd_issue_batch)
