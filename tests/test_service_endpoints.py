"""The issuer and verifier service: every route, its JSON errors, tokens and the audit log."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from service_fixtures import DOMAIN, STATUS_BASE, make_service_folder, unsigned_member_credential
from starlette.testclient import TestClient

from coopcreds_proto.database import integrity_problems, open_database
from coopcreds_proto.did_web import create_did_web
from coopcreds_proto.errors import CoopCredsError
from coopcreds_proto.keys import EcdsaKey, save_key
from coopcreds_proto.local_registry import LocalRegistry
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.service.app import create_app
from coopcreds_proto.service.audit import audit_events
from coopcreds_proto.service.challenges import consume_challenge, issue_challenge
from coopcreds_proto.service.config import load_config
from coopcreds_proto.service.schema import SERVICE_SCHEMA
from coopcreds_proto.service.tokens import create_token, issuer_scopes, revoke_token
from coopcreds_proto.vc.challenges import ChallengeError
from coopcreds_proto.vc.disclosure import derive_disclosure
from coopcreds_proto.vc.presentations import present
from coopcreds_proto.vc.samples import sample_actors, sample_membership_credential

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def service(tmp_path):
    config_path = make_service_folder(tmp_path)
    config = load_config(config_path)
    clock = Clock(NOW)
    app = create_app(config, clock=clock, rng=SeededRandom("service-test"))
    db = open_database(config.database, SERVICE_SCHEMA)
    token = create_token(db, issuer_scopes("riverside"), rng=SeededRandom("token"), now=NOW,
                         label="membership system").token
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        yield client, db, clock, config
    db.close()


def issue(client, number: int = 1, path: str = "/issuers/riverside/credentials/issue",
          **options):
    body = {"credential": unsigned_member_credential(number)}
    if options:
        body["options"] = options
    return client.post(path, json=body)


def test_issue_signs_records_and_gives_two_status_entries(service):
    client, db, _, _ = service
    answer = issue(client, credentialId="urn:example:member-1")
    assert answer.status_code == 201, answer.text
    credential = answer.json()["verifiableCredential"]
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    entries = credential["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert entries[0]["statusListCredential"] == f"{STATUS_BASE}/revocation/1"
    row = db.execute("SELECT credential_id, subject, cryptosuite, credential FROM credential_record"
                     ).fetchone()
    assert row[:3] == ("urn:example:member-1", "did:example:member-1", "eddsa-rdfc-2022")
    assert json.loads(row[3]) == credential
    indexes = {r[0] for r in db.execute("SELECT status_index FROM status_entry")}
    assert indexes == {int(e["statusListIndex"]) for e in entries}


def test_each_offered_suite_has_its_endpoint_and_an_unknown_suite_is_refused(service):
    client = service[0]
    answer = issue(client, 2, "/issuers/riverside/eddsa-jcs-2022/credentials/issue")
    assert answer.json()["verifiableCredential"]["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    unknown = issue(client, 3, "/issuers/riverside/ecdsa-nope/credentials/issue")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown-cryptosuite")
    assert issue(client, 4, "/issuers/nobody/credentials/issue").json()["code"] == \
        "unknown-issuer-instance"


def test_a_credential_without_id_gets_a_urn_uuid_and_ids_are_never_reused(service):
    client = service[0]
    first = issue(client).json()["verifiableCredential"]
    assert first["id"].startswith("urn:uuid:")
    other = {**unsigned_member_credential(2), "id": first["id"]}
    again = client.post("/issuers/riverside/credentials/issue", json={"credential": other})
    assert (again.status_code, again.json()["code"]) == (409, "credential-id-exists")


def test_a_repeated_issue_request_gets_the_same_credential_back_not_a_second_one(service):
    # A client whose answer was lost sends the same request again: it gets the
    # credential on record (200), and nothing new is issued or allocated.
    client, db, clock, _ = service
    first = issue(client, credentialId="urn:example:retry")
    assert first.status_code == 201
    entries = db.execute("SELECT COUNT(*) FROM status_entry").fetchone()[0]
    clock.moment = NOW + timedelta(minutes=5)
    again = issue(client, credentialId="urn:example:retry")
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert db.execute("SELECT COUNT(*) FROM credential_record").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM status_entry").fetchone()[0] == entries
    # The same id with another credential, another suite or another created time is refused.
    for changed in ({"number": 2}, {"path": "/issuers/riverside/eddsa-jcs-2022/credentials/issue"},
                    {"created": "2026-05-01T00:00:00Z"}):
        number = changed.get("number", 1)
        path = changed.get("path", "/issuers/riverside/credentials/issue")
        options = {"credentialId": "urn:example:retry"}
        if "created" in changed:
            options["created"] = changed["created"]
        refused = issue(client, number, path, **options)
        assert (refused.status_code, refused.json()["code"]) == (409, "credential-id-exists"), changed


def test_verify_then_revoke_then_verify_again(service):
    client, db, clock, _ = service
    credential = issue(client, credentialId="urn:example:m1").json()["verifiableCredential"]
    verified = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True and verified.json()["errors"] == []
    revoked = client.post("/credentials/status", json={
        "credentialId": "urn:example:m1",
        "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                              "status": True}]})
    assert revoked.status_code == 200, revoked.text
    clock.moment = NOW + timedelta(minutes=1)
    after = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert after.status_code == 400
    assert [e["check"] for e in after.json()["errors"]] == ["status"]
    undo = client.post("/credentials/status", json={
        "credentialId": "urn:example:m1",
        "credentialStatus": [{"type": "BitstringStatusListEntry", "statusPurpose": "revocation",
                              "status": False}]})
    assert undo.json()["code"] == "revocation-is-permanent"
    assert db.execute("SELECT revoked_at FROM credential_record").fetchone()[0] is not None


def test_suspend_and_unsuspend_republish_the_list(service):
    client, _, clock, _ = service
    credential = issue(client, credentialId="urn:example:m2").json()["verifiableCredential"]

    def set_suspended(value: bool) -> None:
        answer = client.post("/credentials/status", json={
            "credentialId": "urn:example:m2",
            "credentialStatus": [{"type": "BitstringStatusListEntry",
                                  "statusPurpose": "suspension", "status": value}]})
        assert answer.status_code == 200, answer.text

    set_suspended(True)
    clock.moment = NOW + timedelta(minutes=1)
    assert client.post("/credentials/verify",
                       json={"verifiableCredential": credential}).json()["verified"] is False
    set_suspended(False)
    clock.moment = NOW + timedelta(minutes=2)
    assert client.post("/credentials/verify",
                       json={"verifiableCredential": credential}).json()["verified"] is True
    published = client.get("/issuers/riverside/status-lists/suspension/1")
    assert published.status_code == 200
    assert published.json()["id"] == f"{STATUS_BASE}/suspension/1"
    assert client.get("/issuers/riverside/status-lists/suspension/9").json()["code"] == \
        "unknown-status-list"


def test_status_change_needs_the_issuers_token_and_a_known_credential(service):
    client, db, _, _ = service
    issue(client, credentialId="urn:example:m3")
    body = {"credentialId": "urn:example:m3", "credentialStatus": [
        {"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": True}]}
    bare = client.post("/credentials/status", json=body, headers={"Authorization": ""})
    assert (bare.status_code, bare.json()["code"]) == (401, "token-missing")
    verify_only = create_token(db, ("verify",), rng=SeededRandom("v"), now=NOW).token
    other = client.post("/credentials/status", json=body,
                        headers={"Authorization": f"Bearer {verify_only}"})
    assert (other.status_code, other.json()["code"]) == (403, "token-not-allowed")
    unknown = client.post("/credentials/status", json={**body, "credentialId": "urn:example:no"})
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown-credential")


def test_issuing_needs_a_valid_unexpired_unrevoked_token(service):
    client, db, clock, _ = service
    assert issue(client.__class__(client.app, base_url="http://127.0.0.1")).json()["code"] == \
        "token-missing"
    for header, code in [("Bearer nonsense", "token-invalid"), ("Basic abc", "token-invalid"),
                         ("Bearer cct_0123456789abcdef_" + "A" * 43, "token-invalid")]:
        answer = client.post("/issuers/riverside/credentials/issue",
                             json={"credential": unsigned_member_credential()},
                             headers={"Authorization": header})
        assert (answer.status_code, answer.json()["code"]) == (401, code)
    short = create_token(db, issuer_scopes("riverside"), rng=SeededRandom("short"), now=NOW,
                         expires=NOW + timedelta(hours=1))
    revoked = create_token(db, issuer_scopes("riverside"), rng=SeededRandom("gone"), now=NOW)
    revoke_token(db, revoked.id, now=NOW)
    clock.moment = NOW + timedelta(hours=2)
    for made, code in [(short, "token-expired"), (revoked, "token-revoked")]:
        answer = client.post("/issuers/riverside/credentials/issue",
                             json={"credential": unsigned_member_credential()},
                             headers={"Authorization": f"Bearer {made.token}"})
        assert (answer.status_code, answer.json()["code"]) == (401, code)
    other_issuer = create_token(db, issuer_scopes("elsewhere"), rng=SeededRandom("x"), now=NOW)
    answer = client.post("/issuers/riverside/credentials/issue",
                         json={"credential": unsigned_member_credential()},
                         headers={"Authorization": f"Bearer {other_issuer.token}"})
    assert answer.json()["code"] == "token-not-allowed"


def test_tokens_are_stored_hashed(service):
    _, db, _, _ = service
    made = create_token(db, ("verify",), rng=SeededRandom("hash"), now=NOW)
    secret = made.token.rsplit("_", 1)[1]
    stored = db.execute("SELECT * FROM access_token WHERE id = ?", (made.id,)).fetchone()
    assert secret not in json.dumps(stored) and made.id in stored


@pytest.mark.parametrize(("content", "code", "status"), [
    (b"not json", "not-json", 400),
    (b"[1, 2]", "wrong-field-type", 400),
    (b'{"credential": "a string"}', "wrong-field-type", 400),
    (b"{}", "missing-request-field", 400),
    (b'{"credential": {}, "options": []}', "wrong-field-type", 400),
    (b'{"credential": {}, "options": {"created": 5}}', "wrong-field-type", 400),
    (b'{"a": 1, "a": 2}', "duplicate-key", 400),
])
def test_bad_issue_requests_get_a_json_error_with_a_code(service, content, code, status):
    client = service[0]
    answer = client.post("/issuers/riverside/credentials/issue", content=content)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert "Traceback" not in answer.text


def test_a_credential_the_library_refuses_is_refused_with_the_librarys_code(service):
    client = service[0]
    wrong_issuer = {**unsigned_member_credential(), "issuer": "did:example:someone-else"}
    answer = client.post("/issuers/riverside/credentials/issue",
                         json={"credential": wrong_issuer})
    assert (answer.status_code, answer.json()["code"]) == (400, "issuer-key-mismatch")
    bad_created = issue(client, created="yesterday")
    assert bad_created.json()["code"] == "bad-timestamp"
    pointers = issue(client, mandatoryPointers=["/issuer"])
    assert pointers.json()["code"] == "option-not-for-suite"


def test_too_large_bodies_are_refused_before_they_are_read(tmp_path):
    config = load_config(make_service_folder(tmp_path, extra="max_request_bytes: 2048\n"))
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        answer = client.post("/credentials/verify", content=b"{" + b" " * 5000 + b"}")
        assert (answer.status_code, answer.json()["code"]) == (413, "request-too-large")


def test_verifying_can_require_a_token(tmp_path):
    config = load_config(make_service_folder(tmp_path, extra="verify_requires_token: true\n"))
    with TestClient(create_app(config), base_url="http://127.0.0.1") as client:
        answer = client.post("/credentials/verify", json={"verifiableCredential": {}})
        assert (answer.status_code, answer.json()["code"]) == (401, "token-missing")
        db = open_database(config.database, SERVICE_SCHEMA)
        token = create_token(db, ("verify",), now=NOW).token
        answer = client.post("/credentials/verify", json={"verifiableCredential": {}},
                             headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 400 and answer.json()["verified"] is False


def test_a_tampered_credential_fails_on_its_signature(service):
    client = service[0]
    credential = issue(client).json()["verifiableCredential"]
    credential["credentialSubject"]["name"] = "Eve"
    answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert answer.status_code == 400
    assert [e["check"] for e in answer.json()["errors"]] == ["signature"]


def test_challenges_are_single_use_for_presentations(service):
    client = service[0]
    actors = sample_actors()
    credential = issue(client).json()["verifiableCredential"]
    made = client.post("/challenges", json={"domain": DOMAIN})
    assert made.status_code == 201
    challenge = made.json()["challenge"]
    shown = present([credential], actors.member, challenge=challenge, domain=DOMAIN,
                    created="2026-06-01T11:59:00Z")
    body = {"verifiablePresentation": shown, "options": {"challenge": challenge}}
    first = client.post("/presentations/verify", json=body)
    assert first.status_code == 200, first.text
    replay = client.post("/presentations/verify", json=body)
    assert replay.status_code == 400
    assert replay.json()["errors"] == [{"code": "challenge-replayed", "check": "challenge",
                                        "message": replay.json()["errors"][0]["message"]}]
    other = client.post("/presentations/verify",
                        json={"verifiablePresentation": shown, "options": {"challenge": "x"}})
    assert [e["check"] for e in other.json()["errors"]] == ["challenge"]
    missing = client.post("/presentations/verify", json={"verifiablePresentation": shown})
    assert missing.json()["code"] == "missing-request-field"
    assert client.post("/challenges").json()["domain"] == DOMAIN


def test_a_presentation_with_the_clients_own_challenge_verifies(service):
    client = service[0]
    actors = sample_actors()
    credential = issue(client).json()["verifiableCredential"]
    shown = present([credential], actors.member, challenge="client-made", domain=DOMAIN,
                    created="2026-06-01T11:59:00Z")
    answer = client.post("/presentations/verify", json={
        "verifiablePresentation": shown, "options": {"challenge": "client-made",
                                                     "domain": DOMAIN}})
    assert answer.status_code == 200, answer.text


def test_did_document_openapi_page_and_unknown_routes(service):
    client = service[0]
    did = client.get("/issuers/riverside/did.json").json()
    assert did["id"] == sample_actors().coop.did
    spec = client.get("/openapi.json").json()
    assert "/issuers/{name}/credentials/issue" in spec["paths"]
    assert "riverside (eddsa-rdfc-2022, eddsa-jcs-2022)" in spec["info"]["description"]
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert "/credentials/status" in page.text and "riverside" in page.text
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown-endpoint")
    wrong = client.get("/credentials/verify")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method-not-allowed")


def test_every_change_is_in_the_audit_log_and_the_database_is_sound(service):
    client, db, _, _ = service
    issue(client, credentialId="urn:example:a1")
    client.post("/credentials/status", json={"credentialId": "urn:example:a1", "credentialStatus": [
        {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": True}]})
    actions = [(e.action, e.subject) for e in audit_events(db)]
    assert ("issue", "urn:example:a1") in actions
    assert ("status-suspension", "urn:example:a1") in actions
    assert actions[0][0] == "token-new"
    token_id = audit_events(db)[0].subject
    assert {e.actor for e in audit_events(db) if e.action in ("issue", "status-suspension")} == \
        {token_id}
    assert integrity_problems(db) == ()


def test_an_internal_failure_is_a_json_500_without_a_traceback(service, monkeypatch):
    client = service[0]

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("coopcreds_proto.service.app.verify_credential", broken)
    answer = client.post("/credentials/verify", json={"verifiableCredential": {}})
    assert (answer.status_code, answer.json()["code"]) == (500, "internal-error")
    assert "disk on fire" not in answer.text


def test_an_id_that_is_there_but_not_a_url_is_refused_not_replaced(service):
    client = service[0]
    answer = client.post("/issuers/riverside/credentials/issue",
                         json={"credential": {**unsigned_member_credential(), "id": None}})
    assert (answer.status_code, answer.json()["code"]) == (400, "bad-id")


def test_an_instance_with_a_definition_records_its_version(tmp_path):
    config = load_config(make_service_folder(
        tmp_path, issuer_extra="    definition: cooperative-membership/0.1\n"))
    app = create_app(config, clock=Clock(NOW), rng=SeededRandom("definition"))
    db = open_database(config.database, SERVICE_SCHEMA)
    token = create_token(db, issuer_scopes("riverside"), now=NOW).token
    with TestClient(app, base_url="http://127.0.0.1") as client:
        answer = client.post("/issuers/riverside/credentials/issue",
                             headers={"Authorization": f"Bearer {token}"},
                             json={"credential": sample_membership_credential()})
        assert answer.status_code == 201, answer.text
    assert db.execute("SELECT definition, subject FROM credential_record").fetchone() == (
        "cooperative-membership/0.1", sample_actors().member.did)


def test_an_unknown_definition_is_refused_with_the_configuration(tmp_path):
    path = make_service_folder(tmp_path, issuer_extra="    definition: no-such-thing/9.9\n")
    with pytest.raises(CoopCredsError) as refused:
        load_config(path)
    assert refused.value.code == "bad-service-config"
    assert "no definition no-such-thing/9.9" in refused.value.message


def test_a_did_web_issuer_serves_its_published_did_document(tmp_path):
    registry = LocalRegistry(tmp_path / "registry")
    key = create_did_web("did:web:riverside.coop.example", registry, rng=SeededRandom("web"))
    save_key(key, tmp_path / "web-key.json")
    (tmp_path / "service.yaml").write_text(
        "issuers:\n  - name: web\n    key_file: web-key.json\n"
        "    did: did:web:riverside.coop.example\n")
    app = create_app(load_config(tmp_path / "service.yaml"), clock=Clock(NOW))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        document = client.get("/issuers/web/did.json").json()
    assert document["id"] == "did:web:riverside.coop.example"
    assert document["verificationMethod"][0]["id"] == key.id


def test_the_challenge_table_is_bounded_and_forgets_the_oldest(tmp_path):
    db = open_database(tmp_path / "c.sqlite", SERVICE_SCHEMA)
    rng = SeededRandom("bounded")
    made = [issue_challenge(db, DOMAIN, rng=rng, now=NOW + timedelta(seconds=i),
                            max_outstanding=3) for i in range(5)]
    assert db.execute("SELECT COUNT(*) FROM challenge").fetchone()[0] == 3
    later = NOW + timedelta(seconds=10)
    with pytest.raises(ChallengeError) as forgotten:
        consume_challenge(db, made[0].value, DOMAIN, now=later)
    assert forgotten.value.code == "unknown-challenge"
    with pytest.raises(ChallengeError) as elsewhere:
        consume_challenge(db, made[4].value, "https://other.example", now=later)
    assert elsewhere.value.code == "challenge-wrong-domain"
    with pytest.raises(ChallengeError) as late:
        consume_challenge(db, made[4].value, DOMAIN, now=NOW + timedelta(hours=1))
    assert late.value.code == "challenge-expired"
    assert consume_challenge(db, made[4].value, DOMAIN, now=later).value == made[4].value


def test_a_client_may_not_choose_an_entry_of_the_issuers_own_lists(service):
    client = service[0]
    first = issue(client).json()["verifiableCredential"]
    stolen = {**unsigned_member_credential(2), "credentialStatus": first["credentialStatus"]}
    answer = client.post("/issuers/riverside/credentials/issue", json={"credential": stolen})
    assert (answer.status_code, answer.json()["code"]) == (400, "status-entry-not-allowed")
    elsewhere = {**unsigned_member_credential(3), "credentialStatus": {
        "id": "https://elsewhere.example/status/1#5", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "5",
        "statusListCredential": "https://elsewhere.example/status/1"}}
    answer = client.post("/issuers/riverside/credentials/issue", json={"credential": elsewhere})
    assert answer.status_code == 201, answer.text
    assert answer.json()["verifiableCredential"]["credentialStatus"] == \
        elsewhere["credentialStatus"]


def _p256_service(tmp_path, suites: str = ""):
    folder = tmp_path / "p256"
    folder.mkdir()
    key = EcdsaKey.generate(SeededRandom("p256-issuer"))
    save_key(key, folder / "market-key.json")
    (folder / "service.yaml").write_text(
        f"domain: {DOMAIN}\n"
        "issuers:\n"
        "  - name: market\n"
        "    key_file: market-key.json\n"
        f"    status_list_base: https://market.coop.example/status-lists\n{suites}")
    return key, folder / "service.yaml"


def test_a_p256_instance_offers_the_ecdsa_suites_and_an_ed25519_one_the_eddsa_suites(tmp_path):
    _, path = _p256_service(tmp_path)
    assert load_config(path).issuers[0].cryptosuites == (
        "ecdsa-jcs-2019", "ecdsa-rdfc-2019", "ecdsa-sd-2023")
    assert load_config(make_service_folder(tmp_path / "ed")).issuers[0].cryptosuites == (
        "eddsa-rdfc-2022", "eddsa-jcs-2022")
    # A suite that cannot sign with the instance's key is refused when the file is read.
    wrong = make_service_folder(tmp_path / "wrong", issuer_extra="    cryptosuites: [ecdsa-sd-2023]\n")
    with pytest.raises(CoopCredsError) as info:
        load_config(wrong)
    assert info.value.code == "bad-service-config" and "ecdsa-sd-2023" in str(info.value)


def test_selective_disclosure_over_http_with_the_clients_mandatory_pointers(tmp_path):
    # The issuer signs a base proof whose disclosures always reveal its status
    # entries (so a revoked credential's disclosure is refused) and what the
    # client names; the holder discloses the name only; the verifier endpoint
    # checks the disclosure, and refuses it once the credential is revoked.
    key, path = _p256_service(tmp_path, "    cryptosuites: [ecdsa-sd-2023]\n")
    config = load_config(path)
    clock = Clock(NOW)
    app = create_app(config, clock=clock, rng=SeededRandom("sd-service"))
    db = open_database(config.database, SERVICE_SCHEMA)
    token = create_token(db, issuer_scopes("market"), rng=SeededRandom("t"), now=NOW).token
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleMembershipCredential"],
        "issuer": key.controller, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:member-7", "name": "Member 7",
                              "alumniOf": "Riverside", "email": "m7@example.org"}}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        wrong = client.post("/issuers/market/credentials/issue", json={
            "credential": unsigned, "options": {"mandatoryPointers": "/issuer"}})
        assert wrong.status_code == 400 and wrong.json()["code"] == "wrong-field-type"
        answer = client.post("/issuers/market/credentials/issue", json={
            "credential": unsigned, "options": {"credentialId": "urn:example:m7",
                                                "mandatoryPointers": ["/credentialSubject/alumniOf"]}})
        assert answer.status_code == 201, answer.text
        base = answer.json()["verifiableCredential"]
        assert base["proof"]["cryptosuite"] == "ecdsa-sd-2023"
        # A base proof is for the holder, not for a verifier.
        refused = client.post("/credentials/verify", json={"verifiableCredential": base})
        assert refused.status_code == 400
        disclosed = derive_disclosure(base, ["/credentialSubject/name"])
        subject = disclosed["credentialSubject"]
        assert subject["name"] == "Member 7" and subject["alumniOf"] == "Riverside"
        assert "email" not in subject and disclosed["credentialStatus"]
        checked = client.post("/credentials/verify", json={"verifiableCredential": disclosed})
        assert checked.status_code == 200 and checked.json()["verified"] is True, checked.text
        client.post("/credentials/status", json={
            "credentialId": "urn:example:m7",
            "credentialStatus": [{"type": "BitstringStatusListEntry",
                                  "statusPurpose": "revocation", "status": True}]})
        clock.moment = NOW + timedelta(minutes=1)
        after = client.post("/credentials/verify", json={"verifiableCredential": disclosed})
        assert after.status_code == 400
        assert [e["check"] for e in after.json()["errors"]] == ["status"]
    db.close()
