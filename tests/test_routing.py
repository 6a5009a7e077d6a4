from __future__ import annotations

import typing as t
import uuid
from pathlib import Path

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, Rule

from microweb import App
from microweb.testing import TestClient


def test_route_with_methods_and_endpoint(app: App, client: TestClient) -> None:
    @app.route("/items", methods=["GET", "POST"], endpoint="items")
    def handle(request):
        return f"{request.method} {request.endpoint}"

    assert client.get("/items").text == "GET items"
    assert client.post("/items").text == "POST items"
    assert client.delete("/items").status_code == 405


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_method_shortcuts(app: App, client: TestClient, method: str) -> None:
    getattr(app, method)("/thing")(lambda request: f"via {request.method}")
    assert getattr(client, method)("/thing").text == f"via {method.upper()}"
    other = "post" if method == "get" else "get"
    assert getattr(client, other)("/thing").status_code == 405


def test_shortcut_refuses_methods(app: App) -> None:
    with pytest.raises(TypeError, match="route"):
        app.get("/x", methods=["POST"])


def test_add_url_rule_and_endpoint_decorator(app: App, client: TestClient) -> None:
    def view(request):
        return "added"

    app.add_url_rule("/added", view_func=view)
    app.add_url_rule("/later", endpoint="later")

    @app.endpoint("later")
    def later(request):
        return "later"

    assert client.get("/added").text == "added"
    assert client.get("/later").text == "later"


def test_rule_without_view_is_a_server_error(app: App, client: TestClient) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/orphan", endpoint="orphan")
    assert client.get("/orphan").status_code == 500


@pytest.mark.parametrize(
    ("rule", "path", "expected"),
    [
        ("/s/<name>", "/s/abc", "'abc'"),
        ("/i/<int:n>", "/i/42", "42"),
        ("/i/<int(signed=True):n>", "/i/-3", "-3"),
        ("/f/<float:n>", "/f/1.5", "1.5"),
        ("/p/<path:n>", "/p/a/b/c", "'a/b/c'"),
        ("/a/<any(red, blue):n>", "/a/blue", "'blue'"),
        ("/d/<default:n>", "/d/x", "'x'"),
        ("/u/<uuid:n>", "/u/12345678-1234-5678-1234-567812345678",
         repr(uuid.UUID("12345678-1234-5678-1234-567812345678"))),
    ],
)
def test_werkzeug_converters(
    app: App, client: TestClient, rule: str, path: str, expected: str
) -> None:
    app.add_url_rule(rule, "view", lambda request, n=None, name=None: repr(n if name is None else name))
    assert client.get(path).text == expected


def test_converter_mismatch_is_404(app: App, client: TestClient) -> None:
    @app.route("/i/<int:n>")
    def view(request, n):
        return str(n)

    assert client.get("/i/abc").status_code == 404
    assert client.get("/i/-1").status_code == 404


def test_custom_converter(app: App, client: TestClient) -> None:
    class ListConverter(BaseConverter):
        def to_python(self, value: str) -> list[str]:
            return value.split(",")

        def to_url(self, value: list[str]) -> str:
            return ",".join(value)

    app.url_map.converters["list"] = ListConverter

    @app.route("/tags/<list:tags>")
    def tags(request, tags):
        from microweb import url_for

        return {"tags": tags, "url": url_for(request, "tags", tags=["x", "y"])}

    assert client.get("/tags/a,b").json == {"tags": ["a", "b"], "url": "/tags/x,y"}


def test_not_found(app: App, client: TestClient) -> None:
    response = client.get("/nothing")
    assert response.status_code == 404
    assert "Not Found" in response.text


def test_method_not_allowed_lists_allow(app: App, client: TestClient) -> None:
    @app.route("/form", methods=["GET", "POST"])
    def form(request):
        return "form"

    response = client.put("/form")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_head_is_automatic(app: App, client: TestClient) -> None:
    @app.route("/")
    def index(request):
        return "hello"

    @app.route("/d/<x>")
    def dynamic(request, x):
        return {"x": x}

    for path in ("/", "/d/1"):
        get = client.get(path)
        head = client.head(path)
        assert head.status_code == 200
        assert head.get_data() == b""
        assert head.headers["Content-Length"] == get.headers["Content-Length"]
        assert head.headers["Content-Type"] == get.headers["Content-Type"]


@pytest.mark.parametrize("path", ["/static-path", "/dyn/1"])
def test_options_is_automatic(app: App, client: TestClient, path: str) -> None:
    calls: list[str] = []

    @app.route("/static-path", methods=["GET", "POST"])
    def plain(request):
        calls.append("view")
        return "x"

    @app.route("/dyn/<int:n>", methods=["GET", "POST"])
    def dyn(request, n):
        calls.append("view")
        return "x"

    response = client.options(path)
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert calls == []


