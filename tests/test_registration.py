"""Signatures decided at registration, and the registration steps."""

from __future__ import annotations

import functools
import inspect
import re
import typing as t

import pytest

from microweb import App, Blueprint, csrf_exempt
from microweb.registration import Target
from microweb.testing import TestClient


def test_flask_style_view_is_refused_with_the_fix(app: App) -> None:
    def user(user_id):
        return str(user_id)

    message = re.escape(
        "'test_registration.test_flask_style_view_is_refused_with_the_fix.<locals>.user',"
        " registered as a view on rule '/u/<int:user_id>', cannot be called as"
        " user(request, user_id=...): multiple values for argument 'user_id'."
    )
    with pytest.raises(TypeError, match=message) as info:
        app.route("/u/<int:user_id>")(user)
    assert "Define it as: def user(request, user_id): ..." in str(info.value)
    # Nothing was registered: the app still serves, without the rule.
    assert "user" not in app.view_functions
    assert app.test_client().get("/u/1").status_code == 404


@pytest.mark.parametrize(
    ("view", "reason"),
    [
        (lambda request: "", "unexpected keyword argument 'name'"),
        (lambda request, other: "", "missing a required argument: 'other'"),
        (lambda: "", "it takes fewer arguments than the app passes"),
    ],
    ids=["missing rule argument", "argument the rule lacks", "no request"],
)
def test_view_that_cannot_take_the_rule_arguments_is_refused(
    app: App, view: t.Callable[..., t.Any], reason: str
) -> None:
    with pytest.raises(TypeError, match=re.escape(reason)) as info:
        app.add_url_rule("/hello/<name>", "hello", view)
    assert "def <lambda>(request, name)" in str(info.value)


@pytest.mark.parametrize(
    "view",
    [
        lambda request, name: name,
        lambda request, name, extra=1: name,
        lambda request, **values: values["name"],
        lambda request, *args, name: name,
        lambda req, name: name,  # any name for the request
    ],
)
def test_views_that_can_take_the_rule_arguments(
    app: App, client: TestClient, view: t.Callable[..., t.Any]
) -> None:
    app.add_url_rule("/hello/<name>", "hello", view)
    assert client.get("/hello/ann").text == "ann"


def test_rule_defaults_are_arguments_too(app: App, client: TestClient) -> None:
    with pytest.raises(TypeError, match="'page'"):
        app.add_url_rule("/", "index", lambda request: "", defaults={"page": 1})

    @app.route("/", defaults={"page": 1})
    @app.route("/page/<int:page>")
    def index(request, page):
        return str(page)

    assert client.get("/").text == "1"
    assert client.get("/page/3").text == "3"


def test_endpoint_decorator_checks_the_rules(app: App) -> None:
    app.add_url_rule("/item/<int:n>", "item")
    with pytest.raises(TypeError, match=re.escape("def item(request, n)")):

        @app.endpoint("item")
        def item(request):
            return ""

    @app.endpoint("item")
    def item_ok(request, n):
        return str(n)

    with pytest.raises(TypeError, match="'extra'"):
        app.add_url_rule("/item/<int:n>/<extra>", "item")
    assert app.test_client().get("/item/4").text == "4"


@pytest.mark.parametrize(
    ("decorator", "good", "bad", "call"),
    [
        ("before_request", lambda request: None, lambda request, extra: None, "(request)"),
        ("after_request", lambda request, response: response, lambda response: response, "(request, response)"),
        ("teardown_request", lambda request, exc: None, lambda request: None, "(request, exc)"),
        ("context_processor", lambda request: {}, lambda: {}, "(request)"),
    ],
)
def test_hooks_are_checked_when_registered(
    app: App, decorator: str, good: t.Any, bad: t.Any, call: str
) -> None:
    getattr(app, decorator)(good)
    with pytest.raises(TypeError, match=re.escape(f"cannot be called as <lambda>{call}")) as info:
        getattr(app, decorator)(bad)
    assert f"Define it as: def <lambda>{call}: ..." in str(info.value)


