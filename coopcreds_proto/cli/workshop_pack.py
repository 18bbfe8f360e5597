"""``coopcreds workshop pack``: export the workshop pack (HTML, optionally PDF).

    $ coopcreds workshop pack --feedback feedback.jsonl --version v0.1 --out pack.html
    $ coopcreds workshop pack --feedback feedback.jsonl --out pack.html --pdf pack.pdf --force
    $ coopcreds workshop pack --data workshop-data --out pack.html   # a live round

With ``--data`` the pack is the live round's: its views, the facilitator's
decisions and votes, every comment; the store remembers the pack, so an
erasure later reaches it.

``--version`` is the draft the feedback is about (default: the latest
version); the pack compares it with ``--next`` (default: the version after it,
if there is one). Exit codes: 0 written, 2 unusable input or a file that
exists already (one line on stderr, never a traceback).

>>> import argparse
>>> parser = argparse.ArgumentParser(prog="coopcreds")
>>> workshop = parser.add_subparsers(dest="command").add_parser("workshop")
>>> _ = add_pack_command(workshop.add_subparsers(dest="workshop_command"))
>>> args = parser.parse_args(["workshop", "pack", "--feedback", "f.jsonl", "--out", "p.html"])
>>> args.func is cmd_pack, args.version, args.force
(True, None, False)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..atomic_files import write_atomically
from ..consultation.store import WorkshopStore
from ..definitions.definition import list_definition_files, load_definition
from ..errors import CoopCredsError
from ..timestamps import utc_now
from ._common import EXIT_OK, EXIT_UNUSABLE


def _error(message: str) -> int:
    print(f"coopcreds: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_UNUSABLE


def cmd_pack(args: argparse.Namespace) -> int:
    """Write the pack the arguments describe; print where it went."""
    if args.data:
        return _pack_round(args)
    # heavy: pandas, matplotlib, only when a pack is made (not when the command line is parsed)
    from ..workshop.pack import export_pack

    try:
        done = export_pack(
            args.out,
            feedback_path=args.feedback,
            definition_version=args.version,
            next_version=args.next,
            slug=args.slug,
            definitions_dir=args.definitions_dir,
            title=args.title,
            now=args.generated_at,
            overwrite=args.force,
            pdf_path=args.pdf,
            pdf_timeout=args.pdf_timeout,
        )
    except CoopCredsError as exc:
        return _error(str(exc))
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _error(f"{where}{exc.strerror or exc}")
    pack = done.pack
    to = f" -> {pack.next_version}" if pack.next_version else ""
    print(f"workshop pack written to {done.html_path} (draft {pack.definition_version}{to},"
          f" {pack.records} responses)")
    if done.pdf_path is not None:
        print(f"PDF written to {done.pdf_path}")
    return EXIT_OK


def _pack_round(args: argparse.Namespace) -> int:
    # heavy: pandas, matplotlib, only when a pack is made (not when the command line is parsed)
    from ..workshop.pack import print_to_pdf
    from ..workshop.round_pack import pack_from_store

    store_path = Path(args.data) / "workshop.sqlite"
    if not store_path.exists():
        return _error(f"{store_path}: no workshop store (serve a workshop first)")
    out = Path(args.out)
    try:
        with WorkshopStore.open(store_path) as store:
            room = store.current_round() or next(reversed(store.rounds()), None)
            if room is None:
                return _error(f"{store_path}: the workshop store holds no round yet")
            files = [f for f in list_definition_files(room.slug)
                     if f.stem == f"v{room.draft_version}"]
            if not files:
                return _error(f"there is no draft {room.draft_version} of {room.slug}")
            pack = pack_from_store(store, room.id, load_definition(files[-1]),
                                   generated_at=args.generated_at or utc_now())
            write_atomically(out, pack.html, overwrite=args.force)
            store.record_pack(room.id, out)
            if args.pdf:
                print_to_pdf(out, args.pdf, overwrite=args.force, timeout=args.pdf_timeout)
                store.record_pack(room.id, args.pdf)
    except FileExistsError as exc:
        return _error(f"{exc.filename or out} exists already: choose another file, or --force")
    except CoopCredsError as exc:
        return _error(str(exc))
    except OSError as exc:
        return _error(f"{exc.filename}: {exc.strerror or exc}")
    print(f"workshop pack written to {out} (round {room.title!r}, draft {room.draft_version},"
          f" {pack.records} views)")
    if args.pdf:
        print(f"PDF written to {args.pdf}")
    return EXIT_OK


def add_pack_command(workshop_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``pack`` to the ``workshop`` command group's subparsers; return its parser."""
    pack = workshop_subparsers.add_parser(
        "pack",
        help="export the workshop pack: draft, feedback, decisions, changes (HTML, PDF)",
        description="Write one self-contained HTML file (it opens offline) with the draft's "
        "definition sheet, the feedback summary and its charts, the decisions taken and the "
        "changes to the next version; optionally a PDF of it printed by headless Chromium. "
        "Existing files are kept unless --force.",
    )
    source = pack.add_mutually_exclusive_group(required=True)
    source.add_argument("--feedback", metavar="FILE",
                        help="the feedback file (JSON Lines)")
    source.add_argument("--data", metavar="DIR",
                        help="a served workshop's data folder: the pack of its live round")
    pack.add_argument("--version", metavar="VERSION",
                      help="the draft the feedback is about, e.g. v0.1 (default: the latest)")
    pack.add_argument("--next", metavar="VERSION",
                      help="the proposed next version to compare with (default: the version"
                      " after --version, if there is one)")
    pack.add_argument("--slug", default="cooperative-membership",
                      help="which credential definition (default: %(default)s)")
    pack.add_argument("--definitions-dir", metavar="DIR",
                      help="where the definitions are (default: the bundled data/definitions)")
    pack.add_argument("--title", help="the pack's title")
    pack.add_argument("--generated-at", metavar="TIMESTAMP",
                      help="the time shown in the pack, e.g. 2026-03-12T17:00:00Z"
                      " (default: now)")
    pack.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    pack.add_argument("--pdf", metavar="FILE", help="also write a PDF (needs Chromium)")
    pack.add_argument("--pdf-timeout", type=float, default=120.0, metavar="SECONDS",
                      help="how long Chromium may take to print (default: %(default)s)")
    pack.add_argument("--force", action="store_true", help="replace existing output files")
    pack.set_defaults(func=cmd_pack)
    return pack
