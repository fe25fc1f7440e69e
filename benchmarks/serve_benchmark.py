"""Start-up, throughput, latency and memory of the sandbox, next to a bare Starlette app.

    python benchmarks/serve_benchmark.py [--seconds 10] [--connections 32] [--out benchmarks/results.md]

Needs `wrk` on the PATH for the load (Debian: apt install wrk). Both servers run in one
uvicorn worker each on loopback, side by side in the same run, and each sandbox figure is
compared with the bare handler measured just before and just after it. The
sandbox runs with authentication, validation and the journal on, and with answers never
reused (`benchmarks/sandbox_app.py`), so every request takes the whole request path.
The stateful GET is measured twice: every request for one stored id (what this benchmark
measured first, and what flatters every memo on the way), and spread at random over
`SPREAD_IDS` stored ids (the figure the target is for). Cold start comes from
`cold_start_benchmark.py`, beside a bare app's start in the same run.
Prints a table and writes it, with the machine and the date, to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import cold_start_benchmark  # beside this script, so on its module search path

ROOT = Path(__file__).resolve().parents[1]
AFOSTO = {"Authorization": "Bearer demo-afosto-token"}
# Shares of the bare handler's requests per second (product.md); the one-id GET has none.
TARGETS = {"get": None, "get_spread": 0.70, "post": 0.50, "list": 0.40}
P99_TARGET_MS = 5.0
SPREAD_IDS = 10_000
SPREAD_ID_FORMAT = "00000000-0000-4000-9000-%012d"  # ids of the stored channels the spread GET asks for


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
            time.sleep(0.005)
    raise RuntimeError(f"no answer from {url}")


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def wrk(url: str, seconds: int, connections: int, headers: dict | None = None, script: str | None = None) -> tuple[float, float]:
    """Requests per second and p99 latency in ms."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(lua.name)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed answers from {url}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return rps, float(p99.group(1)) * scale


