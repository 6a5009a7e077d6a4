"""What Flask apps observe and microweb.compat now does too, found by Flask's own test suite.

Each test checks one behaviour through the public API; the comment on it
names the Flask test that found it missing.
"""

from __future__ import annotations

import gc
import logging
import ssl
import sys
import types
import typing as t
import warnings
import weakref
from pathlib import Path

import click
import jinja2
import pytest
from click.testing import CliRunner
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BuildError, RequestRedirect

from microweb.compat import (
    Blueprint,
    Config,
    Flask,
    Request,
    Response,
    abort,
    g,
    request,
    url_for,
)
from microweb.compat.cli import FlaskGroup, run_command
from microweb.compat.debughelpers import DebugFilesKeyError, FormDataRoutingRedirect
from microweb.compat.templating import Environment
from microweb.compat.views import MethodView


def flask_app(tmp_path: Path, **kwargs: t.Any) -> Flask:
    app = Flask("suite_fixes", root_path=str(tmp_path), **kwargs)
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app


# URL building.


def test_url_build_error_handlers_answer_a_url_that_cannot_be_built(tmp_path: Path) -> None:
    # test_build_error_handler, test_build_error_handler_reraise,
    # test_url_for_passes_special_values_to_build_error_handler
    app = flask_app(tmp_path)
    seen: list[tuple[str, dict[str, t.Any]]] = []

    def passes(error: BuildError, endpoint: str, values: dict[str, t.Any]) -> str | None:
        seen.append((endpoint, dict(values)))
        raise error

    def answers(error: BuildError, endpoint: str, values: dict[str, t.Any]) -> str | None:
        return f"/fallback/{endpoint}" if endpoint != "still.missing" else None

    with app.test_request_context():
        with pytest.raises(BuildError):
            url_for("missing")
        app.url_build_error_handlers.extend([passes, answers])
        assert url_for("missing", page=2) == "/fallback/missing"
        with pytest.raises(BuildError):
            url_for("still.missing")
    assert seen[0] == (
        "missing",
        {"page": 2, "_anchor": None, "_method": None, "_scheme": None, "_external": False},
    )
    # Outside a request the URL would be external.
    app.config["SERVER_NAME"] = "example.test"
    with app.app_context():
        assert url_for("missing") == "/fallback/missing"
    assert seen[-1][1]["_external"] is True


def test_handle_url_build_error_raises_the_error_it_is_given(tmp_path: Path) -> None:
    # test_build_error_handler: the error is raised even when another is current
    app = flask_app(tmp_path)
    error = BuildError("spam", {}, None)
    try:
        raise RuntimeError("another error is being handled")
    except RuntimeError:
        with pytest.raises(BuildError) as info:
            app.handle_url_build_error(error, "spam", {})
    assert info.value is error


def test_inject_url_defaults_takes_flasks_two_arguments(tmp_path: Path) -> None:
    # test_inject_blueprint_url_defaults
    app = flask_app(tmp_path)
    bp = Blueprint("pages", __name__)

    @bp.url_defaults
    def defaults(endpoint: str, values: dict[str, t.Any]) -> None:
        values.setdefault("page", "login")

    bp.route("/<page>")(lambda page: page)
    app.register_blueprint(bp, name="pages")
    values: dict[str, t.Any] = {}
    app.inject_url_defaults("pages.<lambda>", values)
    assert values == {"page": "login"}
    with app.test_request_context("/home"):
        assert url_for("pages.<lambda>") == "/login"


# Routing.


def test_static_host_serves_static_files_on_that_host(tmp_path: Path) -> None:
    # test_static_route_with_host_matching
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.txt").write_text("static a")
    app = flask_app(tmp_path, host_matching=True, static_host="files.test")
    client = app.test_client()
    assert client.get("http://files.test/static/a.txt").text == "static a"
    assert client.get("http://other.test/static/a.txt").status_code == 404
    with app.test_request_context():
        assert url_for("static", filename="a.txt", _external=True) == "http://files.test/static/a.txt"
    with pytest.raises(AssertionError):
        Flask("bad", root_path=str(tmp_path), static_host="files.test")
    with pytest.raises(AssertionError):
        Flask("bad", root_path=str(tmp_path), host_matching=True)
    Flask("fine", root_path=str(tmp_path), host_matching=True, static_folder=None)


