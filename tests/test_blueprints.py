"""Blueprints: prefixes, endpoint names, nesting, hooks and error handlers."""

from __future__ import annotations

import os
import typing as t
from pathlib import Path

import pytest

from microweb import App, Blueprint, abort, url_for

if t.TYPE_CHECKING:
    from microweb.testing import TestClient


def new_app(tmp_path: Path, name: str, subdomain_matching: bool = False) -> App:
    app = App(name, root_path=str(tmp_path), subdomain_matching=subdomain_matching)
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app


# Construction.


def test_constructor_keeps_its_arguments() -> None:
    bp = Blueprint(
        "admin",
        __name__,
        url_prefix="/admin",
        subdomain="api",
        template_folder="admin_templates",
        static_folder="admin_static",
    )

    assert bp.name == "admin"
    assert bp.import_name == __name__
    assert bp.url_prefix == "/admin"
    assert bp.subdomain == "api"
    assert bp.template_folder == "admin_templates"
    assert bp.static_folder == "admin_static"
    assert bp.root_path == os.path.dirname(os.path.abspath(__file__))


def test_constructor_defaults() -> None:
    bp = Blueprint("plain", __name__)

    assert bp.url_prefix is None
    assert bp.subdomain is None
    assert bp.template_folder is None
    assert bp.static_folder is None


def test_name_with_a_dot_is_rejected() -> None:
    with pytest.raises(ValueError, match="dot"):
        Blueprint("admin.users", __name__)


def test_empty_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        Blueprint("", __name__)


def test_endpoint_with_a_dot_is_rejected() -> None:
    bp = Blueprint("bp", __name__)

    def view(request):
        return "view"

    with pytest.raises(ValueError, match="dot"):
        bp.add_url_rule("/a", "a.b", view)
    with pytest.raises(ValueError, match="dot"):
        bp.route("/b", endpoint="c.d")(view)


def test_view_name_with_a_dot_is_rejected() -> None:
    bp = Blueprint("bp", __name__)

    def view(request):
        return "view"

    view.__name__ = "dotted.view"

    with pytest.raises(ValueError, match="dot"):
        bp.add_url_rule("/a", view_func=view)


# URL prefixes.


