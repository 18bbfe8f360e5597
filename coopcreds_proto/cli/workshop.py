"""``coopcreds workshop``: serve the workshop app; pack, export, import and erase its data.

    $ coopcreds workshop serve                      # this computer only
    $ coopcreds workshop serve --share --port 8866  # the room, behind the join code
    $ coopcreds workshop pack --data workshop-data --out pack.html
    $ coopcreds workshop export --data workshop-data --out views.csv
    $ coopcreds workshop import survey.jsonl --data workshop-data
    $ coopcreds workshop erase --data workshop-data --name "Rosa Silva"

``serve`` prints the addresses, the join code and the console's secret, then
one line per event until Ctrl+C. Exit code 2 for unusable options or files
(one line, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..consultation.feedback import import_feedback_csv, read_feedback
from ..consultation.store import WorkshopStore
from ..errors import CoopCredsError
from ._common import EXIT_OK, EXIT_UNUSABLE
from .workshop_pack import add_pack_command

STORE_FILE = "workshop.sqlite"
# The same defaults as coopcreds_proto.workshop.server's, which is loaded only to serve.
DEFAULT_PORT = 8866
DEFAULT_DATA_DIR = Path("workshop-data")


def _error(message: str) -> int:
    print(f"coopcreds: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_UNUSABLE


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0.5 <= args.live_seconds <= 3600:
        return _error("--live-seconds must be from 0.5 to 3600")
    # heavy: starlette, uvicorn, pandas and matplotlib (for packs), only when serving
    from ..workshop.server import ServeOptions, serve

    options = ServeOptions(data_dir=Path(args.data or DEFAULT_DATA_DIR), port=args.port,
                           share=args.share, ip=args.ip, title=args.title or "",
                           messages=Path(args.messages) if args.messages else None,
                           live_seconds=args.live_seconds)
    try:
        serve(options, sys.stdout)
    except CoopCredsError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _store(data: str) -> WorkshopStore:
    path = Path(data) / STORE_FILE
    if not path.exists():
        raise FileNotFoundError(2, "no workshop store (serve a workshop first)", str(path))
    return WorkshopStore.open(path)


def _round_id(store: WorkshopStore) -> str:
    room = store.current_round()
    if room is None:
        rounds = store.rounds()
        if not rounds:
            raise FileNotFoundError(2, "the workshop store holds no round yet", str(store.path))
        room = rounds[-1]
    return room.id


def cmd_export(args: argparse.Namespace) -> int:
    try:
        with _store(args.data) as store:
            round_id = _round_id(store)
            kind = args.format or ("csv" if args.out.lower().endswith(".csv") else "jsonl")
            write = store.export_csv if kind == "csv" else store.export_jsonl
            count = write(args.out, round_id, overwrite=args.force)
    except CoopCredsError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"{exc.filename}: {exc.strerror or exc}")
    print(f"{count} views written to {args.out}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    try:
        kind = args.format or ("csv" if args.file.lower().endswith(".csv") else "jsonl")
        records = import_feedback_csv(args.file) if kind == "csv" else read_feedback(args.file)
        with _store(args.data) as store:
            count = store.import_records(_round_id(store), records)
    except CoopCredsError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"{exc.filename}: {exc.strerror or exc}")
    print(f"{count} views imported into {Path(args.data) / STORE_FILE}")
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    try:
        with _store(args.data) as store:
            erasure = store.erase_person(args.name, args.organisation)
    except CoopCredsError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"{exc.filename}: {exc.strerror or exc}")
    print(f"erased {erasure.participants} people: {erasure.views_removed} view records,"
          f" {erasure.reactions_removed} reactions")
    for path in erasure.packs_removed:
        print(f"removed the earlier pack {path}: make it again with coopcreds workshop pack")
    for path in erasure.exports_remade:
        print(f"wrote the earlier export {path} again without them")
    for path in erasure.exports_changed:
        print(f"left the export {path} as it is: it was changed after it was exported, and may"
              " still hold their views (remove them from it by hand)")
    return EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``workshop serve|pack|export|import|erase`` to the ``coopcreds`` command."""
    workshop = commands.add_parser(
        "workshop",
        help="the consultation workshop as a web app for a room of phones",
        description="Serve the workshop app, or pack, export, import and erase its data.",
    )
    sub = workshop.add_subparsers(dest="workshop_command", required=True, metavar="COMMAND")
    serve_parser = sub.add_parser(
        "serve",
        help="serve the workshop app",
        description="Serve the workshop app: participants join with the room's code on their"
        " phones, the projector shows the room's views live, the facilitator's console runs"
        " the round. This computer only unless --share.",
        epilog="Exit codes: 2 unusable options (bad port, address, data directory).",
    )
    serve_parser.add_argument("--share", action="store_true",
                              help="open the app to the room's network (behind the join code)")
    serve_parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                              help=f"TCP port (default {DEFAULT_PORT})")
    serve_parser.add_argument("--ip", metavar="ADDRESS",
                              help="address to listen on (default 127.0.0.1; with --share"
                              " every interface)")
    serve_parser.add_argument("--data", metavar="DIR",
                              help=f"the workshop's data folder (default ./{DEFAULT_DATA_DIR})")
    serve_parser.add_argument("--title", help="the round's title (a new round only)")
    serve_parser.add_argument("--messages", metavar="FILE",
                              help="a message catalogue in another language (JSON, like the"
                              " shipped en.json)")
    serve_parser.add_argument("--live-seconds", type=float, default=300.0, metavar="SECONDS",
                              help="how long one live connection (the projector's) lasts"
                              " before the browser opens a new one (default 300)")
    serve_parser.set_defaults(func=cmd_serve)
    add_pack_command(sub)

    export = sub.add_parser("export", help="write the round's views as JSON Lines or CSV",
                            description="Write the views that count in the current (or last)"
                            " round as a feedback file: JSON Lines, or CSV.")
    export.add_argument("--data", default=str(DEFAULT_DATA_DIR), metavar="DIR")
    export.add_argument("--out", required=True, metavar="FILE")
    export.add_argument("--format", choices=("jsonl", "csv"),
                        help="default: from the file name (.csv or else JSON Lines)")
    export.add_argument("--force", action="store_true", help="replace an existing file")
    export.set_defaults(func=cmd_export)

    imported = sub.add_parser("import", help="add feedback from JSON Lines or CSV to the round",
                              description="Add feedback records (a survey, a forum thread, an"
                              " earlier workshop's export) to the current round. A file imported"
                              " before is refused.")
    imported.add_argument("file", metavar="FILE")
    imported.add_argument("--data", default=str(DEFAULT_DATA_DIR), metavar="DIR")
    imported.add_argument("--format", choices=("jsonl", "csv"))
    imported.set_defaults(func=cmd_import)

    erase = sub.add_parser("erase", help="erase a person's views (on their request)",
                           description="Erase everything a person said, however their name"
                           " was typed, and remove the packs exported before.")
    erase.add_argument("--data", default=str(DEFAULT_DATA_DIR), metavar="DIR")
    erase.add_argument("--name", required=True)
    erase.add_argument("--organisation")
    erase.set_defaults(func=cmd_erase)
