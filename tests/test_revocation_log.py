"""The revocation log: a revocation's first sighting is recorded once and never moves."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from coopcreds_proto.errors import InputError
from coopcreds_proto.trust.revocation_log import RevocationLog, RevocationSeen

UTC = timezone.utc
FIRST = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 5, 1, tzinfo=UTC)
EARLIER = datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize("on_disk", [False, True])
def test_the_first_record_stands(tmp_path: Path, on_disk: bool) -> None:
    log = RevocationLog(tmp_path / "revocations" if on_disk else None)
    assert log.first_seen("urn:acc:1") is None
    assert log.record("urn:acc:1", FIRST, status_list="https://body.example/status") == FIRST
    # Neither a later nor an earlier sighting moves it: the time is fixed once recorded.
    assert log.record("urn:acc:1", LATER) == FIRST
    assert log.record("urn:acc:1", EARLIER) == FIRST
    assert log.first_seen("urn:acc:1") == FIRST
    assert log.entries() == (RevocationSeen("urn:acc:1", FIRST, "https://body.example/status"),)


def test_a_record_on_disk_is_one_file_written_once(tmp_path: Path) -> None:
    folder = tmp_path / "revocations"
    RevocationLog(folder).record("urn:acc:1", FIRST)
    (record,) = folder.glob("*.json")
    content = record.read_bytes()
    assert json.loads(content) == {"accreditation": "urn:acc:1",
                                   "firstSeen": "2026-03-01T09:30:00Z", "statusList": None}
    # Another log over the same folder (another process) reads the first time back.
    other = RevocationLog(folder)
    assert other.first_seen("urn:acc:1") == FIRST
    assert other.record("urn:acc:1", LATER) == FIRST
    assert record.read_bytes() == content


def test_of_two_writers_at_once_the_first_wins(tmp_path: Path) -> None:
    folder = tmp_path / "revocations"
    slow = RevocationLog(folder)
    # The slow writer looked before the fast one wrote: it finds no record, then loses the race.
    looked = []
    real_read = slow._read

    def read_late(ident: str) -> RevocationSeen | None:
        if not looked:
            looked.append(ident)
            RevocationLog(folder).record(ident, FIRST)
            return None
        return real_read(ident)

    slow._read = read_late  # type: ignore[method-assign]
    assert slow.record("urn:acc:1", LATER) == FIRST
    assert RevocationLog(folder).first_seen("urn:acc:1") == FIRST


def test_times_are_kept_to_the_second() -> None:
    log = RevocationLog()
    assert log.record("urn:acc:1", FIRST.replace(microsecond=900_000)) == FIRST


@pytest.mark.parametrize(("content", "words"), [
    (b"{not json", "not valid JSON"),
    (b"[]", "must be a JSON object"),
    (json.dumps({"accreditation": "urn:acc:other", "firstSeen": "2026-03-01T00:00:00Z"}).encode(),
     "records urn:acc:other, not urn:acc:1"),
    (json.dumps({"accreditation": "urn:acc:1", "firstSeen": "yesterday"}).encode(),
     "firstSeen"),
])
def test_a_damaged_record_is_refused_named(tmp_path: Path, content: bytes, words: str) -> None:
    folder = tmp_path / "revocations"
    RevocationLog(folder).record("urn:acc:1", FIRST)
    (record,) = folder.glob("*.json")
    record.write_bytes(content)
    with pytest.raises(InputError) as err:
        RevocationLog(folder).first_seen("urn:acc:1")
    assert str(record) in str(err.value) and words in str(err.value)


def test_a_log_that_cannot_be_written_is_refused_named(tmp_path: Path) -> None:
    blocked = tmp_path / "revocations"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(InputError) as err:
        RevocationLog(blocked).record("urn:acc:1", FIRST)
    assert err.value.code == "revocation-log-unwritable"
    assert "cannot record the revocation of urn:acc:1" in str(err.value)


@pytest.mark.parametrize(("ident", "when", "code"), [
    ("", FIRST, "bad-accreditation"),
    (None, FIRST, "bad-accreditation"),
    ("urn:acc:1", datetime(2026, 3, 1), "bad-timestamp"),
    ("urn:acc:1", "2026-03-01T00:00:00Z", "bad-timestamp"),
])
def test_bad_arguments_are_refused_with_a_code(ident: object, when: object, code: str) -> None:
    with pytest.raises(InputError) as err:
        RevocationLog().record(ident, when)  # type: ignore[arg-type]
    assert err.value.code == code


def test_a_record_is_read_bounded_whatever_the_file_is(tmp_path: Path) -> None:
    folder = tmp_path / "revocations"
    RevocationLog(folder).record("urn:acc:1", FIRST)
    (record,) = folder.glob("*.json")
    # A huge sparse file is refused by its size, an endless device one byte past the limit.
    with record.open("r+b") as grown:
        grown.truncate(50 * 2**30)
    with pytest.raises(InputError) as err:
        RevocationLog(folder).first_seen("urn:acc:1")
    assert err.value.code == "bad-revocation-log" and "at most" in str(err.value)
    record.unlink()
    record.symlink_to("/dev/zero")
    with pytest.raises(InputError) as err:
        RevocationLog(folder).entries()
    assert err.value.code == "bad-revocation-log" and str(record) in str(err.value)
