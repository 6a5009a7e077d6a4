"""Class-based views (View, MethodView) and URL value preprocessors."""

from __future__ import annotations

import functools
import typing as t

import pytest

from microweb import App, MethodView, Request, View, url_for
from microweb.views import ViewFunction

if t.TYPE_CHECKING:
    from microweb.testing import TestClient


# View.


def test_view_dispatches_with_the_rule_arguments(app: App, client: TestClient) -> None:
    class Hello(View):
        """Greets."""

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            return f"Hello, {kwargs['name']} ({request.method})"

    view = Hello.as_view("hello")
    app.add_url_rule("/hello/<name>", view_func=view)

    assert client.get("/hello/ann").text == "Hello, ann (GET)"
    assert view.view_class is Hello
    assert view.__name__ == "hello"
    assert view.__doc__ == "Greets."
    assert view.__module__ == __name__
    assert app.view_functions["hello"] is view
    with app.test_request("/hello/x") as request:
        assert url_for(request, "hello", name="bob") == "/hello/bob"


def test_view_class_arguments(app: App, client: TestClient) -> None:
    class Greet(View):
        def __init__(self, greeting: str, *, punctuation: str = ".") -> None:
            self.greeting = greeting
            self.punctuation = punctuation

        def dispatch_request(self, request: Request, name: str) -> str:
            return f"{self.greeting}, {name}{self.punctuation}"

    app.add_url_rule("/hi/<name>", view_func=Greet.as_view("hi", "Hi", punctuation="!"))
    app.add_url_rule("/yo/<name>", view_func=Greet.as_view("yo", "Yo"))

    assert client.get("/hi/ann").text == "Hi, ann!"
    assert client.get("/yo/ann").text == "Yo, ann."


@pytest.mark.parametrize("every_request", [True, False])
def test_init_every_request(app: App, client: TestClient, every_request: bool) -> None:
    made: list[object] = []

    class Counter(View):
        init_every_request = every_request

        def __init__(self) -> None:
            made.append(self)
            self.calls = 0

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            self.calls += 1
            return str(self.calls)

    app.add_url_rule("/count", view_func=Counter.as_view("count"))
    made_at_registration = len(made)

    bodies = [client.get("/count").text for _ in range(3)]

    if every_request:
        assert made_at_registration == 0
        assert bodies == ["1", "1", "1"]
        assert len(made) == 3
    else:
        assert made_at_registration == 1
        assert bodies == ["1", "2", "3"]
        assert len(made) == 1


def test_methods_and_automatic_options_come_from_the_class(
    app: App, client: TestClient
) -> None:
    class Form(View):
        methods = ["GET", "POST"]

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            return request.method

    class NoOptions(View):
        provide_automatic_options = False

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            return "x"

    app.add_url_rule("/form", view_func=Form.as_view("form"))
    app.add_url_rule("/plain", view_func=NoOptions.as_view("plain"))

    assert client.post("/form").text == "POST"
    assert client.get("/form").text == "GET"
    assert client.put("/form").status_code == 405
    options = client.open("/form", method="OPTIONS")
    assert options.status_code == 200
    assert set(options.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}
    assert client.open("/plain", method="OPTIONS").status_code == 405


def test_decorators_are_applied_in_order(app: App, client: TestClient) -> None:
    def tag(label: str) -> t.Callable[..., t.Any]:
        def decorator(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
            @functools.wraps(f)
            def wrapper(request: Request, **kwargs: t.Any) -> str:
                return f"{label}({f(request, **kwargs)})"

            return wrapper

        return decorator

    class Tagged(View):
        decorators = [tag("inner"), tag("outer")]

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            return "view"

    view = Tagged.as_view("tagged")
    app.add_url_rule("/tagged", view_func=view)

    assert client.get("/tagged").text == "outer(inner(view))"
    assert view.view_class is Tagged
    assert view.__name__ == "tagged"


def test_a_decorator_sees_the_view_name(app: App) -> None:
    seen: list[str] = []

    def record(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
        seen.append(f.__name__)
        return f

    class Named(View):
        decorators = [record]

        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            return ""

    Named.as_view("named")
    assert seen == ["named"]


def test_view_without_dispatch_request(app: App, client: TestClient) -> None:
    app.add_url_rule("/bare", view_func=View.as_view("bare"))
    with pytest.raises(NotImplementedError):
        client.get("/bare")


def test_view_functions_are_checked_like_views(app: App) -> None:
    class Ok(View):
        def dispatch_request(self, request: Request, **kwargs: t.Any) -> str:
            return ""

    view: ViewFunction = Ok.as_view("ok")
    # Takes the request, then any rule arguments: every rule fits.
    app.add_url_rule("/a/<int:id>/<slug>", view_func=view)
    app.add_url_rule("/b", view_func=view, defaults={"id": 1, "slug": "x"})


# MethodView.


class UserAPI(MethodView):
    def get(self, request: Request, id: int) -> dict[str, t.Any]:
        return {"id": id, "method": request.method}

    def post(self, request: Request, id: int) -> tuple[str, int]:
        return f"created {id}", 201

    def delete(self, request: Request, id: int) -> tuple[str, int]:
        return "", 204


def test_method_view_dispatches_by_method(app: App, client: TestClient) -> None:
    app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))

    assert client.get("/users/3").json == {"id": 3, "method": "GET"}
    response = client.post("/users/3")
    assert (response.status_code, response.text) == (201, "created 3")
    assert client.delete("/users/3").status_code == 204


