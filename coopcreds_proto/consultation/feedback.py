"""Consultation feedback: validated records in an append-only JSON Lines file.

A workshop participant says, for one field of a draft credential (or for a
new field they propose), whether to keep, change, drop or add it, how much it
matters to them (priority 1-5) and why, looking through one sphere of life
(legal, work, play). Each record also carries the participant's consent:
``attributed`` (name and organisation may appear in reports) or ``anonymous``.

The store is one JSON object per line. Appends are a single ``os.write`` on
an ``O_APPEND`` descriptor under an exclusive ``flock``, so several notebooks
or processes can add feedback at once without losing a record. Reading never
skips a bad line: :func:`read_feedback` raises :class:`FeedbackError` with the
line number, :func:`scan_feedback` lists every problem.

>>> from coopcreds_proto.randomness import SeededRandom
>>> record = make_record(
...     organisation="Riverside Food Co-operative", participant="Ada Okafor",
...     role="member", sphere="legal", field="memberSince", stance="keep",
...     priority=4, comment="Needed for voting rules.", consent="attributed",
...     rng=SeededRandom("doc"), time="2026-03-12T10:00:00Z")
>>> record.stance, record.priority, len(record.id)
('keep', 4, 36)
>>> make_record(organisation="X", participant="Y", role="member", sphere="legal",
...     field="memberSince", stance="keep", priority=6, consent="anonymous",
...     rng=SeededRandom("doc"), time="2026-03-12T10:00:00Z")
Traceback (most recent call last):
...
coopcreds_proto.consultation.feedback.FeedbackError: priority must be an integer from 1 to 5, not 6 (at field 'priority')
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import stat
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..atomic_files import KEEP_MODE, write_atomically
from ..bounded_read import read_bounded
from ..errors import InputError
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import format_timestamp, parse_timestamp, utc_now

SPHERES = ("legal", "work", "play")
STANCES = ("keep", "change", "drop", "add")
CONSENTS = ("attributed", "anonymous")
NEW_FIELD = "new field"
"""The ``field`` value of a record that proposes a field the draft does not have."""

MAX_TEXT_CHARS = 200
MAX_COMMENT_CHARS = 4000
MAX_LINE_BYTES = 64 * 1024
# A workshop's feedback is a few megabytes; a file far larger is not one.
MAX_FILE_BYTES = 64 * 1024 * 1024

# The keys of a record, in the order they are written.
RECORD_KEYS = (
    "id",
    "organisation",
    "participant",
    "role",
    "sector",
    "sphere",
    "field",
    "proposed_term",
    "proposed_label",
    "stance",
    "priority",
    "comment",
    "time",
    "consent",
    "source",
)
REQUIRED_KEYS = (
    "id",
    "organisation",
    "participant",
    "role",
    "sphere",
    "field",
    "stance",
    "priority",
    "time",
    "consent",
)
_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Field terms of a definition may be dotted paths into nested objects (memberOf.sector).
_FIELD_PATH = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
# Controls are refused everywhere; comments may hold newlines and tabs.
# Ids of imported rows without one: uuid5 in this namespace over the row's content.
_IMPORT_NAMESPACE = uuid.UUID("5d0c1f3e-6f7b-5a52-9b8e-1c4f0b7f2a10")
_CONTROL = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_COMMENT_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

Clock = Callable[[], datetime]


# --- errors --------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackProblem:
    """One thing wrong with a record: which field, and where (file line or CSV row)."""

    code: str
    message: str
    field: str | None = None
    line: int | None = None
    row: int | None = None

    @property
    def where(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class FeedbackError(InputError):
    """A feedback record, file or CSV that cannot be used.

    ``field`` names the record field, ``line`` the line of a JSON Lines file,
    ``row`` the row of a CSV (the header is row 1); ``problems`` lists every
    problem found when more than one was checked.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        line: int | None = None,
        row: int | None = None,
        source: str | None = None,
        problems: Sequence[FeedbackProblem] = (),
    ) -> None:
        where = FeedbackProblem(code, message, field, line, row).where
        path = ", ".join(p for p in (source, where) if p) or None
        super().__init__(code, message, path=path)
        self.field = field
        self.line = line
        self.row = row
        self.source = source
        self.problems = tuple(problems) or (FeedbackProblem(code, message, field, line, row),)

    @classmethod
    def from_problems(
        cls, problems: Sequence[FeedbackProblem], *, source: str | None = None
    ) -> FeedbackError:
        """One error for a list of problems: the first one's code and place, and a count."""
        first = problems[0]
        message = first.message
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more problem{'s' * (len(problems) > 2)})"
        return cls(
            first.code,
            message,
            field=first.field,
            line=first.line,
            row=first.row,
            source=source,
            problems=problems,
        )


