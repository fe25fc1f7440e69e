"""Cold start of `mock-server serve` to its first 200, beside a bare Starlette app.

    python benchmarks/cold_start_benchmark.py [--starts 7] [--compare-with DIR]

Each start is a new process, timed from spawning it to the first 200 answer: the sandbox
with all four APIs and demo data (`GET /afosto/cat/channels`, which also makes the demo
channels), and the bare app (`benchmarks/bare_app.py`, one route, served by uvicorn) with
`GET /items/1`. The servers take turns, in one run, each round in another order, so a
change of load on the machine moves all alike; the figures are the medians and ranges of
the starts and the ratio of the medians. Beside the wall-clock time, the processor time
each server's main thread used up to its first 200 is reported, which other load on the
machine moves less.

Python may keep compiled bytecode (as an installed package has it), and one start of each
server comes first and is not counted, so every counted start finds the cache folder
filled; the start that has to fill it is timed once, with an empty cache folder. Ends with
the resident memory of the sandbox once idle.

``--compare-with DIR`` adds a third series: the sandbox from another source tree (e.g. a
`git worktree` of the main branch), to compare a change with what it changes in one run.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SANDBOX_PATH = "/afosto/cat/channels"
SANDBOX_HEADERS = {"Authorization": "Bearer demo-afosto-token"}
BARE_PATH = "/items/1"
TARGET_SECONDS = 0.25
TARGET_RATIO = 2.0
IDLE_MEMORY_TARGET_MIB = 80
QUIET_LOAD = 1.0  # the highest load average (1 min) at which the absolute target is judged


@dataclass
class Start:
    """One start: seconds to the first 200, the processor time the server's main thread
    used for it, and its resident memory after idling (when asked for)."""

    seconds: float
    cpu: float
    memory: float | None = None


@dataclass
class Server:
    """How to start one server and what to ask it; the starts measured."""

    name: str
    command: list[str]  # with {port} where the port goes
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    source: Path = ROOT  # working folder, first on the module search path
    starts: list[Start] = field(default_factory=list)

    def start(self, environment: dict[str, str], idle: float = 0) -> Start:
        port = free_port()
        command = [part.replace("{port}", str(port)) for part in self.command]
        environment = {**environment, "PYTHONPATH": str(self.source)}
        return timed_start(command, self.source, port, self.path, self.headers, environment, idle)

    @property
    def median(self) -> float:
        return statistics.median(start.seconds for start in self.starts)

    @property
    def cpu_median(self) -> float:
        return statistics.median(start.cpu for start in self.starts)

    def spread(self) -> str:
        seconds = [start.seconds for start in self.starts]
        return f"{self.median:.3f} s ({min(seconds):.3f}–{max(seconds):.3f})"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_environment(**extra: str) -> dict[str, str]:
    """The benchmark's environment, with Python allowed to keep compiled bytecode."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**environment, **extra}


def sandbox(name: str, source: Path = ROOT) -> Server:
    command = [sys.executable, "-m", "mock_server", "serve", "--port", "{port}", "--log-level", "warning"]
    return Server(name, command, SANDBOX_PATH, SANDBOX_HEADERS, source)


def bare() -> Server:
    command = [
        sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app",
        "--port", "{port}", "--log-level", "warning", "--no-access-log",
    ]
    return Server("bare", command, BARE_PATH)


