"""``coopcreds service``: run the issuer and verifier service, manage its tokens, read its audit log.

    $ coopcreds service serve --config service.yaml                 # 127.0.0.1:8700
    $ coopcreds service serve --config service.yaml --port 0 --workers 2
    $ coopcreds service serve --config service.yaml --certfile cert.pem --keyfile key.pem
    $ coopcreds service token new --config service.yaml --issuer riverside --label "members db"
    $ coopcreds service token list --config service.yaml
    $ coopcreds service token revoke --config service.yaml 5f3a...
    $ coopcreds service audit --config service.yaml [--since ID] [--json]

``serve`` listens on loopback unless ``--host`` names another address; it
binds the port itself (``--port 0``: any free one) and prints the service's
URL as its first line before the workers start. ``token new`` prints the
token once: only its hash is kept. Exit codes: 0 done, 2 unusable input
(one line, no traceback).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import socket
import sqlite3
import sys
from datetime import timedelta
from typing import Any

from ..database import open_database
from ..errors import InputError
from ..listening import listening_socket
from ..service.audit import audit_events
from ..service.config import CONFIG_VARIABLE, LOG_LEVEL_VARIABLE, ServiceConfig, load_config
from ..service.schema import SERVICE_SCHEMA
from ..service.tokens import create_token, issuer_scopes, list_tokens, revoke_token
from ..timestamps import format_timestamp, shifted, utc_now
from ._common import EXIT_OK, checked_timestamp, emit

DEFAULT_PORT = 8700
MAX_WORKERS = 16
WORKER_START_S = 60


def _config(args: argparse.Namespace) -> ServiceConfig:
    return load_config(args.config)


def cmd_serve(args: argparse.Namespace) -> int:
    config = _config(args)
    if bool(args.certfile) != bool(args.keyfile):
        raise InputError("bad-tls-files", "--certfile and --keyfile go together")
    for option, name in (("--certfile", args.certfile), ("--keyfile", args.keyfile)):
        if name and not os.path.isfile(name):
            raise InputError("bad-tls-files", f"{option}: {name} is not a file", path=name)
    if not 0 <= args.port <= 65535:
        raise InputError("bad-port", f"--port must be from 0 to 65535, not {args.port}")
    if not 1 <= args.workers <= MAX_WORKERS:
        raise InputError("bad-count", f"--workers must be from 1 to {MAX_WORKERS}")
    # Open the database once here: a file of another kind or a newer release is
    # refused in one line before any worker starts.
    open_database(config.database, SERVICE_SCHEMA).close()
    try:
        listener = listening_socket(args.host, args.port)
    except OSError as exc:
        raise InputError("bad-port", f"cannot listen on {args.host}:{args.port}: "
                         f"{exc.strerror}") from None
    port = listener.getsockname()[1]
    shown = f"[{args.host}]" if listener.family == socket.AF_INET6 else args.host
    scheme = "https" if args.certfile else "http"
    emit(f"coopcreds service: {scheme}://{shown}:{port}/ ({args.workers} "
         f"worker{'s' if args.workers > 1 else ''}, {config.path})")
    sys.stdout.flush()
    os.environ[CONFIG_VARIABLE] = str(config.path.resolve())
    os.environ[LOG_LEVEL_VARIABLE] = args.log_level
    # heavy: uvicorn, only for serve (every other coopcreds command starts without it)
    import uvicorn

    settings: dict[str, Any] = {}
    if args.certfile:
        settings.update(ssl_certfile=args.certfile, ssl_keyfile=args.keyfile)
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        # A worker loads the context bundle as it starts: on a busy machine that takes
        # longer than uvicorn's default 5 s, and a worker still starting is not dead.
        settings["timeout_worker_healthcheck"] = WORKER_START_S
    uvicorn.run("coopcreds_proto.service.app:app_from_environment", factory=True,
                fd=listener.fileno(), workers=args.workers, log_level=args.log_level,
                access_log=False, **settings)
    return EXIT_OK


def _db(args: argparse.Namespace) -> sqlite3.Connection:
    return open_database(_config(args).database, SERVICE_SCHEMA)


def cmd_token_new(args: argparse.Namespace) -> int:
    config = _config(args)
    scopes: tuple[str, ...] = ()
    for name in args.issuer or ():
        if config.issuer(name) is None:
            raise InputError("bad-service-config", f"--issuer: no issuer instance {name!r} in "
                             f"{config.path}", path=name)
        scopes += issuer_scopes(name)
    if args.verify:
        scopes += ("verify",)
    if not scopes:
        raise InputError("bad-token-scope", "say what the token may do: --issuer NAME, --verify")
    now = utc_now()
    expires = checked_timestamp(args.expires, "--expires")
    if args.days is not None:
        if not 0 < args.days <= 3650:
            raise InputError("bad-token-expiry", "--days must be from 1 to 3650")
        expires = format_timestamp(shifted(now, timedelta(days=args.days)))
    db = open_database(config.database, SERVICE_SCHEMA)
    try:
        made = create_token(db, scopes, now=now, expires=expires, label=args.label or "",
                            actor="cli")
    finally:
        db.close()
    if args.json:
        emit(json.dumps({**made.to_json(), "token": made.token}, indent=2))
    else:
        emit(made.token)
        print(f"token {made.id}: {' '.join(made.scopes)}"
              f"{', expires ' + made.expires_at if made.expires_at else ''}"
              " (shown once: store it now)", file=sys.stderr)
    return EXIT_OK


def cmd_token_list(args: argparse.Namespace) -> int:
    db = _db(args)
    try:
        tokens = list_tokens(db)
    finally:
        db.close()
    if args.json:
        emit(json.dumps([t.to_json() for t in tokens], indent=2))
        return EXIT_OK
    for t in tokens:
        state = f"revoked {t.revoked_at}" if t.revoked_at else (
            f"expires {t.expires_at}" if t.expires_at else "no expiry")
        emit(f"{t.id}  {' '.join(t.scopes)}  created {t.created_at}  {state}  {t.label}".rstrip())
    return EXIT_OK


def cmd_token_revoke(args: argparse.Namespace) -> int:
    db = _db(args)
    try:
        revoke_token(db, args.token_id, now=utc_now(), actor="cli")
    finally:
        db.close()
    emit(f"token {args.token_id} revoked")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise InputError("bad-count", "--limit must be 1 or more")
    db = _db(args)
    try:
        events = audit_events(db, since_id=args.since, limit=args.limit, action=args.action,
                              issuer=args.issuer)
    finally:
        db.close()
    for event in events:
        if args.json:
            emit(json.dumps(event.to_json(), sort_keys=True))
        else:
            emit(f"{event.id:>6}  {event.at}  {event.actor:<16}  {event.action:<18}  "
                 f"{event.issuer or '-':<12}  {event.subject or '-'}")
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``service serve``, ``service token new|list|revoke`` and ``service audit``."""
    service = commands.add_parser(
        "service", help="the issuer and verifier as a VC-API service",
        description="Run the designated issuer and verifier over HTTP (VC-API), manage its "
        "bearer tokens and read its audit log.")
    sub = service.add_subparsers(dest="service_command", required=True, metavar="COMMAND")

    def with_config(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--config", required=True, metavar="FILE",
                            help="the service's configuration file (YAML)")
        return parser

    serve = with_config(sub.add_parser(
        "serve", help="run the service",
        description="Serve the issuer instances and the verifier of the configuration. "
        "Loopback only unless --host names another address.",
        epilog="Exit codes: 2 unusable configuration or options."))
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; 0.0.0.0 for the LAN)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"TCP port (default {DEFAULT_PORT}; 0: any free port, printed)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes sharing the database (default 1)")
    serve.add_argument("--certfile", metavar="PEM",
                       help="serve HTTPS with this certificate (with --keyfile)")
    serve.add_argument("--keyfile", metavar="PEM", help="the certificate's private key")
    serve.add_argument("--log-level", default="warning",
                       choices=("critical", "error", "warning", "info", "debug"))
    serve.set_defaults(func=cmd_serve)

    token = sub.add_parser("token", help="bearer tokens: new, list, revoke",
                           description="Create, list and revoke the service's bearer tokens.")
    tokens = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    new = with_config(tokens.add_parser(
        "new", help="create a token (printed once)",
        description="Create a bearer token; it is printed once and only its hash is kept."))
    new.add_argument("--issuer", action="append", metavar="NAME",
                     help="may issue and change status for this issuer instance (repeatable)")
    new.add_argument("--verify", action="store_true",
                     help="may verify where the configuration asks for a token")
    new.add_argument("--label", help="what the token is for (shown in lists and the audit log)")
    when = new.add_mutually_exclusive_group()
    when.add_argument("--expires", metavar="TIMESTAMP", help="expiry time (xsd:dateTimeStamp)")
    when.add_argument("--days", type=int, help="expires this many days from now")
    new.add_argument("--json", action="store_true", help="print the token and its record as JSON")
    new.set_defaults(func=cmd_token_new)
    listing = with_config(tokens.add_parser("list", help="list the tokens (never their secrets)"))
    listing.add_argument("--json", action="store_true", help="JSON output")
    listing.set_defaults(func=cmd_token_list)
    revoke = with_config(tokens.add_parser("revoke", help="revoke a token by its id"))
    revoke.add_argument("token_id", metavar="ID", help="the token's id (from token list)")
    revoke.set_defaults(func=cmd_token_revoke)

    audit = with_config(sub.add_parser(
        "audit", help="read the audit log",
        description="Print the audit log, oldest first: who changed what, when."))
    audit.add_argument("--since", type=int, default=0, metavar="ID",
                       help="only events after this event id")
    audit.add_argument("--limit", type=int, default=1000, help="at most this many events")
    audit.add_argument("--action", help="only this action (issue, status-revocation, ...)")
    audit.add_argument("--issuer", metavar="NAME", help="only this issuer instance")
    audit.add_argument("--json", action="store_true", help="one JSON object a line")
    audit.set_defaults(func=cmd_audit)