def start(command: list[str], env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def uvicorn(app: str, port: int, env: dict | None = None) -> subprocess.Popen:
    return start(
        [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning", "--no-access-log"], env
    )


POST_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"name": "Webshop", "type": "web"}'
wrk.headers["Content-Type"] = "application/json"
"""

# Each request asks for one of the stored channels, chosen at random.
SPREAD_SCRIPT = f"""
request = function()
  local id = string.format("{SPREAD_ID_FORMAT}", math.random(0, {SPREAD_IDS - 1}))
  return wrk.format("GET", "/afosto/cat/channels/" .. id)
end
"""


def spread_channels() -> bytes:
    """A fixture of `SPREAD_IDS` channels with the ids the spread GET asks for."""
    channels = [{"id": SPREAD_ID_FORMAT % n, "name": f"Channel {n}", "type": "web"} for n in range(SPREAD_IDS)]
    return json.dumps({"afosto": {"data": {"demo": {"/cat/channels": channels}}}}).encode()


def measure(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    # Cold start of the real command beside a bare app's start; then its memory once idle.
    cold = cold_start_benchmark.measure(args.starts, [])

    # Both servers run side by side; each sandbox figure is taken between two figures of the
    # bare handler and compared with their mean, so a change of load on the machine during
    # the run moves both alike.
    bare_port, port = free_port(), free_port()
    bare = uvicorn("benchmarks.bare_app:app", bare_port)
    sandbox = uvicorn("benchmarks.sandbox_app:app", port, {"BENCHMARK_NO_REUSE": "1"})
    base = f"http://127.0.0.1:{port}"
    bare_url = f"http://127.0.0.1:{bare_port}/items/1"
    try:
        wait_for(bare_url)
        wait_for(f"{base}/afosto/cat/channels", AFOSTO)
        channels = [{"name": f"Channel {n}", "type": "web"} for n in range(100)]
        request(f"{base}/__admin/fixtures", "POST", json.dumps({"afosto": {"data": {"demo": {"/cat/channels": channels}}}}).encode(), {"content-type": "application/json"})
        channel = json.loads(request(f"{base}/afosto/cat/channels", headers=AFOSTO)[1])[0]["id"]
        def stored_spread() -> None:
            """Only the channels the spread GET asks for (the POSTs' gone)."""
            request(f"{base}/__admin/reset", "POST")
            request(f"{base}/__admin/fixtures", "POST", spread_channels(), {"content-type": "application/json"})

        loads = {
            "get": (f"{base}/afosto/cat/channels/{channel}", AFOSTO, None, None),
            "list": (f"{base}/afosto/cat/channels", {**AFOSTO, "x-page-size": "25"}, None, None),
            "post": (f"{base}/afosto/cat/channels", AFOSTO, POST_SCRIPT, None),
            "get_spread": (f"{base}/afosto/cat/channels", AFOSTO, SPREAD_SCRIPT, stored_spread),
        }
        bares = [wrk(bare_url, args.seconds, args.connections)]
        measured = {}
        for name, (url, headers, script, prepare) in loads.items():
            if prepare is not None:
                prepare()
            measured[name] = wrk(url, args.seconds, args.connections, headers, script)
            bares.append(wrk(bare_url, args.seconds, args.connections))
        request(f"{base}/__admin/reset", "POST")
        request(f"{base}/__admin/requests", "DELETE")
        objects = [{"id": f"00000000-0000-4000-8000-{n:012d}", "name": f"Channel {n}", "type": "web"} for n in range(args.objects)]
        fixture = json.dumps({"afosto": {"data": {"demo": {"/cat/channels": objects}}}}).encode()
        time.sleep(0.5)
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
        for server in (bare, sandbox):
            server.terminate()
            server.wait()

    bare_rps = [rps for rps, _ in bares]
    bare_p99 = max(p99 for _, p99 in bares)
    rows.append((
        "bare Starlette handler (a dict by id)",
        f"{min(bare_rps):,.0f}–{max(bare_rps):,.0f} req/s over the run, p99 ≤ {bare_p99:.2f} ms",
        "reference",
    ))
    labels = {
        "get": "stateful GET by id, every request the same id (auth, validation, journal; answer not reused)",
        "get_spread": f"stateful GET by id, spread at random over {SPREAD_IDS:,} stored ids (answer not reused)",
        "post": "POST create (JSON body validated, stored, announced)",
        "list": "list page of 25 objects",
    }
    for position, name in enumerate(loads):
        rps, p99 = measured[name]
        reference = (bare_rps[position] + bare_rps[position + 1]) / 2
        share = rps / reference
        target = TARGETS[name]
        if target is None:
            verdict = f"beside the spread GET (one hot path flatters every memo); p99 ≤ {P99_TARGET_MS:g} ms: {'met' if p99 <= P99_TARGET_MS else 'NOT met'}"
        else:
            met = share >= target and p99 <= P99_TARGET_MS
            verdict = f"≥ {target:.0%}, p99 ≤ {P99_TARGET_MS:g} ms: {'met' if met else 'NOT met'}"
        rows.append((labels[name], f"{rps:,.0f} req/s ({share:.0%} of bare), p99 {p99:.2f} ms", verdict))
    rows.extend(cold_start_benchmark.summary_rows(cold))
    more = loaded_rss - before
    rows.append((f"{args.objects:,} more stored objects", f"+{more:.0f} MiB", f"≤ 200 MiB: {'met' if more <= 200 else 'NOT met'}"))
    first, last = timings[1], timings[args.objects // 25]
    rows.append((f"list page 1 / page {args.objects // 25:,}", f"{first:.2f} ms / {last:.2f} ms", "O(page): alike"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--starts", type=int, default=5, help="cold starts of each server (at least 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.md", help="where the table is written")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed for the load (apt install wrk)")
    load_before = os.getloadavg()[0]
    rows = measure(args)
    load_after = os.getloadavg()[0]
    width = max(len(row[0]) for row in rows)
    for label, figure, target in rows:
        print(f"{label:<{width}}  {figure:<48} {target}")
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    table = [
        "# Benchmark results",
        "",
        f"Measured {when} by `python benchmarks/serve_benchmark.py` ({machine}; wrk, 1 thread, "
        f"{args.connections} connections, {args.seconds} s per figure, one uvicorn worker per server, in one run). "
        f"Load average (1 min) at the start {load_before:.1f}, at the end {load_after:.1f}"
        + (f": the machine was busy with other work, so the figures are lower and noisier than on a quiet one." if max(load_before, load_after) > 1.5 else "."),
        "",
        "| measure | result | target |",
        "|---|---|---|",
        *(f"| {label} | {figure} | {target} |" for label, figure, target in rows),
        "",
    ]
    args.out.write_text("\n".join(table), encoding="utf-8")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
