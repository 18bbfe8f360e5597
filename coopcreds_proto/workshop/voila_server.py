"""Serving the workshop pages (``notebooks/workshop/``) as a web app with Voilà.

By default the app listens on loopback only (``127.0.0.1``): the facilitator's
own browser. ``share=True`` opens it to the room's network behind a **join
code**: a random token that must be in the link (Jupyter's token
authentication), shown to the room as a QR code. A request without it is sent
to a login page and sees no workshop page; kernel and API requests are refused.

The join code reaches the server through ``JUPYTER_TOKEN`` in its environment,
never on the command line, so it does not show in the process list. The data
directory and feedback file reach the notebook kernels through
``COOPCREDS_WORKSHOP_DATA`` and ``COOPCREDS_WORKSHOP_FEEDBACK``.

>>> from coopcreds_proto.randomness import SeededRandom
>>> code = new_join_code(SeededRandom("doc"))
>>> len(code), code == new_join_code(SeededRandom("doc"))
(22, True)
>>> app = WorkshopApp(Path("notebooks/workshop"), port=8866, join_code=code,
...                   ip="0.0.0.0", public_host="192.168.1.20")
>>> app.url == f"http://192.168.1.20:8866/voila/render/index.ipynb?token={code}"
True
>>> code in " ".join(app.command()), code in repr(app)
(False, False)
"""

from __future__ import annotations

import base64
import io
import ipaddress
import os
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NoReturn

import segno

from ..atomic_files import write_atomically
from ..errors import InputError
from ..randomness import DEFAULT_RANDOM, RandomSource

DATA_ENV = "COOPCREDS_WORKSHOP_DATA"
"""Environment variable: the workshop's data directory (read by the page kernels)."""
FEEDBACK_ENV = "COOPCREDS_WORKSHOP_FEEDBACK"
"""Environment variable: the feedback file (default ``DATA/feedback.jsonl``)."""
TOKEN_ENV = "JUPYTER_TOKEN"
DEFAULT_PORT = 8866
DEFAULT_DATA_DIR = Path("workshop-data")
FEEDBACK_FILE_NAME = "feedback.jsonl"
QR_FILE_NAME = "join-code.svg"
START_PAGE = "index.ipynb"
JOIN_CODE_BYTES = 16
# Each page view starts a kernel; Voilà's own shutdown request on leaving a page
# fails, so idle kernels are culled (kernels with an open page are kept).
CULL_IDLE_SECONDS = 120
CULL_INTERVAL_SECONDS = 30
LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"
# A documentation address (RFC 5737): routing towards it picks the room's
# interface; a UDP "connect" sends no packet.
_ROUTE_PROBE = ("192.0.2.1", 9)
# Voilà's "lab" template minus the stylesheets it would fetch from a CDN.
TEMPLATE_NAME = "coopcreds-workshop"
TEMPLATE_ROOT = Path(__file__).resolve().parent / "voila_templates"


def new_join_code(rng: RandomSource = DEFAULT_RANDOM) -> str:
    """A fresh join code: 16 random bytes from ``rng``, URL-safe base64 (22 characters)."""
    return base64.urlsafe_b64encode(rng.bytes(JOIN_CODE_BYTES)).rstrip(b"=").decode("ascii")


def workshop_notebooks(package_dir: Path | None = None) -> Path:
    """The checkout's ``notebooks/workshop/`` directory (next to the package directory)."""
    base = (package_dir or Path(__file__).resolve().parent.parent).parent
    folder = base / "notebooks" / "workshop"
    if not (folder / START_PAGE).is_file():
        raise InputError(
            "no-workshop-pages",
            f"no workshop pages at {folder}: serving the workshop needs a source checkout "
            "(a clone of the repository, installed with pip install -e .)",
        )
    return folder


def check_port(port: int) -> int:
    """``port`` if it is a usable TCP port number (1-65535)."""
    if not 1 <= port <= 65535:
        raise InputError("bad-port", f"--port must be from 1 to 65535, not {port}", path="--port")
    return port


