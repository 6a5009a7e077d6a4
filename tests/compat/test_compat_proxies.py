"""The proxies stand for what is bound, on their fast paths and on werkzeug's.

``request``, ``session``, ``g`` and ``current_app`` answer the common
reads themselves while a request or context of a proxies-on app is bound,
and leave the rest to werkzeug's ``LocalProxy``: these tests check that
both ways give the same answers and the same errors.
"""

from __future__ import annotations

import copy

import pytest

from microweb import App, Request
from microweb.compat import current_app, g, request, session
from microweb.compat.context import RequestContext


def test_request_reads_its_attributes_and_stands_for_a_request(app: App) -> None:
    @app.route("/items/<int:id>")
    def item(id: int) -> dict[str, object]:
        return {
            "path": request.path,
            "page": request.args.get("page", type=int),
            "method": request.method,
            "endpoint": request.endpoint,
            "is_request": isinstance(request, Request),
            "same": request._get_current_object().view_args is request.view_args,
            "class": request.__class__.__name__,
        }

    assert app.test_client().get("/items/3?page=2").json == {
        "path": "/items/3",
        "page": 2,
        "method": "GET",
        "endpoint": "item",
        "is_request": True,
        "same": True,
        "class": "Request",
    }


def test_a_missing_attribute_raises_attribute_error(app: App) -> None:
    @app.route("/")
    def index() -> str:
        with pytest.raises(AttributeError, match="no_such_thing"):
            request.no_such_thing  # noqa: B018
        with pytest.raises(AttributeError, match="unset"):
            g.unset  # noqa: B018
        return f"{getattr(g, 'unset', 'default')} {hasattr(current_app, 'no_such_thing')}"

    assert app.test_client().get("/").text == "default False"


def test_g_sets_reads_tests_and_deletes_names(app: App) -> None:
    @app.before_request
    def remember() -> None:
        g.trace = ["before"]

    @app.route("/")
    def index() -> str:
        g.trace.append("view")
        g.extra = 1
        present = "extra" in g and "missing" not in g
        del g.extra
        return f"{','.join(g.trace)} {present} {'extra' in g} {g.get('missing', '-')} {sorted(g)}"

    assert app.test_client().get("/").text == "before,view True False - ['trace']"


def test_session_reads_writes_tests_and_deletes_keys(app: App) -> None:
    @app.route("/")
    def index() -> str:
        n = session.get("n", 0) + 1
        session["n"] = n
        session["gone"] = True
        del session["gone"]
        with pytest.raises(KeyError):
            session["missing"]  # noqa: B018
        return f"{n} {session['n']} {'n' in session} {'gone' in session} {session.modified}"

    client = app.test_client()
    assert client.get("/").text == "1 1 True False True"
    assert client.get("/").text == "2 2 True False True"


def test_current_app_reads_the_apps_attributes(app: App) -> None:
    @app.route("/")
    def index() -> str:
        return f"{current_app.name} {current_app.config['SECRET_KEY']} {current_app is not app}"

    assert app.test_client().get("/").text == "compat_app test key True"


def test_in_an_application_context_g_and_current_app_answer_and_request_refuses(
    app: App,
) -> None:
    with app.app_context():
        g.value = 5
        assert g.value == 5
        assert "value" in g
        assert current_app.name == "compat_app"
        with pytest.raises(RuntimeError, match="app.app_context"):
            request.path  # noqa: B018
        with pytest.raises(RuntimeError, match="app.app_context"):
            session.get("x")
        with pytest.raises(RuntimeError, match="app.app_context"):
            session["x"] = 1
        with pytest.raises(RuntimeError, match="app.app_context"):
            "x" in session  # noqa: B015


def test_with_nothing_bound_every_proxy_refuses(app: App) -> None:
    for read in (
        lambda: request.path,
        lambda: session.get("x"),
        lambda: session["x"],
        lambda: "x" in session,
        lambda: g.value,
        lambda: "x" in g,
        lambda: current_app.name,
    ):
        with pytest.raises(RuntimeError, match="Working outside of"):
            read()
    with pytest.raises(RuntimeError, match="Working outside of"):
        g.value = 1


def test_unbound_proxies_answer_for_themselves() -> None:
    # What werkzeug answers without a bound object: the proxy's own class.
    assert request.__class__.__name__ == "LocalProxy"
    assert repr(g) == "<LocalProxy unbound>"
    assert not isinstance(request, Request)


def test_a_bound_request_of_an_app_without_proxies_is_still_found() -> None:
    explicit = App("explicit_app")
    explicit.config.update(SECRET_KEY="key")

    @explicit.route("/here")
    def here(request: Request) -> str:
        return "here"

    built = explicit.test_request("/here?x=1")
    with RequestContext(explicit, built, teardown=False):
        assert request.args["x"] == "1"
        assert request._get_current_object() is built
        assert g is not None and "x" not in g
        g.x = 2
        assert built.g.x == 2
        session["k"] = "v"
        assert built.session["k"] == "v"
        assert current_app.name == "explicit_app"


def test_copying_the_proxy_copies_what_it_stands_for(app: App) -> None:
    with app.app_context():
        g.items = [1]
        copied = copy.copy(g)
        assert copied.items == [1]
        assert copied is not g
