from __future__ import annotations

import pytest
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from microweb import App, Blueprint, abort
from microweb.testing import TestClient


class AppError(Exception):
    pass


class PaymentError(AppError):
    pass


class QuotaError(AppError):
    pass


def test_handler_for_a_code(app: App, client: TestClient) -> None:
    @app.errorhandler(404)
    def not_found(request, error):
        return f"no {request.path} here", 404

    response = client.get("/missing")
    assert (response.status_code, response.text) == (404, "no /missing here")


def test_handler_for_an_http_exception_class(app: App, client: TestClient) -> None:
    app.register_error_handler(NotFound, lambda request, error: ("gone", 404))
    assert client.get("/missing").text == "gone"


def test_handler_for_a_custom_exception(app: App, client: TestClient) -> None:
    @app.errorhandler(AppError)
    def app_error(request, error):
        return {"error": type(error).__name__}, 409

    @app.errorhandler(PaymentError)
    def payment(request, error):
        return "pay first", 402

    @app.route("/pay")
    def pay(request):
        raise PaymentError()

    @app.route("/quota")
    def quota(request):
        raise QuotaError()

    assert client.get("/pay").status_code == 402
    response = client.get("/quota")
    assert (response.status_code, response.json) == (409, {"error": "QuotaError"})


def test_code_handler_beats_generic_http_handler(app: App, client: TestClient) -> None:
    app.register_error_handler(HTTPException, lambda request, e: (f"generic {e.code}", e.code))
    app.register_error_handler(404, lambda request, e: ("specific", 404))

    @app.route("/teapot")
    def teapot(request):
        abort(418)

    assert client.get("/missing").text == "specific"
    response = client.get("/teapot")
    assert (response.status_code, response.text) == (418, "generic 418")


def test_blueprint_handlers(app: App, client: TestClient) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.errorhandler(AppError)
    def api_error(request, error):
        return {"error": "api"}, 400

    @bp.app_errorhandler(QuotaError)
    def quota(request, error):
        return "quota everywhere", 429

    @bp.route("/fail")
    def fail(request):
        raise AppError()

    @app.route("/fail")
    def app_fail(request):
        raise QuotaError()

    app.register_error_handler(AppError, lambda request, e: ("app", 500))
    app.register_blueprint(bp)
    assert client.get("/api/fail").json == {"error": "api"}
    assert client.get("/fail").status_code == 429


def test_internal_server_error_handler(app: App, client: TestClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.errorhandler(500)
    def server_error(request, error):
        assert isinstance(error, InternalServerError)
        return f"sorry: {type(error.original_exception).__name__}", 500

    @app.route("/boom")
    def boom(request):
        raise ZeroDivisionError()

    response = client.get("/boom")
    assert (response.status_code, response.text) == (500, "sorry: ZeroDivisionError")


def test_exceptions_propagate_when_testing(app: App, client: TestClient) -> None:
    @app.route("/boom")
    def boom(request):
        raise ZeroDivisionError()

    with pytest.raises(ZeroDivisionError):
        client.get("/boom")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/boom").status_code == 500


def test_default_error_pages_are_html_or_json(app: App, client: TestClient) -> None:
    @app.route("/only-get")
    def only_get(request):
        return "x"

    html = client.get("/missing")
    assert html.mimetype == "text/html"
    assert "<title>404 Not Found</title>" in html.text
    json_404 = client.get("/missing", headers={"Accept": "application/json"})
    assert json_404.mimetype == "application/json"
    assert json_404.json["code"] == 404
    assert json_404.json["name"] == "Not Found"
    assert json_404.json["description"]
    json_405 = client.post("/only-get", headers={"Accept": "application/json"})
    assert json_405.status_code == 405
    assert json_405.json["code"] == 405
    assert "GET" in json_405.headers["Allow"]
    browser = client.get("/missing", headers={"Accept": "text/html,application/json;q=0.9"})
    assert browser.mimetype == "text/html"


def test_500_never_shows_the_error(app: App, client: TestClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom(request):
        raise ValueError("secret detail")

    for accept in ("text/html", "application/json"):
        response = client.get("/boom", headers={"Accept": accept})
        assert response.status_code == 500
        assert "secret detail" not in response.text
        assert "ValueError" not in response.text


def test_failing_error_handler_gives_a_plain_500(app: App, client: TestClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.errorhandler(500)
    def broken(request, error):
        raise RuntimeError("handler broke")

    @app.route("/boom")
    def boom(request):
        raise ValueError()

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Internal Server Error" in response.text


def test_registration_errors(app: App) -> None:
    with pytest.raises(ValueError, match="999"):
        app.register_error_handler(999, lambda request, e: "")
    with pytest.raises(TypeError):
        app.register_error_handler(str, lambda request, e: "")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="class"):
        app.register_error_handler(ValueError(), lambda request, e: "")  # type: ignore[arg-type]


def test_after_request_runs_on_handled_errors(app: App, client: TestClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.after_request
    def stamp(request, response):
        response.headers["X-Stamp"] = "yes"
        return response

    @app.errorhandler(AppError)
    def handled(request, error):
        return "handled", 400

    @app.route("/handled")
    def fail(request):
        raise AppError()

    @app.route("/unhandled")
    def crash(request):
        raise ValueError()

    assert client.get("/handled").headers["X-Stamp"] == "yes"
    assert client.get("/missing").headers["X-Stamp"] == "yes"
    assert client.get("/unhandled").headers["X-Stamp"] == "yes"


def test_an_after_hook_failing_on_the_500_sends_the_500(
    app: App, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.after_request
    def broken(request, response):
        raise KeyError("after")

    @app.errorhandler(500)
    def server_error(request, error):
        return "our own 500 page", 500

    @app.route("/")
    def index(request):
        return "fine"

    response = client.get("/")
    # The after-hook fails on the view's answer, then on the 500 page:
    # the 500 page goes out as the handler made it, and both are logged.
    assert (response.status_code, response.text) == (500, "our own 500 page")
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [KeyError, KeyError]


def test_trap_http_exceptions(app: App, client: TestClient) -> None:
    app.config["TRAP_HTTP_EXCEPTIONS"] = True
    with pytest.raises(NotFound):
        client.get("/missing")


def test_missing_form_key_is_400(app: App, client: TestClient) -> None:
    @app.post("/")
    def form(request):
        return request.form["name"]

    assert client.post("/", data={"name": "x"}).text == "x"
    assert client.post("/", data={}).status_code == 400
