"""Calling a WSGI app in-process, checking its answer, and timing it.

Timing rules, the same for every framework:

- The environ is built once per (app, workload) by werkzeug's
  ``EnvironBuilder``; each call gets a shallow copy of it and a fresh
  ``BytesIO`` for ``wsgi.input``, as a server would give.
- Each call consumes the whole body and calls its ``close()``, where the
  framework may run its teardown.
- A warm-up runs first (lazy setup, caches, the first-request freeze),
  then *repeats* runs of *number* calls each, timed with
  ``time.perf_counter_ns``; *number* is calibrated so that one run takes
  about *seconds* seconds. The result is the median of the per-call times
  of the runs, with their minimum, maximum and quartiles.
- The garbage collector stays enabled, as in a server, so a framework that
  makes reference cycles pays for collecting them; ``gc.collect()`` runs
  before every timed run so that each starts from the same heap.
- The time includes the harness's own cost per call (the environ copy, the
  ``BytesIO``, ``start_response``, the loop over the body); it is measured
  on a three-line WSGI app and reported, the same for every framework.
"""

from __future__ import annotations

import gc
import io
import statistics
import sys
import time
import typing as t
from dataclasses import dataclass, field

WSGIApp = t.Callable[[dict[str, t.Any], t.Callable[..., t.Any]], t.Iterable[bytes]]


class CheckError(Exception):
    """An app answered a workload wrongly; it is reported, never timed."""


@dataclass(frozen=True)
class RequestSpec:
    """One request, as the parts a workload chooses."""

    path: str
    method: str = "GET"
    query: str = ""
    #: A urlencoded form body.
    form: t.Mapping[str, str] | None = None
    cookies: t.Mapping[str, str] = field(default_factory=dict)
    headers: t.Mapping[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    """What an app answered: status code, headers and the whole body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def headers_named(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


def build_environ(spec: RequestSpec) -> tuple[dict[str, t.Any], bytes]:
    """Return the environ template of *spec* and its body."""
    from werkzeug.test import EnvironBuilder

    headers = dict(spec.headers)
    if spec.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in spec.cookies.items())
    builder = EnvironBuilder(
        path=spec.path,
        method=spec.method,
        query_string=spec.query or None,
        data=dict(spec.form) if spec.form is not None else None,
        headers=headers,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    body = environ["wsgi.input"].read()
    environ["wsgi.errors"] = sys.stderr
    return environ, body


def call_once(app: WSGIApp, spec: RequestSpec) -> Answer:
    """Send *spec* to *app* and return its whole answer."""
    environ, body = build_environ(spec)
    environ["wsgi.input"] = io.BytesIO(body)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: t.Any = None) -> t.Any:
        started.append((status, list(headers)))
        return lambda data: None

    iterable = app(environ, start_response)
    try:
        body_out = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    if not started:
        raise CheckError("the app never called start_response")
    status, headers = started[-1]
    return Answer(int(status.split(" ", 1)[0]), headers, body_out)


def make_call(app: WSGIApp, spec: RequestSpec) -> t.Callable[[], None]:
    """Return a function that sends *spec* to *app* once, as timed."""
    template, body = build_environ(spec)
    BytesIO = io.BytesIO

    def write(data: bytes) -> None:
        pass

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> t.Any:
        return write

    def call() -> None:
        environ = template.copy()
        environ["wsgi.input"] = BytesIO(body)
        iterable = app(environ, start_response)
        try:
            for _ in iterable:
                pass
        finally:
            close = getattr(iterable, "close", None)
            if close is not None:
                close()

    return call


@dataclass
class Timing:
    """Per-call times of the runs of one measurement, in microseconds."""

    samples: list[float]
    number: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def as_dict(self) -> dict[str, t.Any]:
        ordered = sorted(self.samples)
        if len(ordered) >= 2:
            q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
        else:
            q1 = q3 = ordered[0]
        return {
            "median_us": self.median,
            "min_us": ordered[0],
            "max_us": ordered[-1],
            "q1_us": q1,
            "q3_us": q3,
            "repeats": len(ordered),
            "number": self.number,
        }


def measure(call: t.Callable[[], None], *, repeats: int, seconds: float, warmup: float) -> Timing:
    """Time *call* as the module's docstring says."""
    clock = time.perf_counter_ns
    # Warm up, and learn roughly what one call costs.
    calls = 0
    start = clock()
    deadline = start + int(warmup * 1e9)
    while True:
        call()
        calls += 1
        now = clock()
        if now >= deadline and calls >= 3:
            break
    per_call = (now - start) / calls
    number = max(1, int(seconds * 1e9 / per_call))
    samples: list[float] = []
    loop = range(number)
    for _ in range(repeats):
        gc.collect()
        start = clock()
        for _ in loop:
            call()
        samples.append((clock() - start) / number / 1000)
    return Timing(samples, number)


def count_calls(call: t.Callable[[], None]) -> int:
    """Return how many Python functions one *call* enters (its own included)."""
    calls = 0

    def profile(frame: t.Any, event: str, arg: t.Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return calls


def floor_app(environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> list[bytes]:
    """The least a WSGI app can do: the harness's own cost is measured on it."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, World!"]
