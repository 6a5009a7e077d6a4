"""``--http``: the hello and JSON apps under real servers, loaded by wrk.

Each (server, framework, workload) gets a server of its own on a free
port of 127.0.0.1, one worker: gunicorn's sync worker, gunicorn's gthread
worker with 4 threads, and granian's WSGI interface. Once it answers
right (the workload's check, over HTTP), wrk warms it up, then loads it
for a fixed time with ``--latency``. Requests per second are compared with
the raw-WSGI floor (:mod:`benchmarks.served`) of the same server and
round; the order of the frameworks rotates from round to round, so none
always runs first or last on a machine whose load drifts. wrk and the
server share this machine's CPUs, which the output says.

Every server is started in a process group of its own and that group is
killed when its measurement ends, whatever happens (Ctrl-C included).
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t

from . import frameworks
from .harness import Answer
from .workloads import WORKLOADS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: The frameworks loaded over HTTP; ``raw`` is the floor.
FRAMEWORKS = ("raw", "microweb", "microweb-proxy", "flask", "falcon", "bottle")
HTTP_WORKLOADS = ("hello", "json")
TARGET = "benchmarks.served:app"

#: The command of each server, given the port.
SERVERS: dict[str, t.Callable[[int], list[str]]] = {
    "gunicorn-sync": lambda port: [
        sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "sync",
        "--bind", f"127.0.0.1:{port}", "--log-level", "warning", TARGET,
    ],
    "gunicorn-gthread": lambda port: [
        sys.executable, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread",
        "--threads", "4", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", TARGET,
    ],
    "granian": lambda port: [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--no-access-log", TARGET,
    ],
}
#: The Python module each server needs.
SERVER_MODULES = {"gunicorn-sync": "gunicorn", "gunicorn-gthread": "gunicorn", "granian": "granian"}

#: wrk's connections: enough to keep a 4-thread worker busy.
CONNECTIONS = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """One server process group; a context manager that always stops it."""

    def __init__(self, server: str, framework: str, workload: str) -> None:
        self.port = free_port()
        self.log = tempfile.TemporaryFile(mode="w+")
        env = dict(
            os.environ,
            BENCH_FRAMEWORK=framework,
            BENCH_WORKLOAD=workload,
            PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
        )
        self.proc = subprocess.Popen(
            SERVERS[server](self.port), cwd=ROOT, env=env, stdout=self.log,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read()[-2000:]

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited ({self.proc.returncode}):\n{self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the server did not listen within {timeout} s:\n{self.output()}")

    def get(self, path: str) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return Answer(response.status, response.getheaders(), response.read())
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the whole group: SIGTERM, then SIGKILL for anything left of it."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                break  # no process of the group is left
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.proc.wait()
        self.log.close()


def parse_duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> dict[str, t.Any]:
    """Requests per second, p50 and p99 (ms), and errors from wrk's output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if rps is None:
        raise RuntimeError(f"wrk said:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.M))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    requests = re.search(r"(\d+) requests in", output)
    return {
        "rps": float(rps.group(1)),
        "p50_ms": parse_duration_ms(latency["50"]),
        "p99_ms": parse_duration_ms(latency["99"]),
        "requests": int(requests.group(1)) if requests else None,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }


def wrk(port: int, path: str, seconds: int) -> dict[str, t.Any]:
    proc = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 30,
    )
    return parse_wrk(proc.stdout + proc.stderr)


def path_of(workload: str) -> str:
    spec = WORKLOADS[workload].request
    return spec.path + (f"?{spec.query}" if spec.query else "")


def available(wanted: list[str] | None) -> tuple[list[str], list[str], list[str]]:
    """The servers and frameworks that can run here, and lines saying what is missing."""
    notes = []
    servers = []
    for server, module in SERVER_MODULES.items():
        if importlib.util.find_spec(module) is None:
            notes.append(f"{server}: skipped, not installed; pip install {module}")
        else:
            servers.append(server)
    names = ["raw"]
    for name in FRAMEWORKS[1:]:
        if wanted is not None and name not in wanted:
            continue
        try:
            frameworks.load(name)
        except frameworks.Unavailable as e:
            notes.append(f"{name}: skipped over HTTP, {e}")
        else:
            names.append(name)
    return servers, names, notes


def run(quick: bool, names: list[str] | None = None) -> dict[str, t.Any]:
    """Run every server, framework and workload; print and return the results."""
    # A SIGTERM ends the run as Ctrl-C does, through the servers' __exit__.
    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        return load_all(quick, names)
    finally:
        signal.signal(signal.SIGTERM, previous)


