"""The designated issuer: bulk issuance from a register, re-issue, revoke, suspend."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from coopcreds_proto.definitions.artefacts import definition_loader, schema_problems
from coopcreds_proto.definitions.definition import definition_path, load_definition
from coopcreds_proto.issuer.batch import (
    LOG_NAME,
    SAMPLE_COOP,
    IssuanceError,
    Issuer,
    apply_register,
    build_credential,
    issued_frame,
    ledger,
    read_credential,
    revoke_member,
    suspend_member,
    unsuspend_member,
)
from coopcreds_proto.issuer.member_register import RegisterError, generate_register, read_register
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.multibase import ED25519_PRIV, decode_multikey
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.samples import sample_actors
from coopcreds_proto.vc.verification import verify_credential

ISSUED = "2026-02-01T09:00:00Z"
LATER = "2026-03-01T09:00:00Z"
CHECKED = "2026-04-01T00:00:00Z"
STATUS_BASE = "https://riverside.example/status"
DEFINITION = load_definition(definition_path("cooperative-membership", "0.1"))


def _issuer(tmp: Path, **kw) -> Issuer:
    kw.setdefault("status_base", STATUS_BASE)
    if kw["status_base"]:
        kw.setdefault("registry", LocalRegistry(tmp / "registry"))
    return Issuer(sample_actors().coop, SAMPLE_COOP, tmp / "out", **kw)


def _apply(issuer, records, now=ISSUED, seed="test"):
    return apply_register(issuer, records, now=now, rng=SeededRandom(seed), progress=False,
                          durable=False)


def _status(issuer, number, now=CHECKED):
    result = verify_credential(read_credential(issuer, number), now=now, registry=issuer.registry)
    return result.verified, result.check("status").code


@pytest.fixture(scope="module")
def records():
    return generate_register(6)


def test_bulk_issuance_from_a_register(tmp_path, records):
    issuer = _issuer(tmp_path)
    report = _apply(issuer, records)
    assert report.counts == {"issued": 6}
    assert report.published == (f"{STATUS_BASE}/revocation", f"{STATUS_BASE}/suspension")
    assert sorted(p.name for p in (tmp_path / "out" / "credentials").iterdir()) == [
        f"{r.membership_number}.json" for r in records]
    ids = set()
    for record in records:
        credential = read_credential(issuer, record.membership_number)
        ids.add(credential["id"])
        # Issued from the definition: its context, its types, its schema.
        assert credential["@context"][1] == DEFINITION.context_url
        assert credential["credentialSubject"]["id"] == record.member_did
        assert schema_problems(DEFINITION, credential) == []
        assert [e["statusPurpose"] for e in credential["credentialStatus"]] == [
            "revocation", "suspension"]
        verified, code = _status(issuer, record.membership_number)
        suspended = record.membership_status == "suspended"
        assert (verified, code) == ((False, "status-suspended") if suspended else (True, None))
    assert len(ids) == 6
    frame = issued_frame(issuer)
    assert list(frame["state"]) == [
        "suspended" if r.membership_status == "suspended" else "active" for r in records]
    assert frame["revocation_index"].nunique() == 6  # no index used twice


def test_the_batch_signer_signs_exactly_as_issue_does(tmp_path, records):
    issuer = _issuer(tmp_path, status_base=None)
    _apply(issuer, records[:2])
    credential = read_credential(issuer, "RFC-00043")
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    assert issue(unsigned, issuer.key, created=ISSUED,
                 loader=definition_loader(DEFINITION)) == credential
    assert "credentialStatus" not in credential


def test_issuance_is_deterministic_with_a_seed_and_a_clock(tmp_path, records):
    first, second = _issuer(tmp_path / "a"), _issuer(tmp_path / "b")
    _apply(first, records[:3])
    _apply(second, records[:3])
    for name in ("RFC-00042.json", "RFC-00044.json"):
        assert (tmp_path / "a/out/credentials" / name).read_bytes() == (
            tmp_path / "b/out/credentials" / name).read_bytes()


def test_applying_the_register_again_changes_nothing(tmp_path, records):
    issuer = _issuer(tmp_path)
    _apply(issuer, records)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out" / "credentials").iterdir()}
    report = _apply(issuer, records, now=LATER, seed="again")
    assert report.counts == {"unchanged": 6}
    after = {p.name: p.read_bytes() for p in (tmp_path / "out" / "credentials").iterdir()}
    assert after == before


def test_changes_reissue_revoke_suspend_and_unsuspend(tmp_path, records):
    issuer = _issuer(tmp_path)
    active = [dataclasses.replace(r, membership_status="active") for r in records]
    _apply(issuer, active)
    old_ada = read_credential(issuer, "RFC-00042")
    # RFC-00042's roles change, RFC-00044 is suspended, RFC-00045 leaves.
    by_number = {r.membership_number: r for r in active}
    by_number["RFC-00042"] = dataclasses.replace(by_number["RFC-00042"], roles=("member",))
    by_number["RFC-00044"] = dataclasses.replace(by_number["RFC-00044"],
                                                 membership_status="suspended")
    del by_number["RFC-00045"]
    changed = list(by_number.values())
    report = _apply(issuer, changed, now=LATER, seed="second run")
    by_member = {a.member: a for a in report.actions}
    assert by_member["RFC-00042"].action == "reissued"
    assert by_member["RFC-00042"].detail == "details changed; the earlier credential is revoked"
    assert by_member["RFC-00044"].action == "suspended"
    assert by_member["RFC-00045"].action == "revoked"
    assert by_member["RFC-00045"].detail == "left the co-operative"
    assert report.counts == {"reissued": 1, "suspended": 1, "unchanged": 3, "revoked": 1}

    new_ada = read_credential(issuer, "RFC-00042")
    assert new_ada["id"] != old_ada["id"] and new_ada["credentialSubject"]["roles"] == ["member"]
    assert _status(issuer, "RFC-00042") == (True, None)
    old = verify_credential(old_ada, now=CHECKED, registry=issuer.registry)
    assert old.check("status").code == "status-revoked"
    aside = tmp_path / "out" / "superseded" / f"RFC-00042.{old_ada['id'].split(':')[-1]}.json"
    assert json.loads(aside.read_text()) == old_ada  # kept, not overwritten
    assert _status(issuer, "RFC-00044") == (False, "status-suspended")
    assert _status(issuer, "RFC-00045") == (False, "status-revoked")
    assert ledger(issuer)["RFC-00042"].replaced == (old_ada["id"],)

    # Back to active: the suspension is lifted, the same credential verifies again.
    back = [dataclasses.replace(r, membership_status="active") for r in changed]
    report = _apply(issuer, back, now=CHECKED, seed="third run")
    assert {a.member: a.action for a in report.actions}["RFC-00044"] == "unsuspended"
    assert _status(issuer, "RFC-00044", now="2026-05-01T00:00:00Z") == (True, None)
    # A member who left and comes back gets a new credential.
    report = _apply(issuer, [*back, active[3]], now=CHECKED, seed="fourth run")
    assert {a.member: a.action for a in report.actions}["RFC-00045"] == "issued"
    assert _status(issuer, "RFC-00045", now="2026-05-01T00:00:00Z") == (True, None)


def test_one_member_at_a_time(tmp_path, records):
    issuer = _issuer(tmp_path)
    _apply(issuer, records[:2])
    assert suspend_member(issuer, "RFC-00042", now=LATER).action == "suspended"
    assert _status(issuer, "RFC-00042") == (False, "status-suspended")
    assert unsuspend_member(issuer, "RFC-00042", now=LATER).action == "unsuspended"
    assert _status(issuer, "RFC-00042") == (True, None)
    action = revoke_member(issuer, "RFC-00042", now=LATER, reason="asked to leave")
    assert (action.action, action.detail) == ("revoked", "asked to leave")
    assert _status(issuer, "RFC-00042") == (False, "status-revoked")
    with pytest.raises(IssuanceError) as again:
        revoke_member(issuer, "RFC-00042", now=LATER)
    assert again.value.code == "member-revoked"
    with pytest.raises(IssuanceError) as unknown:
        suspend_member(issuer, "RFC-99999", now=LATER)
    assert unknown.value.code == "unknown-member"


def test_a_bad_row_in_a_member_register_issues_nothing(tmp_path):
    register = tmp_path / "members.csv"
    lines = (Path(__file__).resolve().parents[1] / "data/registers/sample_members.csv").read_text(
        encoding="utf-8").splitlines()
    lines[5] = lines[5].replace(",active,", ",lapsed,")
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RegisterError) as caught:
        records = read_register(register)
        _apply(_issuer(tmp_path), records)
    assert [str(p) for p in caught.value.problems] == [
        "row 6, membership_status: not one of active, suspended: lapsed"]
    assert not (tmp_path / "out").exists()


def test_a_file_in_the_way_stops_the_run_before_anything_is_written(tmp_path, records):
    issuer = _issuer(tmp_path)
    (tmp_path / "out" / "credentials").mkdir(parents=True)
    foreign = tmp_path / "out" / "credentials" / "RFC-00044.json"
    foreign.write_text("{}")
    with pytest.raises(IssuanceError) as caught:
        _apply(issuer, records)
    assert caught.value.code == "credential-file-exists"
    assert foreign.read_text() == "{}"
    assert sorted(p.name for p in (tmp_path / "out" / "credentials").iterdir()) == [
        "RFC-00044.json"]
    assert not (tmp_path / "out" / LOG_NAME).exists()


def test_without_status_lists_nothing_can_be_revoked(tmp_path, records):
    issuer = _issuer(tmp_path, status_base=None)
    _apply(issuer, records[:2])
    assert "credentialStatus" not in read_credential(issuer, "RFC-00042")
    action = revoke_member(issuer, "RFC-00042", now=LATER)
    assert "no status list" in action.detail


def test_status_lists_belong_to_one_issuer(tmp_path, records):
    _apply(_issuer(tmp_path), records[:1])
    other = Issuer(sample_actors().outsider, SAMPLE_COOP, tmp_path / "out",
                   status_base=STATUS_BASE)
    with pytest.raises(IssuanceError) as caught:
        _apply(other, records[:1])
    assert caught.value.code == "status-list-mismatch"
    # Nor can the issuer forget its lists: a leaver would not really be revoked.
    forgetful = _issuer(tmp_path, status_base=None)
    with pytest.raises(IssuanceError) as missing:
        _apply(forgetful, [])
    assert missing.value.code == "status-base-missing"


def test_credentials_say_only_what_the_issuer_allows(tmp_path, records):
    issuer = _issuer(tmp_path, status_base=None, omit=("name", "membershipNumber"))
    credential = build_credential(issuer, records[0], credential_id="urn:uuid:1",
                                  valid_from=ISSUED)
    subject = credential["credentialSubject"]
    assert "name" not in subject and "membershipNumber" not in subject
    assert subject["memberOf"]["name"] == SAMPLE_COOP.name
    assert credential["validUntil"] == "2027-02-01T09:00:00Z"
    assert credential["issuer"] == {"id": issuer.did, "name": "Riverside Food Co-operative"}


def test_progress_bar_can_be_shown(tmp_path, records, capsys):
    apply_register(_issuer(tmp_path, status_base=None), records[:2], now=ISSUED,
                   rng=SeededRandom("bar"), progress=True, durable=False)
    assert "issuing" in capsys.readouterr().err


# --- the command ------------------------------------------------------------------------


def test_issue_batch_command(tmp_path, capsys):
    from coopcreds_proto.cli import main

    key = tmp_path / "coop.key"
    assert main(["key", "new", "--seed", "22" * 32, "--out", str(key)]) == 0
    register = Path(__file__).resolve().parents[1] / "data/registers/sample_members.csv"
    args = ["issue-batch", str(register), "--key", str(key), "--sample-coop",
            "--out", str(tmp_path / "out"), "--registry", str(tmp_path / "reg"),
            "--status-list", STATUS_BASE, "--created", ISSUED, "--no-progress"]
    capsys.readouterr()
    assert main(args) == 0
    assert "25 members: 25 issued" in capsys.readouterr().out
    credential = json.loads((tmp_path / "out/credentials/RFC-00042.json").read_text())
    result = verify_credential(credential, now=CHECKED, registry=LocalRegistry(tmp_path / "reg"))
    assert result.verified, str(result)
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"] == {"unchanged": 25}


def test_issue_batch_refuses_a_bad_register_and_writes_nothing(tmp_path, capsys):
    from coopcreds_proto.cli import main

    key = tmp_path / "coop.key"
    main(["key", "new", "--seed", "22" * 32, "--out", str(key)])
    register = tmp_path / "members.csv"
    register.write_text(
        "membership_number,member_did,member_since,membership_status,voting_rights\n"
        "RFC-1,did:example:1,2019-03-14,active,yes\n"
        "RFC-2,did:example:2,someday,active,perhaps\n", encoding="utf-8")
    capsys.readouterr()
    code = main(["issue-batch", str(register), "--key", str(key), "--sample-coop",
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "row 3, member_since: not a date (YYYY-MM-DD): someday" in err
    assert "row 3, voting_rights: not yes or no: perhaps" in err
    assert not (tmp_path / "out").exists()
    # And a co-op must be named: no silent demo identity in real use.
    code = main(["issue-batch", str(register), "--key", str(key), "--out", str(tmp_path / "o")])
    assert code == 2 and "--coop FILE" in capsys.readouterr().err


# --- the credential card, with the status -------------------------------------------------


def test_card_shows_status_and_issuer_and_never_a_secret(tmp_path, records):
    from coopcreds_proto.display.cards import credential_card, credential_status
    from coopcreds_proto.vc.verification import read_status

    issuer = _issuer(tmp_path)
    _apply(issuer, records[:3])
    revoke_member(issuer, "RFC-00043", now=LATER)
    suspend_member(issuer, "RFC-00044", now=LATER)
    seen = {}
    for number in ("RFC-00042", "RFC-00043", "RFC-00044"):
        credential = read_credential(issuer, number)
        result = verify_credential(credential, now=CHECKED, registry=issuer.registry)
        card = credential_card(credential, result)
        seen[number] = card.status
        # The same state from the raw status entries.
        entries = read_status(credential, registry=issuer.registry, now=CHECKED)
        assert credential_status(entries)[0] == card.status
        text, page = str(card), card._repr_html_()
        assert "Riverside Food Co-operative" in text and issuer.did in text
        assert "Issued:   1 February 2026, 09:00 UTC" in text
        assert f">{card.status if card.status != 'unknown' else 'status unknown'}</span>" in page
        seed = decode_multikey(issuer.key.secret_key_multibase, ED25519_PRIV, 32)
        for secret in (issuer.key.secret_key_multibase, seed.hex()):
            assert secret not in text and secret not in page
    assert seen == {"RFC-00042": "active", "RFC-00043": "revoked", "RFC-00044": "suspended"}
    # Fail closed: no registry, so the status could not be read.
    credential = read_credential(issuer, "RFC-00042")
    unknown = credential_card(credential, verify_credential(credential, now=CHECKED))
    assert unknown.status == "unknown" and "Status:   status unknown" in str(unknown)
    # Without a status result the card is as it always was.
    assert credential_card(credential).status is None
    assert "Status:" not in str(credential_card(credential))


def test_an_issuer_suspension_outlives_register_runs_and_reissues(tmp_path, records):
    issuer = _issuer(tmp_path)
    active = [dataclasses.replace(r, membership_status="active") for r in records[:3]]
    _apply(issuer, active)
    suspend_member(issuer, "RFC-00043", now=LATER, reason="complaint under review")
    # The register still says active: the board's suspension is not lifted by a run...
    report = _apply(issuer, active, now=LATER, seed="run 2")
    assert {a.member: a.action for a in report.actions}["RFC-00043"] == "unchanged"
    # ...nor by a re-issue (its details change): the new credential is suspended too.
    changed = [dataclasses.replace(r, roles=("member", "volunteer")) for r in active]
    report = _apply(issuer, changed, now=LATER, seed="run 3")
    assert report.counts == {"reissued": 3}
    assert _status(issuer, "RFC-00043") == (False, "status-suspended")
    assert ledger(issuer)["RFC-00043"].suspended_by == "issuer"
    unsuspend_member(issuer, "RFC-00043", now=LATER)
    assert _status(issuer, "RFC-00043") == (True, None)


def test_reissue_what_a_compromised_key_signed(tmp_path, records):
    from coopcreds_proto.did_web import add_key, create_did_web, mark_key_compromised

    registry = LocalRegistry(tmp_path / "registry")
    did = "did:web:riverside.example"
    old_key = create_did_web(did, registry, rng=SeededRandom("key-1"))
    issuer = Issuer(old_key, SAMPLE_COOP, tmp_path / "out", status_base=STATUS_BASE,
                    registry=registry)
    _apply(issuer, records[:3])
    assert _status(issuer, "RFC-00042") == (True, None)
    new_key = add_key(did, registry, rng=SeededRandom("key-2"))
    mark_key_compromised(old_key.id, registry, from_="2026-02-20")
    before = read_credential(issuer, "RFC-00042")
    refused = verify_credential(before, now=CHECKED, registry=registry)
    assert refused.check("verification_method").ok is False
    issuer = dataclasses.replace(issuer, key=new_key)
    report = apply_register(issuer, records[:3], now=LATER, rng=SeededRandom("re-key"),
                            progress=False, durable=False, reissue_signed_by=(old_key.id,))
    assert report.counts == {"reissued": 3}
    after = read_credential(issuer, "RFC-00042")
    assert after["proof"]["verificationMethod"] == new_key.id
    assert _status(issuer, "RFC-00042") == (True, None)  # the lists are signed by the new key
    assert _status(issuer, "RFC-00044") == (False, "status-suspended")  # still suspended
    # Nothing left for the old key: a second run re-issues nothing.
    again = apply_register(issuer, records[:3], now=LATER, rng=SeededRandom("again"),
                           progress=False, durable=False, reissue_signed_by=(old_key.id,))
    assert again.counts == {"unchanged": 3}


def test_credential_status_reads_every_kind_of_status_result():
    from coopcreds_proto.display.cards import credential_status
    from coopcreds_proto.vc.status_check import EntryStatus
    from coopcreds_proto.vc.verification import Check

    url = f"{STATUS_BASE}/revocation"
    fine = EntryStatus(url, 7, "revocation", True, None, "not revoked (index 7)", False)
    unknown = EntryStatus(url, 9, "suspension", False, "status-list-missing",
                          "status unknown: no list", None)
    revoked = EntryStatus(url, 7, "revocation", False, "status-revoked", "revoked (index 7)", True)
    assert credential_status((fine,)) == ("active", "not revoked (index 7)")
    assert credential_status((fine, unknown)) == ("unknown", "status unknown: no list")
    assert credential_status((unknown, revoked))[0] == "revoked"  # a set bit is known
    assert credential_status(Check("status", False, "x", skipped=True)) == (
        "unknown", "not checked: x")
    assert credential_status(Check("status", False, "broken list", "status-list-malformed")) == (
        "unknown", "broken list")
    assert credential_status("suspended") == ("suspended", "")
    assert credential_status("fine, trust me")[0] == "unknown"


def test_one_run_at_a_time_and_status_urls_are_checked(tmp_path, records):
    from coopcreds_proto.issuer.batch import _exclusive

    issuer = _issuer(tmp_path)
    with _exclusive(issuer), pytest.raises(IssuanceError) as busy:
        _apply(issuer, records[:1])
    assert busy.value.code == "issuer-busy"
    assert _apply(issuer, records[:1]).counts == {"issued": 1}  # free again
    for url in ("http://riverside.example/status", "https://riverside.example/s?x=1"):
        with pytest.raises(IssuanceError) as bad:
            _issuer(tmp_path, status_base=url)
        assert bad.value.code == "bad-status-url"


def test_issue_batch_takes_the_coop_from_a_file(tmp_path, capsys):
    from coopcreds_proto.cli import main

    key = tmp_path / "coop.key"
    main(["key", "new", "--seed", "33" * 32, "--out", str(key)])
    register = tmp_path / "members.csv"
    register.write_text(
        "membership_number,member_did,member_since,membership_status,voting_rights\n"
        f"HH-1,{sample_actors().member.did},2020-05-01,active,yes\n", encoding="utf-8")
    coop = tmp_path / "coop.json"
    coop.write_text(json.dumps({"name": "Hillside Housing Co-operative Ltd",
                                "registered_identifier": "IP099", "jurisdiction": "GB",
                                "cooperative_type": "consumer", "sector": "housing"}))
    args = ["issue-batch", str(register), "--key", str(key), "--coop", str(coop),
            "--out", str(tmp_path / "out"), "--created", ISSUED, "--valid-days", "0",
            "--omit", "membershipNumber"]
    assert main(args) == 0
    credential = json.loads((tmp_path / "out/credentials/HH-1.json").read_text())
    assert credential["credentialSubject"]["memberOf"]["name"] == "Hillside Housing Co-operative Ltd"
    assert "membershipNumber" not in credential["credentialSubject"]
    assert "validUntil" not in credential and "credentialStatus" not in credential
    assert verify_credential(credential, now=CHECKED).verified
    coop.write_text(json.dumps({"name": "Hillside", "email": "x@example.org"}))
    capsys.readouterr()
    assert main([*args[:-4], "--out", str(tmp_path / "out2")]) == 2
    assert "unknown keys email" in capsys.readouterr().err
