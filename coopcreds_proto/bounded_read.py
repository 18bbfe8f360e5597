"""Reading a file, device or pipe, never more than a set number of bytes.

A path a user gives may name anything: a huge file, ``/dev/zero``, a FIFO
nobody writes to, a directory. ``Path.read_bytes`` would read an endless
device until memory runs out, and opening a FIFO waits for a writer. Here a
regular file larger than the limit is refused from its size alone, anything
else is read up to one byte past the limit and refused there
(``InputError('file-too-large')``, naming the file and the limit), and a FIFO
without a writer reads as empty at once. A missing file or a directory is the
usual ``OSError``, so callers keep their own message for it.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "small.json")
>>> _ = open(path, "w").write("{}")
>>> read_bounded(path, 10)
b'{}'
>>> read_bounded("/dev/zero", 1000, what="credential")
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: credential /dev/zero is larger than the limit of 1,000 bytes
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

from .errors import InputError

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileBytes:
    """What :func:`read_file` read: the bytes, and the mode of the file they came from."""

    data: bytes
    mode: int


def read_bounded(
    path: str | os.PathLike[str], max_bytes: int, *, what: str = "file"
) -> bytes:
    """At most ``max_bytes`` bytes of ``path`` (see the module); ``what`` names it in errors."""
    return read_file(path, max_bytes, what=what).data


def read_file(
    path: str | os.PathLike[str], max_bytes: int, *, what: str = "file"
) -> FileBytes:
    """The bytes of ``path`` (at most ``max_bytes``) and its mode, from one open descriptor."""
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
        raise TypeError("max_bytes must be a whole number of bytes, 0 or more")
    name = os.fspath(path)
    # Non-blocking open: a FIFO without a writer opens at once (and reads empty).
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(name, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise _too_large(what, name, max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise _too_large(what, name, max_bytes)
        return FileBytes(b"".join(chunks), info.st_mode)
    finally:
        os.close(fd)


def _too_large(what: str, name: str, max_bytes: int) -> InputError:
    return InputError(
        "file-too-large",
        f"{what} {name} is larger than the limit of {max_bytes:,} bytes",
        path=name,
    )
