"""Two processes appending feedback at once lose nothing (issue 3, done-when)."""

from __future__ import annotations

import multiprocessing

import pytest

from coopcreds_proto.consultation.feedback import (
    append_feedback,
    erase_participant,
    make_record,
    read_feedback,
)
from coopcreds_proto.randomness import SeededRandom

PER_WRITER = 1000


def _writer(path: str, name: str, start, count: int) -> None:
    rng = SeededRandom(f"writer:{name}")
    records = [
        make_record(
            organisation=f"{name} Co-op",
            participant=f"{name} {i}",
            role="member",
            sphere=("legal", "work", "play")[i % 3],
            field="benefits",
            stance="keep",
            priority=1 + i % 5,
            comment=f"comment {i} from {name}\nwith a second line",
            consent="attributed",
            rng=rng,
            time="2026-03-12T10:00:00Z",
        )
        for i in range(count)
    ]
    start.wait(30)
    for record in records:  # one append per record: as many chances to collide as possible
        append_feedback(path, [record])


def _fork():
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        pytest.skip("needs the fork start method")
    return multiprocessing.get_context("fork")


def _run(ctx, jobs) -> None:
    procs = [ctx.Process(target=target, args=args) for target, args in jobs]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0


def test_two_writers_1000_records_each_lose_nothing(tmp_path):
    ctx = _fork()
    path = str(tmp_path / "feedback.jsonl")
    start = ctx.Barrier(2)
    _run(ctx, [(_writer, (path, name, start, PER_WRITER)) for name in ("Alpha", "Beta")])

    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == 2 * PER_WRITER
    records = read_feedback(path)  # raises on any torn or duplicated line
    assert len(records) == 2 * PER_WRITER
    ids = {r.id for r in records}
    expected = set()
    for name in ("Alpha", "Beta"):
        rng = SeededRandom(f"writer:{name}")
        for _ in range(PER_WRITER):
            expected.add(
                make_record(organisation="x", participant="y", role="r", sphere="legal",
                            field="roles", stance="keep", priority=1, consent="anonymous",
                            rng=rng, time="2026-03-12T10:00:00Z").id
            )
    assert ids == expected
    assert {r.comment for r in records if r.participant == "Beta 999"} == {
        "comment 999 from Beta\nwith a second line"
    }


def _eraser(path: str, start) -> None:
    start.wait(30)
    for i in range(0, 200, 20):
        erase_participant(path, f"Alpha {i}")


def test_erasure_during_appends_loses_no_other_record(tmp_path):
    """Erasure swaps the file in; a writer waiting on the old file must not write into it."""
    ctx = _fork()
    path = str(tmp_path / "feedback.jsonl")
    open(path, "wb").close()  # the eraser may run before the first append
    start = ctx.Barrier(3)
    _run(
        ctx,
        [
            (_writer, (path, "Alpha", start, 200)),
            (_writer, (path, "Beta", start, 200)),
            (_eraser, (path, start)),
        ],
    )
    records = read_feedback(path)
    beta = [r for r in records if r.organisation == "Beta Co-op"]
    assert len(beta) == 200
    alpha = {r.participant for r in records if r.organisation == "Alpha Co-op"}
    # Each erasure ran at some point; records appended after it stay (they are new).
    assert len(alpha) >= 190 and alpha <= {f"Alpha {i}" for i in range(200)}