def first_ok(port: int, path: str, headers: dict[str, str], process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait for a 200 to `GET path`, trying to connect every 2 ms; raise if the server died."""
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
                connection.sendall(request)
                status_line = connection.makefile("rb").readline()
        except (ConnectionRefusedError, ConnectionResetError):
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode} before answering")
            time.sleep(0.002)
            continue
        if status_line.split()[1:2] == [b"200"]:
            return
        raise RuntimeError(f"GET {path} answered {status_line.decode(errors='replace').strip()!r}")
    raise RuntimeError(f"no answer from port {port} within {timeout:g} s")


def cpu_seconds(pid: int) -> float:
    """Time the process's main thread has run on a processor (Linux: /proc/PID/schedstat)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024


def timed_start(
    command: list[str], cwd: Path, port: int, path: str, headers: dict[str, str], environment: dict[str, str], idle: float
) -> Start:
    """Start ``command`` and wait for its first 200 to ``GET path``."""
    spawned = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        first_ok(port, path, headers, process)
        start = Start(time.perf_counter() - spawned, cpu_seconds(process.pid))
        if idle:
            time.sleep(idle)
            start.memory = rss_mib(process.pid)
        return start
    except RuntimeError as error:
        process.kill()
        raise RuntimeError(f"{' '.join(command[1:4])}: {error}\n{process.communicate()[1].decode(errors='replace')}") from None
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait()


@dataclass
class Result:
    bare: Server
    sandbox: Server
    others: list[Server]
    first_start: float  # seconds, with an empty cache folder
    idle_memory: float  # MiB
    load: float  # the higher load average (1 min) of the run's start and end

    @property
    def ratio(self) -> float:
        return self.sandbox.median / self.bare.median


def measure(starts: int, compare_with: list[Path]) -> Result:
    """Starts of every server in turn; the first start with an empty cache; idle memory."""
    load_before = os.getloadavg()[0]
    environment = child_environment()
    reference, measured = bare(), sandbox("sandbox")
    others = [sandbox(f"sandbox from {folder}", folder) for folder in compare_with]
    servers = [reference, measured, *others]
    for server in servers:
        server.start(environment)  # warm-up: bytecode compiled, the cache folder filled
    with tempfile.TemporaryDirectory() as empty_cache:
        first_start = measured.start(child_environment(XDG_CACHE_HOME=empty_cache)).seconds
    for round_number in range(starts):
        # Each round in another order: no server always starts just after the same other one.
        turn = round_number % len(servers)
        order = servers[turn:] + servers[:turn]
        if round_number // len(servers) % 2:
            order.reverse()
        for server in order:
            server.starts.append(server.start(environment))
    idle_memory = measured.start(environment, idle=1.0).memory
    return Result(reference, measured, others, first_start, idle_memory, max(load_before, os.getloadavg()[0]))


def summary_rows(result: Result) -> list[tuple[str, str, str]]:
    """(measure, figure, target) rows, as `serve_benchmark.py` writes them into results.md."""
    measured, reference = result.sandbox, result.bare
    ratio = f"≤ {TARGET_RATIO:g}× bare: {'met' if result.ratio <= TARGET_RATIO else 'NOT met'}"
    if result.load > QUIET_LOAD:
        absolute = f"≤ {TARGET_SECONDS} s on a quiet machine: not judged (load average {result.load:.1f})"
    else:
        absolute = f"≤ {TARGET_SECONDS} s: {'met' if measured.median <= TARGET_SECONDS else 'NOT met'}"
    rows = [
        (
            f"bare Starlette app started by uvicorn, to first 200 (median of {len(reference.starts)})",
            reference.spread(),
            "reference",
        ),
        (
            f"cold start to first 200 (all four APIs, demo data; median of {len(measured.starts)})",
            f"{measured.spread()}, {result.ratio:.2f}× bare",
            f"{ratio}; {absolute}",
        ),
        (
            "processor time to first 200, sandbox / bare (medians; less moved by other load)",
            f"{measured.cpu_median:.3f} s / {reference.cpu_median:.3f} s, {measured.cpu_median / reference.cpu_median:.2f}×",
            "",
        ),
    ]
    for other in result.others:
        rows.append((
            f"{other.name}: cold start (median of {len(other.starts)}); processor time",
            f"{other.spread()}, {other.median / reference.median:.2f}× bare; {other.cpu_median:.3f} s",
            "comparison",
        ))
    rows += [
        (
            "cold start that fills an empty cache folder (once per installed version)",
            f"{result.first_start:.3f} s",
            "",
        ),
        (
            "resident memory when idle (demo data)",
            f"{result.idle_memory:.0f} MiB",
            f"≤ {IDLE_MEMORY_TARGET_MIB} MiB: {'met' if result.idle_memory <= IDLE_MEMORY_TARGET_MIB else 'NOT met'}",
        ),
    ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--starts", type=int, default=7, help="counted starts of each server (at least 5; default 7)")
    parser.add_argument(
        "--compare-with", type=Path, action="append", default=[], metavar="DIR",
        help="also start the sandbox from this source tree (repeatable)",
    )
    args = parser.parse_args()
    if args.starts < 5:
        parser.error("--starts must be at least 5")
    for folder in args.compare_with:
        if not (folder / "mock_server" / "__main__.py").is_file():
            parser.error(f"{folder} holds no mock_server package")
    result = measure(args.starts, [folder.resolve() for folder in args.compare_with])
    for server in (result.bare, result.sandbox, *result.others):
        print(f"{server.name} starts (s): {' '.join(f'{start.seconds:.3f}' for start in server.starts)}")
    rows = summary_rows(result)
    width = max(len(row[0]) for row in rows)
    for label, figure, target in rows:
        print(f"{label:<{width}}  {figure:<40} {target}")
    print(f"load average at the end: {' '.join(f'{load:.2f}' for load in os.getloadavg())} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
