from __future__ import annotations

import dataclasses
import datetime
import decimal
import inspect
import re
import typing as t
import uuid

import pytest
import werkzeug
from werkzeug.routing import BuildError
from werkzeug.test import create_environ

from microweb import (
    App,
    Blueprint,
    Response,
    abort,
    flash,
    generate_csrf,
    get_flashed_messages,
    jsonify,
    make_response,
    redirect,
    render,
    render_string,
    send_file,
    send_from_directory,
    url_for,
)
from microweb.testing import TestClient


@pytest.fixture
def urls(app: App) -> App:
    @app.route("/")
    def index(request):
        return ""

    @app.route("/users/<int:user_id>")
    def user(request, user_id):
        return ""

    app.add_url_rule("/items", "items", lambda request: "", methods=["GET"])
    app.add_url_rule("/items/new", "items", methods=["POST"])
    return app


def test_url_for_static_and_dynamic(urls: App) -> None:
    request = urls.test_request("/")
    assert url_for(request, "index") == "/"
    assert url_for(request, "user", user_id=3) == "/users/3"


def test_url_for_query_string_and_none(urls: App) -> None:
    request = urls.test_request("/")
    assert url_for(request, "user", user_id=3, tab="posts", page=2) == "/users/3?tab=posts&page=2"
    assert url_for(request, "index", q=None) == "/"


def test_url_for_anchor_external_scheme(urls: App) -> None:
    request = urls.test_request("/")
    assert url_for(request, "index", _anchor="a b/c") == "/#a%20b/c"
    assert url_for(request, "user", user_id=1, _external=True) == "http://localhost/users/1"
    assert url_for(request, "index", _scheme="https") == "https://localhost/"
    with pytest.raises(ValueError, match="_scheme"):
        url_for(request, "index", _scheme="https", _external=False)


def test_url_for_method_picks_the_rule(urls: App) -> None:
    request = urls.test_request("/")
    assert url_for(request, "items", _method="GET") == "/items"
    assert url_for(request, "items", _method="POST") == "/items/new"


def test_url_for_unknown_endpoint(urls: App) -> None:
    with pytest.raises(BuildError):
        url_for(urls.test_request("/"), "nowhere")
    with pytest.raises(BuildError):
        url_for(urls.test_request("/"), "user")


def test_url_for_under_a_script_root(urls: App, client: TestClient) -> None:
    @urls.route("/where")
    def where(request):
        return url_for(request, "user", user_id=5)

    assert client.get("/where", base_url="http://localhost/mount").text == "/mount/users/5"
    assert (
        client.get("/where", base_url="https://example.org/mount").text == "/mount/users/5"
    )


def test_relative_endpoint_in_and_out_of_a_blueprint(app: App, client: TestClient) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop")

    @bp.route("/")
    def index(request):
        return url_for(request, ".cart")

    @bp.route("/cart")
    def cart(request):
        return ""

    @app.route("/cart")
    def cart_app(request):
        return ""

    @app.route("/")
    def index_app(request):
        return url_for(request, ".cart_app")

    app.register_blueprint(bp)
    assert client.get("/shop/").text == "/shop/cart"
    assert client.get("/").text == "/cart"


def test_app_url_for_outside_a_request(urls: App) -> None:
    with pytest.raises(RuntimeError, match="SERVER_NAME"):
        urls.url_for("index")
    urls.config.update(
        SERVER_NAME="example.com", APPLICATION_ROOT="/app", PREFERRED_URL_SCHEME="https"
    )
    assert urls.url_for("user", user_id=2) == "https://example.com/app/users/2"
    assert urls.url_for("user", user_id=2, _external=False) == "/app/users/2"
    assert urls.url_for("index", _anchor="top", _scheme="http") == "http://example.com/app/#top"


def test_redirect(app: App, client: TestClient) -> None:
    @app.route("/old")
    def old(request):
        return redirect(url_for(request, "new"))

    @app.route("/moved")
    def moved(request):
        return redirect("/new", 301)

    @app.route("/new")
    def new(request):
        return "new"

    response = client.get("/old")
    assert response.status_code == 302
    assert response.headers["Location"] == "/new"
    assert client.get("/moved").status_code == 301
    assert client.get("/old", follow_redirects=True).text == "new"


def test_abort(app: App, client: TestClient) -> None:
    @app.route("/missing")
    def missing(request):
        abort(404)

    @app.route("/forbidden")
    def forbidden(request):
        abort(403, "Members only.")

    @app.route("/custom")
    def custom(request):
        abort(Response("teapot", 418))

    assert client.get("/missing").status_code == 404
    response = client.get("/forbidden")
    assert response.status_code == 403
    assert "Members only." in response.text
    response = client.get("/custom")
    assert response.status_code == 418
    assert response.text == "teapot"