def test_subdomain_matching_may_be_turned_on_after_the_app_is_made(tmp_path: Path) -> None:
    # test_nesting_subdomains, test_child_and_parent_subdomain
    app = flask_app(tmp_path)
    app.subdomain_matching = True
    app.config["SERVER_NAME"] = "example.test"
    parent, child = Blueprint("parent", __name__), Blueprint("child", __name__, subdomain="api")
    child.route("/")(lambda: "child")
    parent.register_blueprint(child)
    app.register_blueprint(parent, subdomain="parent")
    client = app.test_client()
    assert app.subdomain_matching is True
    assert client.get("/", base_url="http://api.parent.example.test").text == "child"
    assert client.get("/", base_url="http://parent.example.test").status_code == 404


def test_the_same_method_of_the_same_object_twice_is_one_view(tmp_path: Path) -> None:
    # test_multi_route_class_views
    app = flask_app(tmp_path)

    class Pages:
        def __init__(self, app: Flask) -> None:
            app.add_url_rule("/", "index", self.index)
            app.add_url_rule("/<name>/", "index", self.index)

        def index(self, name: str = "home") -> str:
            return name

    Pages(app)
    with pytest.raises(ValueError):
        app.add_url_rule("/other", "index", lambda: "another view")
    client = app.test_client()
    assert (client.get("/").text, client.get("/about/").text) == ("home", "about")


def test_a_view_class_replaced_on_the_view_is_the_one_used(tmp_path: Path) -> None:
    # test_view_patching
    app = flask_app(tmp_path)

    class Broken(MethodView):
        def get(self) -> str:
            raise ZeroDivisionError

    class Fixed(MethodView):
        def get(self) -> str:
            return "fixed"

    view = Broken.as_view("index")
    view.view_class = Fixed  # type: ignore[attr-defined]  # set by as_view
    app.add_url_rule("/", view_func=view)
    assert app.test_client().get("/").text == "fixed"


def test_a_301_routing_redirect_of_a_post_says_why_in_debug_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # test_routing_redirect_debugging
    app = flask_app(tmp_path)
    app.debug = True
    app.route("/user/", methods=["GET", "POST"])(lambda: request.form["status"])
    client = app.test_client()
    assert client.post("/user", data={"status": "kept"}, follow_redirects=True).text == "kept"
    monkeypatch.setattr(RequestRedirect, "code", 301)
    with pytest.raises(FormDataRoutingRedirect) as info:
        client.post("/user", data={"status": "lost"})
    assert "canonical URL 'http://localhost/user/'" in str(info.value)
    assert isinstance(info.value, AssertionError)
    app.debug = False
    assert client.post("/user", data={"status": "lost"}).status_code == 301


# Errors.


def test_a_missing_key_is_named_in_debug_mode_or_when_trapped(tmp_path: Path) -> None:
    # test_trap_bad_request_key_error
    app = flask_app(tmp_path)
    app.add_url_rule("/key", "key", lambda: request.form["missing_key"])
    app.add_url_rule("/abort", "abort", lambda: abort(400))
    client = app.test_client()
    response = client.get("/key")
    assert response.status_code == 400 and "missing_key" not in response.text
    app.config["DEBUG"] = True
    with pytest.raises(KeyError) as info:
        client.get("/key")
    assert "missing_key" in t.cast(BadRequest, info.value).get_description()
    assert client.get("/abort").status_code == 400
    app.config.update(DEBUG=False, TRAP_BAD_REQUEST_ERRORS=True)
    with pytest.raises(BadRequest):
        client.get("/abort")