def test_options_listed_by_the_rule_calls_the_view(app: App, client: TestClient) -> None:
    @app.route("/cors", methods=["GET", "OPTIONS"])
    def cors(request):
        if request.method == "OPTIONS":
            return "", 204, {"Access-Control-Allow-Origin": "*"}
        return "data"

    response = client.options("/cors")
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_options_allow_covers_every_rule_of_the_path(app: App, client: TestClient) -> None:
    app.add_url_rule("/x", "read", lambda request: "r", methods=["GET"])
    app.add_url_rule("/x", "write", lambda request: "w", methods=["POST"])
    assert client.post("/x").text == "w"
    assert set(client.options("/x").headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "POST",
        "OPTIONS",
    }


def test_strict_slashes(app: App, client: TestClient) -> None:
    @app.route("/folder/")
    def folder(request):
        return "folder"

    @app.route("/file")
    def file(request):
        return "file"

    response = client.get("/folder?x=1")
    assert response.status_code == 308
    assert response.headers["Location"] == "http://localhost/folder/?x=1"
    assert client.get("/folder", follow_redirects=True).text == "folder"
    assert client.get("/file/").status_code == 404


def test_strict_slashes_redirect_keeps_the_host(app: App, client: TestClient) -> None:
    @app.route("/folder/<name>/")
    def folder(request, name):
        return name

    response = client.get("/folder/a", base_url="https://example.org:8443")
    assert response.status_code == 308
    assert response.headers["Location"] == "https://example.org:8443/folder/a/"


def test_static_rule_beats_converter(app: App, client: TestClient) -> None:
    @app.route("/users/<name>")
    def user(request, name):
        return f"user {name}"

    @app.route("/users/new")
    def new_user(request):
        return "new form"

    assert client.get("/users/new").text == "new form"
    assert client.get("/users/bob").text == "user bob"


def test_static_get_and_dynamic_post_on_the_same_path(app: App, client: TestClient) -> None:
    @app.get("/items/all")
    def all_items(request):
        return "list"

    @app.post("/items/<name>")
    def create(request, name):
        return f"created {name}"

    assert client.get("/items/all").text == "list"
    assert client.post("/items/all").text == "created all"
    assert client.get("/items/other").status_code == 405


def test_rule_defaults(app: App, client: TestClient) -> None:
    @app.route("/page/", defaults={"n": 1})
    @app.route("/page/<int:n>")
    def page(request, n):
        request.view_args["n"] = "mutated"
        return f"page {n}"

    assert client.get("/page/").text == "page 1"
    assert client.get("/page/").text == "page 1"
    assert client.get("/page/3").text == "page 3"
    assert client.get("/page/1").status_code == 308


def test_endpoint_clash_is_an_error(app: App) -> None:
    @app.route("/a")
    def view(request):
        return "a"

    def other(request):
        return "b"

    app.add_url_rule("/a2", "view", view)  # the same function again is fine
    with pytest.raises(ValueError, match="'view'"):
        app.add_url_rule("/b", "view", other)


def test_methods_as_a_string_is_an_error(app: App) -> None:
    with pytest.raises(TypeError, match="list of strings"):
        app.add_url_rule("/", "x", lambda request: "", methods="POST")


def test_view_without_request_parameter_is_an_error(app: App) -> None:
    def no_request():
        return ""

    with pytest.raises(TypeError, match="no_request"):
        app.add_url_rule("/", view_func=no_request)


def test_setup_after_first_request_is_an_error(app: App, client: TestClient) -> None:
    client.get("/")
    with pytest.raises(RuntimeError, match="first request"):
        app.add_url_rule("/late", "late", lambda request: "")
    with pytest.raises(RuntimeError):
        app.before_request(lambda request: None)


def test_view_args_endpoint_and_rule_on_the_request(app: App, client: TestClient) -> None:
    @app.route("/posts/<int:year>/<slug>")
    def post(request, year, slug):
        return {
            "view_args": request.view_args,
            "endpoint": request.endpoint,
            "rule": request.url_rule.rule,
            "blueprint": request.blueprint,
        }

    assert client.get("/posts/2024/hello").json == {
        "view_args": {"year": 2024, "slug": "hello"},
        "endpoint": "post",
        "rule": "/posts/<int:year>/<slug>",
        "blueprint": None,
    }


