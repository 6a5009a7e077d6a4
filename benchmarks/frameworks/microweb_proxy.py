"""microweb with Flask-style views: the request, session and g are proxies.

The same views as a Flask app has, on ``App(name, proxies=True)``; the
``microweb-compat`` framework runs these very functions on
``microweb.compat.Flask`` instead.
"""

from __future__ import annotations

import functools
import typing as t

from microweb import App, Response
from microweb.compat import g, render_template, request, session

from .. import workloads as w
from ..harness import WSGIApp

NAME = "microweb-proxy"
REQUIRES = "microweb"

AppFactory = t.Callable[[], App]


def proxy_app() -> App:
    app = App("benchmarks", root_path=w.HERE, template_folder=w.TEMPLATE_FOLDER, proxies=True)
    app.config["SECRET_KEY"] = w.SECRET_KEY
    return app


def hello(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.get("/hello")
    def hello() -> Response:
        return Response("Hello, World!", mimetype="text/plain")

    return app


def hello_str(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.get("/hello")
    def hello() -> str:
        return "Hello, World!"

    return app


def json(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.get("/users/<int:user_id>")
    def user(user_id: int) -> dict[str, t.Any]:
        return w.json_answer(user_id, request.args.get("page", 1, type=int))

    return app


def template(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.get("/items")
    def items() -> str:
        return render_template(w.TEMPLATE_NAME, title=w.TITLE, items=w.ITEMS)

    return app


def routes(count: int, new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()
    for i in range(count):
        app.add_url_rule(w.ROUTE_RULE.format(i=i), f"r{i}", route_view(i), methods=["GET"])
    return app


def route_view(i: int) -> t.Callable[[str], str]:
    def view(name: str) -> str:
        return w.route_answer(i, name)

    return view


def dispatch(new_app: AppFactory = proxy_app) -> WSGIApp:
    return routes(w.DISPATCH_ROUTES, new_app)


def form(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.post("/form")
    def form() -> str:
        fields = request.form
        return ";".join(f"{key}={fields[key]}" for key in w.FORM)

    return app


def session_(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.get("/session")
    def count() -> str:
        n = session.get("count", 0) + 1
        session["count"] = n
        return f"count {n}"

    return app


def hooks(new_app: AppFactory = proxy_app) -> WSGIApp:
    app = new_app()

    @app.before_request
    def before_1() -> None:
        g.trace = ["before-1"]

    @app.before_request
    def before_2() -> None:
        g.trace.append("before-2")

    @app.before_request
    def before_3() -> None:
        g.trace.append("before-3")

    @app.after_request
    def after_2(response: Response) -> Response:
        response.headers["X-Hook-2"] = w.HOOK_HEADERS["X-Hook-2"]
        return response

    @app.after_request
    def after_1(response: Response) -> Response:
        response.headers["X-Hook-1"] = w.HOOK_HEADERS["X-Hook-1"]
        return response

    @app.get("/hooks")
    def view() -> str:
        return ",".join(g.trace)

    return app


#: Each workload's app, given the class of app to make.
BUILDERS: dict[str, t.Callable[[AppFactory], WSGIApp]] = {
    "hello": hello,
    "hello-str": hello_str,
    "json": json,
    "template": template,
    "dispatch": dispatch,
    "form": form,
    "session": session_,
    "hooks": hooks,
}

APPS: dict[str, t.Callable[[], WSGIApp]] = {
    name: functools.partial(build, proxy_app) for name, build in BUILDERS.items()
}
