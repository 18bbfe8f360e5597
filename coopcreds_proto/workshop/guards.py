"""What stands in front of the workshop app: whose requests it answers, how large, how often.

- **Host**: only requests whose ``Host`` names this machine (loopback names) or
  an address the workshop is shared on are answered, so a page elsewhere
  cannot reach the app by DNS rebinding (``attacker.example`` resolving to
  127.0.0.1).
- **Origin**: a form post, and the live-update channel, must come from a page
  of the app itself (``Origin``, or ``Referer`` where a browser sends no
  ``Origin``).
- **Size**: a request body is at most ``max_body`` bytes.
- **Rate**: each client (its address and its cookies: the browser's and the
  participant's) may post at most ``posts_per_minute``, in bursts of
  ``burst``; the table of clients is bounded.

>>> allowed = AllowedHosts(("192.168.1.20",))
>>> allowed.allows("127.0.0.1:8866"), allowed.allows("192.168.1.20"), allowed.allows(
...     "attacker.example:8866")
(True, True, False)
>>> allowed.allows_origin("http://localhost:8866"), allowed.allows_origin("null")
(True, False)
"""

from __future__ import annotations

import ipaddress
import time
from collections import Counter, OrderedDict
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
MAX_BODY_BYTES = 64 * 1024
MAX_CLIENTS = 10_000
MAX_OPEN_PER_ADDRESS = 24
"""How many requests one device on the network may have open at once (pages and live
channels together): enough for a phone with several tabs, not for one client holding
the server's connections. This computer's own (loopback) requests are not counted."""


def _host_name(value: str) -> str:
    """``value`` (``name[:port]``, ``[v6]:port``) without its port, lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class AllowedHosts:
    """The host names the app answers to: loopback, and the addresses it is shared on."""

    def __init__(self, shared: Iterable[str] = ()) -> None:
        self.names = frozenset(LOOPBACK_NAMES) | {_host_name(h) for h in shared if h}

    def allows(self, host: str | None) -> bool:
        return bool(host) and _host_name(host or "") in self.names

    def allows_origin(self, origin: str | None) -> bool:
        if not origin:
            return False
        parts = urlsplit(origin)
        return parts.scheme in ("http", "https") and self.allows(parts.netloc)


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimit:
    """A token bucket per client: ``per_minute`` posts, at most ``burst`` at once."""

    def __init__(self, per_minute: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        self.rate = per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._max = max_clients
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def allow(self, client: str) -> bool:
        now = self._clock()
        bucket = self._buckets.pop(client, None) or _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        self._buckets[client] = bucket
        while len(self._buckets) > self._max:
            self._buckets.popitem(last=False)
        if bucket.tokens < 1:
            return False
        bucket.tokens -= 1
        return True


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str:
    for part in (_header(scope, b"cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def _refuse(send: Send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """Raised inside the app when a body without a length grows past the limit."""


class Guards:
    """The ASGI middleware that applies the checks above to every request."""

    def __init__(self, app: ASGIApp, *, hosts: AllowedHosts, rate: RateLimit,
                 max_body: int = MAX_BODY_BYTES, live_paths: tuple[str, ...] = ("/events",),
                 client_cookies: tuple[str, ...] = ("cc_b", "cc_p"),
                 on_refusal: Callable[[str], None] = lambda line: None,
                 messages: Callable[[str], str] | None = None,
                 max_open_per_address: int = MAX_OPEN_PER_ADDRESS) -> None:
        self.app = app
        self.max_open_per_address = max_open_per_address
        self.open_by_address: Counter[str] = Counter()
        self.hosts = hosts
        self.rate = rate
        self.max_body = max_body
        self.live_paths = live_paths
        self.client_cookies = client_cookies
        self.on_refusal = on_refusal
        self.t = messages or (lambda key: key)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                return  # no websockets here: the connection is simply not accepted
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host")
        if not self.hosts.allows(host):
            self.on_refusal(f"refused a request for host {host!r}")
            await _refuse(send, 421, self.t("guard.host"))
            return
        method = scope["method"]
        if method not in ("GET", "HEAD", "POST"):
            await _refuse(send, 405, self.t("guard.method"))
            return
        if method == "POST" or scope["path"] in self.live_paths:
            origin = _header(scope, b"origin") or _header(scope, b"referer")
            if method == "POST" and not self.hosts.allows_origin(origin):
                self.on_refusal(f"refused a post from origin {origin!r}")
                await _refuse(send, 403, self.t("guard.origin"))
                return
            if method == "GET" and origin is not None and not self.hosts.allows_origin(origin):
                self.on_refusal(f"refused live updates for origin {origin!r}")
                await _refuse(send, 403, self.t("guard.origin"))
                return
        if method == "POST":
            length = _header(scope, b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await _refuse(send, 413, self.t("guard.size"))
                return
            client = (scope.get("client") or ("?", 0))[0]
            who = "|".join([client, *(_cookie(scope, name) for name in self.client_cookies)])
            if not self.rate.allow(who):
                self.on_refusal(f"slowed down a client at {client} posting too often")
                await _refuse(send, 429, self.t("guard.rate"))
                return
            receive = self._bounded(receive)
        address = (scope.get("client") or ("?", 0))[0]
        if _is_loopback(address):
            await self.app(scope, receive, send)
            return
        if self.open_by_address[address] >= self.max_open_per_address:
            self.on_refusal(f"refused a connection from {address}, which has"
                            f" {self.open_by_address[address]} open already")
            await _refuse(send, 503, self.t("guard.busy"))
            return
        self.open_by_address[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open_by_address[address] -= 1
            if self.open_by_address[address] <= 0:
                del self.open_by_address[address]

    def _bounded(self, receive: Receive) -> Receive:
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge()
            return message

        return bounded
