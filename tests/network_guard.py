"""A guard that forbids network access: any attempt to reach a non-loopback
address fails loudly with ``RuntimeError("network access attempted: ...")``.

Allowed: 127.0.0.0/8, ::1 (and ::ffff:127.x.x.x), the names ``localhost`` /
``*.localhost``, and AF_UNIX sockets. Patched: ``socket.socket.connect``,
``connect_ex`` and ``sendto`` (so also ssl and asyncio sockets, which subclass or
use ``socket.socket``), ``socket.create_connection`` and ``socket.getaddrinfo``
(name lookups other than loopback names and numeric addresses).

``tests/conftest.py`` installs it in the pytest process, and through
``tests/kernel_site/sitecustomize.py`` in every Python process the test run
starts, notebook kernels included.
"""

from __future__ import annotations

import ipaddress
import socket

_LOOPBACK_NAMES = {"localhost", "ip6-localhost", "ip6-loopback"}
_originals: dict[str, object] = {}
_METHODS = ("connect", "connect_ex", "sendto")
_own_methods: set[str] = set()  # methods socket.socket defines itself (not inherited)


def _is_loopback_host(host) -> bool:
    """True for loopback IP literals and loopback names; False for anything else."""
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip().rstrip(".").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _is_ip_literal(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def _check_address(sock: socket.socket, address) -> None:
    family = sock.family
    if getattr(socket, "AF_UNIX", None) is not None and family == socket.AF_UNIX:
        return
    inet = family in (socket.AF_INET, socket.AF_INET6)
    if inet and isinstance(address, tuple) and address and _is_loopback_host(address[0]):
        return
    raise RuntimeError(f"network access attempted: {address!r}")


def _guarded_connect(self, address):
    _check_address(self, address)
    return _originals["connect"](self, address)


def _guarded_connect_ex(self, address):
    _check_address(self, address)
    return _originals["connect_ex"](self, address)


def _guarded_sendto(self, data, *args):
    # sendto(data, address) or sendto(data, flags, address)
    if args:
        _check_address(self, args[-1])
    return _originals["sendto"](self, data, *args)


def _guarded_create_connection(address, *args, **kwargs):
    host = address[0] if isinstance(address, tuple) and address else address
    if not _is_loopback_host(host):
        raise RuntimeError(f"network access attempted: {address!r}")
    return _originals["create_connection"](address, *args, **kwargs)


def _guarded_getaddrinfo(host, *args, **kwargs):
    # None/"" (wildcard for bind) and numeric addresses need no name lookup;
    # numeric non-loopback addresses are then stopped at connect().
    if host in (None, "", b"") or _is_loopback_host(host) or _is_ip_literal(host):
        return _originals["getaddrinfo"](host, *args, **kwargs)
    raise RuntimeError(f"network access attempted: name lookup of {host!r}")


def install_network_guard() -> None:
    if _originals:
        return
    _originals.update(
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        sendto=socket.socket.sendto,
        create_connection=socket.create_connection,
        getaddrinfo=socket.getaddrinfo,
    )
    _own_methods.update(n for n in _METHODS if n in vars(socket.socket))
    for name, fn in (
        ("connect", _guarded_connect),
        ("connect_ex", _guarded_connect_ex),
        ("sendto", _guarded_sendto),
    ):
        fn.__wrapped__ = _originals[name]
        setattr(socket.socket, name, fn)
    _guarded_create_connection.__wrapped__ = _originals["create_connection"]
    _guarded_getaddrinfo.__wrapped__ = _originals["getaddrinfo"]
    socket.create_connection = _guarded_create_connection
    socket.getaddrinfo = _guarded_getaddrinfo


def uninstall_network_guard() -> None:
    if not _originals:
        return
    for name in _METHODS:
        if name in _own_methods:
            setattr(socket.socket, name, _originals[name])
        else:
            delattr(socket.socket, name)  # inherited from _socket.socket again
    _own_methods.clear()
    socket.create_connection = _originals["create_connection"]
    socket.getaddrinfo = _originals["getaddrinfo"]
    _originals.clear()
