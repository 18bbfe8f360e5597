"""``coopcreds feedback``: add, import, check, erase and summarise consultation feedback.

    $ coopcreds feedback add feedback.jsonl --organisation "Elm Street Tenants Co-op" \\
        --participant "Rosa Silva" --role member --sphere legal --field identityAssurance \\
        --stance keep --priority 5 --consent anonymous --comment "Saves weeks per tenancy."
    $ coopcreds feedback import feedback.jsonl survey.csv --column comment="Your thoughts"
    $ coopcreds feedback summary feedback.jsonl
    $ coopcreds feedback erase feedback.jsonl --participant "Rosa Silva"

Exit codes: 0 success, 1 ``check`` found problems, 2 unusable input (a bad
line or row is named with its number).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..consultation.feedback import (
    CONSENTS,
    NEW_FIELD,
    SPHERES,
    STANCES,
    FeedbackError,
    append_feedback,
    erase_participant,
    import_feedback_csv,
    import_into,
    make_record,
    read_feedback,
    scan_feedback,
)
from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE


def _problems(exc: FeedbackError) -> int:
    """Every problem on stderr, one a line (the first line says how many)."""
    print(f"coopcreds: error: {exc}", file=sys.stderr)
    if len(exc.problems) > 1:
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
    return EXIT_UNUSABLE


def cmd_add(args: argparse.Namespace) -> int:
    try:
        record = make_record(
            organisation=args.organisation,
            participant=args.participant,
            role=args.role,
            sector=args.sector or "",
            sphere=args.sphere,
            field=args.field,
            proposed_term=args.proposed_term,
            proposed_label=args.proposed_label,
            stance=args.stance,
            priority=args.priority,
            comment=(args.comment or "").strip(),
            consent=args.consent,
            source=args.source,
            time=args.time,
        )
    except FeedbackError as exc:
        return _problems(exc)
    append_feedback(args.file, [record])
    print(record.id)
    return EXIT_OK


def _columns(pairs: list[str]) -> dict[str, str]:
    columns = {}
    for pair in pairs:
        key, sep, header = pair.partition("=")
        if not sep or not key:
            raise FeedbackError("bad-column", f"--column expects FIELD=HEADER, not {pair!r}")
        columns[key] = header
    return columns


def cmd_import(args: argparse.Namespace) -> int:
    try:
        records = import_feedback_csv(
            args.csv, columns=_columns(args.column), source=args.source
        )
        count = import_into(args.file, records)
    except FeedbackError as exc:
        return _problems(exc)
    print(f"{count} records imported from {args.csv} into {args.file}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    scan = scan_feedback(args.file)
    print(scan)
    return EXIT_OK if scan.ok else EXIT_PROBLEMS


def cmd_erase(args: argparse.Namespace) -> int:
    try:
        result = erase_participant(args.file, args.participant, organisation=args.organisation)
    except FeedbackError as exc:
        return _problems(exc)
    print(
        f"removed {result.removed} records of {result.participant}; "
        f"{result.remaining} records remain in {args.file}"
    )
    return EXIT_OK


def _json_table(frame: Any) -> list[dict[str, Any]]:
    return json.loads(frame.reset_index().to_json(orient="records"))


def cmd_summary(args: argparse.Namespace) -> int:
    try:
        records = read_feedback(args.file)
    except FeedbackError as exc:
        return _problems(exc)
    from ..consultation.report import summarise  # heavy: pandas, only when summarising

    summary = summarise(records, top=args.top)
    if args.json:
        document = {
            "records": summary.records,
            "participants": summary.participants,
            "organisations": summary.organisations,
            "anonymous": summary.anonymous,
            "support": _json_table(summary.support),
            "disagreement": _json_table(summary.disagreement),
            "comments": json.loads(summary.comments.to_json(orient="records")),
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(summary)
    return EXIT_OK


def register(commands: Any) -> None:
    """Add ``feedback`` and its subcommands to the top-level subparsers."""
    feedback = commands.add_parser("feedback", help="consultation feedback (JSON Lines file)")
    sub = feedback.add_subparsers(dest="feedback_command", required=True, metavar="COMMAND")

    add = sub.add_parser(
        "add",
        help="append one feedback record and print its id",
        description="Validate one feedback record and append it to FILE (created if missing). "
        "Safe while other people append to the same file.",
    )
    add.add_argument("file", metavar="FILE")
    add.add_argument("--organisation", required=True)
    add.add_argument("--participant", required=True, help="name or id of the participant")
    add.add_argument("--role", required=True)
    add.add_argument("--sector")
    add.add_argument("--sphere", required=True, choices=SPHERES)
    add.add_argument("--field", required=True, help=f"a field path, or {NEW_FIELD!r}")
    add.add_argument("--proposed-term", help=f"the term of a {NEW_FIELD!r} proposal")
    add.add_argument("--proposed-label", help=f"the label of a {NEW_FIELD!r} proposal")
    add.add_argument("--stance", required=True, choices=STANCES)
    add.add_argument("--priority", required=True, type=int, help="1 (low) to 5 (high)")
    add.add_argument("--comment")
    add.add_argument("--consent", required=True, choices=CONSENTS,
                     help="how reports may show the participant")
    add.add_argument("--time", help="xsd:dateTimeStamp (default: now)")
    add.add_argument("--source", default="workshop")
    add.set_defaults(func=cmd_add)

    imp = sub.add_parser(
        "import",
        help="import a CSV export (survey, forum thread) with the same validation",
        description="Validate every row of CSV (rows with problems are listed with their "
        "row number; nothing is imported unless all are valid) and append them to FILE. "
        "Records already in FILE (same id) are refused.",
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("csv", metavar="CSV")
    imp.add_argument("--column", action="append", default=[], metavar="FIELD=HEADER",
                     help="read record field FIELD from column HEADER (repeatable)")
    imp.add_argument("--source", default="survey", help="where the feedback came from")
    imp.set_defaults(func=cmd_import)

    check = sub.add_parser("check", help="list every problem of a feedback file, by line")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(func=cmd_check)

    erase = sub.add_parser(
        "erase",
        help="erase a participant's records (on their request)",
        description="Remove every record of PARTICIPANT from FILE, atomically.",
    )
    erase.add_argument("file", metavar="FILE")
    erase.add_argument("--participant", required=True)
    erase.add_argument("--organisation", help="only the participant's records for this one")
    erase.set_defaults(func=cmd_erase)

    summary = sub.add_parser(
        "summary",
        help="support, disagreement and top comments (anonymous participants not named)",
    )
    summary.add_argument("file", metavar="FILE")
    summary.add_argument("--top", type=int, default=5, help="how many comments (default 5)")
    summary.add_argument("--json", action="store_true", help="JSON instead of text")
    summary.set_defaults(func=cmd_summary)
