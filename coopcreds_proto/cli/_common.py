"""What every ``coopcreds`` command shares: exit codes, output, reading inputs, passphrases.

The command modules import from here, and ``cli/__init__.py`` (the parser and
``main``) imports the command modules: nothing imports back from the parser.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import CoopCredsError, InputError, KeyMaterialError
from ..loader import MANIFEST, OfflineDocumentLoader
from ..safe_json import DEFAULT_LIMITS
from ..timestamps import parse_timestamp

# 0 success (verify: verified), 1 not verified or problems found, 2 unusable input.
EXIT_OK, EXIT_NOT_VERIFIED, EXIT_UNUSABLE = 0, 1, 2
# A check that ran and found problems (an invalid definition, a bad feedback file).
EXIT_PROBLEMS = EXIT_NOT_VERIFIED


def emit(text: str) -> None:
    """Write ``text`` and a newline to stdout (a command's result)."""
    print(text, file=sys.stdout)


def read_input(name: str) -> bytes:
    """The bytes of file ``name`` (``-``: stdin), at most one byte over the size limit."""
    # Reading one byte more than allowed is enough for loads_strict to report
    # 'too-large' without ever reading an endless input into memory.
    limit = DEFAULT_LIMITS.max_bytes + 1
    if name == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:
            return sys.stdin.read(limit).encode("utf-8")
        return stream.read(limit)
    with open(name, "rb") as fh:
        return fh.read(limit)


def input_label(name: str) -> str:
    """How an input file is named in a message (``-`` is stdin).

    >>> input_label("-"), input_label("vc.json")
    ('stdin', 'vc.json')
    """
    return "stdin" if name == "-" else name


def not_json(name: str, exc: CoopCredsError) -> CoopCredsError:
    """The error for an input that could not be read as JSON, naming the input."""
    return exc.with_context(input_label(name))


def checked_timestamp(value: str | None, option: str) -> str | None:
    """``value`` checked as an xsd:dateTimeStamp (before any slow work).

    >>> checked_timestamp("2026-01-15T09:00:00Z", "--created")
    '2026-01-15T09:00:00Z'
    """
    if value is None:
        return None
    try:
        parse_timestamp(value)
    except InputError as exc:
        raise exc.with_context(option) from None
    return value


def read_passphrase(path: str | None) -> str | None:
    """The first line of a passphrase file (without its line ending)."""
    if path is None:
        return None
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyMaterialError(
            "bad-passphrase-file", "the passphrase file is not UTF-8 text", path=path
        ) from None
    passphrase = text.split("\n", 1)[0].rstrip("\r")
    if not passphrase:
        raise KeyMaterialError(
            "empty-passphrase", "the passphrase file's first line is empty", path=path
        )
    return passphrase


PUBLISHED_CONTEXTS_DIR = "published-contexts"
"""Where ``definition publish`` writes contexts, relative to the working directory."""


def published_contexts_loader(folder: str | None) -> OfflineDocumentLoader:
    """The bundled contexts plus those published in ``folder`` (default: the
    ``published-contexts`` folder of the working directory, if there is one)."""
    loader = OfflineDocumentLoader.default()
    if folder is None:
        default = Path(PUBLISHED_CONTEXTS_DIR)
        return loader.with_bundle(default) if (default / MANIFEST).is_file() else loader
    return loader.with_bundle(folder)
