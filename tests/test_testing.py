"""The test client and app.test_request()."""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound

from microweb import App, Blueprint, Request, Response, redirect, testing, url_for

if t.TYPE_CHECKING:
    from microweb.testing import TestClient


def where(request):
    return {
        "url": request.url,
        "host": request.host,
        "scheme": request.scheme,
        "root": request.root_path,
        "path": request.path,
        "link": url_for(request, "where"),
        "external": url_for(request, "where", _external=True),
    }


# The test client.


def test_client_is_a_test_client(app: App) -> None:
    assert isinstance(app.test_client(), testing.TestClient)


def test_cookies_persist_between_requests(app: App, client: TestClient) -> None:
    @app.route("/set")
    def set_cookie(request):
        response = Response("set")
        response.set_cookie("flavour", "oat")
        return response

    @app.route("/get")
    def get_cookie(request):
        return request.cookies.get("flavour", "none")

    assert client.get("/get").text == "none"
    response = client.get("/set")
    assert "flavour=oat" in response.headers["Set-Cookie"]
    assert client.get("/get").text == "oat"
    cookie = client.get_cookie("flavour")
    assert cookie is not None
    assert cookie.value == "oat"


def test_cookies_can_be_turned_off(app: App) -> None:
    @app.route("/set")
    def set_cookie(request):
        response = Response("set")
        response.set_cookie("flavour", "oat")
        return response

    @app.route("/get")
    def get_cookie(request):
        return request.cookies.get("flavour", "none")

    client = app.test_client(use_cookies=False)
    client.get("/set")
    assert client.get("/get").text == "none"


def test_client_sets_cookies_for_the_app(app: App, client: TestClient) -> None:
    @app.route("/get")
    def get_cookie(request):
        return request.cookies.get("flavour", "none")

    client.set_cookie("flavour", "rye")
    assert client.get("/get").text == "rye"
    client.delete_cookie("flavour")
    assert client.get("/get").text == "none"


def test_response_attributes(app: App, client: TestClient) -> None:
    @app.route("/data")
    def data(request):
        return {"answer": 42}, 201, {"X-Thing": "yes"}

    @app.route("/text")
    def text(request):
        return "héllo"

    response = client.get("/data")
    assert response.status_code == 201
    assert response.status == "201 CREATED"
    assert response.json == {"answer": 42}
    assert response.headers["X-Thing"] == "yes"
    assert response.headers["Content-Type"] == "application/json"
    assert response.text == '{"answer":42}\n'

    response = client.get("/text")
    assert response.status_code == 200
    assert response.text == "héllo"
    assert response.get_data() == "héllo".encode()
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.is_json is False


def test_teardown_has_run_when_the_client_returns(app: App, client: TestClient) -> None:
    calls: list[str] = []

    @app.teardown_request
    def teardown(request, exc):
        calls.append(request.path)

    @app.route("/")
    def index(request):
        return "index"

    response = client.get("/")

    assert response.text == "index"
    assert calls == ["/"]