def test_subdomain_matching(tmp_path: Path) -> None:
    app = App("subdomains", root_path=str(tmp_path), subdomain_matching=True)
    app.config.update(SERVER_NAME="example.test", TESTING=True)

    @app.route("/", subdomain="api")
    def api(request):
        return "api"

    @app.route("/")
    def main(request):
        return "main"

    @app.route("/", subdomain="<user>")
    def user(request, user):
        return f"user {user}"

    client = app.test_client()
    assert client.get("/").text == "main"
    assert client.get("/", subdomain="api").text == "api"
    assert client.get("/", subdomain="ann").text == "user ann"
    assert client.get("/", base_url="http://elsewhere.test").status_code == 404


def test_host_matching(tmp_path: Path) -> None:
    app = App("hosts", root_path=str(tmp_path), host_matching=True, static_folder=None)
    app.config["TESTING"] = True
    app.add_url_rule("/", "a", lambda request: "a", host="a.test")
    app.add_url_rule("/", "b", lambda request: "b", host="b.test")
    app.add_url_rule("/", "c", lambda request, tenant: tenant, host="<tenant>.c.test")
    client = app.test_client()
    assert client.get("/", base_url="http://a.test").text == "a"
    assert client.get("/", base_url="http://b.test").text == "b"
    assert client.get("/", base_url="http://acme.c.test").text == "acme"
    assert client.get("/", base_url="http://other.test").status_code == 404


def test_two_apps_are_independent(tmp_path: Path) -> None:
    first = App("first", root_path=str(tmp_path))
    second = App("second", root_path=str(tmp_path))
    first.add_url_rule("/", "index", lambda request: "first")
    second.add_url_rule("/", "index", lambda request: "second")
    second.add_url_rule("/only", "only", lambda request: "only")
    assert first.test_client().get("/").text == "first"
    assert second.test_client().get("/").text == "second"
    assert first.test_client().get("/only").status_code == 404


def test_rule_class_can_be_replaced(tmp_path: Path) -> None:
    class TaggedRule(Rule):
        tagged = True

    class MyApp(App):
        url_rule_class = TaggedRule

    app = MyApp("rules", root_path=str(tmp_path))
    app.add_url_rule("/", "index", lambda request: str(request.url_rule.tagged))
    assert app.test_client().get("/").text == "True"


# One routing path: the static-path shortcut, werkzeug's matcher and
# app.test_request() must give the same answer to every request.

ROUTING_APPS: dict[str, dict[str, t.Any]] = {
    "plain": {},
    "server name": {"config": {"SERVER_NAME": "example.com"}},
    "subdomain matching": {
        "app": {"subdomain_matching": True},
        "config": {"SERVER_NAME": "example.com"},
    },
    "host matching": {"app": {"host_matching": True}, "host": "example.com"},
}

ROUTING_PATHS = [
    "/", "/x", "/x/", "/slash", "/slash/", "/loose", "/loose/", "/post-only",
    "/shared", "/old", "/page", "/page/1", "/page/2", "/api-only", "/built",
    "/a//b", "/user/ann", "/user/ann/", "/nowhere",
]


def routing_app(tmp_path: Path, shortcut: bool, setup: dict[str, t.Any]) -> App:
    app = App("routing_table", root_path=str(tmp_path), **setup.get("app", {}))
    app.config.update(TESTING=True, **setup.get("config", {}))
    app.router.static_shortcut = shortcut
    host = {"host": setup["host"]} if "host" in setup else {}

    def show(request, **values):
        return f"{request.endpoint} {sorted(values.items())}"

    for rule, endpoint, options in [
        ("/", "index", {}),
        ("/x", "x", {}),
        ("/slash/", "slash", {}),
        ("/loose", "loose", {"strict_slashes": False}),
        ("/post-only", "post_only", {"methods": ["POST"]}),
        ("/shared", "shared_get", {}),
        ("/shared", "shared_post", {"methods": ["POST", "PUT"]}),
        ("/old", "old", {"redirect_to": "/x"}),
        ("/page", "page", {"defaults": {"n": 1}}),
        ("/page/<int:n>", "page", {}),
        ("/api-only", "api_only", {"subdomain": "api"}),
        ("/built", "built", {"build_only": True}),
        ("/a/b", "ab", {}),
        ("/user/<name>", "user", {}),
    ]:
        if "subdomain" in options and host:
            continue  # a rule has a host or a subdomain, not both
        app.add_url_rule(rule, endpoint, show, **host, **options)
    return app


def routing_answer(client: TestClient, method: str, path: str, host: str) -> tuple[t.Any, ...]:
    response = client.open(path, method=method, base_url=f"http://{host}/")
    return (
        response.status_code,
        response.text if response.status_code == 200 else "",
        response.headers.get("Location"),
        response.headers.get("Allow"),
    )


