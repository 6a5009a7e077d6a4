"""Printing the results as tables, and writing them as JSON and as a chart."""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import platform
import sys
import typing as t

#: The packages whose versions go with the results.
PACKAGES = (
    "microweb", "werkzeug", "jinja2", "markupsafe", "itsdangerous",
    "flask", "falcon", "bottle", "gunicorn", "granian", "matplotlib",
)

#: Ratio columns: (heading, numerator, denominator).
RATIOS = (
    ("proxy/explicit", "microweb-proxy", "microweb"),
    ("compat/explicit", "microweb-compat", "microweb"),
    ("flask/microweb", "flask", "microweb"),
    ("falcon/microweb", "falcon", "microweb"),
    ("bottle/microweb", "bottle", "microweb"),
)


def machine() -> dict[str, t.Any]:
    """What the numbers were measured on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": processor_name(),
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "packages": versions,
    }


def processor_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def spread(row: dict[str, t.Any]) -> float:
    """Half the interquartile range, as a fraction of the median."""
    return float((row["q3_us"] - row["q1_us"]) / 2 / row["median_us"])


def cell(row: dict[str, t.Any] | None) -> str:
    if row is None:
        return ""
    if row["status"] == "ok":
        return f"{row['median_us']:.2f} ±{spread(row) * 100:.0f}%"
    return {"n/a": "-", "skipped": "skipped", "error": "ERROR"}[row["status"]]


def table(headings: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [headings, *rows]) for i in range(len(headings))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w)
                       for i, (h, w) in enumerate(zip(headings, widths)))]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))))
    return "\n".join(lines)


def index(results: list[dict[str, t.Any]]) -> dict[tuple[str, str], dict[str, t.Any]]:
    return {(r["workload"], r["framework"]): r for r in results}


def inprocess_tables(
    results: list[dict[str, t.Any]], workloads: list[str], names: list[str]
) -> str:
    by = index(results)
    shown = [n for n in names if any(by.get((w, n), {}).get("status") == "ok" for w in workloads)]
    rows = [[w] + [cell(by.get((w, n))) for n in shown] for w in workloads]
    out = [table(["µs per request"] + shown, rows)]

    ratios = [(h, a, b) for h, a, b in RATIOS if a in shown and b in shown]
    if ratios:
        rows = []
        for w in workloads:
            line = [w]
            for _, a, b in ratios:
                ra, rb = by.get((w, a)), by.get((w, b))
                if ra and rb and ra["status"] == rb["status"] == "ok":
                    line.append(f"{ra['median_us'] / rb['median_us']:.2f}")
                else:
                    line.append("-")
            rows.append(line)
        out.append(table(["ratio"] + [h for h, _, _ in ratios], rows))

    rows = [[w] + [str(by[(w, n)]["calls"]) if by.get((w, n), {}).get("status") == "ok" else "-"
                   for n in shown] for w in workloads]
    out.append(table(["Python calls per request"] + shown, rows))
    return "\n\n".join(out)


def scaling_table(rows: list[dict[str, t.Any]]) -> str:
    base: dict[str, dict[str, t.Any]] = {}
    for r in rows:
        if r["status"] == "ok" and r["framework"] not in base:
            base[r["framework"]] = r
    lines = []
    for r in rows:
        if r["status"] != "ok":
            what = "ERROR" if r["status"] == "error" else "skipped"
            lines.append([r["framework"], f"{r['routes']:,}", what, "", "", ""])
            continue
        b = base[r["framework"]]
        lines.append([
            r["framework"],
            f"{r['routes']:,}",
            f"{r['last_us']:.2f} (x{r['last_us'] / b['last_us']:.2f})",
            f"{r['middle_us']:.2f} (x{r['middle_us'] / b['middle_us']:.2f})",
            f"{r['startup_ms']:.1f} (x{r['startup_ms'] / b['startup_ms']:.1f})",
            f"{r['startup_ms'] / r['routes'] * 1000:.0f}",
        ])
    notes = [f"{r['framework']}, {r['routes']:,} routes: {r['status']}, {r['reason']}"
             for r in rows if r["status"] != "ok"]
    return "\n".join([table(
        ["framework", "routes", "last µs (x first size)", "middle µs (x first size)",
         "start-up ms (x first size)", "start-up µs/route"],
        lines,
    ), *notes])


def write_json(path: str, data: dict[str, t.Any]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=False)
        f.write("\n")


COLORS = {
    "microweb": "#1f77b4",
    "microweb-proxy": "#6baed6",
    "microweb-compat": "#9ecae1",
    "flask": "#d62728",
    "falcon": "#2ca02c",
    "bottle": "#ff7f0e",
    "raw": "#7f7f7f",
}


def plot(path: str, data: dict[str, t.Any]) -> None:
    """Write a PNG chart of the in-process results (and scaling and HTTP, if run)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = ["inprocess"]
    if data.get("scaling"):
        panels.append("scaling")
    if data.get("http", {}).get("results"):
        panels.append("http")
    fig = plt.figure(figsize=(13, 5.2 * len(panels)), layout="constrained")
    grid = fig.add_gridspec(len(panels), 2)
    when = f"{data['machine']['date'][:10]}, {data['machine']['processor']}, " \
           f"{data['machine']['cpu_count']} CPUs, Python {data['machine']['python']}"
    fig.suptitle(f"microweb benchmarks ({when})", fontsize=11)
    for row, panel in enumerate(panels):
        if panel == "inprocess":
            plot_inprocess(fig.add_subplot(grid[row, :]), data)
        elif panel == "scaling":
            plot_scaling(fig.add_subplot(grid[row, 0]), fig.add_subplot(grid[row, 1]), data)
        else:
            plot_http(fig.add_subplot(grid[row, :]), data)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def grouped_bars(ax: t.Any, groups: list[str], series: dict[str, list[float | None]]) -> None:
    n = max(1, len(series))
    width = 0.8 / n
    for k, (name, values) in enumerate(series.items()):
        xs = [i - 0.4 + width * (k + 0.5) for i in range(len(groups))]
        pairs = [(x, v) for x, v in zip(xs, values) if v is not None]
        if pairs:
            ax.bar([p[0] for p in pairs], [p[1] for p in pairs], width,
                   label=name, color=COLORS.get(name))
    ax.set_xticks(range(len(groups)), groups)
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.set_axisbelow(True)


