"""Reading at most a set number of bytes from a file, a device or a pipe."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from coopcreds_proto.bounded_read import read_bounded, read_file
from coopcreds_proto.errors import InputError


def test_a_small_file_is_read_whole_with_its_mode(tmp_path):
    path = tmp_path / "doc.json"
    path.write_bytes(b'{"a": 1}')
    path.chmod(0o640)
    read = read_file(path, 8)
    assert read.data == b'{"a": 1}' and stat.S_IMODE(read.mode) == 0o640
    assert read_bounded(path, 100) == b'{"a": 1}'


def test_one_byte_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "doc.json"
    path.write_bytes(b"x" * 9)
    with pytest.raises(InputError) as err:
        read_bounded(path, 8, what="credential")
    assert err.value.code == "file-too-large" and err.value.path == str(path)
    assert err.value.message == f"credential {path} is larger than the limit of 8 bytes"


def test_a_huge_sparse_file_is_refused_by_its_size(tmp_path):
    path = tmp_path / "huge"
    with open(path, "wb") as fh:
        fh.truncate(64 * 1024**3)
    with pytest.raises(InputError) as err:
        read_bounded(path, 1_000_000)
    assert err.value.code == "file-too-large"


def test_an_endless_device_is_read_one_byte_past_the_limit():
    with pytest.raises(InputError) as err:
        read_bounded("/dev/zero", 1_000_000)
    assert "larger than the limit of 1,000,000 bytes" in err.value.message
    assert read_bounded("/dev/null", 10) == b""


def test_a_fifo_without_a_writer_reads_empty_at_once(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert read_bounded(fifo, 10) == b""


def test_a_fifo_with_a_writer_is_read_like_a_file(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    written = threading.Event()

    def write() -> None:
        # A reader that came before this writer opened reads an empty pipe and
        # leaves: then the write finds no reader, and the next reader gets it.
        while not written.is_set():
            try:
                with open(fifo, "wb") as pipe:
                    pipe.write(b"hello")
                written.set()
            except BrokenPipeError:
                continue

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    data = b""
    for _ in range(10_000):
        data = read_bounded(fifo, 10)
        if data:
            break
    assert data == b"hello"
    writer.join(timeout=5)


def test_missing_files_and_folders_are_the_usual_os_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "missing", 10)
    with pytest.raises(IsADirectoryError):
        read_bounded(tmp_path, 10)


@pytest.mark.parametrize("limit", [-1, 1.5, True, None])
def test_the_limit_is_a_whole_number(tmp_path, limit):
    with pytest.raises(TypeError):
        read_bounded(tmp_path / "x", limit)