def test_error_handler_is_checked_when_registered(app: App) -> None:
    with pytest.raises(TypeError, match=re.escape("def not_found(request, error)")):

        @app.errorhandler(404)
        def not_found(error):
            return "gone", 404


def test_blueprint_callables_are_checked_when_registered_on_the_app(app: App) -> None:
    bp = Blueprint("bp", __name__)

    @bp.before_request
    def load(request, extra):
        pass

    with pytest.raises(TypeError, match="test_registration.*load"):
        app.register_blueprint(bp)


@pytest.mark.parametrize("decorator", ["view", "before_request", "errorhandler"])
def test_async_callables_are_refused(app: App, decorator: str) -> None:
    async def handler(request, error=None):
        return "x"

    with pytest.raises(TypeError, match="'async def'.*Define it with 'def'"):
        if decorator == "view":
            app.route("/")(handler)
        elif decorator == "errorhandler":
            app.errorhandler(500)(handler)
        else:
            app.before_request(handler)


def test_partials_are_checked_by_what_they_still_take(app: App, client: TestClient) -> None:
    partial_view = functools.partial(lambda greeting, request, name: f"{greeting} {name}", "hi")
    app.add_url_rule("/p/<name>", "p", partial_view)
    assert client.get("/p/ann").text == "hi ann"


# Registration steps.


def test_steps_see_every_callable_once_when_the_app_freezes(app: App, client: TestClient) -> None:
    seen: list[tuple[str, str | None, str | None]] = []

    def record(app: App, f: t.Callable[..., t.Any], target: Target) -> t.Callable[..., t.Any]:
        seen.append((target.role, target.endpoint, target.blueprint))
        assert target.takes_request
        return f

    app.registration_steps.append(record)
    bp = Blueprint("bp", __name__)

    def hook(request):
        return None

    app.before_request(hook)
    bp.before_request(hook)
    app.after_request(lambda request, response: response)
    app.teardown_request(lambda request, exc: None)
    app.errorhandler(404)(lambda request, error: ("gone", 404))
    app.context_processor(lambda request: {})
    app.route("/a")(lambda request: "a")
    bp.route("/b", endpoint="b")(lambda request: "b")
    bp.route("/c", endpoint="c")(lambda request: "c")
    app.register_blueprint(bp)
    assert seen == []  # nothing runs before the freeze
    assert client.get("/b").text == "b"
    assert sorted(seen, key=str) == sorted(
        [
            ("view", "<lambda>", None),
            ("view", "bp.b", "bp"),
            ("view", "bp.c", "bp"),
            ("view", "static", None),
            ("before_request", None, None),
            ("before_request", None, "bp"),  # the same function, for the blueprint
            ("after_request", None, None),
            ("teardown_request", None, None),
            ("errorhandler", None, None),
            ("context_processor", None, None),
        ],
        key=str,
    )
    client.get("/a")
    client.get("/missing")
    assert len(seen) == 10  # each once, never per request


def test_a_step_may_wrap_a_callable(app: App, client: TestClient) -> None:
    def shout(app: App, f: t.Callable[..., t.Any], target: Target) -> t.Callable[..., t.Any]:
        if target.role != "view":
            return f
        return lambda request, **values: f(request, **values).upper()

    app.registration_steps.append(shout)
    app.route("/hi/<name>")(lambda request, name: f"hi {name}")
    assert client.get("/hi/ann").text == "HI ANN"
    # What was registered stays as it was.
    assert app.view_functions["<lambda>"](None, name="x") == "hi x"


def test_csrf_step_wraps_only_views_that_accept_unsafe_methods(app: App) -> None:
    app.config["CSRF_ENABLED"] = True

    def page(request):
        return "page"

    def form(request):
        return "form"

    @csrf_exempt
    def hook(request):
        return "hook"

    app.route("/page")(page)
    app.route("/form", methods=["GET", "POST"])(form)
    app.post("/hook")(hook)
    client = app.test_client()
    assert client.get("/page").text == "page"
    assert app.prepared is not None
    views = {name: e.view for name, e in app.prepared.endpoints.items()}
    assert views["page"] is page  # GET only: unchanged
    assert views["hook"] is hook  # exempt: unchanged
    assert views["form"] is not form and views["form"].__wrapped__ is form
    assert client.get("/form").text == "form"
    assert client.post("/form").status_code == 400
    assert client.post("/hook").text == "hook"


