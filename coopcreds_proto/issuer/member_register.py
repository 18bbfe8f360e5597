"""A co-operative's member register, imported from CSV and checked row by row.

The register is the designated issuer's source of truth: one row per member,
one column per field of the membership credential (definition
``cooperative-membership`` v0.1), nothing more. Personal data is kept to what
the credential needs: no e-mail, address or birth date.

Columns (header row, any order; ``*`` = required)::

    membership_number *  the member's number in the register (unique; the row's key)
    member_did        *  the member's DID, e.g. did:key:z6Mk... (unique)
    name                 the member's name as they want it shown
    membership_class     e.g. "consumer member"
    member_since      *  the day they joined, YYYY-MM-DD (not in the future)
    membership_status *  active | suspended
    voting_rights     *  true | false (also yes/no, 1/0)
    roles                several, separated by ";" (e.g. "member; treasurer")
    benefits             several, separated by ";"

Every row is checked and every problem is reported, by row (as a spreadsheet
numbers them: the header is row 1) and column; a file with any problem gives
no records at all (``RegisterError`` with ``.problems``), so nothing is ever
issued from a bad file.

Public API
----------
- ``REGISTER_COLUMNS`` (``Column(name, term, required, description)``),
  ``MemberRecord`` (frozen; ``.claims()`` the credentialSubject claims),
  ``RegisterProblem(row, column, code, message)``, ``RegisterError``.
- ``read_register(path, *, as_of=None) -> tuple[MemberRecord, ...]`` and
  ``parse_register(text, *, source="", as_of=None)``.
- ``register_problems(text, *, as_of=None) -> list[RegisterProblem]`` (empty: fine).
- ``generate_register(n, *, seed, start=...) -> tuple[MemberRecord, ...]``
  (synthetic members of the sample co-op, seeded keys: ``sample_member_key(i)``;
  the committed sample is at ``sample_register_path()``) and
  ``write_register(records, path, *, overwrite=False)`` (atomic CSV).

>>> text = ("membership_number,member_did,member_since,membership_status,voting_rights\\n"
...         "RFC-00001,did:example:ada,2019-03-14,active,yes\\n")
>>> [(r.membership_number, r.voting_rights) for r in parse_register(text)]
[('RFC-00001', True)]
>>> bad = text.replace("yes", "maybe").replace("2019-03-14", "2019-02-30")
>>> [str(p) for p in register_problems(bad)]
['row 2, member_since: not a date (YYYY-MM-DD): 2019-02-30', 'row 2, voting_rights: not yes or no: maybe']
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..did_key import public_key_from_did_key
from ..errors import CoopCredsError, InputError
from ..keys import Ed25519Key
from ..randomness import SeededRandom, randbelow
from ..vc.samples import sample_actors

MAX_REGISTER_BYTES = 50_000_000
MAX_ROWS = 200_000
MAX_CELL_CHARS = 200
MAX_PROBLEMS = 1_000  # beyond this a file is hopeless; report that many and stop
LIST_SEPARATOR = ";"
STATUSES = ("active", "suspended")
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0"})
_DID = re.compile(r"^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Controls and bidi overrides could hide or reorder text in a credential card.
_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Column:
    """One register column: its CSV name, the credential term it fills, whether required."""

    name: str
    term: str
    required: bool
    description: str


REGISTER_COLUMNS: tuple[Column, ...] = (
    Column("membership_number", "membershipNumber", True,
           "the member's number in the register (unique)"),
    Column("member_did", "id", True, "the member's DID (unique)"),
    Column("name", "name", False, "the member's name as they want it shown"),
    Column("membership_class", "membershipClass", False, "the class of membership"),
    Column("member_since", "memberSince", True, "the day they joined, YYYY-MM-DD"),
    Column("membership_status", "membershipStatus", True, "active or suspended"),
    Column("voting_rights", "votingRights", True, "true or false"),
    Column("roles", "roles", False, 'roles held, separated by ";"'),
    Column("benefits", "benefits", False, 'benefits, separated by ";"'),
)
_BY_NAME = {c.name: c for c in REGISTER_COLUMNS}
_REQUIRED = tuple(c.name for c in REGISTER_COLUMNS if c.required)


@dataclass(frozen=True)
class MemberRecord:
    """One member, as the register says (checked, typed)."""

    membership_number: str
    member_did: str
    member_since: date
    membership_status: str
    voting_rights: bool
    name: str | None = None
    membership_class: str | None = None
    roles: tuple[str, ...] = ()
    benefits: tuple[str, ...] = ()
    row: int = 0  # where it came from (0: not from a file); not part of the claims

    def claims(self, *, omit: Iterable[str] = ()) -> dict[str, Any]:
        """The credentialSubject claims (definition terms), without the subject id/type.

        ``omit`` leaves terms out (e.g. ``("name", "membershipNumber")`` for a
        credential that should say less about the member).
        """
        omitted = set(omit)
        values: dict[str, Any] = {
            "name": self.name,
            "membershipNumber": self.membership_number,
            "membershipClass": self.membership_class,
            "memberSince": self.member_since.isoformat(),
            "membershipStatus": self.membership_status,
            "votingRights": self.voting_rights,
            "roles": list(self.roles) or None,
            "benefits": list(self.benefits) or None,
        }
        return {k: v for k, v in values.items() if v is not None and k not in omitted}

    def to_row(self) -> dict[str, str]:
        """The record as a CSV row (column name -> text)."""
        return {
            "membership_number": self.membership_number,
            "member_did": self.member_did,
            "name": self.name or "",
            "membership_class": self.membership_class or "",
            "member_since": self.member_since.isoformat(),
            "membership_status": self.membership_status,
            "voting_rights": "true" if self.voting_rights else "false",
            "roles": f"{LIST_SEPARATOR} ".join(self.roles),
            "benefits": f"{LIST_SEPARATOR} ".join(self.benefits),
        }


@dataclass(frozen=True)
class RegisterProblem:
    """One thing wrong in a register: row (header = 1; 0 = the whole file), column, why."""

    row: int
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        if self.column:
            where += f", {self.column}"
        return f"{where}: {self.message}"


class RegisterError(InputError):
    """A register that cannot be used; ``.problems`` lists every problem found."""

    def __init__(self, problems: Iterable[RegisterProblem], source: str = "") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        where = f"{source}: " if source else ""
        listed = "; ".join(str(p) for p in self.problems[:5])
        more = f"; and {count - 5} more" if count > 5 else ""
        super().__init__(
            "bad-register",
            f"{where}{count} problem{'s' if count != 1 else ''} in the member register,"
            f" nothing imported: {listed}{more}",
            path=source or None,
        )


# --- reading ----------------------------------------------------------------------


def _shown(value: str) -> str:
    """A cell value safe to echo in a message (hidden characters escaped, shortened)."""
    value = _HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return value if len(value) <= 60 else value[:57] + "..."


class _Row:
    """Checks the cells of one row, collecting problems."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[RegisterProblem]):
        self.number = number
        self.cells = cells
        self.problems = problems
        self.ok = True

    def problem(self, column: str, code: str, message: str) -> None:
        self.ok = False
        self.problems.append(RegisterProblem(self.number, column, code, message))

    def text(self, column: str) -> str | None:
        value = self.cells.get(column, "").strip()
        if not value:
            if column in _REQUIRED:
                self.problem(column, "missing-value", "required, but empty")
            return None
        if len(value) > MAX_CELL_CHARS:
            self.problem(column, "too-long", f"longer than {MAX_CELL_CHARS} characters")
            return None
        if _HIDDEN.search(value):
            self.problem(column, "control-character",
                         f"contains a control or text-direction character: {_shown(value)}")
            return None
        return value

    def items(self, column: str) -> tuple[str, ...]:
        value = self.text(column)
        if value is None:
            return ()
        items = tuple(i.strip() for i in value.split(LIST_SEPARATOR) if i.strip())
        if len(set(items)) != len(items):
            self.problem(column, "duplicate-item", f"an item is listed twice: {_shown(value)}")
        return items