def test_a_view_that_returns_no_valid_response_is_told_what_to_return(tmp_path: Path) -> None:
    # test_response_type_errors
    app = flask_app(tmp_path)
    app.add_url_rule("/small", "small", lambda: ("Hello",))
    app.add_url_rule("/bool", "bool", lambda: True)
    client = app.test_client()
    with pytest.raises(TypeError, match="tuple must have the form"):
        client.get("/small")
    with pytest.raises(TypeError, match="it was a bool"):
        client.get("/bool")


def test_register_error_handler_refuses_what_flask_refuses(tmp_path: Path) -> None:
    # test_error_handler_no_match
    app = flask_app(tmp_path)

    class Custom(Exception):
        pass

    with pytest.raises(TypeError, match=r"Custom\(\) is an instance, not a class\."):
        app.register_error_handler(Custom(), lambda e: "")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'list' is not a subclass of Exception."):
        app.register_error_handler(list, lambda e: "")  # type: ignore[arg-type]
    app.register_error_handler(Custom, lambda e: "handled")

    @app.route("/")
    def index() -> str:
        raise Custom()

    assert app.test_client().get("/").text == "handled"


def test_log_exception_with_flasks_signature_is_called_with_exc_info(tmp_path: Path) -> None:
    # test_suppressed_exception_logging
    logged: list[t.Any] = []

    class Quiet(Flask):
        def log_exception(self, exc_info: t.Any) -> None:
            logged.append(exc_info)

    app = Quiet("quiet", root_path=str(tmp_path))

    @app.route("/")
    def index() -> str:
        raise LookupError("boom")

    response = app.test_client().get("/")
    assert response.status_code == 500
    [(kind, error, tb)] = logged
    assert (kind, str(error), tb is not None) == (LookupError, "boom", True)


