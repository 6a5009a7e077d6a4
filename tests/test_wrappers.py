from __future__ import annotations

import random
import runpy
import typing as t
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import werkzeug.urls  # noqa: F401  # registers the "werkzeug.url_quote" error handler
from werkzeug.test import create_environ
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from microweb import App, Blueprint, Request, RequestGlobals, Response
from microweb.testing import TestClient


def test_request_carries_app_and_routing_state(app: App, client: TestClient) -> None:
    parent = Blueprint("parent", __name__, url_prefix="/p")
    child = Blueprint("child", __name__, url_prefix="/c")

    def describe(request):
        return {
            "app": request.app is app,
            "is_request": isinstance(request, Request),
            "endpoint": request.endpoint,
            "blueprint": request.blueprint,
            "blueprints": list(request.blueprints),
        }

    app.add_url_rule("/", "top", describe)
    parent.add_url_rule("/", "view", describe)
    child.add_url_rule("/", "view", describe)
    parent.register_blueprint(child)
    app.register_blueprint(parent)

    assert client.get("/").json == {
        "app": True,
        "is_request": True,
        "endpoint": "top",
        "blueprint": None,
        "blueprints": [],
    }
    assert client.get("/p/").json["blueprint"] == "parent"
    nested = client.get("/p/c/").json
    assert nested["endpoint"] == "parent.child.view"
    assert nested["blueprint"] == "parent.child"
    assert nested["blueprints"] == ["parent.child", "parent"]


def test_werkzeug_request_data(app: App, client: TestClient) -> None:
    @app.route("/data/<item>", methods=["GET", "POST"])
    def data(request, item):
        return {
            "args": request.args.to_dict(),
            "form": request.form.to_dict(),
            "header": request.headers.get("X-Thing"),
            "cookie": request.cookies.get("flavour"),
            "path": request.path,
            "full_path": request.full_path,
            "method": request.method,
            "url": request.url,
            "host": request.host,
            "root_path": request.root_path,
            "scheme": request.scheme,
            "remote_addr": request.remote_addr,
            "view_args": request.view_args,
        }

    client.set_cookie("flavour", "oat", domain="example.org")
    rv = client.post(
        "/data/é?q=1",
        data={"name": "ann"},
        headers={"X-Thing": "yes"},
        base_url="https://example.org/root",
    ).json
    assert rv == {
        "args": {"q": "1"},
        "form": {"name": "ann"},
        "header": "yes",
        "cookie": "oat",
        "path": "/data/é",
        "full_path": "/data/é?q=1",
        "method": "POST",
        "url": "https://example.org/root/data/é?q=1",
        "host": "example.org",
        "root_path": "/root",
        "scheme": "https",
        "remote_addr": "127.0.0.1",
        "view_args": {"item": "é"},
    }


def test_get_json(app: App, client: TestClient) -> None:
    @app.post("/")
    def echo(request):
        return {"got": request.get_json()}

    @app.post("/silent")
    def silent(request):
        return {"got": request.get_json(silent=True)}

    assert client.post("/", json={"a": [1, 2]}).json == {"got": {"a": [1, 2]}}
    bad = client.post("/", data="{not json", content_type="application/json")
    assert bad.status_code == 400
    assert "JSON" in bad.text
    wrong_type = client.post("/", data='{"a": 1}', content_type="text/plain")
    assert wrong_type.status_code == 415
    assert "application/json" in wrong_type.text
    assert client.post("/silent", data="{x", content_type="application/json").json == {
        "got": None
    }


def test_g_is_created_per_request(app: App) -> None:
    first = app.test_request("/")
    second = app.test_request("/")
    first.g.user = "ann"
    assert not hasattr(second.g, "user")
    assert first.g is first.g


