"""Falcon, as a reference: resources, middleware, and jinja2 used directly.

Falcon has no templates and no sessions: the template workload renders
with a ``jinja2.Environment`` made once per app (autoescaping on), and the
session workload signs its cookie with itsdangerous (see
:mod:`.cookie_session`).
"""

from __future__ import annotations

import typing as t

import falcon
import jinja2

from .. import workloads as w
from ..harness import WSGIApp
from .cookie_session import CookieSession

NAME = "falcon"
REQUIRES = "falcon"


def hello() -> WSGIApp:
    class Hello:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.content_type = falcon.MEDIA_TEXT
            resp.text = "Hello, World!"

    app = falcon.App()
    app.add_route("/hello", Hello())
    return app


def hello_str() -> WSGIApp:
    # Falcon has no "return a str"; the nearest is setting the text alone
    # with the type a str gets elsewhere.
    class Hello:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = "Hello, World!"

    app = falcon.App()
    app.add_route("/hello", Hello())
    return app


def json() -> WSGIApp:
    class User:
        def on_get(self, req: falcon.Request, resp: falcon.Response, user_id: int) -> None:
            resp.media = w.json_answer(user_id, req.get_param_as_int("page", default=1))

    app = falcon.App()
    app.add_route("/users/{user_id:int}", User())
    return app


def template() -> WSGIApp:
    env = w.jinja_env()

    class Items:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = env.get_template(w.TEMPLATE_NAME).render(title=w.TITLE, items=w.ITEMS)

    app = falcon.App()
    app.add_route("/items", Items())
    return app


class Route:
    def __init__(self, i: int) -> None:
        self.i = i

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = w.route_answer(self.i, name)


def routes(count: int) -> WSGIApp:
    app = falcon.App()
    for i in range(count):
        app.add_route(f"/r{i}/{{name}}", Route(i))
    return app


def dispatch() -> WSGIApp:
    return routes(w.DISPATCH_ROUTES)


def form() -> WSGIApp:
    class Form:
        def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
            fields = req.get_media()
            resp.content_type = falcon.MEDIA_HTML
            resp.text = ";".join(f"{key}={fields[key]}" for key in w.FORM)

    app = falcon.App()
    app.add_route("/form", Form())
    return app


def session() -> WSGIApp:
    sessions = CookieSession()

    class Count:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            data = sessions.load(req.cookies.get(w.SESSION_COOKIE))
            n = data.get("count", 0) + 1
            data["count"] = n
            resp.set_cookie(
                w.SESSION_COOKIE,
                sessions.dump(data),
                path="/",
                secure=False,
                http_only=True,
                same_site="Lax",
            )
            resp.vary = ("Cookie",)
            resp.content_type = falcon.MEDIA_HTML
            resp.text = f"count {n}"

    app = falcon.App()
    app.add_route("/session", Count())
    return app


class Before:
    def __init__(self, name: str, first: bool = False) -> None:
        self.name = name
        self.first = first

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        if self.first:
            req.context.trace = [self.name]
        else:
            req.context.trace.append(self.name)


class After:
    def __init__(self, header: str) -> None:
        self.header = header
        self.value = w.HOOK_HEADERS[header]

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: t.Any, req_succeeded: bool
    ) -> None:
        resp.set_header(self.header, self.value)


def hooks() -> WSGIApp:
    class View:
        def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
            resp.content_type = falcon.MEDIA_HTML
            resp.text = ",".join(req.context.trace)

    app = falcon.App(
        middleware=[
            Before("before-1", first=True),
            Before("before-2"),
            Before("before-3"),
            After("X-Hook-1"),
            After("X-Hook-2"),
        ]
    )
    app.add_route("/hooks", View())
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