# --- the record ----------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRecord:
    """One participant's view on one field (or one proposed new field).

    Build records with :func:`make_record` (new feedback) or
    :func:`record_from_dict` (stored or imported feedback): both validate.
    """

    id: str
    organisation: str
    participant: str
    role: str
    sphere: str
    field: str
    stance: str
    priority: int
    time: str
    consent: str
    comment: str = ""
    sector: str = ""
    proposed_term: str | None = None
    proposed_label: str | None = None
    source: str = "workshop"

    def __post_init__(self) -> None:
        problems = _record_problems(asdict(self))
        if problems:
            raise FeedbackError.from_problems(problems)

    @property
    def target(self) -> str:
        """What the record is about: the field term, or ``+term`` for a proposed new field."""
        return f"+{self.proposed_term}" if self.field == NEW_FIELD else self.field

    @property
    def attributed(self) -> bool:
        return self.consent == "attributed"

    def to_dict(self) -> dict[str, Any]:
        """The record as stored: every key, in a fixed order."""
        data = asdict(self)
        return {key: data[key] for key in RECORD_KEYS}

    def to_json_line(self) -> str:
        """One line of JSON (no newline inside: comments' newlines are escaped)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def _text_problem(key: str, value: Any, *, required: bool) -> FeedbackProblem | None:
    if value is None or value == "":
        if required:
            return FeedbackProblem("missing-field", f"{key} is missing", key)
        return None
    if not isinstance(value, str):
        return FeedbackProblem("not-text", f"{key} must be text, not {type(value).__name__}", key)
    limit = MAX_COMMENT_CHARS if key == "comment" else MAX_TEXT_CHARS
    if len(value) > limit:
        return FeedbackProblem("too-long", f"{key} is longer than {limit} characters", key)
    pattern = _COMMENT_CONTROL if key == "comment" else _CONTROL
    if pattern.search(value):
        return FeedbackProblem(
            "invisible-character", f"{key} contains a control or reordering character", key
        )
    if value != value.strip():
        return FeedbackProblem("untrimmed", f"{key} starts or ends with spaces", key)
    return None


def _choice_problem(
    key: str, value: Any, allowed: Sequence[str], unknown: str
) -> FeedbackProblem | None:
    """A problem if ``value`` is missing or not ``allowed`` (then coded ``unknown``)."""
    if value is None or value == "":
        return FeedbackProblem("missing-field", f"{key} is missing", key)
    if value not in allowed:
        return FeedbackProblem(
            unknown,
            f"{key} must be one of {', '.join(allowed)}, not {value!r}",
            key,
        )
    return None


def _record_problems(data: Mapping[str, Any]) -> list[FeedbackProblem]:
    """Every problem of a record given as a mapping (the checks behind all entry points)."""
    problems: list[FeedbackProblem] = []
    unknown = sorted(str(k) for k in data if k not in RECORD_KEYS)
    for key in unknown:
        problems.append(FeedbackProblem("unknown-key", f"{key!r} is not a record field", key))
    for key in ("id", "organisation", "participant", "role", "sector", "comment", "source"):
        problem = _text_problem(key, data.get(key), required=key in REQUIRED_KEYS)
        if problem:
            problems.append(problem)
    for problem in (
        _choice_problem("sphere", data.get("sphere"), SPHERES, "unknown-sphere"),
        _choice_problem("stance", data.get("stance"), STANCES, "unknown-stance"),
        _choice_problem("consent", data.get("consent"), CONSENTS, "unknown-consent"),
    ):
        if problem:
            problems.append(problem)

    priority = data.get("priority")
    if priority is None or priority == "":
        problems.append(FeedbackProblem("missing-field", "priority is missing", "priority"))
    elif isinstance(priority, bool) or not isinstance(priority, int) or not 1 <= priority <= 5:
        problems.append(
            FeedbackProblem(
                "bad-priority",
                f"priority must be an integer from 1 to 5, not {priority!r}",
                "priority",
            )
        )

    time = data.get("time")
    if time is None or time == "":
        problems.append(FeedbackProblem("missing-field", "time is missing", "time"))
    else:
        try:
            parse_timestamp(time)
        except InputError as exc:
            problems.append(FeedbackProblem("bad-time", exc.message, "time"))

    target = data.get("field")
    stance = data.get("stance")
    term, label = data.get("proposed_term"), data.get("proposed_label")
    if target is None or target == "":
        problems.append(FeedbackProblem("missing-field", "field is missing", "field"))
    elif not isinstance(target, str):
        problems.append(FeedbackProblem("not-text", "field must be text", "field"))
    elif target == NEW_FIELD:
        if stance in STANCES and stance != "add":
            problems.append(
                FeedbackProblem(
                    "bad-stance", f"a {NEW_FIELD!r} proposal has stance 'add'", "stance"
                )
            )
        if term is None or term == "":
            problems.append(
                FeedbackProblem(
                    "missing-field", f"a {NEW_FIELD!r} proposal needs a proposed_term",
                    "proposed_term",
                )
            )
        elif not isinstance(term, str) or not _TERM.match(term):
            problems.append(
                FeedbackProblem(
                    "bad-term",
                    f"proposed_term must be a JSON name like 'recognisedBy', not {term!r}",
                    "proposed_term",
                )
            )
        problem = _text_problem("proposed_label", label, required=False)
        if problem:
            problems.append(problem)
    else:
        if not _FIELD_PATH.match(target):
            problems.append(
                FeedbackProblem(
                    "bad-field",
                    f"field must be a field term or {NEW_FIELD!r}, not {target!r}",
                    "field",
                )
            )
        if stance == "add":
            problems.append(
                FeedbackProblem(
                    "bad-stance", f"stance 'add' is for {NEW_FIELD!r} proposals", "stance"
                )
            )
        for key, value in (("proposed_term", term), ("proposed_label", label)):
            if value not in (None, ""):
                problems.append(
                    FeedbackProblem(
                        "unexpected-field", f"{key} is only for {NEW_FIELD!r} proposals", key
                    )
                )
    return problems


def record_from_dict(
    data: Mapping[str, Any], *, line: int | None = None, row: int | None = None
) -> FeedbackRecord:
    """A validated record from a mapping; every problem is listed, the first one named."""
    if not isinstance(data, Mapping):
        raise FeedbackError(
            "record-not-an-object", "a feedback record must be a JSON object", line=line, row=row
        )
    problems = [replace(p, line=line, row=row) for p in _record_problems(data)]
    if problems:
        raise FeedbackError.from_problems(problems)
    values = {key: data[key] for key in RECORD_KEYS if key in data}
    for key in ("comment", "sector"):
        if values.get(key) is None:
            values[key] = ""
    for key in ("proposed_term", "proposed_label"):
        if values.get(key) == "":
            values[key] = None
    if values.get("source") in (None, ""):
        values.pop("source", None)
    # One spelling of time in the store (UTC, whole seconds) keeps sorting simple.
    values["time"] = format_timestamp(parse_timestamp(values["time"]))
    return FeedbackRecord(**values)


def new_record_id(rng: RandomSource = DEFAULT_RANDOM) -> str:
    """A version-4 UUID from ``rng`` (pass a ``SeededRandom`` for reproducible demos).

    >>> from coopcreds_proto.randomness import SeededRandom
    >>> new_record_id(SeededRandom("a")) == new_record_id(SeededRandom("a"))
    True
    """
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def make_record(
    *,
    organisation: str,
    participant: str,
    role: str,
    sphere: str,
    field: str,
    stance: str,
    priority: int,
    consent: str,
    comment: str = "",
    sector: str = "",
    proposed_term: str | None = None,
    proposed_label: str | None = None,
    source: str = "workshop",
    rng: RandomSource = DEFAULT_RANDOM,
    clock: Clock = utc_now,
    time: str | datetime | None = None,
) -> FeedbackRecord:
    """A new, validated record with a fresh id (from ``rng``) and the time (from ``clock``)."""
    if isinstance(time, datetime):
        time = format_timestamp(time)
    return record_from_dict(
        {
            "id": new_record_id(rng),
            "organisation": organisation,
            "participant": participant,
            "role": role,
            "sector": sector,
            "sphere": sphere,
            "field": field,
            "proposed_term": proposed_term,
            "proposed_label": proposed_label,
            "stance": stance,
            "priority": priority,
            "comment": comment,
            "time": time if time is not None else format_timestamp(clock()),
            "consent": consent,
            "source": source,
        }
    )


# --- the append-only store -------------------------------------------------------


@contextmanager
def _locked(path: Path, flags: int, lock: int, *, create: bool) -> Iterator[int]:
    """An fd of ``path`` under ``flock``, re-opened if the file was replaced meanwhile.

    Erasure replaces the file (``os.replace``); a writer that was waiting for
    the lock on the old file must not append to it, so after locking we check
    that the path still names the file we hold.
    """
    # Non-blocking open: a FIFO would otherwise wait for a writer (and is refused below).
    open_flags = flags | os.O_CLOEXEC | os.O_NONBLOCK | (os.O_CREAT if create else 0)
    while True:
        try:
            fd = os.open(path, open_flags, 0o644)
        except FileNotFoundError:
            raise FeedbackError(
                "feedback-file-missing", f"no feedback file at {path}", source=str(path)
            ) from None
        try:
            fcntl.flock(fd, lock)
            try:
                current = os.stat(path)
            except FileNotFoundError:
                current = None
            held = os.fstat(fd)
            if not stat.S_ISREG(held.st_mode):
                raise FeedbackError(
                    "feedback-file-unusable",
                    f"{path} is not a regular file (a device, a FIFO or a folder)",
                    source=str(path),
                )
            if current is not None and (current.st_ino, current.st_dev) == (
                held.st_ino,
                held.st_dev,
            ):
                yield fd
                return
        finally:
            os.close(fd)  # closing releases the lock


def append_feedback(path: str | os.PathLike[str], records: Iterable[FeedbackRecord]) -> int:
    """Append records to the JSON Lines file at ``path`` (created if missing); returns how many.

    All lines go in one ``os.write`` on an ``O_APPEND`` descriptor under an
    exclusive lock, then ``fsync``: concurrent writers never interleave or
    lose lines.
    """
    items = list(records)
    for item in items:
        if not isinstance(item, FeedbackRecord):
            raise FeedbackError("not-a-record", f"expected a FeedbackRecord, not {item!r}")
    if not items:
        return 0
    data = "".join(item.to_json_line() for item in items).encode("utf-8")
    target = Path(path)
    with _locked(target, os.O_WRONLY | os.O_APPEND, fcntl.LOCK_EX, create=True) as fd:
        size = os.fstat(fd).st_size
        if size:
            # A line torn by a crash must stay its own (reported) line, not swallow ours.
            with open(target, "rb") as fh:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    data = b"\n" + data
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    return len(items)


@dataclass(frozen=True)
class FeedbackScan:
    """Every valid record of a file, and every problem, each with its line number."""

    records: tuple[FeedbackRecord, ...]
    problems: tuple[FeedbackProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"{len(self.records)} valid records, {count} problem{'s' * (count != 1)}"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


def _parse_lines(data: bytes) -> FeedbackScan:
    records: list[FeedbackRecord] = []
    problems: list[FeedbackProblem] = []
    seen: dict[str, int] = {}
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    for number, raw in enumerate(lines, start=1):
        if len(raw) > MAX_LINE_BYTES:
            problems.append(
                FeedbackProblem("line-too-large", f"longer than {MAX_LINE_BYTES} bytes", line=number)
            )
            continue
        if not raw.strip():
            problems.append(FeedbackProblem("blank-line", "the line is empty", line=number))
            continue
        try:
            data_obj = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except UnicodeDecodeError:
            problems.append(FeedbackProblem("line-not-utf8", "not UTF-8 text", line=number))
            continue
        except (ValueError, _DuplicateKey) as exc:
            problems.append(
                FeedbackProblem("line-not-json", f"not a JSON object: {exc}", line=number)
            )
            continue
        try:
            record = record_from_dict(data_obj, line=number)
        except FeedbackError as exc:
            problems.extend(exc.problems)
            continue
        if record.id in seen:
            problems.append(
                FeedbackProblem(
                    "duplicate-id",
                    f"id {record.id} is also on line {seen[record.id]}",
                    "id",
                    line=number,
                )
            )
            continue
        seen[record.id] = number
        records.append(record)
    return FeedbackScan(tuple(records), tuple(problems))


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate key {key!r}")
        result[key] = value
    return result


def _read_all(fd: int, path: Path) -> bytes:
    """The whole file under ``fd``, from its start: at most ``MAX_FILE_BYTES``."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks, total = [], 0
    while total <= MAX_FILE_BYTES and (chunk := os.read(fd, 1 << 20)):
        chunks.append(chunk)
        total += len(chunk)
    if total > MAX_FILE_BYTES:
        raise FeedbackError(
            "feedback-file-unusable",
            f"{path} is larger than the limit of {MAX_FILE_BYTES:,} bytes",
            source=str(path),
        )
    return b"".join(chunks)


