"""Hello-world WSGI request cost: microweb against Flask and Falcon.

Each app answers ``GET /hello/<name>`` with a short text body. Every app's
answer is checked before it is timed. Run:

    python benchmarks/hello.py [--number N] [--repeat R]

It prints, per framework, the median time of one request over R runs of N
requests each, its ratio to microweb, and the Python function calls one
request makes (counted with ``sys.setprofile``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
import typing as t
from wsgiref.util import setup_testing_defaults

WSGIApp = t.Callable[[dict[str, t.Any], t.Callable[..., t.Any]], t.Iterable[bytes]]


def create_microweb() -> WSGIApp:
    from microweb import App

    app = App(__name__)

    @app.route("/hello/<name>")
    def hello(request: t.Any, name: str) -> str:
        return f"Hello, {name}!"

    return app


def create_flask() -> WSGIApp:
    import flask

    app = flask.Flask(__name__)

    @app.route("/hello/<name>")
    def hello(name: str) -> str:
        return f"Hello, {name}!"

    return app


def create_falcon() -> WSGIApp:
    import falcon

    class Hello:
        def on_get(self, req: t.Any, resp: t.Any, name: str) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = f"Hello, {name}!"

    app = falcon.App()
    app.add_route("/hello/{name}", Hello())
    return app


FRAMEWORKS = {"microweb": create_microweb, "flask": create_flask, "falcon": create_falcon}


def make_environ(path: str) -> dict[str, t.Any]:
    environ: dict[str, t.Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}
    setup_testing_defaults(environ)
    return environ


def request_once(app: WSGIApp, environ: dict[str, t.Any]) -> tuple[str, bytes]:
    status: list[str] = []

    def start_response(s: str, headers: t.Any, exc_info: t.Any = None) -> None:
        status.append(s)

    body_iter = app(dict(environ), start_response)
    body = b"".join(body_iter)
    close = getattr(body_iter, "close", None)
    if close is not None:
        close()
    return status[0], body


def count_calls(app: WSGIApp, environ: dict[str, t.Any]) -> int:
    calls = 0

    def profile(frame: t.Any, event: str, arg: t.Any) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(profile)
    try:
        request_once(app, environ)
    finally:
        sys.setprofile(None)
    return calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    environ = make_environ("/hello/world")
    results: dict[str, tuple[float, int]] = {}
    for name, create in FRAMEWORKS.items():
        try:
            app = create()
        except ImportError:
            print(f"{name:10} not installed (pip install -e '.[bench]')")
            continue
        status, body = request_once(app, environ)  # also warms up lazy setup
        assert status.startswith("200") and body == b"Hello, world!", (name, status, body)
        times = timeit.repeat(
            lambda: request_once(app, environ), number=args.number, repeat=args.repeat
        )
        results[name] = (statistics.median(times) / args.number, count_calls(app, environ))
    base = results.get("microweb", (1.0, 0))[0]
    print(f"{'framework':10} {'median us/req':>14} {'x microweb':>11} {'py calls':>9}")
    for name, (per_request, calls) in results.items():
        print(f"{name:10} {per_request * 1e6:14.2f} {per_request / base:11.2f} {calls:9d}")


if __name__ == "__main__":
    main()
