"""Benchmark: concurrent image downloads from xeapp's image server next to nginx, on loopback.

Run from the repository root:

    .venv/bin/python tests/bench/bench_imageserver.py                # 20 x 1 GiB
    .venv/bin/python tests/bench/bench_imageserver.py --size-mib 64 --clients 4   # CI size

Both servers serve the same file from the same directory to the same client code: one thread
per download reading into a 1 MiB buffer. The xeapp server runs in a child process together
with a small asyncio HTTP endpoint standing in for the UI. The benchmark measures that
endpoint's latency during the load as a proxy for UI responsiveness, and the child's peak RSS.
nginx (from the OS packages) runs with its own configuration in a temporary directory,
listening on 127.0.0.1 only, and is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

IMAGE_NAME = "cat9k_iosxe.17.12.04.SPA.bin"
REPO_ROOT = Path(__file__).resolve().parents[2]

NGINX_CONF = """
worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        autoindex off;
    }}
}}
"""


@dataclass
class RunResult:
    name: str
    seconds: float
    bytes_total: int
    failures: list[str]
    peak_rss: int | None = None
    latencies: list[float] | None = None

    @property
    def rate(self) -> float:
        return self.bytes_total / self.seconds if self.seconds else 0.0


# Child process: the image server and a stand-in for the UI endpoint


async def _ping_handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve_ping(ready: threading.Event, holder: list[int]) -> None:
    server = await asyncio.start_server(_ping_handler, "127.0.0.1", 0)
    holder.append(server.sockets[0].getsockname()[1])
    ready.set()
    async with server:
        await server.serve_forever()


def serve(repo_dir: Path) -> None:
    """Run the image server and the ping endpoint until stdin closes."""
    sys.path.insert(0, str(REPO_ROOT))
    from xeapp.imageserver import ImageServer

    ready = threading.Event()
    holder: list[int] = []
    threading.Thread(target=asyncio.run, args=(_serve_ping(ready, holder),), daemon=True).start()
    ready.wait(10)
    with ImageServer(repo_dir, bind="127.0.0.1", port=0, fallback_port=None) as server:
        print(json.dumps({"port": server.port, "ping_port": holder[0]}), flush=True)
        sys.stdin.read()


# Clients


def download(port: int, size: int, deadline: float) -> int:
    """Download the image once; returns the body length. Raises on error or at the deadline."""
    request = f"GET /{IMAGE_NAME} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    buffer = bytearray(1 << 20)
    view = memoryview(buffer)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the response head")
            head += chunk
        head, _, first = head.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise ConnectionError(head.split(b"\r\n")[0].decode())
        received = len(first)
        while received < size:
            if time.monotonic() > deadline:
                raise TimeoutError(f"deadline passed at {received} of {size} bytes")
            count = sock.recv_into(view)
            if not count:
                break
            received += count
    if received != size:
        raise ConnectionError(f"received {received} of {size} bytes")
    return received


def run_downloads(name: str, port: int, clients: int, size: int, timeout: float) -> RunResult:
    deadline = time.monotonic() + timeout
    failures: list[str] = []
    totals: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            received = download(port, size, deadline)
        except (OSError, ConnectionError) as error:
            with lock:
                failures.append(str(error))
            return
        with lock:
            totals.append(received)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0) + 5)
    return RunResult(name, time.monotonic() - started, sum(totals), failures)


def ping(port: int) -> float:
    """Return the seconds one small GET takes, or infinity when it fails."""
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            response = b""
            while not response.endswith(b"ok"):
                chunk = sock.recv(1024)
                if not chunk:
                    return float("inf")
                response += chunk
    except OSError:
        return float("inf")
    return time.monotonic() - started


def probe_latency(port: int, stop: threading.Event, results: list[float]) -> None:
    """Time a small GET every 100 ms until `stop` is set."""
    while not stop.is_set():
        results.append(ping(port))
        stop.wait(0.1)


# Servers


def peak_rss(process: psutil.Process) -> int:
    """Return the peak resident set size: VmHWM on Linux, else the current RSS."""
    status = Path(f"/proc/{process.pid}/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return int(process.memory_info().rss)


def bench_xeapp(repo_dir: Path, clients: int, size: int, timeout: float) -> RunResult:
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(repo_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdin is not None
        ports = json.loads(child.stdout.readline())
        idle = min(ping(ports["ping_port"]) for _ in range(5))
        stop = threading.Event()
        latencies: list[float] = []
        prober = threading.Thread(target=probe_latency, args=(ports["ping_port"], stop, latencies))
        prober.start()
        result = run_downloads("xeapp", ports["port"], clients, size, timeout)
        stop.set()
        prober.join(10)
        result.peak_rss = peak_rss(psutil.Process(child.pid))
        result.latencies = latencies
        print(f"  ping latency idle: {idle * 1000:.1f} ms")
        return result
    finally:
        if child.stdin is not None:
            child.stdin.close()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bench_nginx(repo_dir: Path, clients: int, size: int, timeout: float) -> RunResult | None:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        print("nginx not found; install it from the OS packages to compare")
        return None
    with tempfile.TemporaryDirectory(prefix="xeapp-bench-nginx-") as tmp:
        port = free_port()
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=repo_dir))
        server = subprocess.Popen([nginx, "-p", tmp, "-c", str(conf)])
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            result = run_downloads("nginx", port, clients, size, timeout)
            processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children()]
            result.peak_rss = sum(peak_rss(p) for p in processes)
            return result
        finally:
            server.send_signal(signal.SIGQUIT)
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


# Report


def make_image(directory: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with open(directory / IMAGE_NAME, "wb") as image:
        remaining = size
        while remaining:
            count = min(remaining, len(block))
            image.write(block[:count])
            remaining -= count
    # Readable by the nginx worker user too.
    directory.chmod(0o755)
    (directory / IMAGE_NAME).chmod(0o644)


def print_result(result: RunResult, clients: int) -> None:
    print(
        f"  {result.name}: {result.bytes_total / 2**30:.2f} GiB in {result.seconds:.2f} s, "
        f"aggregate {result.rate / 1e6:.0f} MB/s, {clients - len(result.failures)}/{clients} "
        f"downloads complete"
    )
    if result.peak_rss is not None:
        print(f"  {result.name} peak RSS: {result.peak_rss / 2**20:.1f} MiB")
    if result.latencies:
        finite = sorted(x for x in result.latencies if x != float("inf"))
        if finite:
            p95 = finite[min(len(finite) - 1, int(len(finite) * 0.95))]
            print(
                f"  ping latency under load: {len(result.latencies)} probes, median "
                f"{statistics.median(finite) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
                f"max {finite[-1] * 1000:.1f} ms, failed {len(result.latencies) - len(finite)}"
            )
    for failure in result.failures[:5]:
        print(f"  failure: {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024, help="image size in MiB")
    parser.add_argument("--clients", type=int, default=20, help="concurrent downloads")
    parser.add_argument("--timeout", type=float, default=600, help="limit per run in seconds")
    parser.add_argument("--no-nginx", action="store_true", help="skip the nginx run")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of both servers")
    parser.add_argument("--nginx-first", action="store_true", help="start each round with nginx")
    parser.add_argument("--serve", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve))
        return 0

    size = args.size_mib * 2**20
    print(
        f"{args.clients} concurrent downloads of {args.size_mib} MiB over loopback, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {sys.platform}"
    )
    with tempfile.TemporaryDirectory(prefix="xeapp-bench-") as tmp:
        repo_dir = Path(tmp) / "repo"
        repo_dir.mkdir()
        Path(tmp).chmod(0o755)
        make_image(repo_dir, size)

        results: list[RunResult] = []
        for _ in range(args.repeat):
            # Alternating the order spreads page cache and CPU frequency effects over both.
            runs = ["xeapp", "nginx"] if not args.nginx_first else ["nginx", "xeapp"]
            for name in runs:
                if name == "xeapp":
                    result: RunResult | None = bench_xeapp(
                        repo_dir, args.clients, size, args.timeout
                    )
                elif args.no_nginx:
                    continue
                else:
                    result = bench_nginx(repo_dir, args.clients, size, args.timeout)
                if result is not None:
                    print_result(result, args.clients)
                    results.append(result)
            args.nginx_first = not args.nginx_first

    rates = {name: [r.rate for r in results if r.name == name] for name in ("xeapp", "nginx")}
    if rates["xeapp"] and rates["nginx"]:
        ratio = statistics.mean(rates["xeapp"]) / statistics.mean(rates["nginx"])
        print(f"  xeapp / nginx mean aggregate rate: {ratio:.2f}")
    return 0 if all(not r.failures for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