@pytest.mark.parametrize("setup_name", list(ROUTING_APPS))
def test_static_shortcut_and_matcher_agree(tmp_path: Path, setup_name: str) -> None:
    setup = ROUTING_APPS[setup_name]
    shortcut = routing_app(tmp_path, True, setup)
    matcher = routing_app(tmp_path, False, setup)
    fast, slow = shortcut.test_client(), matcher.test_client()
    differences = []
    answered = set()
    for host in ["example.com", "www.example.com", "api.example.com", "localhost"]:
        for method in ["GET", "HEAD", "POST", "PUT", "OPTIONS"]:
            for path in ROUTING_PATHS:
                a = routing_answer(fast, method, path, host)
                b = routing_answer(slow, method, path, host)
                answered.add(a[0])
                if a != b:
                    differences.append((host, method, path, a, b))
    assert not differences
    # The table exercises matches, misses, redirects and wrong methods.
    assert {200, 404} <= answered
    if setup_name != "host matching":
        assert {308, 405} <= answered


@pytest.mark.parametrize("setup_name", list(ROUTING_APPS))
def test_test_request_routes_as_the_client_does(tmp_path: Path, setup_name: str) -> None:
    setup = ROUTING_APPS[setup_name]
    app = routing_app(tmp_path, True, setup)
    client = app.test_client()
    for host in ["example.com", "www.example.com", "api.example.com"]:
        for path in ROUTING_PATHS:
            status, text, location, _ = routing_answer(client, "GET", path, host)
            request = app.test_request(path, base_url=f"http://{host}/")
            if status == 200:
                assert request.routing_exception is None, (host, path)
                assert text == f"{request.endpoint} {sorted(request.view_args.items())}"
            else:
                assert request.routing_exception is not None, (host, path, status)
                assert request.routing_exception.code == status, (host, path)
                assert request.view_args is None


def test_static_route_on_a_subdomain_does_not_answer_other_hosts(tmp_path: Path) -> None:
    # With SERVER_NAME set but subdomain matching off, a rule's subdomain
    # never matches, for a static path as for a dynamic one.
    app = App("subdomain_static", root_path=str(tmp_path))
    app.config.update(SERVER_NAME="example.com", TESTING=True)
    app.route("/x", subdomain="api", endpoint="x")(lambda request: "x")
    app.route("/y/<n>", subdomain="api", endpoint="y")(lambda request, n: n)
    client = app.test_client()
    assert client.get("/x", base_url="http://www.example.com/").status_code == 404
    assert client.get("/y/1", base_url="http://www.example.com/").status_code == 404


def test_test_request_refuses_a_host_outside_server_name(tmp_path: Path) -> None:
    app = App("outside", root_path=str(tmp_path), subdomain_matching=True)
    app.config.update(SERVER_NAME="example.com", TESTING=True)
    app.route("/")(lambda request: "home")
    client = app.test_client()
    assert client.get("/", base_url="http://example.com/").status_code == 200
    assert client.get("/", base_url="http://evil.test/").status_code == 404
    request = app.test_request("/", base_url="http://evil.test/")
    assert isinstance(request.routing_exception, NotFound)
    assert request.endpoint is None


def test_rule_with_a_double_slash_routes_as_werkzeug_does(tmp_path: Path) -> None:
    answers = []
    for shortcut in (True, False):
        app = App("double", root_path=str(tmp_path))
        app.config["TESTING"] = True
        app.router.static_shortcut = shortcut
        app.add_url_rule("/a//b", "double", lambda request: "double")
        app.add_url_rule("/<path:p>", "catch", lambda request, p: f"catch {p}")
        client = app.test_client()
        answers.append([(r.status_code, r.text) for r in (client.get("/a//b"), client.get("/a/b"))])
    assert answers[0] == answers[1]


@pytest.mark.parametrize(
    "text",
    [
        "/",
        "/a/<x>",
        "/a/<int:x>/<path:rest>",
        "/<any(a,b):kind>/<name>",
        "/u/<uuid:id>/<float(signed=True):f>",
        "/<string(length=2):c>",
        "/x/<any('a', 'b'):k>",
        "/<path:p>.json",
        "/<int(min=1, max=9):n>/<int(fixed_digits=2):m>",
    ],
)
def test_rule_arguments_are_werkzeug_s(text: str) -> None:
    # Read off the rule's text at registration, without compiling it: the
    # same names werkzeug finds when it binds the rule.
    from werkzeug.routing import Map, Rule

    from microweb.routing import Router

    for options in ({}, {"defaults": {"page": 1}}, {"subdomain": "<user>"}):
        rule = Rule(text, **options)  # type: ignore[arg-type]
        probe = rule.empty()
        probe.bind(Map(host_matching=False))
        assert Router().arguments(rule) == probe.arguments
