"""Checking a credential against its ``credentialSchema`` (type ``JsonSchema``).

Each ``credentialSchema`` entry names a JSON Schema by URL. The schema is read
from a local store: the ``schemas`` mapping passed in (URL -> schema) first,
then the local registry (``LocalRegistry``, where an issuer publishes the
schemas of its credential definitions). Nothing is fetched over a network.
The credential is validated with ``jsonschema`` (Draft 2020-12, formats
checked); the first failing JSON path is in the reason. An unknown schema
type, a missing schema, a schema whose ``$id`` is not its URL or that is not
a valid schema all fail closed. An entry with ``digestSRI`` pins the schema's
bytes: the schema read must match that digest (``integrity.sri_matches``), or
the check fails; an in-memory schema given as a dict has no bytes to check, so
for such an entry the store must hold the schema's bytes (``bytes`` values).

Public API

- ``SchemaCheckError(code, message, path=None)``; codes ``schema-mismatch``,
  ``schema-missing``, ``schema-type-unsupported``, ``schema-entry-malformed``,
  ``schema-invalid``, ``schema-id-mismatch``, ``schema-digest-mismatch``.
- ``check_schemas(credential, *, registry=None, schemas=None) -> str``: a
  one-line summary, or ``SchemaCheckError`` for the first failure.
- ``schema_errors(schema, credential) -> list[tuple[str, str]]``: every
  (JSON path, message) where ``credential`` breaks ``schema``.

>>> schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
...           "type": "object", "required": ["credentialSubject"]}
>>> schema_errors(schema, {"issuer": "did:example:1"})
[('$', "'credentialSubject' is a required property")]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import CoopCredsError, InputError, require_type
from ..safe_json import loads_strict
from .related_resources import sri_matches

if TYPE_CHECKING:  # pragma: no cover
    from ..local_registry import LocalRegistry

SCHEMA_TYPES = ("JsonSchema",)


class SchemaCheckError(CoopCredsError):
    """A credential that does not match its schema, or whose schema cannot be used."""


def _validator(schema: dict) -> Any:
    import jsonschema  # heavy: jsonschema (a second to import), only to check a schema

    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def schema_errors(schema: dict, credential: Any) -> list[tuple[str, str]]:
    """Every (JSON path, message) where ``credential`` breaks ``schema``, in path order."""
    require_type(schema, dict, "a JSON schema")
    errors = sorted(
        _validator(schema).iter_errors(credential), key=lambda e: [str(p) for p in e.absolute_path]
    )
    return [(e.json_path, e.message) for e in errors]


def check_schemas(
    credential: dict,
    *,
    registry: LocalRegistry | None = None,
    schemas: Mapping[str, dict | bytes] | None = None,
) -> str:
    """Validate ``credential`` against each of its ``credentialSchema`` entries."""
    require_type(credential, dict, "a credential")
    entries = credential.get("credentialSchema")
    if entries is None:
        return "no credentialSchema"
    # heavy: jsonschema (a second to import), only when a credential names a schema
    import jsonschema
    from referencing.exceptions import Unresolvable

    listed = entries if isinstance(entries, list) else [entries]
    # Every entry's type is checked before any validation: an entry this
    # verifier does not understand fails closed whatever the others say.
    wanted = []
    for i, entry in enumerate(listed):
        path = f"$.credentialSchema[{i}]" if isinstance(entries, list) else "$.credentialSchema"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise SchemaCheckError(
                "schema-entry-malformed", "a credentialSchema entry needs an id URL", path=path
            )
        url, kind = entry["id"], entry.get("type")
        if kind not in SCHEMA_TYPES:
            raise SchemaCheckError(
                "schema-type-unsupported",
                f"schema type {kind!r} is not supported (only JsonSchema): fails closed",
                path=f"{path}.type",
            )
        wanted.append((url, path, entry.get("digestSRI")))
    for url, path, digest in wanted:
        schema = _find_schema(url, registry, schemas, path, digest)
        if "$id" in schema and schema["$id"] != url:
            raise SchemaCheckError(
                "schema-id-mismatch",
                f"the schema found for {url} says its $id is {schema['$id']}",
                path=path,
            )
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
            problems = schema_errors(schema, credential)
        except jsonschema.SchemaError as exc:
            raise SchemaCheckError(
                "schema-invalid", f"{url} is not a valid JSON Schema: {exc.message}", path=path
            ) from None
        except Unresolvable as exc:  # a $ref to a schema that is not in the schema
            raise SchemaCheckError(
                "schema-invalid", f"{url} refers to a schema that is not available: {exc}", path=path
            ) from None
        if problems:
            where, message = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise SchemaCheckError(
                "schema-mismatch",
                f"does not match {url}: at {where}: {message}{more}",
                path=where,
            )
    return f"matches {', '.join(dict.fromkeys(url for url, _, _ in wanted))}"


def _find_schema(
    url: str,
    registry: LocalRegistry | None,
    schemas: Mapping[str, dict | bytes] | None,
    path: str,
    digest: object = None,
) -> dict:
    if schemas is not None and url in schemas:
        found = schemas[url]
        if isinstance(found, (bytes, bytearray)):
            _check_digest(bytes(found), url, digest, path)
            return _parse_schema(bytes(found), url, path)
        if digest is not None:
            raise SchemaCheckError(
                "schema-digest-mismatch",
                f"{url} is pinned by digestSRI but the schema store holds it as parsed JSON,"
                " not its bytes, so the digest cannot be checked",
                path=f"{path}.digestSRI",
            )
        return found
    if registry is None:
        raise SchemaCheckError(
            "schema-missing",
            f"schema unknown: no registry or schema store to read {url} from, so it fails closed",
            path=path,
        )
    try:
        schema = registry.read(url)
        if digest is not None:
            _check_digest(registry.path_for(url).read_bytes(), url, digest, path)
        return schema
    except SchemaCheckError:
        raise
    except CoopCredsError as exc:
        raise SchemaCheckError(
            "schema-missing", f"schema unknown: {url} cannot be read: {exc}", path=path
        ) from None


def _check_digest(content: bytes, url: str, digest: object, path: str) -> None:
    if digest is None:
        return
    try:
        matches = sri_matches(content, digest, path=f"{path}.digestSRI")
    except InputError as exc:
        raise SchemaCheckError("schema-digest-mismatch", exc.message, path=exc.path) from None
    if not matches:
        raise SchemaCheckError(
            "schema-digest-mismatch",
            f"the schema read for {url} does not match its digestSRI: it changed since the"
            " credential was issued",
            path=f"{path}.digestSRI",
        )


def _parse_schema(content: bytes, url: str, path: str) -> dict:
    try:
        schema = loads_strict(content)
    except CoopCredsError as exc:
        raise SchemaCheckError("schema-invalid", f"{url} is not JSON: {exc}", path=path) from None
    if not isinstance(schema, dict):
        raise SchemaCheckError("schema-invalid", f"{url} is not a JSON object", path=path)
    return schema