def test_method_view_methods_are_computed() -> None:
    assert UserAPI.methods == {"GET", "POST", "DELETE"}
    assert MethodView.methods is None

    class Only(MethodView):
        def put(self, request: Request) -> str:
            return ""

    class Child(Only):
        def patch(self, request: Request) -> str:
            return ""

    class Explicit(Child):
        methods = ["PUT"]

    class FromParentList(Explicit):
        def get(self, request: Request) -> str:
            return ""

    assert Only.methods == {"PUT"}
    assert Child.methods == {"PUT", "PATCH"}
    assert Explicit.methods == ["PUT"]
    # The parent's list, plus what the class defines or inherits.
    assert FromParentList.methods == {"PUT", "PATCH", "GET"}


def test_inherited_methods_dispatch(app: App, client: TestClient) -> None:
    class Base(MethodView):
        def get(self, request: Request) -> str:
            return "base get"

    class Child(Base):
        def post(self, request: Request) -> str:
            return "child post"

    app.add_url_rule("/child", view_func=Child.as_view("child"))

    assert client.get("/child").text == "base get"
    assert client.post("/child").text == "child post"


def test_head_falls_back_to_get(app: App, client: TestClient) -> None:
    calls: list[str] = []

    class Page(MethodView):
        def get(self, request: Request) -> str:
            calls.append(request.method)
            return "page body"

    app.add_url_rule("/page", view_func=Page.as_view("page"))

    response = client.head("/page")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == str(len("page body"))
    assert calls == ["HEAD"]


def test_an_explicit_head_method_wins(app: App, client: TestClient) -> None:
    class Page(MethodView):
        def get(self, request: Request) -> str:
            return "get"

        def head(self, request: Request) -> tuple[str, int, dict[str, str]]:
            return "", 200, {"X-Head": "1"}

    app.add_url_rule("/page", view_func=Page.as_view("page"))

    assert client.head("/page").headers["X-Head"] == "1"


def test_undefined_method_is_405_with_allow(app: App, client: TestClient) -> None:
    app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))

    response = client.put("/users/1")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "POST",
        "DELETE",
        "OPTIONS",
    }


def test_a_rule_method_the_class_lacks_is_405_with_allow(
    app: App, client: TestClient
) -> None:
    # The rule accepts PUT, which the class does not define.
    app.add_url_rule(
        "/users/<int:id>", view_func=UserAPI.as_view("user"), methods=["GET", "PUT"]
    )

    response = client.put("/users/1")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "POST",
        "DELETE",
        "OPTIONS",
    }


def test_method_view_options(app: App, client: TestClient) -> None:
    class Own(MethodView):
        def get(self, request: Request) -> str:
            return "get"

        def options(self, request: Request) -> tuple[str, int, dict[str, str]]:
            return "", 204, {"X-Own": "yes"}

    app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))
    app.add_url_rule("/own", view_func=Own.as_view("own"))

    automatic = client.open("/users/1", method="OPTIONS")
    assert automatic.status_code == 200
    assert set(automatic.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "POST",
        "DELETE",
        "OPTIONS",
    }
    own = client.open("/own", method="OPTIONS")
    assert (own.status_code, own.headers["X-Own"]) == (204, "yes")


