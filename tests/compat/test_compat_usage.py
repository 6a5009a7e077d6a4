"""``proxies="warn"``: the record of hidden-state reads, and ``microweb proxies``."""

from __future__ import annotations

import inspect
import logging
import os
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest

from microweb import App, Request
from microweb.compat import current_app, g, request, session
from microweb.compat.usage import ProxyUse, format_usage

HERE = __file__


def line_of(f: t.Callable[..., t.Any], text: str) -> int:
    """The line of *f*'s source that contains *text*."""
    lines, start = inspect.getsourcelines(f)
    for offset, line in enumerate(lines):
        if text in line:
            return start + offset
    raise AssertionError(f"{text!r} is not in {f.__name__}")


def make_app(proxies: t.Any = "warn") -> App:
    app = App(__name__, proxies=proxies)
    app.config["SECRET_KEY"] = "test"

    @app.before_request
    def load_user() -> None:
        g.user = request.args.get("user", "nobody")

    @app.route("/")
    def index() -> str:
        session["seen"] = True
        return f"{g.user} on {request.path}"

    @app.route("/explicit")
    def explicit(request: Request) -> str:
        return f"{request.g.user} on {request.path}"

    app.view_functions["index"].lines = {  # type: ignore[attr-defined]
        "hook": line_of(load_user, "g.user ="),
        "session": line_of(index, "session["),
        "body": line_of(index, "return f"),
    }
    return app


def test_warn_records_each_place_with_its_endpoint_and_count() -> None:
    app = make_app()
    lines = app.view_functions["index"].lines  # type: ignore[attr-defined]
    client = app.test_client()
    for _ in range(3):
        assert client.get("/?user=ann").text == "ann on /"
    assert client.get("/explicit").text == "nobody on /explicit"

    uses = {(u.name, u.lineno, u.endpoint): u for u in app.proxy_usage()}
    assert {key: u.reads for key, u in uses.items()} == {
        ("g", lines["hook"], "index"): 3,
        ("request", lines["hook"], "index"): 3,
        ("session", lines["session"], "index"): 3,
        ("g", lines["body"], "index"): 3,
        ("request", lines["body"], "index"): 3,
        # The explicit view reads nothing hidden; its before-hook does.
        ("g", lines["hook"], "explicit"): 1,
        ("request", lines["hook"], "explicit"): 1,
    }
    assert all(u.filename == HERE for u in uses.values())
    # Sorted by place.
    listed = app.proxy_usage()
    assert listed == sorted(listed, key=lambda u: (u.lineno, u.name, u.endpoint or ""))


def test_each_place_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    app = make_app()
    lines = app.view_functions["index"].lines  # type: ignore[attr-defined]
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger=app.logger.name):
        for path in ["/", "/", "/explicit"]:
            client.get(path)
    messages = [r.getMessage() for r in caplog.records]
    # Five places (file, line, proxy), each logged the first time only.
    assert len(messages) == 5
    assert f"{HERE}:{lines['session']} reads 'session' (during endpoint 'index')" in messages[2]
    assert all("Pass the request" in m for m in messages)


def test_reads_in_an_application_context_have_no_endpoint() -> None:
    app = make_app()
    with app.app_context():  # type: ignore[attr-defined]  # the layer adds it
        name = current_app.name
    assert name == app.name
    (use,) = app.proxy_usage()
    assert (use.name, use.endpoint, use.reads) == ("current_app", None, 1)
    assert use.lineno == inspect.currentframe().f_lineno - 4  # type: ignore[union-attr]


def test_only_warn_apps_record() -> None:
    for proxies in (True, False):
        app = make_app(proxies) if proxies else App(__name__)
        with pytest.raises(RuntimeError, match="proxies=\"warn\""):
            app.proxy_usage()
    # A recording app does not make other apps record.
    warn, plain = make_app(), make_app(True)
    plain.test_client().get("/")
    assert warn.proxy_usage() == []
    assert plain.proxies is True


def test_the_environment_turns_recording_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROWEB_PROXIES", "warn")
    app = make_app(True)
    assert app.proxies == "warn"
    app.test_client().get("/")
    assert len(app.proxy_usage()) == 5
    # An app in the explicit style stays as it is.
    assert App(__name__).proxies is False


def test_format_usage() -> None:
    here = os.path.join(os.getcwd(), "app", "views.py")
    uses = [
        ProxyUse("request", here, 12, "index", 3),
        ProxyUse("url_for()", "/elsewhere/x.py", 4, None, 1),
    ]
    lines = format_usage(uses).splitlines()
    assert lines[0].split() == ["reads", "what", "where", "endpoint"]
    assert lines[1].split() == ["3", "request", os.path.join("app", "views.py") + ":12", "index"]
    assert lines[2].split() == ["1", "url_for()", "/elsewhere/x.py:4", "(app", "context)"]
    assert lines[3] == "4 hidden-state reads from 2 places in the app's code."
    assert "No hidden-state reads" in format_usage([])


