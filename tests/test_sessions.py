from __future__ import annotations

import datetime
import typing as t
import uuid
from http.cookies import SimpleCookie

import pytest
from itsdangerous.encoding import base64_encode
from markupsafe import Markup

from microweb import App, SessionInterface, flash, get_flashed_messages, redirect, url_for
from microweb.sessions import SecureCookieSessionInterface, Session
from microweb.testing import TestClient


@pytest.fixture
def session_app(app: App) -> App:
    @app.route("/set/<key>/<value>")
    def set_value(request, key, value):
        request.session[key] = value
        return "set"

    @app.route("/get/<key>")
    def get_value(request, key):
        return str(request.session.get(key))

    @app.route("/clear")
    def clear(request):
        request.session.clear()
        return "cleared"

    @app.route("/permanent")
    def permanent(request):
        request.session.permanent = True
        request.session["p"] = 1
        return "permanent"

    @app.route("/plain")
    def plain(request):
        return "plain"

    return app


def set_cookie_header(response: t.Any) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    return cookie


def test_session_persists_between_requests(session_app: App, client: TestClient) -> None:
    assert client.get("/get/user").text == "None"
    client.get("/set/user/ann")
    assert client.get("/get/user").text == "ann"


def test_cookie_flags_by_default(session_app: App, client: TestClient) -> None:
    response = client.get("/set/a/b")
    header = response.headers["Set-Cookie"]
    assert header.startswith("session=")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/" in header
    assert "Secure" not in header
    assert "Expires" not in header
    assert response.headers["Vary"] == "Cookie"


def test_cookie_flags_from_config(session_app: App, client: TestClient) -> None:
    session_app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
        SESSION_COOKIE_HTTPONLY=False,
    )
    header = client.get("/set/a/b").headers["Set-Cookie"]
    assert header.startswith("sid=")
    for part in ("Domain=example.com", "Path=/app", "Secure", "SameSite=Strict", "Partitioned"):
        assert part in header
    assert "HttpOnly" not in header


def test_cookie_path_follows_application_root(session_app: App, client: TestClient) -> None:
    session_app.config["APPLICATION_ROOT"] = "/root"
    assert "Path=/root" in client.get("/set/a/b").headers["Set-Cookie"]


def test_reading_sets_vary_but_no_cookie(session_app: App, client: TestClient) -> None:
    client.get("/set/a/b")
    response = client.get("/get/a")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Vary"] == "Cookie"


def test_untouched_session_sends_nothing(session_app: App, client: TestClient) -> None:
    client.get("/set/a/b")
    response = client.get("/plain")
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers


def test_permanent_session(session_app: App, client: TestClient) -> None:
    response = client.get("/permanent")
    cookie = set_cookie_header(response)["session"]
    expires = datetime.datetime.strptime(cookie["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    days = (expires - datetime.datetime.utcnow()).days
    assert 29 <= days <= 31
    again = client.get("/get/p")
    assert again.text == "1"
    assert "Set-Cookie" in again.headers  # refreshed on each request
    session_app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    assert "Set-Cookie" not in client.get("/get/p").headers


def test_clearing_deletes_the_cookie(session_app: App, client: TestClient) -> None:
    client.get("/set/a/b")
    response = client.get("/clear")
    header = response.headers["Set-Cookie"]
    assert header.startswith("session=;")
    assert "Expires=Thu, 01 Jan 1970" in header
    assert client.get("/get/a").text == "None"


def signed(app: App, data: t.Any, key: str = "test key") -> str:
    app.config["SECRET_KEY"] = key
    interface = SecureCookieSessionInterface()
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None
    return serializer.dumps(data)


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "!!!",
        "a.b.c",
        "",
        "x" * 3000,
    ],
    ids=["garbage", "punctuation", "three-parts", "empty", "long"],
)
def test_bad_cookies_give_an_empty_session(session_app: App, client: TestClient, value: str) -> None:
    client.set_cookie("session", value)
    response = client.get("/get/user")
    assert (response.status_code, response.text) == (200, "None")


def test_tampered_and_truncated_cookies(session_app: App, client: TestClient) -> None:
    good = signed(session_app, {"user": "ann"})
    client.set_cookie("session", good)
    assert client.get("/get/user").text == "ann"
    tampered = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    for bad in (tampered, good[:-5], good.replace("ey", "eZ", 1)):
        client.set_cookie("session", bad)
        assert client.get("/get/user").text == "None"


