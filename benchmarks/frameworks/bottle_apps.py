"""Bottle, as a reference: routes, hooks, and jinja2 used directly.

Bottle's own templates are not Jinja, so the template workload renders
with a ``jinja2.Environment`` made once per app (autoescaping on); its
signed cookies pickle their value, so the session workload signs with
itsdangerous as Falcon's does (see :mod:`.cookie_session`).
"""

from __future__ import annotations

import typing as t

import bottle
from bottle import request, response

from .. import workloads as w
from ..harness import WSGIApp
from .cookie_session import CookieSession

NAME = "bottle"
REQUIRES = "bottle"


def hello() -> WSGIApp:
    app = bottle.Bottle()

    @app.get("/hello")
    def hello() -> str:
        response.content_type = "text/plain"
        return "Hello, World!"

    return app


def hello_str() -> WSGIApp:
    app = bottle.Bottle()

    @app.get("/hello")
    def hello() -> str:
        return "Hello, World!"

    return app


def json() -> WSGIApp:
    app = bottle.Bottle()

    @app.get("/users/<user_id:int>")
    def user(user_id: int) -> dict[str, t.Any]:
        return w.json_answer(user_id, int(request.query.get("page", 1)))

    return app


def template() -> WSGIApp:
    app = bottle.Bottle()
    env = w.jinja_env()

    @app.get("/items")
    def items() -> str:
        return env.get_template(w.TEMPLATE_NAME).render(title=w.TITLE, items=w.ITEMS)

    return app


def routes(count: int) -> WSGIApp:
    app = bottle.Bottle()
    for i in range(count):
        app.route(w.ROUTE_RULE.format(i=i), "GET", route_view(i))
    return app


def route_view(i: int) -> t.Callable[[str], str]:
    def view(name: str) -> str:
        return w.route_answer(i, name)

    return view


def dispatch() -> WSGIApp:
    return routes(w.DISPATCH_ROUTES)


def form() -> WSGIApp:
    app = bottle.Bottle()

    @app.post("/form")
    def form() -> str:
        # getunicode: Bottle's forms hold latin-1 "native strings" otherwise.
        fields = request.forms
        return ";".join(f"{key}={fields.getunicode(key)}" for key in w.FORM)

    return app


def session() -> WSGIApp:
    app = bottle.Bottle()
    sessions = CookieSession()

    @app.get("/session")
    def count() -> str:
        data = sessions.load(request.get_cookie(w.SESSION_COOKIE))
        n = data.get("count", 0) + 1
        data["count"] = n
        response.set_cookie(
            w.SESSION_COOKIE, sessions.dump(data), path="/", httponly=True, samesite="lax"
        )
        response.add_header("Vary", "Cookie")
        return f"count {n}"

    return app


def hooks() -> WSGIApp:
    app = bottle.Bottle()

    @app.hook("before_request")
    def before_1() -> None:
        request.environ["bench.trace"] = ["before-1"]

    @app.hook("before_request")
    def before_2() -> None:
        request.environ["bench.trace"].append("before-2")

    @app.hook("before_request")
    def before_3() -> None:
        request.environ["bench.trace"].append("before-3")

    @app.hook("after_request")
    def after_1() -> None:
        response.set_header("X-Hook-1", w.HOOK_HEADERS["X-Hook-1"])

    @app.hook("after_request")
    def after_2() -> None:
        response.set_header("X-Hook-2", w.HOOK_HEADERS["X-Hook-2"])

    @app.get("/hooks")
    def view() -> str:
        return ",".join(request.environ["bench.trace"])

    return app


APPS: dict[str, t.Callable[[], WSGIApp]] = {
    "hello": hello,
    "hello-str": hello_str,
    "json": json,
    "template": template,
    "dispatch": dispatch,
    "form": form,
    "session": session,
    "hooks": hooks,
}