def test_log_exception_of_the_app_takes_exc_info_too(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = flask_app(tmp_path)
    with app.test_request_context("/where"), caplog.at_level(logging.ERROR):
        try:
            raise KeyError("k")
        except KeyError:
            app.log_exception(sys.exc_info())
    [record] = caplog.records
    assert record.getMessage() == "Exception on /where [GET]"
    assert record.exc_info is not None and record.exc_info[0] is KeyError


def test_files_of_a_form_without_multipart_say_so_in_debug_mode(tmp_path: Path) -> None:
    # test_enctype_debug_helper
    app = flask_app(tmp_path)
    app.debug = True
    app.route("/upload", methods=["POST"])(lambda: request.files["doc"].filename)
    with pytest.raises(DebugFilesKeyError) as info:
        app.test_client().post("/upload", data={"doc": "notes.txt"})
    message = str(info.value)
    assert "no file contents were transmitted" in message
    assert "This was submitted: 'notes.txt'" in message
    assert "multipart/form-data" in message
    assert isinstance(info.value, KeyError)


# Requests, responses, the client.


def test_full_dispatch_request_answers_the_bound_request(tmp_path: Path) -> None:
    # test_environ_for_valid_idna_completes
    app = flask_app(tmp_path)
    app.before_request(lambda: setattr(g, "seen", "before"))
    app.route("/")(lambda: f"hello {g.seen}")
    with app.test_request_context("/"):
        response = app.full_dispatch_request()
    assert (response.status_code, response.get_data(as_text=True)) == (200, "hello before")


def test_a_request_made_without_an_app_reads_its_limits_from_the_bound_one(
    tmp_path: Path,
) -> None:
    # test_limit_config
    app = flask_app(tmp_path)
    app.config.update(MAX_CONTENT_LENGTH=100, MAX_FORM_MEMORY_SIZE=50, MAX_FORM_PARTS=3)
    r = Request({})
    assert (r.max_content_length, r.max_form_memory_size, r.max_form_parts) == (
        None,
        500_000,
        1_000,
    )
    with app.app_context():
        assert (r.max_content_length, r.max_form_memory_size, r.max_form_parts) == (100, 50, 3)
    r.max_content_length = 90
    with app.app_context():
        assert r.max_content_length == 90


def test_max_cookie_size_comes_from_the_bound_app(tmp_path: Path) -> None:
    # test_max_cookie_size
    app = flask_app(tmp_path)
    app.config["MAX_COOKIE_SIZE"] = 100
    assert Response().max_cookie_size == Flask.default_config["MAX_COOKIE_SIZE"] == 4093
    with app.app_context():
        assert Response().max_cookie_size == 100

    @app.route("/")
    def index() -> Response:
        response = Response("", status=204)
        response.set_cookie("big", "x" * 300)
        return response

    client = app.test_client()
    with pytest.warns(UserWarning, match="cookie is too large"):
        client.get("/")
    app.config["MAX_COOKIE_SIZE"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.get("/")


def test_each_client_has_its_own_environ_base(tmp_path: Path) -> None:
    # test_environ_base_modified then test_client_open_environ
    app = flask_app(tmp_path)
    app.route("/")(lambda: request.remote_addr)
    first, second = app.test_client(), app.test_client()
    first.environ_base["REMOTE_ADDR"] = "192.0.2.1"
    assert first.get("/").text == "192.0.2.1"
    assert second.get("/").text == "127.0.0.1"


def test_an_environ_opened_by_the_client_gets_its_environ_base(tmp_path: Path) -> None:
    # test_client_open_environ
    from microweb.compat.testing import EnvironBuilder

    app = flask_app(tmp_path)
    app.route("/")(lambda: request.remote_addr)
    client = app.test_client()
    builder = EnvironBuilder(app, "/")
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.2"
    assert client.open(environ).text == "192.0.2.2"


def test_with_client_keeps_the_last_request_of_a_redirect_followed(tmp_path: Path) -> None:
    # test_redirect_session
    from microweb.compat import redirect, session

    app = flask_app(tmp_path)

    @app.route("/go")
    def go() -> t.Any:
        session["went"] = True
        return redirect("/target")

    @app.route("/target")
    def target() -> str:
        session["arrived"] = True
        return ""

    client = app.test_client()
    with client:
        client.get("/go", follow_redirects=True)
        assert request.path == "/target"
        assert (session["went"], session["arrived"]) == (True, True)


# Config, templates, g, the app's lifetime.


def test_config_from_mapping_takes_pairs() -> None:
    # test_config_from_mapping
    config = Config(".")
    config.from_mapping([("SECRET_KEY", "pairs"), ("lower", "skipped")], DEBUG=True)
    assert (config["SECRET_KEY"], config["DEBUG"], "lower" in config) == ("pairs", True, False)


def test_jinja_environment_and_the_global_loader_may_be_replaced(tmp_path: Path) -> None:
    # test_custom_jinja_env, test_custom_template_loader
    from microweb.compat import render_template

    class CustomEnvironment(Environment):
        pass

    class CustomFlask(Flask):
        jinja_environment = CustomEnvironment
        jinja_options = {"trim_blocks": True}

        def create_global_jinja_loader(self) -> jinja2.BaseLoader:
            return jinja2.DictLoader({"index.html": "{% if true %}\nHello {{ name }}{% endif %}"})

    app = CustomFlask("custom", root_path=str(tmp_path))
    app.route("/")(lambda: render_template("index.html", name="loader"))
    assert isinstance(app.jinja_env, CustomEnvironment)
    assert app.jinja_env.app is app
    assert app.test_client().get("/").text == "Hello loader"


def test_turning_debug_on_reloads_templates(tmp_path: Path) -> None:
    # test_templates_auto_reload_debug_run
    app = flask_app(tmp_path)
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is True
    # An explicit TEMPLATES_AUTO_RELOAD wins over debug.
    app.config["TEMPLATES_AUTO_RELOAD"] = True
    app.debug = False
    assert app.jinja_env.auto_reload is True


def test_g_of_an_application_context_names_its_app(tmp_path: Path) -> None:
    # test_app_ctx_globals_methods
    app = flask_app(tmp_path)
    with app.app_context():
        g.user = "ann"
        assert repr(g) == "<flask.g of 'suite_fixes'>"
        assert list(g) == ["user"]


def test_an_app_is_freed_when_nothing_refers_to_it(tmp_path: Path) -> None:
    # test_app_freed_on_zero_refcount
    gc.disable()
    try:
        app = Flask("freed", root_path=str(tmp_path))
        assert app.view_functions["static"]
        ref = weakref.ref(app)
        del app
        assert ref() is None
    finally:
        gc.enable()


def test_a_blueprints_static_file_takes_its_max_age_from_the_blueprint(tmp_path: Path) -> None:
    # test_default_static_max_age
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "a.css").write_text("a {}")

    class Cached(Blueprint):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 100

    app = flask_app(tmp_path)
    bp = Cached("files", __name__, static_folder="static", root_path=str(tmp_path))
    app.register_blueprint(bp, url_prefix="/files")
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    with app.test_request_context():
        response = bp.send_static_file("a.css")
        assert response.cache_control.max_age == 100
        response.close()
    response = app.test_client().get("/files/static/a.css")
    assert response.cache_control.max_age == 100


# The command line.


def test_run_checks_cert_and_key_while_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # test_run_cert_path, test_run_cert_adhoc, test_run_cert_import, test_run_cert_no_ssl
    cert, key = tmp_path / "dev.crt", tmp_path / "dev.key"
    cert.write_text("cert")
    key.write_text("key")
    for args in (["--cert", str(cert)], ["--key", str(key)], ["--cert", "no_such_module"]):
        with pytest.raises(click.BadParameter):
            run_command.make_context("run", args)
    for args in (["--cert", str(cert), "--key", str(key)], ["--key", str(key), "--cert", str(cert)]):
        assert run_command.make_context("run", args).params["cert"] == (str(cert), str(key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    monkeypatch.setitem(sys.modules, "dev_ssl_context", context)  # type: ignore[arg-type]
    assert run_command.make_context("run", ["--cert", "dev_ssl_context"]).params["cert"] is context
    with pytest.raises(click.BadParameter):
        run_command.make_context("run", ["--cert", "dev_ssl_context", "--key", str(key)])
    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    assert run_command.make_context("run", ["--cert", "adhoc"]).params["cert"] == "adhoc"
    monkeypatch.setitem(sys.modules, "ssl", None)  # type: ignore[arg-type]
    with pytest.raises(click.BadParameter, match="ssl"):
        run_command.make_context("run", ["--cert", str(cert)])


def test_run_gives_path_lists_as_lists() -> None:
    # test_run_exclude_patterns
    context = run_command.make_context(
        "run", ["--exclude-patterns", "a.py", "--extra-files", f"b.cfg{__import__('os').pathsep}c.cfg"]
    )
    assert (context.params["exclude_patterns"], context.params["extra_files"]) == (
        ["a.py"],
        ["b.cfg", "c.cfg"],
    )


def test_routes_sorts_by_match_order_and_says_when_there_are_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # TestRoutes.test_sort, TestRoutes.test_no_routes
    # FlaskGroup sets FLASK_RUN_FROM_CLI, as Flask's does: undone after.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    app = flask_app(tmp_path)
    app.add_url_rule("/zzz", endpoint="aaa")
    app.add_url_rule("/aaa", endpoint="zzz")
    runner = CliRunner()
    output = runner.invoke(FlaskGroup(create_app=lambda: app), ["routes", "-s", "match"]).output
    rows = [line.split()[0] for line in output.splitlines()[2:]]
    assert rows == [rule.endpoint for rule in app.url_map.iter_rules()]
    empty = Flask("empty", root_path=str(tmp_path), static_folder=None)
    result = runner.invoke(FlaskGroup(create_app=lambda: empty), ["routes"])
    assert (result.exit_code, result.output) == (0, "No routes were registered.\n")


# Sessions, endpoints, teardown order.


def test_a_permanent_session_is_renewed_by_requests_that_do_not_read_it(tmp_path: Path) -> None:
    # test_session_refresh_vary
    from microweb.compat import session

    app = flask_app(tmp_path)

    @app.route("/login")
    def login() -> str:
        session["user_id"] = 1
        session.permanent = True
        return ""

    app.add_url_rule("/ignored", "ignored", lambda: "")
    client = app.test_client()
    first = client.get("/login")
    assert first.headers["Vary"] == "Cookie"
    renewed = client.get("/ignored")
    assert renewed.headers["Vary"] == "Cookie"
    assert "session=" in renewed.headers["Set-Cookie"]
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert "Set-Cookie" not in client.get("/ignored").headers


def test_an_endpoint_clash_is_refused_with_flasks_error_and_the_cores(tmp_path: Path) -> None:
    # test_endpoint_override
    from microweb.compat.app import EndpointClashError

    app = flask_app(tmp_path)
    app.add_url_rule("/", "index", lambda: "first")
    with pytest.raises(AssertionError) as info:
        app.add_url_rule("/", "index", lambda: "second")
    assert isinstance(info.value, (ValueError, EndpointClashError))
    assert app.test_client().get("/").text == "first"


def test_teardown_appcontext_functions_run_after_teardown_request_ones(tmp_path: Path) -> None:
    # test_context_refcounts (its order)
    app = flask_app(tmp_path)
    called: list[str] = []
    app.teardown_appcontext(lambda exc: called.append("app 1"))
    app.teardown_request(lambda exc: called.append("request 1"))
    app.teardown_appcontext(lambda exc: called.append("app 2"))
    bp = Blueprint("bp", __name__)
    bp.teardown_request(lambda exc: called.append("blueprint"))
    bp.route("/")(lambda: "")
    app.register_blueprint(bp)
    app.teardown_request(lambda exc: called.append("request 2"))
    app.test_client().get("/")
    assert called == ["blueprint", "request 2", "request 1", "app 2", "app 1"]


# The instance folder (test_instance_config, once its generated modules
# import microweb.compat: the suite's rewriting leaves strings alone).


@pytest.fixture
def fresh_modules() -> t.Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:
        sys.modules.pop(name, None)


def test_a_namespace_packages_instance_folder_is_in_its_own_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_modules: list[str]
) -> None:
    for project in ("one", "two"):
        package = tmp_path / project / "shared_ns" / f"pkg_{project}"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(
            "import microweb.compat as flask\napp = flask.Flask(__name__)\n"
        )
        monkeypatch.syspath_prepend(str(tmp_path / project))
    fresh_modules.extend(["shared_ns", "shared_ns.pkg_two"])
    from shared_ns.pkg_two import app  # type: ignore[import-not-found]

    assert app.instance_path == str(tmp_path / "two" / "instance")


def test_an_installed_packages_instance_folder_is_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_modules: list[str]
) -> None:
    site = tmp_path / "env" / "lib" / "python3.x" / "site-packages"
    package = site / "installed_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "import microweb.compat as flask\napp = flask.Flask(__name__)\n"
    )
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "inside_prefix.py").write_text(
        "import microweb.compat as flask\napp = flask.Flask(__name__)\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "elsewhere"))
    fresh_modules.extend(["installed_pkg", "inside_prefix"])
    from installed_pkg import app  # type: ignore[import-not-found]

    assert app.instance_path == str(tmp_path / "env" / "var" / "installed_pkg-instance")
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    from inside_prefix import app as inside  # type: ignore[import-not-found]

    assert inside.instance_path == str(tmp_path / "var" / "inside_prefix-instance")
