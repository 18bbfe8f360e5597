"""Passwordless sign-in: challenge, presentation, session with expiry, audit log of every outcome."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.credentials import issue
from coopcreds_proto.vc.presentations import present
from coopcreds_proto.vc.samples import SAMPLE_CREATED, sample_actors, sample_membership_credential
from coopcreds_proto.vc.signin import Refusal, Session, SignInService
from coopcreds_proto.vc.wallet import Wallet

DOMAIN = "https://members.riverside.example"
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
CREATED = "2026-06-01T12:00:00Z"


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def actors():
    return sample_actors()


@pytest.fixture(scope="module")
def wallet(actors) -> Wallet:
    vc = issue(sample_membership_credential(actors), actors.coop, created=SAMPLE_CREATED)
    return Wallet().add_key(actors.member).add_credential(vc)


@pytest.fixture()
def setup(actors, tmp_path):
    clock = Clock()
    log = tmp_path / "audit" / "signin.jsonl"
    service = SignInService(
        DOMAIN,
        accepted_issuers=[actors.coop.did],
        clock=clock,
        rng=SeededRandom("signin"),
        session_ttl=timedelta(hours=1),
        audit_log_path=log,
    )
    return service, clock, log


def answer(wallet: Wallet, request, **kw) -> dict:
    kw.setdefault("created", CREATED)
    return wallet.present(request.challenge, kw.pop("domain", request.domain),
                          types=request.credential_types, **kw)


def entries(log) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_sign_in_creates_a_session_that_expires(actors, wallet, setup) -> None:
    service, clock, log = setup
    request = service.start()
    assert request.domain == DOMAIN and request.expires == T0 + timedelta(minutes=5)
    assert request.to_json()["credentialTypes"] == ["CooperativeMembershipCredential"]
    session = service.complete(answer(wallet, request))
    assert isinstance(session, Session) and session.ok
    assert session.holder == actors.member.did and session.issuer == actors.coop.did
    assert session.claims["memberName"] == "Ada Okafor" and "id" not in session.claims
    assert session.expires == T0 + timedelta(hours=1)
    assert service.session(session.id) == session
    clock.now += timedelta(minutes=59)
    assert service.session(session.id) == session
    clock.now += timedelta(minutes=1)
    assert service.session(session.id) is None
    assert service.session("made-up") is None
    (entry,) = entries(log)
    assert entry == {
        "time": CREATED,
        "domain": DOMAIN,
        "holder": actors.member.did,
        "outcome": "signed-in",
        "issuer": actors.coop.did,
    }


def test_a_session_reads_in_words_for_a_board(wallet, setup) -> None:
    service, _, _ = setup
    session = service.complete(answer(wallet, service.start()))
    shown = session._repr_html_()
    # Labels in words and values by name: no Python dict or list syntax on screen.
    assert "<th>Member name</th>" in shown
    assert "Ada Okafor" in shown and "Riverside" in shown
    assert "{'" not in shown and "['" not in shown and "memberOf" not in shown


def test_sign_out_ends_the_session(wallet, setup) -> None:
    service, _, log = setup
    session = service.complete(answer(wallet, service.start()))
    assert service.end(session.id) is True
    assert service.session(session.id) is None and service.end(session.id) is False
    assert [e["outcome"] for e in entries(log)] == ["signed-in", "signed-out"]


def test_refusals_are_audit_logged_with_their_reason(actors, wallet, setup) -> None:
    service, clock, log = setup
    # 1. a replay of an accepted presentation
    vp = answer(wallet, service.start())
    assert service.complete(vp).ok
    replay = service.complete(vp)
    assert isinstance(replay, Refusal) and not replay.ok
    assert "already used" in replay.reasons[0]
    # 2. signed for another domain
    wrong = service.complete(answer(wallet, service.start(), domain="https://evil.example"))
    assert any("expected " + DOMAIN in r for r in wrong.reasons)
    # 3. too late
    late_request = service.start()
    late = answer(wallet, late_request)
    clock.now += timedelta(minutes=10)
    expired = service.complete(late)
    assert any("expired" in r for r in expired.reasons)
    # 4. a challenge this service never issued
    unknown = service.complete(wallet.present("made-up-challenge", DOMAIN, created=CREATED))
    assert any("did not issue" in r for r in unknown.reasons)
    # 5. not JSON at all
    garbage = service.complete("{not json")
    assert garbage.reasons and garbage.holder is None
    logged = entries(log)
    assert [e["outcome"] for e in logged] == ["signed-in"] + ["refused"] * 5
    assert all(e["holder"] == actors.member.did for e in logged[:5])
    assert "already used" in logged[1]["reason"] and "expired" in logged[3]["reason"]


def test_credential_from_an_issuer_not_accepted_is_refused(actors, wallet, tmp_path) -> None:
    service = SignInService(
        DOMAIN, accepted_issuers=["did:example:another-coop"], clock=Clock(),
        rng=SeededRandom("x"), audit_log_path=tmp_path / "log.jsonl",
    )
    refusal = service.complete(answer(wallet, service.start()))
    assert refusal.reasons == (
        "no CooperativeMembershipCredential from an accepted issuer was presented",
    )
    assert entries(tmp_path / "log.jsonl")[0]["outcome"] == "refused"


def test_no_secret_in_any_repr_or_log(actors, wallet, setup) -> None:
    service, _, log = setup
    request = service.start()
    vp = answer(wallet, request)
    session = service.complete(vp)
    refusal = service.complete(vp)
    secrets = [
        session.id,
        request.challenge,
        vp["proof"]["proofValue"],
        vp["verifiableCredential"][0]["proof"]["proofValue"],
        actors.member.secret_key_multibase,
    ]
    shown = [repr(session), session._repr_html_(), repr(refusal), refusal._repr_html_(),
             repr(service), repr(service.challenges), log.read_text()]
    for text in shown:
        for secret in secrets:
            assert secret not in text
    assert "password" not in log.read_text().lower()


def test_service_needs_a_domain_and_an_issuer(actors) -> None:
    with pytest.raises(InputError):
        SignInService("", accepted_issuers=[actors.coop.did])
    with pytest.raises(InputError):
        SignInService(DOMAIN, accepted_issuers=[])


def test_two_concurrent_copies_of_one_presentation_make_one_session(wallet, setup) -> None:
    import threading

    service, _, log = setup
    vp = answer(wallet, service.start())
    outcomes = []
    barrier = threading.Barrier(2)

    def attempt() -> None:
        barrier.wait()
        outcomes.append(service.complete(vp).ok)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, True]
    assert sorted(e["outcome"] for e in entries(log)) == ["refused", "signed-in"]


def test_a_session_holds_the_holders_claims_never_another_subjects(actors, tmp_path) -> None:
    """Of a credential about two subjects, the session takes the holder's claims only."""
    unsigned = sample_membership_credential(actors)
    member = unsigned["credentialSubject"]
    board = {"id": actors.outsider.did, "memberName": "Someone Else", "votingRights": True}
    unsigned["credentialSubject"] = [board, {**member, "votingRights": False}]
    vc = issue(unsigned, actors.coop, created=SAMPLE_CREATED)
    wallet = Wallet().add_key(actors.member).add_credential(vc)
    service = SignInService(DOMAIN, accepted_issuers=[actors.coop.did], clock=Clock(),
                            rng=SeededRandom("two"), audit_log_path=tmp_path / "log.jsonl")
    session = service.complete(answer(wallet, service.start()))
    assert isinstance(session, Session), session
    assert session.claims["memberName"] == member["memberName"]
    assert session.claims["votingRights"] is False
    # Where the verifier waives holder-is-subject, a credential about others gives nothing.
    lenient = SignInService(DOMAIN, accepted_issuers=[actors.coop.did], clock=Clock(),
                            rng=SeededRandom("three"), audit_log_path=tmp_path / "l2.jsonl",
                            require_holder_is_subject=False)
    other = issue({**unsigned, "credentialSubject": board}, actors.coop, created=SAMPLE_CREATED)
    request = lenient.start()
    taken = present([other], actors.member, challenge=request.challenge, domain=request.domain,
                    created=CREATED)
    session = lenient.complete(taken)
    assert isinstance(session, Session) and dict(session.claims) == {}
