"""Serving the workshop app: loopback by default, the room's network with ``--share``.

The facilitator's terminal shows the addresses, the join code, the console's
secret and then one line per event (someone joined, a view was saved, a
request refused), never a traceback. The console's secret and the key that
signs the app's cookies are kept in the data folder (readable by the owner
only), so a restarted server keeps its participants and its console signed in.

>>> check_port(8866)
8866
>>> check_port(0)
Traceback (most recent call last):
...
coopcreds_proto.errors.InputError: --port must be from 1 to 65535, not 0
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import uvicorn

from ..atomic_files import write_atomically
from ..bounded_read import read_bounded
from ..definitions.definition import CredentialDefinition
from ..errors import InputError
from ..listening import listening_socket
from ..randomness import DEFAULT_RANDOM, RandomSource
from ..timestamps import utc_now
from .app import WorkshopApp, WorkshopSettings, make_app

DEFAULT_PORT = 8866
DEFAULT_DATA_DIR = Path("workshop-data")
LOOPBACK = "127.0.0.1"
ALL_INTERFACES = "0.0.0.0"
SECRET_FILE = "facilitator-secret"
KEY_FILE = "cookie-key"
# An unanswered connection costs a file descriptor; more than this are refused with 503.
MAX_CONNECTIONS = 2000
BACKLOG = 2048


def check_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise InputError("bad-port", f"--port must be from 1 to 65535, not {port}", path="--port")
    return port


def room_addresses() -> tuple[str, ...]:
    """This machine's addresses on the room's network (no packet is sent to find them)."""
    found: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            # connect() on UDP only picks the outgoing interface; nothing is sent.
            probe.connect(("10.255.255.255", 1))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    name = socket.gethostname()
    for candidate in (name, f"{name}.local"):
        found.append(candidate.lower())
    return tuple(a for a in dict.fromkeys(found) if a and not a.startswith("127."))


def _secret_file(folder: Path, name: str, make: Callable[[], str]) -> str:
    path = folder / name
    if path.exists():
        text = read_bounded(path, 4096, what=name).decode("ascii", "replace").strip()
        if text:
            return text
    value = make()
    try:
        write_atomically(path, value + "\n", mode=0o600)
    except FileExistsError:  # another server made it meanwhile
        return read_bounded(path, 4096, what=name).decode("ascii", "replace").strip()
    return value


@dataclass(frozen=True)
class ServeOptions:
    """What ``coopcreds workshop serve`` was asked for."""

    data_dir: Path = DEFAULT_DATA_DIR
    port: int = DEFAULT_PORT
    share: bool = False
    ip: str | None = None
    title: str = ""
    messages: Path | None = None
    definition: CredentialDefinition | None = None
    live_seconds: float = 300.0


def build(options: ServeOptions, log: Callable[[str], None], *,
          rng: RandomSource = DEFAULT_RANDOM, clock: Callable[[], datetime] = utc_now
          ) -> tuple[WorkshopApp, str, tuple[str, ...]]:
    """The app for ``options``, the address to bind and the addresses to announce."""
    check_port(options.port)
    bind = options.ip or (ALL_INTERFACES if options.share else LOOPBACK)
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        raise InputError("bad-ip", f"--ip must be an IP address, not {bind!r}",
                         path="--ip") from None
    if not options.share and not ipaddress.ip_address(bind).is_loopback:
        raise InputError("share-needed", "listening beyond this computer needs --share",
                         path="--ip")
    folder = options.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    secret = _secret_file(folder, SECRET_FILE, lambda: rng.bytes(12).hex())
    key = bytes.fromhex(_secret_file(folder, KEY_FILE, lambda: rng.bytes(32).hex()))
    shared: tuple[str, ...] = ()
    if options.share:
        shared = room_addresses() if bind == ALL_INTERFACES else (bind,)
    announce = shared[:1] if shared else (LOOPBACK,)
    settings = WorkshopSettings(
        data_dir=folder, facilitator_secret=secret, shared_hosts=shared,
        join_url=f"http://{announce[0]}:{options.port}/join", definition=options.definition,
        title=options.title, messages=options.messages, rng=rng, clock=clock, log=log,
        cookie_key=key, live_seconds=options.live_seconds)
    return make_app(settings), bind, shared


def terminal_log(out: IO[str]) -> Callable[[str], None]:
    """One line per event, with the time."""
    def log(line: str) -> None:
        out.write(f"{utc_now().strftime('%H:%M:%S')}  {line}\n")
        out.flush()
    return log


def serve(options: ServeOptions, out: IO[str] = sys.stdout) -> None:
    """Run the workshop until Ctrl+C (see the module docstring)."""
    log = terminal_log(out)
    app, bind, shared = build(options, log)
    try:
        # Listening before the addresses are printed: a phone that is quick queues, it is
        # not refused while the server starts.
        sock = listening_socket(bind, options.port, backlog=BACKLOG)
    except OSError as exc:
        raise InputError("port-unavailable", f"cannot listen on {bind}:{options.port}:"
                         f" {exc.strerror or exc}", path="--port") from None
    room = app.room
    hosts = list(shared) or [LOOPBACK]
    out.write(f"Workshop \u201c{room.title}\u201d on draft {room.draft_version}"
              f" ({app.store.path})\n")
    for host in hosts:
        out.write(f"  participants join at  http://{host}:{options.port}/join"
                  f"?code={room.join_code}\n")
    out.write(f"  join code             {room.join_code}\n")
    out.write(f"  projector             http://{hosts[0]}:{options.port}/projector\n")
    out.write(f"  facilitator console   http://{LOOPBACK}:{options.port}/console"
              f"  (secret: {app.settings.facilitator_secret})\n")
    if not shared:
        out.write("  only this computer can reach it; add --share to open it to the room\n")
    out.write("Press Ctrl+C to stop.\n")
    out.flush()
    # h11, whose limit on an unfinished request bounds what one client can make the server
    # hold (uvicorn's C parser has no such limit: a client sending one endless header line
    # would grow the server's memory).
    config = uvicorn.Config(app.asgi, http="h11", log_config=None, log_level="critical",
                            access_log=False,
                            server_header=False, date_header=False,
                            limit_concurrency=MAX_CONNECTIONS, backlog=BACKLOG,
                            timeout_keep_alive=5,
                            timeout_graceful_shutdown=2, h11_max_incomplete_event_size=16_384)
    logging.getLogger("uvicorn").setLevel(logging.CRITICAL)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.store.close()
        out.write("Workshop stopped.\n")
        out.flush()


__all__ = ["DEFAULT_DATA_DIR", "DEFAULT_PORT", "ServeOptions", "build", "check_port",
           "room_addresses", "serve", "terminal_log"]