def test_csrf_enabled_after_the_routes_still_protects_them(app: App) -> None:
    app.post("/form")(lambda request: "saved")
    app.config["CSRF_ENABLED"] = True
    assert app.test_client().post("/form").status_code == 400


def test_decorators_that_change_the_arguments_are_checked_as_called(
    app: App, client: TestClient
) -> None:
    def load_user(view):
        @functools.wraps(view)
        def wrapper(request, user_id):
            return view(request, {"id": user_id})

        return wrapper

    @app.route("/u/<int:user_id>")
    @load_user
    def show(request, user):
        return str(user["id"])

    assert client.get("/u/7").text == "7"


def test_a_view_may_be_named_before_its_rule(app: App, client: TestClient) -> None:
    @app.endpoint("user")
    def user(request, id):
        return f"user {id}"

    app.add_url_rule("/u/<int:id>", "user")
    with pytest.raises(TypeError, match="missing a required argument: 'id'"):
        app.add_url_rule("/by/<slug>", "user")
    assert client.get("/u/3").text == "user 3"


def test_rules_that_never_call_the_view_are_not_checked(app: App, client: TestClient) -> None:
    @app.route("/user/<int:id>")
    def user(request, id):
        return f"user {id}"

    app.add_url_rule("/u/<slug>", "user", redirect_to="/user/1")
    app.add_url_rule("/cdn/<path:file>", "user", build_only=True)
    assert client.get("/u/ann").headers["Location"].endswith("/user/1")


def test_partial_views_are_named_by_their_function(app: App) -> None:
    def view(greeting, request):
        return greeting

    with pytest.raises(TypeError) as info:
        app.add_url_rule("/<name>", "p", functools.partial(view, "hi"))
    assert "functools.partial('test_registration." in str(info.value)
    assert "def view(request, name)" in str(info.value)


def test_a_step_may_adapt_callables_without_the_request(tmp_path: t.Any) -> None:
    # The seam the compatibility layer uses: an app that accepts
    # callables without the request and a first step that adapts them.
    class FlaskStyle(App):
        request_optional = True

    app = FlaskStyle("flask_style", root_path=str(tmp_path))
    app.config.update(TESTING=True, SECRET_KEY="k", CSRF_ENABLED=True)

    def adapt(app: App, f: t.Callable[..., t.Any], target: Target) -> t.Callable[..., t.Any]:
        if target.takes_request:
            return f
        return lambda request, *args, **kwargs: f(*args, **kwargs)

    app.registration_steps.insert(0, adapt)

    @app.route("/form", methods=["GET", "POST"])
    def form():
        return "form"

    @app.route("/hello/<name>")
    def hello(name):
        return f"hello {name}"

    @app.route("/explicit")
    def explicit(request):
        return request.path

    @app.before_request
    def hook():
        return None

    assert app.takes_request == {id(form): False, id(hello): False, id(hook): False}
    client = app.test_client()
    assert client.get("/form").text == "form"
    assert client.post("/form").status_code == 400  # CSRF still protects it
    assert client.get("/hello/ann").text == "hello ann"
    assert client.get("/explicit").text == "/explicit"


def test_callables_without_a_readable_signature_are_trusted(app: App, client: TestClient) -> None:
    # max() has no signature Python can read; as a teardown hook it is
    # called as max(request, exc) and its answer ignored.
    with pytest.raises(ValueError):
        inspect.signature(max)
    app.teardown_request(max)
    app.route("/")(lambda request: "ok")
    assert app.teardown_request_funcs[None] == [max]


def test_two_unwrapped_decorated_views_are_told_about_functools_wraps(app: App) -> None:
    def login_required(view):
        def wrapper(request, **values):
            return view(request, **values)

        return wrapper

    app.route("/a")(login_required(lambda request: "a"))
    with pytest.raises(ValueError, match=re.escape("functools.wraps(view)")):
        app.route("/b")(login_required(lambda request: "b"))
