"""Publishing definition versions (pinned, immutable) and releasing adopted ones, signed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import coopcreds_proto
from coopcreds_proto.definitions.artefacts import (
    context_bytes,
    context_sha256,
    example_credential,
)
from coopcreds_proto.definitions.definition import (
    AdoptionDecision,
    Field,
    definition_path,
    load_definition,
    with_field,
)
from coopcreds_proto.definitions.release import (
    RELEASE_CONTEXT_URL,
    adopt,
    ensure_release_context,
    publish_context,
    published_urls,
    release_context_bytes,
    save_release,
    verify_release,
)
from coopcreds_proto.errors import DocumentLoaderError, InputError
from coopcreds_proto.loader import OfflineDocumentLoader, contexts_dir, read_bundle
from coopcreds_proto.proofs import ProofOptions, add_proof
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import SAMPLE_CREATED, SAMPLE_NOW, sample_actors
from coopcreds_proto.vc.verification import verify_credential

DECISION = AdoptionDecision("2026-03-01", "two-thirds", 14, 5, 2,
                            voters=("Riverside Food Co-op", "Hilltop Housing Co-op"),
                            body="Co-op Credentials convening assembly")


@pytest.fixture(scope="module")
def v01():
    return load_definition(definition_path("cooperative-membership", "0.1"))


@pytest.fixture(scope="module")
def v02(v01):
    d = replace(v01, version="0.9", date="2026-03-10")
    return with_field(d, Field("recognisedBy", "Recognised by", "Co-ops that recognise it.",
                               "iri", multiple=True, sensitivity="public", since="0.9"))


@pytest.fixture(scope="module")
def actors():
    return sample_actors()


@pytest.fixture
def folder(tmp_path) -> Path:
    """The user's folder of published contexts (created by the first publication)."""
    return tmp_path / "published-contexts"


def package_files() -> dict[str, tuple[int, bytes]]:
    """Every file of the installed package and its bundled data: mode and bytes."""
    roots = {Path(coopcreds_proto.__file__).parent, contexts_dir().parent}
    return {str(p): (p.stat().st_mode, p.read_bytes())
            for root in roots for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def test_the_bundle_pins_the_published_contexts(v01):
    pinned = published_urls()
    assert v01.context_url in pinned and RELEASE_CONTEXT_URL in pinned
    by_url = {c.url: c for c in read_bundle()}
    assert by_url[v01.context_url].content == context_bytes(v01)
    assert by_url[RELEASE_CONTEXT_URL].content == release_context_bytes()
    assert by_url["https://w3id.org/coopcreds/v1"].sha256 == (
        "119016edb011bbdf1460a72e9945636101bb21b043977a30bd8026f980a047ad")


def test_a_v01_credential_still_verifies_after_v02_is_published(folder, v01, v02, actors):
    before = OfflineDocumentLoader.default()
    old = issue(example_credential(v01, actors), actors.coop, created=SAMPLE_CREATED,
                loader=before)
    published = publish_context(v02, folder)
    assert published.created and published.url.endswith("/v0.9")
    assert published.directory == folder
    assert publish_context(v02, folder).created is False  # same bytes: nothing to do
    after = before.with_bundle(folder)  # sha256 checked on reading
    assert after.pinned_sha256(v02.context_url) == published.sha256
    assert verify_credential(old, loader=after, now=SAMPLE_NOW).verified
    new = issue(example_credential(v02, actors), actors.coop, created=SAMPLE_CREATED,
                loader=after)
    assert verify_credential(new, loader=after, now=SAMPLE_NOW).verified
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [e["url"] for e in manifest["contexts"]] == [v02.context_url]
    assert v02.context_url not in OfflineDocumentLoader.default().urls  # the package's: as it was


def test_publishing_never_writes_into_the_package(folder, v01, v02, actors, tmp_path):
    before = package_files()
    publish_context(v02, folder)
    bundled = publish_context(v01, folder)  # the package bundles 0.1: published there already
    assert bundled.created is False and bundled.directory == contexts_dir()
    assert ensure_release_context(folder).created is False
    for inside in (contexts_dir(), contexts_dir().parent,
                   Path(coopcreds_proto.__file__).parent / "definitions"):
        with pytest.raises(InputError) as info:
            publish_context(v02, inside)
        assert info.value.code == "package-folder-read-only"
    release = adopt(v02, DECISION, actors.coop, created="2026-03-01T18:00:00Z",
                    loader=OfflineDocumentLoader.default().with_bundle(folder))
    save_release(release, tmp_path / "release")
    assert package_files() == before
    assert published_urls(folder) == {v02.context_url: context_sha256(v02)}


def test_a_published_version_never_changes(folder, v01, v02):
    publish_context(v02, folder)
    manifest_before = (folder / "manifest.json").read_bytes()
    changed = with_field(v02, Field("nickname", "Nickname", "d", "text"))
    with pytest.raises(InputError) as info:
        publish_context(changed, folder)
    assert info.value.code == "published-context-immutable"
    with pytest.raises(InputError) as info:  # 0.1 is bundled with the package
        publish_context(with_field(v01, Field("nickname", "Nickname", "d", "text")), folder)
    assert info.value.code == "published-context-immutable"
    assert (folder / "manifest.json").read_bytes() == manifest_before
    assert (folder / "coopcreds-cooperative-membership-v0.9.json").read_bytes() == (
        context_bytes(v02))


def test_a_loader_refuses_a_tampered_or_conflicting_bundle(folder, v01, v02):
    publish_context(v02, folder)
    loader = OfflineDocumentLoader.default()
    with pytest.raises(DocumentLoaderError) as info:
        loader.with_bundle(folder.parent / "nothing-here")
    assert info.value.code == "not-a-context-bundle"
    changed = with_field(v02, Field("nickname", "Nickname", "d", "text"))
    other = loader.with_contexts({v02.context_url: (context_bytes(changed),
                                                    context_sha256(changed))})
    with pytest.raises(DocumentLoaderError) as info:
        other.with_bundle(folder)
    assert info.value.code == "context-conflict"
    (folder / "coopcreds-cooperative-membership-v0.9.json").write_bytes(context_bytes(changed))
    with pytest.raises(DocumentLoaderError) as info:
        loader.with_bundle(folder)
    assert info.value.code == "context-hash-mismatch"


def test_concurrent_publishers_lose_no_manifest_entry(folder, v01):
    from concurrent.futures import ThreadPoolExecutor

    versions = [replace(v01, version=f"0.{n}") for n in range(3, 9)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda d: publish_context(d, folder), versions))
    assert all(r.created for r in results)
    pinned = published_urls(folder)
    assert all(d.context_url in pinned for d in versions)
    read_bundle(folder)  # every pinned file matches its sha256


