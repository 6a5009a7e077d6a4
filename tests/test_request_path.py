"""The request path stays short: every new Python call on it is deliberate.

If one of these budgets fails, a change added hops to the hot path. Look at
the printed call list; if the new hop is worth it, raise the budget in the
same commit and say why.
"""

from __future__ import annotations

import sys
import typing as t

from werkzeug.test import create_environ

from microweb import App, Response


def calls_for_one_request(app: App, path: str, **options: t.Any) -> list[str]:
    """The Python calls of one request, after a first one froze the app.

    :param options: For werkzeug's ``create_environ``: ``method``, ``data``...
    """
    calls: list[str] = []

    def profile(frame: t.Any, event: str, arg: t.Any) -> None:
        if event == "call":
            code = frame.f_code
            calls.append(f"{code.co_filename.rsplit('/', 2)[-2:]}:{code.co_name}")

    def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> None:
        pass

    b"".join(app(create_environ(path, **options), start_response))  # freezes the app
    environ = create_environ(path, **options)
    sys.setprofile(profile)
    try:
        body = app(environ, start_response)
        b"".join(body)
    finally:
        sys.setprofile(None)
    print("\n".join(calls))
    return calls


def hello_app() -> App:
    app = App("hello")

    @app.route("/")
    def index(request):
        return "Hello!"

    @app.route("/hello/<name>")
    def hello(request, name):
        return f"Hello, {name}!"

    return app


def test_static_route_budget() -> None:
    # __call__, wsgi_app, Request.__init__, dispatch, router.route, the
    # view, start_response.
    assert len(calls_for_one_request(hello_app(), "/")) <= 7


def test_dynamic_route_budget() -> None:
    # The above plus the compiled matcher: match_compiled and two steps of
    # its search (werkzeug's adapter and state machine took 16 calls).
    assert len(calls_for_one_request(hello_app(), "/hello/world")) <= 10


def api_app() -> App:
    app = App("api")

    @app.route("/users/<int:id>")
    def user(request, id):
        return {"id": id, "fields": request.args.get("fields")}

    @app.route("/text")
    def text(request):
        return Response("Hello, World!", mimetype="text/plain")

    @app.route("/form", methods=["POST"])
    def form(request):
        return f"{request.form['name']} from {request.form['city']}"

    return app


def test_json_budget() -> None:
    # The dynamic route, then request.args (the lazy attribute, its
    # parser) and MultiDict.get (two calls), json.dumps, and a simple
    # Response made and sent without a Headers object. Was 100.
    assert len(calls_for_one_request(api_app(), "/users/42?fields=name")) <= 18


def test_response_budget() -> None:
    # A view's own Response("...", mimetype=...): its __init__ and its
    # __call__, and nothing of werkzeug's. Was 61.
    assert len(calls_for_one_request(api_app(), "/text")) <= 9


def test_urlencoded_form_budget() -> None:
    # request.form: the lazy attribute, its getter, the loading, the
    # reading (the limits read from the config, not two properties) and
    # the parser, which decodes all the escapes in one C call; each
    # request.form[name] is then the dict's own lookup, in C (no
    # MultiDict.__getitem__). Was about 110, then 17.
    data = {"name": "Ann Smith", "city": "Z\u00fcrich & Basel", "email": "ann@example.org"}
    calls = calls_for_one_request(api_app(), "/form", method="POST", data=data)
    assert len(calls) <= 12


def proxy_hello_app() -> App:
    # The same hello, written Flask's way, in an app with proxies on.
    app = App("hello", proxies=True)

    @app.route("/")
    def index():
        return "Hello!"

    @app.route("/hello/<name>")
    def hello(name):
        return f"Hello, {name}!"

    return app


def test_the_proxy_style_costs_at_most_one_call() -> None:
    # The adapter that calls a view without the request: the app binds the
    # request in its own wsgi_app, with C calls (ContextVar.set and reset).
    for path in ("/", "/hello/world"):
        explicit = calls_for_one_request(hello_app(), path)
        proxy = calls_for_one_request(proxy_hello_app(), path)
        assert len(proxy) <= len(explicit) + 1, path


def test_session_budget() -> None:
    # A session read from its cookie and written back: opening it (the
    # Cookie header parsed by werkzeug's parse_cookie, 7 calls; the kept
    # signer, the JSON), the
    # view's get and set, and saving it (Vary, the kept signer, the JSON,
    # the check that zlib cannot shrink it, the expiry, the cookie's kept
    # attributes); the standard library's HMAC object costs four calls a
    # signature (copy, update, digest). Was 288.
    from microweb.sessions import SecureCookieSessionInterface

    app = App("session")
    app.config["SECRET_KEY"] = "budget key"

    @app.route("/count")
    def count(request):
        n = request.session.get("count", 0) + 1
        request.session["count"] = n
        return f"count {n}"

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    cookie = f"session={serializer.dumps({'count': 41})}"
    calls = calls_for_one_request(app, "/count", headers={"Cookie": cookie})
    assert len(calls) <= 58


def test_hooks_budget() -> None:
    # Three before-hooks sharing request.g (made once: two calls), a view
    # returning a str, and two after-hooks each setting a header. The str
    # becomes a Response (one call, no make_response); reading its headers
    # makes them (one call); each header set is one call; the response,
    # simple, is sent without werkzeug's get_wsgi_response: __call__ only.
    # Was 73.
    app = App("hooks")

    @app.before_request
    def before_1(request):
        request.g.trace = ["before-1"]

    @app.before_request
    def before_2(request):
        request.g.trace.append("before-2")

    @app.before_request
    def before_3(request):
        request.g.trace.append("before-3")

    @app.after_request
    def after_2(request, response):
        response.headers["X-Hook-2"] = "two"
        return response

    @app.after_request
    def after_1(request, response):
        response.headers["X-Hook-1"] = "one"
        return response

    @app.route("/hooks")
    def view(request):
        return ",".join(request.g.trace)

    calls = calls_for_one_request(app, "/hooks")
    assert len(calls) <= 19
