"""Mixed styles: each callable is called Flask's way or microweb's, decided from its signature."""

from __future__ import annotations

import functools
import typing as t

from microweb import App, Blueprint
from microweb import url_for as explicit_url_for
from microweb.compat import g, render_template_string, request, url_for


def test_one_app_and_one_blueprint_mix_styles(app: App, style: str) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    log: list[str] = []

    if style == "proxy":

        @bp.route("/<name>")
        def view(name):
            return render_template_string("{{ g.who }} {{ name }} {{ extra }}", name=name)

        @bp.before_request
        def before():
            g.who = request.blueprint

        @bp.after_request
        def after(response):
            response.headers["X-Style"] = "proxy"
            return response

        @bp.teardown_request
        def teardown(exc):
            log.append(f"teardown {request.path} {exc}")

        @bp.errorhandler(LookupError)
        def lookup(error):
            return f"handled {request.path}", 404

        @bp.context_processor
        def extra():
            return {"extra": url_for(".view", name="x")}

    else:

        @bp.route("/<name>")
        def view(request, name):  # type: ignore[misc]  # one of two definitions
            return render_template_string("{{ g.who }} {{ name }} {{ extra }}", name=name)

        @bp.before_request
        def before(request):  # type: ignore[misc]
            request.g.who = request.blueprint

        @bp.after_request
        def after(request, response):  # type: ignore[misc]
            response.headers["X-Style"] = "explicit"
            return response

        @bp.teardown_request
        def teardown(request, exc):  # type: ignore[misc]
            log.append(f"teardown {request.path} {exc}")

        @bp.errorhandler(LookupError)
        def lookup(request, error):  # type: ignore[misc]
            return f"handled {request.path}", 404

        @bp.context_processor
        def extra(request):  # type: ignore[misc]
            return {"extra": explicit_url_for(request, ".view", name="x")}

    @bp.route("/missing")
    def missing():
        raise LookupError

    @app.route("/other")
    def other(request):
        return f"explicit {request.path}"

    app.register_blueprint(bp)
    client = app.test_client()
    response = client.get("/bp/ann")
    assert response.text == "bp ann /bp/x"
    assert response.headers["X-Style"] == style
    assert client.get("/bp/missing").text == "handled /bp/missing"
    assert client.get("/other").text == "explicit /other"
    assert log == ["teardown /bp/ann None", "teardown /bp/missing None"]


def logged(f: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """A decorator written Flask's way: *args, **kwargs and functools.wraps."""

    @functools.wraps(f)
    def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Any:
        return f(*args, **kwargs)

    return wrapper


def test_a_functools_wraps_decorator_is_decided_by_the_function_it_wraps(app: App) -> None:
    @app.route("/flask/<name>")
    @logged
    def flask_view(name):
        return f"{request.path} {name}"

    @app.route("/explicit/<name>")
    @logged
    def explicit_view(request, name):
        return f"{request.path} {name}"

    @app.before_request
    @logged
    def hook():
        g.hooked = True

    client = app.test_client()
    assert client.get("/flask/a").text == "/flask/a a"
    assert client.get("/explicit/b").text == "/explicit/b b"


def test_a_first_parameter_with_a_default_is_not_the_request(app: App) -> None:
    @app.route("/", defaults={"page": 1})
    @app.route("/<int:page>")
    def pages(page=1):
        return f"page {page}"

    @app.route("/plain")
    def plain(word="default"):
        return word

    client = app.test_client()
    assert client.get("/").text == "page 1"
    assert client.get("/3").text == "page 3"
    assert client.get("/plain").text == "default"


def test_explicit_callables_are_not_wrapped(app: App) -> None:
    def index(request):
        return "ok"

    app.add_url_rule("/", view_func=index)
    app.freeze()
    assert app.prepared is not None
    assert app.prepared.endpoints["index"].view is index


def test_a_method_view_moves_one_method_at_a_time() -> None:
    from microweb import Request
    from microweb.compat import Flask, request
    from microweb.compat.views import MethodView

    app = Flask(__name__)

    class Item(MethodView):
        def get(self, request: Request, id: int) -> str:  # moved
            return f"get {id} {request.args['q']}"

        def post(self, id: int) -> str:  # still Flask's way
            return f"post {id} {request.form['q']}"

        def delete(self, request, id):  # moved, not annotated
            return f"delete {id} {request.method}"

    app.add_url_rule("/items/<int:id>", view_func=Item.as_view("item"))
    assert Item.explicit_methods == {"get", "delete"}
    client = app.test_client()
    assert client.get("/items/1?q=a").text == "get 1 a"
    assert client.head("/items/1?q=a").status_code == 200
    assert client.post("/items/2", data={"q": "b"}).text == "post 2 b"
    assert client.delete("/items/3").text == "delete 3 DELETE"


def test_rule_arguments_named_like_the_adapter_s_own_names() -> None:
    from microweb.compat import Flask

    app = Flask(__name__)

    @app.route("/f/<f>")
    def show_f(f: str) -> str:
        return f"f={f}"

    @app.route("/r/<request>")
    def show_r(request: str) -> str:
        return f"r={request}"

    @app.route("/m/<_mw_view>")
    def show_m(_mw_view: str) -> str:
        return f"m={_mw_view}"

    client = app.test_client()
    assert client.get("/f/x").text == "f=x"
    assert client.get("/r/y").text == "r=y"
    assert client.get("/m/z").text == "m=z"