def test_signed_garbage_gives_an_empty_session(session_app: App, client: TestClient) -> None:
    serializer = SecureCookieSessionInterface().get_signing_serializer(session_app)
    assert serializer is not None
    signer = serializer.make_signer(serializer.salt)
    payloads = [
        base64_encode(p.encode())
        for p in ("not json {", '["a", "list"]', '{" b": "not base64!"}', '{" u": 5}')
    ]
    for payload in (*payloads, b"\x9e not base64"):
        client.set_cookie("session", signer.sign(payload).decode("latin1"))
        response = client.get("/get/user")
        assert (response.status_code, response.text) == (200, "None")


def test_expired_cookie(session_app: App, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    session_app.config["PERMANENT_SESSION_LIFETIME"] = datetime.timedelta(seconds=60)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 3600)
    old = signed(session_app, {"user": "ann"})
    monkeypatch.setattr(time, "time", real_time)
    client.set_cookie("session", old)
    assert client.get("/get/user").text == "None"


def test_key_rotation(session_app: App, client: TestClient) -> None:
    old = signed(session_app, {"user": "ann"}, key="old key")
    session_app.config.update(SECRET_KEY="new key", SECRET_KEY_FALLBACKS=["old key"])
    client.set_cookie("session", old)
    assert client.get("/get/user").text == "ann"
    response = client.get("/set/x/y")
    new_value = set_cookie_header(response)["session"].value
    session_app.config["SECRET_KEY_FALLBACKS"] = None
    client.set_cookie("session", new_value)
    assert client.get("/get/user").text == "ann"
    client.set_cookie("session", signed(session_app, {"user": "eve"}, key="unknown"))
    session_app.config["SECRET_KEY"] = "new key"
    assert client.get("/get/user").text == "None"


def test_values_round_trip(app: App, client: TestClient) -> None:
    when = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
    values = {
        "tuple": (1, "a"),
        "bytes": b"\x00\xff",
        "when": when,
        "id": uuid.UUID(int=7),
        "markup": Markup("<b>x</b>"),
        "nested": {"list": [1, {"t": (2,)}]},
        "tag_like": {" t": "a dict that looks like a tag"},
    }

    @app.route("/put")
    def put(request):
        request.session.update(values)
        return ""

    @app.route("/check")
    def check(request):
        return str(all(request.session[k] == v and type(request.session[k]) is type(v) for k, v in values.items()))

    client.get("/put")
    assert client.get("/check").text == "True"


def test_no_secret_key(app: App, client: TestClient) -> None:
    app.config["SECRET_KEY"] = None

    @app.route("/read")
    def read(request):
        return str(request.session.get("x"))

    @app.route("/write")
    def write(request):
        request.session["x"] = 1
        return ""

    assert client.get("/read").text == "None"
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        client.get("/write")


def test_custom_session_interface(app: App, client: TestClient) -> None:
    store: dict[str, dict[str, t.Any]] = {}

    class ServerSide(SessionInterface):
        def open_session(self, app, request):
            sid = request.cookies.get("sid")
            session = Session(store.get(sid, {}))
            session.sid = sid or uuid.uuid4().hex  # type: ignore[attr-defined]
            return session

        def save_session(self, app, session, response):
            if session.modified:
                store[session.sid] = dict(session)
                response.set_cookie("sid", session.sid, httponly=True)

    app.session_interface = ServerSide()

    @app.route("/login")
    def login(request):
        request.session["user"] = "ann"
        return ""

    @app.route("/me")
    def me(request):
        return str(request.session.get("user"))

    response = client.get("/login")
    assert response.headers["Set-Cookie"].startswith("sid=")
    assert "ann" not in response.headers["Set-Cookie"]
    assert list(store.values()) == [{"user": "ann"}]
    assert client.get("/me").text == "ann"


