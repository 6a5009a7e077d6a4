"""A proxies-on app answers over WSGI exactly as the same app without proxies.

An app with proxies on binds the request in its own ``wsgi_app`` (it saves
a call on every request, see ``microweb.compat.context``), so these tests
hold it to the core's: the same views, in the explicit style, served by
``App(...)`` and by ``App(..., proxies=True)``, must send the same status,
headers and body, and run their teardown hooks at the same moment.
"""

from __future__ import annotations

import io
import typing as t
from pathlib import Path

import pytest
from werkzeug.test import create_environ

from microweb import App, Request, Response, abort
from microweb.compat import context, request

Sent = tuple[str, list[tuple[str, str]], bytes, list[str]]


def build(proxies: bool, tmp_path: Path, testing: bool = False) -> tuple[App, list[str]]:
    """Return an app with one view per case, and the list its teardown hooks write to."""
    app = App("wsgi_app", root_path=str(tmp_path), proxies=proxies)
    app.config.update(TESTING=testing, SECRET_KEY="test key")
    events: list[str] = []

    @app.route("/str", methods=["GET", "HEAD"])
    def text(request: Request) -> str:
        return "plain"

    @app.route("/response")
    def response(request: Request) -> Response:
        return Response("made", status=201, headers={"X-Made": "yes"})

    @app.route("/json")
    def json(request: Request) -> dict[str, int]:
        return {"a": 1}

    @app.route("/abort")
    def aborted(request: Request) -> str:
        abort(403)

    @app.route("/boom")
    def boom(request: Request) -> str:
        raise KeyError("boom")

    @app.route("/stream")
    def stream(request: Request) -> Response:
        def body() -> t.Iterator[str]:
            events.append("body")
            yield "one "
            yield "two"

        return Response(body())

    @app.route("/upload", methods=["POST"])
    def upload(request: Request) -> str:
        return request.files["f"].read().decode()

    @app.route("/session")
    def counter(request: Request) -> str:
        request.session["n"] = request.session.get("n", 0) + 1
        return str(request.session["n"])

    @app.teardown_request
    def teardown(request: Request, exc: BaseException | None) -> None:
        events.append(f"teardown {request.path} {type(exc).__name__}")

    return app, events


def serve(app: App, events: list[str], path: str, **kwargs: t.Any) -> Sent:
    """Call *app* as a server would; return status, headers, body and the events in order."""
    started: list[t.Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: t.Any = None) -> t.Any:
        started.append((status, headers))
        return lambda data: None

    environ = create_environ(path, **kwargs)
    app_iter = app(environ, start_response)
    events.append("returned")
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    events.append("closed")
    (status, headers), = started
    assert context.current() is None
    return status, headers, body, list(events)


CASES = [
    ("/str", {}),
    ("/str", {"method": "HEAD"}),
    ("/response", {}),
    ("/json", {}),
    ("/abort", {}),
    ("/missing", {}),
    ("/str", {"method": "POST"}),
    ("/boom", {}),
    ("/stream", {}),
    ("/session", {"headers": {"Cookie": "session=tampered"}}),
    (
        "/upload",
        {"method": "POST", "data": {"f": (io.BytesIO(b"uploaded"), "f.txt")}},
    ),
]


@pytest.mark.parametrize(("path", "kwargs"), CASES)
def test_the_same_answer_with_and_without_proxies(
    path: str, kwargs: dict[str, t.Any], tmp_path: Path
) -> None:
    answers = []
    for proxies in (False, True):
        if "data" in kwargs:
            # A stream is read once: give each app its own.
            kwargs = {**kwargs, "data": {"f": (io.BytesIO(b"uploaded"), "f.txt")}}
        app, events = build(proxies, tmp_path)
        answers.append(serve(app, events, path, **kwargs))
    explicit, proxy = answers
    assert proxy == explicit
    assert explicit[0] != ""


def test_the_teardown_of_a_streamed_body_runs_when_it_is_closed(tmp_path: Path) -> None:
    app, events = build(True, tmp_path)
    status, headers, body, seen = serve(app, events, "/stream")
    assert body == b"one two"
    assert seen == ["returned", "body", "teardown /stream NoneType", "closed"]


def test_a_propagated_exception_runs_the_teardown_and_unbinds(tmp_path: Path) -> None:
    outcomes = []
    for proxies in (False, True):
        app, events = build(proxies, tmp_path, testing=True)
        with pytest.raises(KeyError):
            app(create_environ("/boom"), lambda status, headers: None)
        assert context.current() is None
        outcomes.append(events)
    assert outcomes[0] == outcomes[1] == ["teardown /boom KeyError"]


def test_a_failing_start_response_runs_the_teardown_and_unbinds(tmp_path: Path) -> None:
    outcomes = []
    for proxies in (False, True):
        app, events = build(proxies, tmp_path)

        def start_response(status: str, headers: list[tuple[str, str]]) -> t.Any:
            raise OSError("client went away")

        with pytest.raises(OSError, match="client went away"):
            app(create_environ("/str"), start_response)
        assert context.current() is None
        outcomes.append(events)
    assert outcomes[0] == outcomes[1] == ["teardown /str OSError"]


def test_middleware_around_wsgi_app_sees_nothing_bound_and_the_view_sees_the_request(
    tmp_path: Path,
) -> None:
    app = App("wsgi_app", root_path=str(tmp_path), proxies=True)
    seen: list[object] = []

    @app.route("/where")
    def where() -> str:
        return request.path

    inner = app.wsgi_app

    def middleware(environ: dict[str, t.Any], start_response: t.Any) -> t.Iterable[bytes]:
        seen.append(context.current())
        environ["PATH_INFO"] = "/where"
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]  # as a user wraps it
    response = app.test_client().get("/elsewhere")
    assert response.text == "/where"
    assert seen == [None]


def test_a_class_with_its_own_wsgi_app_still_binds_the_request(tmp_path: Path) -> None:
    class Logged(App):
        def wsgi_app(self, environ: t.Any, start_response: t.Any) -> t.Iterable[bytes]:
            environ["logged"] = "yes"
            return super().wsgi_app(environ, start_response)

    app = Logged("wsgi_app", root_path=str(tmp_path), proxies=True)

    @app.route("/")
    def index() -> str:
        return f"{request.environ['logged']} {request.path}"

    assert app.test_client().get("/").text == "yes /"
