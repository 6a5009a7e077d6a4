"""The session cookie is the one itsdangerous and werkzeug would write, byte for byte.

microweb signs and writes the cookie itself (keys derived once, the
attributes after the value kept); these tests hold it to what
``get_signing_serializer(app).dumps`` and ``werkzeug.http.dump_cookie``
give for the same data at the same second.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import time
import typing as t
import uuid

import pytest
from markupsafe import Markup
from werkzeug.http import dump_cookie

from microweb import App, Response
from microweb.sessions import SecureCookieSessionInterface
from microweb.testing import TestClient

NOW = 1_700_000_000.25


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "time", lambda: NOW)


def store_app(app: App) -> App:
    """An app whose view stores the JSON-ish value the test puts in ``app.config``."""

    @app.route("/store")
    def store(request):
        request.session.update(app.config["STORE"])
        return "stored"

    @app.route("/read")
    def read(request):
        return repr(sorted(request.session.items()))

    return app


def expected_cookie(app: App, data: dict[str, t.Any], **options: t.Any) -> str:
    interface = SecureCookieSessionInterface()
    serializer = interface.get_signing_serializer(app)
    assert serializer is not None
    defaults: dict[str, t.Any] = {"httponly": True, "path": "/", "samesite": "Lax"}
    return dump_cookie("session", serializer.dumps(data), **{**defaults, **options})


SESSIONS = [
    {"count": 1},
    {"count": 1001},
    {"a": 1, "b": 2},
    {"n": None, "t": True, "f": 1.5, "s": "caf\u00e9"},
    {"nested": {"list": [1, 2, {"x": "y"}], "empty": {}}},
    {"user": "ann", "roles": ["admin", "editor", "viewer"]},
    # Compressible: itsdangerous writes these zlib-compressed.
    {"aaaa": "a" * 40},
    {"token": "ab" * 200},
    {"k": "0123456789abcdef" * 4},
    # Tagged values.
    {"t": (1, 2)},
    {"b": b"\x00\xff"},
    {"m": Markup("<b>x</b>")},
    {"u": uuid.UUID(int=7)},
    {"d": datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)},
    {"tag-like": {" t": 1}},
    {"list": [{" x": 2}]},
]


@pytest.mark.parametrize("data", SESSIONS, ids=range(len(SESSIONS)))
def test_cookie_is_what_itsdangerous_writes(
    app: App, client: TestClient, frozen: None, data: dict[str, t.Any]
) -> None:
    store_app(app).config["STORE"] = data
    response = client.get("/store")
    assert response.headers.getlist("Set-Cookie") == [expected_cookie(app, data)]
    assert response.headers.getlist("Vary") == ["Cookie"]
    assert client.get("/read").text == repr(sorted(data.items()))


def test_small_payloads_compress_as_itsdangerous_decides(
    app: App, client: TestClient, frozen: None
) -> None:
    # Short values around the sizes where compression starts to pay.
    store_app(app)
    for value in ("", "x", "xy", "xyz" * 3, "abcabcabc", "aaaaaaaaaaaa", "qwertyuiopasdfgh"):
        for key in ("k", "key", "a-long-key"):
            app.config["STORE"] = {key: value}
            client.delete_cookie("session")
            response = client.get("/store")
            assert response.headers["Set-Cookie"] == expected_cookie(app, {key: value}), value


def test_sha1_interface_writes_what_itsdangerous_writes(
    app: App, client: TestClient, frozen: None
) -> None:
    app.session_interface = SecureCookieSessionInterface(accept_sha1=True)
    store_app(app).config["STORE"] = {"user": "ann"}
    response = client.get("/store")
    assert response.headers["Set-Cookie"] == expected_cookie(app, {"user": "ann"})


@pytest.mark.parametrize(
    ("config", "options"),
    [
        ({"SESSION_COOKIE_DOMAIN": "example.org"}, {"domain": "example.org"}),
        ({"SESSION_COOKIE_SECURE": True}, {"secure": True}),
        ({"SESSION_COOKIE_HTTPONLY": False}, {"httponly": False}),
        ({"SESSION_COOKIE_SAMESITE": "lax"}, {"samesite": "lax"}),
        ({"SESSION_COOKIE_PARTITIONED": True}, {"partitioned": True}),
        ({"SESSION_COOKIE_PATH": "/a b;c"}, {"path": "/a b;c"}),
        ({"SESSION_COOKIE_NAME": "caf\u00e9"}, {}),
    ],
    ids=["domain", "secure", "httponly-off", "samesite", "partitioned", "path", "name"],
)
def test_cookie_attributes_are_what_werkzeug_writes(
    app: App, client: TestClient, frozen: None, config: dict[str, t.Any], options: dict[str, t.Any]
) -> None:
    store_app(app).config.update(config, STORE={"user": "ann"})
    response = client.get("/store", base_url="https://example.org")
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    name = app.config["SESSION_COOKIE_NAME"]
    expected = dump_cookie(
        name,
        serializer.dumps({"user": "ann"}),
        **{"httponly": True, "path": "/", "samesite": "Lax", **options},
    )
    assert response.headers.getlist("Set-Cookie") == [expected]


def test_changed_cookie_settings_between_requests(app: App, client: TestClient, frozen: None) -> None:
    store_app(app).config["STORE"] = {"user": "ann"}
    assert client.get("/store").headers["Set-Cookie"] == expected_cookie(app, {"user": "ann"})
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    assert client.get("/store").headers["Set-Cookie"] == expected_cookie(
        app, {"user": "ann"}, samesite="Strict"
    )


def test_permanent_cookie_has_its_expiry(app: App, client: TestClient, frozen: None) -> None:
    @app.route("/permanent")
    def permanent(request):
        request.session.permanent = True
        request.session["user"] = "ann"
        return "ok"

    header = client.get("/permanent").headers["Set-Cookie"]
    assert "; Expires=" in header
    assert header.startswith(expected_cookie(app, {"_permanent": True, "user": "ann"}).split(";")[0])


def test_a_cookie_too_large_warns_as_werkzeug_does(app: App, client: TestClient) -> None:
    # Random text hardly compresses, so the cookie passes werkzeug's limit.
    store_app(app).config["STORE"] = {"big": secrets.token_urlsafe(4000)}
    with pytest.warns(UserWarning, match="The 'session' cookie is too large"):
        response = client.get("/store")
    assert len(response.headers["Set-Cookie"]) > 4093
    assert client.get("/read").text.startswith("[('big', ")


def test_a_new_secret_key_takes_effect_at_once(app: App, client: TestClient) -> None:
    store_app(app).config["STORE"] = {"user": "ann"}
    client.get("/store")
    assert client.get("/read").text == "[('user', 'ann')]"
    app.config["SECRET_KEY"] = "another key"
    assert client.get("/read").text == "[]"
    app.config["SECRET_KEY_FALLBACKS"] = ["test key"]
    assert client.get("/read").text == "[('user', 'ann')]"
    # Changing the list in place counts too.
    app.config["SECRET_KEY_FALLBACKS"].clear()
    assert client.get("/read").text == "[]"


def test_an_existing_vary_header_gains_cookie(app: App, client: TestClient) -> None:
    @app.route("/vary")
    def vary(request):
        request.session["user"] = "ann"
        return Response("ok", headers={"Vary": "Accept-Encoding"})

    @app.route("/vary-cookie")
    def vary_cookie(request):
        request.session["user"] = "ann"
        return Response("ok", headers={"Vary": "cookie"})

    assert client.get("/vary").headers.getlist("Vary") == ["Accept-Encoding, Cookie"]
    assert client.get("/vary-cookie").headers.getlist("Vary") == ["cookie"]


def test_a_response_class_that_sets_cookies_its_way(app: App, client: TestClient) -> None:
    class Marked(Response):
        def set_cookie(self, key: str, value: str = "", *args: t.Any, **kwargs: t.Any) -> None:
            super().set_cookie(key, value, *args, **kwargs)
            self.headers["X-Cookie-Set"] = key

    app.response_class = Marked
    store_app(app).config["STORE"] = {"user": "ann"}
    response = client.get("/store")
    assert response.headers["X-Cookie-Set"] == "session"
    assert client.get("/read").text == "[('user', 'ann')]"


def test_a_replaced_signing_serializer_is_used(app: App, client: TestClient) -> None:
    from itsdangerous import URLSafeTimedSerializer

    class OwnSalt(SecureCookieSessionInterface):
        def get_signing_serializer(self, app: App) -> URLSafeTimedSerializer | None:
            return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="own salt")

    app.session_interface = OwnSalt()
    store_app(app).config["STORE"] = {"user": "ann"}
    value = client.get("/store").headers["Set-Cookie"].split(";")[0].partition("=")[2]
    assert URLSafeTimedSerializer("test key", salt="own salt").loads(value) == {"user": "ann"}
    assert client.get("/read").text == "[('user', 'ann')]"
    client.set_cookie("session", SecureCookieSessionInterface().get_signing_serializer(app).dumps({"user": "eve"}))  # type: ignore[union-attr]  # the key is set
    assert client.get("/read").text == "[]"


def test_a_session_with_its_own_on_update(app: App, client: TestClient) -> None:
    seen: list[str] = []

    @app.route("/hook")
    def hook(request):
        session = request.session
        session.on_update = lambda s: seen.append("updated")
        session["user"] = "ann"
        return "ok"

    client.get("/hook")
    assert seen == ["updated"]


@pytest.mark.parametrize("digest", ["sha256", hashlib.sha512, hashlib.md5], ids=["name", "sha512", "md5"])
def test_another_digest_signs_as_itsdangerous_does(
    app: App, client: TestClient, frozen: None, digest: t.Any
) -> None:
    class Other(SecureCookieSessionInterface):
        digest_method = digest

    app.session_interface = Other()
    store_app(app).config["STORE"] = {"user": "ann"}
    value = client.get("/store").headers["Set-Cookie"].split(";")[0].partition("=")[2]
    serializer = Other().get_signing_serializer(app)
    assert serializer is not None
    assert value == serializer.dumps({"user": "ann"})
    assert client.get("/read").text == "[('user', 'ann')]"


@pytest.mark.parametrize("derivation", ["none", "concat", "django-concat"])
def test_a_long_key_and_other_derivations(
    app: App, client: TestClient, frozen: None, derivation: str
) -> None:
    # With "none" the secret key itself is the HMAC key, longer than a block.
    class Other(SecureCookieSessionInterface):
        key_derivation = derivation

    app.config["SECRET_KEY"] = "k" * 200
    app.session_interface = Other()
    store_app(app).config["STORE"] = {"user": "ann"}
    value = client.get("/store").headers["Set-Cookie"].split(";")[0].partition("=")[2]
    serializer = Other().get_signing_serializer(app)
    assert serializer is not None
    assert value == serializer.dumps({"user": "ann"})
    assert client.get("/read").text == "[('user', 'ann')]"


def test_cookie_settings_of_a_subclass_and_of_an_instance(app: App, client: TestClient) -> None:
    class Scoped(SecureCookieSessionInterface):
        def get_cookie_name(self, app: App) -> str:
            return "scoped"

        def get_cookie_domain(self, app: App) -> str | None:
            return "example.org"

    app.session_interface = Scoped()
    store_app(app).config["STORE"] = {"user": "ann"}
    header = client.get("/store", base_url="https://example.org").headers["Set-Cookie"]
    assert header.startswith("scoped=") and "; Domain=example.org;" in header
    assert client.get("/read", base_url="https://example.org").text == "[('user', 'ann')]"

    interface = SecureCookieSessionInterface()
    interface.get_cookie_path = lambda app: "/here"  # type: ignore[method-assign]  # what the test is about
    app.session_interface = interface
    assert "; Path=/here;" in client.get("/store").headers["Set-Cookie"]


def test_a_cookie_name_with_an_equals_sign(app: App, client: TestClient, frozen: None) -> None:
    app.config["SESSION_COOKIE_NAME"] = "a=b"
    store_app(app).config["STORE"] = {"user": "ann"}
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert serializer is not None
    expected = dump_cookie(
        "a=b", serializer.dumps({"user": "ann"}), httponly=True, path="/", samesite="Lax"
    )
    assert client.get("/store").headers["Set-Cookie"] == expected


def test_a_serializer_whose_values_need_quoting(app: App, client: TestClient) -> None:
    from itsdangerous import Serializer

    class Plain(SecureCookieSessionInterface):
        def get_signing_serializer(self, app: App) -> t.Any:
            return Serializer(app.config["SECRET_KEY"])

    app.session_interface = Plain()
    store_app(app).config["STORE"] = {"user": "ann"}
    header = client.get("/store").headers["Set-Cookie"]
    value = Serializer("test key").dumps({"user": "ann"})
    assert header == dump_cookie("session", value, httponly=True, path="/", samesite="Lax")
    assert header.startswith('session="')