def room_address() -> str:
    """This machine's address on the room's network (loopback when there is none)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(_ROUTE_PROBE)
        address = probe.getsockname()[0]
    except (OSError, RuntimeError):
        return LOOPBACK
    finally:
        probe.close()
    return address if not ipaddress.ip_address(address).is_unspecified else LOOPBACK


@dataclass(frozen=True)
class WorkshopApp:
    """How the workshop app is served: pages, address, join code, data and kernel culling.

    ``ip`` is the address the server binds; ``public_host`` the one written in
    the link (default: ``ip``). ``join_code`` ``None`` means no code (loopback
    use); it is never shown in ``repr``.
    """

    notebooks: Path
    port: int = DEFAULT_PORT
    ip: str = LOOPBACK
    join_code: str | None = field(default=None, repr=False)
    data_dir: Path = DEFAULT_DATA_DIR
    feedback_file: Path | None = None
    public_host: str | None = None
    cull_idle_seconds: int = CULL_IDLE_SECONDS
    cull_interval_seconds: int = CULL_INTERVAL_SECONDS

    @property
    def shared(self) -> bool:
        return self.join_code is not None

    @property
    def feedback_path(self) -> Path:
        return self.feedback_file or self.data_dir / FEEDBACK_FILE_NAME

    @property
    def base_url(self) -> str:
        host = self.public_host or self.ip
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    @property
    def url(self) -> str:
        """The link to open: the start page, with the join code when there is one."""
        query = f"?token={self.join_code}" if self.join_code else ""
        return f"{self.base_url}voila/render/{START_PAGE}{query}"

    def command(self, python: str = sys.executable) -> list[str]:
        """The Voilà command line (the join code is passed in the environment, not here)."""
        command = [
            python, "-m", "voila", str(self.notebooks),
            "--no-browser",
            f"--port={self.port}",
            f"--Voila.ip={self.ip}",
            # A port in use must fail, not move the app where nobody looks for it.
            "--Voila.port_retries=0",
            f"--MappingKernelManager.cull_idle_timeout={self.cull_idle_seconds}",
            f"--MappingKernelManager.cull_interval={self.cull_interval_seconds}",
            "--VoilaConfiguration.show_tracebacks=False",
            f"--template={TEMPLATE_NAME}",
            "--theme=light",
        ]
        if self.shared:
            command.append("--Voila.auto_token=True")  # the token itself: JUPYTER_TOKEN
        return command

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The server's environment (``base``: default ``os.environ``), inherited by kernels."""
        env = dict(os.environ if base is None else base)
        env.pop(TOKEN_ENV, None)
        env.pop("JUPYTER_TOKEN_FILE", None)
        env.setdefault("JUPYTER_PLATFORM_DIRS", "1")
        paths = [str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")]
        env["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p)
        env[DATA_ENV] = str(self.data_dir.resolve())
        env[FEEDBACK_ENV] = str(self.feedback_path.resolve())
        if self.join_code:
            env[TOKEN_ENV] = self.join_code
        return env


def make_app(
    *,
    share: bool = False,
    port: int = DEFAULT_PORT,
    ip: str | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    feedback_file: str | os.PathLike[str] | None = None,
    notebooks: Path | None = None,
    rng: RandomSource = DEFAULT_RANDOM,
) -> WorkshopApp:
    """The app as ``coopcreds workshop serve`` starts it.

    Without ``share`` it binds loopback and has no join code; with ``share`` it
    binds ``ip`` (default every interface), shows the room address in the link
    and requires a fresh join code from ``rng``.
    """
    check_port(port)
    bind = ip or (ALL_INTERFACES if share else LOOPBACK)
    try:
        address = ipaddress.ip_address(bind)
    except ValueError:
        raise InputError("bad-ip", f"--ip must be an IP address, not {bind!r}", path="--ip")
    if not share and not address.is_loopback:
        raise InputError(
            "share-needed",
            f"--ip {bind} opens the app to the network: add --share so that a join code is needed",
            path="--ip",
        )
    public = room_address() if address.is_unspecified else bind
    return WorkshopApp(
        notebooks=notebooks or workshop_notebooks(),
        port=port,
        ip=bind,
        join_code=new_join_code(rng) if share else None,
        data_dir=Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR,
        feedback_file=Path(feedback_file) if feedback_file is not None else None,
        public_host=public,
    )


def join_qr(url: str):
    """The QR code (a ``segno.QRCode``) of ``url``, error correction level M."""
    return segno.make(url, error="m", micro=False)


def write_join_qr(url: str, path: str | os.PathLike[str]) -> Path:
    """Write the QR code of ``url`` as an SVG file for a projector; returns the path."""
    svg = io.BytesIO()
    join_qr(url).save(svg, kind="svg", scale=10, border=4,
                      title="Join the Co-op Credentials workshop")
    # Mode 0600 from the start: the link inside is the room's key.
    return write_atomically(path, svg.getvalue(), overwrite=True, mode=0o600)


def print_join(app: WorkshopApp, out: IO[str]) -> Path | None:
    """Tell the facilitator what to open; when shared, print the QR code and write its SVG."""
    print(f"Workshop pages: {app.notebooks}", file=out)
    print(f"Feedback file:  {app.feedback_path.resolve()}", file=out)
    if not app.shared:
        print("Only this computer can open the app (loopback).", file=out)
        print(f"Open: {app.url}", file=out)
        return None
    svg = write_join_qr(app.url, app.data_dir / QR_FILE_NAME)
    print("Shared on the room's network: the link below carries the join code.", file=out)
    print(f"Open: {app.url}", file=out)
    join_qr(app.url).terminal(out=out, compact=True)
    print(f"QR code for the projector: {svg.resolve()}", file=out)
    return svg


def _exec(command: list[str], env: dict[str, str]) -> NoReturn:
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)


def serve(app: WorkshopApp, out: IO[str] = sys.stdout) -> NoReturn:
    """Create the data directory, print the link (and QR code), then become the Voilà server."""
    app.data_dir.mkdir(parents=True, exist_ok=True)
    app.feedback_path.parent.mkdir(parents=True, exist_ok=True)
    print_join(app, out)
    print("Stop with Ctrl+C.", file=out)
    _exec(app.command(), app.environment())
