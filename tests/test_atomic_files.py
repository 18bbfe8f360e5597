"""The one atomic-file writer: exclusive or replacing, file modes, durability, failed writes."""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from coopcreds_proto import atomic_files
from coopcreds_proto.atomic_files import KEEP_MODE, write_atomically


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_bytes_and_text_are_written(tmp_path):
    assert write_atomically(tmp_path / "a.bin", b"\x00\xff").read_bytes() == b"\x00\xff"
    assert write_atomically(tmp_path / "b.txt", "Zoë").read_bytes() == "Zoë".encode()
    latin = write_atomically(tmp_path / "c.txt", "Zoë", encoding="latin-1")
    assert latin.read_bytes() == b"Zo\xeb"


def test_missing_folders_are_created(tmp_path):
    path = write_atomically(tmp_path / "a" / "b" / "c.json", b"{}")
    assert path.read_bytes() == b"{}"


def test_an_existing_file_is_never_replaced_without_overwrite(tmp_path):
    path = write_atomically(tmp_path / "draft.yaml", b"old")
    with pytest.raises(FileExistsError):
        write_atomically(path, b"new")
    assert path.read_bytes() == b"old" and leftovers(tmp_path) == []
    write_atomically(path, b"new", overwrite=True)
    assert path.read_bytes() == b"new"


def test_exclusive_creation_lets_exactly_one_of_many_writers_win(tmp_path):
    path = tmp_path / "once.json"
    start = threading.Barrier(8)
    won: list[bytes] = []
    lost: list[bytes] = []

    def write(n: int) -> None:
        data = f"writer {n}".encode()
        start.wait()
        try:
            write_atomically(path, data)
            won.append(data)
        except FileExistsError:
            lost.append(data)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 7
    assert path.read_bytes() == won[0] and leftovers(tmp_path) == []


def test_mode_is_exact_whatever_the_umask(tmp_path):
    old = os.umask(0o000)
    try:
        secret = write_atomically(tmp_path / "key.json", b"{}", mode=0o600)
        public = write_atomically(tmp_path / "doc.json", b"{}")
    finally:
        os.umask(old)
    assert mode_of(secret) == 0o600 and mode_of(public) == 0o644


def test_a_secret_is_not_readable_by_others_even_while_it_is_written(tmp_path, monkeypatch):
    seen: list[int] = []
    real_write = os.write

    def watching_write(fd, data):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return real_write(fd, data)

    monkeypatch.setattr(atomic_files.os, "write", watching_write)
    old = os.umask(0o000)
    try:
        write_atomically(tmp_path / "key.json", b"secret", mode=0o600)
    finally:
        os.umask(old)
    assert seen and all(mode == 0o600 for mode in seen)


def test_keep_mode_keeps_the_replaced_files_mode(tmp_path):
    path = write_atomically(tmp_path / "feedback.jsonl", b"1\n", mode=0o640)
    write_atomically(path, b"2\n", overwrite=True, mode=KEEP_MODE)
    assert mode_of(path) == 0o640 and path.read_bytes() == b"2\n"
    new = write_atomically(tmp_path / "new.jsonl", b"", mode=KEEP_MODE)
    assert mode_of(new) == 0o644


def _record_fsyncs(monkeypatch) -> list[bool]:
    """Patch os.fsync; the list says, per call, whether it synced a directory."""
    calls: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd):
        calls.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        return real_fsync(fd)

    monkeypatch.setattr(atomic_files.os, "fsync", fsync)
    return calls


def test_durable_writes_sync_the_file_and_then_its_folder(tmp_path, monkeypatch):
    calls = _record_fsyncs(monkeypatch)
    write_atomically(tmp_path / "list.json", b"{}")
    assert calls == [False, True]


def test_a_write_that_is_not_durable_syncs_nothing(tmp_path, monkeypatch):
    calls = _record_fsyncs(monkeypatch)
    path = write_atomically(tmp_path / "credential.json", b"{}", durable=False)
    assert calls == [] and path.read_bytes() == b"{}"


def test_a_write_failing_half_way_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = write_atomically(tmp_path / "register.csv", b"old content\n")
    real_write = os.write
    calls = []

    def disk_full_after_half(fd, data):
        calls.append(len(data))
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, bytes(data[: len(data) // 2]))  # a short write, then failure

    monkeypatch.setattr(atomic_files.os, "write", disk_full_after_half)
    with pytest.raises(OSError) as info:
        write_atomically(path, b"new content that never lands\n", overwrite=True)
    assert info.value.errno == errno.ENOSPC and len(calls) == 2
    assert path.read_bytes() == b"old content\n"
    assert leftovers(tmp_path) == []


def test_a_failed_first_write_leaves_no_file(tmp_path, monkeypatch):
    def failing_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(atomic_files.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        write_atomically(tmp_path / "draft.yaml", b"never")
    assert list(tmp_path.iterdir()) == []


def test_short_writes_are_continued(tmp_path, monkeypatch):
    real_write = os.write

    def three_bytes_at_a_time(fd, data):
        return real_write(fd, bytes(data[:3]))

    monkeypatch.setattr(atomic_files.os, "write", three_bytes_at_a_time)
    path = write_atomically(tmp_path / "a.txt", b"0123456789")
    assert path.read_bytes() == b"0123456789"
