"""A light HTTP/1.1 load client for the benchmarks: JSON over kept-alive asyncio streams.

The clients of a benchmark share the machine with the server they measure;
a full client library costs about as much CPU a request as the server does,
which would be counted against the server. This one writes a request whose
body is serialized beforehand, reads the status line, the headers and the
body by its length, and nothing else.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, final
from urllib.parse import urlsplit


@final
class JsonConnection:
    """One kept-alive connection to ``base`` (``http://host:port``)."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(base)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"a benchmark client speaks to http://host:port, not {base!r}")
        self.host, self.port = parts.hostname, parts.port
        self._extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> JsonConnection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()

    @staticmethod
    def body(document: Any) -> bytes:
        """``document`` as a request body, to serialize before the clock starts."""
        return json.dumps(document, separators=(",", ":")).encode()

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """POST ``body`` (JSON bytes) to ``path``; the status and the response body."""
        assert self._reader is not None and self._writer is not None, "use async with"
        self._writer.write(
            (f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self._extra}"
             f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
            + body)
        status_line = await self._reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        status = int(status_line.split()[1])
        length = 0
        while (line := await self._reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, (await self._reader.readexactly(length)) if length else b""
