"""Headless Chromium, offline: finding it, running it, printing a page to PDF.

Debian's ``chromium`` package (``/usr/bin/chromium``) is what the workshop
pack's PDF export and the browser tests use. It is started so that it makes
no connection of its own: no background networking, component updates, sync
or QUIC, and (for the command-line runs) every host name resolves to nothing,
so a page can read only ``file:`` and ``data:`` URLs. A run happens in its own
process group, which is killed whole if it overruns its timeout.

Public API: ``OFFLINE_FLAGS`` (also the launch arguments for Playwright),
``which_chromium()``, ``find_chromium(chromium=None, *, needed_for=...)``,
``chromium_command(program, profile, *extra)``, ``run_chromium(command,
timeout)``, ``pdf_of(html_path, *, chromium=None, timeout=...)`` and
``ChromiumError`` (codes ``chromium-missing``, ``pdf-timeout``, ``pdf-failed``).

>>> chromium_command("/usr/bin/chromium", "/tmp/profile", "--dump-dom")[:2]
['/usr/bin/chromium', '--headless']
>>> "--disable-background-networking" in OFFLINE_FLAGS
True
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import CoopCredsError

CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = "apt-get install chromium"
PDF_TIMEOUT = 120.0
# What keeps Chromium from calling out (measured on this stack: without the
# background-networking flags it tries Google's hosts at every start).
OFFLINE_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-dev-shm-usage",
)


class ChromiumError(CoopCredsError):
    """Chromium is missing, overran its time, or did not produce what was asked."""


def which_chromium() -> str | None:
    """The first Chromium on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def find_chromium(chromium: str | None = None, *, needed_for: str = "PDF export") -> str:
    """The Chromium program to run: ``chromium`` if given, else the first on PATH."""
    found = shutil.which(chromium) if chromium else which_chromium()
    if not found:
        raise ChromiumError("chromium-missing", f"{needed_for} needs Chromium: {INSTALL_HINT}",
                            path=chromium)
    return found


def chromium_command(program: str, profile: str | os.PathLike[str], *extra: str) -> list[str]:
    """A headless, offline Chromium command line with its own profile directory."""
    return [program, "--headless", *OFFLINE_FLAGS, "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={profile}", *extra]


def run_chromium(command: Sequence[str], timeout: float) -> subprocess.CompletedProcess:
    """Run ``command`` in its own process group; on timeout stop that group and raise."""
    proc = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # Chromium's helpers share the group
        proc.communicate()
        raise ChromiumError("pdf-timeout", f"Chromium did not finish within {timeout:g}"
                            " seconds", path=command[0]) from None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    return subprocess.CompletedProcess(list(command), proc.returncode, out, err)


def pdf_of(html_path: str | os.PathLike[str], *, chromium: str | None = None,
           timeout: float = PDF_TIMEOUT) -> bytes:
    """The bytes of Chromium's print of the HTML file (no header or footer)."""
    page = Path(html_path)
    program = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="coopcreds-chromium-") as tmp:
        target = Path(tmp) / "page.pdf"
        command = chromium_command(program, Path(tmp) / "profile", "--no-pdf-header-footer",
                                   f"--print-to-pdf={target}", page.resolve().as_uri())
        done = run_chromium(command, timeout)
        data = target.read_bytes() if target.exists() else b""
    if not data.startswith(b"%PDF-"):
        lines = [x for x in done.stderr.decode("utf-8", "replace").splitlines() if x.strip()]
        why = lines[-1].strip() if lines else f"exit code {done.returncode}"
        raise ChromiumError("pdf-failed", f"Chromium did not print a PDF: {why}", path=str(page))
    return data
