"""Port fallback of the image server when the OS refuses the preferred port."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from xeapp.errors import ImageError
from xeapp.imageserver import ImageServer

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def busy_port() -> Iterator[int]:
    """Yield a loopback port that another socket is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        yield holder.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_preferred_port_bound(tmp_path: Path) -> None:
    port = free_port()
    with ImageServer(tmp_path, bind="127.0.0.1", port=port, fallback_port=None) as server:
        assert server.port == port
        assert server.fallback_reason is None


def test_busy_port_uses_fallback(tmp_path: Path, busy_port: int) -> None:
    fallback = free_port()
    with ImageServer(tmp_path, bind="127.0.0.1", port=busy_port, fallback_port=fallback) as server:
        assert server.port == fallback
        assert server.fallback_reason is not None
        assert f"port {busy_port} refused" in server.fallback_reason
        assert "another program" in server.fallback_reason


def test_both_busy_uses_free_port(tmp_path: Path, busy_port: int) -> None:
    with socket.socket() as second:
        second.bind(("127.0.0.1", 0))
        second.listen(1)
        second_port = second.getsockname()[1]
        server = ImageServer(tmp_path, bind="127.0.0.1", port=busy_port, fallback_port=second_port)
        with server:
            assert server.port not in (busy_port, second_port)
            assert server.fallback_reason is not None
            assert f"port {second_port} refused" in server.fallback_reason


def test_fallback_port_serves(tmp_path: Path, busy_port: int) -> None:
    (tmp_path / "a.bin").write_bytes(b"abc")
    with ImageServer(tmp_path, bind="127.0.0.1", port=busy_port, fallback_port=None) as server:
        assert server.port is not None
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(b"GET /a.bin HTTP/1.0\r\n\r\n")
            assert sock.recv(100).startswith(b"HTTP/1.1 200")


def test_unusable_address_raises(tmp_path: Path) -> None:
    # 192.0.2.1 (TEST-NET-1, RFC 5737) is not assigned to this machine, so bind fails.
    with pytest.raises(ImageError, match="cannot listen"):
        ImageServer(tmp_path, bind="192.0.2.1", port=0).start()


def test_copy_url_needs_running(tmp_path: Path) -> None:
    server = ImageServer(tmp_path, bind="127.0.0.1", port=0)
    with pytest.raises(ImageError, match="not running"):
        server.copy_url("127.0.0.1", "a.bin")


def test_stop_restart_same_port(tmp_path: Path) -> None:
    server = ImageServer(tmp_path, bind="127.0.0.1", port=0, fallback_port=None).start()
    port = server.port
    server.stop()
    assert not server.running
    restarted = ImageServer(tmp_path, bind="127.0.0.1", port=port or 0, fallback_port=None)
    with restarted:
        assert restarted.port == port


BIND_AS_USER = """
import json, sys
from pathlib import Path
from xeapp.imageserver import ImageServer
with ImageServer(Path("/nonexistent"), bind="127.0.0.1", port=80, fallback_port=0) as server:
    print(json.dumps({"port": server.port, "reason": server.fallback_reason}))
"""


def _privileged_port_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024


def _world_executable(path: str) -> bool:
    """Tell whether any user can run `path`: every directory on the way is searchable by all."""
    real = Path(os.path.realpath(path))
    if not real.is_file() or not real.stat().st_mode & stat.S_IXOTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in real.parents)


def _interpreter_for_nobody() -> str | None:
    for candidate in (sys.executable, "/usr/bin/python3"):
        if _world_executable(candidate):
            return candidate
    return None


@pytest.mark.skipif(sys.platform != "linux", reason="runs the server as the Linux user nobody")
def test_port_80_without_privilege(tmp_path: Path) -> None:
    """Binding port 80 as an unprivileged user fails with EACCES and falls back."""
    if _privileged_port_start() <= 80:
        pytest.skip("this kernel lets every user bind port 80 (ip_unprivileged_port_start)")
    if os.geteuid() != 0:
        pytest.skip("needs root to start the server as the user nobody")
    interpreter = _interpreter_for_nobody()
    if interpreter is None:
        pytest.skip("no Python interpreter that the user nobody may run")
    result = subprocess.run(
        [interpreter, "-c", BIND_AS_USER],
        user="nobody",
        cwd="/",
        env={"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    bound = json.loads(result.stdout)
    assert bound["port"] != 80
    assert "port 80 refused: permission denied" in bound["reason"]
