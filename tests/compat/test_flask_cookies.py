"""Session cookies signed by Flask 3.1: the compatibility layer opens and writes them,
and the core reads them while an app moves to SHA-256 (``accept_sha1=True``).

Flask is never imported: the cookies are made here the way Flask 3.1 makes
them, with itsdangerous and HMAC-SHA1 over JSON in Flask's tag format
written by hand (sorted keys, compact, ASCII, as Flask's JSON provider
writes inside a request).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import typing as t
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from markupsafe import Markup

from microweb import App
from microweb import sessions as core_sessions
from microweb.compat import Flask, session
from microweb.compat.json.tag import JSONTag, TaggedJSONSerializer
from microweb.compat.sessions import SecureCookieSessionInterface, session_json_serializer

SECRET = "the key the Flask deploy used"

WHEN = datetime(2025, 3, 14, 15, 9, 26, tzinfo=timezone.utc)
THE_UUID = uuid.UUID("6f1c0a52-93a4-4a3e-9d1b-2c8e5b7f4d10")
# Long and repetitive: itsdangerous compresses it (the payload starts with ".").
LONG = "every line of this note says the same thing; " * 60
NAME = "Zoë Ångström, 東京"

#: What Flask 3.1 writes for the session below, tags and all, by hand.
FLASK_PAYLOAD: dict[str, t.Any] = {
    "user_id": 42,
    "cart": {" t": [1, {" b": base64.b64encode(b"\x01\x02").decode()}, "three"]},
    "token": {" b": base64.b64encode(b"\x00\xffraw").decode()},
    "banner": {" m": "<b>Welcome</b>"},
    "request_id": {" u": THE_UUID.hex},
    "last_seen": {" d": "Fri, 14 Mar 2025 15:09:26 GMT"},
    "looks_like_a_tag": {" di": {" t__": "not a tuple"}},
    "name": NAME,
    "note": LONG,
    "_flashes": [{" t": ["message", "Welcome back"]}],
}

#: The Python values Flask itself reads from that cookie.
FLASK_VALUES: dict[str, t.Any] = {
    "user_id": 42,
    "cart": (1, b"\x01\x02", "three"),
    "token": b"\x00\xffraw",
    "banner": Markup("<b>Welcome</b>"),
    "request_id": THE_UUID,
    "last_seen": WHEN,
    "looks_like_a_tag": {" t": "not a tuple"},
    "name": NAME,
    "note": LONG,
    "_flashes": [("message", "Welcome back")],
}


class _PlainJSON:
    """The payload is tagged by hand already: write it as Flask's provider does."""

    @staticmethod
    def dumps(value: t.Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    @staticmethod
    def loads(value: str | bytes) -> t.Any:
        return json.loads(value)


class _RawText:
    @staticmethod
    def dumps(value: t.Any) -> str:
        return str(value)

    @staticmethod
    def loads(value: str | bytes) -> t.Any:
        return value


def _signer(
    digest: t.Callable[..., t.Any],
    secret: str = SECRET,
    signer: type[TimestampSigner] = TimestampSigner,
) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        serializer=_PlainJSON,
        signer=signer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": digest},
    )


def flask_cookie(payload: dict[str, t.Any] = FLASK_PAYLOAD, secret: str = SECRET) -> str:
    """Return the cookie value Flask 3.1 sets for the tagged *payload*."""
    return t.cast(str, _signer(hashlib.sha1, secret).dumps(payload))


def read_sha1(value: str, secret: str = SECRET) -> t.Any:
    """Open a cookie as Flask 3.1 does (SHA-1); the tags are left as written."""
    return _signer(hashlib.sha1, secret).loads(value)


