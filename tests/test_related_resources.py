"""Digests of related resources: digestMultibase read in both its forms, and checked where
the workbench holds the resource (the context bundle, the local registry)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.loader import BundledContext, OfflineDocumentLoader, SupersededRevision
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.multibase import b58encode
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.related_resources import (
    check_related_resources,
    digest_multibase,
    digest_multibase_matches,
    held_resource,
    read_digest_multibase,
    sri,
)
from coopcreds_proto.vc.samples import (
    COOPCREDS_CONTEXT,
    SAMPLE_CREATED,
    SAMPLE_NOW,
    sample_actors,
    sample_membership_credential,
)
from coopcreds_proto.vc.verification import verify_credential

ACTORS = sample_actors()
CONTENT = b'{"rules": "one member, one vote"}'
RULES_URL = "https://coop.example/rules/2026"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512", "sha3_256", "sha3_512"])
def test_a_multihash_digest_is_written_and_read_back(algorithm: str) -> None:
    value = digest_multibase(CONTENT, algorithm)
    assert value.startswith("u") and "=" not in value
    assert read_digest_multibase(value) == [(algorithm, hashlib.new(algorithm, CONTENT).digest())]
    assert digest_multibase_matches(CONTENT, value)
    assert not digest_multibase_matches(CONTENT + b" ", value)


def test_bare_digests_and_base58_are_read_too() -> None:
    # The VC 2.0 specification's own examples write a bare SHA-256 in base64url.
    for algorithm in ("sha256", "sha384", "sha512"):
        bare = hashlib.new(algorithm, CONTENT).digest()
        assert digest_multibase_matches(CONTENT, "u" + _b64url(bare))
        assert digest_multibase_matches(CONTENT, "z" + b58encode(bare))
    multihash = bytes([0x12, 32]) + hashlib.sha256(CONTENT).digest()
    assert digest_multibase_matches(CONTENT, "z" + b58encode(multihash))


def test_every_digest_of_a_list_must_match() -> None:
    good, other = digest_multibase(CONTENT), digest_multibase(b"other")
    assert digest_multibase_matches(CONTENT, [good, digest_multibase(CONTENT, "sha512")])
    assert not digest_multibase_matches(CONTENT, [good, other])


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (42, "multibase string"),
        ("", "multibase string"),
        ([], "empty list"),
        ("m" + base64.b64encode(hashlib.sha256(CONTENT).digest()).decode(), "start with u"),
        ("u" + _b64url(hashlib.sha256(CONTENT).digest()) + "=", "not valid base64url"),
        ("u***", "not valid base64url"),
        ("z0OIl", "not valid base58btc"),
        ("u" + _b64url(b"\x12\x20" + bytes(31)), "neither a multihash"),
        ("u" + _b64url(bytes(20)), "holds 20 bytes"),
        ("z" + "2" * 300, "longer than 256"),
    ],
)
def test_an_unreadable_digest_multibase_is_refused_by_name(value: object, words: str) -> None:
    with pytest.raises(InputError) as refused:
        read_digest_multibase(value, path="$.relatedResource[0].digestMultibase")
    assert refused.value.code == "digest-multibase-malformed"
    assert words in refused.value.message
    assert refused.value.path.startswith("$.relatedResource[0].digestMultibase")


def test_an_unsupported_algorithm_is_refused_when_writing() -> None:
    with pytest.raises(InputError) as refused:
        digest_multibase(CONTENT, "md5")
    assert refused.value.code == "sri-algorithm"


# -- what the workbench holds ------------------------------------------------------------


@pytest.fixture
def registry(tmp_path) -> LocalRegistry:
    registry = LocalRegistry(tmp_path / "registry")
    registry.publish(RULES_URL, {"rules": "one member, one vote"})
    return registry


def _published(registry: LocalRegistry) -> bytes:
    return registry.path_for(RULES_URL).read_bytes()


def test_held_resources_come_from_the_bundle_and_the_registry(registry) -> None:
    loader = OfflineDocumentLoader.default()
    bundled = held_resource(COOPCREDS_CONTEXT, loader)
    assert bundled is not None and bundled.content is not None
    assert hashlib.sha256(bundled.content).hexdigest() == bundled.sha256
    published = held_resource(RULES_URL, loader, registry)
    assert published is not None and published.content == _published(registry)
    assert held_resource(RULES_URL, loader) is None  # no registry: not held
    assert held_resource("https://coop.example/nowhere", loader, registry) is None
    assert held_resource("urn:uuid:1", loader, registry) is None
    assert held_resource(None, loader, registry) is None


def _pinning(**entry: object) -> dict:
    credential = sample_membership_credential(ACTORS)
    credential["relatedResource"] = [{"id": RULES_URL, **entry}]
    return credential


def test_a_registry_document_is_checked_when_a_registry_is_given(registry) -> None:
    content = _published(registry)
    good = _pinning(digestSRI=sri(content), digestMultibase=digest_multibase(content))
    assert check_related_resources(good) == "0 related resources unchanged, 1 not checked" \
        " (not held here)"
    assert check_related_resources(good, registry=registry) == "1 related resource unchanged"
    signed = issue(good, ACTORS.coop, created=SAMPLE_CREATED, registry=registry)
    assert verify_credential(signed, now=SAMPLE_NOW, registry=registry).verified
    changed = _pinning(digestSRI=sri(content + b"\n"))
    with pytest.raises(InputError) as refused:
        issue(changed, ACTORS.coop, created=SAMPLE_CREATED, registry=registry)
    assert refused.value.code == "related-resource-mismatch"
    assert "the local registry" in refused.value.message
    # Without the registry the issuer holds nothing to compare with, so it signs.
    signed = issue(changed, ACTORS.coop, created=SAMPLE_CREATED)
    assert verify_credential(signed, now=SAMPLE_NOW).verified
    result = verify_credential(signed, now=SAMPLE_NOW, registry=registry)
    assert result.check("well_formed").code == "related-resource-mismatch"


def test_a_context_held_only_by_its_sha256_is_checked_by_sha256_alone() -> None:
    content = b'{"@context": {"motto": "https://coop.example/vocab#motto"}}'
    url = "https://coop.example/contexts/motto"
    loader = OfflineDocumentLoader.default().with_contexts(
        {url: (content, hashlib.sha256(content).hexdigest())})
    credential = sample_membership_credential(ACTORS)
    credential["relatedResource"] = [{"id": url, "digestSRI": sri(content, "sha256")}]
    assert check_related_resources(credential, loader) == "1 related resource unchanged"
    credential["relatedResource"] = [{"id": url, "digestSRI": sri(content + b" ", "sha256")}]
    with pytest.raises(InputError):
        check_related_resources(credential, loader)
    credential["relatedResource"] = [{"id": url, "digestSRI": sri(content, "sha384")}]
    assert check_related_resources(credential, loader).endswith("1 not checked (not held here)")


def _revision(content: bytes, *algorithms: str) -> SupersededRevision:
    digests = {a: hashlib.new(a, content).hexdigest() for a in algorithms}
    return SupersededRevision("the draft of 2025", digests.get("sha256", ""),
                              digests.get("sha384", ""), digests.get("sha512", ""))


def test_a_digest_of_an_earlier_published_revision_is_refused_and_named() -> None:
    old, new = b'{"@context": {"a": "https://x.example/a"}}', b'{"@context": {}}'
    url = "https://x.example/context/v1"
    loader = OfflineDocumentLoader((BundledContext(
        url, "x.json", hashlib.sha256(new).hexdigest(), "x", new,
        (_revision(b"another", "sha256"), _revision(old, "sha256", "sha384")),
    ),))
    for entry in ({"digestSRI": sri(old)}, {"digestSRI": sri(old, "sha256")},
                  {"digestMultibase": digest_multibase(old)},
                  {"digestMultibase": "u" + _b64url(hashlib.sha384(old).digest())}):
        with pytest.raises(InputError) as refused:
            check_related_resources({"relatedResource": {"id": url, **entry}}, loader)
        assert refused.value.code == "related-resource-mismatch"
        assert "the revision published in the draft of 2025" in refused.value.message
        assert hashlib.sha256(old).hexdigest()[:12] in refused.value.message
    # A digest the revision has no record of (SHA-512, SHA3), or of other bytes: a change.
    for entry in ({"digestSRI": sri(old, "sha512")},
                  {"digestMultibase": "u" + _b64url(bytes([0x16, 32])
                                                    + hashlib.sha3_256(old).digest())},
                  {"digestSRI": sri(b"other")}):
        with pytest.raises(InputError) as refused:
            check_related_resources({"relatedResource": {"id": url, **entry}}, loader)
        assert refused.value.message.endswith("changed since the credential was issued")
    assert check_related_resources({"relatedResource": {"id": url, "digestSRI": sri(new)}},
                                   loader) == "1 related resource unchanged"
