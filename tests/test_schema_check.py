"""The schema check: credentialSchema (JsonSchema) validated, failing path in the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopcreds_proto.definitions.artefacts import example_credential, json_schema
from coopcreds_proto.definitions.definition import definition_path, load_definition
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import (
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.schema_check import SchemaCheckError, check_schemas, schema_errors
from coopcreds_proto.vc.verification import verify_credential

ACTORS = sample_actors()
SCHEMA_URL = "https://riverside.example/schemas/membership.json"
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_URL,
    "type": "object",
    "required": ["credentialSubject"],
    "properties": {
        "credentialSubject": {
            "type": "object",
            "required": ["membershipNumber", "memberSince"],
            "properties": {
                "membershipNumber": {"type": "string", "pattern": "^RFC-[0-9]{5}$"},
                "memberSince": {"type": "string", "format": "date"},
                "votingRights": {"type": "boolean"},
            },
        }
    },
}


@pytest.fixture()
def registry(tmp_path: Path) -> LocalRegistry:
    registry = LocalRegistry(tmp_path)
    registry.publish(SCHEMA_URL, SCHEMA)
    return registry


def _signed(schema_entry: object = None, **subject: object) -> dict:
    unsigned = sample_membership_credential(ACTORS)
    unsigned["credentialSubject"].update(subject)
    if schema_entry is not None:
        unsigned["credentialSchema"] = schema_entry
    return issue(unsigned, ACTORS.coop, created=SAMPLE_CREATED)


ENTRY = {"id": SCHEMA_URL, "type": "JsonSchema"}


def test_schema_check_comes_after_validity_and_before_status() -> None:
    result = verify_credential(_signed(), now=SAMPLE_NOW)
    names = [c.name for c in result.checks]
    assert names[names.index("validity_period") + 1] == "schema"
    assert names[names.index("schema") + 1] == "status"
    assert result.verified
    assert result.check("schema").message == "no credentialSchema"
    assert result.check("schema").title == "Credential schema"


def test_a_matching_credential_passes(registry: LocalRegistry) -> None:
    result = verify_credential(_signed(ENTRY), now=SAMPLE_NOW, registry=registry)
    assert result.verified, str(result)
    assert result.check("schema").message == f"matches {SCHEMA_URL}"


def test_a_mismatch_names_the_failing_path(registry: LocalRegistry) -> None:
    result = verify_credential(
        _signed(ENTRY, memberSince="14/03/2019"), now=SAMPLE_NOW, registry=registry
    )
    assert not result.verified and [c.name for c in result.failed] == ["schema"]
    check = result.check("schema")
    assert check.code == "schema-mismatch"
    assert "$.credentialSubject.memberSince" in check.message
    assert "is not a 'date'" in check.message


def test_every_failure_is_counted(registry: LocalRegistry) -> None:
    # The schema reads the JSON as written (no issuer would sign "yes" for a boolean).
    credential = sample_membership_credential(ACTORS)
    credential["credentialSubject"].update(membershipNumber="42", votingRights="yes")
    credential["credentialSchema"] = ENTRY
    with pytest.raises(SchemaCheckError) as refused:
        check_schemas(credential, registry=registry)
    assert refused.value.path == "$.credentialSubject.membershipNumber"
    assert "(and 1 more)" in refused.value.message
    assert [p for p, _ in schema_errors(SCHEMA, credential)] == [
        "$.credentialSubject.membershipNumber",
        "$.credentialSubject.votingRights",
    ]


def test_missing_schema_fails_closed(tmp_path: Path, registry: LocalRegistry) -> None:
    credential = _signed(ENTRY)
    empty = LocalRegistry(tmp_path / "empty")
    for reg, words in ((empty, "cannot be read"), (None, "no registry or schema store")):
        result = verify_credential(credential, now=SAMPLE_NOW, registry=reg)
        check = result.check("schema")
        assert not result.verified and check.code == "schema-missing"
        assert words in check.message and "schema unknown" in check.message
    # A local schema store serves it without a registry.
    assert check_schemas(credential, schemas={SCHEMA_URL: SCHEMA}) == f"matches {SCHEMA_URL}"


@pytest.mark.parametrize(
    "entry, code",
    [
        ({"id": SCHEMA_URL, "type": "JsonSchemaCredential"}, "schema-type-unsupported"),
        ({"id": SCHEMA_URL, "type": "ShaclValidator2017"}, "schema-type-unsupported"),
        ({"type": "JsonSchema"}, "schema-entry-malformed"),
        ([ENTRY, {"id": SCHEMA_URL}], "schema-type-unsupported"),
    ],
)
def test_unknown_types_and_bad_entries_fail_closed(registry: LocalRegistry, entry: object,
                                                   code: str) -> None:
    with pytest.raises(SchemaCheckError) as refused:
        check_schemas({"credentialSchema": entry}, registry=registry)
    assert refused.value.code == code


@pytest.mark.parametrize(
    "schema, code",
    [
        ({**SCHEMA, "$id": "https://elsewhere.example/s.json"}, "schema-id-mismatch"),
        ({"type": "no-such-type"}, "schema-invalid"),
        ({"$ref": "https://elsewhere.example/other.json"}, "schema-invalid"),
    ],
)
def test_unusable_schemas_fail_closed(schema: dict, code: str) -> None:
    with pytest.raises(SchemaCheckError) as refused:
        check_schemas({"credentialSchema": ENTRY}, schemas={SCHEMA_URL: schema})
    assert refused.value.code == code


def test_a_definition_schema_checks_its_example(tmp_path: Path) -> None:
    """The schema generated from credential definition v0.2, published by its $id."""
    definition = load_definition(definition_path("cooperative-membership", "0.2"))
    schema = json_schema(definition)
    registry = LocalRegistry(tmp_path)
    registry.publish(schema["$id"], schema)
    unsigned = example_credential(definition, ACTORS)
    unsigned["credentialSchema"] = {"id": schema["$id"], "type": "JsonSchema"}
    assert check_schemas(unsigned, registry=registry) == f"matches {schema['$id']}"
    unsigned["credentialSubject"]["membershipStatus"] = "asleep"
    with pytest.raises(SchemaCheckError) as refused:
        check_schemas(unsigned, registry=registry)
    assert refused.value.path == "$.credentialSubject.membershipStatus"


def test_digest_sri_pins_the_schema_bytes(registry: LocalRegistry) -> None:
    from coopcreds_proto.vc.related_resources import sri

    published = registry.path_for(SCHEMA_URL).read_bytes()
    pinned = {**ENTRY, "digestSRI": sri(published)}
    credential = _signed(pinned)
    result = verify_credential(credential, now=SAMPLE_NOW, registry=registry)
    assert result.check("schema").ok, result.check("schema").message
    # The issuer's server swaps the schema for a laxer one after issuance.
    registry.publish(SCHEMA_URL, {**SCHEMA, "required": []}, replace=True)
    result = verify_credential(credential, now=SAMPLE_NOW, registry=registry)
    check = result.check("schema")
    assert not result.verified and check.code == "schema-digest-mismatch"
    assert "changed since the credential was issued" in check.message


def test_digest_sri_with_an_in_memory_store() -> None:
    import json

    from coopcreds_proto.vc.related_resources import sri

    content = json.dumps(SCHEMA).encode()
    entry = {**ENTRY, "digestSRI": sri(content, "sha512")}
    credential = _signed(entry)
    assert check_schemas(credential, schemas={SCHEMA_URL: content}) == f"matches {SCHEMA_URL}"
    # Parsed JSON has no bytes to hash: a pinned schema cannot be checked, so it fails.
    with pytest.raises(SchemaCheckError) as caught:
        check_schemas(credential, schemas={SCHEMA_URL: SCHEMA})
    assert caught.value.code == "schema-digest-mismatch" and "cannot be checked" in caught.value.message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("md5-AAAA", "names no supported algorithm"),
        ("sha384-not*base64", "not valid base64"),
        ("sha256-AAAA", "wrong length"),
    ],
)
def test_unreadable_digest_sri_fails_closed(registry: LocalRegistry, value: str, words: str) -> None:
    credential = _signed({**ENTRY, "digestSRI": value})
    result = verify_credential(credential, now=SAMPLE_NOW, registry=registry)
    check = result.check("schema")
    assert not result.verified and check.code == "schema-digest-mismatch"
    assert words in check.message


def test_sri_strongest_algorithm_decides() -> None:
    from coopcreds_proto.vc.related_resources import sri, sri_matches

    content = b'{"a": 1}'
    # A correct sha256 does not rescue a wrong sha512: only the strongest counts.
    wrong512 = sri(b"other", "sha512")
    assert not sri_matches(content, f"{sri(content, 'sha256')} {wrong512}")
    assert sri_matches(content, f"{wrong512} {sri(content, 'sha512')}")
    assert sri_matches(content, sri(content, "sha256") + "?ct=application/json")
