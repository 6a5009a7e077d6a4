"""Mistakes that ``mypy --strict`` must report.

Each line marked ``# type: ignore[code]`` is an error mypy has to find
there. ``warn_unused_ignores`` is on, so if the decorators' types ever
loosen and mypy stops reporting one, the unused ignore fails the check.
"""

from __future__ import annotations

from microweb import App, Blueprint, Request, Response
from typed_g import AppRequest

app = App(__name__)
bp = Blueprint("bp", __name__)


# A view returns a response value, not an int.
@app.route("/count")  # type: ignore[type-var]
def count(request: Request) -> int:
    return 1


@bp.get("/count")  # type: ignore[type-var]
def bp_count(request: Request) -> int:
    return 1


# A before-hook takes the request only.
@app.before_request  # type: ignore[type-var]
def two_arguments(request: Request, user: str) -> None:
    pass


# An after-hook returns the response.
@app.after_request  # type: ignore[type-var]
def returns_none(request: Request, response: Response) -> None:
    pass


@bp.after_request  # type: ignore[type-var]
def returns_str(request: Request, response: Response) -> str:
    return "done"


# A teardown hook takes the request and the exception.
@app.teardown_request  # type: ignore[type-var]
def no_exception(request: Request) -> None:
    pass


# An error handler takes the request and the error.
@app.errorhandler(404)  # type: ignore[type-var]
def error_only(error: Exception) -> str:
    return "not found"


@bp.errorhandler(500)  # type: ignore[type-var]
def three_arguments(request: Request, error: Exception, extra: int) -> str:
    return "oops"


# A context processor returns a mapping of names.
@app.context_processor  # type: ignore[type-var]
def as_list(request: Request) -> list[str]:
    return ["user"]


# A typed ``g`` keeps its types: its names are not ``Any``.
def user_name(request: AppRequest) -> str:
    return request.g.user.name  # type: ignore[union-attr]


def set_user(request: AppRequest) -> None:
    request.g.user = "ann"  # type: ignore[assignment]
