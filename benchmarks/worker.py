"""Measure one framework in a process of its own.

``python -m benchmarks`` starts one worker per framework, so that no
framework is timed in a heap (and under a garbage collector) filled by the
others' imports, and an explicit microweb app never loads
``microweb.compat``. The worker reads its task as JSON from ``argv[1]``
and prints its results as one JSON line.
"""

from __future__ import annotations

import json
import math
import sys
import time
import traceback
import typing as t

from . import frameworks
from .harness import CheckError, RequestSpec, call_once, count_calls, floor_app, make_call, measure
from .workloads import WORKLOADS, route_answer


def run_workload(module: t.Any, name: str, settings: dict[str, t.Any]) -> dict[str, t.Any]:
    """Check and time *module*'s app for the workload *name*."""
    workload = WORKLOADS[name]
    result: dict[str, t.Any] = {"workload": name, "framework": module.NAME}
    create = module.APPS.get(name)
    if create is None or (workload.only is not None and module.NAME not in workload.only):
        return {**result, "status": "n/a"}
    try:
        app = create()
        spec = workload.prepared(app)
        workload.check(app, spec, call_once(app, spec))
    except frameworks.Unavailable as e:
        return {**result, "status": "skipped", "reason": str(e)}
    except CheckError as e:
        return {**result, "status": "error", "reason": f"wrong answer: {e}"}
    except Exception as e:
        return {**result, "status": "error", "reason": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc()}
    call = make_call(app, spec)
    timing = measure(
        call, repeats=settings["repeats"], seconds=settings["seconds"], warmup=settings["warmup"]
    )
    # The answer once more after the timing: a framework that breaks after
    # many requests (a cache, a leak) is an error too.
    try:
        workload.check(app, spec, call_once(app, spec))
    except CheckError as e:
        return {**result, "status": "error", "reason": f"wrong answer after timing: {e}"}
    return {
        **result,
        "status": "ok",
        **timing.as_dict(),
        "samples_us": timing.samples,
        "calls": count_calls(call) - settings["harness_calls"],
    }


def run_scaling(module: t.Any, settings: dict[str, t.Any]) -> list[dict[str, t.Any]]:
    """Per-request cost and start-up time of apps of growing numbers of routes."""
    rows: list[dict[str, t.Any]] = []
    measured: list[tuple[int, float]] = []  # (routes, start-up ms)
    for count in settings["sizes"]:
        row: dict[str, t.Any] = {"framework": module.NAME, "routes": count}
        guess = predicted_startup_ms(measured, count)
        if guess > settings["startup_budget_s"] * 1000:
            # Some routers rebuild their tables on every route added; an app
            # of 10,000 such routes would take the whole run.
            rows.append({**row, "status": "skipped",
                         "reason": f"start-up would take about {guess / 1000:.0f} s, at the "
                                   "rate it grew until now"})
            break
        try:
            # Start-up: make the app, register the routes, serve the first
            # request (which freezes it); the median of 3 below 10,000 routes.
            startups = []
            for _ in range(3 if count < 10_000 else 1):
                holder: dict[str, t.Any] = {}
                first = make_call(lambda e, s: holder["app"](e, s), RequestSpec(f"/r{count - 1}/x"))
                started = time.perf_counter_ns()
                holder["app"] = module.routes(count)
                first()
                startups.append((time.perf_counter_ns() - started) / 1e6)
            row["startup_ms"] = sorted(startups)[len(startups) // 2]
            measured.append((count, row["startup_ms"]))
            app = holder["app"]
            hits = {"last": count - 1, "middle": count // 2}
            for hit, i in hits.items():
                spec = RequestSpec(f"/r{i}/x")
                answer = call_once(app, spec)
                if answer.status != 200 or answer.body != route_answer(i, "x").encode():
                    raise CheckError(f"/r{i}/x answered {answer.status} {answer.body[:100]!r}")
                timing = measure(
                    make_call(app, spec),
                    repeats=settings["repeats"],
                    seconds=settings["seconds"],
                    warmup=settings["warmup"],
                )
                row[f"{hit}_us"] = timing.median
                row[f"{hit}_spread_us"] = [min(timing.samples), max(timing.samples)]
            row["status"] = "ok"
        except CheckError as e:
            row.update(status="error", reason=f"wrong answer: {e}")
        except Exception as e:
            row.update(status="error", reason=f"{type(e).__name__}: {e}")
        rows.append(row)
    return rows


def predicted_startup_ms(measured: list[tuple[int, float]], count: int) -> float:
    """Extrapolate start-up to *count* routes from the sizes measured so far.

    It is assumed to grow as a power of the number of routes: the power seen
    between the last two sizes, and at least linearly.
    """
    if not measured:
        return 0.0
    n1, ms1 = measured[-1]
    power = 1.0
    if len(measured) >= 2:
        n0, ms0 = measured[-2]
        if ms0 > 0 and ms1 > ms0:
            power = max(1.0, math.log(ms1 / ms0) / math.log(n1 / n0))
    return ms1 * (count / n1) ** power


def harness_floor(settings: dict[str, t.Any]) -> tuple[float, int]:
    """The harness's own time (µs) and Python calls per request, on a bare WSGI app."""
    call = make_call(floor_app, RequestSpec("/"))
    timing = measure(call, repeats=settings["repeats"], seconds=settings["seconds"], warmup=0.05)
    # The calls the harness makes itself: all but floor_app's own.
    return timing.median, count_calls(call) - 1


def main() -> None:
    task = json.loads(sys.argv[1])
    settings = task["settings"]
    output: dict[str, t.Any] = {"framework": task["framework"]}
    floor_us, settings["harness_calls"] = harness_floor(settings)
    output["harness_us"] = floor_us
    try:
        module = frameworks.load(task["framework"], task.get("extra"))
    except frameworks.Unavailable as e:
        output["skipped"] = str(e)
        print(json.dumps(output))
        return
    output["results"] = [run_workload(module, name, settings) for name in task["workloads"]]
    if task.get("scaling") and hasattr(module, "routes"):
        output["scaling"] = run_scaling(module, settings)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