def test_g_is_a_namespace_with_dict_methods(app: App) -> None:
    g = app.test_request("/").g
    assert isinstance(g, RequestGlobals)
    g.user = "ann"
    assert g.user == "ann"
    assert g.get("user") == "ann"
    assert g.get("missing") is None
    assert g.get("missing", 0) == 0
    assert "user" in g
    assert "missing" not in g
    assert g.setdefault("visits", 1) == 1
    assert g.setdefault("visits", 2) == 1
    assert list(g) == ["user", "visits"]
    assert repr(g) == "RequestGlobals(user='ann', visits=1)"
    assert g.pop("visits") == 1
    assert g.pop("visits", None) is None
    with pytest.raises(KeyError):
        g.pop("visits")
    with pytest.raises(AttributeError):
        g.visits
    del g.user
    assert list(g) == []
    assert repr(g) == "RequestGlobals()"


def test_g_carries_what_a_hook_sets_to_the_view(app: App, client: TestClient) -> None:
    @app.before_request
    def load(request):
        if "user" in request.args:
            request.g.user = request.args["user"]

    @app.route("/")
    def index(request):
        return {"user": request.g.get("user", "nobody"), "names": list(request.g)}

    assert client.get("/?user=ann").json == {"user": "ann", "names": ["user"]}
    assert client.get("/").json == {"user": "nobody", "names": []}


def test_an_app_types_its_own_g() -> None:
    # The example in docs/typing.rst, which mypy also checks.
    example = runpy.run_path(str(Path(__file__).parent / "type_check" / "typed_g.py"))
    app: App = example["app"]
    client = app.test_client()
    assert client.get("/?user=ann").text == "Hello, ann!"
    assert client.get("/").text == "Hello, stranger!"
    request = app.test_request("/")
    assert isinstance(request, example["AppRequest"])
    assert isinstance(request.g, example["AppGlobals"])
    assert request.g.user is None
    assert "user" not in request.g