def test_abort_with_a_response_and_a_status_is_refused(app: App, client: TestClient) -> None:
    # werkzeug would send the response as it is, a 200, and drop the 418.
    @app.route("/")
    def teapot(request):
        abort(Response("teapot"), 418)

    message = "abort(response, 418): abort(response) sends the response as it is"
    with pytest.raises(TypeError, match=re.escape(message)) as info:
        client.get("/")
    assert "Set response.status_code = 418 before aborting" in str(info.value)
    assert "abort(code, description)" in str(info.value)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get("/").status_code == 500


@dataclasses.dataclass
class Point:
    x: int
    y: int


def test_jsonify(app: App) -> None:
    assert jsonify({"a": 1}).get_json() == {"a": 1}
    assert jsonify(1, 2).get_json() == [1, 2]
    assert jsonify(a=1).get_json() == {"a": 1}
    response = jsonify(
        when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
        day=datetime.date(2024, 1, 2),
        price=decimal.Decimal("1.10"),
        id=uuid.UUID(int=1),
        point=Point(1, 2),
        name="é",
    )
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "when": "2024-01-02T03:04:05+00:00",
        "day": "2024-01-02",
        "price": "1.10",
        "id": "00000000-0000-0000-0000-000000000001",
        "point": {"x": 1, "y": 2},
        "name": "é",
    }
    with pytest.raises(TypeError, match="not both"):
        jsonify(1, a=2)
    with pytest.raises(TypeError, match="set"):
        jsonify({1, 2})


def test_make_response(app: App, client: TestClient) -> None:
    @app.route("/")
    def index(request):
        response = make_response(request, "body", 201, {"X-A": "1"})
        response.headers["X-B"] = "2"
        return response

    @app.route("/empty")
    def empty(request):
        return make_response(request)

    @app.route("/json")
    def as_json(request):
        return make_response(request, {"a": 1})

    response = client.get("/")
    assert response.status_code == 201
    assert response.text == "body"
    assert response.headers["X-A"] == "1"
    assert response.headers["X-B"] == "2"
    assert client.get("/empty").get_data() == b""
    assert client.get("/json").json == {"a": 1}


#: Request-first helpers called the Flask way, and the call each error shows.
FORGOT_THE_REQUEST: list[tuple[t.Callable[[], object], str]] = [
    (lambda: url_for("index"), "url_for(request, 'index')"),
    (lambda: url_for("user", user_id=3), "url_for(request, 'user', user_id=3)"),
    (lambda: url_for(), "url_for(request, ...)"),
    (lambda: make_response("body", 201), "make_response(request, 'body', 201)"),
    (lambda: make_response(), "make_response(request)"),
    (lambda: send_file("report.pdf"), "send_file(request, 'report.pdf')"),
    (
        lambda: send_from_directory("static", "app.css", max_age=0),
        "send_from_directory(request, 'static', 'app.css', max_age=0)",
    ),
    (lambda: render("page.html", title="Hi"), "render(request, 'page.html', title='Hi')"),
    (lambda: render(["a.html", "b.html"]), "render(request, ['a.html', 'b.html'])"),
    (lambda: render_string("{{ x }}"), "render_string(request, '{{ x }}')"),
    (lambda: flash("saved"), "flash(request, 'saved')"),
    (lambda: flash("saved", "error"), "flash(request, 'saved', 'error')"),
    (lambda: get_flashed_messages(), "get_flashed_messages(request)"),
    (
        lambda: get_flashed_messages(with_categories=True),
        "get_flashed_messages(request, with_categories=True)",
    ),
    (lambda: generate_csrf(), "generate_csrf(request)"),
    (lambda: url_for("x" * 100), "url_for(request, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...')"),
]


@pytest.mark.parametrize(("call", "shown"), FORGOT_THE_REQUEST)
def test_helpers_called_without_the_request_say_so(
    call: t.Callable[[], object], shown: str
) -> None:
    with pytest.raises(TypeError, match=f"^pass the request first: {re.escape(shown)} "):
        call()


def test_forgotten_request_in_a_view(urls: App, client: TestClient) -> None:
    @urls.route("/flask-style")
    def flask_style(request):
        return url_for("index", request)  # the request in the wrong place

    message = "pass the request first: url_for(request, 'index')"
    with pytest.raises(TypeError, match=re.escape(message)):
        client.get("/flask-style")


def test_a_werkzeug_request_is_not_enough(urls: App) -> None:
    request = werkzeug.Request(create_environ())
    message = "url_for() needs microweb's Request, the one the view received"
    with pytest.raises(TypeError, match=re.escape(message)):
        url_for(request, "index")


