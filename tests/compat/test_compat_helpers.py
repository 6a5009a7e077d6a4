"""The helpers read the current request and call the explicit functions."""

from __future__ import annotations

import ast
from pathlib import Path

import microweb
from microweb import App
from microweb.compat import (
    after_this_request,
    copy_current_request_context,
    flash,
    get_flashed_messages,
    make_response,
    redirect,
    request,
    url_for,
)


def test_flash_url_for_make_response_and_after_this_request(app: App) -> None:
    @app.route("/set")
    def set_message():
        flash("saved")
        return redirect(url_for("show"))

    @app.route("/show")
    def show():
        @after_this_request
        def add_header(response):
            response.headers["X-After"] = "yes"
            return response

        response = make_response(", ".join(get_flashed_messages()), 201)
        return response

    client = app.test_client()
    assert client.get("/set").headers["Location"] == "/show"
    response = client.get("/show")
    assert (response.status_code, response.text) == (201, "saved")
    assert response.headers["X-After"] == "yes"


def test_after_this_request_on_a_plain_string(app: App) -> None:
    @app.route("/")
    def index():
        after_this_request(lambda response: response)
        return "plain"

    assert app.test_client().get("/").text == "plain"


def test_copy_current_request_context(app: App) -> None:
    @app.route("/")
    def index():
        later = copy_current_request_context(lambda: request.path)
        return later()

    assert app.test_client().get("/").text == "/"


def test_url_for_in_an_application_context(app: App) -> None:
    app.config["SERVER_NAME"] = "example.com"
    app.route("/x")(lambda request: "")
    with app.app_context():  # type: ignore[attr-defined]  # set by proxies=True
        assert url_for("<lambda>") == "http://example.com/x"


def test_nothing_in_microweb_imports_flask() -> None:
    package = Path(microweb.__file__).parent
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "flask" or n.startswith("flask.") for n in names), path


def test_stream_template_streams_with_the_request_bound(app: App) -> None:
    from microweb.compat import g, stream_template_string

    seen: list[str] = []

    def note(n: int) -> int:
        # Called while the body is sent, after the view returned.
        seen.append(f"{request.args['who']} {g.who} {n}")
        return n

    @app.before_request
    def remember() -> None:
        g.who = request.args["who"]

    @app.route("/")
    def page():
        return stream_template_string(
            "{% for n in range(2) %}[{{ note(n) }} {{ request.args.who }}]{% endfor %}", note=note
        )

    response = app.test_client().get("/?who=ann", buffered=False)
    assert seen == []
    body = b"".join(response.response)
    response.close()
    assert body == b"[0 ann][1 ann]"
    assert seen == ["ann ann 0", "ann ann 1"]


def test_stream_template_in_an_application_context(app: App) -> None:
    from microweb.compat import current_app, g, stream_template_string

    with app.app_context():  # type: ignore[attr-defined]  # the layer adds it
        g.word = "hi"
        pieces = stream_template_string("{{ g.word }} {{ name() }}", name=lambda: current_app.name)
        assert "".join(pieces) == f"hi {app.name}"