def test_missing_route_is_404(app: App, client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404


def test_query_string(app: App, client: TestClient) -> None:
    @app.route("/search")
    def search(request):
        return request.args.to_dict(flat=False)

    response = client.get("/search", query_string={"q": "cats", "tag": ["a", "b"]})
    assert response.json == {"q": ["cats"], "tag": ["a", "b"]}
    assert client.get("/search?q=dogs&q=mice").json == {"q": ["dogs", "mice"]}
    assert client.get("/search", query_string="x=1").json == {"x": ["1"]}


def test_post_form(app: App, client: TestClient) -> None:
    @app.post("/form")
    def form(request):
        return {
            "name": request.form["name"],
            "mimetype": request.mimetype,
        }

    response = client.post("/form", data={"name": "Ada"})
    assert response.status_code == 200
    assert response.json == {
        "name": "Ada",
        "mimetype": "application/x-www-form-urlencoded",
    }


def test_post_json(app: App, client: TestClient) -> None:
    @app.post("/json")
    def receive(request):
        return {"got": request.json, "mimetype": request.mimetype}

    response = client.post("/json", json={"items": [1, 2], "ok": True})
    assert response.json == {
        "got": {"items": [1, 2], "ok": True},
        "mimetype": "application/json",
    }


def test_other_methods(app: App, client: TestClient) -> None:
    @app.route("/thing", methods=["PUT", "PATCH", "DELETE"])
    def thing(request):
        return request.method

    assert client.put("/thing").text == "PUT"
    assert client.patch("/thing").text == "PATCH"
    assert client.delete("/thing").text == "DELETE"
    assert client.get("/thing").status_code == 405


def test_follow_redirects(app: App, client: TestClient) -> None:
    @app.route("/old")
    def old(request):
        return redirect(url_for(request, "new"))

    @app.route("/new")
    def new(request):
        return f"new from {request.path}"

    response = client.get("/old")
    assert response.status_code == 302
    assert response.headers["Location"] == "/new"

    response = client.get("/old", follow_redirects=True)
    assert response.status_code == 200
    assert response.text == "new from /new"
    assert response.request.path == "/new"
    assert [r.status_code for r in response.history] == [302]


def test_follow_redirects_keeps_post_for_307(app: App, client: TestClient) -> None:
    @app.post("/old")
    def old(request):
        return redirect("/new", 307)

    @app.post("/new")
    def new(request):
        return request.form["name"]

    response = client.post("/old", data={"name": "Ada"}, follow_redirects=True)
    assert response.text == "Ada"


def test_default_base_url(app: App, client: TestClient) -> None:
    app.route("/where")(where)

    assert client.get("/where").json == {
        "url": "http://localhost/where",
        "host": "localhost",
        "scheme": "http",
        "root": "",
        "path": "/where",
        "link": "/where",
        "external": "http://localhost/where",
    }


def test_base_url_from_server_name_and_application_root(
    app: App, client: TestClient
) -> None:
    app.config.update(SERVER_NAME="example.test", APPLICATION_ROOT="/root")
    app.route("/where")(where)

    assert client.get("/where?x=1").json == {
        "url": "http://example.test/root/where?x=1",
        "host": "example.test",
        "scheme": "http",
        "root": "/root",
        "path": "/where",
        "link": "/root/where",
        "external": "http://example.test/root/where",
    }


def test_base_url_from_preferred_url_scheme(app: App, client: TestClient) -> None:
    app.config.update(SERVER_NAME="example.test", PREFERRED_URL_SCHEME="https")
    app.route("/where")(where)

    response = client.get("/where")
    assert response.json["url"] == "https://example.test/where"
    assert response.json["scheme"] == "https"


def test_subdomain_and_url_scheme(app: App, client: TestClient) -> None:
    app.config["SERVER_NAME"] = "example.test"
    app.route("/where")(where)

    data = client.get("/where", subdomain="api", url_scheme="https").json
    assert data["url"] == "https://api.example.test/where"
    assert data["host"] == "api.example.test"
    assert data["scheme"] == "https"
    assert data["external"] == "https://api.example.test/where"


def test_subdomain_without_server_name(app: App, client: TestClient) -> None:
    app.route("/where")(where)

    assert client.get("/where", subdomain="api").json["host"] == "api.localhost"


def test_explicit_base_url(app: App, client: TestClient) -> None:
    app.route("/where")(where)

    data = client.get("/where", base_url="https://other.test/mount").json
    assert data["url"] == "https://other.test/mount/where"
    assert data["root"] == "/mount"
    assert data["link"] == "/mount/where"


def test_base_url_with_subdomain_or_scheme_fails(app: App, client: TestClient) -> None:
    with pytest.raises(ValueError):
        client.get("/", base_url="http://other.test", subdomain="api")
    with pytest.raises(ValueError):
        client.get("/", base_url="http://other.test", url_scheme="https")


def test_full_url_as_path(app: App, client: TestClient) -> None:
    app.route("/where")(where)

    data = client.get("https://example.com/where?y=2").json
    assert data["url"] == "https://example.com/where?y=2"
    assert data["host"] == "example.com"
    assert data["scheme"] == "https"
    assert data["path"] == "/where"


def test_client_with_blueprint_and_hooks(app: App, client: TestClient) -> None:
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.route("/items/<int:item_id>")
    def item(request, item_id):
        return {"id": item_id, "self": url_for(request, ".item", item_id=item_id)}

    @app.after_request
    def add_header(request, response):
        response.headers["X-App"] = "microweb"
        return response

    app.register_blueprint(bp)

    response = client.get("/api/items/5")
    assert response.json == {"id": 5, "self": "/api/items/5"}
    assert response.headers["X-App"] == "microweb"


# app.test_request().


def test_test_request_is_routed(app: App) -> None:
    @app.route("/users/<int:user_id>", methods=["POST"])
    def update_user(request, user_id):
        return {
            "id": user_id,
            "name": request.json["name"],
            "self": url_for(request, "update_user", user_id=user_id),
            "external": url_for(request, "update_user", user_id=user_id, _external=True),
        }

    request = app.test_request("/users/7", method="POST", json={"name": "Ada"})

    assert isinstance(request, Request)
    assert request.app is app
    assert request.method == "POST"
    assert request.path == "/users/7"
    assert request.view_args == {"user_id": 7}
    assert request.endpoint == "update_user"
    assert request.url_rule is not None
    assert request.url_rule.rule == "/users/<int:user_id>"
    assert request.routing_exception is None
    assert request.blueprint is None
    assert update_user(request, **request.view_args) == {
        "id": 7,
        "name": "Ada",
        "self": "/users/7",
        "external": "http://localhost/users/7",
    }


def test_test_request_defaults_to_get_root(app: App) -> None:
    @app.route("/")
    def index(request):
        return f"{request.method} {request.path}"

    request = app.test_request()

    assert request.method == "GET"
    assert request.endpoint == "index"
    assert request.view_args == {}
    assert index(request) == "GET /"


def test_test_request_with_query_string_and_headers(app: App) -> None:
    @app.route("/search")
    def search(request):
        return {"q": request.args["q"], "agent": request.headers["User-Agent"]}

    request = app.test_request(
        "/search", query_string={"q": "cats"}, headers={"User-Agent": "pytest"}
    )

    assert search(request) == {"q": "cats", "agent": "pytest"}


def test_test_request_with_form(app: App) -> None:
    @app.post("/form")
    def form(request):
        return request.form["name"]

    request = app.test_request("/form", method="POST", data={"name": "Ada"})

    assert form(request) == "Ada"


def test_test_request_in_a_blueprint(app: App) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/page/<name>")
    def page(request, name):
        return url_for(request, ".other", name=name.upper())

    @bp.route("/other/<name>")
    def other(request, name):
        return name

    app.register_blueprint(bp)

    request = app.test_request("/bp/page/x")

    assert request.endpoint == "bp.page"
    assert request.blueprint == "bp"
    assert request.blueprints == ("bp",)
    assert request.view_args == {"name": "x"}
    assert page(request, **request.view_args) == "/bp/other/X"


def test_test_request_uses_the_config_url(app: App) -> None:
    app.config.update(SERVER_NAME="example.test", APPLICATION_ROOT="/root")
    app.route("/where")(where)

    request = app.test_request("/where", subdomain="api", url_scheme="https")

    assert request.endpoint == "where"
    assert where(request) == {
        "url": "https://api.example.test/root/where",
        "host": "api.example.test",
        "scheme": "https",
        "root": "/root",
        "path": "/where",
        "link": "/root/where",
        "external": "https://api.example.test/root/where",
    }


def test_test_request_for_an_unknown_path(app: App) -> None:
    @app.route("/")
    def index(request):
        return "index"

    request = app.test_request("/missing")

    assert request.endpoint is None
    assert request.view_args is None
    assert request.url_rule is None
    assert request.blueprint is None
    assert isinstance(request.routing_exception, NotFound)
    assert url_for(request, "index") == "/"


def test_test_request_for_a_wrong_method(app: App) -> None:
    @app.route("/only-get")
    def only_get(request):
        return "got"

    request = app.test_request("/only-get", method="DELETE")

    assert request.endpoint is None
    assert isinstance(request.routing_exception, MethodNotAllowed)
    assert set(request.routing_exception.valid_methods or ()) >= {"GET", "HEAD"}


def test_test_request_does_not_freeze_the_app(app: App, client: TestClient) -> None:
    @app.route("/first")
    def first(request):
        return "first"

    request = app.test_request("/first")
    assert first(request) == "first"

    @app.route("/second")
    def second(request):
        return "second"

    @app.before_request
    def before(request):
        request.g.seen = True

    assert app.test_request("/second").endpoint == "second"
    assert client.get("/first").text == "first"
    assert client.get("/second").text == "second"


def test_test_request_gives_separate_g(app: App) -> None:
    @app.route("/")
    def index(request):
        return "index"

    one = app.test_request("/")
    two = app.test_request("/")
    one.g.value = 1

    assert not hasattr(two.g, "value")