def test_a_missing_argument_after_the_request(urls: App) -> None:
    # The same message as Python's when the request did come first.
    request = urls.test_request("/")
    message = "url_for() missing 1 required positional argument: 'endpoint'"
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        url_for(request)
    message = "missing 2 required positional arguments: 'directory' and 'path'"
    with pytest.raises(TypeError, match=re.escape(message)):
        send_from_directory(request)


@pytest.mark.parametrize(
    ("helper", "required"),
    [(url_for, 2), (render, 2), (flash, 2), (send_from_directory, 3), (generate_csrf, 1)],
)
def test_request_first_helpers_keep_their_signatures(
    helper: t.Callable[..., object], required: int
) -> None:
    # Only calls get the runtime defaults; the docs and other readers of
    # the signature still see the arguments required.
    parameters = list(inspect.signature(helper).parameters.values())
    assert parameters[0].name == "request"
    assert [p.default for p in parameters[:required]] == [inspect.Parameter.empty] * required


def test_test_request_calls_a_view_as_a_function(app: App) -> None:
    @app.route("/path/<int:n>")
    def view(request, n):
        return {"n": n, "x": request.args["x"], "self": url_for(request, "view", n=n)}

    request = app.test_request("/path/5?x=1")
    assert request.view_args == {"n": 5}
    assert view(request, **request.view_args) == {"n": 5, "x": "1", "self": "/path/5"}


# url_defaults and url_for.


def test_url_defaults_fill_in_url_for(urls: App, client: TestClient) -> None:
    seen: list[tuple[t.Any, ...]] = []

    @urls.url_defaults
    def default_user(request, endpoint, values):
        seen.append((request is not None, endpoint, dict(values)))
        if endpoint == "user":
            values.setdefault("user_id", 7)

    @urls.route("/me")
    def me(request):
        return url_for(request, "user")

    assert client.get("/me").text == "/users/7"
    with urls.test_request("/") as request:
        assert url_for(request, "user", user_id=3) == "/users/3"
        assert url_for(request, "index", _anchor="a") == "/#a"
    assert seen == [
        (True, "user", {}),
        (True, "user", {"user_id": 3}),
        (True, "index", {}),
    ]


def test_url_defaults_with_relative_endpoints_get_the_full_name(
    app: App, client: TestClient
) -> None:
    bp = Blueprint("shop", __name__, url_prefix="/shop/<currency>")
    endpoints: list[str] = []

    @bp.url_defaults
    def currency(request, endpoint, values):
        endpoints.append(endpoint)
        values.setdefault("currency", request.view_args["currency"])

    @bp.route("/cart")
    def cart(request, currency):
        return url_for(request, ".cart")

    app.register_blueprint(bp)

    assert client.get("/shop/eur/cart").text == "/shop/eur/cart"
    assert endpoints == ["shop.cart"]


def test_app_url_for_runs_url_defaults_without_a_request(urls: App) -> None:
    urls.config["SERVER_NAME"] = "example.com"
    seen: list[t.Any] = []

    @urls.url_defaults
    def default_user(request, endpoint, values):
        seen.append(request)
        values.setdefault("user_id", 1)

    # Before the app serves, and after.
    assert urls.url_for("user") == "http://example.com/users/1"
    urls.test_client().get("/")
    assert urls.url_for("user", _external=False) == "/users/1"
    assert seen == [None, None]


def test_url_defaults_before_serving_see_later_registrations(urls: App) -> None:
    urls.config["SERVER_NAME"] = "example.com"
    assert urls.url_for("index", _external=False) == "/"

    @urls.url_defaults
    def first(request, endpoint, values):
        values["a"] = 1

    assert urls.url_for("index", _external=False) == "/?a=1"

    @urls.url_defaults
    def second(request, endpoint, values):
        values["b"] = 2

    assert urls.url_for("index", _external=False) == "/?a=1&b=2"


def test_url_defaults_go_through_the_registration_steps(urls: App, client: TestClient) -> None:
    def step(app, f, target):
        if target.role != "url_defaults":
            return f

        def wrapper(request, endpoint, values):
            values["stepped"] = target.blueprint or "app"
            f(request, endpoint, values)

        return wrapper

    urls.registration_steps.append(step)

    @urls.url_defaults
    def nothing(request, endpoint, values):
        pass

    @urls.route("/link")
    def link(request):
        return url_for(request, "index")

    # Before serving (derived on each call) and once served (prepared).
    with urls.test_request("/") as request:
        assert url_for(request, "index") == "/?stepped=app"
    assert client.get("/link").text == "/?stepped=app"
    assert client.get("/link").text == "/?stepped=app"
