"""What every ``coopcreds`` command shares: exit codes, output, reading inputs, passphrases, keys.

The command modules import from here, and ``cli/__init__.py`` (the parser and
``main``) imports the command modules: nothing imports back from the parser.

Every file a command reads is read through :mod:`coopcreds_proto.bounded_read`
(or a reader of the library that bounds its input): at most
``MAX_INPUT_BYTES`` of a credential, presentation or other JSON document,
``MAX_SMALL_FILE_BYTES`` of a passphrase or seed file, whatever the path names
(a huge file, ``/dev/zero``, a FIFO): more is refused in one line, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..bounded_read import read_bounded
from ..errors import CoopCredsError, InputError, KeyMaterialError
from ..keys import AnySigningKey, load_key
from ..loader import MANIFEST, OfflineDocumentLoader
from ..local_registry import LocalRegistry
from ..safe_json import DEFAULT_LIMITS, loads_strict
from ..timestamps import parse_timestamp

# 0 success (verify: verified), 1 not verified or problems found, 2 unusable input.
EXIT_OK, EXIT_NOT_VERIFIED, EXIT_UNUSABLE = 0, 1, 2
# A check that ran and found problems (an invalid definition, a bad feedback file).
EXIT_PROBLEMS = EXIT_NOT_VERIFIED


def emit(text: str) -> None:
    """Write ``text`` and a newline to stdout (a command's result)."""
    print(text, file=sys.stdout)


MAX_INPUT_BYTES = DEFAULT_LIMITS.max_bytes
"""The most bytes read from a document a command is given (a credential, a presentation...)."""
MAX_SMALL_FILE_BYTES = 64 * 1024
"""The most bytes read from a passphrase or seed file."""


def read_input(name: str, *, what: str = "input") -> bytes:
    """The bytes of file ``name`` (``-``: stdin), at most ``MAX_INPUT_BYTES``.

    More is ``InputError('file-too-large')``, read no further than one byte
    past the limit, so an endless device or pipe costs nothing.
    """
    limit = MAX_INPUT_BYTES
    if name != "-":
        return read_bounded(name, limit, what=what)
    stream = getattr(sys.stdin, "buffer", None)
    data = sys.stdin.read(limit + 1).encode("utf-8") if stream is None else stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(
            "file-too-large", f"{what} on stdin is larger than the limit of {limit:,} bytes",
            path="-",
        )
    return data


def input_label(name: str) -> str:
    """How an input file is named in a message (``-`` is stdin).

    >>> input_label("-"), input_label("vc.json")
    ('stdin', 'vc.json')
    """
    return "stdin" if name == "-" else name


def not_json(name: str, exc: CoopCredsError) -> CoopCredsError:
    """The error for an input that could not be read as JSON, naming the input."""
    return exc.with_context(input_label(name))


def read_credential(name: str) -> dict:
    """The credential in file ``name`` (``-``: stdin): strict JSON, and an object.

    Not JSON is the JSON error naming the input; another JSON value is
    ``InputError('not-an-object')``.
    """
    try:
        credential = loads_strict(read_input(name))
    except CoopCredsError as exc:
        raise not_json(name, exc) from None
    if not isinstance(credential, dict):
        raise InputError(
            "not-an-object", f"{input_label(name)}: a credential must be a JSON object"
        )
    return credential


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
    data = read_bounded(path, MAX_SMALL_FILE_BYTES, what="passphrase file")
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


ALLOW_OPEN_KEY_FILE_HELP = (
    "use the key file even if group or others may read or write it (by default such a"
    " file is refused, as ssh does: chmod 600 it instead)"
)


def add_key_file_options(parser: argparse.ArgumentParser) -> None:
    """``--allow-open-key-file``, for a command that reads a secret key from ``--key``."""
    parser.add_argument(
        "--allow-open-key-file", action="store_true", help=ALLOW_OPEN_KEY_FILE_HELP
    )


def load_signing_key(
    args: argparse.Namespace, *, key_file: str | None = None
) -> AnySigningKey:
    """The key in ``--key`` (or ``key_file``), opened with ``--passphrase-file`` if given,
    refused if group or others may read it unless ``--allow-open-key-file``."""
    return load_key(
        key_file if key_file is not None else args.key,
        passphrase=read_passphrase(getattr(args, "passphrase_file", None)),
        allow_open_permissions=getattr(args, "allow_open_key_file", False),
    )


def registry_to_read(path: str | None, option: str = "--registry") -> LocalRegistry | None:
    """The local registry at ``path`` for a command that only reads it: it must exist.

    A missing folder is ``InputError('registry-missing')``, not an empty
    registry in which nothing would ever be found.
    """
    if path is None:
        return None
    if not Path(path).is_dir():
        raise InputError(
            "registry-missing",
            f"{option} {path}: no registry folder there (a command that publishes creates it)",
            path=path,
        )
    return LocalRegistry(path)


def registry_to_write(path: str) -> LocalRegistry:
    """The local registry at ``path`` for a command that publishes into it (created on writing)."""
    return LocalRegistry(path)


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