def plot_inprocess(ax: t.Any, data: dict[str, t.Any]) -> None:
    by = index(data["inprocess"])
    workloads = data["settings"]["workloads"]
    names = [n for n in data["settings"]["frameworks"]
             if any(by.get((w, n), {}).get("status") == "ok" for w in workloads)]
    series = {n: [by[(w, n)]["median_us"] if by.get((w, n), {}).get("status") == "ok" else None
                  for w in workloads] for n in names}
    grouped_bars(ax, workloads, series)
    values = [v for vs in series.values() for v in vs if v]
    if values and max(values) / min(values) > 20:
        ax.set_yscale("log")
    ax.set_ylabel("µs per request (median; lower is better)")
    ax.set_title("In-process: the WSGI callable, no server")
    ax.legend(ncols=min(6, len(names)), fontsize=9)


def plot_scaling(per_request: t.Any, startup: t.Any, data: dict[str, t.Any]) -> None:
    frameworks: dict[str, list[dict[str, t.Any]]] = {}
    for r in data["scaling"]:
        if r["status"] == "ok":
            frameworks.setdefault(r["framework"], []).append(r)
    for name, rows in frameworks.items():
        xs = [r["routes"] for r in rows]
        per_request.plot(xs, [r["last_us"] for r in rows], marker="o", color=COLORS.get(name),
                         label=name)
        startup.plot(xs, [r["startup_ms"] for r in rows], marker="o", color=COLORS.get(name),
                     label=name)
    for ax in (per_request, startup):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("parameterized routes in the app")
        ax.grid(which="both", alpha=0.3)
        ax.legend(fontsize=8)
    per_request.set_ylabel("µs per request")
    per_request.set_title("Dispatch: the last route among N")
    startup.set_ylabel("ms")
    startup.set_title("Start-up: make the app, register N routes, first request")


def plot_http(ax: t.Any, data: dict[str, t.Any]) -> None:
    rows = data["http"]["summary"]
    groups = sorted({(r["server"], r["workload"]) for r in rows}, key=lambda g: (g[0], g[1]))
    labels = [f"{s}\n{w}" for s, w in groups]
    names = [n for n in data["http"]["frameworks"] if n != "raw"]
    by = {(r["server"], r["workload"], r["framework"]): r for r in rows}
    series = {n: [by[(s, w, n)]["ratio_to_raw"] if (s, w, n) in by else None for s, w in groups]
              for n in names}
    grouped_bars(ax, labels, series)
    ax.axhline(1.0, color="black", linewidth=1)
    ax.set_ylabel("req/s as a ratio to raw WSGI (higher is better)")
    ax.set_title("Over HTTP, one worker, wrk on the same machine")
    ax.legend(ncols=min(6, len(names)), fontsize=9)