def _check_row(row: _Row, as_of: date | None) -> MemberRecord | None:
    number = row.text("membership_number")
    if number is not None and not _NUMBER.match(number):
        row.problem("membership_number", "bad-membership-number",
                    f"letters, digits, '.', '_' or '-' only (at most 64): {_shown(number)}")
    did = row.text("member_did")
    if did is not None:
        if not _DID.match(did):
            row.problem("member_did", "bad-did", f"not a DID: {_shown(did)}")
        elif did.startswith("did:key:"):
            try:
                public_key_from_did_key(did)
            except CoopCredsError as err:
                row.problem("member_did", "bad-did", f"not a usable did:key ({err.message})")
    name = row.text("name")
    membership_class = row.text("membership_class")
    since_text = row.text("member_since")
    since = None
    if since_text is not None:
        try:
            if not _DATE.match(since_text):
                raise ValueError
            since = date.fromisoformat(since_text)
        except ValueError:
            row.problem("member_since", "bad-date", f"not a date (YYYY-MM-DD): {_shown(since_text)}")
        else:
            if as_of is not None and since > as_of:
                row.problem("member_since", "future-date",
                            f"{since_text} is after {as_of.isoformat()}")
    status = row.text("membership_status")
    if status is not None:
        status = status.lower()
        if status not in STATUSES:
            row.problem("membership_status", "bad-status",
                        f"not one of {', '.join(STATUSES)}: {_shown(status)}")
    votes_text = row.text("voting_rights")
    votes = None
    if votes_text is not None:
        low = votes_text.lower()
        if low in _TRUE or low in _FALSE:
            votes = low in _TRUE
        else:
            row.problem("voting_rights", "bad-boolean", f"not yes or no: {_shown(votes_text)}")
    roles = row.items("roles")
    benefits = row.items("benefits")
    if not row.ok:
        return None
    assert number and did and since and status and votes is not None  # checked above
    return MemberRecord(
        membership_number=number, member_did=did, member_since=since,
        membership_status=status, voting_rights=votes, name=name,
        membership_class=membership_class, roles=roles, benefits=benefits, row=row.number,
    )


