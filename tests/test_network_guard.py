"""The network guard installed by tests/conftest.py blocks non-loopback traffic."""

from __future__ import annotations

import socket
import threading
import time

import pytest

BLOCKED = ("192.0.2.1", 80)  # TEST-NET-1 (RFC 5737): never routed


def test_guard_is_installed():
    assert hasattr(socket.socket.connect, "__wrapped__")
    assert hasattr(socket.create_connection, "__wrapped__")


def test_connect_to_remote_raises_without_touching_the_network():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        start = time.monotonic()
        with pytest.raises(RuntimeError, match=r"network access attempted: \('192\.0\.2\.1', 80\)"):
            s.connect(BLOCKED)
        assert time.monotonic() - start < 1.0
        # A real connect() would have auto-bound an ephemeral local port:
        # port 0 proves the connect syscall never ran (no SYN was sent).
        assert s.getsockname() == ("0.0.0.0", 0)
        with pytest.raises(OSError):
            s.getpeername()


def test_connect_ex_and_sendto_to_remote_raise():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        with pytest.raises(RuntimeError, match="network access attempted"):
            s.connect_ex(BLOCKED)
        assert s.getsockname() == ("0.0.0.0", 0)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        with pytest.raises(RuntimeError, match="network access attempted"):
            u.sendto(b"x", ("192.0.2.1", 53))
        assert u.getsockname() == ("0.0.0.0", 0)


def test_create_connection_and_name_lookup_raise():
    with pytest.raises(RuntimeError, match="network access attempted"):
        socket.create_connection(BLOCKED, timeout=10)
    with pytest.raises(RuntimeError, match="network access attempted"):
        socket.create_connection(("example.org", 443), timeout=10)
    with pytest.raises(RuntimeError, match="network access attempted: name lookup"):
        socket.getaddrinfo("example.org", 443)


def test_connect_by_hostname_raises():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(RuntimeError, match="network access attempted"),
    ):
        s.connect(("example.org", 80))


def test_ipv6_remote_raises():
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    except OSError:
        pytest.skip("no IPv6 sockets on this machine")
    with s, pytest.raises(RuntimeError, match="network access attempted"):
        s.connect(("2001:db8::1", 80, 0, 0))


def _echo_once(server: socket.socket) -> None:
    conn, _ = server.accept()
    with conn:
        conn.sendall(conn.recv(16))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_allowed(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        t = threading.Thread(target=_echo_once, args=(server,), daemon=True)
        t.start()
        with socket.create_connection((host, port), timeout=5) as c:
            c.sendall(b"ping")
            assert c.recv(16) == b"ping"
        t.join(5)


def test_loopback_connect_ex_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
            assert c.connect_ex(server.getsockname()) == 0


def test_ipv6_loopback_is_allowed():
    try:
        server = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        server.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with server:
        server.listen(1)
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as c:
            c.connect(server.getsockname())


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no AF_UNIX")
def test_unix_socket_is_allowed(tmp_path):
    path = str(tmp_path / "s.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as c:
            c.connect(path)


def test_child_python_processes_and_notebook_kernels_are_guarded_too() -> None:
    """nbval's kernels inherit the environment, so they get the guard as well."""
    import os
    import subprocess
    import sys

    probe = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except RuntimeError as exc:\n"
        "    print('refused:', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("refused: network access attempted"), out.stdout + out.stderr


def test_a_notebook_kernel_refuses_the_network() -> None:
    """A real kernel, started the way nbval starts one, refuses a connection."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3")
    try:
        reply = kc.execute_interactive(
            "import socket\nsocket.create_connection(('192.0.2.1', 80), timeout=1)",
            timeout=60,
        )
        content = reply["content"]
        assert content["status"] == "error"
        assert content["ename"] == "RuntimeError"
        assert "network access attempted" in content["evalue"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