def test_proxies_command_crawls_the_app() -> None:
    app = make_app()

    @app.route("/links")
    def links() -> str:
        return '<a href="/?user=bob">home</a> <a href="https://example.com/">away</a>'

    result = app.test_cli_runner().invoke(args=["proxies"])
    assert result.exit_code == 0, result.output
    # "/", "/explicit", "/links" from the rules, then "/?user=bob" from a link.
    assert "Crawled 4 pages of <App" in result.output
    assert "(4× 200)" in result.output
    lines = app.view_functions["index"].lines  # type: ignore[attr-defined]
    rows = [line.split() for line in result.output.splitlines()]
    # "/" and "/?user=bob" both reach the index view.
    assert ["2", "session", f"{os.path.relpath(HERE)}:{lines['session']}", "index"] in rows
    assert result.output.rstrip().endswith("reads from 3 places in the app's code.")

    strict = app.test_cli_runner().invoke(args=["proxies", "--strict"])
    assert strict.exit_code == 1


def test_proxies_command_on_an_explicit_app() -> None:
    app = App(__name__)
    result = app.test_cli_runner().invoke(args=["proxies", "--strict"])
    assert result.exit_code == 0
    assert "runs in the explicit style (proxies are off)" in result.output


def test_proxies_command_runs_the_test_suite(tmp_path: Path) -> None:
    (tmp_path / "myapp.py").write_text(
        textwrap.dedent(
            """
            from microweb import App
            from microweb.compat import request

            def create_app():
                app = App(__name__, proxies=True)

                @app.route("/")
                def index():
                    return request.args.get("q", "none")

                return app
            """
        )
    )
    (tmp_path / "test_myapp.py").write_text(
        textwrap.dedent(
            """
            from myapp import create_app

            def test_index():
                assert create_app().test_client().get("/?q=1").text == "1"
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MICROWEB")}
    command = [sys.executable, "-m", "microweb", "proxies", "--pytest", "-q", "-p", "no:cacheprovider"]
    done = subprocess.run(
        [*command, "test_myapp.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "1  request  myapp.py:10  index" in done.stdout
    assert "1 hidden-state read from 1 place in the app's code." in done.stdout
    # A failing suite fails the command.
    (tmp_path / "test_fail.py").write_text("def test_fail():\n    assert False\n")
    failed = subprocess.run(
        [*command, "test_fail.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert failed.returncode == 1
    assert "No hidden-state reads recorded" in failed.stdout


def test_helpers_that_read_the_request_are_recorded() -> None:
    from microweb.compat import flash, render_template_string, url_for

    app = make_app()

    @app.route("/helpers")
    def helpers() -> str:
        flash("hello")
        link = url_for("index")
        return render_template_string("{{ link }}", link=link)

    assert app.test_client().get("/helpers").text == "/"
    names = {u.name: u.lineno for u in app.proxy_usage() if u.endpoint == "helpers"}
    assert names == {
        "flash()": line_of(helpers, "flash("),
        "url_for()": line_of(helpers, "url_for("),
        "render_template_string()": line_of(helpers, "render_template_string("),
        # The before-hook's reads.
        "g": line_of(app.before_request_funcs[None][0], "g.user ="),
        "request": line_of(app.before_request_funcs[None][0], "g.user ="),
    }


def test_a_flask_app_records_with_proxies_warn() -> None:
    from microweb.compat import Flask

    app = Flask(__name__, proxies="warn")

    @app.route("/")
    def index() -> str:
        return request.path

    app.test_client().get("/")
    assert [(u.name, u.lineno) for u in app.proxy_usage()] == [
        ("request", line_of(index, "request.path"))
    ]
    with pytest.raises(RuntimeError, match=r"Flask\('x', proxies=\"warn\"\)"):
        Flask("x").proxy_usage()
    with pytest.raises(ValueError, match="always has the proxies on"):
        Flask("x", proxies=False)  # type: ignore[arg-type]


def test_the_framework_s_own_reads_are_not_the_app_s() -> None:
    from microweb.compat import Flask, stream_with_context

    app = Flask(__name__, proxies="warn")
    closed: list[object] = []

    @app.teardown_appcontext
    def close(error: BaseException | None) -> None:
        closed.append(error)

    @app.route("/")
    def index(request: Request) -> str:
        return "explicit"

    @app.route("/stream")
    def streamed() -> t.Any:
        @stream_with_context
        def body() -> t.Iterator[str]:
            yield "a"

        return body()

    client = app.test_client()
    assert client.get("/").text == "explicit"
    assert closed == [None]
    # An explicit view whose app has a teardown_appcontext function: the
    # framework looks up the request to run it, the app reads nothing.
    assert app.proxy_usage() == []
    assert client.get("/stream").text == "a"
    assert [(u.name, u.lineno) for u in app.proxy_usage()] == [
        ("stream_with_context()", line_of(streamed, "return body()"))
    ]


def test_proxies_command_exclude() -> None:
    app = make_app()
    where = os.path.relpath(HERE)
    everything = app.test_cli_runner().invoke(args=["proxies"])
    assert where in everything.output
    result = app.test_cli_runner().invoke(args=["proxies", "--strict", "--exclude", f"{where}"])
    assert result.exit_code == 0, result.output
    assert "No hidden-state reads recorded" in result.output
    other = app.test_cli_runner().invoke(args=["proxies", "--exclude", "elsewhere/*"])
    assert where in other.output


def test_proxies_takes_three_values() -> None:
    with pytest.raises(ValueError, match="False, True or 'warn', not 'Warn'"):
        App(__name__, proxies="Warn")  # type: ignore[arg-type]
