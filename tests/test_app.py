from __future__ import annotations

import io
import logging
import typing as t
from pathlib import Path

import pytest
from werkzeug.test import create_environ

from microweb import App, Response
from microweb.testing import TestClient


def test_app_is_wsgi_and_wsgi_app_can_be_wrapped(app: App, client: TestClient) -> None:
    seen: list[str] = []

    @app.route("/")
    def index(request):
        return "hi"

    inner = app.wsgi_app

    def middleware(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    assert client.get("/").text == "hi"
    assert seen == ["/"]


@pytest.mark.parametrize(
    ("rv", "status", "content_type", "body"),
    [
        ("héllo", 200, "text/html; charset=utf-8", "héllo".encode()),
        (b"raw", 200, "text/html; charset=utf-8", b"raw"),
        ({"a": 1}, 200, "application/json", b'{"a":1}\n'),
        ([1, 2], 200, "application/json", b"[1,2]\n"),
        (("made", 201), 201, "text/html; charset=utf-8", b"made"),
        (("tea", "418 I'm a teapot"), 418, "text/html; charset=utf-8", b"tea"),
        (({"id": 1}, 201), 201, "application/json", b'{"id":1}\n'),
        ((Response("r", 200), 202), 202, "text/html; charset=utf-8", b"r"),
    ],
)
def test_return_values(
    app: App, client: TestClient, rv: object, status: int, content_type: str, body: bytes
) -> None:
    app.add_url_rule("/", "index", lambda request: rv)
    response = client.get("/")
    assert response.status_code == status
    assert response.headers["Content-Type"] == content_type
    assert response.get_data() == body
    assert response.headers["Content-Length"] == str(len(body))


def test_return_headers_in_tuples(app: App, client: TestClient) -> None:
    app.add_url_rule("/dict", "d", lambda request: ("x", {"X-A": "1"}))
    app.add_url_rule("/list", "l", lambda request: ("x", [("X-A", "2")]))
    app.add_url_rule("/three", "t", lambda request: ("x", 404, {"X-A": "3"}))
    assert client.get("/dict").headers["X-A"] == "1"
    assert client.get("/list").headers["X-A"] == "2"
    response = client.get("/three")
    assert (response.status_code, response.headers["X-A"]) == (404, "3")


def test_generator_is_streamed(app: App, client: TestClient) -> None:
    @app.route("/")
    def index(request):
        def chunks():
            yield "a"
            yield "b"

        return chunks()

    response = client.get("/")
    assert response.text == "ab"
    assert "Content-Length" not in response.headers


def test_wsgi_callable_return(app: App, client: TestClient) -> None:
    def wsgi(environ, start_response):
        start_response("203 Non-Authoritative", [("Content-Type", "text/plain")])
        return [b"wsgi"]

    app.add_url_rule("/", "index", lambda request: wsgi)
    response = client.get("/")
    assert (response.status_code, response.text) == (203, "wsgi")


def test_none_names_the_view(app: App, client: TestClient) -> None:
    @app.route("/")
    def forgot_return(request):
        pass

    with pytest.raises(TypeError, match="forgot_return.*None"):
        client.get("/")


@pytest.mark.parametrize("value", [42, object(), ("a", 200, {}, "extra")])
def test_unsupported_values_name_the_view(app: App, client: TestClient, value: object) -> None:
    def odd_view(request):
        return value

    app.add_url_rule("/", view_func=odd_view)
    with pytest.raises(TypeError, match="odd_view"):
        client.get("/")


def test_before_request_short_circuits(app: App, client: TestClient) -> None:
    calls: list[str] = []

    @app.before_request
    def gate(request):
        if request.args.get("stop"):
            return "stopped", 403
        return None

    @app.route("/")
    def index(request):
        calls.append("view")
        return "view"

    assert client.get("/").text == "view"
    response = client.get("/?stop=1")
    assert (response.status_code, response.text) == (403, "stopped")
    assert calls == ["view"]


def test_hook_order(app: App, client: TestClient) -> None:
    calls: list[str] = []
    for n in (1, 2):
        app.before_request(lambda request, n=n: calls.append(f"before{n}"))

        def after(request, response, n=n):
            calls.append(f"after{n}")
            return response

        app.after_request(after)
        app.teardown_request(lambda request, exc, n=n: calls.append(f"teardown{n}"))

    @app.route("/")
    def index(request):
        calls.append("view")
        return "x"

    client.get("/")
    assert calls == ["before1", "before2", "view", "after2", "after1", "teardown2", "teardown1"]


def test_after_request_changes_the_response(app: App, client: TestClient) -> None:
    @app.after_request
    def secure(request, response):
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.route("/")
    def index(request):
        return "x"

    assert client.get("/").headers["X-Frame-Options"] == "DENY"
    assert client.get("/missing").headers["X-Frame-Options"] == "DENY"


def test_teardown_gets_the_exception(app: App, client: TestClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[object] = []
    app.teardown_request(lambda request, exc: seen.append(exc))

    @app.route("/ok")
    def ok(request):
        return "ok"

    @app.route("/boom")
    def boom(request):
        raise KeyError("boom")

    client.get("/ok")
    assert client.get("/boom").status_code == 500
    assert seen[0] is None
    assert isinstance(seen[1], KeyError)


def test_teardown_runs_when_propagating(app: App, client: TestClient) -> None:
    seen: list[object] = []
    app.teardown_request(lambda request, exc: seen.append(exc))

    @app.route("/boom")
    def boom(request):
        raise KeyError("boom")

    with pytest.raises(KeyError):
        client.get("/boom")
    assert isinstance(seen[0], KeyError)


def test_teardown_waits_for_a_streamed_body(app: App) -> None:
    events: list[str] = []
    app.teardown_request(lambda request, exc: events.append("teardown"))

    @app.route("/")
    def index(request):
        def chunks():
            events.append("chunk")
            yield "a"

        return chunks()

    body = app(create_environ("/"), lambda status, headers, exc_info=None: None)
    assert events == []
    assert b"".join(body) == b"a"
    assert events == ["chunk"]
    body.close()  # type: ignore[attr-defined]
    assert events == ["chunk", "teardown"]


def test_before_request_runs_for_404(app: App, client: TestClient) -> None:
    seen: list[object] = []
    app.before_request(lambda request: seen.append(request.endpoint))
    assert client.get("/missing").status_code == 404
    assert seen == [None]


def test_g_is_per_request(app: App, client: TestClient) -> None:
    @app.before_request
    def load(request):
        request.g.count = getattr(request.g, "count", 0) + 1

    @app.route("/")
    def index(request):
        return str(request.g.count)

    assert client.get("/").text == "1"
    assert client.get("/").text == "1"


def test_debug_and_testing_properties(tmp_path: Path) -> None:
    app = App("props", root_path=str(tmp_path))
    assert (app.debug, app.testing) == (False, False)
    app.debug = True
    app.testing = True
    assert app.config["DEBUG"] is True and app.config["TESTING"] is True


def test_two_apps_share_nothing(tmp_path: Path) -> None:
    first = App("one", root_path=str(tmp_path))
    second = App("two", root_path=str(tmp_path))
    first.extensions["db"] = object()
    first.before_request(lambda request: None)
    assert second.extensions == {}
    assert second.before_request_funcs == {}
    assert first.config is not second.config


def test_instance_path(tmp_path: Path) -> None:
    app = App("instance_module", root_path=str(tmp_path))
    assert app.instance_path == str(tmp_path / "instance")
    explicit = App("explicit", instance_path=str(tmp_path / "elsewhere"))
    assert explicit.instance_path == str(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="absolute"):
        App("relative", instance_path="relative/path")


def test_open_resource(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t;")
    app = App("resources", root_path=str(tmp_path), instance_path=str(tmp_path / "inst"))
    with app.open_resource("schema.sql") as f:
        assert f.read() == b"CREATE TABLE t;"
    with app.open_resource("schema.sql", "r") as f:
        assert f.read() == "CREATE TABLE t;"
    with pytest.raises(ValueError, match="reading"):
        app.open_resource("schema.sql", "w")
    (tmp_path / "inst").mkdir()
    with app.open_instance_resource("app.cfg", "w") as f:
        f.write("SECRET_KEY = 'x'")
    with app.open_instance_resource("app.cfg", "r") as f:
        assert f.read() == "SECRET_KEY = 'x'"


def test_unhandled_error_is_logged_not_shown(
    app: App, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom(request):
        raise RuntimeError("database password is hunter2")

    with caplog.at_level(logging.ERROR, logger=app.name):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert app.logger.name == "test_app"
    record = caplog.records[-1]
    assert "Exception on /boom [GET]" in record.getMessage()
    assert record.exc_info is not None and "hunter2" in str(record.exc_info[1])


def test_extension_pattern(app: App, client: TestClient) -> None:
    class Counter:
        def __init__(self, app: App | None = None) -> None:
            if app is not None:
                self.init_app(app)

        def init_app(self, app: App) -> None:
            app.extensions["counter"] = {"count": 0}
            app.config.setdefault("COUNTER_STEP", 1)

            @app.before_request
            def count(request):
                state = request.app.extensions["counter"]
                state["count"] += request.app.config["COUNTER_STEP"]

    Counter(app)

    @app.route("/")
    def index(request):
        return str(request.app.extensions["counter"]["count"])

    assert client.get("/").text == "1"
    assert client.get("/").text == "2"


def test_trusted_hosts(app: App, client: TestClient) -> None:
    app.config["TRUSTED_HOSTS"] = ["example.com", ".example.org"]

    @app.route("/")
    def index(request):
        return request.host

    assert client.get("/", base_url="http://example.com").text == "example.com"
    assert client.get("/", base_url="http://a.example.org").text == "a.example.org"
    assert client.get("/", base_url="http://evil.com").status_code == 400


def test_max_content_length(app: App, client: TestClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 10

    @app.post("/")
    def upload(request):
        return str(len(request.get_data()))

    assert client.post("/", data=b"x" * 10).text == "10"
    assert client.post("/", data=b"x" * 11).status_code == 413


# Dispatch apart from WSGI I/O, and teardown whatever happens.


def test_dispatch_turns_a_request_into_a_response_without_io(app: App) -> None:
    @app.route("/hello/<name>")
    def hello(request, name):
        return {"hello": name}

    @app.route("/text")
    def text(request):
        return "plain"

    request = app.request_class(create_environ("/hello/ann"), app)
    response = app.dispatch(request)
    assert isinstance(response, Response)
    assert response.status_code == 200 and response.json == {"hello": "ann"}
    assert request.endpoint == "hello" and request.view_args == {"name": "ann"}
    # The fast path hands back the encoded str for the server side to send.
    assert app.dispatch(app.request_class(create_environ("/text"), app)) == b"plain"
    missing = app.dispatch(app.request_class(create_environ("/nope"), app))
    assert isinstance(missing, Response) and missing.status_code == 404


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit])
def test_teardown_runs_for_exceptions_that_are_not_errors(
    app: App, error: type[BaseException]
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[object] = []

    @app.route("/")
    def index(request):
        raise error()

    @app.teardown_request
    def teardown(request, exc):
        seen.append(type(exc))

    with pytest.raises(error):
        app(create_environ("/"), lambda status, headers, exc_info=None: None)
    assert seen == [error]


def test_failing_start_response_runs_teardown_and_is_not_an_app_error(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[object] = []
    app.route("/")(lambda request: "hello")
    app.route("/json", endpoint="json")(lambda request: {"a": 1})
    app.teardown_request(lambda request, exc: seen.append(type(exc)))

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> None:
        raise OSError("client went away")

    for path in ["/", "/json"]:
        with pytest.raises(OSError, match="client went away"):
            app(create_environ(path), start_response)
    assert seen == [OSError, OSError]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_teardown_hooks_all_run_when_one_fails(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    seen: list[str] = []
    app.route("/")(lambda request: "ok")
    app.teardown_request(lambda request, exc: seen.append("first"))

    @app.teardown_request
    def broken(request, exc):
        raise RuntimeError("teardown broke")

    response = app.test_client().get("/")
    assert response.text == "ok"
    assert seen == ["first"]  # runs after the broken one: reverse order
    assert "teardown broke" in caplog.text


def test_teardown_failure_propagates_when_testing(app: App) -> None:
    app.route("/")(lambda request: "ok")
    app.teardown_request(lambda request, exc: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        app.test_client().get("/")


def test_after_hook_returning_none_is_named(app: App) -> None:
    app.route("/")(lambda request: "ok")

    @app.after_request
    def forgetful(request, response):
        response.headers["X-A"] = "1"

    with pytest.raises(TypeError, match="after_request hook '.*forgetful' returned None"):
        app.test_client().get("/")


@pytest.mark.parametrize("session", [False, True], ids=["no session", "session"])
def test_after_hook_returning_a_str_is_a_handled_500(session: bool) -> None:
    # Not a response: the same 500, logged, whether or not the request
    # used the session (one path saves it, the other does not).
    app = App(__name__)
    app.config["SECRET_KEY"] = "k"

    @app.route("/")
    def index(request):
        if session:
            request.session["seen"] = True
        return "ok"

    @app.after_request
    def wordy(request, response):
        return "not a response"

    answers = app.test_client().get("/")
    assert answers.status_code == 500
    assert b"not a response" not in answers.data


def test_test_request_can_run_the_before_hooks(app: App) -> None:
    @app.before_request
    def load_user(request):
        request.g.user = request.args.get("user")

    @app.route("/me")
    def me(request):
        return f"user {request.g.user}"

    request = app.test_request("/me?user=ann", run_hooks=True)
    assert me(request) == "user ann"
    assert "user" not in app.test_request("/me?user=ann").g


def test_test_request_run_hooks_says_when_a_hook_answers(app: App) -> None:
    @app.before_request
    def login_required(request):
        if not request.args.get("user"):
            return "log in first", 401

    app.route("/me")(lambda request: "me")
    with pytest.raises(RuntimeError, match="preprocess_request"):
        app.test_request("/me", run_hooks=True)
    request = app.test_request("/me")
    assert app.preprocess_request(request) == ("log in first", 401)


def test_setup_may_go_on_after_test_request(app: App) -> None:
    app.route("/first")(lambda request: "first")
    assert app.test_request("/first").endpoint == "<lambda>"
    app.route("/second", endpoint="second")(lambda request: "second")
    assert app.test_request("/second").endpoint == "second"
    client = app.test_client()
    assert client.get("/second").text == "second"
    with pytest.raises(RuntimeError, match="first request"):
        app.route("/third", endpoint="third")(lambda request: "third")


def test_uploaded_files_are_closed_when_the_response_is(app: App, client: TestClient) -> None:
    kept: list[t.Any] = []

    @app.post("/upload")
    def upload(request):
        kept.append(request.files["f"])
        return "ok"

    response = client.post("/upload", data={"f": (io.BytesIO(b"x" * 10), "a.txt")})
    assert response.text == "ok"
    assert kept[0].stream.closed


def test_uploaded_files_are_closed_when_the_view_fails(app: App) -> None:
    kept: list[t.Any] = []

    @app.post("/upload")
    def upload(request):
        kept.append(request.files["f"])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        app.test_client().post("/upload", data={"f": (io.BytesIO(b"x"), "a.txt")})
    assert kept[0].stream.closed


def test_a_str_that_cannot_be_encoded_is_a_handled_error(app: App) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.route("/")(lambda request: "\ud800")
    app.errorhandler(500)(lambda request, error: ("custom 500", 500))
    response = app.test_client().get("/")
    assert (response.status_code, response.text) == (500, "custom 500")


def test_settings_made_after_test_request_count_when_serving(app: App) -> None:
    app.post("/form")(lambda request: "saved")
    assert app.test_request("/form", "POST").endpoint == "<lambda>"
    app.config["CSRF_ENABLED"] = True
    seen: list[str] = []
    app.registration_steps.append(lambda app, f, target: seen.append(target.role) or f)

    class Custom(Response):
        pass

    app.response_class = Custom
    app.route("/", endpoint="index")(lambda request: "hi")
    client = app.test_client()
    assert client.post("/form").status_code == 400
    assert "view" in seen
    response = app.dispatch(app.request_class(create_environ("/"), app))
    assert isinstance(response, Custom)


def test_a_failing_after_hook_on_the_500_gives_the_default_500(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/")
    def index(request):
        raise ValueError("view broke")

    @app.after_request
    def broken(request, response):
        raise RuntimeError("after-hook broke")

    response = app.test_client().get("/")
    assert response.status_code == 500
    assert "Internal Server Error" in response.text
    assert "view broke" in caplog.text and "after-hook broke" in caplog.text


def test_preprocess_request_prepares_the_app_if_needed(app: App) -> None:
    app.before_request(lambda request: "hooked")
    app.route("/")(lambda request: "ok")
    request = app.request_class(create_environ("/"), app)
    assert app.preprocess_request(request) == "hooked"


def test_finish_request_runs_the_teardown_hooks_of_a_test_request(app: App) -> None:
    connections: list[str] = []

    @app.before_request
    def connect(request):
        connections.append("open")

    @app.teardown_request
    def disconnect(request, exc):
        connections.remove("open")

    app.route("/")(lambda request: "ok")
    request = app.test_request("/", run_hooks=True)
    assert connections == ["open"]
    app.finish_request(request)
    assert connections == []
