"""``coopcreds errors``: what an error code means, its error class, and where it is raised.

    $ coopcreds errors                  # every code, by error class
    $ coopcreds errors duplicate-key    # one code: its meaning, class and modules
    $ coopcreds errors --json           # the catalogue as JSON, for programs

Exit codes: 0 success, 2 an unknown code (one line on stderr, with the nearest codes).
"""

from __future__ import annotations

import argparse
import json

from ..error_codes import CATALOGUE, ERROR_CLASSES, codes_of, explain
from ._common import EXIT_OK, emit


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``errors`` command to the ``coopcreds`` parser's ``commands``."""
    errors = commands.add_parser(
        "errors",
        help="explain an error code, or list every one",
        description="Print the catalogue of error codes: each code's error class and meaning, "
        "or, for one CODE, also the modules that raise it. Every error the workbench reports "
        "carries one of these codes, and so does every failed check of a verification.",
    )
    errors.add_argument("code", nargs="?", metavar="CODE", help="the code to explain")
    errors.add_argument("--json", action="store_true", help="print JSON")
    errors.set_defaults(func=cmd_errors)


def cmd_errors(args: argparse.Namespace) -> int:
    if args.code is not None:
        entry = explain(args.code)  # an unknown code: InputError, exit 2
        emit(json.dumps(entry.to_json(), indent=2) if args.json else str(entry))
    elif args.json:
        emit(json.dumps([entry.to_json() for entry in CATALOGUE.values()], indent=2))
    else:
        emit(catalogue_text())
    return EXIT_OK


def catalogue_text() -> str:
    """The catalogue as text: per error class, each code and its meaning."""
    blocks = []
    for error_class in ERROR_CLASSES:
        rows = codes_of(error_class)
        if not rows:
            continue
        width = max(len(entry.code) for entry in rows)
        lines = [f"{error_class} ({ERROR_CLASSES[error_class]}.{error_class})"]
        lines += [f"  {entry.code:<{width}}  {entry.meaning}" for entry in rows]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
