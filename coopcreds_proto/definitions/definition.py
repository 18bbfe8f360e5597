"""Credential definitions: what a credential type says, field by field, versioned.

A definition is a human-edited YAML (or JSON) file in ``data/definitions/``,
one file per version (``data/definitions/cooperative-membership/v0.1.yaml``).
It is read into frozen dataclasses, checked as a whole (every problem listed by
field path), and written back atomically. The generated artefacts (context,
schema, example, handout sheet, diff) live in ``definition_artefacts``; the
adoption decision and the signed release in ``definition_release``.

Public API
----------
Values (all frozen dataclasses; change them with the functions below or
``dataclasses.replace``):

- ``Field(term, label, description, datatype, required=False, multiple=False,
  sensitivity="personal", spheres=(), rationale="", status="proposed",
  since="", values=(), fields=(), object_type="", example=None, discussion="")``
  ``.for_discussion`` (bool), ``.active`` (status != "dropped").
- ``ChangelogEntry(version, date, change, fields=(), feedback=())``: ``fields``
  are field paths ("memberOf.sector"), ``feedback`` the ids of the feedback
  records behind the change.
- ``AdoptionDecision(date, rule, votes_for, votes_against, abstentions,
  voters=(), body="", note="")`` with ``.passed``, ``.rule_text``.
- ``CredentialDefinition(slug, name, credential_type, subject_type, version,
  status, date, summary, context_base, vocab_base, fields, changelog=(),
  decisions=())`` with ``.context_url``, ``.file_name``, ``.active_fields``,
  ``.field(path)`` and ``.iter_fields()`` (yields ``(path, Field)``).
- ``Problem(path, code, message)``; ``DefinitionError`` (an ``InputError``,
  code ``invalid-definition``) carrying ``.problems``.

Constants: ``DATATYPES``, ``SENSITIVITIES``, ``SPHERES``, ``FIELD_STATUSES``,
``DEFINITION_STATUSES``, ``RESERVED_TERMS``.

Functions:

- ``load_definition(path) -> CredentialDefinition`` (raises DefinitionError
  with every problem), ``parse_definition(data, source="") ->
  CredentialDefinition``, ``definition_from_text(text, source="")``.
- ``definition_problems(definition) -> tuple[Problem, ...]`` (empty when valid),
  ``check_definition(definition)`` (raises DefinitionError),
  ``reusable_vc_term(term, datatype)``, ``example_fits(field, value)``,
  ``is_iso_date(value)``.
- ``definition_to_dict(definition) -> dict`` (plain JSON-able data, the
  file's shape), ``definition_to_yaml(definition) -> str``,
  ``save_definition(definition, path, *, overwrite=False) -> Path`` (checks
  first, writes atomically, refuses to replace a different existing file
  unless ``overwrite``).
- ``definition_digest(definition) -> str``: SHA-256 (hex) of the RFC 8785
  canonical JSON of ``definition_to_dict``.
- Editing: ``with_field(definition, field, parent="")`` (add, or replace the
  field with the same term), ``replace_field(definition, path, field)`` (the
  field at ``path``, renamed or not), ``drop_field(definition, path, version="")``
  (status "dropped", kept for the record), ``remove_field(definition, path)``
  (gone entirely: for drafts being edited), ``next_version(definition,
  version, date, change="", status="draft")`` (a new draft version with a
  changelog entry), ``with_changelog(definition, entry)``.
- ``definitions_dir()``, ``definition_path(slug, version)``,
  ``list_definition_files(slug)``.

>>> d = load_definition(definition_path("cooperative-membership", "0.1"))
>>> d.credential_type, d.version, d.context_url
('CooperativeMembershipCredential', '0.1', 'https://w3id.org/coopcreds/membership/v0.1')
>>> d.field("memberOf.sector").datatype
'text'
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..canonical import canonicalize_jcs
from ..errors import CoopCredsError, InputError
from ..loader import OfflineDocumentLoader
from ..timestamps import parse_timestamp
from ..vc.credentials import VC_V2_CONTEXT

DATATYPES = ("text", "date", "dateTime", "boolean", "integer", "enum", "iri", "object")
SENSITIVITIES = ("public", "personal", "sensitive")
SPHERES = ("legal", "work", "play")
FIELD_STATUSES = ("proposed", "accepted", "changed", "dropped")
DEFINITION_STATUSES = ("draft", "proposed", "adopted")
# Names a field can never take: JSON-LD keywords and the node's own id/type.
RESERVED_TERMS = frozenset({"id", "type"})
RULES = {
    "majority": ("a simple majority of the votes cast", Fraction(1, 2)),
    "two-thirds": ("at least two thirds of the votes cast", Fraction(2, 3)),
}
MAX_FILE_BYTES = 1_000_000
_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- values --------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, and where (a field path or a key)."""

    path: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class DefinitionError(InputError):
    """A definition that cannot be used; ``.problems`` lists every problem found."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem], source: str = "") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        where = f"{source}: " if source else ""
        first = str(self.problems[0]) if self.problems else "unknown problem"
        super().__init__(
            "invalid-definition",
            f"{where}{count} problem{'s' if count != 1 else ''} in the definition; first: {first}",
            path=self.problems[0].path if self.problems else None,
        )


@dataclass(frozen=True)
class Field:
    """One claim a credential can carry, described for the people who decide on it.

    ``datatype`` is one of ``DATATYPES``; an ``enum`` lists its ``values``, an
    ``object`` its nested ``fields`` (and may name an ``object_type``).
    ``multiple`` makes it a list. ``discussion`` is a question still open for
    the workshop (empty when settled).
    """

    term: str
    label: str
    description: str
    datatype: str
    required: bool = False
    multiple: bool = False
    sensitivity: str = "personal"
    spheres: tuple[str, ...] = ()
    rationale: str = ""
    status: str = "proposed"
    since: str = ""
    values: tuple[str, ...] = ()
    fields: tuple[Field, ...] = ()
    object_type: str = ""
    example: Any = None
    discussion: str = ""

    @property
    def for_discussion(self) -> bool:
        return bool(self.discussion)

    @property
    def active(self) -> bool:
        return self.status != "dropped"


@dataclass(frozen=True)
class ChangelogEntry:
    """What changed in a version, which fields, and the feedback behind it."""

    version: str
    date: str
    change: str
    fields: tuple[str, ...] = ()
    feedback: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdoptionDecision:
    """A recorded vote on adopting a definition version.

    >>> AdoptionDecision("2026-03-01", "two-thirds", 14, 6, 2).passed
    True
    >>> AdoptionDecision("2026-03-01", "two-thirds", 13, 7, 2).passed
    False
    """

    date: str
    rule: str
    votes_for: int
    votes_against: int
    abstentions: int = 0
    voters: tuple[str, ...] = ()
    body: str = ""
    note: str = ""

    @property
    def passed(self) -> bool:
        """True when the rule is met (abstentions do not count as votes cast)."""
        if self.rule not in RULES:
            return False
        cast = self.votes_for + self.votes_against
        if cast == 0:
            return False
        share = Fraction(self.votes_for, cast)
        threshold = RULES[self.rule][1]
        # A simple majority needs more than half; two thirds is reached at 2/3.
        return share > threshold if self.rule == "majority" else share >= threshold

    @property
    def rule_text(self) -> str:
        return RULES.get(self.rule, (self.rule, None))[0]


@dataclass(frozen=True)
class CredentialDefinition:
    """One version of a credential type: metadata, fields, changelog, decisions."""

    slug: str
    name: str
    credential_type: str
    subject_type: str
    version: str
    status: str
    date: str
    summary: str
    context_base: str
    vocab_base: str
    fields: tuple[Field, ...]
    changelog: tuple[ChangelogEntry, ...] = ()
    decisions: tuple[AdoptionDecision, ...] = ()
    # Subject fields every selective disclosure (ecdsa-sd-2023) reveals, besides the
    # issuer, validity, status and types (``vc.disclosure.mandatory_pointers_for``).
    mandatory_claims: tuple[str, ...] = ()

    @property
    def context_url(self) -> str:
        """The JSON-LD context URL of this version (the version is in the URL)."""
        return f"{self.context_base.rstrip('/')}/v{self.version}"

    @property
    def file_name(self) -> str:
        return f"v{self.version}.yaml"

    @property
    def active_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.active)

    def iter_fields(self, *, include_dropped: bool = True) -> Iterator[tuple[str, Field]]:
        """Every field, nested ones too, as ``(path, field)``; parents first."""
        yield from _walk(self.fields, "", include_dropped)

    def field(self, path: str) -> Field:
        """The field at ``path`` ("memberOf.sector"); ``KeyError`` if there is none."""
        for p, f in self.iter_fields():
            if p == path:
                return f
        raise KeyError(path)


def _walk(fields: tuple[Field, ...], prefix: str, include_dropped: bool):
    for f in fields:
        if not include_dropped and not f.active:
            continue
        path = f"{prefix}{f.term}"
        yield path, f
        yield from _walk(f.fields, path + ".", include_dropped)


# --- checking ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vc_protected_terms() -> dict[str, Any]:
    """Terms the VC 2.0 context protects: top level, and in its type-scoped contexts."""
    ctx = OfflineDocumentLoader.default().load(VC_V2_CONTEXT)["@context"]
    terms: dict[str, Any] = {}
    for name, value in ctx.items():
        if name.startswith("@"):
            continue
        terms.setdefault(name, value)
        if isinstance(value, dict) and isinstance(value.get("@context"), dict):
            for inner in value["@context"]:
                if not inner.startswith("@"):
                    terms.setdefault(inner, ctx.get(inner))
    return terms


def reusable_vc_term(term: str, datatype: str) -> Any:
    """VC 2.0's own definition of ``term`` if a field may reuse it with that meaning.

    Only plain-text terms defined at the top of the VC 2.0 context qualify
    (``name``, ``description``); ``None`` otherwise.

    >>> reusable_vc_term("name", "text")
    'https://schema.org/name'
    >>> reusable_vc_term("validFrom", "date") is None
    True
    """
    value = _vc_protected_terms().get(term)
    if datatype == "text" and isinstance(value, str):
        return value
    return None


def definition_problems(definition: CredentialDefinition) -> tuple[Problem, ...]:
    """Every problem of ``definition`` (empty when it is usable), by field path."""
    problems: list[Problem] = []
    add = problems.append
    d = definition
    if not _SLUG.match(d.slug or ""):
        add(Problem("slug", "bad-slug", "slug must be lower-case words joined by '-'"))
    if not _VERSION.match(d.version or ""):
        add(Problem("version", "bad-version", f"version {d.version!r} is not like '0.1'"))
    if d.status not in DEFINITION_STATUSES:
        add(Problem("status", "bad-status", f"status {d.status!r} is not one of "
                    + ", ".join(DEFINITION_STATUSES)))
    if not is_iso_date(d.date):
        add(Problem("date", "bad-date", f"date {d.date!r} is not an ISO date (YYYY-MM-DD)"))
    for key in ("credential_type", "subject_type"):
        value = getattr(d, key)
        if not _TYPE_NAME.match(value or ""):
            add(Problem(key, "bad-type-name", f"{key} {value!r} must be a CamelCase name"))
    if not d.name.strip():
        add(Problem("name", "missing", "the definition needs a name"))
    for key in ("context_base", "vocab_base"):
        value = getattr(d, key)
        if not re.match(r"^https://\S+$", value or ""):
            add(Problem(key, "bad-url", f"{key} {value!r} must be an https URL"))
    if d.vocab_base and not d.vocab_base.endswith(("#", "/")):
        add(Problem("vocab_base", "bad-url", "vocab_base must end with '#' or '/'"))
    if not d.active_fields:
        add(Problem("fields", "no-fields", "the definition has no (active) fields"))
    type_names = {d.credential_type, d.subject_type}
    protected = _vc_protected_terms()
    for key in ("credential_type", "subject_type"):
        if getattr(d, key) in protected:
            add(Problem(key, "protected-term", f"{getattr(d, key)!r} is a VC 2.0 term;"
                        " choose another type name"))
    meanings: dict[str, tuple[str, str]] = {}  # term -> (datatype, first path)
    _check_fields(d.fields, "", protected, meanings, type_names, problems)
    for i, entry in enumerate(d.changelog):
        if not is_iso_date(entry.date):
            add(Problem(f"changelog[{i}].date", "bad-date", f"{entry.date!r} is not an ISO date"))
    for i, decision in enumerate(d.decisions):
        if decision.rule not in RULES:
            add(Problem(f"decisions[{i}].rule", "bad-rule", f"unknown rule {decision.rule!r}"
                        f" (use {' or '.join(RULES)})"))
        if not is_iso_date(decision.date):
            add(Problem(f"decisions[{i}].date", "bad-date",
                        f"{decision.date!r} is not an ISO date"))
    known = {path for path, f in d.iter_fields(include_dropped=False)}
    for i, path in enumerate(d.mandatory_claims):
        if path not in known:
            add(Problem(f"mandatory_claims[{i}]", "unknown-field",
                        f"mandatory claim {path!r} is not an active field of the definition"))
    if d.status == "adopted" and not any(x.passed for x in d.decisions):
        add(Problem("status", "not-adopted",
                    "status is 'adopted' but no recorded decision met its rule"))
    return tuple(problems)


def _check_fields(fields, prefix, protected, meanings, type_names, problems) -> None:
    add = problems.append
    seen: set[str] = set()
    for f in fields:
        path = f"{prefix}{f.term}" if f.term else f"{prefix}(unnamed)"
        term = f.term
        if not term:
            add(Problem(path, "missing-term", "the field has no term (JSON name)"))
        elif term.startswith("@") or term in RESERVED_TERMS:
            add(Problem(path, "reserved-term",
                        f"'{term}' is reserved (id, type and @-keywords cannot be fields)"))
        elif not _TERM.match(term):
            add(Problem(path, "bad-term", f"'{term}' must be letters, digits or '_',"
                        " starting with a letter"))
        elif term in seen:
            add(Problem(path, "duplicate-term", f"'{term}' appears twice in the same object"))
        elif term in type_names:
            add(Problem(path, "term-is-type", f"'{term}' is also a type name"))
        elif term in protected and reusable_vc_term(term, f.datatype) is None:
            add(Problem(path, "protected-term",
                        f"'{term}' is a VC 2.0 term with another meaning; choose another name"
                        + (" (or make it text to reuse its meaning)"
                           if isinstance(protected[term], str) else "")))
        elif term in meanings and meanings[term][0] != f.datatype and f.active:
            add(Problem(path, "conflicting-term",
                        f"'{term}' is a {meanings[term][0]} at {meanings[term][1]}"
                        f" but a {f.datatype} here: one term, one meaning"))
        if term:
            seen.add(term)
            if f.active:
                meanings.setdefault(term, (f.datatype, path))
        if not f.label.strip():
            add(Problem(path, "missing-label", "the field needs a label for people"))
        if not f.description.strip():
            add(Problem(path, "missing-description", "the field needs a plain-language"
                        " description"))
        if f.datatype not in DATATYPES:
            add(Problem(path, "unknown-datatype", f"unknown datatype {f.datatype!r}"
                        f" (use one of {', '.join(DATATYPES)})"))
        if f.datatype == "enum":
            if not f.values:
                add(Problem(path, "enum-without-values", "an enum needs its allowed values"))
            elif len(set(f.values)) != len(f.values):
                add(Problem(path, "duplicate-value", "an enum value is listed twice"))
        elif f.values:
            add(Problem(path, "values-not-enum", "only an enum lists values"))
        if f.datatype == "object":
            if not any(sub.active for sub in f.fields):
                add(Problem(path, "object-without-fields", "a nested object needs fields"))
            if f.object_type and not _TYPE_NAME.match(f.object_type):
                add(Problem(path, "bad-type-name", f"object_type {f.object_type!r} must be"
                            " a CamelCase name"))
            elif f.object_type in protected:
                add(Problem(path, "protected-term", f"object_type {f.object_type!r} is a"
                            " VC 2.0 term; choose another type name"))
            if f.object_type:
                type_names = type_names | {f.object_type}
        elif f.fields:
            add(Problem(path, "fields-not-object", "only an object has nested fields"))
        if f.sensitivity not in SENSITIVITIES:
            add(Problem(path, "bad-sensitivity", f"sensitivity {f.sensitivity!r} is not one of"
                        f" {', '.join(SENSITIVITIES)}"))
        for sphere in f.spheres:
            if sphere not in SPHERES:
                add(Problem(path, "bad-sphere", f"sphere {sphere!r} is not one of"
                            f" {', '.join(SPHERES)}"))
        if f.status not in FIELD_STATUSES:
            add(Problem(path, "bad-status", f"status {f.status!r} is not one of"
                        f" {', '.join(FIELD_STATUSES)}"))
        if f.since and not _VERSION.match(f.since):
            add(Problem(path, "bad-version", f"since {f.since!r} is not a version like '0.1'"))
        if f.example is not None and not example_fits(f, f.example):
            add(Problem(path, "bad-example", f"example {f.example!r} is not a valid"
                        f" {'list of ' if f.multiple else ''}{f.datatype}"))
        _check_fields(f.fields, path + ".", protected, meanings, type_names, problems)


def is_iso_date(value: Any) -> bool:
    """True for a real calendar date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _DATE.match(value):
        return False
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def example_fits(f: Field, value: Any) -> bool:
    """True if ``value`` is a valid example of field ``f`` (its datatype, values, list-ness)."""
    if f.multiple:
        return isinstance(value, list) and all(_scalar_fits(f, v) for v in value)
    return _scalar_fits(f, value)


