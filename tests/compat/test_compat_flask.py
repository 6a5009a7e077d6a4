"""Flask's spellings: the Flask class, class-based views without the request, the test client."""

from __future__ import annotations

import functools
import typing as t
from pathlib import Path

from microweb.compat import Flask, make_response, request, session
from microweb.compat.testing import FlaskClient
from microweb.compat.views import MethodView, View


def flask_app(tmp_path: Path) -> Flask:
    app = Flask("flask_app", root_path=str(tmp_path))
    app.config.update(TESTING=True)
    app.secret_key = "test key"
    return app


def test_views_and_method_views_without_the_request(tmp_path: Path) -> None:
    app = flask_app(tmp_path)

    def header(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        # No functools.wraps: the view's style is still known.
        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            response = make_response(f(*args, **kwargs))
            response.headers["X-Decorated"] = "1"
            return response

        return wrapper

    class Hello(View):
        decorators = [header]

        def dispatch_request(self, name):  # type: ignore[override]  # Flask's style
            return f"hello {name} {request.method}"

    class Item(MethodView):
        def get(self, id):
            return f"get {id}"

        def post(self, id):
            return f"post {id}"

    app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello"))
    app.add_url_rule("/item/<int:id>", view_func=Item.as_view("item"))
    client = app.test_client()
    response = client.get("/hello/ann")
    assert (response.text, response.headers["X-Decorated"]) == ("hello ann GET", "1")
    assert client.post("/item/3").text == "post 3"
    assert client.put("/item/3").status_code == 405


def test_the_client_keeps_the_last_request_bound_in_a_with_block(tmp_path: Path) -> None:
    app = flask_app(tmp_path)
    app.route("/")(lambda: "ok")
    client = app.test_client()
    assert isinstance(client, FlaskClient)
    with client:
        client.get("/?q=1")
        assert request.args["q"] == "1"
        client.get("/?q=2")
        assert request.args["q"] == "2"


def test_session_transaction(tmp_path: Path) -> None:
    app = flask_app(tmp_path)

    @app.route("/")
    def index():
        return session.get("user", "nobody")

    client = app.test_client()
    with client.session_transaction() as stored:
        stored["user"] = "ann"
    assert client.get("/").text == "ann"


def test_a_functools_wraps_view_in_flask(tmp_path: Path) -> None:
    app = flask_app(tmp_path)

    def login_required(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        @functools.wraps(f)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
            return f(*args, **kwargs)

        return wrapper

    @app.route("/<name>")
    @login_required
    def page(name):
        return name

    assert app.test_client().get("/x").text == "x"


def test_jsonify_goes_through_app_json(tmp_path: Path) -> None:
    import datetime

    from microweb.compat import jsonify
    from microweb.compat import json as compat_json

    app = flask_app(tmp_path)

    @app.route("/")
    def index():
        return jsonify(b=1, a=datetime.date(2020, 1, 2))

    assert app.test_client().get("/").text == '{"a":"Thu, 02 Jan 2020 00:00:00 GMT","b":1}\n'
    with app.app_context():
        assert compat_json.dumps({"b": 1, "a": "\u2603"}) == '{"a": "\\u2603", "b": 1}'


def test_render_template_string_without_a_request(tmp_path: Path) -> None:
    from microweb.compat import g, render_template_string

    app = flask_app(tmp_path)
    app.config["NAME"] = "World"
    app.context_processor(lambda: {"extra": 42})
    with app.app_context():
        g.who = "me"
        assert render_template_string("{{ config.NAME }} {{ extra }} {{ g.who }}") == "World 42 me"


def test_abort_and_redirect_go_through_the_app(tmp_path: Path) -> None:
    import pytest
    from werkzeug.exceptions import HTTPException

    from microweb.compat import abort, redirect

    class Teapot(HTTPException):
        code = 900

    app = flask_app(tmp_path)
    app.aborter.mapping[900] = Teapot
    with app.app_context():
        with pytest.raises(Teapot):
            abort(900)
        assert redirect("/x").headers["Location"] == "/x"


def test_the_logger_writes_to_the_requests_errors_stream(tmp_path: Path) -> None:
    import io
    import logging

    from microweb.compat.logging import default_handler

    app = flask_app(tmp_path)
    logger = logging.getLogger(app.name)
    logger.handlers = []
    # pytest's own handler on the root would handle the level already.
    root_handlers = logging.root.handlers[:]
    logging.root.handlers = []

    @app.route("/")
    def index():
        app.logger.error("seen")
        return ""

    stream = io.StringIO()
    try:
        app.test_client().get("/", errors_stream=stream)
        assert app.logger.handlers == [default_handler]
    finally:
        logger.handlers = []
        logging.root.handlers[:] = root_handlers
    assert "ERROR in test_compat_flask: seen" in stream.getvalue()


def test_environ_builder_and_session_interfaces(tmp_path: Path) -> None:
    from microweb.compat import SecureCookieSessionInterface
    from microweb.compat.testing import EnvironBuilder

    app = flask_app(tmp_path)
    app.config["SERVER_NAME"] = "example.com"
    builder = EnvironBuilder(app, "/x?q=1", json={"a": 1})
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    assert (environ["HTTP_HOST"], environ["QUERY_STRING"]) == ("example.com", "q=1")
    assert isinstance(app.session_interface, SecureCookieSessionInterface)
    app.permanent_session_lifetime = 60
    assert app.permanent_session_lifetime.total_seconds() == 60


def test_get_template_attribute_and_the_app_context_globals_class(tmp_path: Path) -> None:
    from microweb.compat import g, get_template_attribute

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "macros.html").write_text("{% macro hi(n) %}hi {{ n }}{% endmacro %}")

    class Globals:
        spam = "eggs"

    app = flask_app(tmp_path)
    app.app_ctx_globals_class = Globals
    with app.app_context():
        assert get_template_attribute("macros.html", "hi")("ann") == "hi ann"
        assert g.spam == "eggs"


def test_the_client_adds_its_environ_base_to_a_builder(tmp_path: Path) -> None:
    import pytest

    from microweb.compat.testing import EnvironBuilder

    app = flask_app(tmp_path)
    app.route("/")(lambda: request.remote_addr or "none")
    client = app.test_client()
    builder = EnvironBuilder(app, "/")
    try:
        assert client.open(builder).text == "127.0.0.1"
    finally:
        builder.close()
    with pytest.raises(TypeError, match="Cookies are disabled"):
        with app.test_client(use_cookies=False).session_transaction():
            pass


def test_teardown_appcontext_runs_once_per_context(tmp_path: Path) -> None:
    app = flask_app(tmp_path)
    seen: list[object] = []
    app.teardown_appcontext(seen.append)
    app.route("/")(lambda: "ok")
    client = app.test_client()
    client.get("/")
    assert seen == [None]  # the request was its own application context
    with app.app_context():
        client.get("/")
        assert seen == [None]  # the request inside leaves it to the context
    assert seen == [None, None]


def test_stream_template_string_and_flask_prefixed_config(tmp_path: Path, monkeypatch: t.Any) -> None:
    from microweb.compat import stream_template_string

    app = flask_app(tmp_path)

    @app.route("/")
    def index():
        return stream_template_string("{{ request.path }} {{ word }}", word="hi")

    assert app.test_client().get("/").text == "/ hi"
    monkeypatch.setenv("FLASK_NUMBER", "5")
    app.config.from_prefixed_env()
    assert app.config["NUMBER"] == 5


def test_json_in_and_out_goes_through_app_json(tmp_path: Path) -> None:
    import datetime

    from microweb.compat import render_template_string
    from microweb.compat.json.provider import DefaultJSONProvider

    class Upper(DefaultJSONProvider):
        def loads(self, s, **kwargs):  # type: ignore[no-untyped-def]
            return {k.upper(): v for k, v in super().loads(s, **kwargs).items()}

    app = flask_app(tmp_path)
    app.json = Upper(app)

    @app.route("/", methods=["POST"])
    def index():
        return render_template_string(
            "{{ data|tojson }}", data={**request.get_json(), "at": datetime.date(2021, 2, 1)}
        )

    response = app.test_client().post("/", json={"a": 1})
    assert response.text == '{"A": 1, "at": "Mon, 01 Feb 2021 00:00:00 GMT"}'
    assert app.test_client().post("/", data="{", content_type="application/json").status_code == 400


def test_send_static_file_without_the_request(tmp_path: Path) -> None:
    from microweb.compat import Flask as FlaskApp

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("A")
    app = FlaskApp("static_app", root_path=str(tmp_path))
    assert app.test_client().get("/static/a.txt").text == "A"
    with app.test_request_context():
        response = app.send_static_file("a.txt")
        response.direct_passthrough = False
        assert response.get_data() == b"A"
        response.close()


def test_get_send_file_max_age_sets_the_cache_time(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("A")

    class TenSeconds(Flask):
        def get_send_file_max_age(self, filename):  # type: ignore[no-untyped-def]
            return 10

    app = TenSeconds("static_app", root_path=str(tmp_path))
    assert app.test_client().get("/static/a.txt").cache_control.max_age == 10


def test_a_view_s_dict_is_written_by_app_json_with_sorted_keys() -> None:
    from microweb.compat import Flask

    app = Flask(__name__)

    @app.route("/dict")
    def as_dict() -> t.Any:
        return {"b": 1, "a": 2}

    @app.route("/tuple")
    def as_tuple() -> t.Any:
        return [{"z": 1, "y": 2}], 201, {"X-Kind": "list"}

    client = app.test_client()
    # As jsonify writes it, and as Flask writes both.
    assert client.get("/dict").data == b'{"a":2,"b":1}\n'
    response = client.get("/tuple")
    assert (response.status_code, response.data) == (201, b'[{"y":2,"z":1}]\n')
    assert (response.mimetype, response.headers["X-Kind"]) == ("application/json", "list")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    assert client.get("/dict").data == b'{"b":1,"a":2}\n'
