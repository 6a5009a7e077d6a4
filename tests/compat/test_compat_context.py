"""Binding: each request and app.app_context() bind the proxies, and every way out unbinds them."""

from __future__ import annotations

import threading
import typing as t

import pytest
from werkzeug.test import create_environ

from microweb import App
from microweb.compat import (
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    stream_with_context,
)
from microweb.compat.context import current


def test_a_request_binds_the_proxies_and_unbinds_them(app: App) -> None:
    @app.route("/<name>")
    def hello(name):
        g.name = name
        session["seen"] = name
        return f"{request.path} {current_app.name} {g.name} {has_request_context()}"

    client = app.test_client()
    assert client.get("/ann").text == "/ann compat_app ann True"
    assert current() is None
    assert not has_app_context()


def test_an_exception_unbinds(app: App) -> None:
    @app.route("/")
    def boom():
        raise KeyError("boom")

    with pytest.raises(KeyError):
        app.test_client().get("/")
    assert current() is None


def test_teardown_hooks_see_the_request_after_a_streamed_body_is_closed(app: App) -> None:
    seen: list[t.Any] = []

    @app.route("/stream")
    def stream():
        def body():
            yield request.path
            yield "!"

        return stream_with_context(body())

    @app.teardown_request
    def teardown(exc):
        seen.append((request.path, exc))

    response = app.test_client().get("/stream", buffered=False)
    assert current() is None  # nothing stays bound between two calls of the app
    assert response.get_data(as_text=True) == "/stream!"
    assert seen == []
    response.close()
    assert seen == [("/stream", None)]
    assert current() is None


def test_a_client_that_disconnects_unbinds(app: App) -> None:
    seen: list[str] = []

    @app.route("/")
    def stream():
        return stream_with_context(iter(["a", "b", "c"]))

    @app.teardown_request
    def teardown(exc):
        seen.append(request.path)

    body = app(create_environ("/"), lambda *args: None)
    assert next(iter(body)) == b"a"
    t.cast(t.Any, body).close()  # what a server does when the client goes away
    assert seen == ["/"]
    assert current() is None


def test_app_context_binds_current_app_and_g(app: App) -> None:
    with app.app_context():  # type: ignore[attr-defined]  # set by proxies=True
        assert current_app.name == "compat_app"
        g.x = 1
        assert has_app_context() and not has_request_context()
        with app.test_request_context("/path"):  # type: ignore[attr-defined]
            assert request.path == "/path"
            assert g.x == 1  # the application context's g, as in Flask
        assert current_app.name == "compat_app"
    assert current() is None


def test_threads_see_their_own_request(app: App) -> None:
    barrier = threading.Barrier(8)

    @app.route("/<int:n>")
    def echo(n):
        barrier.wait(timeout=5)
        return str(request.view_args["n"])  # type: ignore[index]  # set by routing

    results: dict[int, str] = {}

    def run(n: int) -> None:
        results[n] = app.test_client().get(f"/{n}").text

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: str(n) for n in range(8)}
