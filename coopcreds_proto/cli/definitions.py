"""``coopcreds definition ...``: check, show and generate from credential definitions.

    $ coopcreds definition validate data/definitions/cooperative-membership/v0.1.yaml
    $ coopcreds definition sheet v0.1.yaml --html > handout.html
    $ coopcreds definition diff v0.1.yaml v0.2.yaml
    $ coopcreds definition publish v0.3.yaml     # into ./published-contexts/
    $ coopcreds definition adopt v0.2.yaml --key convenor-key.json --for 14 --against 5 \\
          --abstain 2 --rule two-thirds --date 2026-03-01 --out release-0.2/

Published contexts go into a folder of the user's (``--contexts-dir``, default
``published-contexts`` in the working directory), never into the package;
``adopt`` and ``verify-release`` read that folder too when it exists.

Exit codes: 0 success (``validate``: valid; ``verify-release``: verified),
1 ``validate``: the definition has problems (all listed, one per line) or
``verify-release``: not verified, 2 unusable input (one line on stderr: the
number of problems and the first one).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..definitions.artefacts import (
    context_bytes,
    diff_definitions,
    example_credential,
    json_schema,
    sheet_html,
    sheet_markdown,
)
from ..definitions.definition import (
    RULES,
    AdoptionDecision,
    DefinitionError,
    is_iso_date,
    load_definition,
)
from ..definitions.release import adopt, publish_context, save_release, verify_release
from ..errors import CoopCredsError, InputError
from ..loader import contexts_dir
from ..safe_json import loads_strict
from ._common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    PUBLISHED_CONTEXTS_DIR,
    add_key_file_options,
    checked_timestamp,
    emit,
    load_signing_key,
    not_json,
    published_contexts_loader,
    read_input,
)

"""Where ``definition publish`` puts contexts unless told (in the working directory)."""


def _count(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number >= 0")
    return int(value)


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        d = load_definition(args.file)
    except DefinitionError as exc:
        for problem in exc.problems:
            emit(f"{problem.path or '(definition)'}: {problem.message} [{problem.code}]")
        emit(f"{args.file}: {len(exc.problems)} problem(s)")
        return EXIT_PROBLEMS
    fields = sum(1 for _ in d.iter_fields(include_dropped=False))
    emit(f"{args.file}: valid ({d.credential_type} {d.version}, {d.status}, {fields} fields)")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    d = load_definition(args.file)
    lines = [f"{d.name}: {d.credential_type} version {d.version} ({d.status}, {d.date})",
             f"context: {d.context_url}", ""]
    rows = [("field", "datatype", "req", "sensitivity", "spheres", "status", "")]
    for path, f in d.iter_fields():
        kind = f"list of {f.datatype}" if f.multiple else f.datatype
        rows.append((path, kind, "yes" if f.required else "no", f.sensitivity,
                     ",".join(f.spheres), f.status, "discuss" if f.discussion else ""))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    emit("\n".join(lines))
    return EXIT_OK


def cmd_context(args: argparse.Namespace) -> int:
    emit(context_bytes(load_definition(args.file)).decode("utf-8").rstrip("\n"))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    emit(json.dumps(json_schema(load_definition(args.file)), indent=2))
    return EXIT_OK


def cmd_example(args: argparse.Namespace) -> int:
    emit(json.dumps(example_credential(load_definition(args.file)), indent=2))
    return EXIT_OK


def cmd_sheet(args: argparse.Namespace) -> int:
    d = load_definition(args.file)
    emit(sheet_html(d) if args.html else sheet_markdown(d))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    diff = diff_definitions(load_definition(args.old), load_definition(args.new))
    if args.json:
        emit(json.dumps({"from": diff.old_version, "to": diff.new_version,
                         "impact": diff.impact, "changes": diff.to_records()}, indent=2))
    else:
        emit(diff.to_markdown())
    return EXIT_OK


def cmd_adopt(args: argparse.Namespace) -> int:
    created = checked_timestamp(args.created, "--created")
    if not is_iso_date(args.date):
        raise InputError("bad-date", f"--date: {args.date!r} is not an ISO date (YYYY-MM-DD)")
    d = load_definition(args.file)
    decision = AdoptionDecision(
        date=args.date, rule=args.rule, votes_for=args.votes_for,
        votes_against=args.votes_against, abstentions=args.abstain,
        voters=tuple(args.voter or ()), body=args.body or "", note=args.note or "",
    )
    key = load_signing_key(args)
    release = adopt(d, decision, key, created=created,
                    loader=published_contexts_loader(args.contexts_dir))
    paths = save_release(release, args.out)
    emit(f"adopted {d.credential_type} {d.version}: {decision.votes_for} for,"
         f" {decision.votes_against} against, {decision.abstentions} abstaining"
         f" ({decision.rule_text})")
    for name, path in paths.items():
        emit(f"  {name}: {path}")
    return EXIT_OK


def cmd_verify_release(args: argparse.Namespace) -> int:
    now = checked_timestamp(args.now, "--now")
    raw = read_input(args.release)
    try:
        document: Any = loads_strict(raw)
    except CoopCredsError as exc:
        raise not_json(args.release, exc) from None
    if not isinstance(document, dict):
        raise InputError("not-an-object", f"{args.release}: not a credential")
    d = load_definition(args.definition) if args.definition else None
    check = verify_release(document, d, now=now, loader=published_contexts_loader(args.contexts_dir))
    emit(str(check))
    return EXIT_OK if check.verified else EXIT_PROBLEMS


def cmd_publish(args: argparse.Namespace) -> int:
    published = publish_context(load_definition(args.file), args.contexts_dir)
    state = "published" if published.created else "already published (same bytes)"
    where = ("the workbench's bundle" if published.directory == contexts_dir()
             else published.directory)
    emit(f"{published.url}: {state} as {published.file} in {where},"
         f" sha256 {published.sha256}")
    return EXIT_OK


def register(commands: Any) -> None:
    """Add ``definition`` and its subcommands to the top-level ``commands``."""
    definition = commands.add_parser(
        "definition",
        help="check a credential definition and generate its context, schema, handout",
        description="Work with a credential definition file (YAML, data/definitions/...). "
        "Exit codes: 0 success, 1 validate found problems / verify-release failed, "
        "2 unusable input (one line: the number of problems and the first).",
    )
    sub = definition.add_subparsers(dest="definition_command", required=True, metavar="COMMAND")

    def one_file(name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("file", metavar="FILE", help="a definition file (.yaml)")
        p.set_defaults(func=func)
        return p

    one_file("validate", "check a definition; list every problem by field (exit 1 if any)",
             cmd_validate)
    one_file("show", "summarise a definition: its fields, types, sensitivity, status", cmd_show)
    one_file("context", "print the JSON-LD context of the definition's version", cmd_context)
    one_file("schema", "print the JSON Schema (2020-12) for credentials of the definition",
             cmd_schema)
    one_file("example", "print an unsigned example credential (sample DIDs)", cmd_example)
    sheet = one_file("sheet", "print the workshop handout (Markdown; --html for HTML)", cmd_sheet)
    sheet.add_argument("--html", action="store_true", help="HTML instead of Markdown")
    publish = one_file("publish", "publish the version's context into a context folder, "
                       "pinned by its SHA-256 (refused if that version is published with "
                       "other bytes)", cmd_publish)
    publish.add_argument("--contexts-dir", metavar="DIR", default=PUBLISHED_CONTEXTS_DIR,
                         help="the folder of published contexts, created if needed "
                         f"(default: ./{PUBLISHED_CONTEXTS_DIR})")

    diff = sub.add_parser("diff", help="what changed between two versions, breaking or not",
                          description="List fields added, removed and changed from OLD to NEW "
                          "and whether each change is breaking, additive or editorial.")
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--json", action="store_true", help="JSON instead of text")
    diff.set_defaults(func=cmd_diff)

    adopt = sub.add_parser(
        "adopt",
        help="record an adoption vote and sign the release",
        description="Record the vote (it must meet the rule: majority = more than half of "
        "the votes cast, two-thirds = at least two thirds; abstentions are not votes cast), "
        "mark the version adopted, and sign a release credential with the convening body's "
        "key. Writes DIR/vX.Y.yaml (the adopted definition), DIR/release.json and "
        "DIR/context.jsonld; refuses to replace differing files.",
    )
    adopt.add_argument("file", metavar="FILE", help="the definition version put to the vote")
    adopt.add_argument("--key", required=True, metavar="KEY", help="the convening body's key file")
    adopt.add_argument("--passphrase-file", metavar="FILE",
                       help="passphrase (first line) of an encrypted key file")
    add_key_file_options(adopt)
    adopt.add_argument("--for", dest="votes_for", type=_count, required=True, metavar="N")
    adopt.add_argument("--against", dest="votes_against", type=_count, required=True,
                       metavar="N")
    adopt.add_argument("--abstain", type=_count, default=0, metavar="N")
    adopt.add_argument("--rule", choices=sorted(RULES), required=True)
    adopt.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="date of the vote")
    adopt.add_argument("--voter", action="append", metavar="NAME",
                       help="an organisation that voted (repeatable)")
    adopt.add_argument("--body", metavar="NAME", help="the convening body's name")
    adopt.add_argument("--note", metavar="TEXT", help="a note on the decision")
    adopt.add_argument("--created", metavar="TIMESTAMP",
                       help="proof creation time (default: now)")
    adopt.add_argument("--out", required=True, metavar="DIR", help="where to write the release")
    adopt.add_argument("--contexts-dir", metavar="DIR",
                       help="published contexts to use besides the bundled ones (default: "
                       f"./{PUBLISHED_CONTEXTS_DIR} if it exists)")
    adopt.set_defaults(func=cmd_adopt)

    verify = sub.add_parser(
        "verify-release",
        help="verify a release credential (and that it matches a definition file)",
        description="Verify the release's signature and, with --definition, that the file "
        "is exactly the adopted definition and its context the released one.",
    )
    verify.add_argument("release", metavar="RELEASE", help="release.json")
    verify.add_argument("--definition", metavar="FILE", help="the adopted definition file")
    verify.add_argument("--now", metavar="TIMESTAMP", help="verify as of this time")
    verify.add_argument("--contexts-dir", metavar="DIR",
                        help="published contexts to use besides the bundled ones (default: "
                        f"./{PUBLISHED_CONTEXTS_DIR} if it exists)")
    verify.set_defaults(func=cmd_verify_release)
