"""Fixtures for the workshop browser tests: the app served on a free port, and Chromium.

The app is started the way a facilitator starts it (``coopcreds workshop
serve``) on 127.0.0.1, with its output in ``test-artifacts/workshop/``; its
live connections last 2 seconds (``--live-seconds``), so a test can keep a
phone offline for longer than every timeout of the server and stay quick. It
inherits the test run's environment (``tests/conftest.py`` sets PYTHONPATH
and ``COOPCREDS_NETWORK_GUARD=1``). Chromium is Debian's (``/usr/bin/chromium``),
started with no background networking; every browser request that is not
for the app on loopback is aborted and recorded, and a test fails if there
was one.

Without Playwright or Chromium the tests here are skipped, with the reason in
pytest's summary (``-ra``).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from coopcreds_proto.workshop.chromium import OFFLINE_FLAGS, which_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "workshop"
CHROMIUM_FLAGS = list(OFFLINE_FLAGS)
START_TIMEOUT = 60
PAGE_TIMEOUT_MS = 30_000
LIVE_SECONDS = 2
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("workshop browser tests skipped: Playwright is not installed "
                "(pip install -e '.[test]')")
    if which_chromium() is None:
        return ("workshop browser tests skipped: Chromium is not installed "
                "(Debian: apt-get install chromium; .ci/run installs it in CI)")
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    if reason is None:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=reason))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class WorkshopServer:
    """The running app: its address, join code, console secret, data folder and log."""

    process: subprocess.Popen
    base: str
    join_code: str
    secret: str
    data_dir: Path
    log: Path

    def url(self, path: str) -> str:
        return self.base + path.lstrip("/")


def _wait_until_serving(process: subprocess.Popen, log: Path, port: int) -> tuple[str, str]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workshop server exited ({process.returncode}): see {log}")
        text = log.read_text(encoding="utf-8", errors="replace")
        code = re.search(r"^  join code +(\S+)$", text, re.MULTILINE)
        secret = re.search(r"\(secret: (\S+)\)$", text, re.MULTILINE)
        if code and secret and "Press Ctrl+C" in text:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return code.group(1), secret.group(1)
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"the workshop server did not start in {START_TIMEOUT} s: see {log}")


@pytest.fixture(scope="session")
def workshop(tmp_path_factory) -> WorkshopServer:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path_factory.mktemp("workshop-data")
    port = free_port()
    log = ARTIFACTS / "server.log"
    command = [sys.executable, "-m", "coopcreds_proto.cli", "workshop", "serve",
               "--port", str(port), "--data", str(data_dir),
               "--live-seconds", str(LIVE_SECONDS)]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        code, secret = _wait_until_serving(process, log, port)
        yield WorkshopServer(process, f"http://127.0.0.1:{port}/", code, secret, data_dir, log)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    assert "Traceback" not in log.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=which_chromium(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_context(browser, workshop):
    """``new_context(viewport)``: a browser context (one person) that refuses every request
    off the app, and accepts downloads."""
    contexts = []
    outside: list[str] = []

    def make(viewport=PHONE):
        context = browser.new_context(viewport=viewport, accept_downloads=True)
        context.set_default_timeout(PAGE_TIMEOUT_MS)

        def route(r):
            url = r.request.url
            if url.startswith((workshop.base, "data:", "blob:")):
                r.continue_()
            else:
                outside.append(url)
                r.abort()

        context.route("**/*", route)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not outside, f"pages asked for something off this machine: {outside}"


@pytest.fixture()
def screenshot():
    """``screenshot(page, "name")``: save a full-page PNG in test-artifacts/workshop/."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
