"""The workshop app under a room's load: 100 phones at once, 100 live screens, on loopback.

Run ``python benchmarks/bench_workshop.py`` (``--quick`` for 30 participants,
``--json`` for machine-readable figures). The app is started as a facilitator
starts it (``coopcreds workshop serve`` on 127.0.0.1, a fresh data folder);
then, all together, each simulated participant joins with the code, loads the
form, submits 3 views and loads the reactions page and sends 5 reactions,
while 100 live subscribers (the projector's channel) listen. Every loop is
bounded in count, and the whole run in time (``DEADLINE_SECONDS``).

Targets (issue 13): p95 page load under 300 ms, p95 submit under 300 ms, a
submission on the projector within 2 s, 0 records lost or duplicated, the
server's memory (peak resident set) under 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from coopcreds_proto.consultation.store import WorkshopStore

PARTICIPANTS = 100
SUBSCRIBERS = 100
VIEWS_EACH = 3
REACTIONS_EACH = 5
PAGE_P95_MS = 300.0
SUBMIT_P95_MS = 300.0
PROJECTOR_MAX_S = 2.0
MEMORY_MAX_MB = 300.0
DEADLINE_SECONDS = 240
FIELDS = ("memberSince", "roles", "votingRights", "membershipNumber", "benefits")
SPHERES = ("legal", "work", "play")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(folder: Path) -> tuple[subprocess.Popen, str, str, str]:
    port = _free_port()
    log = folder / "server.log"
    out = open(log, "w", encoding="utf-8")  # noqa: SIM115 - the server writes to it until stopped
    process = subprocess.Popen(
        [sys.executable, "-m", "coopcreds_proto.cli", "workshop", "serve", "--port", str(port),
         "--data", str(folder / "data")], stdout=out, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        if "Press Ctrl+C" in text:
            code = re.search(r"join code +(\S+)", text).group(1)
            secret = re.search(r"\(secret: (\S+)\)", text).group(1)
            return process, f"http://127.0.0.1:{port}", code, secret
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"the workshop server did not start: see {log}")


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', html)
    return match.group(1) if match else ""


class Timings:
    def __init__(self) -> None:
        self.pages: list[float] = []
        self.submits: list[float] = []
        self.first_pages: list[float] = []  # the join page, all phones at once
        self.joins: list[float] = []
        self.submitted_at: list[float] = []  # when each view's submit came back
        self.failures: list[str] = []


class Phone:
    """One phone's HTTP/1.1 connection, kept alive, with its cookies.

    A few lines over asyncio streams rather than a full client library: the
    load generator shares the machine with the server, and a heavy client's
    own work would be counted as the server's latency.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def _head(self, method: str, path: str, extra: str = "") -> bytes:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Origin: http://{self.host}:{self.port}\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "") + extra + "\r\n").encode()

    async def request(self, method: str, path: str, form: dict[str, str] | None = None
                      ) -> tuple[int, str]:
        assert self.reader is not None and self.writer is not None
        body = urlencode(form or {}).encode()
        extra = (f"Content-Type: application/x-www-form-urlencoded\r\n"
                 f"Content-Length: {len(body)}\r\n") if form is not None else ""
        self.writer.write(self._head(method, path, extra) + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "set-cookie":
                key, _, rest = value.strip().partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        text = (await self.reader.readexactly(length)).decode("utf-8") if length else ""
        return status, text

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def _timed(timings: list[float], call):
    start = time.perf_counter()
    response = await call
    timings.append((time.perf_counter() - start) * 1000)
    return response


async def participant(n: int, phone: Phone, code: str, t: Timings, go: asyncio.Event) -> None:
    await go.wait()
    _, page = await _timed(t.first_pages, phone.request("GET", "/join"))
    status, _ = await _timed(t.joins, phone.request("POST", "/join", {
        "csrf": _field(page, "csrf"), "code": code, "consent": "anonymous",
        "role": "member", "sector": "housing"}))
    if status != 303:
        t.failures.append(f"join {status}")
        return
    for i in range(VIEWS_EACH):
        _, form = await _timed(t.pages, phone.request("GET", "/give"))
        status, _ = await _timed(t.submits, phone.request("POST", "/give", {
            "csrf": _field(form, "csrf"), "form_key": _field(form, "form_key"),
            "field": FIELDS[(n + i) % len(FIELDS)], "sphere": SPHERES[i % 3],
            "stance": ("keep", "change", "drop")[(n * i) % 3], "priority": str(1 + i),
            "comment": f"View {i} of participant {n}."}))
        t.submitted_at.append(time.monotonic())
        if status != 303:
            t.failures.append(f"view {status}")
    done = 0
    for _ in range(3):  # a few looks at the page until 5 reactions are sent (bounded)
        _, page = await _timed(t.pages, phone.request("GET", "/react"))
        keys = re.findall(r'name="view_key" value="([^"]+)"', page)
        forms = re.findall(r'name="form_key" value="([^"]+)"', page)
        csrf = _field(page, "csrf")
        for key, form_key in list(zip(keys, forms))[n % 7: n % 7 + REACTIONS_EACH - done]:
            status, _ = await _timed(t.submits, phone.request("POST", "/react", {
                "csrf": csrf, "form_key": form_key, "view_key": key,
                "reaction": ("agree", "disagree", "pass")[(n + done) % 3]}))
            if status != 303:
                t.failures.append(f"reaction {status}")
            done += 1
        if done >= REACTIONS_EACH:
            break
        await asyncio.sleep(0.5)
    await phone.close()


async def subscriber(screen: Phone, seen: list[tuple[float, int]], stop: asyncio.Event) -> None:
    """A live screen: reads the event stream, noting when each count of views appears."""
    assert screen.reader is not None and screen.writer is not None
    screen.writer.write(screen._head("GET", "/events"))
    tail = b""
    while not stop.is_set():
        chunk = await screen.reader.read(65536)
        if not chunk:
            return
        tail = (tail + chunk)[-200_000:]
        counts = re.findall(rb'cc-count">(\d+) views', tail)
        if counts:
            seen.append((time.monotonic(), int(counts[-1])))
            tail = tail[-64:]


async def run(participants: int, subscribers: int, base: str, code: str, secret: str) -> dict:
    t = Timings()
    host, port = base.split("//")[1].split(":")
    facilitator = Phone(host, int(port))
    await facilitator.connect()
    _, page = await facilitator.request("GET", "/console")
    await facilitator.request("POST", "/console/login", {"csrf": _field(page, "csrf"),
                                                          "secret": secret})
    await facilitator.close()
    stop = asyncio.Event()
    seen: list[list[tuple[float, int]]] = [[] for _ in range(subscribers)]
    screens, phones_ = [], []
    for _ in range(subscribers):
        screen = Phone(host, int(port))
        screen.cookies = dict(facilitator.cookies)
        await screen.connect()
        screens.append(screen)
    for _ in range(participants):
        phone = Phone(host, int(port))
        await phone.connect()
        phones_.append(phone)
    listeners = [asyncio.create_task(subscriber(screen, seen[i], stop))
                 for i, screen in enumerate(screens)]
    go = asyncio.Event()
    phones = [asyncio.create_task(participant(n, phone, code, t, go))
              for n, phone in enumerate(phones_)]
    await asyncio.sleep(1.0)  # every subscriber listening
    started = time.monotonic()
    go.set()
    await asyncio.wait_for(asyncio.gather(*phones), DEADLINE_SECONDS)
    elapsed = time.monotonic() - started
    await asyncio.sleep(PROJECTOR_MAX_S + 1)
    stop.set()
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    # The k-th view came back at submitted_at[k-1]; the projector showed it when a
    # subscriber first saw a count of k or more.
    done = sorted(t.submitted_at)
    delays = []
    for events in seen:
        for k, at in enumerate(done, start=1):
            first = next((when for when, count in events if count >= k), None)
            delays.append(float("inf") if first is None else max(0.0, first - at))
    return {"timings": t, "elapsed": elapsed, "projector_delays": delays}


def _p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 participants and subscribers")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--participants", type=int, help="instead of 100 (30 with --quick)")
    parser.add_argument("--subscribers", type=int, help="instead of 100 (30 with --quick)")
    args = parser.parse_args(argv)
    participants = args.participants or (30 if args.quick else PARTICIPANTS)
    subscribers = args.subscribers if args.subscribers is not None else (
        30 if args.quick else SUBSCRIBERS)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, base, code, secret = _start(folder)
        try:
            server_cpu = _cpu_seconds(process.pid)
            own_cpu = time.process_time()
            result = asyncio.run(run(participants, subscribers, base, code, secret))
            memory = _peak_rss_mb(process.pid)
            server_cpu = _cpu_seconds(process.pid) - server_cpu
            own_cpu = time.process_time() - own_cpu
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        with WorkshopStore.open(folder / "data" / "workshop.sqlite") as store:
            room = store.current_round()
            views = store.current_views(room.id) if room else []
            comments = [v.comment for v in views]
            reactions = sum(c.agree + c.disagree + c.passed
                            for c in store.reactions(room.id).values()) if room else 0
    t: Timings = result["timings"]
    expected = participants * VIEWS_EACH
    lost = expected - len(set(comments))
    duplicated = len(comments) - len(set(comments))
    delays = result["projector_delays"]
    pages, submits = t.first_pages + t.pages, t.joins + t.submits
    figures = {
        "participants": participants, "subscribers": subscribers,
        "seconds for the whole room": round(result["elapsed"], 2),
        "page loads": len(pages), "submits": len(submits),
        "join page p95 ms (all at once)": round(_p95(t.first_pages), 1),
        "joining p95 ms": round(_p95(t.joins), 1),
        "page load p50 ms": round(statistics.median(pages), 1),
        "page load p95 ms": round(_p95(pages), 1),
        "submit p50 ms": round(statistics.median(submits), 1),
        "submit p95 ms": round(_p95(submits), 1),
        "projector delay p95 s": round(_p95(delays), 3),
        "projector delay max s": round(max(delays, default=float("nan")), 3),
        "views stored": len(comments), "reactions counted": reactions,
        "failed requests": len(t.failures),
        "server peak memory MB": round(memory, 1),
        "server CPU s": round(server_cpu, 2),
        "load generator CPU s": round(own_cpu, 2),
        "machine load (1 min)": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count() or 0,
    }
    targets = [
        ("p95 page load", figures["page load p95 ms"], "ms", figures["page load p95 ms"]
         < PAGE_P95_MS),
        ("p95 submit", figures["submit p95 ms"], "ms", figures["submit p95 ms"] < SUBMIT_P95_MS),
        ("a submission on the projector (max)", figures["projector delay max s"], "s",
         figures["projector delay max s"] <= PROJECTOR_MAX_S),
        ("records lost", lost, "", lost == 0 and not t.failures),
        ("records duplicated", duplicated, "", duplicated == 0),
        ("server memory (peak)", figures["server peak memory MB"], "MB",
         figures["server peak memory MB"] < MEMORY_MAX_MB),
    ]
    if args.json:
        print(json.dumps({"figures": figures, "targets": [
            {"target": n, "value": v, "unit": u, "pass": p} for n, v, u, p in targets]},
            indent=2))
    else:
        print("workshop: a room of phones on loopback")
        for key, value in figures.items():
            print(f"  {key:<34} {value}")
        for name, value, unit, ok in targets:
            print(f"  {'PASS' if ok else 'FAIL'}  {name:<38} {value} {unit}")
        if t.failures:
            print(f"  failures: {sorted(set(t.failures))}")
    return 0 if all(ok for *_, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