def test_adoption_records_the_decision_and_signs_a_verifiable_release(v01, actors):
    release = adopt(v01, DECISION, actors.coop, created="2026-03-01T18:00:00Z")
    adopted = release.definition
    assert adopted.status == "adopted" and adopted.decisions[-1] == DECISION
    assert "14 for, 5 against, 2 abstaining" in adopted.changelog[-1].change
    assert v01.status == "draft"  # the input is untouched
    vc = release.credential
    assert vc["type"] == ["VerifiableCredential", "CredentialDefinitionRelease"]
    assert vc["issuer"]["id"] == actors.coop.did
    assert vc["credentialSubject"]["adoptionDecision"]["votesFor"] == 14
    check = verify_release(vc, adopted, now=SAMPLE_NOW)
    assert check.verified, str(check)
    assert verify_credential(vc, now=SAMPLE_NOW).verified  # any workbench verifies it


def test_a_release_does_not_match_another_definition_or_a_tampered_vote(v01, actors):
    release = adopt(v01, DECISION, actors.coop, created="2026-03-01T18:00:00Z")
    other = verify_release(release.credential, v01, now=SAMPLE_NOW)  # the draft, not adopted
    assert not other.verified and "definitionDigest" in other.problems[0]
    forged = json.loads(json.dumps(release.credential))
    forged["credentialSubject"]["adoptionDecision"]["votesAgainst"] = 0
    check = verify_release(forged, release.definition, now=SAMPLE_NOW)
    assert not check.verified and check.result.check("signature").ok is False


@pytest.mark.parametrize(
    ("decision", "code"),
    [
        (AdoptionDecision("2026-03-01", "two-thirds", 13, 7, 0), "decision-not-passed"),
        (AdoptionDecision("2026-03-01", "majority", 10, 10, 3), "decision-not-passed"),
        (AdoptionDecision("2026-03-01", "consensus", 10, 0, 0), "bad-rule"),
        (AdoptionDecision("2026-03-01", "majority", -1, 0, 0), "bad-count"),
    ],
)
def test_adoption_refuses_a_vote_that_does_not_meet_its_rule(v01, actors, decision, code):
    with pytest.raises(InputError) as info:
        adopt(v01, decision, actors.coop)
    assert info.value.code == code


def test_an_adopted_version_is_not_adopted_again(v01, actors):
    release = adopt(v01, DECISION, actors.coop, created="2026-03-01T18:00:00Z")
    with pytest.raises(InputError) as info:
        adopt(release.definition, DECISION, actors.coop)
    assert info.value.code == "already-adopted"


def test_save_release_writes_everything_or_nothing(tmp_path, v01, actors):
    release = adopt(v01, DECISION, actors.coop, created="2026-03-01T18:00:00Z")
    paths = save_release(release, tmp_path / "out")
    assert load_definition(paths["definition"]) == release.definition
    assert verify_release(json.loads(paths["release"].read_text()),
                          load_definition(paths["definition"]), now=SAMPLE_NOW).verified
    assert save_release(release, tmp_path / "out") == paths  # identical again: fine
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "context.jsonld").write_text("{}")
    with pytest.raises(InputError) as info:
        save_release(release, clash)
    assert info.value.code == "release-file-exists"
    assert sorted(p.name for p in clash.iterdir()) == ["context.jsonld"]


def test_a_release_whose_digest_sri_does_not_pin_the_context_is_refused(v01, actors):
    release = adopt(v01, DECISION, actors.coop, created="2026-03-01T18:00:00Z")
    unsigned = {k: v for k, v in release.credential.items() if k != "proof"}
    unsigned["relatedResource"] = [{"id": v01.context_url,
                                    "digestSRI": "sha256-" + "A" * 43 + "="}]
    with pytest.raises(InputError) as refused:  # the issuer holds the context's bytes
        issue(unsigned, actors.coop, created="2026-03-01T18:00:00Z")
    assert refused.value.code == "related-resource-mismatch"
    resigned = add_proof(unsigned, actors.coop, ProofOptions(created="2026-03-01T18:00:00Z"))
    check = verify_release(resigned, release.definition, now=SAMPLE_NOW)
    assert not check.verified and not check.result.verified
    assert check.result.check("well_formed").code == "related-resource-mismatch"
    assert check.result.check("signature").skipped
    assert check.problems[-1] == "relatedResource[0].digestSRI does not match the context"
