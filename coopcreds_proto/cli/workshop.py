"""``coopcreds workshop``: serve the workshop pages, export the workshop pack.

    $ coopcreds workshop serve                      # this computer only
    $ coopcreds workshop serve --share --port 8866  # the room, behind a join code
    $ coopcreds workshop pack ...

``serve`` prints the link to open (with ``--share``, also its QR code, and
writes the QR code as ``DATA/join-code.svg``), then runs the Voilà server
until Ctrl+C. Exit code 2 for unusable options (one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys

from ..workshop.voila_server import DEFAULT_DATA_DIR, make_app, serve
from ._common import EXIT_OK
from .workshop_pack import add_pack_command


def cmd_serve(args: argparse.Namespace) -> int:
    app = make_app(
        share=args.share,
        port=args.port,
        ip=args.ip,
        data_dir=args.data or DEFAULT_DATA_DIR,
        feedback_file=args.feedback,
    )
    serve(app, sys.stdout)
    return EXIT_OK  # only reached when serve's exec is replaced (tests)


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``workshop serve`` and ``workshop pack`` to the ``coopcreds`` command."""
    workshop = commands.add_parser(
        "workshop",
        help="the consultation workshop as a browser app",
        description="Serve the workshop pages for participants, or export the workshop pack.",
    )
    sub = workshop.add_subparsers(dest="workshop_command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve",
        help="serve the workshop pages with Voilà",
        description="Serve the workshop pages (draft, feedback form, live results, cards, "
        "wallet) as a web app. Loopback only unless --share.",
        epilog="Exit codes: 2 unusable options (bad port, address, data directory).",
    )
    serve.add_argument(
        "--share",
        action="store_true",
        help="open the app to the room's network behind a join code (shown as a QR code)",
    )
    serve.add_argument("--port", type=int, default=8866, help="TCP port (default 8866)")
    serve.add_argument(
        "--ip",
        metavar="ADDRESS",
        help="address to listen on (default 127.0.0.1; with --share every interface)",
    )
    serve.add_argument(
        "--data",
        metavar="DIR",
        help="the workshop's data directory (default ./workshop-data)",
    )
    serve.add_argument(
        "--feedback",
        metavar="FILE",
        help="the feedback file (default DIR/feedback.jsonl)",
    )
    serve.set_defaults(func=cmd_serve)
    add_pack_command(sub)