def test_lazy_attributes_are_computed_from_the_environ(app: App) -> None:
    request = app.test_request(
        "/a%20b?x=1", headers={"Host": "example.com:8080"}, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert request.path == "/a b"
    assert request.query_string == b"x=1"
    assert request.server == ("localhost", 80)
    assert request.host == "example.com:8080"
    assert request.remote_addr == "10.0.0.1"
    assert request.scheme == "http"
    assert request.root_path == ""


def test_response_defaults_to_html() -> None:
    response = Response("x")
    assert response.mimetype == "text/html"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


# The lean Response and the lean parsers answer as werkzeug's do.


def test_a_simple_response_makes_its_headers_when_read() -> None:
    response = Response("Hello, é", mimetype="text/plain")
    assert response.status == "200 OK"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Length"] == str(len("Hello, é".encode()))
    response.headers["X-Extra"] = "1"
    assert list(response.headers) == [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", "9"),
        ("X-Extra", "1"),
    ]
    assert Response(b"x").content_type == "text/html; charset=utf-8"
    assert Response("{}", mimetype="application/json").mimetype == "application/json"


class WerkzeugHTMLResponse(WerkzeugResponse):
    """werkzeug's own response, with microweb's default mimetype."""

    default_mimetype = "text/html"


def sent(response: Response, method: str = "GET") -> tuple[str, list[tuple[str, str]], bytes]:
    started: list[t.Any] = []
    environ = create_environ("/", method=method)
    body = b"".join(response(environ, lambda status, headers, exc_info=None: started.append((status, headers))))
    return started[0][0], started[0][1], body


def test_a_simple_response_sends_what_werkzeugs_sends() -> None:
    cases: list[t.Callable[[type[t.Any]], t.Any]] = [
        lambda cls: cls("Hello"),
        lambda cls: cls("Hello", mimetype="text/plain"),
        lambda cls: cls(b"\x00\x01", mimetype="application/octet-stream"),
        lambda cls: cls("Created", status=201),
        lambda cls: cls("Gone", status="410 GONE"),
        lambda cls: cls("", status=204),
        lambda cls: cls("Not modified", status=304),
        lambda cls: cls("Early", status=103),
        lambda cls: cls("Hello", headers={"X-A": "1"}),
        lambda cls: cls("Hello", content_type="text/x-custom"),
    ]
    for make in cases:
        for method in ("GET", "HEAD"):
            assert sent(make(Response), method) == sent(make(WerkzeugHTMLResponse), method)


def test_a_simple_response_changed_after_it_was_made() -> None:
    def changes(response: t.Any) -> t.Any:
        response.status_code = 404
        response.set_data("Changed body")
        response.headers["X-Set"] = "yes"
        return response

    assert sent(changes(Response("Hello"))) == sent(changes(WerkzeugHTMLResponse("Hello")))
    closed: list[str] = []
    response = Response("Hello")
    response.call_on_close(lambda: closed.append("closed"))
    body = response(create_environ("/"), lambda *args: None)
    assert b"".join(body) == b"Hello"
    body.close()  # type: ignore[attr-defined]  # werkzeug's ClosingIterator
    assert closed == ["closed"]


def test_a_response_subclass_that_changes_sending_is_used() -> None:
    class Stamped(Response):
        def get_wsgi_headers(self, environ: t.Any) -> t.Any:
            headers = super().get_wsgi_headers(environ)
            headers["X-Stamp"] = "1"
            return headers

    status, headers, body = sent(Stamped("Hello"))
    assert ("X-Stamp", "1") in headers and body == b"Hello"


QUERY_ALPHABET = [
    "a", "b", "=", "&", "+", "%", "2", "Z", "\u00e9", "\u20ac", " ", ";", "\\",
    "%C3", "%BC", "%26", "%3D", "%2B", "%FF", "%E2%82", "%AC", "%0", "%%", "%5C", "%41",
]


def test_args_and_forms_parse_as_werkzeug_parses() -> None:
    app = App("parsing")

    @app.route("/", methods=["GET", "POST"])
    def echo(request):
        return {"args": list(request.args.items(multi=True)), "form": list(request.form.items(multi=True))}

    client = app.test_client()
    rng = random.Random(10)
    for _ in range(400):
        text = "".join(rng.choice(QUERY_ALPHABET) for _ in range(rng.randint(0, 10)))
        expected = [list(pair) for pair in parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")]
        answer = client.post(
            "/",
            query_string=text,
            data=text.encode(),
            content_type="application/x-www-form-urlencoded",
        ).json
        assert answer == {"args": expected, "form": expected}, text


#: ASCII pieces of pairs with distinct names: the forms parse_flat reads.
FLAT_PIECES = ["\\", "\\x41", "\\\\", "+", "%41", "%5C", "%2", "%%", "a", "Z", ";", "'", '"', "%26"]


def test_ascii_forms_with_distinct_names_parse_as_werkzeug_parses() -> None:
    # The flat path (one C pass over the body) must give what werkzeug
    # gives too, backslashes (which its codec reads as escapes) included,
    # with and without a % elsewhere in the body.
    app = App("flat")

    @app.route("/", methods=["POST"])
    def echo(request):
        return list(request.form.items(multi=True))

    client = app.test_client()
    rng = random.Random(11)
    for _ in range(400):
        pairs = [
            f"n{i}=" + "".join(rng.choice(FLAT_PIECES) for _ in range(rng.randint(0, 4)))
            for i in range(rng.randint(1, 4))
        ]
        text = "&".join(pairs)
        expected = [list(pair) for pair in parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")]
        answer = client.post("/", data=text.encode(), content_type="application/x-www-form-urlencoded")
        assert answer.json == expected, text


def test_a_form_read_after_get_data_parses_the_cached_body() -> None:
    app = App("cached")

    @app.route("/", methods=["POST"])
    def both(request):
        raw = request.get_data()
        return {"raw": raw.decode(), "form": request.form.to_dict()}

    answer = app.test_client().post("/", data={"a": "1", "b": "x y"}).json
    assert answer == {"raw": "a=1&b=x+y", "form": {"a": "1", "b": "x y"}}


def test_a_urlencoded_body_that_is_not_utf8_is_a_400() -> None:
    app = App("latin")

    @app.route("/", methods=["POST"])
    def form(request):
        return dict(request.form)

    response = app.test_client().post(
        "/", data=b"name=Z\xfcrich", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_headers_assigned_whole_are_the_ones_sent() -> None:
    from werkzeug.datastructures import Headers

    from microweb import Response

    response = Response("hi")
    response.headers = Headers([("X-A", "1")])
    sent: list[tuple[str, list[tuple[str, str]]]] = []
    body = response({"REQUEST_METHOD": "GET"}, lambda status, headers, exc_info=None: sent.append((status, headers)))
    assert b"".join(body) == b"hi"
    assert sent == [("200 OK", [("X-A", "1"), ("Content-Length", "2")])]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # werkzeug 3.1 deprecates the class
def test_an_ordered_storage_class_keeps_the_order_across_names() -> None:
    from werkzeug.datastructures import ImmutableOrderedMultiDict

    from microweb import App, Request

    class OrderedRequest(Request):
        parameter_storage_class = ImmutableOrderedMultiDict

    app = App(__name__)
    app.request_class = OrderedRequest

    @app.post("/")
    def both(request):
        return f"{list(request.args.items(multi=True))} {list(request.form.items(multi=True))}"

    text = app.test_client().post(
        "/?a=1&b=2&a=3", data="x=1&y=2&x=3", content_type="application/x-www-form-urlencoded"
    ).text
    assert text == (
        "[('a', '1'), ('b', '2'), ('a', '3')] [('x', '1'), ('y', '2'), ('x', '3')]"
    )


def test_a_parsed_form_behaves_as_werkzeugs_multidict() -> None:
    import copy
    import pickle

    from werkzeug.datastructures import ImmutableMultiDict, MultiDict

    app = App("multidict")
    seen: dict[str, t.Any] = {}

    @app.post("/")
    def view(request):
        seen["form"] = request.form
        seen["args"] = request.args
        return request.form["a"]

    body = "a=1&b=x+y&a=2&c=%C3%BC"
    response = app.test_client().post("/?a=1&b=x+y&a=2&c=%C3%BC", data=body, content_type="application/x-www-form-urlencoded")
    assert response.text == "1"
    expected = ImmutableMultiDict([("a", "1"), ("b", "x y"), ("a", "2"), ("c", "\u00fc")])
    for form in (seen["form"], seen["args"]):
        assert isinstance(form, ImmutableMultiDict)
        assert form == expected and expected == form and not form != expected
        assert form["a"] == "1" and form.get("a") == "1" and form.get("a", type=int) == 1
        assert form.get("b", type=int) is None and form.get("z", "none") == "none"
        assert form.getlist("a") == ["1", "2"] and form.getlist("a", type=int) == [1, 2]
        assert form.getlist("b") == ["x y"] and form.getlist("z") == []
        assert list(form.items()) == list(expected.items())
        assert list(form.items(multi=True)) == list(expected.items(multi=True))
        assert list(form.lists()) == list(expected.lists())
        assert list(form.values()) == list(expected.values())
        assert list(form.listvalues()) == list(expected.listvalues())
        assert list(form) == ["a", "b", "c"] and len(form) == 3 and "c" in form
        assert form.to_dict() == {"a": "1", "b": "x y", "c": "\u00fc"}
        assert form.to_dict(flat=False) == {"a": ["1", "2"], "b": ["x y"], "c": ["\u00fc"]}
        assert dict(form) == expected.to_dict() and repr(form).endswith(repr(list(expected.items(multi=True))) + ")")
        assert hash(form) == hash(expected)
        assert pickle.loads(pickle.dumps(form)) == expected
        assert copy.deepcopy(form) == expected and copy.copy(form) is form
        copied = form.copy()
        assert type(copied) is MultiDict and copied == expected
        with pytest.raises(KeyError):
            form["z"]
        with pytest.raises(TypeError):
            form["a"] = "3"  # type: ignore[index]  # refused, as the test says
        with pytest.raises(TypeError):
            form.add("a", "3")


def test_a_missing_form_field_is_a_400() -> None:
    app = App("missing")

    @app.post("/")
    def view(request):
        return request.form["missing"]

    response = app.test_client().post("/", data={"a": "1"})
    assert response.status_code == 400
    assert app.test_client().post("/", data={"missing": "here"}).text == "here"


def test_a_parsed_form_leaves_no_files_and_the_stream_read() -> None:
    app = App("files")

    @app.post("/")
    def view(request):
        fields = request.form.to_dict()
        return {"form": fields, "files": len(request.files), "rest": request.stream.read().decode()}

    assert app.test_client().post("/", data={"a": "1", "b": "2"}).json == {
        "form": {"a": "1", "b": "2"},
        "files": 0,
        "rest": "",
    }


def test_a_form_with_distinct_names_behaves_as_werkzeugs_multidict() -> None:
    import copy
    import pickle

    from werkzeug.datastructures import ImmutableMultiDict, MultiDict

    app = App("distinct")
    seen: dict[str, t.Any] = {}

    @app.post("/")
    def view(request):
        seen["form"] = request.form
        return request.form["c"]

    body = "a=1&b=x+y&c=%C3%BC&d=%26%3D&e="
    response = app.test_client().post("/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.text == "\u00fc"
    form = seen["form"]
    expected = ImmutableMultiDict([("a", "1"), ("b", "x y"), ("c", "\u00fc"), ("d", "&="), ("e", "")])
    assert isinstance(form, ImmutableMultiDict)
    assert form == expected and expected == form and not form != expected
    assert form.get("a", type=int) == 1 and form.get("b", type=int) is None and form.get("z") is None
    assert form.getlist("a") == ["1"] and form.getlist("a", type=int) == [1] and form.getlist("z") == []
    assert list(form.items()) == list(expected.items())
    assert list(form.items(multi=True)) == list(expected.items(multi=True))
    assert list(form.lists()) == list(expected.lists())
    assert list(form.values()) == list(expected.values())
    assert list(form.listvalues()) == list(expected.listvalues())
    assert form.to_dict(flat=False) == expected.to_dict(flat=False) and dict(form) == expected.to_dict()
    assert repr(form).endswith(repr(list(expected.items(multi=True))) + ")")
    assert hash(form) == hash(expected)
    assert copy.copy(form) is form and type(form.copy()) is MultiDict and form.copy() == expected
    # Rebuilt from pairs with a name twice, it keeps every value.
    twice = [("a", "1"), ("b", "2"), ("a", "3")]
    for rebuilt in (type(form)(twice), pickle.loads(pickle.dumps(type(form)(twice))), copy.deepcopy(type(form)(twice))):
        assert rebuilt["a"] == "1" and rebuilt.getlist("a") == ["1", "3"]
        assert list(rebuilt.items(multi=True)) == [("a", "1"), ("a", "3"), ("b", "2")]
        assert rebuilt == ImmutableMultiDict(twice)
    with pytest.raises(KeyError):
        form["z"]
    with pytest.raises(TypeError):
        form["a"] = "3"  # type: ignore[index]  # refused, as the test says


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "a=1",
        "a=1; b=2; a=3",
        'quoted="x\\"y"; plain=z',
        "no-equals; =empty-name; c=",
        "caf\u00e9=cr\u00e8me",
        "a=1;;; ;b=2",
    ],
)
def test_cookies_are_werkzeugs(header: str | None) -> None:
    # request.cookies reads the Cookie header straight from the environ;
    # what it gives is what werkzeug's Request gives.
    app = App(__name__)
    headers = {} if header is None else {"Cookie": header.encode("utf-8").decode("latin-1")}
    environ = create_environ("/", headers=headers)
    ours = Request(environ, app).cookies
    theirs = WerkzeugRequest(create_environ("/", headers=headers)).cookies
    assert list(ours.items(multi=True)) == list(theirs.items(multi=True))
    assert type(ours) is type(theirs)
