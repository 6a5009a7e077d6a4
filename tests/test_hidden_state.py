"""Handling a request in the explicit style leaves no state anywhere else."""

from __future__ import annotations

import contextvars
import subprocess
import sys
import textwrap

from werkzeug.test import create_environ

from microweb import App


def serve(app: App, path: str) -> bytes:
    statuses: list[str] = []
    body = app(create_environ(path), lambda status, headers, exc_info=None: statuses.append(status))
    try:
        return b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()


def test_request_sets_no_context_variable(app: App) -> None:
    @app.route("/hello/<name>")
    def hello(request, name):
        request.g.name = name
        return f"Hello, {request.g.name}!"

    @app.after_request
    def after(request, response):
        return response

    context = contextvars.Context()
    assert context.run(serve, app, "/hello/world") == b"Hello, world!"
    assert context.run(serve, app, "/missing").startswith(b"<!doctype html>")
    assert len(context) == 0


def test_explicit_request_imports_no_proxy_module() -> None:
    code = textwrap.dedent(
        """
        import sys
        from werkzeug.test import create_environ
        from microweb import App

        app = App("light")

        @app.route("/hello/<name>")
        def hello(request, name):
            return f"Hello, {name}!"

        body = app(create_environ("/hello/x"), lambda *args: None)
        assert b"".join(body) == b"Hello, x!"
        loaded = sorted(
            name for name in sys.modules
            if name.startswith(("microweb.compat", "werkzeug.local", "flask"))
        )
        print(loaded)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
