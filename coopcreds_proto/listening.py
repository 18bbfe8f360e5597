"""The listening socket the workbench's servers (the workshop app, the services) accept on.

Bound and listening before the server prints its address, so a quick client
queues instead of being refused, and with ``TCP_NODELAY``, which accepted
connections inherit: the servers write a response's head and body in two
sends, and with Nagle's algorithm on, a client on a kept-alive connection
would wait for its delayed acknowledgement (about 40 ms) before each response
after its first.

>>> with listening_socket("127.0.0.1", 0) as sock:
...     port = sock.getsockname()[1]
...     0 < port < 65536, sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
(True, True)
"""

from __future__ import annotations

import socket

from .errors import require_type

DEFAULT_BACKLOG = 2048


def listening_socket(host: str, port: int, *, backlog: int = DEFAULT_BACKLOG) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (0: any free port) and listening.

    IPv6 when ``host`` is an IPv6 literal. Raises ``OSError`` (the port is in
    use, the address is not this machine's) with the socket closed.
    """
    require_type(host, str, "host")
    require_type(port, int, "port")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock
