"""``--memory``: peak RSS after N requests, and how memory grows per 10,000 requests.

Each framework runs in a process of its own (``python -m
benchmarks.memory NAME N``), so no two share a heap. The process makes
the apps of the hello, JSON, form, session and hooks workloads, checks
their answers, sends 2,000 requests to warm up, then N more, cycling
through the five. It reports the peak resident set (``VmHWM``) and the
growth of the current one (``VmRSS``) and of the number of objects the
garbage collector tracks, from the end of the warm-up to the end, per
10,000 requests. A framework whose contexts leak nothing grows by about
zero; RSS moves by whole pages, so a few kB either way is noise.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import sys
import typing as t

from . import frameworks
from .harness import call_once, make_call
from .workloads import WORKLOADS

MIX = ("hello", "json", "form", "session", "hooks")
WARMUP = 2_000


def status_kb(field: str) -> int | None:
    """A ``/proc/self/status`` field in kB (None where there is no /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_kb() -> int:
    hwm = status_kb("VmHWM")
    if hwm is not None:
        return hwm
    # ru_maxrss is in kB on Linux, in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def current_kb() -> int:
    return status_kb("VmRSS") or peak_kb()


def measure(name: str, requests: int) -> dict[str, t.Any]:
    module = frameworks.load(name)
    calls = []
    for workload in MIX:
        if workload not in module.APPS:
            continue
        app = module.APPS[workload]()
        spec = WORKLOADS[workload].prepared(app)
        WORKLOADS[workload].check(app, spec, call_once(app, spec))
        calls.append(make_call(app, spec))
    for i in range(WARMUP):
        calls[i % len(calls)]()
    gc.collect()
    rss_before, objects_before = current_kb(), len(gc.get_objects())
    for i in range(requests):
        calls[i % len(calls)]()
    gc.collect()
    per_10k = 10_000 / requests
    return {
        "framework": name,
        "status": "ok",
        "requests": requests,
        "workloads": [w for w in MIX if w in module.APPS],
        "peak_rss_kb": peak_kb(),
        "rss_growth_kb_per_10k": (current_kb() - rss_before) * per_10k,
        "objects_growth_per_10k": (len(gc.get_objects()) - objects_before) * per_10k,
    }


def run(names: list[str], *, quick: bool, extra: dict[str, str] | None = None) -> list[dict[str, t.Any]]:
    """Measure each framework of *names* in its own process; print and return the rows."""
    from .report import table

    requests = 10_000 if quick else 50_000
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"\nMemory: {WARMUP:,} requests to warm up, then {requests:,} more, cycling through "
          f"{', '.join(MIX)}; one process per framework.")
    rows: list[dict[str, t.Any]] = []
    for name in names:
        if extra and name in extra:
            continue
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.memory", name, str(requests)],
            capture_output=True, text=True, cwd=root,
        )
        lines = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not lines:
            rows.append({"framework": name, "status": "error",
                         "reason": proc.stderr.strip()[-1000:]})
            print(f"{name}: ERROR\n{proc.stderr.strip()[-1000:]}")
            continue
        row = json.loads(lines[-1])
        if row["status"] == "skipped":
            print(f"{name}: skipped, {row['reason']}")
        rows.append(row)
    shown = [r for r in rows if r["status"] == "ok"]
    print(table(
        ["framework", "peak RSS MB", "RSS growth kB / 10k req", "objects growth / 10k req"],
        [[r["framework"], f"{r['peak_rss_kb'] / 1024:.1f}", f"{r['rss_growth_kb_per_10k']:+.0f}",
          f"{r['objects_growth_per_10k']:+.0f}"] for r in shown],
    ))
    return rows


def main() -> None:
    name, requests = sys.argv[1], int(sys.argv[2])
    try:
        row = measure(name, requests)
    except frameworks.Unavailable as e:
        row = {"framework": name, "status": "skipped", "reason": str(e)}
    print(json.dumps(row))


if __name__ == "__main__":
    main()
