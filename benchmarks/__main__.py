"""``python -m benchmarks``: run the benchmarks and print, save and chart the results.

See ``docs/benchmarks.rst`` for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import typing as t

from . import frameworks, report
from .harness import Timing
from .workloads import WORKLOADS

#: ``--only`` accepts these besides the workload names.
SCALING = "scaling"

FULL = {
    "repeats": 7, "seconds": 0.1, "warmup": 0.2, "rounds": 3,
    "sizes": [10, 100, 1_000, 10_000], "startup_budget_s": 60,
}
QUICK = {
    "repeats": 3, "seconds": 0.01, "warmup": 0.01, "rounds": 1,
    "sizes": [10, 100], "startup_budget_s": 5,
}


def split_list(values: list[str] | None) -> list[str]:
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="microweb, explicit and proxy style, against Flask, Falcon and Bottle.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="a short run that checks every answer (CI's smoke test); "
                             "its numbers are rough")
    parser.add_argument("--only", action="append", metavar="WORKLOAD",
                        help="run only these workloads (repeatable, or a comma list); "
                             f"'{SCALING}' names the routes-scaling measurement")
    parser.add_argument("--frameworks", action="append", metavar="NAME",
                        help=f"run only these (comma list): {', '.join(frameworks.MODULES)}")
    parser.add_argument("--extra", action="append", metavar="FILE", default=[],
                        help="a module file with a framework of your own "
                             "(NAME and APPS, as in benchmarks/frameworks/)")
    parser.add_argument("--json", metavar="PATH", help="write the results and the machine as JSON")
    parser.add_argument("--plot", metavar="PATH", help="write a PNG bar chart (needs matplotlib)")
    parser.add_argument("--http", action="store_true",
                        help="also load hello and JSON apps over HTTP with wrk "
                             "(needs wrk, gunicorn, granian)")
    parser.add_argument("--memory", action="store_true",
                        help="also measure peak RSS and its growth per 10,000 requests")
    parser.add_argument("--no-inprocess", action="store_true",
                        help="skip the in-process timing (with --http or --memory)")
    parser.add_argument("--repeats", type=int, help="timed runs per measurement and round")
    parser.add_argument("--rounds", type=int,
                        help="rounds of in-process timing, each framework once a round "
                             "in a rotating order (default 3, 1 with --quick)")
    parser.add_argument("--list", action="store_true", help="list the workloads and exit")
    args = parser.parse_args(argv)
    args.only = split_list(args.only)
    args.frameworks = split_list(args.frameworks)
    unknown = [w for w in args.only if w not in WORKLOADS and w != SCALING]
    if unknown:
        parser.error(f"unknown workload {', '.join(unknown)}; known: "
                     f"{', '.join(WORKLOADS)}, {SCALING}")
    return args


def run_worker(task: dict[str, t.Any]) -> dict[str, t.Any]:
    """Run :mod:`benchmarks.worker` on *task* in a new process; return its output."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", json.dumps(task)],
        capture_output=True, text=True, env=env, cwd=root,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        return {"framework": task["framework"], "crashed": proc.stderr.strip()[-2000:]}
    output: dict[str, t.Any] = json.loads(lines[-1])
    return output


