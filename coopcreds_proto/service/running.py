"""Running the service beside other work: in a thread (a notebook) or as a child process.

``ServiceThread`` runs the app of ``create_app`` (with its injected clock and
randomness) under uvicorn in a background thread, on an ephemeral loopback
port: a notebook or a test talks to it over real HTTP and stops it when done.
``ServiceProcess`` starts ``coopcreds service serve`` as a child process (as
an operator would, with worker processes) and reads the URL it prints.

>>> import tempfile, pathlib, httpx
>>> from coopcreds_proto.service.config import load_config
>>> from coopcreds_proto.service.app import create_app
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "service.yaml").write_text("issuers: []\\n")
>>> with ServiceThread(create_app(load_config(folder / "service.yaml"))) as service:
...     httpx.get(service.url + "openapi.json").json()["openapi"]
'3.1.0'
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette

from ..listening import listening_socket
from .errors import ServiceError

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are never evaluated here
    from typing_extensions import Self

START_TIMEOUT = 60.0
"""How long to wait for a service to listen before giving up."""


class ServiceThread:
    """An app served on ``127.0.0.1`` (an ephemeral port) by uvicorn in a daemon thread."""

    def __init__(self, app: Starlette, *, host: str = "127.0.0.1") -> None:
        self._socket = listening_socket(host, 0)
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{host}:{self.port}/"
        self._server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                                     lifespan="off"))
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]}, daemon=True)

    def start(self) -> ServiceThread:
        """Start serving; return once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise ServiceError("service-not-started", "the service thread did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        self._server.should_exit = True
        self._thread.join(timeout=START_TIMEOUT)
        self._socket.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ServiceThread({self.url})"


class ServiceProcess:
    """``coopcreds service serve --config FILE --port 0 --workers N`` as a child process."""

    def __init__(self, config: str | os.PathLike[str], *, workers: int = 1,
                 log: str | os.PathLike[str] | None = None) -> None:
        self.config = Path(config)
        self.workers = workers
        self.log = Path(log) if log is not None else None
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> ServiceProcess:
        """Start the service and wait for the URL it prints."""
        command = [sys.executable, "-m", "coopcreds_proto.cli", "service", "serve",
                   "--config", str(self.config), "--port", "0", "--workers", str(self.workers)]
        with contextlib.ExitStack() as files:
            errors = (files.enter_context(open(self.log, "ab")) if self.log is not None
                      else subprocess.DEVNULL)
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                            start_new_session=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode("utf-8", "replace")
        if "http://" not in line:
            self.kill()
            raise ServiceError("service-not-started", f"the service did not start: {line.strip()!r}")
        self.url = "http://" + line.split("http://", 1)[1].split()[0]
        self._wait_listening()
        return self

    def _wait_listening(self) -> None:
        host, port = self.url[len("http://"):].rstrip("/").rsplit(":", 1)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((host, int(port)), timeout=1):
                    pass
                # The socket listens before the workers run: ask until one answers.
                with socket.create_connection((host, int(port)), timeout=5) as probe:
                    probe.sendall(b"GET /openapi.json HTTP/1.0\r\n\r\n")
                    if probe.recv(12).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise ServiceError("service-not-started", "the service did not answer in time")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` (default SIGKILL) to the service and all its workers, and reap it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=START_TIMEOUT)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def stop(self) -> None:
        """Stop the service as Ctrl+C would (SIGINT to its process group)."""
        self.kill(signal.SIGINT)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.kill()
