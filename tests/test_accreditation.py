"""Accreditations and recognitions as signed credentials; loading them verified."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.keys import Ed25519Key
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.trust.accreditation import (
    TrustLoad,
    accreditation_credential,
    accreditation_from_credential,
    add_anchor,
    issue_accreditation,
    issue_recognition,
    load_anchors,
    load_trust,
    load_trust_dir,
    recognition_from_credential,
    record_witnessed,
    save_anchors,
    save_trust_credential,
)
from coopcreds_proto.trust.registry import ACCREDIT, ISSUE, Accreditation, Recognition, Witnessed
from coopcreds_proto.trust.revocation_log import RevocationLog
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.status_list import (
    allocate,
    new_status_list,
    publish_status_list,
    revoke,
    status_entry,
)
from coopcreds_proto.vc.verification import verify_credential

UTC = timezone.utc
BODY, APEX, COOP, FORGER, G_BODY = (Ed25519Key.generate(SeededRandom(f"acc-test/{n}"))
                                    for n in ("body", "apex", "coop", "forger", "g-body"))
FW = "https://body.example/framework"
G = "https://tourism.example/framework"
MEMBERSHIP = "CooperativeMembershipCredential"
START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)
LIST_URL = "https://body.example/status/accreditations"
ANCHORS = {FW: [BODY.did], G: [G_BODY.did]}


def accreditation(id_: str, by: Ed25519Key, to: Ed25519Key, **kw: object) -> Accreditation:
    values: dict[str, object] = {
        "id": id_, "accreditor": by.did, "subject": to.did, "framework": FW,
        "permissions": frozenset({ISSUE}), "credential_types": frozenset({MEMBERSHIP}),
        "valid_from": START, "valid_until": END}
    values.update(kw)
    return Accreditation(**values)  # type: ignore[arg-type]


def signed(acc: Accreditation, key: Ed25519Key | None = None, **kw: object) -> dict:
    return issue_accreditation(acc, key or {BODY.did: BODY, APEX.did: APEX, COOP.did: COOP,
                                            FORGER.did: FORGER}[acc.accreditor],
                               now=START, **kw)  # type: ignore[arg-type]


def load_verified(credentials: object, *, revocation_log: RevocationLog | None = None,
         **kw: object) -> TrustLoad:
    """``load_trust`` under ``ANCHORS``, with a revocation log of its own unless given one."""
    return load_trust(credentials, anchors=ANCHORS,  # type: ignore[arg-type]
                      revocation_log=revocation_log or RevocationLog(), **kw)


def why(answer: object) -> str:
    return "\n".join(answer.reasons)  # type: ignore[attr-defined]


@pytest.fixture
def registry(tmp_path: Path) -> LocalRegistry:
    return LocalRegistry(tmp_path / "registry")


def test_accreditation_credential_round_trips_and_verifies() -> None:
    acc = accreditation("urn:acc:apex", BODY, APEX, permissions=frozenset({ISSUE, ACCREDIT}),
                        regions=frozenset({"IE", "FR"}), sectors=frozenset({"music"}),
                        max_chain=2)
    doc = accreditation_credential(acc)
    assert doc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                               "https://w3id.org/coopcreds/trust/v1"]
    assert doc["issuer"] == BODY.did and doc["validUntil"] == "2027-01-01T00:00:00Z"
    assert doc["credentialSubject"]["region"] == ["FR", "IE"]
    assert doc["credentialSubject"]["maxChainLength"] == 2
    assert accreditation_from_credential(doc) == acc
    proof = signed(acc)
    assert verify_credential(proof, now=NOW).verified
    assert accreditation_from_credential(proof) == acc


def test_recognition_credential_round_trips() -> None:
    rec = Recognition(G, FW, True, valid_from=START, valid_until=END,
                      credential_types=frozenset({MEMBERSHIP}), id="urn:rec:1")
    doc = issue_recognition(rec, G_BODY, now=START)
    assert doc["issuer"] == G_BODY.did and doc["credentialSubject"]["transitive"] is True
    assert verify_credential(doc, now=NOW).verified
    assert recognition_from_credential(doc) == rec


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["credentialSubject"].pop("governanceFramework"),
         "$.credentialSubject.governanceFramework"),
        (lambda d: d["credentialSubject"].update(permission=["vote"]),
         "$.credentialSubject.permission"),
        (lambda d: d["credentialSubject"].update(credentialType=[]),
         "$.credentialSubject.credentialType"),
        (lambda d: d["credentialSubject"].update(maxChainLength=-1),
         "$.credentialSubject.maxChainLength"),
        (lambda d: d.update(validUntil="2025-01-01T00:00:00Z"), "$.validUntil"),
        (lambda d: d.update(validFrom="2026-01-01"), "$.validFrom"),
        (lambda d: d["credentialSubject"].update(type="Recognition"), "$.credentialSubject.type"),
        (lambda d: d.update(type=["VerifiableCredential"]), "$.type"),
        (lambda d: d.update(credentialSubject=[]), "$.credentialSubject"),
    ],
)
def test_malformed_accreditation_names_the_path(change, path) -> None:
    doc = accreditation_credential(accreditation("urn:acc:x", BODY, COOP))
    change(doc)
    with pytest.raises(InputError) as err:
        accreditation_from_credential(doc)
    assert err.value.path == path


def test_a_verified_chain_is_trusted(registry: LocalRegistry) -> None:
    apex = accreditation("urn:acc:apex", BODY, APEX, permissions=frozenset({ACCREDIT}),
                         max_chain=1)
    coop = accreditation("urn:acc:coop", APEX, COOP)
    load = load_verified([signed(apex), signed(coop)], now=NOW, registry=registry)
    assert load.rejected == ()
    answer = load.trusted(COOP.did, MEMBERSHIP, [FW], NOW)
    assert answer.trusted and [a.id for a in answer.chain] == ["urn:acc:apex", "urn:acc:coop"]
    # An accreditor acting as issuer: permission to accredit is not permission to issue.
    apex_issues = load.trusted(APEX.did, MEMBERSHIP, [FW], NOW)
    assert not apex_issues.trusted
    assert "permission to accredit is not permission to issue" in why(apex_issues)


def revocable(registry: LocalRegistry) -> tuple[dict, object, int]:
    lst = new_status_list(LIST_URL, BODY.did)
    lst, (index,) = allocate(lst, SeededRandom("acc-test/list"))
    doc = signed(accreditation("urn:acc:coop", BODY, COOP), status_entry=status_entry(lst, index))
    publish_status_list(lst, BODY, registry, valid_from="2026-01-01T00:00:00Z")
    return doc, lst, index


def test_revoked_through_the_authoritys_status_list(registry: LocalRegistry) -> None:
    doc, lst, index = revocable(registry)
    assert load_verified([doc], now=NOW, registry=registry).trusted(
        COOP.did, MEMBERSHIP, [FW], NOW).trusted
    publish_status_list(revoke(lst, index), BODY, registry, valid_from="2026-03-01T00:00:00Z")
    load = load_verified([doc], now=NOW, registry=registry)
    assert load.rejected == ()  # kept, so the answer can say "revoked"
    assert load.registry.revocations["urn:acc:coop"] == datetime(2026, 3, 1, tzinfo=UTC)
    answer = load.trusted(COOP.did, MEMBERSHIP, [FW], NOW)
    assert not answer.trusted and "urn:acc:coop revoked at 2026-03-01T00:00:00Z" in why(answer)
    # A backdated credential is refused; one witnessed before the revocation may be honoured.
    log = load.registry.with_witnessed(
        Witnessed(COOP.did, "urn:cred:early", datetime(2026, 2, 1, tzinfo=UTC)))
    backdated = log.trusted(COOP.did, MEMBERSHIP, [FW], NOW, credential_id="urn:cred:backdated",
                            honour_witnessed=True)
    assert not backdated.trusted and "was not witnessed before the revocation" in why(backdated)
    early = log.trusted(COOP.did, MEMBERSHIP, [FW], NOW, credential_id="urn:cred:early",
                        honour_witnessed=True)
    assert early.trusted and "before the revocation: honoured" in why(early)
    assert not log.trusted(COOP.did, MEMBERSHIP, [FW], NOW, credential_id="urn:cred:early").trusted


MARCH, APRIL = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)


def test_a_revocation_keeps_the_time_it_was_first_seen(tmp_path: Path,
                                                       registry: LocalRegistry) -> None:
    trust = tmp_path / "trust"
    save_anchors(trust, ANCHORS)
    doc, lst, index = revocable(registry)
    save_trust_credential(trust, doc)
    revoked = revoke(lst, index)
    publish_status_list(revoked, BODY, registry, valid_from=MARCH)
    seen = load_trust_dir(trust, now=MARCH + timedelta(days=1), registry=registry)
    assert seen.registry.revocations["urn:acc:coop"] == MARCH
    assert [e.first_seen for e in RevocationLog(trust / "revocations").entries()] == [MARCH]
    # The body publishes its list again in May (a routine refresh): the list's validFrom moves.
    publish_status_list(revoked, BODY, registry, valid_from="2026-05-01T00:00:00Z")
    assert registry.read(LIST_URL)["validFrom"] == "2026-05-01T00:00:00Z"
    record_witnessed(trust, Witnessed(COOP.did, "urn:cred:early", MARCH - timedelta(days=28)))
    record_witnessed(trust, Witnessed(COOP.did, "urn:cred:between", APRIL))
    later = load_trust_dir(trust, now=NOW, registry=registry)
    assert later.registry.revocations["urn:acc:coop"] == MARCH
    # Witnessed after the revocation (before the refresh): never honoured.
    between = later.trusted(COOP.did, MEMBERSHIP, [FW], NOW, credential_id="urn:cred:between",
                            honour_witnessed=True)
    assert not between.trusted
    assert ("urn:acc:coop revoked at 2026-03-01T00:00:00Z; credential urn:cred:between was not"
            " witnessed before the revocation") in why(between)
    assert not later.trusted(COOP.did, MEMBERSHIP, [FW], NOW,
                             credential_id="urn:cred:between").trusted
    early = later.trusted(COOP.did, MEMBERSHIP, [FW], NOW, credential_id="urn:cred:early",
                          honour_witnessed=True)
    assert early.trusted and "before the revocation: honoured" in why(early)


def test_a_revocation_first_seen_late_is_dated_by_the_list(registry: LocalRegistry) -> None:
    doc, lst, index = revocable(registry)
    publish_status_list(revoke(lst, index), BODY, registry, valid_from=MARCH)
    # First seen in June: the verified list was valid from March, so no one saw it before.
    load = load_verified([doc], now=NOW, registry=registry)
    assert load.registry.revocations["urn:acc:coop"] == MARCH


def test_unreadable_status_fails_closed(tmp_path: Path) -> None:
    doc, _, _ = revocable(LocalRegistry(tmp_path / "elsewhere"))
    load = load_verified([doc], now=NOW, registry=LocalRegistry(tmp_path / "empty"))
    assert len(load.rejected) == 1 and "status unknown" in load.rejected[0].reasons[0]


def test_expired_accreditation_is_kept_and_explained(registry: LocalRegistry) -> None:
    later = END + timedelta(days=10)
    load = load_verified([signed(accreditation("urn:acc:coop", BODY, COOP))], now=later,
                         registry=registry)
    answer = load.trusted(COOP.did, MEMBERSHIP, [FW], later)
    assert not answer.trusted and "urn:acc:coop expired at 2027-01-01T00:00:00Z" in why(answer)
    assert load.trusted(COOP.did, MEMBERSHIP, [FW], NOW).trusted  # it was valid back then


def test_scope_widened_by_delegation_and_chain_too_long(registry: LocalRegistry) -> None:
    apex = accreditation("urn:acc:apex", BODY, APEX, permissions=frozenset({ACCREDIT}),
                         regions=frozenset({"IE"}), max_chain=1)
    wider = accreditation("urn:acc:coop", APEX, COOP, regions=frozenset({"IE", "FR"}))
    load = load_verified([signed(apex), signed(wider)], now=NOW, registry=registry)
    answer = load.trusted(COOP.did, MEMBERSHIP, [FW], NOW, region="IE")
    assert not answer.trusted and "scope widened by delegation" in why(answer)
    short = accreditation("urn:acc:apex", BODY, APEX, permissions=frozenset({ACCREDIT}))
    coop = accreditation("urn:acc:coop", APEX, COOP)
    load = load_verified([signed(short), signed(coop)], now=NOW, registry=registry)
    answer = load.trusted(COOP.did, MEMBERSHIP, [FW], NOW)
    assert not answer.trusted and "chain too long: urn:acc:apex allows 0 link(s)" in why(answer)


def test_forged_by_a_non_anchor_is_untrusted_with_the_reason(registry: LocalRegistry) -> None:
    forged = signed(accreditation("urn:acc:forged", FORGER, COOP))
    load = load_verified([forged], now=NOW, registry=registry)
    answer = load.trusted(COOP.did, MEMBERSHIP, [FW], NOW)
    assert not answer.trusted
    assert (f"accreditor not trusted: {FORGER.did} (who made urn:acc:forged) is neither an anchor"
            in why(answer))


def test_forged_in_the_anchors_name_or_tampered_is_rejected(registry: LocalRegistry) -> None:
    # The forger writes the anchor as issuer but can only sign with its own key.
    claim = accreditation_credential(accreditation("urn:acc:claim", BODY, COOP))
    claim["issuer"] = FORGER.did
    forged = issue(claim, FORGER, created=START)
    forged["issuer"] = BODY.did
    tampered = copy.deepcopy(signed(accreditation("urn:acc:coop", BODY, COOP)))
    tampered["credentialSubject"]["credentialType"] = [MEMBERSHIP, "Payslip"]
    load = load_verified({"forged.json": forged, "tampered.json": tampered}, now=NOW, registry=registry)
    assert {r.source for r in load.rejected} == {"forged.json", "tampered.json"}
    reasons = {r.source: " ".join(r.reasons) for r in load.rejected}
    assert f"issuer_binding: signed by a key of {FORGER.did}, not of the issuer {BODY.did}" \
        in reasons["forged.json"]
    assert "signature: signature does not match" in reasons["tampered.json"]
    answer = load.trusted(COOP.did, "Payslip", [FW], NOW)
    assert not answer.trusted and "tampered.json rejected: signature" in why(answer)


def test_recognition_must_come_from_an_anchor_of_the_recogniser(registry: LocalRegistry) -> None:
    coop = signed(accreditation("urn:acc:coop", BODY, COOP))
    rec = Recognition(G, FW, valid_from=START, valid_until=END, id="urn:rec:g")
    good = issue_recognition(rec, G_BODY, now=START)
    load = load_verified([coop, good], now=NOW, registry=registry)
    answer = load.trusted(COOP.did, MEMBERSHIP, [G], NOW)
    assert answer.trusted and answer.chain[0].id == "urn:rec:g" and answer.framework == FW
    rogue = issue_recognition(Recognition(G, FW, id="urn:rec:rogue"), FORGER, now=START)
    load = load_verified([coop, rogue], now=NOW, registry=registry)
    assert f"issued by {FORGER.did}, not by an anchor of {G}" in load.rejected[0].reasons[0]
    assert not load.trusted(COOP.did, MEMBERSHIP, [G], NOW).trusted
    late = load_verified([coop, good], now=NOW, registry=registry)
    expired = late.registry.trusted(COOP.did, MEMBERSHIP, [G], END + timedelta(days=1))
    assert not expired.trusted and f"recognition of {FW} by {G} expired" in why(expired)


def test_duplicates_and_malformed_subjects_are_rejected(registry: LocalRegistry) -> None:
    doc = signed(accreditation("urn:acc:coop", BODY, COOP))
    bad = signed(accreditation("urn:acc:bad", BODY, COOP))
    bad["credentialSubject"].pop("governanceFramework")
    load = load_verified([doc, doc, bad, ["not", "a", "credential"]], now=NOW,
                         registry=registry)
    reasons = [r.reasons[0] for r in load.rejected]
    assert any("duplicate" in r for r in reasons)
    assert any("malformed" in r and "governanceFramework" in r for r in reasons)
    assert any("malformed" in r and "JSON object" in r for r in reasons)
    assert len(load.registry.accreditations) == 1


def test_trust_directory_is_written_once_and_loaded_verified(tmp_path: Path,
                                                             registry: LocalRegistry) -> None:
    trust = tmp_path / "trust"
    save_anchors(trust, {FW: [BODY.did]}, names={FW: "Body framework", COOP.did: "Indie Co-op"})
    add_anchor(trust, G, [G_BODY.did], name="Tourism framework")
    with pytest.raises(InputError) as err:
        add_anchor(trust, G, [FORGER.did])
    assert err.value.code == "framework-exists"
    anchors, names = load_anchors(trust)
    assert anchors == {FW: frozenset({BODY.did}), G: frozenset({G_BODY.did})}
    assert names[G] == "Tourism framework" and names[COOP.did] == "Indie Co-op"
    doc = signed(accreditation("urn:acc:coop", BODY, COOP))
    path = save_trust_credential(trust, doc)
    assert path.parent.name == "accreditations"
    with pytest.raises(InputError) as err:
        save_trust_credential(trust, doc)
    assert err.value.code == "trust-file-exists"
    save_trust_credential(trust, issue_recognition(Recognition(G, FW, id="urn:rec:g"), G_BODY,
                                                   now=START))
    (trust / "accreditations" / "junk.json").write_text("{not json")
    sighting = Witnessed(COOP.did, "urn:cred:1", datetime(2026, 2, 1, tzinfo=UTC))
    record_witnessed(trust, sighting)
    with pytest.raises(InputError) as err:
        record_witnessed(trust, sighting)
    assert err.value.code == "trust-file-exists"
    load = load_trust_dir(trust, now=NOW, registry=registry)
    assert load.registry.witnessed == (sighting,)
    assert load.registry.name_of(COOP.did) == "Indie Co-op"
    assert load.name_of(COOP.did) == "Indie Co-op"  # a TrustSource, as its registry is
    assert load.trusted(COOP.did, MEMBERSHIP, [G], NOW).trusted
    assert [Path(r.source).name for r in load.rejected] == ["junk.json"]
    assert "not readable JSON" in load.rejected[0].reasons[0]
    with pytest.raises(InputError) as err:
        load_trust_dir(tmp_path / "nowhere", now=NOW, registry=registry)
    assert err.value.code == "no-trust-dir"
    (trust / "anchors.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(InputError):
        load_anchors(trust)



def test_every_file_of_a_trust_directory_is_read_bounded(tmp_path: Path,
                                                         registry: LocalRegistry) -> None:
    trust = tmp_path / "trust"
    save_anchors(trust, {FW: [BODY.did]})
    save_trust_credential(trust, signed(accreditation("urn:acc:coop", BODY, COOP)))
    # An endless device and a huge sparse file among the credentials: each is rejected,
    # named, after reading at most one byte past the limit; the good one still loads.
    (trust / "accreditations" / "zero.json").symlink_to("/dev/zero")
    (trust / "recognitions").mkdir(exist_ok=True)
    with (trust / "recognitions").joinpath("huge.json").open("wb") as huge:
        huge.truncate(50 * 2**30)
    load = load_trust_dir(trust, now=NOW, registry=registry)
    assert len(load.registry.accreditations) == 1
    rejected = {Path(r.source).name: r.reasons[0] for r in load.rejected}
    assert sorted(rejected) == ["huge.json", "zero.json"]
    assert all("larger than the limit" in why for why in rejected.values())
    # An issuance log entry that is a device, and anchors.json that is one.
    (trust / "witnessed").mkdir()
    (trust / "witnessed" / "zero.json").symlink_to("/dev/zero")
    with pytest.raises(InputError) as err:
        load_trust_dir(trust, now=NOW, registry=registry)
    assert err.value.code == "file-too-large" and "issuance log entry" in str(err.value)
    (trust / "witnessed" / "zero.json").unlink()
    (trust / "anchors.json").unlink()
    (trust / "anchors.json").symlink_to("/dev/zero")
    for read in (lambda: load_anchors(trust), lambda: add_anchor(trust, G, [G_BODY.did])):
        with pytest.raises(InputError) as err:
            read()
        assert err.value.code == "file-too-large" and "anchors file" in str(err.value)

# --- renaming keys does not change a trust answer ------------------------------------
# Each rewrite below keeps the signed RDF graph (so the signature still holds), and
# hides a property from a reader of JSON keys. A trust credential is read only in its
# compact form, so each is refused, named, and the answer stays what was signed.

VC = "https://www.w3.org/2018/credentials#"
DATE_TIME = "http://www.w3.org/2001/XMLSchema#dateTime"


def as_iri(key: str, *, typed: bool) -> object:
    def rewrite(doc: dict) -> None:
        value = doc.pop(key)
        doc[VC + key] = {"@value": value, "@type": DATE_TIME} if typed else value
    return rewrite


def in_included(key: str) -> object:
    def rewrite(doc: dict) -> None:
        doc["@included"] = [{"id": doc["id"], "type": "VerifiableCredential",
                             key: doc.pop(key)}]
    return rewrite


def nested(key: str) -> object:
    def rewrite(doc: dict) -> None:
        doc["@nest"] = {key: doc.pop(key)}
    return rewrite


@pytest.mark.parametrize("rewrite", [as_iri("validUntil", typed=True), in_included("validUntil"),
                                     nested("validUntil")], ids=["iri", "included", "nest"])
def test_an_expired_recognition_stays_expired_however_its_end_is_written(
        registry: LocalRegistry, rewrite) -> None:
    coop = signed(accreditation("urn:acc:coop", BODY, COOP))
    ends = START + timedelta(days=30)
    rec = issue_recognition(Recognition(G, FW, valid_from=START, valid_until=ends,
                                        id="urn:rec:g"), G_BODY, now=START)
    renamed = copy.deepcopy(rec)
    rewrite(renamed)
    assert "validUntil" not in renamed
    load = load_verified({"coop.json": coop, "renamed.json": renamed}, now=NOW, registry=registry)
    answer = load.trusted(COOP.did, MEMBERSHIP, [G], NOW)  # four months after it ended
    assert not answer.trusted
    assert [r.source for r in load.rejected] == ["renamed.json"]
    assert "compact form" in load.rejected[0].reasons[0]
    assert load.registry.recognitions == ()
    # As signed, it is kept, and expired at the time asked.
    honest = load_verified([coop, rec], now=NOW, registry=registry)
    assert "recognition of" in why(honest.trusted(COOP.did, MEMBERSHIP, [G], NOW)) \
        and "expired at" in why(honest.trusted(COOP.did, MEMBERSHIP, [G], NOW))


@pytest.mark.parametrize("rewrite", [as_iri("credentialStatus", typed=False),
                                     in_included("credentialStatus"), nested("credentialStatus")],
                         ids=["iri", "included", "nest"])
def test_a_revoked_accreditation_stays_revoked_however_its_status_is_written(
        registry: LocalRegistry, rewrite) -> None:
    doc, lst, index = revocable(registry)
    publish_status_list(revoke(lst, index), BODY, registry, valid_from=MARCH)
    renamed = copy.deepcopy(doc)
    rewrite(renamed)
    assert "credentialStatus" not in renamed
    load = load_verified([renamed], now=NOW, registry=registry)
    assert not load.trusted(COOP.did, MEMBERSHIP, [FW], NOW).trusted
    assert len(load.rejected) == 1 and "compact form" in load.rejected[0].reasons[0]
    assert load.registry.accreditations == ()


@pytest.mark.parametrize(("change", "path"), [
    (lambda d: d["credentialSubject"].update({"@id": d["credentialSubject"].pop("id")}),
     "$.credentialSubject.@id"),
    (lambda d: d.update(validFrom={"@value": d["validFrom"], "@type": DATE_TIME}), "$.validFrom"),
    (lambda d: d.update({"@type": d.pop("type")}), "$.type"),
    (lambda d: d["credentialSubject"].update(
        sector={"id": d["id"], "type": "VerifiableCredential", "validUntil": d.pop("validUntil")}),
     "$.credentialSubject.sector"),
    (lambda d: d.update(issuer={"id": d["issuer"], "@included": []}), "$.issuer.@included"),
    (lambda d: d["@context"].append({"until": VC + "validUntil"}), "$.@context"),
    (lambda d: d["credentialStatus"].update(statusReference={"id": d["id"]}),
     "$.credentialStatus.statusReference"),
    (lambda d: d["proof"].update({"https://w3id.org/security#expiration": "2026-02-01T00:00:00Z"}),
     "$.proof.https://w3id.org/security#expiration"),
])
def test_only_the_compact_form_is_read(registry: LocalRegistry, change, path: str) -> None:
    doc, _, _ = revocable(registry)
    doc = copy.deepcopy(doc)
    change(doc)
    with pytest.raises(InputError) as err:
        accreditation_from_credential(doc)
    assert err.value.code in ("trust-credential-not-compact", "bad-trust-credential")
    assert err.value.path == path
