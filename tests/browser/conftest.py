"""Fixtures for the workshop browser tests: the app served on a free port, and Chromium.

The app is started the way a facilitator starts it (``coopcreds workshop serve
--share``) on 127.0.0.1, with its output in ``test-artifacts/workshop/``. It
inherits the test run's environment, so the server and every page kernel get
the network guard (``tests/conftest.py`` sets PYTHONPATH and
``COOPCREDS_NETWORK_GUARD=1``). Chromium is Debian's (``/usr/bin/chromium``),
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
PAGE_TIMEOUT_MS = 60_000


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
    """The running app: its link (with the join code), data folder, feedback file and log."""

    process: subprocess.Popen
    url: str
    base: str
    join_code: str
    data_dir: Path
    log: Path

    @property
    def feedback_file(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    def page_url(self, name: str) -> str:
        return f"{self.base}voila/render/{name}"


def _wait_until_serving(process: subprocess.Popen, log: Path, port: int) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the workshop server exited ({process.returncode}): see {log}")
        text = log.read_text(encoding="utf-8", errors="replace")
        match = re.search(r"^Open: (\S+)$", text, re.MULTILINE)
        if match:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return match.group(1)
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError(f"the workshop server did not start in {START_TIMEOUT} s: see {log}")


@pytest.fixture(scope="session")
def workshop(tmp_path_factory) -> WorkshopServer:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    data_dir = tmp_path_factory.mktemp("workshop-data")
    port = free_port()
    log = ARTIFACTS / "server.log"
    command = [
        sys.executable, "-m", "coopcreds_proto.cli", "workshop", "serve",
        "--share", "--ip", "127.0.0.1", "--port", str(port), "--data", str(data_dir),
    ]
    with open(log, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        url = _wait_until_serving(process, log, port)
        code = url.split("token=", 1)[1]
        yield WorkshopServer(process, url, f"http://127.0.0.1:{port}/", code, data_dir, log)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=which_chromium(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_context(browser, workshop, request):
    """Make browser contexts (one per participant) that refuse every request off the app."""
    contexts = []
    outside: list[str] = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
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
def open_page(workshop):
    """``open_page(context, "2_feedback.ipynb")``: open a page (with the join code), wait for it."""
    from playwright.sync_api import expect

    def open_(context, name: str):
        page = context.new_page()
        page.goto(f"{workshop.page_url(name)}?token={workshop.join_code}",
                  timeout=PAGE_TIMEOUT_MS)
        expect(page.locator(".cc-workshop").first).to_be_visible(timeout=PAGE_TIMEOUT_MS)
        return page

    return open_


@pytest.fixture()
def screenshot():
    """``screenshot(page, "name")``: save a full-page PNG in test-artifacts/workshop/."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        # Voila scrolls inside the page, so grow the window to the tallest content first.
        height = page.evaluate(
            "Math.max(...Array.from(document.querySelectorAll('body *'), e => e.scrollHeight))"
        )
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": min(max(height, 600), 8000)})
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
        return path

    return take