def test_method_view_with_class_arguments_and_one_instance(
    app: App, client: TestClient
) -> None:
    class Items(MethodView):
        init_every_request = False

        def __init__(self, store: list[str]) -> None:
            self.store = store

        def get(self, request: Request) -> dict[str, list[str]]:
            return {"items": self.store}

        def post(self, request: Request) -> tuple[str, int]:
            self.store.append(request.get_data(as_text=True))
            return "", 201

    store: list[str] = []
    app.add_url_rule("/items", view_func=Items.as_view("items", store))

    client.post("/items", data="a")
    client.post("/items", data="b")

    assert client.get("/items").json == {"items": ["a", "b"]}


def test_method_view_in_a_blueprint_with_hooks(app: App, client: TestClient) -> None:
    from microweb import Blueprint

    bp = Blueprint("api", __name__, url_prefix="/api")
    bp.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))

    @bp.before_request
    def mark(request: Request) -> None:
        request.g.seen = True

    app.register_blueprint(bp)

    assert client.get("/api/users/2").json == {"id": 2, "method": "GET"}
    with app.test_request("/api/users/2") as request:
        assert url_for(request, ".user", id=5) == "/api/users/5"


def test_method_view_is_unit_testable(app: App) -> None:
    app.add_url_rule("/users/<int:id>", view_func=UserAPI.as_view("user"))

    with app.test_request("/users/4") as request:
        assert UserAPI().get(request, 4) == {"id": 4, "method": "GET"}
        view = app.view_functions["user"]
        assert view(request, **(request.view_args or {})) == {"id": 4, "method": "GET"}


# URL value preprocessors on the app.


def test_preprocessor_pops_a_value_before_the_view(app: App, client: TestClient) -> None:
    calls: list[tuple[str | None, dict[str, t.Any] | None]] = []

    @app.url_value_preprocessor
    def pull_lang(
        request: Request, endpoint: str | None, values: dict[str, t.Any] | None
    ) -> None:
        calls.append((endpoint, dict(values) if values is not None else None))
        if values is not None:
            request.g.lang = values.pop("lang", "en")

    # Registered after the preprocessor: checked without 'lang'.
    @app.route("/<lang>/about")
    def about(request: Request) -> str:
        return f"about in {request.g.lang}"

    assert client.get("/fr/about").text == "about in fr"
    assert calls == [("about", {"lang": "fr"})]


def test_preprocessors_run_before_the_before_hooks(app: App, client: TestClient) -> None:
    order: list[str] = []

    @app.before_request
    def before(request: Request) -> None:
        order.append(f"before {request.view_args}")

    @app.url_value_preprocessor
    def first(request: Request, endpoint: str | None, values: t.Any) -> None:
        order.append("first")
        values["n"] += 1

    @app.url_value_preprocessor
    def second(request: Request, endpoint: str | None, values: t.Any) -> None:
        order.append("second")

    @app.route("/n/<int:n>")
    def show(request: Request, n: int) -> str:
        return str(n)

    assert client.get("/n/1").text == "2"
    assert order == ["first", "second", "before {'n': 2}"]


def test_preprocessors_run_when_no_rule_matched(app: App, client: TestClient) -> None:
    calls: list[tuple[t.Any, ...]] = []

    @app.url_value_preprocessor
    def record(request: Request, endpoint: str | None, values: t.Any) -> None:
        calls.append((request.path, endpoint, values))

    @app.route("/only", methods=["POST"])
    def only(request: Request) -> str:
        return ""

    assert client.get("/missing").status_code == 404
    assert client.get("/only").status_code == 405

    assert calls == [("/missing", None, None), ("/only", None, None)]


def test_preprocessors_run_for_automatic_options(app: App, client: TestClient) -> None:
    calls: list[str | None] = []

    @app.url_value_preprocessor
    def record(request: Request, endpoint: str | None, values: t.Any) -> None:
        calls.append(endpoint)

    @app.route("/x/<int:id>")
    def x(request: Request, id: int) -> str:
        return ""

    assert client.open("/x/1", method="OPTIONS").status_code == 200
    assert calls == ["x"]


def test_preprocessors_run_for_static_paths_without_sharing_defaults(
    app: App, client: TestClient
) -> None:
    @app.url_value_preprocessor
    def pop_page(request: Request, endpoint: str | None, values: t.Any) -> None:
        if values is not None:
            request.g.page = values.pop("page", None)

    @app.route("/list", defaults={"page": 1})
    @app.route("/list/<int:page>")
    def listing(request: Request) -> str:
        return f"page {request.g.page}"

    assert client.get("/list").text == "page 1"
    assert client.get("/list").text == "page 1"
    assert client.get("/list/3").text == "page 3"


