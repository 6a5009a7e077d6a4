"""The request path stays short: every new Python call on it is deliberate.

If one of these budgets fails, a change added hops to the hot path. Look at
the printed call list; if the new hop is worth it, raise the budget in the
same commit and say why.
"""

from __future__ import annotations

import sys
import typing as t

from werkzeug.test import create_environ

from microweb import App


def calls_for_one_request(app: App, path: str) -> list[str]:
    environ = create_environ(path)
    calls: list[str] = []

    def profile(frame: t.Any, event: str, arg: t.Any) -> None:
        if event == "call":
            code = frame.f_code
            calls.append(f"{code.co_filename.rsplit('/', 2)[-2:]}:{code.co_name}")

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> None:
        pass

    app(dict(environ), start_response)  # the first request freezes the app
    sys.setprofile(profile)
    try:
        body = app(dict(environ), start_response)
        b"".join(body)
    finally:
        sys.setprofile(None)
    print("\n".join(calls))
    return calls


def hello_app() -> App:
    app = App("hello")

    @app.route("/")
    def index(request):
        return "Hello!"

    @app.route("/hello/<name>")
    def hello(request, name):
        return f"Hello, {name}!"

    return app


def test_static_route_budget() -> None:
    # __call__, wsgi_app, Request.__init__, dispatch, router.route, the
    # view, start_response.
    assert len(calls_for_one_request(hello_app(), "/")) <= 7


def test_dynamic_route_budget() -> None:
    # The above plus werkzeug's adapter.match and its state machine.
    assert len(calls_for_one_request(hello_app(), "/hello/world")) <= 23


def proxy_hello_app() -> App:
    # The same hello, written Flask's way, in an app with proxies on.
    app = App("hello", proxies=True)

    @app.route("/")
    def index():
        return "Hello!"

    @app.route("/hello/<name>")
    def hello(name):
        return f"Hello, {name}!"

    return app


def test_the_proxy_style_costs_at_most_two_calls() -> None:
    # The binding dispatch around App.dispatch, and the adapter that calls
    # a view without the request; binding is a C call (ContextVar.set).
    for path in ("/", "/hello/world"):
        explicit = calls_for_one_request(hello_app(), path)
        proxy = calls_for_one_request(proxy_hello_app(), path)
        assert len(proxy) <= len(explicit) + 2, path