def merge_round(rows: dict[tuple[str, str], dict[str, t.Any]], row: dict[str, t.Any]) -> None:
    """Add a worker's result *row* to *rows*, pooling the runs of every round.

    A result that is not a timing (an error, a skip) replaces a timing,
    so that one wrong answer in any round is reported.
    """
    key = (row["framework"], row["workload"])
    kept = rows.get(key)
    if kept is None or row["status"] != "ok":
        rows[key] = row
        return
    if kept["status"] != "ok":
        return
    samples = kept["samples_us"] + row["samples_us"]
    rows[key] = {**kept, **Timing(samples, kept["number"]).as_dict(), "samples_us": samples,
                 "rounds": kept.get("rounds", 1) + 1}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        for w in WORKLOADS.values():
            print(f"{w.name:12} {w.description}")
        print(f"{SCALING:12} cost per request and start-up time with 10 to 10,000 routes")
        return 0
    settings = dict(QUICK if args.quick else FULL)
    if args.repeats:
        settings["repeats"] = args.repeats
    if args.rounds:
        settings["rounds"] = args.rounds
    extra = {frameworks.extra_name(path): os.path.abspath(path) for path in args.extra}
    names = args.frameworks or [*frameworks.MODULES, *extra]
    workloads = [w for w in WORKLOADS if not args.only or w in args.only]
    scaling = not args.only or SCALING in args.only
    data: dict[str, t.Any] = {
        "machine": report.machine(),
        "settings": {**settings, "quick": args.quick, "frameworks": names,
                     "workloads": workloads, "gc": "enabled, collected before each run"},
        "inprocess": [],
        "skipped": {},
        "errors": [],
    }
    m = data["machine"]
    print(f"{m['date']}  {m['processor']}, {m['cpu_count']} CPUs, load {m['load_average']}, "
          f"Python {m['python']}, {m['platform']}")
    failed = False

    if not args.no_inprocess and (workloads or scaling):
        print(f"In-process, one process per framework and round: {settings['rounds']} "
              f"rounds (the frameworks' order rotating) of {settings['repeats']} runs of "
              f"about {settings['seconds']} s each per measurement; the table shows the "
              "median of all runs and ± half their interquartile range.")
        harness = []
        rows: dict[tuple[str, str], dict[str, t.Any]] = {}
        for round_ in range(settings["rounds"]):
            for name in names[round_ % len(names):] + names[: round_ % len(names)]:
                if name in data["skipped"] or any(e.get("framework") == name for e in data["errors"]):
                    continue
                started = time.monotonic()
                print(f"  round {round_ + 1}: {name} ...", end="", flush=True)
                out = run_worker({
                    "framework": name, "workloads": workloads, "settings": settings,
                    "scaling": scaling and round_ == 0, "extra": extra,
                })
                print(f" {time.monotonic() - started:.0f} s", flush=True)
                if "crashed" in out:
                    print(f"{name}: the worker crashed:\n{out['crashed']}")
                    data["errors"].append({"framework": name, "reason": out["crashed"]})
                    failed = True
                    continue
                harness.append(out["harness_us"])
                if "skipped" in out:
                    print(f"{name}: skipped, {out['skipped']}")
                    data["skipped"][name] = out["skipped"]
                    continue
                for row in out["results"]:
                    merge_round(rows, row)
                if out.get("scaling"):
                    data.setdefault("scaling", []).extend(out["scaling"])
        for row in rows.values():
            data["inprocess"].append(row)
            if row["status"] == "error":
                failed = True
                data["errors"].append(row)
            elif row["status"] == "skipped":
                print(f"{row['framework']}/{row['workload']}: skipped, {row['reason']}")
        if harness:
            data["settings"]["harness_us"] = min(harness)
        if workloads:
            print()
            print(report.inprocess_tables(data["inprocess"], workloads, names))
            print(f"\nEvery time includes the harness's own {min(harness):.2f} µs per call "
                  "(environ copy, BytesIO, start_response), measured on a bare WSGI app; "
                  "Python calls do not include the harness's.")
        if data.get("scaling"):
            print(f"\nScaling: GET /r{{i}}/x among N routes /r{{i}}/<name>; 'x first size' "
                  "is the ratio to the smallest app; start-up is making the app, "
                  "registering the routes and serving the first request.")
            print(report.scaling_table(data["scaling"]))
            for row in data["scaling"]:
                if row["status"] == "error":
                    failed = True
                    data["errors"].append(row)

    if args.memory:
        from . import memory

        data["memory"] = memory.run(names, quick=args.quick, extra=extra)
        failed |= any(r["status"] == "error" for r in data["memory"])

    if args.http:
        from . import overhttp

        data["http"] = overhttp.run(quick=args.quick, names=args.frameworks or None)
        failed |= bool(data["http"].get("errors"))

    for row in data["errors"]:
        where = "/".join(filter(None, [row.get("framework"), row.get("workload"),
                                       str(row.get("routes", "") or "")]))
        print(f"ERROR {where}: {row['reason']}")
    if args.json:
        report.write_json(args.json, data)
        print(f"Wrote {args.json}")
    if args.plot:
        try:
            report.plot(args.plot, data)
        except ImportError:
            print("--plot needs matplotlib: pip install matplotlib")
            return 1
        print(f"Wrote {args.plot}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
