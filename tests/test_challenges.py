"""Single-use, expiring challenges: issue, consume once, refuse replays, persist atomically."""

from __future__ import annotations

import json
import os
import stat
import threading
from datetime import datetime, timedelta, timezone

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.randomness import SeededRandom
from coopcreds_proto.vc.challenges import ChallengeError, ChallengeStore

DOMAIN = "https://members.riverside.example"
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def store(**kw) -> ChallengeStore:
    kw.setdefault("rng", SeededRandom("challenges"))
    kw.setdefault("clock", Clock())
    return ChallengeStore(**kw)


def test_issue_is_random_from_the_source_and_expires_after_ttl() -> None:
    a = store().issue(DOMAIN)
    b = store().issue(DOMAIN)
    assert a == b  # same seed, same clock: same challenge (reproducible demos)
    s = store()
    first, second = s.issue(DOMAIN), s.issue(DOMAIN)
    assert first.value != second.value
    assert len(first.value) >= 32 and "=" not in first.value
    assert first.domain == DOMAIN and first.issued == T0
    assert first.expires == T0 + timedelta(minutes=5)
    assert len(s) == 2


def test_consume_once_then_replay_is_refused() -> None:
    s = store()
    c = s.issue(DOMAIN)
    assert s.check(c.value, DOMAIN) == c  # checking does not use it up
    assert s.consume(c.value, DOMAIN) == c
    with pytest.raises(ChallengeError) as err:
        s.consume(c.value, DOMAIN)
    assert err.value.code == "challenge-replayed"
    assert len(s) == 0


@pytest.mark.parametrize(
    ("value", "domain", "advance", "code"),
    [
        ("never-issued", DOMAIN, timedelta(0), "unknown-challenge"),
        (None, "https://evil.example", timedelta(0), "challenge-wrong-domain"),
        (None, DOMAIN, timedelta(minutes=5), "challenge-expired"),
    ],
)
def test_refusals_name_their_reason(value, domain, advance, code) -> None:
    clock = Clock()
    s = store(clock=clock)
    c = s.issue(DOMAIN)
    clock.now += advance
    with pytest.raises(ChallengeError) as err:
        s.consume(value or c.value, domain)
    assert err.value.code == code
    if code == "challenge-wrong-domain":
        # A refused attempt does not use the challenge up.
        assert s.consume(c.value, DOMAIN) == c


def test_expired_challenges_are_forgotten() -> None:
    clock = Clock()
    s = store(clock=clock, ttl=timedelta(seconds=30))
    old = s.issue(DOMAIN)
    clock.now += timedelta(minutes=1)
    s.issue(DOMAIN)
    with pytest.raises(ChallengeError) as err:
        s.consume(old.value, DOMAIN)
    assert err.value.code == "unknown-challenge"


def test_exactly_one_of_many_concurrent_consumers_wins() -> None:
    s = store()
    c = s.issue(DOMAIN)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def attempt() -> None:
        barrier.wait()
        try:
            s.consume(c.value, DOMAIN)
            outcomes.append("ok")
        except ChallengeError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["challenge-replayed"] * 7 + ["ok"]


def test_persistence_survives_a_restart_and_writes_atomically(tmp_path) -> None:
    path = tmp_path / "state" / "challenges.json"
    clock = Clock()
    first = store(path=path, clock=clock)
    used, open_ = first.issue(DOMAIN), first.issue(DOMAIN)
    first.consume(used.value, DOMAIN)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # No temp files left; the lock file is what processes sharing the store lock.
    assert sorted(os.listdir(path.parent)) == ["challenges.json", "challenges.json.lock"]
    second = ChallengeStore(path=path, clock=clock, rng=SeededRandom("other"))
    with pytest.raises(ChallengeError) as err:
        second.consume(used.value, DOMAIN)
    assert err.value.code == "challenge-replayed"
    assert second.consume(open_.value, DOMAIN) == open_
    assert json.loads(path.read_text())["challenges"][1]["used"] is True


def test_damaged_file_is_refused(tmp_path) -> None:
    path = tmp_path / "challenges.json"
    path.write_text('{"challenges": [{"challenge": "x"}]}')
    with pytest.raises(InputError) as err:
        ChallengeStore(path=path)
    assert err.value.code == "bad-challenge-file"


def test_repr_shows_no_challenge_and_bad_arguments_are_refused() -> None:
    s = store()
    c = s.issue(DOMAIN)
    assert c.value not in repr(s) and "outstanding=1" in repr(s)
    with pytest.raises(InputError):
        ChallengeStore(ttl=timedelta(0))
    with pytest.raises(InputError):
        s.issue("")
    full = store(max_outstanding=1)
    full.issue(DOMAIN)
    with pytest.raises(ChallengeError) as err:
        full.issue(DOMAIN)
    assert err.value.code == "too-many-challenges"


def _consume_all(path: str, values: list[str], start, results) -> None:
    store = ChallengeStore(path=path, clock=Clock())
    start.wait()
    won = []
    for value in values:
        try:
            store.consume(value, DOMAIN)
            won.append(value)
        except ChallengeError as exc:
            assert exc.code == "challenge-replayed"
    results.put(won)


def test_processes_sharing_a_file_consume_each_challenge_once(tmp_path) -> None:
    import multiprocessing

    path = tmp_path / "challenges.json"
    shared = store(path=path)
    issued = [shared.issue(DOMAIN).value for _ in range(40)]
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=_consume_all, args=(str(path), issued, start, results))
               for _ in range(3)]
    for w in workers:
        w.start()
    start.set()
    won = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(60)
    # Every challenge was consumed by exactly one process, whichever it was.
    assert sorted(v for w in won for v in w) == sorted(issued)
