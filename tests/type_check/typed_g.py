"""An app that types its own ``request.g``.

docs/typing.rst shows this file, mypy checks it, and
tests/test_wrappers.py serves a request with it.
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

from microweb import App, Request, RequestGlobals


@dataclasses.dataclass
class User:
    name: str


class AppGlobals(RequestGlobals):
    """The names this app keeps in ``request.g``, with their types."""

    #: The signed-in user, or ``None``; set by ``load_user``.
    user: User | None = None


class AppRequest(Request):
    """This app's request: its ``g`` is an :class:`AppGlobals`."""

    @cached_property
    def g(self) -> AppGlobals:
        return AppGlobals()


app = App(__name__)
app.request_class = AppRequest


# Hooks, like views, may annotate the request with the app's subclass, so
# what they set on ``g`` is checked too.
@app.before_request
def load_user(request: AppRequest) -> None:
    name = request.args.get("user")
    request.g.user = User(name) if name else None


@app.route("/")
def index(request: AppRequest) -> str:
    user = request.g.user  # User | None, no cast needed
    return f"Hello, {user.name}!" if user else "Hello, stranger!"
