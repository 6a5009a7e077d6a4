"""microweb in its own style: every view, hook and helper takes the request."""

from __future__ import annotations

import typing as t

from microweb import App, Request, Response, render

from .. import workloads as w
from ..harness import WSGIApp
from .notes_apps import as_apps

NAME = "microweb"
REQUIRES = "microweb"


def new_app() -> App:
    app = App("benchmarks", root_path=w.HERE, template_folder=w.TEMPLATE_FOLDER)
    app.config["SECRET_KEY"] = w.SECRET_KEY
    return app


def hello() -> WSGIApp:
    app = new_app()

    @app.get("/hello")
    def hello(request: Request) -> Response:
        return Response("Hello, World!", mimetype="text/plain")

    return app


def hello_str() -> WSGIApp:
    app = new_app()

    @app.get("/hello")
    def hello(request: Request) -> str:
        return "Hello, World!"

    return app


def json() -> WSGIApp:
    app = new_app()

    @app.get("/users/<int:user_id>")
    def user(request: Request, user_id: int) -> dict[str, t.Any]:
        return w.json_answer(user_id, request.args.get("page", 1, type=int))

    return app


def template() -> WSGIApp:
    app = new_app()

    @app.get("/items")
    def items(request: Request) -> str:
        return render(request, w.TEMPLATE_NAME, title=w.TITLE, items=w.ITEMS)

    return app


def routes(count: int) -> WSGIApp:
    app = new_app()
    for i in range(count):
        app.add_url_rule(w.ROUTE_RULE.format(i=i), f"r{i}", route_view(i), methods=["GET"])
    return app


def route_view(i: int) -> t.Callable[[Request, str], str]:
    def view(request: Request, name: str) -> str:
        return w.route_answer(i, name)

    return view


def dispatch() -> WSGIApp:
    return routes(w.DISPATCH_ROUTES)


def form() -> WSGIApp:
    app = new_app()

    @app.post("/form")
    def form(request: Request) -> str:
        fields = request.form
        return ";".join(f"{key}={fields[key]}" for key in w.FORM)

    return app


def session() -> WSGIApp:
    app = new_app()

    @app.get("/session")
    def count(request: Request) -> str:
        n = request.session.get("count", 0) + 1
        request.session["count"] = n
        return f"count {n}"

    return app


def hooks() -> WSGIApp:
    app = new_app()

    @app.before_request
    def before_1(request: Request) -> None:
        request.g.trace = ["before-1"]

    @app.before_request
    def before_2(request: Request) -> None:
        request.g.trace.append("before-2")

    @app.before_request
    def before_3(request: Request) -> None:
        request.g.trace.append("before-3")

    # After-hooks run in the reverse order of registration.
    @app.after_request
    def after_2(request: Request, response: Response) -> Response:
        response.headers["X-Hook-2"] = w.HOOK_HEADERS["X-Hook-2"]
        return response

    @app.after_request
    def after_1(request: Request, response: Response) -> Response:
        response.headers["X-Hook-1"] = w.HOOK_HEADERS["X-Hook-1"]
        return response

    @app.get("/hooks")
    def view(request: Request) -> str:
        return ",".join(request.g.trace)

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
    **as_apps("notes"),
}
