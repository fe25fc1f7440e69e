"""Start-up, throughput, latency and memory of the sandbox, next to a bare Starlette app.

    python benchmarks/serve_benchmark.py [--seconds 10] [--connections 32]

Needs `wrk` on the PATH for the load (Debian: apt install wrk). Prints one figure per line
and the targets they are held to. Both servers run in one uvicorn worker on loopback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AFOSTO = {"Authorization": "Bearer demo-afosto-token"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as response:
        return response.status, response.read()


def wait_for(url: str, headers: dict | None = None, timeout: float = 30) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if request(url, headers=headers)[0] == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"no answer from {url}")


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def wrk(url: str, seconds: int, connections: int, headers: dict | None = None) -> tuple[float, float]:
    """Requests per second and p99 latency in ms."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command[1:1] = ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def start(command: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--objects", type=int, default=100_000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for the load (apt install wrk)")

    port = free_port()
    bare = start([sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app", "--port", str(port), "--log-level", "warning", "--no-access-log"])
    try:
        wait_for(f"http://127.0.0.1:{port}/items/1")
        bare_rps, bare_p99 = wrk(f"http://127.0.0.1:{port}/items/1", args.seconds, args.connections)
        bare_rss = rss_mib(bare.pid)
    finally:
        bare.terminate()
        bare.wait()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    spawned = time.perf_counter()
    sandbox = start([sys.executable, "-m", "mock_server", "serve", "--port", str(port), "--log-level", "warning"])
    try:
        wait_for(f"{base}/afosto/cat/channels", AFOSTO)
        cold_start = time.perf_counter() - spawned
        time.sleep(1)
        idle_rss = rss_mib(sandbox.pid)
        channel = json.loads(request(f"{base}/afosto/cat/channels", headers=AFOSTO)[1])[0]["id"]
        url = f"{base}/afosto/cat/channels/{channel}"
        rps, p99 = wrk(url, args.seconds, args.connections, AFOSTO)

        objects = [{"id": f"00000000-0000-4000-8000-{n:012d}", "name": f"Channel {n}", "type": "web"} for n in range(args.objects)]
        fixture = json.dumps({"afosto": {"data": {"demo": {"/cat/channels": objects}}}}).encode()
        request(f"{base}/__admin/requests", "DELETE")
        before = rss_mib(sandbox.pid)
        request(f"{base}/__admin/fixtures", "POST", fixture, {"content-type": "application/json"})
        del fixture, objects
        time.sleep(1)
        loaded_rss = rss_mib(sandbox.pid)
        timings = {}
        for page in (1, args.objects // 25):
            started = time.perf_counter()
            for _ in range(20):
                request(f"{base}/afosto/cat/channels", headers={**AFOSTO, "x-page": str(page), "x-page-size": "25"})
            timings[page] = (time.perf_counter() - started) / 20 * 1000
    finally:
        sandbox.terminate()
        sandbox.wait()

    print(f"bare Starlette handler        {bare_rps:10.0f} req/s   p99 {bare_p99:6.2f} ms   {bare_rss:5.0f} MiB")
    print(f"sandbox GET by id (auth, validation, journal) {rps:10.0f} req/s   p99 {p99:6.2f} ms")
    print(f"  share of bare throughput    {rps / bare_rps:10.0%}   (target >= 50 %; p99 target <= 5 ms)")
    print(f"cold start to first 200       {cold_start:10.2f} s      (target <= 1.0 s, all four APIs, demo data)")
    print(f"resident when idle            {idle_rss:10.0f} MiB    (target <= 100 MiB)")
    print(f"{args.objects} more objects cost   {loaded_rss - before:10.0f} MiB    (target <= 200 MiB)")
    first, last = timings[1], timings[args.objects // 25]
    print(f"list page 1 / page {args.objects // 25}         {first:6.2f} ms / {last:6.2f} ms  (O(page): both small, alike)")


if __name__ == "__main__":
    main()
