"""Writing files so that nothing is ever half-written or silently replaced.

Every file the workbench writes (drafts, feedback, keys, status lists,
registry documents, credentials, contexts) goes through ``write_atomically``:
the content is written to a temporary file in the same directory (created
with mode 0600, so not even a key is readable in passing), given its mode,
flushed to disk, and then moved into place in one step. A reader sees the old
file or the new one, never a mix; a write that fails part-way leaves the old
file as it was and no temporary file behind.

- ``overwrite=False`` (the default) creates the file exclusively: the move is
  a hard link, which fails with ``FileExistsError`` if the file exists, even
  if another writer created it a moment ago.
- ``mode`` is the new file's permission bits (0644 by default, 0600 for a
  secret); ``KEEP_MODE`` keeps those of the file being replaced.
- ``durable=True`` (the default) fsyncs the file before the move and its
  directory after it, so the new file survives a power cut. A run that
  writes many files can pass ``durable=False`` and make them durable at once
  at the end (``os.sync()``).
- ``content`` is bytes, or text written as UTF-8 (``encoding``).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "draft.json"
>>> _ = write_atomically(path, "{}")
>>> write_atomically(path, b"[]")
Traceback (most recent call last):
...
FileExistsError: [Errno 17] File exists: '...draft.json'
>>> _ = write_atomically(path, b"[]", overwrite=True)
>>> path.read_text()
'[]'
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Final

KEEP_MODE: Final = None
"""``mode=KEEP_MODE``: the replaced file's permission bits (0644 for a new file)."""
DEFAULT_MODE: Final = 0o644


def write_atomically(
    path: str | os.PathLike[str],
    content: bytes | str,
    *,
    overwrite: bool = False,
    mode: int | None = DEFAULT_MODE,
    durable: bool = True,
    encoding: str = "utf-8",
) -> Path:
    """Write ``content`` to ``path`` in one step and return the path.

    Raises ``FileExistsError`` if the file exists and ``overwrite`` is False
    (nothing is written then). ``mode`` is the new file's permission bits, or
    ``KEEP_MODE`` for those of the file it replaces; ``durable`` fsyncs the
    file and its directory; text ``content`` is encoded with ``encoding``.
    Missing parent directories are created.
    """
    path = Path(path)
    data = content.encode(encoding) if isinstance(content, str) else bytes(content)
    if mode is KEEP_MODE:
        mode = _mode_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)  # mkstemp made it 0600: the umask cannot loosen a secret
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file exists, even if just created
        if durable:
            _fsync_directory(path.parent)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return path


def _write_all(fd: int, data: bytes) -> None:
    # os.write may write less than asked (a full disk, a signal): go on from there.
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _mode_of(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return DEFAULT_MODE


def _fsync_directory(directory: Path) -> None:
    # Makes the new directory entry durable; not every platform can open a directory.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