def test_flash_across_a_redirect(app: App, client: TestClient) -> None:
    @app.route("/save")
    def save(request):
        flash(request, "Saved.")
        flash(request, "Careful.", "warning")
        return redirect(url_for(request, "show"))

    @app.route("/show")
    def show(request):
        return {
            "all": get_flashed_messages(request),
            "again": get_flashed_messages(request, with_categories=True),
            "warnings": get_flashed_messages(request, category_filter=["warning"]),
        }

    assert client.get("/save", follow_redirects=True).json == {
        "all": ["Saved.", "Careful."],
        "again": [["message", "Saved."], ["warning", "Careful."]],
        "warnings": ["Careful."],
    }
    assert client.get("/show").json == {"all": [], "again": [], "warnings": []}


def test_keys_that_are_not_strings(session_app: App, client: TestClient) -> None:
    @session_app.route("/numbers")
    def numbers(request):
        request.session["v"] = {1: "one", 2: {3: "three"}}
        return "set"

    @session_app.route("/show")
    def show(request):
        return repr(request.session["v"])

    assert client.get("/numbers").status_code == 200
    # As JSON keeps them, and as Flask's sessions do: strings.
    assert client.get("/show").text == "{'1': 'one', '2': {'3': 'three'}}"


@pytest.mark.parametrize(
    "payload",
    [{" di": [[1, 2]]}, {" di": [["a"]]}, {" di": "x"}, {" t": 5}, {" b": "!!"}],
    ids=["int-key", "short-pair", "not-pairs", "not-a-list", "bad-base64"],
)
def test_signed_but_malformed_tags_give_an_empty_session(
    session_app: App, client: TestClient, payload: t.Any
) -> None:
    # Signed with the app's key, so only someone holding it could send
    # these; still a fresh session, never a 500.
    import hashlib

    from itsdangerous import URLSafeTimedSerializer

    session_app.config["SECRET_KEY"] = "test key"
    serializer = URLSafeTimedSerializer(
        "test key",
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha256},
    )
    client.set_cookie("session", serializer.dumps({"user": payload}))
    response = client.get("/set/a/1")
    assert response.status_code == 200
    assert client.get("/get/user").text == "None"
    assert client.get("/get/a").text == "1"


def test_an_after_hook_may_use_the_session_alone() -> None:
    # The view never touches the session; an after-hook writes it, another
    # reads it into a header: it is saved, and the answer varies by cookie.
    app = App(__name__)
    app.config["SECRET_KEY"] = "after-hook key"
    app.route("/")(lambda request: "hello")

    @app.after_request
    def count(request, response):
        request.session["visits"] = request.session.get("visits", 0) + 1
        return response

    @app.after_request
    def show(request, response):
        response.headers["X-Visits"] = str(request.session.get("visits", 0))
        return response

    client = app.test_client()
    for visit in (1, 2, 3):
        answer = client.get("/")
        assert answer.headers["X-Visits"] == str(visit - 1)  # show runs first
        assert answer.headers["Vary"] == "Cookie"
        assert "session=" in answer.headers["Set-Cookie"]
    assert client.get("/").headers["X-Visits"] == "3"


def test_an_after_hook_that_only_reads_the_session_varies_the_answer() -> None:
    app = App(__name__)
    app.config["SECRET_KEY"] = "after-hook key"
    app.route("/")(lambda request: "hello")

    @app.after_request
    def user_header(request, response):
        response.headers["X-User"] = request.session.get("user", "nobody")
        return response

    answer = app.test_client().get("/")
    assert answer.headers["X-User"] == "nobody"
    assert answer.headers["Vary"] == "Cookie"
    assert "Set-Cookie" not in answer.headers


def test_one_fallback_key_given_as_a_str_is_one_key() -> None:
    # SECRET_KEY_FALLBACKS = "old secret" (a str, not a list) must not make
    # every one of its characters a key that signs sessions.
    app = App(__name__)
    app.config["SECRET_KEY"] = "new secret"

    @app.route("/")
    def who(request):
        return request.session.get("user", "nobody")

    def cookie_signed_with(key: str) -> str:
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = key, None
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        assert serializer is not None
        value = serializer.dumps({"user": "admin"})
        app.config["SECRET_KEY"], app.config["SECRET_KEY_FALLBACKS"] = "new secret", "old secret"
        return value

    forged = cookie_signed_with("o")
    old = cookie_signed_with("old secret")
    client = app.test_client()
    client.set_cookie("session", forged)
    assert client.get("/").text == "nobody"
    client.set_cookie("session", old)
    assert client.get("/").text == "admin"