def test_url_prefix_from_constructor(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/page")
    def page(request):
        return "bp page"

    app.register_blueprint(bp)

    response = client.get("/bp/page")
    assert response.status_code == 200
    assert response.text == "bp page"
    assert client.get("/page").status_code == 404


def test_url_prefix_overridden_at_registration(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/page")
    def page(request):
        return "bp page"

    app.register_blueprint(bp, url_prefix="/elsewhere")

    assert client.get("/elsewhere/page").text == "bp page"
    assert client.get("/bp/page").status_code == 404


def test_root_rule_under_prefix(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/")
    def index(request):
        return url_for(request, ".index")

    app.register_blueprint(bp)

    response = client.get("/bp/")
    assert response.status_code == 200
    assert response.text == "/bp/"
    redirect = client.get("/bp")
    assert redirect.status_code == 308
    assert redirect.headers["Location"].endswith("/bp/")
    assert client.get("/bp", follow_redirects=True).text == "/bp/"


@pytest.mark.parametrize(
    ("prefix", "rule", "url"),
    [
        ("", "/", "/"),
        ("/", "", "/"),
        ("/", "/", "/"),
        ("/foo", "", "/foo"),
        ("/foo/", "", "/foo/"),
        ("", "/bar", "/bar"),
        ("/foo/", "/bar", "/foo/bar"),
        ("/foo/", "bar", "/foo/bar"),
        ("/foo", "/bar", "/foo/bar"),
        ("/foo/", "//bar", "/foo/bar"),
        ("/foo//", "/bar", "/foo/bar"),
    ],
)
def test_prefix_and_rule_join_with_one_slash(
    app: App, client: TestClient, prefix: str, rule: str, url: str
) -> None:
    bp = Blueprint("bp", __name__, url_prefix=prefix)

    @bp.route(rule)
    def index(request):
        return "", 204

    app.register_blueprint(bp)

    assert client.get(url).status_code == 204


# Endpoint names and url_for.


def test_endpoint_names_and_url_for(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.route("/")
    def index(request):
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "full": url_for(request, "bp.page", n=3),
            "relative": url_for(request, ".page", n=3),
            "app": url_for(request, "home"),
        }

    @bp.route("/page/<int:n>")
    def page(request, n):
        return str(n)

    @app.route("/")
    def home(request):
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "relative": url_for(request, ".home"),
            "bp": url_for(request, "bp.index"),
        }

    app.register_blueprint(bp)

    assert "bp.index" in app.view_functions
    assert "bp.page" in app.view_functions
    assert "index" not in app.view_functions
    assert client.get("/bp/").json == {
        "endpoint": "bp.index",
        "blueprint": "bp",
        "full": "/bp/page/3",
        "relative": "/bp/page/3",
        "app": "/",
    }
    assert client.get("/").json == {
        "endpoint": "home",
        "blueprint": None,
        "relative": "/",
        "bp": "/bp/",
    }
    assert client.get("/bp/page/3").text == "3"


def test_explicit_endpoint_is_prefixed(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/thing", endpoint="named")
    def view(request):
        return request.endpoint

    app.register_blueprint(bp)

    assert client.get("/thing").text == "bp.named"


def test_method_shortcuts(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.get("/item")
    def read(request):
        return "read"

    @bp.post("/item")
    def create(request):
        return "created", 201

    app.register_blueprint(bp)

    assert client.get("/bp/item").text == "read"
    response = client.post("/bp/item")
    assert response.status_code == 201
    assert response.text == "created"
    assert client.delete("/bp/item").status_code == 405


# Nesting.


def test_nested_prefixes_names_and_url_for(app: App, client: TestClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")
    grandchild = Blueprint("grandchild", __name__, url_prefix="/grandchild")

    @parent.route("/")
    def parent_index(request):
        return {"endpoint": request.endpoint, "blueprint": request.blueprint}

    @child.route("/view")
    def view(request):
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": list(request.blueprints),
            "self": url_for(request, ".view"),
            "full": url_for(request, "parent.child.view"),
            "deeper": url_for(request, ".grandchild.deep"),
            "parent": url_for(request, "parent.parent_index"),
        }

    @grandchild.route("/deep")
    def deep(request):
        return {"endpoint": request.endpoint, "blueprints": list(request.blueprints)}

    child.register_blueprint(grandchild)
    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert client.get("/parent/").json == {
        "endpoint": "parent.parent_index",
        "blueprint": "parent",
    }
    assert client.get("/parent/child/view").json == {
        "endpoint": "parent.child.view",
        "blueprint": "parent.child",
        "blueprints": ["parent.child", "parent"],
        "self": "/parent/child/view",
        "full": "/parent/child/view",
        "deeper": "/parent/child/grandchild/deep",
        "parent": "/parent/",
    }
    assert client.get("/parent/child/grandchild/deep").json == {
        "endpoint": "parent.child.grandchild.deep",
        "blueprints": [
            "parent.child.grandchild",
            "parent.child",
            "parent",
        ],
    }
    assert set(app.blueprints) == {"parent", "parent.child", "parent.child.grandchild"}
    assert client.get("/child/view").status_code == 404


@pytest.mark.parametrize(
    ("parent_init", "child_init", "parent_registration", "child_registration"),
    [
        ("/parent", "/child", None, None),
        ("/parent", None, None, "/child"),
        (None, None, "/parent", "/child"),
        ("/other", "/something", "/parent", "/child"),
    ],
)
def test_nested_prefixes_stack(
    app: App,
    client: TestClient,
    parent_init: str | None,
    child_init: str | None,
    parent_registration: str | None,
    child_registration: str | None,
) -> None:
    parent = Blueprint("parent", __name__, url_prefix=parent_init)
    child = Blueprint("child", __name__, url_prefix=child_init)

    @child.route("/")
    def index(request):
        return "child index"

    parent.register_blueprint(child, url_prefix=child_registration)
    app.register_blueprint(parent, url_prefix=parent_registration)

    response = client.get("/parent/child/")
    assert response.status_code == 200
    assert response.text == "child index"


def test_child_without_prefix_uses_parents(app: App, client: TestClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__)

    @child.route("/leaf")
    def leaf(request):
        return request.endpoint

    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert client.get("/parent/leaf").text == "parent.child.leaf"


def test_blueprint_cannot_nest_in_itself() -> None:
    bp = Blueprint("bp", __name__)

    with pytest.raises(ValueError):
        bp.register_blueprint(bp)


def test_nested_error_handlers_fall_back_to_parent(app: App, client: TestClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @parent.errorhandler(ValueError)
    def parent_handler(request, e):
        return f"parent handled {e}", 400

    @child.errorhandler(KeyError)
    def child_handler(request, e):
        return "child handled", 400

    @child.route("/value")
    def value(request):
        raise ValueError("value")

    @child.route("/key")
    def key(request):
        raise KeyError("key")

    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert client.get("/parent/child/value").text == "parent handled value"
    assert client.get("/parent/child/key").text == "child handled"


# Registering more than once.


def test_registered_twice_under_different_names(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    seen: list[str] = []

    @bp.before_request
    def before(request):
        seen.append(request.blueprint)

    @bp.route("/view")
    def view(request):
        return {
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "url": url_for(request, ".view"),
        }

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="other", url_prefix="/other")

    assert client.get("/bp/view").json == {
        "endpoint": "bp.view",
        "blueprint": "bp",
        "url": "/bp/view",
    }
    assert client.get("/other/view").json == {
        "endpoint": "other.view",
        "blueprint": "other",
        "url": "/other/view",
    }
    assert seen == ["bp", "other"]
    assert app.blueprints == {"bp": bp, "other": bp}
    assert {"bp.view", "other.view"} <= set(app.view_functions)


def test_registered_twice_under_the_same_name_fails(app: App) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/")
    def index(request):
        return "index"

    app.register_blueprint(bp)

    with pytest.raises(ValueError, match="'bp'"):
        app.register_blueprint(bp, url_prefix="/again")


def test_two_blueprints_with_the_same_name_fail(app: App) -> None:
    first = Blueprint("bp", __name__)
    second = Blueprint("bp", __name__)

    app.register_blueprint(first)

    with pytest.raises(ValueError, match="'bp'"):
        app.register_blueprint(second, url_prefix="/second")


def test_register_after_first_request_fails(app: App, client: TestClient) -> None:
    @app.route("/")
    def index(request):
        return "index"

    bp = Blueprint("late", __name__, url_prefix="/late")

    @bp.route("/")
    def late(request):
        return "late"

    assert client.get("/").text == "index"

    with pytest.raises(RuntimeError, match="first request"):
        app.register_blueprint(bp)
    assert client.get("/late/").status_code == 404


# Hooks.


def test_blueprint_hooks_run_only_for_its_views(app: App, client: TestClient) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_request
    def bp_before(request):
        calls.append("bp before")

    @bp.after_request
    def bp_after(request, response):
        calls.append("bp after")
        response.headers["X-Blueprint"] = "yes"
        return response

    @bp.teardown_request
    def bp_teardown(request, exc):
        calls.append("bp teardown")

    @bp.route("/")
    def bp_view(request):
        calls.append("bp view")
        return "bp"

    @app.route("/")
    def app_view(request):
        calls.append("app view")
        return "app"

    app.register_blueprint(bp)

    with client.get("/") as response:
        assert response.text == "app"
        assert "X-Blueprint" not in response.headers
    assert calls == ["app view"]

    calls.clear()
    with client.get("/bp/") as response:
        assert response.text == "bp"
        assert response.headers["X-Blueprint"] == "yes"
    assert calls == ["bp before", "bp view", "bp after", "bp teardown"]

    calls.clear()
    with client.get("/bp/missing") as response:
        assert response.status_code == 404
    assert calls == []


def test_hook_order_with_app_hooks(app: App, client: TestClient) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_request
    def bp_before_1(request):
        calls.append("bp before 1")

    @bp.before_request
    def bp_before_2(request):
        calls.append("bp before 2")

    @bp.after_request
    def bp_after_1(request, response):
        calls.append("bp after 1")
        return response

    @bp.after_request
    def bp_after_2(request, response):
        calls.append("bp after 2")
        return response

    @bp.teardown_request
    def bp_teardown(request, exc):
        calls.append("bp teardown")

    @bp.route("/")
    def view(request):
        calls.append("view")
        return "bp"

    # The blueprint is registered before the app's hooks exist: the app's
    # hooks still wrap the blueprint's.
    app.register_blueprint(bp)

    @app.before_request
    def app_before(request):
        calls.append("app before")

    @app.after_request
    def app_after(request, response):
        calls.append("app after")
        return response

    @app.teardown_request
    def app_teardown(request, exc):
        calls.append("app teardown")

    with client.get("/bp/") as response:
        assert response.text == "bp"
    assert calls == [
        "app before",
        "bp before 1",
        "bp before 2",
        "view",
        "bp after 2",
        "bp after 1",
        "app after",
        "bp teardown",
        "app teardown",
    ]


def test_blueprint_before_request_can_answer(app: App, client: TestClient) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_request
    def deny(request):
        return "denied", 403

    @bp.after_request
    def after(request, response):
        calls.append("after")
        response.headers["X-After"] = "ran"
        return response

    @bp.route("/")
    def view(request):
        calls.append("view")
        return "view"

    app.register_blueprint(bp)

    response = client.get("/bp/")
    assert response.status_code == 403
    assert response.text == "denied"
    assert response.headers["X-After"] == "ran"
    assert calls == ["after"]


def test_nested_hooks_run_for_child_views(app: App, client: TestClient) -> None:
    calls: list[str] = []
    parent = Blueprint("parent", __name__, url_prefix="/parent")
    child = Blueprint("child", __name__, url_prefix="/child")

    @app.before_request
    def app_before(request):
        calls.append("app before")

    @app.after_request
    def app_after(request, response):
        calls.append("app after")
        return response

    @app.teardown_request
    def app_teardown(request, exc):
        calls.append("app teardown")

    @parent.before_request
    def parent_before(request):
        calls.append("parent before")

    @parent.after_request
    def parent_after(request, response):
        calls.append("parent after")
        return response

    @parent.teardown_request
    def parent_teardown(request, exc):
        calls.append("parent teardown")

    @child.before_request
    def child_before(request):
        calls.append("child before")

    @child.after_request
    def child_after(request, response):
        calls.append("child after")
        return response

    @child.teardown_request
    def child_teardown(request, exc):
        calls.append("child teardown")

    @parent.route("/")
    def parent_view(request):
        calls.append("parent view")
        return "parent"

    @child.route("/")
    def child_view(request):
        calls.append("child view")
        return "child"

    parent.register_blueprint(child)
    app.register_blueprint(parent)

    with client.get("/parent/child/") as response:
        assert response.text == "child"
    assert calls == [
        "app before",
        "parent before",
        "child before",
        "child view",
        "child after",
        "parent after",
        "app after",
        "child teardown",
        "parent teardown",
        "app teardown",
    ]

    calls.clear()
    with client.get("/parent/") as response:
        assert response.text == "parent"
    assert calls == [
        "app before",
        "parent before",
        "parent view",
        "parent after",
        "app after",
        "parent teardown",
        "app teardown",
    ]


def test_app_hooks_from_blueprint_run_for_every_request(
    app: App, client: TestClient
) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_app_request
    def before(request):
        calls.append(f"before {request.path}")

    @bp.after_app_request
    def after(request, response):
        calls.append(f"after {request.path}")
        response.headers["X-Seen"] = "1"
        return response

    @bp.teardown_app_request
    def teardown(request, exc):
        calls.append(f"teardown {request.path}")

    @bp.route("/")
    def bp_view(request):
        return "bp"

    @app.route("/")
    def app_view(request):
        return "app"

    app.register_blueprint(bp)

    with client.get("/") as response:
        assert response.text == "app"
        assert response.headers["X-Seen"] == "1"
    with client.get("/bp/") as response:
        assert response.text == "bp"
    with client.get("/nowhere") as response:
        assert response.status_code == 404
        assert response.headers["X-Seen"] == "1"
    assert calls == [
        "before /",
        "after /",
        "teardown /",
        "before /bp/",
        "after /bp/",
        "teardown /bp/",
        "before /nowhere",
        "after /nowhere",
        "teardown /nowhere",
    ]


def test_app_hooks_run_once_when_registered_twice(app: App, client: TestClient) -> None:
    calls: list[str] = []
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.before_app_request
    def before(request):
        calls.append("before")

    @bp.after_app_request
    def after(request, response):
        calls.append("after")
        return response

    @bp.teardown_app_request
    def teardown(request, exc):
        calls.append("teardown")

    @bp.route("/")
    def view(request):
        return request.blueprint

    @app.route("/")
    def index(request):
        return "app"

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="other", url_prefix="/other")

    for path, body in (("/", "app"), ("/bp/", "bp"), ("/other/", "other")):
        calls.clear()
        with client.get(path) as response:
            assert response.text == body
        assert calls == ["before", "after", "teardown"]


# Error handlers.


def test_errorhandler_and_app_errorhandler(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @bp.errorhandler(404)
    def bp_not_found(request, e):
        return "blueprint not found", 404

    @bp.app_errorhandler(403)
    def forbidden(request, e):
        return f"forbidden ({request.endpoint})", 403

    @bp.route("/missing")
    def bp_missing(request):
        abort(404)

    @bp.route("/forbidden")
    def bp_forbidden(request):
        abort(403)

    @app.route("/missing")
    def app_missing(request):
        abort(404)

    @app.route("/forbidden")
    def app_forbidden(request):
        abort(403)

    app.register_blueprint(bp)

    response = client.get("/bp/missing")
    assert response.status_code == 404
    assert response.text == "blueprint not found"

    # The blueprint's handler is not used outside its views, nor for a URL
    # under its prefix that nothing matched.
    for path in ("/missing", "/bp/nothing-here"):
        response = client.get(path)
        assert response.status_code == 404
        assert "blueprint not found" not in response.text

    response = client.get("/bp/forbidden")
    assert response.status_code == 403
    assert response.text == "forbidden (bp.bp_forbidden)"
    response = client.get("/forbidden")
    assert response.status_code == 403
    assert response.text == "forbidden (app_forbidden)"


def test_blueprint_handler_beats_app_handler(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")

    @app.errorhandler(ValueError)
    def app_handler(request, e):
        return "app handled", 500

    @bp.errorhandler(ValueError)
    def bp_handler(request, e):
        return "blueprint handled", 400

    @bp.route("/")
    def bp_view(request):
        raise ValueError("bp")

    @app.route("/")
    def app_view(request):
        raise ValueError("app")

    app.register_blueprint(bp)

    response = client.get("/bp/")
    assert response.status_code == 400
    assert response.text == "blueprint handled"
    response = client.get("/")
    assert response.status_code == 500
    assert response.text == "app handled"


def test_error_handler_per_registration(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.errorhandler(LookupError)
    def handler(request, e):
        return f"{request.blueprint} handled {type(e).__name__}", 400

    @bp.route("/")
    def view(request):
        raise KeyError("x")

    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, name="two", url_prefix="/two")

    assert client.get("/one/").text == "bp handled KeyError"
    assert client.get("/two/").text == "two handled KeyError"


def test_exception_without_handler_propagates_while_testing(
    app: App, client: TestClient
) -> None:
    bp = Blueprint("bp", __name__)

    @bp.errorhandler(KeyError)
    def handler(request, e):
        return "handled", 400

    @bp.route("/")
    def view(request):
        raise ValueError("not a KeyError")

    app.register_blueprint(bp)

    with pytest.raises(ValueError, match="not a KeyError"):
        client.get("/")


# URL defaults.


def test_url_defaults_at_registration(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.route("/foo", defaults={"baz": 42})
    def foo(request, bar, baz):
        return f"{bar}/{baz:d} {url_for(request, '.foo')}"

    @bp.route("/bar")
    def bar(request, bar):
        return str(bar)

    app.register_blueprint(bp, url_prefix="/1", url_defaults={"bar": 23})
    app.register_blueprint(bp, name="two", url_prefix="/2", url_defaults={"bar": 19})

    assert client.get("/1/foo").text == "23/42 /1/foo"
    assert client.get("/2/foo").text == "19/42 /2/foo"
    assert client.get("/1/bar").text == "23"
    assert client.get("/2/bar").text == "19"


def test_url_defaults_from_constructor(app: App, client: TestClient) -> None:
    bp = Blueprint("pages", __name__, url_prefix="/pages", url_defaults={"lang": "en"})

    @bp.route("/")
    def index(request, lang):
        return f"index in {lang}"

    app.register_blueprint(bp)
    app.register_blueprint(
        bp, name="french", url_prefix="/fr", url_defaults={"lang": "fr"}
    )

    assert client.get("/pages/").text == "index in en"
    assert client.get("/fr/").text == "index in fr"


# Subdomains.


def test_subdomain(tmp_path: Path) -> None:
    app = new_app(tmp_path, "subdomains", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    api = Blueprint("api", __name__, subdomain="api")

    @api.route("/")
    def index(request):
        return {
            "where": "api",
            "host": request.host,
            "main": url_for(request, "home"),
        }

    @app.route("/")
    def home(request):
        return {"where": "main", "api": url_for(request, "api.index")}

    app.register_blueprint(api)
    client = app.test_client()

    assert client.get("/").json == {
        "where": "main",
        "api": "http://api.example.test/",
    }
    assert client.get("/", subdomain="api").json == {
        "where": "api",
        "host": "api.example.test",
        "main": "http://example.test/",
    }
    assert client.get("/", subdomain="other").status_code == 404


def test_subdomain_only_rules(tmp_path: Path) -> None:
    app = new_app(tmp_path, "subdomain_only", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = Blueprint("api", __name__, subdomain="api")

    @bp.route("/status")
    def status(request):
        return f"{request.endpoint} on {request.host}"

    app.register_blueprint(bp)
    client = app.test_client()

    assert client.get("/status", subdomain="api").text == "api.status on api.example.test"
    assert client.get("/status").status_code == 404


def test_subdomain_overridden_at_registration(tmp_path: Path) -> None:
    app = new_app(tmp_path, "subdomain_override", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    bp = Blueprint("admin", __name__, subdomain="api")

    @bp.route("/panel")
    def panel(request):
        return request.host

    app.register_blueprint(bp, subdomain="admin")
    client = app.test_client()

    assert client.get("/panel", subdomain="admin").text == "admin.example.test"
    assert client.get("/panel", subdomain="api").status_code == 404


def test_nested_subdomains_stack(tmp_path: Path) -> None:
    app = new_app(tmp_path, "nested_subdomains", subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    parent = Blueprint("parent", __name__)
    child = Blueprint("child", __name__, subdomain="api")
    inherits = Blueprint("inherits", __name__, url_prefix="/inherits")

    @child.route("/child")
    def child_view(request):
        return request.host

    @inherits.route("/")
    def inherits_view(request):
        return request.host

    parent.register_blueprint(child)
    parent.register_blueprint(inherits)
    app.register_blueprint(parent, subdomain="parent")
    client = app.test_client()

    assert client.get("/child", subdomain="api.parent").text == "api.parent.example.test"
    assert client.get("/child", subdomain="parent").status_code == 404
    assert client.get("/inherits/", subdomain="parent").text == "parent.example.test"


# Recording.


def test_record_and_record_once(app: App, tmp_path: Path) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    recorded: list[tuple[App, str]] = []
    recorded_once: list[tuple[App, str]] = []

    @bp.record
    def on_register(state):
        recorded.append((state.app, state.name))

    @bp.record_once
    def on_first_register(state):
        recorded_once.append((state.app, state.name))

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="other")

    assert recorded == [(app, "bp"), (app, "other")]
    assert recorded_once == [(app, "bp")]

    second = new_app(tmp_path, "second")
    second.register_blueprint(bp, name="again")

    assert recorded[-1] == (second, "again")
    assert recorded_once == [(app, "bp"), (second, "again")]


def test_record_state_has_url_prefix(app: App) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    prefixes: list[str | None] = []

    bp.record(lambda state: prefixes.append(state.url_prefix))

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="other", url_prefix="/other")

    assert prefixes == ["/bp", "/other"]


def test_one_blueprint_on_two_apps(tmp_path: Path) -> None:
    calls: list[tuple[str, str]] = []
    bp = Blueprint("shared", __name__, url_prefix="/shared")

    @bp.before_app_request
    def before_any(request):
        calls.append((request.app.name, request.path))

    @bp.before_request
    def before_own(request):
        request.g.own = "ran"

    @bp.route("/")
    def index(request):
        link = url_for(request, ".index")
        return f"{request.app.name}: {request.endpoint} {request.g.own} {link}"

    first = new_app(tmp_path, "first")
    second = new_app(tmp_path, "second")

    @first.route("/")
    def first_home(request):
        return "first home"

    @second.route("/")
    def second_home(request):
        return "second home"

    first.register_blueprint(bp)
    second.register_blueprint(bp, url_prefix="/elsewhere")
    first_client = first.test_client()
    second_client = second.test_client()

    assert first_client.get("/shared/").text == "first: shared.index ran /shared/"
    assert second_client.get("/elsewhere/").text == "second: shared.index ran /elsewhere/"
    assert second_client.get("/shared/").status_code == 404
    assert first_client.get("/").text == "first home"
    assert second_client.get("/").text == "second home"
    assert calls == [
        ("first", "/shared/"),
        ("second", "/elsewhere/"),
        ("second", "/shared/"),
        ("first", "/"),
        ("second", "/"),
    ]


# URL processors.


def test_i18n_lang_code_prefix(app: App, client: TestClient) -> None:
    """Flask's classic pattern: the language is a URL prefix, not a view argument."""
    bp = Blueprint("frontend", __name__, url_prefix="/<lang_code>")

    @bp.url_defaults
    def add_language_code(request, endpoint, values):
        if request is not None and "lang_code" in request.g:
            values.setdefault("lang_code", request.g.lang_code)

    @bp.url_value_preprocessor
    def pull_lang_code(request, endpoint, values):
        request.g.lang_code = values.pop("lang_code")

    @bp.route("/")
    def index(request):
        return f"{request.g.lang_code}: {url_for(request, '.about')}"

    @bp.route("/about")
    def about(request):
        return url_for(request, ".index", lang_code="de")

    @app.route("/")
    def home(request):
        return url_for(request, "frontend.about", lang_code="en")

    app.register_blueprint(bp)

    assert client.get("/fr/").text == "fr: /fr/about"
    assert client.get("/fr/about").text == "/de/"
    assert client.get("/").text == "/en/about"


def test_preprocessor_order_app_then_outer_to_inner(app: App, client: TestClient) -> None:
    order: list[str] = []
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")

    @child.url_value_preprocessor
    def child_pre(request, endpoint, values):
        order.append(f"child {endpoint}")

    @parent.url_value_preprocessor
    def parent_pre(request, endpoint, values):
        order.append(f"parent {endpoint}")

    @parent.before_request
    def parent_before(request):
        order.append("parent before")

    @app.before_request
    def app_before(request):
        order.append("app before")

    @app.url_value_preprocessor
    def app_pre(request, endpoint, values):
        order.append(f"app {endpoint}")

    @child.route("/")
    def view(request):
        return ""

    @app.route("/top")
    def top(request):
        return ""

    parent.register_blueprint(child)
    app.register_blueprint(parent)

    client.get("/p/c/")
    assert order == [
        "app parent.child.view",
        "parent parent.child.view",
        "child parent.child.view",
        "app before",
        "parent before",
    ]
    order.clear()
    client.get("/top")
    assert order == ["app top", "app before"]
    order.clear()
    client.get("/nowhere")
    assert order == ["app None", "app before"]


def test_url_defaults_order_app_then_outer_to_inner(app: App, client: TestClient) -> None:
    order: list[str] = []
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")

    @child.url_defaults
    def child_defaults(request, endpoint, values):
        order.append("child")
        values["n"] = values["n"] * 10

    @parent.url_defaults
    def parent_defaults(request, endpoint, values):
        order.append("parent")
        values["n"] = values["n"] + 1

    @app.url_defaults
    def app_defaults(request, endpoint, values):
        order.append(f"app {endpoint}")
        values.setdefault("n", 1)

    @child.route("/<int:n>")
    def view(request, n):
        return url_for(request, ".view")

    @app.route("/")
    def index(request):
        return url_for(request, "index", q=1)

    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert client.get("/p/c/5").text == "/p/c/20"
    assert order == ["app parent.child.view", "parent", "child"]
    order.clear()
    # An app endpoint: the app's function alone.
    assert client.get("/").text == "/?q=1&n=1"
    assert order == ["app index"]


def test_blueprint_processors_serve_only_its_endpoints(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    calls: list[str] = []

    @bp.url_value_preprocessor
    def pre(request, endpoint, values):
        calls.append(f"pre {endpoint}")

    @bp.url_defaults
    def defaults(request, endpoint, values):
        calls.append(f"defaults {endpoint}")

    @bp.route("/")
    def inside(request):
        return url_for(request, "outside")

    @app.route("/")
    def outside(request):
        return url_for(request, "bp.inside")

    app.register_blueprint(bp)

    assert client.get("/").text == "/bp/"
    assert calls == ["defaults bp.inside"]
    calls.clear()
    assert client.get("/bp/").text == "/"
    assert calls == ["pre bp.inside"]
    calls.clear()
    client.get("/missing")
    assert calls == []


def test_app_url_processors_from_a_blueprint(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)
    calls: list[str] = []

    @bp.app_url_value_preprocessor
    def pre(request, endpoint, values):
        calls.append(f"pre {endpoint}")

    @bp.app_url_defaults
    def defaults(request, endpoint, values):
        calls.append(f"defaults {endpoint}")

    @app.route("/")
    def index(request):
        return url_for(request, "index")

    app.register_blueprint(bp)
    app.register_blueprint(bp, name="again")

    assert client.get("/").text == "/"
    assert calls == ["pre index", "defaults index"]
    assert app.url_value_preprocessors == {None: [pre]}
    assert app.url_default_functions == {None: [defaults]}


def test_blueprint_processors_per_registration(app: App, client: TestClient) -> None:
    bp = Blueprint("bp", __name__)

    @bp.url_value_preprocessor
    def pre(request, endpoint, values):
        request.g.where = endpoint

    @bp.route("/")
    def index(request):
        return request.g.where

    app.register_blueprint(bp, url_prefix="/one")
    app.register_blueprint(bp, url_prefix="/two", name="two")

    assert client.get("/one/").text == "bp.index"
    assert client.get("/two/").text == "two.index"


def test_blueprint_processors_are_checked_when_registered(app: App) -> None:
    bp = Blueprint("bp", __name__)

    @bp.url_value_preprocessor
    def flask_style(endpoint, values):
        pass

    with pytest.raises(TypeError, match=r"def flask_style\(request, endpoint, values\)"):
        app.register_blueprint(bp)

    other = Blueprint("other", __name__)

    @other.app_url_defaults
    def no_values(request, endpoint):
        pass

    with pytest.raises(TypeError, match="a url_defaults function"):
        app.register_blueprint(other)


def test_blueprint_view_after_its_preprocessor_may_leave_out_the_argument(
    app: App, client: TestClient
) -> None:
    before = Blueprint("before", __name__, url_prefix="/<lang>")
    after = Blueprint("after", __name__, url_prefix="/<lang>/x")

    @before.url_value_preprocessor
    def pull(request, endpoint, values):
        values.pop("lang")

    @before.route("/")
    def fine(request):
        return "fine"

    @after.route("/")
    def refused(request):
        return ""

    @after.url_value_preprocessor
    def late(request, endpoint, values):
        values.pop("lang")

    app.register_blueprint(before)
    with pytest.raises(TypeError, match="register the preprocessor before the view"):
        app.register_blueprint(after)
    assert client.get("/en/").text == "fine"


def test_blueprint_endpoint_gives_a_view_to_an_app_rule(app: App) -> None:
    app.add_url_rule("/foo", "bar")
    bp = Blueprint("bp", __name__)

    @bp.endpoint("bar")
    def foobar(request):
        return request.endpoint

    app.register_blueprint(bp, url_prefix="/bp_prefix")
    client = app.test_client()
    assert client.get("/foo").text == "bar"
    assert client.get("/bp_prefix/bar").status_code == 404