def _check(text: str, as_of: date | None) -> tuple[list[MemberRecord], list[RegisterProblem]]:
    problems: list[RegisterProblem] = []
    records: list[MemberRecord] = []
    if "\x00" in text:
        return [], [RegisterProblem(0, "", "not-csv", "not a CSV text file (NUL bytes)")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        return [], [RegisterProblem(1, "", "bad-csv", f"not readable as CSV: {err}")]
    if not header or not any(h.strip() for h in header):
        return [], [RegisterProblem(0, "", "empty-register", "the file is empty")]
    names = [h.strip().lower() for h in header]
    for name in names:
        if name and name not in _BY_NAME:
            problems.append(RegisterProblem(
                1, name, "unknown-column",
                f"not a register column (known: {', '.join(_BY_NAME)})"))
        elif not name:
            problems.append(RegisterProblem(1, "", "empty-column-name", "a column has no name"))
    for name in sorted({n for n in names if names.count(n) > 1 and n}):
        problems.append(RegisterProblem(1, name, "duplicate-column", "the column appears twice"))
    for name in _REQUIRED:
        if name not in names:
            problems.append(RegisterProblem(1, name, "missing-column", "required column missing"))
    if problems:  # rows cannot be read reliably against a wrong header
        return [], problems
    seen_numbers: dict[str, int] = {}
    seen_dids: dict[str, int] = {}
    number = 1
    try:
        for cells in reader:
            number += 1
            if len(problems) >= MAX_PROBLEMS:
                break
            if not any(c.strip() for c in cells):
                continue  # blank lines are harmless
            if number - 1 > MAX_ROWS:
                problems.append(RegisterProblem(number, "", "too-many-rows",
                                                f"more than {MAX_ROWS} members"))
                break
            if len(cells) != len(names):
                problems.append(RegisterProblem(
                    number, "", "wrong-cell-count",
                    f"{len(cells)} cells where the header has {len(names)}"))
                continue
            row = _Row(number, dict(zip(names, cells)), problems)
            record = _check_row(row, as_of)
            for column, value, seen in (
                ("membership_number", row.cells["membership_number"].strip(), seen_numbers),
                ("member_did", row.cells["member_did"].strip(), seen_dids),
            ):
                if value and value in seen:
                    row.problem(column, "duplicate", f"{_shown(value)} is also on row {seen[value]}")
                    record = None
                elif value:
                    seen[value] = number
            if record is not None:
                records.append(record)
    except csv.Error as err:
        problems.append(RegisterProblem(number + 1, "", "bad-csv", f"not readable as CSV: {err}"))
    if not records and not problems:
        problems.append(RegisterProblem(0, "", "no-members", "the register lists no members"))
    return records, problems


def register_problems(text: str, *, as_of: date | None = None) -> list[RegisterProblem]:
    """Every problem in the register ``text`` (empty: it can be imported)."""
    return _check(text, as_of)[1]


def parse_register(
    text: str, *, source: str = "", as_of: date | None = None
) -> tuple[MemberRecord, ...]:
    """The records of the register ``text``; ``RegisterError`` listing every problem if any.

    ``as_of`` (a date) refuses a ``member_since`` after it.
    """
    records, problems = _check(text, as_of)
    if problems:
        raise RegisterError(problems, source)
    return tuple(records)


def read_register(
    path: str | os.PathLike[str], *, as_of: date | None = None
) -> tuple[MemberRecord, ...]:
    """Read and check the register at ``path`` (UTF-8, a BOM from a spreadsheet is fine)."""
    path = Path(path)
    try:
        data = read_bounded(path, MAX_REGISTER_BYTES, what="member register")
    except FileNotFoundError:
        raise InputError("register-missing", f"no member register at {path}",
                         path=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise RegisterError(
            [RegisterProblem(0, "", "not-utf8", f"not UTF-8 text (byte {err.start})")], path.name
        ) from None
    return parse_register(text, source=path.name, as_of=as_of)


# --- writing and the synthetic sample ---------------------------------------------------


def register_csv(records: Iterable[MemberRecord]) -> str:
    """The records as register CSV text (every column, header first)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=[c.name for c in REGISTER_COLUMNS],
                            lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(record.to_row())
    return out.getvalue()


def write_register(
    records: Iterable[MemberRecord], path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the records as register CSV at ``path`` atomically; never overwrites unless asked."""
    path = Path(path)
    try:
        write_atomically(path, register_csv(records).encode("utf-8"), overwrite=overwrite)
    except FileExistsError:
        raise InputError("register-exists", f"{path} exists; pass overwrite=True to replace it",
                         path=str(path)) from None
    return path


_GIVEN = ("Ada", "Bea", "Chidi", "Dara", "Eli", "Femi", "Grace", "Hana", "Ivo", "Jun", "Kiri",
          "Lena", "Mateo", "Nia", "Omar", "Pita", "Quinn", "Rosa", "Sione", "Tamsin", "Uma",
          "Vik", "Wren", "Xiu", "Yara", "Zane")
_FAMILY = ("Okafor", "Lindqvist", "Mensah", "Kowalski", "Tane", "Haddad", "Nakamura", "Ferreira",
           "O'Brien", "Patel", "Rangi", "Schmidt", "Diallo", "Moreau", "Evans", "Kaur")
_CLASSES = ("consumer member", "consumer member", "consumer member", "worker member",
            "supporter member")
_EXTRA_ROLES = ("volunteer", "board director", "treasurer", "secretary", "buying group")


def sample_register_path() -> Path:
    """``data/registers/sample_members.csv``: 25 synthetic members of the sample co-op."""
    return Path(str(resources.files("coopcreds_proto.data") / "registers" / "sample_members.csv"))


def sample_member_key(i: int, seed: str = "coopcreds-demo") -> Ed25519Key:
    """The demo key of member ``i`` (from 1) of ``generate_register(..., seed=seed)``.

    Derived from a published seed: for demos and tests only, never for real use.
    """
    if i == 1:
        return sample_actors(seed).member
    return Ed25519Key.generate(SeededRandom(f"{seed}/member-{i}"))


def generate_register(
    n: int, *, seed: str = "coopcreds-demo", start: date = date(2012, 5, 1),
    end: date = date(2025, 12, 31), prefix: str = "RFC", first_number: int = 42,
) -> tuple[MemberRecord, ...]:
    """``n`` synthetic members of the sample co-op (demo data, never real people).

    Deterministic for a ``seed``. Numbers run from ``first_number`` (earlier
    members have left). Member ``i`` (from 1) has the DID of
    ``Ed25519Key.generate(SeededRandom(f"{seed}/member-{i}"))``, except the
    first, who is the sample member of ``samples.sample_actors(seed)`` (Ada
    Okafor), so her wallet holds what the register issues to her.
    """
    if n < 1:
        raise InputError("bad-count", "a register needs at least one member")
    rng = SeededRandom(f"{seed}/register")
    days = (end - start).days
    records = []
    for i in range(1, n + 1):
        name = f"{_GIVEN[randbelow(rng, len(_GIVEN))]} {_FAMILY[randbelow(rng, len(_FAMILY))]}"
        roles = ["member"]
        if randbelow(rng, 4) == 0:
            roles.append(_EXTRA_ROLES[randbelow(rng, len(_EXTRA_ROLES))])
        membership_class = _CLASSES[randbelow(rng, len(_CLASSES))]
        since = start + timedelta(days=randbelow(rng, days + 1))
        status = "suspended" if randbelow(rng, 20) == 0 else "active"
        if i == 1:  # the sample member, as samples.sample_membership_credential has her
            name, since, status = "Ada Okafor", date(2019, 3, 14), "active"
            membership_class, roles = "consumer member", ["member", "board director"]
        did = sample_member_key(i, seed).did
        records.append(MemberRecord(
            membership_number=f"{prefix}-{first_number + i - 1:05d}",
            member_did=did,
            member_since=since,
            membership_status=status,
            voting_rights=membership_class != "supporter member",
            name=name,
            membership_class=membership_class,
            roles=tuple(roles),
            benefits=("member prices at partner co-operatives",),
        ))
    return tuple(records)