def read_sha1_text(value: str, secret: str = SECRET) -> str:
    """The JSON text inside a SHA-1 cookie, as it was written."""
    raw = URLSafeTimedSerializer(
        secret,
        salt="cookie-session",
        serializer=_RawText,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return t.cast(str, raw.loads(value))


def read_sha256(value: str, secret: str = SECRET) -> t.Any:
    """Open a cookie as the core signs it (SHA-256); the tags are left as written."""
    return _signer(hashlib.sha256, secret).loads(value)


def set_cookies(response: t.Any) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        cookie.load(header)
    return cookie


def test_the_test_cookie_is_compressed_and_signed_with_sha1() -> None:
    value = flask_cookie()
    assert value.startswith(".")  # itsdangerous' mark of a zlib payload
    assert len(value) < 1000 < len(LONG)
    assert read_sha1(value) == FLASK_PAYLOAD
    with pytest.raises(BadSignature):
        read_sha256(value)


# The compatibility layer ---------------------------------------------------


@pytest.fixture
def flask_app(tmp_path: Path) -> Flask:
    app = Flask("flask_cookie_app", root_path=str(tmp_path))
    app.config.update(TESTING=True, SECRET_KEY=SECRET)
    seen: list[dict[str, t.Any]] = []
    app.config["SEEN"] = seen

    @app.route("/read")
    def read():
        seen.append(dict(session))
        return "read"

    @app.route("/visit")
    def visit():
        session["visits"] = session.get("visits", 0) + 1
        seen.append(dict(session))
        return str(session["visits"])

    return app


def seen(app: App) -> list[dict[str, t.Any]]:
    return t.cast("list[dict[str, t.Any]]", app.config["SEEN"])


def assert_same_values(actual: dict[str, t.Any], expected: dict[str, t.Any]) -> None:
    assert actual == expected
    for key, value in expected.items():
        assert type(actual[key]) is type(value), key


def test_flask_signs_sessions_as_flask_by_default(tmp_path: Path) -> None:
    app = Flask("default_interface", root_path=str(tmp_path))
    assert isinstance(app.session_interface, SecureCookieSessionInterface)


def test_compat_reads_a_flask_cookie(flask_app: Flask) -> None:
    client = flask_app.test_client()
    client.set_cookie("session", flask_cookie())
    response = client.get("/read")
    assert response.status_code == 200
    assert_same_values(seen(flask_app)[0], FLASK_VALUES)
    assert seen(flask_app)[0]["last_seen"].tzinfo == timezone.utc
    # Nothing changed, so nothing is re-signed: Flask's cookie stays as it is.
    assert "Set-Cookie" not in response.headers


def test_compat_writes_what_flask_reads(flask_app: Flask) -> None:
    client = flask_app.test_client()
    client.set_cookie("session", flask_cookie())
    response = client.get("/visit")
    value = set_cookies(response)["session"].value
    # Flask would open it: HMAC-SHA1, and Flask's tags, including the
    # HTTP date and the " di" with a suffixed key.
    written = read_sha1(value)
    assert written == {**FLASK_PAYLOAD, "visits": 1}
    # Byte for byte the JSON Flask writes: sorted keys, compact, ASCII.
    assert read_sha1_text(value) == _PlainJSON.dumps(written)
    assert "\\u00eb" in read_sha1_text(value)  # the ë of NAME
    with pytest.raises(BadSignature):
        read_sha256(value)
    assert value.startswith(".")  # still compressed
    # And it reads back here.
    client.set_cookie("session", value)
    assert client.get("/visit").text == "2"
    assert_same_values(seen(flask_app)[-1], {**FLASK_VALUES, "visits": 2})


def test_compat_reads_flashes_that_flask_stored(flask_app: Flask) -> None:
    @flask_app.route("/messages")
    def messages():
        from microweb.compat import get_flashed_messages

        return " | ".join(get_flashed_messages())

    client = flask_app.test_client()
    client.set_cookie("session", flask_cookie())
    assert client.get("/messages").text == "Welcome back"
    assert client.get("/messages").text == ""


def test_compat_reads_a_cookie_signed_with_a_fallback_key(flask_app: Flask) -> None:
    flask_app.config.update(SECRET_KEY="a new key", SECRET_KEY_FALLBACKS=[SECRET])
    client = flask_app.test_client()
    client.set_cookie("session", flask_cookie())
    client.get("/visit")
    assert_same_values(seen(flask_app)[0], {**FLASK_VALUES, "visits": 1})
    # Written again with the new key, as Flask 3.1.1+ does.
    value = client.get_cookie("session")
    assert value is not None
    assert read_sha1(value.value, secret="a new key")["visits"] == 1
    with pytest.raises(BadSignature):
        read_sha1(value.value)


@pytest.mark.parametrize(
    "make_bad",
    [
        # A character inside the signature: the last one may carry only
        # padding bits, which decode alike.
        pytest.param(lambda good: good[:-5] + ("A" if good[-5] != "A" else "B") + good[-4:], id="tampered"),
        pytest.param(lambda good: good[:-8], id="truncated"),
        pytest.param(lambda good: flask_cookie(secret="another key"), id="other-key"),
    ],
)
def test_compat_bad_cookies_give_an_empty_session(
    flask_app: Flask, make_bad: t.Callable[[str], str]
) -> None:
    client = flask_app.test_client()
    client.set_cookie("session", make_bad(flask_cookie({"user_id": 7, "note": LONG})))
    response = client.get("/read")
    assert (response.status_code, seen(flask_app)) == (200, [{}])


def test_compat_expired_cookie_gives_an_empty_session(flask_app: Flask) -> None:
    class AnHourAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3600

    flask_app.config["PERMANENT_SESSION_LIFETIME"] = 60  # seconds, as Flask allows
    old = _signer(hashlib.sha1, signer=AnHourAgo).dumps({"user_id": 7})
    client = flask_app.test_client()
    client.set_cookie("session", old)
    assert client.get("/read").status_code == 200
    client.set_cookie("session", flask_cookie({"user_id": 7}))
    assert client.get("/read").status_code == 200
    assert seen(flask_app) == [{}, {"user_id": 7}]


@pytest.mark.parametrize(
    "payload",
    ['{" u":5}', '{" d":"not a date"}', '{" di":{"no suffix":1}}', '{" t":3}', "[1,2]"],
)
def test_compat_signed_garbage_gives_an_empty_session(flask_app: Flask, payload: str) -> None:
    # Signed with the right key, yet not a session Flask could have written.
    signer = _signer(hashlib.sha1).make_signer()
    value = signer.sign(base64.urlsafe_b64encode(payload.encode()).rstrip(b"=")).decode()
    client = flask_app.test_client()
    client.set_cookie("session", value)
    response = client.get("/read")
    assert (response.status_code, seen(flask_app)) == (200, [{}])


@pytest.mark.parametrize("interface", ["compat", "core"])
def test_deeply_nested_signed_json_gives_an_empty_session(flask_app: Flask, interface: str) -> None:
    if interface == "core":
        flask_app.session_interface = core_sessions.SecureCookieSessionInterface(accept_sha1=True)
    # Signed with the right key and compressed, it fits in a cookie; parsed,
    # it nests deeper than Python recurses.
    deep = zlib.compress(b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    payload = b"." + base64.urlsafe_b64encode(deep).rstrip(b"=")
    value = _signer(hashlib.sha1).make_signer().sign(payload).decode()
    assert len(value) < 4000
    assert _signer(hashlib.sha1).make_signer().validate(value)
    client = flask_app.test_client()
    client.set_cookie("session", value)
    response = client.get("/read")
    assert (response.status_code, seen(flask_app)) == (200, [{}])


def test_compat_reads_the_cores_cookie_and_signs_it_as_flask(
    flask_app: Flask, tmp_path: Path
) -> None:
    # An app that tried the core's SHA-256 cookies and came back: users
    # stay logged in, and their cookies become Flask's again.
    core = App("core_app", root_path=str(tmp_path))
    core.config.update(SECRET_KEY=SECRET)

    @core.route("/login")
    def login(request):
        request.session.update(user_id=5, since=WHEN, roles=("admin",))
        return "in"

    core_value = core.test_client().get("/login").headers["Set-Cookie"]
    core_value = core_value.split(";")[0].partition("=")[2]
    assert read_sha256(core_value)["user_id"] == 5

    client = flask_app.test_client()
    client.set_cookie("session", core_value)
    response = client.get("/read")
    assert_same_values(seen(flask_app)[0], {"user_id": 5, "since": WHEN, "roles": ("admin",)})
    resigned = set_cookies(response)["session"].value
    assert read_sha1(resigned) == {
        "user_id": 5,
        "since": {" d": "Fri, 14 Mar 2025 15:09:26 GMT"},
        "roles": {" t": ["admin"]},
    }


def test_session_transaction_writes_flask_cookies(flask_app: Flask) -> None:
    client = flask_app.test_client()
    with client.session_transaction() as sess:
        sess["user_id"] = 3
        sess["when"] = WHEN
    value = client.get_cookie("session")
    assert value is not None
    assert read_sha1(value.value) == {"user_id": 3, "when": {" d": "Fri, 14 Mar 2025 15:09:26 GMT"}}
    client.get("/read")
    assert_same_values(seen(flask_app)[0], {"user_id": 3, "when": WHEN})


# microweb.compat.json.tag ---------------------------------------------------


def test_tagged_json_writes_flasks_format() -> None:
    serializer = TaggedJSONSerializer()
    written = serializer.dumps(
        {
            "t": (1, 2),
            "b": b"\xff",
            "m": Markup("<i>"),
            "u": THE_UUID,
            "d": datetime(2025, 3, 14, 15, 9, 26),  # naive: read as UTC
            "di": {" t": "x"},
            "space": {" not a tag": 1},
            "nested": [{"deep": (b"\x00",)}],
        }
    )
    expected = {
        "t": {" t": [1, 2]},
        "b": {" b": "/w=="},
        "m": {" m": "<i>"},
        "u": {" u": THE_UUID.hex},
        "d": {" d": "Fri, 14 Mar 2025 15:09:26 GMT"},
        "di": {" di": {" t__": "x"}},
        "space": {" not a tag": 1},
        "nested": [{"deep": {" t": [{" b": "AA=="}]}}],
    }
    # Compact, as Flask writes it (outside a request, in insertion order).
    assert written == json.dumps(expected, separators=(",", ":"))


def test_tagged_json_reads_the_cores_format_too() -> None:
    value = {"when": WHEN, "id": THE_UUID, "tag_like": {" u": "not a uuid"}, "t": (1,)}
    from_core = core_sessions.TaggedJSON().dumps(value)
    assert session_json_serializer.loads(from_core) == value


def test_objects_with_html_come_back_as_markup() -> None:
    class Bold:
        def __html__(self) -> str:
            return "<b>bold</b>"

    serializer = TaggedJSONSerializer()
    assert serializer.loads(serializer.dumps({"x": Bold()})) == {"x": Markup("<b>bold</b>")}


def test_an_app_registers_its_own_tag() -> None:
    class Point:
        def __init__(self, x: int, y: int) -> None:
            self.x, self.y = x, y

        def __eq__(self, other: object) -> bool:
            return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    class TagPoint(JSONTag):
        key = " pt"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, Point)

        def to_json(self, value: t.Any) -> t.Any:
            return [value.x, value.y]

        def to_python(self, value: t.Any) -> t.Any:
            return Point(*value)

    serializer = TaggedJSONSerializer()
    serializer.register(TagPoint, index=0)
    assert isinstance(serializer.order[0], TagPoint)
    written = serializer.dumps({"p": Point(1, 2), "looks": {" pt": 0}})
    assert json.loads(written) == {"p": {" pt": [1, 2]}, "looks": {" di": {" pt__": 0}}}
    assert serializer.loads(written) == {"p": Point(1, 2), "looks": {" pt": 0}}
    with pytest.raises(KeyError, match="already registered"):
        serializer.register(TagPoint)
    serializer.register(TagPoint, force=True)
    assert serializer.tags[" pt"] is serializer.order[-1]
    # A serializer made before or after is not affected.
    assert " pt" not in TaggedJSONSerializer().tags


def test_an_app_registers_a_tag_on_its_session_serializer(flask_app: Flask) -> None:
    class Temperature(float):
        pass

    class TagTemperature(JSONTag):
        key = " temp"

        def check(self, value: t.Any) -> bool:
            return isinstance(value, Temperature)

        def to_json(self, value: t.Any) -> t.Any:
            return float(value)

        def to_python(self, value: t.Any) -> t.Any:
            return Temperature(value)

    serializer = TaggedJSONSerializer()
    serializer.register(TagTemperature, index=0)
    interface = SecureCookieSessionInterface()
    interface.serializer = serializer
    flask_app.session_interface = interface

    @flask_app.route("/temp")
    def set_temp():
        session["t"] = Temperature(21.5)
        return ""

    client = flask_app.test_client()
    client.get("/temp")
    client.get("/read")
    assert type(seen(flask_app)[0]["t"]) is Temperature
    cookie = client.get_cookie("session")
    assert cookie is not None
    assert read_sha1(cookie.value) == {"t": {" temp": 21.5}}


# The core, moving from Flask's cookies to its own -------------------------


@pytest.fixture
def core_app(tmp_path: Path) -> App:
    app = App("core_app", root_path=str(tmp_path))
    app.config.update(TESTING=True, SECRET_KEY=SECRET)
    found: list[dict[str, t.Any]] = []
    app.config["SEEN"] = found

    @app.route("/read")
    def read(request):
        found.append(dict(request.session))
        return "read"

    @app.route("/untouched")
    def untouched(request):
        return "no session here"

    return app


def test_the_cores_tagged_json_reads_flasks_format() -> None:
    text = json.dumps(FLASK_PAYLOAD, separators=(",", ":"), sort_keys=True)
    assert_same_values(core_sessions.TaggedJSON().loads(text), FLASK_VALUES)
    # And what it writes itself still reads back.
    again = core_sessions.TaggedJSON().dumps(FLASK_VALUES)
    assert_same_values(core_sessions.TaggedJSON().loads(again), FLASK_VALUES)


def test_core_without_the_option_ignores_flask_cookies(core_app: App) -> None:
    client = core_app.test_client()
    client.set_cookie("session", flask_cookie())
    response = client.get("/read")
    assert (response.status_code, seen(core_app)) == (200, [{}])
    assert "Set-Cookie" not in response.headers


def test_core_with_accept_sha1_reads_flask_cookies_and_resigns_them(core_app: App) -> None:
    core_app.session_interface = core_sessions.SecureCookieSessionInterface(accept_sha1=True)
    client = core_app.test_client()
    client.set_cookie("session", flask_cookie())
    response = client.get("/read")
    assert response.status_code == 200
    assert_same_values(seen(core_app)[0], FLASK_VALUES)
    # The response that read it signs it anew, with SHA-256.
    assert response.headers["Vary"] == "Cookie"
    value = set_cookies(response)["session"].value
    assert read_sha256(value)["user_id"] == 42
    with pytest.raises(BadSignature):
        read_sha1(value)
    # The new cookie holds the same values, and is not re-signed again.
    response = client.get("/read")
    assert_same_values(seen(core_app)[1], FLASK_VALUES)
    assert "Set-Cookie" not in response.headers


def test_core_with_accept_sha1_leaves_unread_cookies_alone(core_app: App) -> None:
    core_app.session_interface = core_sessions.SecureCookieSessionInterface(accept_sha1=True)
    client = core_app.test_client()
    client.set_cookie("session", flask_cookie())
    response = client.get("/untouched")
    assert "Set-Cookie" not in response.headers
    assert client.get_cookie("session") is not None


def test_core_with_accept_sha1_keeps_a_permanent_session_permanent(core_app: App) -> None:
    core_app.session_interface = core_sessions.SecureCookieSessionInterface(accept_sha1=True)
    core_app.config["PERMANENT_SESSION_LIFETIME"] = 3600  # seconds, as Flask allows
    client = core_app.test_client()
    client.set_cookie("session", flask_cookie({"_permanent": True, "user_id": 9}))
    response = client.get("/read")
    morsel = set_cookies(response)["session"]
    assert read_sha256(morsel.value) == {"_permanent": True, "user_id": 9}
    expires = datetime.strptime(morsel["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    left = expires.replace(tzinfo=timezone.utc) - datetime.now(timezone.utc)
    assert timedelta(minutes=58) < left <= timedelta(hours=1)


@pytest.mark.parametrize("kind", ["tampered", "expired", "other-key"])
def test_core_with_accept_sha1_still_refuses_bad_flask_cookies(
    core_app: App, kind: str
) -> None:
    class AnHourAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 3600

    core_app.session_interface = core_sessions.SecureCookieSessionInterface(accept_sha1=True)
    core_app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=1)
    good = flask_cookie({"user_id": 1})
    value = {
        # Inside the signature: its last character may carry only padding.
        "tampered": good[:-5] + ("A" if good[-5] != "A" else "B") + good[-4:],
        "expired": _signer(hashlib.sha1, signer=AnHourAgo).dumps({"user_id": 1}),
        "other-key": flask_cookie({"user_id": 1}, secret="not ours"),
    }[kind]
    client = core_app.test_client()
    client.set_cookie("session", value)
    response = client.get("/read")
    assert (response.status_code, seen(core_app)) == (200, [{}])
    assert "Set-Cookie" not in response.headers


def test_core_with_accept_sha1_and_a_fallback_key(core_app: App) -> None:
    core_app.session_interface = core_sessions.SecureCookieSessionInterface(accept_sha1=True)
    core_app.config.update(SECRET_KEY="rotated", SECRET_KEY_FALLBACKS=[SECRET])
    client = core_app.test_client()
    client.set_cookie("session", flask_cookie({"user_id": 4}))
    response = client.get("/read")
    assert seen(core_app) == [{"user_id": 4}]
    value = set_cookies(response)["session"].value
    assert read_sha256(value, secret="rotated") == {"user_id": 4}