def terminate(signum: int, frame: t.Any) -> None:
    raise SystemExit(128 + signum)


def load_all(quick: bool, wanted: list[str] | None) -> dict[str, t.Any]:
    seconds, warmup, rounds = (1, 1, 1) if quick else (5, 2, 2)
    data: dict[str, t.Any] = {
        "settings": {"seconds": seconds, "warmup": warmup, "rounds": rounds,
                     "connections": CONNECTIONS, "wrk_threads": 1},
        "results": [], "summary": [], "errors": [], "frameworks": [],
    }
    if shutil.which("wrk") is None:
        print("\n--http needs wrk: apt-get install -y wrk (Debian's package)")
        data["errors"].append({"reason": "wrk is not installed"})
        return data
    servers, names, notes = available(wanted)
    data["frameworks"] = names
    print(f"\nOver HTTP: wrk -t1 -c{CONNECTIONS}, {warmup} s warm-up then {seconds} s, "
          f"{rounds} round(s), one worker per server on 127.0.0.1. The client and the "
          f"server share this machine ({os.cpu_count()} CPUs), and it is not idle: "
          "read ratios to the raw floor of the same round, not absolute numbers.")
    for line in notes:
        print(line)
    for rnd in range(rounds):
        order = names[rnd % len(names):] + names[:rnd % len(names)]
        for server in servers:
            for workload in HTTP_WORKLOADS:
                for name in order:
                    row: dict[str, t.Any] = {"round": rnd, "server": server,
                                             "workload": workload, "framework": name}
                    try:
                        with Server(server, name, workload) as s:
                            s.wait_ready()
                            spec = WORKLOADS[workload].request
                            WORKLOADS[workload].check(None, spec, s.get(path_of(workload)))  # type: ignore[arg-type]
                            wrk(s.port, path_of(workload), warmup)
                            row.update(wrk(s.port, path_of(workload), seconds))
                        row["status"] = "ok"
                    except Exception as e:
                        row.update(status="error", reason=f"{type(e).__name__}: {e}")
                        data["errors"].append(row)
                    data["results"].append(row)
                    print(f"  round {rnd + 1} {server:16} {workload:5} {name:15} "
                          + (f"{row['rps']:9.0f} req/s" if row["status"] == "ok"
                             else row["reason"].splitlines()[0]), flush=True)
    summarize(data)
    print_summary(data)
    return data


def summarize(data: dict[str, t.Any]) -> None:
    ok = [r for r in data["results"] if r["status"] == "ok"]
    floor = {(r["round"], r["server"], r["workload"]): r["rps"] for r in ok if r["framework"] == "raw"}
    for r in ok:
        base = floor.get((r["round"], r["server"], r["workload"]))
        r["ratio_to_raw"] = r["rps"] / base if base else None
    groups: dict[tuple[str, str, str], list[dict[str, t.Any]]] = {}
    for r in ok:
        groups.setdefault((r["server"], r["workload"], r["framework"]), []).append(r)
    for (server, workload, name), rows in groups.items():
        ratios = [r["ratio_to_raw"] for r in rows if r["ratio_to_raw"] is not None]
        data["summary"].append({
            "server": server, "workload": workload, "framework": name,
            "rps": statistics.median(r["rps"] for r in rows),
            "p50_ms": statistics.median(r["p50_ms"] for r in rows),
            "p99_ms": statistics.median(r["p99_ms"] for r in rows),
            "errors": sum(r["non_2xx"] + r["socket_errors"] for r in rows),
            "ratio_to_raw": statistics.median(ratios) if ratios else None,
            "rounds": len(rows),
        })


def print_summary(data: dict[str, t.Any]) -> None:
    from .report import table

    rows = []
    for r in sorted(data["summary"], key=lambda r: (r["server"], r["workload"],
                                                    data["frameworks"].index(r["framework"]))):
        rows.append([
            r["server"], r["workload"], r["framework"], f"{r['rps']:.0f}",
            f"{r['ratio_to_raw']:.2f}" if r["ratio_to_raw"] is not None else "-",
            f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", str(r["errors"]),
        ])
    print()
    print(table(["server", "workload", "framework", "req/s", "x raw", "p50 ms", "p99 ms",
                 "errors"], rows))
    print("(median over rounds; errors: non-2xx responses and socket errors, all rounds)")
