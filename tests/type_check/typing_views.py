"""Small annotated apps that must pass ``mypy --strict``."""

from __future__ import annotations

from collections.abc import Iterator

from microweb import App, Blueprint, Request, Response, abort, jsonify, redirect, url_for

app = App(__name__)
bp = Blueprint("bp", __name__, url_prefix="/bp")


@app.route("/str")
def text(request: Request) -> str:
    return "Hello"


@app.get("/dict")
def as_dict(request: Request) -> dict[str, int]:
    return {"a": 1}


@app.post("/tuple")
def created(request: Request) -> tuple[dict[str, str], int]:
    return {"id": "1"}, 201


@app.route("/headers")
def with_headers(request: Request) -> tuple[str, int, dict[str, str]]:
    return "ok", 200, {"X-Thing": "1"}


@app.route("/response")
def response(request: Request) -> Response:
    return jsonify(ok=True)


@app.route("/stream")
def stream(request: Request) -> Iterator[str]:
    yield "a"
    yield "b"


@app.route("/go")
def go(request: Request) -> Response:
    if request.args.get("stop"):
        abort(400, "stop")
    return redirect(url_for(request, "text"))


@bp.route("/")
def bp_index(request: Request) -> str:
    return url_for(request, ".bp_index")


@app.before_request
def before(request: Request) -> None:
    request.g.user = None


@app.route("/g")
def uses_g(request: Request) -> dict[str, object]:
    visits: int = request.g.setdefault("visits", 0)
    request.g.visits = visits + 1
    token: str | None = request.g.pop("token", None)
    names: list[str] = list(request.g)
    return {
        "names": names,
        "has_user": "user" in request.g,
        "user": request.g.get("user"),
        "token": token,
    }


@app.after_request
def after(request: Request, response: Response) -> Response:
    response.headers["X-Frame-Options"] = "DENY"
    return response


@app.teardown_request
def teardown(request: Request, exc: BaseException | None) -> None:
    pass


@app.errorhandler(404)
def not_found(request: Request, error: Exception) -> tuple[str, int]:
    return "nothing here", 404


app.register_blueprint(bp)