def test_test_request_with_hooks_runs_the_preprocessors(app: App) -> None:
    @app.url_value_preprocessor
    def pull(request: Request, endpoint: str | None, values: t.Any) -> None:
        request.g.lang = values.pop("lang")

    @app.route("/<lang>/")
    def home(request: Request) -> str:
        return request.g.lang

    with app.test_request("/de/", run_hooks=True) as request:
        assert request.view_args == {}
        assert home(request) == "de"


def test_apps_without_preprocessors_have_no_extra_hook(app: App, client: TestClient) -> None:
    @app.route("/")
    def index(request: Request) -> str:
        return ""

    client.get("/")
    assert app.prepared is not None
    assert app.prepared.endpoints["index"].before == ()
    assert app.prepared.unmatched.before == ()


def test_preprocessors_go_through_the_registration_steps(
    app: App, client: TestClient
) -> None:
    seen: list[tuple[str, str | None]] = []

    def step(app: App, f: t.Callable[..., t.Any], target: t.Any) -> t.Callable[..., t.Any]:
        seen.append((target.role, getattr(f, "__name__", None)))
        return f

    app.registration_steps.append(step)

    @app.url_value_preprocessor
    def pre(request: Request, endpoint: str | None, values: t.Any) -> None:
        pass

    @app.url_defaults
    def defaults(request: Request, endpoint: str, values: dict[str, t.Any]) -> None:
        pass

    client.get("/")
    assert ("url_value_preprocessor", "pre") in seen
    assert ("url_defaults", "defaults") in seen


# Signatures of URL processors.


@pytest.mark.parametrize("decorator", ["url_value_preprocessor", "url_defaults"])
def test_processors_with_the_wrong_arity_are_refused(app: App, decorator: str) -> None:
    def flask_style(endpoint: t.Any, values: t.Any) -> None:
        pass

    def too_many(request: t.Any, endpoint: t.Any, values: t.Any, extra: t.Any) -> None:
        pass

    def too_few(request: t.Any) -> None:
        pass

    for f in (flask_style, too_many, too_few):
        with pytest.raises(TypeError, match=rf"Define it as: def {f.__name__}\(request, endpoint, values\)"):
            getattr(app, decorator)(f)

    assert app.url_value_preprocessors == {}
    assert app.url_default_functions == {}


def test_processors_that_fit_are_accepted(app: App) -> None:
    @app.url_value_preprocessor
    def loose(request: t.Any, *args: t.Any) -> None:
        pass

    @app.url_defaults
    def with_default(request: t.Any, endpoint: t.Any, values: t.Any, extra: int = 1) -> None:
        pass

    assert app.url_value_preprocessors == {None: [loose]}
    assert app.url_default_functions == {None: [with_default]}


def test_view_missing_a_rule_argument_without_a_preprocessor_is_told_why(app: App) -> None:
    with pytest.raises(TypeError, match="register the preprocessor before the view"):

        @app.route("/<lang>/about")
        def about(request: Request) -> str:
            return ""


def test_with_a_preprocessor_a_view_is_still_checked_for_what_it_names(app: App) -> None:
    @app.url_value_preprocessor
    def pull(request: Request, endpoint: str | None, values: t.Any) -> None:
        pass

    # Flask-style: the argument it names lands on the request's place.
    with pytest.raises(TypeError, match="multiple values for argument 'id'"):

        @app.route("/<lang>/u/<int:id>")
        def user(id: int) -> str:
            return ""

    # An argument that no rule provides.
    with pytest.raises(TypeError, match="missing a required argument: 'slug'"):

        @app.route("/<lang>/p")
        def page(request: Request, slug: str) -> str:
            return ""

    @app.route("/<lang>/ok/<int:id>")
    def ok(request: Request, id: int) -> str:
        return ""


def test_setup_after_serving_is_refused(app: App, client: TestClient) -> None:
    client.get("/")
    with pytest.raises(RuntimeError):
        app.url_value_preprocessor(lambda request, endpoint, values: None)
    with pytest.raises(RuntimeError):
        app.url_defaults(lambda request, endpoint, values: None)