def _scalar_fits(f: Field, value: Any) -> bool:
    dt = f.datatype
    if dt == "text":
        return isinstance(value, str)
    if dt == "date":
        return is_iso_date(value)
    if dt == "dateTime":
        try:
            parse_timestamp(value)
        except (CoopCredsError, TypeError, ValueError):
            return False
        return True
    if dt == "boolean":
        return isinstance(value, bool)
    if dt == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if dt == "enum":
        return value in f.values
    if dt == "iri":
        return isinstance(value, str) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$", value))
    return False  # objects take their example from their fields


def check_definition(definition: CredentialDefinition, source: str = "") -> None:
    """Raise ``DefinitionError`` listing every problem, if there is any."""
    problems = definition_problems(definition)
    if problems:
        raise DefinitionError(problems, source)


# --- reading -------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no 'billion laughs' expansion, no shared nodes)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "aliases (*name) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


# Dates stay text (as in the JSON the credential will carry): no YAML timestamps.
_NoAliasLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


_DEF_KEYS = {
    "slug", "name", "credential_type", "subject_type", "version", "status", "date",
    "summary", "context_base", "vocab_base", "fields", "changelog", "decisions",
    "mandatory_claims",
}
_FIELD_KEYS = {
    "term", "label", "description", "datatype", "required", "multiple", "sensitivity",
    "spheres", "rationale", "status", "since", "values", "fields", "object_type", "example",
    "discussion",
}


