"""Class-based views and URL processors, annotated, that must pass ``mypy --strict``."""

from __future__ import annotations

import typing as t

from microweb import App, Blueprint, MethodView, Request, View, url_for
from microweb.views import ViewFunction

app = App(__name__)
bp = Blueprint("frontend", __name__, url_prefix="/<lang_code>")


class UserAPI(MethodView):
    init_every_request = False

    def get(self, request: Request, id: int) -> dict[str, int]:
        return {"id": id}

    def delete(self, request: Request, id: int) -> tuple[str, int]:
        return "", 204


class Greeting(View):
    methods = ["GET", "POST"]
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []

    def __init__(self, greeting: str) -> None:
        self.greeting = greeting

    # The rule's arguments by name, the request as the app's class.
    def dispatch_request(self, request: Request, name: str) -> str:
        return f"{self.greeting}, {name}"


user_view: ViewFunction = UserAPI.as_view("user")
assert user_view.view_class is UserAPI
app.add_url_rule("/users/<int:id>", view_func=user_view)
app.add_url_rule("/hello/<name>", view_func=Greeting.as_view("hello", "Hi"))


@bp.url_value_preprocessor
def pull_lang_code(
    request: Request, endpoint: str | None, values: dict[str, t.Any] | None
) -> None:
    if values is not None:
        request.g.lang_code = values.pop("lang_code")


@bp.url_defaults
def add_lang_code(request: Request | None, endpoint: str, values: dict[str, t.Any]) -> None:
    if request is not None and "lang_code" in request.g:
        values.setdefault("lang_code", request.g.lang_code)


@bp.route("/")
def index(request: Request) -> str:
    return url_for(request, ".index")


@app.url_value_preprocessor
def app_preprocessor(request: Request, endpoint: str | None, values: t.Any) -> None:
    pass


@bp.app_url_defaults
def app_defaults(request: Request | None, endpoint: str, values: dict[str, t.Any]) -> None:
    pass


app.register_blueprint(bp)
