"""Writing files so that nothing is ever half-written or silently replaced.

Drafts, feedback, keys, status lists and registry documents are written to a
temporary file in the same directory, flushed to disk, and then moved into
place in one step: a reader sees the old file or the new one, never a mix.
Without ``overwrite`` the move is a hard link, which fails if the file exists,
even if another writer created it a moment ago.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "draft.json"
>>> _ = write_atomically(path, b"{}")
>>> write_atomically(path, b"[]")
Traceback (most recent call last):
...
FileExistsError: [Errno 17] File exists: '...draft.json'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(
    path: str | os.PathLike[str], content: bytes, *, overwrite: bool = False, mode: int = 0o644
) -> Path:
    """Write ``content`` to ``path`` in one step; raise ``FileExistsError`` if the
    file exists and ``overwrite`` is False. ``mode`` is the new file's mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the file exists, even if just created
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