def _read_locked(path: Path) -> bytes:
    with _locked(path, os.O_RDONLY, fcntl.LOCK_SH, create=False) as fd:
        return _read_all(fd, path)


def scan_feedback(path: str | os.PathLike[str], *, missing_ok: bool = False) -> FeedbackScan:
    """Every valid record of the file and every problem (line number, field), never skipping silently."""
    target = Path(path)
    if missing_ok and not target.exists():
        return FeedbackScan(())
    return _parse_lines(_read_locked(target))


def read_feedback(
    path: str | os.PathLike[str], *, missing_ok: bool = False
) -> list[FeedbackRecord]:
    """The records of the file; raises :class:`FeedbackError` (with its line) on any bad line."""
    scan = scan_feedback(path, missing_ok=missing_ok)
    if scan.problems:
        raise FeedbackError.from_problems(scan.problems, source=str(path))
    return list(scan.records)


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: how many records it removed and how many remain."""

    participant: str
    removed: int
    remaining: int


def erase_participant(
    path: str | os.PathLike[str], participant: str, *, organisation: str | None = None
) -> Erasure:
    """Remove every record of ``participant`` (optionally only within ``organisation``).

    The file is rewritten to a temporary file and swapped in with
    ``os.replace`` while holding the writers' lock, so the erasure is atomic
    and no concurrent append is lost. A file with bad lines is not rewritten:
    fix or report those first.
    """
    if not isinstance(participant, str) or not participant.strip():
        raise FeedbackError("missing-field", "participant is missing", field="participant")
    target = Path(path)
    with _locked(target, os.O_RDWR, fcntl.LOCK_EX, create=False) as fd:
        scan = _parse_lines(_read_all(fd, target))
        if scan.problems:
            raise FeedbackError.from_problems(scan.problems, source=str(target))
        keep = [
            r
            for r in scan.records
            if not (
                r.participant == participant
                and (organisation is None or r.organisation == organisation)
            )
        ]
        removed = len(scan.records) - len(keep)
        if removed:
            write_atomically(target, "".join(r.to_json_line() for r in keep), overwrite=True,
                             mode=KEEP_MODE)
    return Erasure(participant, removed, len(keep))


def write_feedback(
    path: str | os.PathLike[str], records: Iterable[FeedbackRecord], *, overwrite: bool = False
) -> int:
    """Write a new feedback file atomically (refuses to replace one unless ``overwrite``)."""
    target = Path(path)
    items = list(records)
    if target.exists() and not overwrite:
        raise _feedback_file_exists(target)
    ids = [r.id for r in items]
    if len(set(ids)) != len(ids):
        raise FeedbackError("duplicate-id", "two records share an id", field="id")
    try:
        write_atomically(target, "".join(r.to_json_line() for r in items),
                         overwrite=overwrite, mode=KEEP_MODE)
    except FileExistsError:  # created meanwhile by someone else
        raise _feedback_file_exists(target) from None
    return len(items)


def _feedback_file_exists(target: Path) -> FeedbackError:
    return FeedbackError("feedback-file-exists", f"{target} exists already", source=str(target))


# --- CSV import ----------------------------------------------------------------


def import_feedback_csv(
    path: str | os.PathLike[str],
    *,
    columns: Mapping[str, str] | None = None,
    source: str = "survey",
) -> list[FeedbackRecord]:
    """Records from a CSV export (survey tool, forum thread), validated like any record.

    The header names the record fields (``organisation``, ``participant``,
    ``role``, ``sphere``, ``field``, ``stance``, ``priority``, ``comment``,
    ``time``, ``consent``, optionally ``id``, ``sector``, ``proposed_term``,
    ``proposed_label``); ``columns`` maps a record field to another header
    (``{"comment": "Your thoughts"}``). A row without an ``id`` gets one made
    from its content, so importing the same export twice is caught by
    :func:`import_into`. Every problem is reported with its row (the header is row 1);
    nothing is returned unless every row is valid.
    """
    mapping = {key: key for key in RECORD_KEYS}
    for key, header in (columns or {}).items():
        if key not in RECORD_KEYS:
            raise FeedbackError("unknown-key", f"{key!r} is not a record field", field=key)
        mapping[key] = header
    target = Path(path)
    try:
        text = read_bounded(target, MAX_FILE_BYTES, what="feedback CSV").decode("utf-8-sig")
    except FileNotFoundError:
        raise FeedbackError(
            "csv-file-missing", f"no CSV file at {target}", source=str(target)
        ) from None
    except UnicodeDecodeError:
        raise FeedbackError("csv-not-utf8", "the CSV is not UTF-8 text", source=str(target)) from None
    reader = csv.DictReader(text.splitlines(keepends=True), strict=True)
    try:
        headers = reader.fieldnames or []
    except csv.Error as exc:
        raise FeedbackError("bad-csv", str(exc), row=1, source=str(target)) from None
    missing = [
        key for key in REQUIRED_KEYS if key != "id" and mapping[key] not in headers
    ]
    if missing:
        raise FeedbackError.from_problems(
            [
                FeedbackProblem(
                    "missing-column", f"the CSV has no column {mapping[key]!r}", key, row=1
                )
                for key in missing
            ],
            source=str(target),
        )
    by_header = {header: key for key, header in mapping.items()}
    records: list[FeedbackRecord] = []
    problems: list[FeedbackProblem] = []
    seen: set[str] = set()
    row = 1
    try:
        for raw in reader:
            row += 1
            if None in raw:
                problems.append(FeedbackProblem("bad-csv", "the row has extra cells", row=row))
                continue
            data: dict[str, Any] = {
                by_header[h]: (v.strip() if isinstance(v, str) else v)
                for h, v in raw.items()
                if h in by_header
            }
            data["priority"] = _csv_int(data.get("priority"))
            data["source"] = data.get("source") or source
            if not data.get("id"):
                data["id"] = _row_id(data)
            try:
                record = record_from_dict(data, row=row)
            except FeedbackError as exc:
                problems.extend(exc.problems)
                continue
            if record.id in seen:
                problems.append(
                    FeedbackProblem("duplicate-id", f"id {record.id} repeats", "id", row=row)
                )
                continue
            seen.add(record.id)
            records.append(record)
    except csv.Error as exc:
        problems.append(FeedbackProblem("bad-csv", str(exc), row=row + 1))
    if problems:
        raise FeedbackError.from_problems(problems, source=str(target))
    return records


def _row_id(data: Mapping[str, Any]) -> str:
    """A UUID (version 5) from the row's content, so importing one export twice is detected."""
    content = json.dumps({k: data.get(k) for k in RECORD_KEYS if k != "id"}, sort_keys=True)
    return str(uuid.uuid5(_IMPORT_NAMESPACE, content))


def _csv_int(value: Any) -> Any:
    """A CSV cell as an int when it is one ("3" -> 3); anything else is left for validation."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value):
        return int(value)
    return value


def import_into(
    path: str | os.PathLike[str], records: Sequence[FeedbackRecord]
) -> int:
    """Append imported records unless one of their ids is already in the file (no double import)."""
    existing = {r.id for r in read_feedback(path, missing_ok=True)}
    clashes = [r.id for r in records if r.id in existing]
    if clashes:
        raise FeedbackError(
            "duplicate-id",
            f"{len(clashes)} record(s) are already in the file (first: {clashes[0]})",
            field="id",
            source=str(path),
        )
    return append_feedback(path, records)
