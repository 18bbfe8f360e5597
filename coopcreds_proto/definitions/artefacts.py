"""Artefacts generated from a credential definition: context, schema, example, sheet, diff.

Everything here is a pure function of a ``CredentialDefinition`` (see
``definition``), so the same definition always gives the same bytes.

Public API
----------
- ``context_document(definition) -> dict`` and ``context_bytes(definition) ->
  bytes`` (the exact bytes that get published and pinned); ``context_sha256``.
  Every term is defined and ``@protected``; all IRIs are under the definition's
  ``vocab_base``, except ``name``/``description``, which reuse the VC 2.0
  meaning (https://schema.org/...) identically. Dates are ``xsd:date``,
  date-times ``xsd:dateTime``, booleans ``xsd:boolean``, integers
  ``xsd:integer``, IRIs and nested objects ``@id``; enum values are plain strings.
- ``definition_loader(definition, loader=None)``: the offline loader plus this
  version's context (refuses a version whose published context differs).
- ``json_schema(definition) -> dict`` (JSON Schema 2020-12 for credentials of
  the type); ``schema_problems(definition_or_schema, credential) -> list[str]``
  (needs the ``jsonschema`` package).
- ``example_credential(definition, actors=None) -> dict`` (unsigned; issue it
  with ``credentials.issue``).
- ``sheet_markdown(definition) -> str``, ``sheet_html(definition, *, stylesheet=True) -> str``:
  the workshop handout; ``fields_table(definition) -> pandas.DataFrame`` (one
  row per field: path, label, datatype, required, sensitivity, spheres,
  status, since, for_discussion).
- ``diff_definitions(old, new) -> DefinitionDiff`` with ``changes``
  (``FieldChange(path, kind, attributes, impact, reasons)``), ``metadata``,
  ``impact`` ("breaking" | "additive" | "editorial" | "none"), ``breaking``,
  ``to_records()``, ``to_markdown()``, ``_repr_html_()``.

>>> from coopcreds_proto.definitions.definition import definition_path, load_definition
>>> d = load_definition(definition_path("cooperative-membership", "0.1"))
>>> ctx = context_document(d)["@context"]
>>> ctx["@protected"], ctx["memberSince"]["@type"]
(True, 'http://www.w3.org/2001/XMLSchema#date')
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from .. import html_views
from ..errors import InputError
from ..loader import OfflineDocumentLoader
from ..vc.credentials import VC_V2_CONTEXT
from ..vc.samples import sample_actors
from .definition import CredentialDefinition, Field, reusable_vc_term

XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_TYPES = {
    "date": XSD + "date",
    "dateTime": XSD + "dateTime",
    "boolean": XSD + "boolean",
    "integer": XSD + "integer",
}
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
DATETIME_PATTERN = r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
IRI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$"
EXAMPLE_VALID_FROM = "2026-01-15T00:00:00Z"
EXAMPLE_ISSUER_NAME = "Riverside Food Co-operative"
# Top-level credential properties the VC 2.0 context defines (the schema allows them).
_VC_PROPERTIES = (
    "id", "name", "description", "validFrom", "validUntil", "credentialStatus",
    "credentialSchema", "evidence", "termsOfUse", "refreshService", "relatedResource",
    "renderMethod", "confidenceMethod", "proof",
)
WHO_SEES = {
    "public": "Anyone the member shows the credential to. Fine to publish.",
    "personal": "Only those the member chooses to show it to: it is personal data"
    " about the member.",
    "sensitive": "Special care: shown only where it is really needed, ideally kept"
    " apart so the member can leave it out.",
}


# --- context -------------------------------------------------------------------


def _term_definition(definition: CredentialDefinition, f: Field) -> Any:
    reused = reusable_vc_term(f.term, f.datatype)
    if reused is not None:
        return reused  # identical to VC 2.0's protected definition: allowed
    entry: dict[str, str] = {"@id": definition.vocab_base + f.term}
    if f.datatype in _XSD_TYPES:
        entry["@type"] = _XSD_TYPES[f.datatype]
    elif f.datatype in ("iri", "object"):
        entry["@type"] = "@id"
    return entry


def context_document(definition: CredentialDefinition) -> dict:
    """The JSON-LD context of this definition version (flat, every term protected)."""
    d = definition
    ctx: dict[str, Any] = {"@version": 1.1, "@protected": True, "id": "@id", "type": "@type"}
    ctx[d.credential_type] = d.vocab_base + d.credential_type
    ctx[d.subject_type] = d.vocab_base + d.subject_type
    for _, f in d.iter_fields(include_dropped=False):
        if f.object_type and f.object_type not in ctx:
            ctx[f.object_type] = d.vocab_base + f.object_type
    for _, f in d.iter_fields(include_dropped=False):
        # A term used at several places has one meaning (checked by the definition).
        ctx.setdefault(f.term, _term_definition(d, f))
    return {"@context": ctx}


def context_bytes(definition: CredentialDefinition) -> bytes:
    """The context as the exact bytes that are published and pinned."""
    text = json.dumps(context_document(definition), indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def context_sha256(definition: CredentialDefinition) -> str:
    return hashlib.sha256(context_bytes(definition)).hexdigest()


def definition_loader(
    definition: CredentialDefinition, loader: OfflineDocumentLoader | None = None
) -> OfflineDocumentLoader:
    """``loader`` (default: the bundled one) that also serves this version's context.

    A version whose context is published already must match it byte for byte
    (code ``context-changed-after-publishing``): published contexts never change.
    """
    loader = loader or OfflineDocumentLoader.default()
    content = context_bytes(definition)
    url = definition.context_url
    if url in loader.urls:
        if loader.load(url) != json.loads(content):
            raise InputError(
                "context-changed-after-publishing",
                f"version {definition.version} is published and its context {url} differs"
                " from this definition's: make a new version instead",
                path=url,
            )
        return loader
    return loader.with_contexts({url: (content, hashlib.sha256(content).hexdigest())})


# --- JSON Schema ---------------------------------------------------------------


def _contains_type(name: str) -> dict:
    return {
        "anyOf": [
            {"const": name},
            {"type": "array", "items": {"type": "string"}, "contains": {"const": name}},
        ]
    }


def _scalar_schema(f: Field) -> dict:
    dt = f.datatype
    if dt == "text":
        return {"type": "string", "minLength": 1}
    if dt == "date":
        return {"type": "string", "pattern": DATE_PATTERN}
    if dt == "dateTime":
        return {"type": "string", "pattern": DATETIME_PATTERN}
    if dt == "boolean":
        return {"type": "boolean"}
    if dt == "integer":
        return {"type": "integer"}
    if dt == "enum":
        return {"type": "string", "enum": list(f.values)}
    if dt == "iri":
        return {"type": "string", "pattern": IRI_PATTERN}
    if dt == "object":
        props: dict[str, Any] = {"id": {"type": "string", "pattern": IRI_PATTERN}}
        required = []
        if f.object_type:
            props["type"] = _contains_type(f.object_type)
        props.update(_properties(f.fields))
        required += [s.term for s in f.fields if s.active and s.required]
        return {"type": "object", "properties": props, "required": required,
                "additionalProperties": False}
    return {}


def _field_schema(f: Field) -> dict:
    inner = _scalar_schema(f)
    schema = {"type": "array", "items": inner, "minItems": 1} if f.multiple else inner
    return {"title": f.label, "description": " ".join(f.description.split()), **schema}


def _properties(fields: tuple[Field, ...]) -> dict:
    return {f.term: _field_schema(f) for f in fields if f.active}


def json_schema(definition: CredentialDefinition) -> dict:
    """A JSON Schema (2020-12) that credentials of this definition version satisfy."""
    d = definition
    subject_props: dict[str, Any] = {
        "id": {"title": "Member's DID", "type": "string", "pattern": r"^did:\S+$"},
        "type": _contains_type(d.subject_type),
    }
    subject_props.update(_properties(d.fields))
    subject = {
        "type": "object",
        "properties": subject_props,
        "required": ["id"] + [f.term for f in d.fields if f.active and f.required],
        "additionalProperties": False,
    }
    props: dict[str, Any] = {
        "@context": {
            "type": "array",
            "prefixItems": [{"const": VC_V2_CONTEXT}, {"const": d.context_url}],
            "minItems": 2,
            "items": False,
        },
        "type": {
            "type": "array",
            "items": {"type": "string"},
            "allOf": [{"contains": {"const": "VerifiableCredential"}},
                      {"contains": {"const": d.credential_type}}],
        },
        "issuer": {
            "anyOf": [
                {"type": "string", "pattern": IRI_PATTERN},
                {"type": "object", "required": ["id"],
                 "properties": {"id": {"type": "string", "pattern": IRI_PATTERN}}},
            ]
        },
        "credentialSubject": subject,
    }
    for name in _VC_PROPERTIES:
        props.setdefault(name, {})
    for name in ("name", "description"):
        props[name] = {"type": "string"}
    for name in ("validFrom", "validUntil"):
        props[name] = {"type": "string", "pattern": DATETIME_PATTERN}
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{d.context_url}/schema.json",
        "title": f"{d.name} {d.version}",
        "description": " ".join(d.summary.split()),
        "type": "object",
        "required": ["@context", "type", "issuer", "credentialSubject"],
        "properties": props,
        "additionalProperties": False,
    }


def schema_problems(definition_or_schema: CredentialDefinition | dict, credential: dict) -> list[str]:
    """Every way ``credential`` breaks the schema, as "path: message" (empty: valid).

    Needs the ``jsonschema`` package.
    """
    import jsonschema  # heavy: jsonschema (a second to import), only to check a credential

    schema = (json_schema(definition_or_schema)
              if isinstance(definition_or_schema, CredentialDefinition) else definition_or_schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(credential), key=lambda e: list(e.absolute_path))
    return [f"{e.json_path}: {e.message}" for e in errors]


# --- example credential ----------------------------------------------------------


def _example_value(f: Field, issuer_did: str) -> Any:
    if f.datatype == "object":
        value: dict[str, Any] = {}
        if f.object_type:
            value["type"] = f.object_type
        for sub in f.fields:
            if sub.active:
                value[sub.term] = _example_value(sub, issuer_did)
        return [value] if f.multiple else value
    if f.example is not None:
        return f.example
    one: Any = {
        "text": f"Example {f.label.lower()}",
        "date": "2026-01-15",
        "dateTime": "2026-01-15T09:00:00Z",
        "boolean": True,
        "integer": 1,
        "enum": f.values[0] if f.values else "",
        "iri": issuer_did,
    }.get(f.datatype, "")
    return [one] if f.multiple else one


def example_credential(definition: CredentialDefinition, actors: Any = None) -> dict:
    """An unsigned example credential of this definition (every active field filled).

    ``actors`` is a ``samples.SampleActors`` (default: the sample actors): the
    co-operative issues, the member is the subject.
    """
    actors = actors or sample_actors()
    d = definition
    subject: dict[str, Any] = {"id": actors.member.did, "type": d.subject_type}
    for f in d.fields:
        if f.active:
            subject[f.term] = _example_value(f, actors.coop.did)
    return {
        "@context": [VC_V2_CONTEXT, d.context_url],
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, d.context_url + '#example')}",
        "type": ["VerifiableCredential", d.credential_type],
        "name": d.name,
        "description": f"Example of {d.name.lower()}, version {d.version}",
        "issuer": {"id": actors.coop.did, "name": EXAMPLE_ISSUER_NAME},
        "validFrom": EXAMPLE_VALID_FROM,
        "credentialSubject": subject,
    }


# --- handout sheet ---------------------------------------------------------------


def _plain(text: str) -> str:
    return " ".join(text.split())


def _kind(f: Field) -> str:
    base = {
        "text": "text", "date": "a date", "dateTime": "a date and time", "boolean": "yes or no",
        "integer": "a whole number", "iri": "a link or DID", "object": "a group of details",
        "enum": "one of: " + ", ".join(f.values),
    }.get(f.datatype, f.datatype)
    return f"a list of {base}" if f.multiple and f.datatype != "enum" else base


def _sheet_rows(f: Field) -> list[tuple[str, str]]:
    rows = [
        ("Term", f"`{f.term}`"),
        ("What it says", _plain(f.description)),
        ("Why it is there", _plain(f.rationale) or "(to be discussed)"),
        ("Who sees it", f"{f.sensitivity}: {WHO_SEES.get(f.sensitivity, '')}"),
        ("Spheres", ", ".join(f.spheres) or "(none yet)"),
        ("Form", _kind(f) + ("; required" if f.required else "; optional")),
        ("Status", f"{f.status}" + (f" (since {f.since})" if f.since else "")),
    ]
    if f.discussion:
        rows.append(("For discussion", _plain(f.discussion)))
    return rows


def sheet_markdown(definition: CredentialDefinition) -> str:
    """The handout for a workshop, as Markdown: each field, what it says, why, who sees it."""
    d = definition
    out = [f"# {d.name}, version {d.version} ({d.status}, {d.date})", "", _plain(d.summary), "",
           ("The credential is about the member, identified by their DID (their common"
            " community ID). Fields marked **for discussion** are proposals."), ""]
    for path, f in d.iter_fields(include_dropped=False):
        depth = path.count(".")
        mark = " — **for discussion**" if f.discussion else ""
        out.append(f"{'#' * min(2 + depth, 6)} {f.label}{mark}")
        out.append("")
        for name, value in _sheet_rows(f):
            out.append(f"- **{name}:** {value}")
        out.append("")
    dropped = [p for p, f in d.iter_fields() if not f.active]
    if dropped:
        out += ["## Dropped", "", *[f"- `{p}`" for p in dropped], ""]
    if d.changelog:
        out += ["## Changes", ""]
        out += [f"- {c.version} ({c.date}): {_plain(c.change)}" for c in d.changelog]
        out.append("")
    return "\n".join(out)


def sheet_html(definition: CredentialDefinition, *, stylesheet: bool = True) -> str:
    """The handout as a self-contained HTML fragment (every value escaped).

    The stylesheet comes first, unless ``stylesheet`` is False: for a page or
    document that carries it already.
    """
    d = definition
    fragment = html_views.render(
        "definitions/sheet.html", d=d, summary=_plain(d.summary),
        fields=[(path.count("."), f, _sheet_rows(f))
                for path, f in d.iter_fields(include_dropped=False)],
        changelog=[(c.version, c.date, _plain(c.change)) for c in d.changelog])
    return html_views.with_stylesheet(fragment) if stylesheet else fragment


def fields_table(definition: CredentialDefinition) -> Any:
    """One row per field (nested ones too, dropped ones included), as a DataFrame."""
    import pandas as pd  # heavy: pandas, only for this table (the CLI loads artefacts at start)

    rows = [{
        "path": path,
        "label": f.label,
        "datatype": f"list of {f.datatype}" if f.multiple else f.datatype,
        "required": f.required,
        "sensitivity": f.sensitivity,
        "spheres": ", ".join(f.spheres),
        "status": f.status,
        "since": f.since,
        "for_discussion": f.for_discussion,
    } for path, f in definition.iter_fields()]
    columns = ["path", "label", "datatype", "required", "sensitivity", "spheres", "status",
               "since", "for_discussion"]
    return pd.DataFrame(rows, columns=columns)


# --- diff ------------------------------------------------------------------------

_COMPARED = ("label", "description", "rationale", "datatype", "required", "multiple",
             "sensitivity", "spheres", "status", "values", "object_type", "example",
             "discussion")
_IMPACT_ORDER = {"none": 0, "editorial": 1, "additive": 2, "breaking": 3}


@dataclass(frozen=True)
class FieldChange:
    """One field added, removed or changed between two versions, and its impact."""

    path: str
    kind: str  # added | removed | changed
    attributes: tuple[str, ...]
    impact: str  # breaking | additive | editorial
    reasons: tuple[str, ...]

    @property
    def breaking(self) -> bool:
        return self.impact == "breaking"


@dataclass(frozen=True, repr=False)
class DefinitionDiff:
    """What changed from ``old_version`` to ``new_version``, field by field."""

    old_version: str
    new_version: str
    changes: tuple[FieldChange, ...]
    metadata: tuple[FieldChange, ...] = ()

    @property
    def impact(self) -> str:
        found = [c.impact for c in (*self.changes, *self.metadata)]
        return max(found, key=_IMPACT_ORDER.__getitem__, default="none")

    @property
    def breaking(self) -> bool:
        return self.impact == "breaking"

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(c.path for c in self.changes if c.kind == kind)

    def to_records(self) -> list[dict]:
        """One dict per change (for a pandas DataFrame)."""
        return [{"path": c.path, "kind": c.kind, "impact": c.impact,
                 "attributes": ", ".join(c.attributes), "why": "; ".join(c.reasons)}
                for c in (*self.metadata, *self.changes)]

    def to_markdown(self) -> str:
        lines = [f"Changes from {self.old_version} to {self.new_version}: {self.impact}", ""]
        for r in self.to_records():
            lines.append(f"- {r['kind']} `{r['path']}` ({r['impact']}): {r['why']}")
        if not self.changes and not self.metadata:
            lines.append("- no changes")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        count = len(self.changes) + len(self.metadata)
        return (f"<DefinitionDiff {self.old_version} -> {self.new_version}: {self.impact},"
                f" {count} change{'s' if count != 1 else ''}>")

    def _repr_html_(self) -> str:
        return html_views.rich_output(
            "definitions/definition_diff.html", old=self.old_version, new=self.new_version,
            impact=self.impact, records=self.to_records())

def _field_change(path: str, old: Field, new: Field) -> FieldChange | None:
    attrs = tuple(a for a in _COMPARED if getattr(old, a) != getattr(new, a))
    if not attrs:
        return None
    breaking: list[str] = []
    additive: list[str] = []
    if "datatype" in attrs:
        breaking.append(f"datatype {old.datatype} -> {new.datatype}")
    if "multiple" in attrs:
        breaking.append("now a list" if new.multiple else "no longer a list")
    if "required" in attrs:
        if new.required:
            breaking.append("optional -> required")
        else:
            additive.append("required -> optional")
    if "values" in attrs and old.datatype == new.datatype == "enum":
        removed = [v for v in old.values if v not in new.values]
        added = [v for v in new.values if v not in old.values]
        if removed:
            breaking.append("values removed: " + ", ".join(removed))
        if added:
            additive.append("values added: " + ", ".join(added))
    if "object_type" in attrs:
        breaking.append(f"object type {old.object_type or '-'} -> {new.object_type or '-'}")
    editorial = [a for a in attrs if a not in ("datatype", "multiple", "required", "values",
                                                "object_type")]
    if editorial:
        editorial_reason = "changed: " + ", ".join(editorial)
    impact = "breaking" if breaking else "additive" if additive else "editorial"
    reasons = breaking + additive + ([editorial_reason] if editorial else [])
    return FieldChange(path, "changed", attrs, impact, tuple(reasons))


def diff_definitions(old: CredentialDefinition, new: CredentialDefinition) -> DefinitionDiff:
    """The changes from ``old`` to ``new`` (dropped fields count as removed).

    Breaking: a field removed, a datatype or list-ness changed, optional made
    required, an enum narrowed, a required field added, the type or vocabulary
    changed. Additive: an optional field added, an enum widened, required made
    optional. Editorial: wording, sensitivity, spheres, status.
    """
    old_fields = dict(old.iter_fields(include_dropped=False))
    new_fields = dict(new.iter_fields(include_dropped=False))
    changes: list[FieldChange] = []

    def under(path: str, paths: list[str]) -> bool:
        return any(path.startswith(p + ".") for p in paths)

    removed = [p for p in old_fields if p not in new_fields]
    added = [p for p in new_fields if p not in old_fields]
    for path in removed:
        if not under(path, removed):  # a removed group's own fields go with it
            changes.append(FieldChange(path, "removed", (), "breaking",
                                       ("credentials relying on it lose it",)))
    for path in added:
        if under(path, added):
            continue
        f = new_fields[path]
        parent_optional = "." in path  # a new field inside an existing group
        if f.required:
            changes.append(FieldChange(path, "added", (), "breaking",
                                       ("new required field: old credentials lack it",)))
        else:
            why = "new optional field" + (" in an existing group" if parent_optional else "")
            changes.append(FieldChange(path, "added", (), "additive", (why,)))
    for path, f in new_fields.items():
        if path in old_fields:
            change = _field_change(path, old_fields[path], f)
            if change:
                changes.append(change)
    metadata: list[FieldChange] = []
    for attr in ("credential_type", "subject_type", "vocab_base", "context_base"):
        if getattr(old, attr) != getattr(new, attr):
            metadata.append(FieldChange(attr, "changed", (attr,), "breaking",
                                        (f"{getattr(old, attr)} -> {getattr(new, attr)}",)))
    for attr in ("name", "summary"):
        if getattr(old, attr) != getattr(new, attr):
            metadata.append(FieldChange(attr, "changed", (attr,), "editorial", ("wording",)))
    return DefinitionDiff(old.version, new.version, tuple(changes), tuple(metadata))
