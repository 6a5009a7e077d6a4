"""Flask-style code on ``microweb.compat`` under ``mypy --strict``.

With the layer on, each hook may be written either way, so both styles
type-check unchanged; a mistake is still reported (the lines marked
``# type: ignore[code]``, which fail the check if mypy stops finding
them).
"""

from __future__ import annotations

from microweb import Request, Response
from microweb.compat import Blueprint, Flask, g, request
from microweb.compat.typing import ResponseReturnValue

app = Flask(__name__)
bp = Blueprint("bp", __name__)


@app.before_request
def load_user() -> None:
    g.user = request.args.get("user")


@app.before_request
def load_user_explicitly(request: Request) -> ResponseReturnValue | None:
    return None


@app.after_request
def stamp(response: Response) -> Response:
    return response


@app.teardown_request
def close(error: BaseException | None) -> None:
    pass


@app.errorhandler(404)
def not_found(error: Exception) -> ResponseReturnValue:
    return "not here", 404


@app.context_processor
def names() -> dict[str, object]:
    return {"user": g.user}


@app.url_value_preprocessor
def pull_lang(endpoint: str | None, values: dict[str, object] | None) -> None:
    pass


@app.url_defaults
def add_lang(endpoint: str, values: dict[str, object]) -> None:
    pass


@bp.before_app_request
def bp_load() -> None:
    pass


@bp.app_errorhandler(500)
def bp_error(request: Request, error: Exception) -> ResponseReturnValue:
    return "sorry", 500


@app.route("/")
def index() -> ResponseReturnValue:
    return f"{request.path} {g.user}"


# Still refused: an after-hook returns the response.
@app.after_request  # type: ignore[type-var]
def forgets(response: Response) -> None:
    pass


# Still refused: a context processor returns a mapping.
@bp.app_context_processor  # type: ignore[type-var]
def a_list() -> list[str]:
    return []