def definition_from_text(text: str, source: str = "") -> CredentialDefinition:
    """Parse and check a definition from YAML (or JSON, a subset of YAML) text."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise InputError("file-too-large", f"{source or 'definition'}: larger than"
                         f" {MAX_FILE_BYTES} bytes", path=source or None)
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # a SafeLoader subclass
    except RecursionError:
        raise InputError("yaml-too-deep", f"{source or 'definition'}: nested too deeply",
                         path=source or None) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "?"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError("not-yaml", f"{source or 'definition'}: not valid YAML at {where}:"
                         f" {reason}", path=where) from None
    return parse_definition(data, source)


def load_definition(path: str | os.PathLike) -> CredentialDefinition:
    """Read, parse and check the definition file at ``path``."""
    p = Path(path)
    try:
        data = read_bounded(p, MAX_FILE_BYTES, what="definition file")
    except FileNotFoundError:
        raise InputError("definition-missing", f"{p}: no such file", path=str(p)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("not-utf8", f"{p}: not UTF-8 text", path=str(p)) from None
    return definition_from_text(text, str(p))


def parse_definition(data: Any, source: str = "") -> CredentialDefinition:
    """Build a definition from plain data (the file's shape) and check it.

    Raises ``DefinitionError`` with the shape problems and the checking
    problems together.
    """
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise DefinitionError([Problem("", "not-a-mapping",
                                       "a definition is a mapping of keys to values")], source)
    for key in sorted(set(data) - _DEF_KEYS, key=str):
        problems.append(Problem(str(key), "unknown-key", f"unknown key {key!r}"))
    r = _Reader(problems)
    raw_fields = data.get("fields")
    if not isinstance(raw_fields, list):
        problems.append(Problem("fields", "missing", "'fields' must be a list of fields"))
        raw_fields = []
    definition = CredentialDefinition(
        slug=r.text(data, "slug", ""),
        name=r.text(data, "name", ""),
        credential_type=r.text(data, "credential_type", ""),
        subject_type=r.text(data, "subject_type", ""),
        version=r.text(data, "version", ""),
        status=r.text(data, "status", "", default="draft"),
        date=r.text(data, "date", ""),
        summary=r.text(data, "summary", "", default=""),
        context_base=r.text(data, "context_base", ""),
        vocab_base=r.text(data, "vocab_base", ""),
        fields=r.fields(raw_fields, ""),
        changelog=tuple(r.changelog(data.get("changelog") or [])),
        decisions=tuple(r.decisions(data.get("decisions") or [])),
        mandatory_claims=r.texts(data, "mandatory_claims", ""),
    )
    # A key already reported as missing or malformed is not reported again.
    shaped = {p.path for p in problems}
    problems.extend(p for p in definition_problems(definition) if p.path not in shaped)
    if problems:
        raise DefinitionError(problems, source)
    return definition


_MISSING = object()


class _Reader:
    """Reads plain data into values, noting shape problems instead of stopping."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def _note(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    def text(self, data: Mapping, key: str, prefix: str, default: Any = _MISSING) -> str:
        path = f"{prefix}{key}"
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if default is _MISSING:
                self._note(path, "missing", f"'{key}' is required")
                return ""
            return default
        if isinstance(value, (_dt.date, _dt.datetime)):
            return value.isoformat()  # YAML reads unquoted dates as dates
        if isinstance(value, float) and key in ("version", "since"):
            self._note(path, "bad-version", f"write the version in quotes ('{value}'), or"
                       " YAML reads it as a number")
            return str(value)
        if not isinstance(value, str):
            self._note(path, "not-text", f"'{key}' must be text")
            return str(value)
        return value

    def flag(self, data: Mapping, key: str, prefix: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self._note(f"{prefix}{key}", "not-boolean", f"'{key}' must be true or false")
            return False
        return value

    def texts(self, data: Mapping, key: str, prefix: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if isinstance(value, str):
            value = [value]
        if any(isinstance(v, bool) for v in value or []):
            # YAML reads yes/no/true/false as booleans: the words must be quoted.
            self._note(f"{prefix}{key}", "not-text", f"'{key}': write yes/no/true/false in"
                       " quotes, or YAML reads them as booleans")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            self._note(f"{prefix}{key}", "not-a-list", f"'{key}' must be a list of words")
            return ()
        return tuple(str(v) for v in value)

    def fields(self, raw: list, prefix: str) -> tuple[Field, ...]:
        out = []
        for i, item in enumerate(raw):
            term = item.get("term") if isinstance(item, Mapping) else None
            path = f"{prefix}{term}" if isinstance(term, str) and term else f"{prefix}[{i}]"
            if not isinstance(item, Mapping):
                self._note(path, "not-a-mapping", "a field is a mapping of keys to values")
                continue
            for key in sorted(set(item) - _FIELD_KEYS, key=str):
                self._note(path, "unknown-key", f"unknown key {key!r}")
            p = path + "."
            nested = item.get("fields") or []
            if not isinstance(nested, list):
                self._note(p + "fields", "not-a-list", "'fields' must be a list of fields")
                nested = []
            discussion = item.get("discussion", "")
            if discussion is True:
                discussion = "Open for discussion."
            elif discussion in (False, None):
                discussion = ""
            elif not isinstance(discussion, str):
                self._note(p + "discussion", "not-text", "'discussion' must be text or true")
                discussion = ""
            example = item.get("example")
            if isinstance(example, (_dt.date, _dt.datetime)):
                example = example.isoformat()
            out.append(Field(
                term=self.text(item, "term", p),
                label=self.text(item, "label", p),
                description=self.text(item, "description", p),
                datatype=self.text(item, "datatype", p),
                required=self.flag(item, "required", p),
                multiple=self.flag(item, "multiple", p),
                sensitivity=self.text(item, "sensitivity", p, default="personal"),
                spheres=self.texts(item, "spheres", p),
                rationale=self.text(item, "rationale", p, default=""),
                status=self.text(item, "status", p, default="proposed"),
                since=self.text(item, "since", p, default=""),
                values=self.texts(item, "values", p),
                fields=self.fields(nested, p),
                object_type=self.text(item, "object_type", p, default=""),
                example=example,
                discussion=discussion,
            ))
        return tuple(out)

    def changelog(self, raw: Any) -> Iterator[ChangelogEntry]:
        if not isinstance(raw, list):
            self._note("changelog", "not-a-list", "'changelog' must be a list")
            return
        for i, item in enumerate(raw):
            p = f"changelog[{i}]."
            if not isinstance(item, Mapping):
                self._note(p[:-1], "not-a-mapping", "a changelog entry is a mapping")
                continue
            yield ChangelogEntry(
                version=self.text(item, "version", p),
                date=self.text(item, "date", p),
                change=self.text(item, "change", p),
                fields=self.texts(item, "fields", p),
                feedback=self.texts(item, "feedback", p),
            )

    def decisions(self, raw: Any) -> Iterator[AdoptionDecision]:
        if not isinstance(raw, list):
            self._note("decisions", "not-a-list", "'decisions' must be a list")
            return
        for i, item in enumerate(raw):
            p = f"decisions[{i}]."
            if not isinstance(item, Mapping):
                self._note(p[:-1], "not-a-mapping", "a decision is a mapping")
                continue
            counts = []
            for key in ("votes_for", "votes_against", "abstentions"):
                value = item.get(key, 0)
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    self._note(p + key, "bad-count", f"'{key}' must be a whole number >= 0")
                    value = 0
                counts.append(value)
            yield AdoptionDecision(
                date=self.text(item, "date", p),
                rule=self.text(item, "rule", p),
                votes_for=counts[0],
                votes_against=counts[1],
                abstentions=counts[2],
                voters=self.texts(item, "voters", p),
                body=self.text(item, "body", p, default=""),
                note=self.text(item, "note", p, default=""),
            )


# --- writing -------------------------------------------------------------------


def _field_to_dict(f: Field) -> dict:
    out: dict[str, Any] = {
        "term": f.term,
        "label": f.label,
        "description": f.description,
        "datatype": f.datatype,
        "required": f.required,
    }
    if f.multiple:
        out["multiple"] = True
    out["sensitivity"] = f.sensitivity
    out["spheres"] = list(f.spheres)
    if f.rationale:
        out["rationale"] = f.rationale
    out["status"] = f.status
    if f.since:
        out["since"] = f.since
    if f.values:
        out["values"] = list(f.values)
    if f.object_type:
        out["object_type"] = f.object_type
    if f.example is not None:
        out["example"] = f.example
    if f.discussion:
        out["discussion"] = f.discussion
    if f.fields:
        out["fields"] = [_field_to_dict(sub) for sub in f.fields]
    return out


def definition_to_dict(definition: CredentialDefinition) -> dict:
    """The definition as plain data, in the file's shape (round-trips through parse)."""
    d = definition
    out: dict[str, Any] = {
        "slug": d.slug,
        "name": d.name,
        "credential_type": d.credential_type,
        "subject_type": d.subject_type,
        "version": d.version,
        "status": d.status,
        "date": d.date,
        "summary": d.summary,
        "context_base": d.context_base,
        "vocab_base": d.vocab_base,
    }
    if d.changelog:
        out["changelog"] = [
            {"version": c.version, "date": c.date, "change": c.change,
             **({"fields": list(c.fields)} if c.fields else {}),
             **({"feedback": list(c.feedback)} if c.feedback else {})}
            for c in d.changelog
        ]
    if d.decisions:
        out["decisions"] = [
            {"date": x.date, "rule": x.rule, "votes_for": x.votes_for,
             "votes_against": x.votes_against, "abstentions": x.abstentions,
             **({"voters": list(x.voters)} if x.voters else {}),
             **({"body": x.body} if x.body else {}),
             **({"note": x.note} if x.note else {})}
            for x in d.decisions
        ]
    if d.mandatory_claims:
        out["mandatory_claims"] = list(d.mandatory_claims)
    out["fields"] = [_field_to_dict(f) for f in d.fields]
    return out


def definition_to_yaml(definition: CredentialDefinition) -> str:
    """The definition as YAML text (keys in the file's order, dates as quoted text)."""
    header = (f"# {definition.name}, version {definition.version} ({definition.status}).\n"
              "# Written by coopcreds; edit freely, then run: coopcreds definition validate FILE\n")
    body = yaml.safe_dump(definition_to_dict(definition), sort_keys=False, allow_unicode=True,
                          width=88, default_flow_style=False)
    return header + body


def definition_digest(definition: CredentialDefinition) -> str:
    """SHA-256 (hex) of the definition's RFC 8785 canonical JSON."""
    return hashlib.sha256(canonicalize_jcs(definition_to_dict(definition))).hexdigest()


def save_definition(
    definition: CredentialDefinition, path: str | os.PathLike, *, overwrite: bool = False
) -> Path:
    """Check ``definition`` and write it as YAML to ``path``, atomically.

    Nothing is written if it has problems (``DefinitionError``). An existing
    file with other content is kept unless ``overwrite`` (code
    ``definition-exists``); rewriting identical content is a no-op.
    """
    p = Path(path)
    check_definition(definition, str(p))
    data = definition_to_yaml(definition).encode("utf-8")
    if not overwrite and p.exists():
        if p.read_bytes() == data:
            return p
        raise _definition_exists(p)
    try:
        write_atomically(p, data, overwrite=overwrite)
    except FileExistsError:  # created meanwhile by someone else
        raise _definition_exists(p) from None
    return p


def _definition_exists(path: Path) -> InputError:
    return InputError("definition-exists", f"{path} exists already with other content"
                      " (choose another path, or overwrite it explicitly)", path=str(path))


# --- editing -------------------------------------------------------------------


def _replace_in(fields: tuple[Field, ...], parent: list[str], fn) -> tuple[Field, ...]:
    if not parent:
        return fn(fields)
    head, rest = parent[0], parent[1:]
    if not any(f.term == head for f in fields):
        raise KeyError(head)
    return tuple(
        replace(f, fields=_replace_in(f.fields, rest, fn)) if f.term == head else f
        for f in fields
    )


def _split(path: str) -> list[str]:
    return [p for p in path.split(".") if p]


def with_field(definition: CredentialDefinition, new: Field, parent: str = "") -> CredentialDefinition:
    """``definition`` with ``new`` added under ``parent`` (a path; "" = the subject),
    replacing the field with the same term there if there is one."""

    def put(fields: tuple[Field, ...]) -> tuple[Field, ...]:
        if any(f.term == new.term for f in fields):
            return tuple(new if f.term == new.term else f for f in fields)
        return (*fields, new)

    return replace(definition, fields=_replace_in(definition.fields, _split(parent), put))


def replace_field(definition: CredentialDefinition, path: str, new: Field) -> CredentialDefinition:
    """``definition`` with the field at ``path`` replaced by ``new`` (which may rename it)."""
    *parent, term = _split(path)
    definition.field(path)  # KeyError if absent

    def put(fields: tuple[Field, ...]) -> tuple[Field, ...]:
        return tuple(new if f.term == term else f for f in fields)

    return replace(definition, fields=_replace_in(definition.fields, parent, put))


def drop_field(definition: CredentialDefinition, path: str, version: str = "") -> CredentialDefinition:
    """``definition`` with the field at ``path`` marked dropped (kept for the record)."""
    *parent, term = _split(path)
    definition.field(path)  # KeyError if absent

    def mark(fields: tuple[Field, ...]) -> tuple[Field, ...]:
        return tuple(replace(f, status="dropped", since=version or f.since)
                     if f.term == term else f for f in fields)

    return replace(definition, fields=_replace_in(definition.fields, parent, mark))


def remove_field(definition: CredentialDefinition, path: str) -> CredentialDefinition:
    """``definition`` without the field at ``path`` (for drafts being edited)."""
    *parent, term = _split(path)
    definition.field(path)
    return replace(definition, fields=_replace_in(
        definition.fields, parent, lambda fs: tuple(f for f in fs if f.term != term)))


def with_changelog(definition: CredentialDefinition, entry: ChangelogEntry) -> CredentialDefinition:
    return replace(definition, changelog=(*definition.changelog, entry))


def next_version(
    definition: CredentialDefinition,
    version: str,
    date: str,
    change: str = "",
    status: str = "draft",
) -> CredentialDefinition:
    """A new version of ``definition`` (decisions are per version, so none carry over)."""
    entry = ChangelogEntry(version, date, change or f"Version {version} drafted from"
                           f" {definition.version}.")
    return replace(definition, version=version, date=date, status=status,
                   changelog=(*definition.changelog, entry), decisions=())


# --- where definitions live ----------------------------------------------------


def definitions_dir() -> Path:
    """``data/definitions`` (shipped as ``coopcreds_proto.data``)."""
    return Path(str(resources.files("coopcreds_proto.data").joinpath("definitions")))


def definition_path(slug: str, version: str) -> Path:
    """The file of version ``version`` of definition ``slug`` in ``definitions_dir()``."""
    return definitions_dir() / slug / f"v{version}.yaml"


def list_definition_files(slug: str) -> list[Path]:
    """The version files of ``slug``, oldest version first."""
    def key(p: Path) -> tuple[int, ...]:
        return tuple(int(x) for x in p.stem[1:].split(".") if x.isdigit())

    return sorted((definitions_dir() / slug).glob("v*.yaml"), key=key)

