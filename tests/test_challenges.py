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
from coopcreds_proto.vc.challenges import MAX_OUTSTANDING, MAX_TTL, ChallengeError, ChallengeStore

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
    with pytest.raises(InputError) as bad:
        ChallengeStore(max_outstanding=0)
    assert bad.value.code == "bad-count"
    with pytest.raises(InputError) as bad:
        ChallengeStore(ttl=timedelta(days=2))
    assert bad.value.code == "bad-ttl"


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


# --- bounded: the oldest is evicted, an evicted challenge is never accepted --------


def test_issuing_beyond_the_bound_evicts_the_oldest_for_good() -> None:
    clock = Clock()
    s = store(clock=clock, max_outstanding=3)
    first, second, third = (s.issue(DOMAIN) for _ in range(3))
    fourth = s.issue(DOMAIN)  # evicts the first
    assert len(s) == 3
    with pytest.raises(ChallengeError) as err:
        s.consume(first.value, DOMAIN)
    assert err.value.code == "unknown-challenge"
    assert [s.consume(c.value, DOMAIN) for c in (second, third, fourth)] == [second, third, fourth]
    # Used challenges count too, and are evicted first (they are the oldest).
    for _ in range(3):
        s.issue(DOMAIN)
    with pytest.raises(ChallengeError) as err:
        s.consume(second.value, DOMAIN)
    assert err.value.code == "unknown-challenge"


def test_an_old_challenge_is_refused_after_a_flood_of_requests(tmp_path) -> None:
    # Thousands of unauthenticated requests, then the first challenge an hour
    # later: refused (evicted, and expired anyway), never accepted.
    clock = Clock()
    s = store(clock=clock)
    old = s.issue(DOMAIN)
    for _ in range(7_000):
        s.issue(DOMAIN)
    assert len(s) == MAX_OUTSTANDING
    clock.now += timedelta(hours=1)
    with pytest.raises(ChallengeError) as err:
        s.consume(old.value, DOMAIN)
    assert err.value.code == "unknown-challenge"


def test_every_challenge_expires_even_one_read_from_a_file_with_a_longer_life(tmp_path) -> None:
    path = tmp_path / "challenges.json"
    clock = Clock()
    s = store(path=path, clock=clock)
    c = s.issue(DOMAIN)
    data = json.loads(path.read_text())
    data["challenges"][0]["expires"] = "9999-12-31T23:59:59Z"  # a file written by hand
    path.write_text(json.dumps(data))
    clock.now += MAX_TTL
    with pytest.raises(ChallengeError) as err:
        ChallengeStore(path=path, clock=clock).consume(c.value, DOMAIN)
    assert err.value.code == "challenge-expired"


def test_a_lifetime_at_the_end_of_the_calendar_never_overflows() -> None:
    clock = Clock(datetime(9999, 12, 31, 23, 59, tzinfo=timezone.utc))
    c = store(clock=clock).issue(DOMAIN)
    assert c.expires == datetime.max.replace(tzinfo=timezone.utc)


def test_the_file_stays_small_under_ten_thousand_requests(tmp_path, monkeypatch) -> None:
    # What is measured is the file's size, not its durability: skip the disk flushes.
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    path = tmp_path / "challenges.json"
    clock = Clock()
    s = store(path=path, clock=clock, max_outstanding=50)
    sizes = []
    for i in range(10_000):
        s.issue(DOMAIN)
        if i % 500 == 0:
            clock.now += timedelta(seconds=1)
            sizes.append(path.stat().st_size)
    assert len(s) == 50
    assert max(sizes) <= 50 * 200 and path.stat().st_size <= 50 * 200


def test_the_default_bound_keeps_a_full_file_small(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # size is the point, not durability
    path = tmp_path / "challenges.json"
    s = store(path=path)
    for _ in range(MAX_OUTSTANDING + 5):
        s.issue(DOMAIN)
    assert len(s) == MAX_OUTSTANDING
    assert path.stat().st_size < MAX_OUTSTANDING * 200  # about 150 bytes a challenge


@pytest.mark.parametrize("content", [
    b"\0" * 2_000_000, (b'{"challenges": [{"challenge": 1, "domain": "d", "issued":'
    b' "2026-01-01T00:00:00Z", "expires": "2026-01-01T00:05:00Z", "used": false}]}'),
    (b'{"challenges": [{"challenge": "x", "domain": "d", "issued": "yesterday",'
    b' "expires": "2026-01-01T00:05:00Z", "used": false}]}'),
    b"not json",
])
def test_a_damaged_or_huge_file_is_refused_in_one_message(tmp_path, content) -> None:
    path = tmp_path / "challenges.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        ChallengeStore(path=path, max_outstanding=10)
    assert err.value.code == "bad-challenge-file" and str(path) in str(err.value)


def test_a_store_larger_than_a_document_reads_its_own_file(tmp_path, monkeypatch) -> None:
    # More challenges than a JSON document may hold items (Limits.max_items).
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # size is the point, not durability
    path = tmp_path / "challenges.json"
    s = store(path=path, max_outstanding=1_500)
    issued = [s.issue(DOMAIN) for _ in range(1_200)]
    again = ChallengeStore(path=path, clock=Clock(), max_outstanding=1_500)
    assert len(again) == 1_200 and again.consume(issued[0].value, DOMAIN) == issued[0]
