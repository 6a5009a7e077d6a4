"""Every bad input gets a clear 4xx (or a correct answer), never a 500.

One table: each case sends something hostile, checks the status, checks
that no view was handed input that was refused, then checks that the same
app still serves a normal request. The table runs here through werkzeug's
``run_wsgi_app`` and, in ``tests/test_servers.py``, over HTTP through
gunicorn, waitress and werkzeug's development server, because some bad
input only gets through a real server. A case's environ is what a server
would pass: gunicorn and waitress set ``wsgi.input_terminated`` (see
:func:`terminated`) and pass a chunked body without a length (see
:func:`streamed`).
"""

from __future__ import annotations

import io
import typing as t
from pathlib import Path
from urllib.parse import quote

import pytest
from servers.hostile_app import (
    MAX_CONTENT_LENGTH,
    MAX_FORM_MEMORY_SIZE,
    MOUNTS,
    make_app,
    make_root,
    make_site,
)
from werkzeug.exceptions import BadRequest, ClientDisconnected, HTTPException
from werkzeug.test import EnvironBuilder, run_wsgi_app

from microweb import App, Request, SecureCookieSessionInterface, flash, get_flashed_messages

if t.TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

URLENCODED = "application/x-www-form-urlencoded"


class Case(t.NamedTuple):
    """One hostile request and the statuses the app may answer it with."""

    name: str
    #: The request, as a WSGI environ.
    env: dict[str, t.Any]
    expected: set[int]
    #: What the body of a response must contain.
    body: bytes = b""
    #: The request as sent over HTTP, for a case whose environ stands for
    #: something only the server sees (a malformed chunk size).
    raw: bytes | None = None


@pytest.fixture
def records() -> list[dict[str, t.Any]]:
    """What the views were handed, in order."""
    return []


@pytest.fixture
def site(tmp_path: Path, records: list[dict[str, t.Any]]) -> WSGIApplication:
    return make_site(str(make_root(tmp_path)), records.append)


def environ(path: str = "/echo", method: str = "GET", **kwargs: t.Any) -> dict[str, t.Any]:
    return EnvironBuilder(path, method=method, **kwargs).get_environ()


def raw_environ(**overrides: t.Any) -> dict[str, t.Any]:
    """An environ with a ``PATH_INFO`` or ``QUERY_STRING`` no client library would make."""
    env = environ()
    env.update(overrides)
    # The request line a server would make this environ from, to send it.
    target = quote(env["PATH_INFO"].encode("latin1"), safe="/%")
    if env["QUERY_STRING"]:
        target += "?" + env["QUERY_STRING"]
    env["REQUEST_URI"] = env["RAW_URI"] = target
    return env


def terminated(env: dict[str, t.Any]) -> dict[str, t.Any]:
    """Pass *env*'s body as gunicorn and waitress do: they say they end it.

    So werkzeug does not limit the stream to ``CONTENT_LENGTH`` itself.
    """
    return {**env, "wsgi.input_terminated": True}


def streamed(env: dict[str, t.Any]) -> dict[str, t.Any]:
    """Pass *env*'s body as a server passes a chunked one: without a length."""
    env = terminated(env)
    env.pop("CONTENT_LENGTH", None)
    return env


def short(env: dict[str, t.Any], content_length: int) -> dict[str, t.Any]:
    """Claim a longer body than *env* has, as when the client closed early."""
    return terminated({**env, "CONTENT_LENGTH": str(content_length)})


def cut_short(env: dict[str, t.Any]) -> bool:
    """Tell whether *env*'s body is shorter than its ``Content-Length``."""
    stream = env["wsgi.input"]
    length = int(env.get("CONTENT_LENGTH") or 0)
    return isinstance(stream, io.BytesIO) and length > len(stream.getvalue())


def multipart(parts: int, size: int = 1) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n'.encode()
        + b"x" * size
        + b"\r\n"
        for i in range(parts)
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def multipart_file(total: int) -> tuple[bytes, str, int]:
    """A multipart body of exactly *total* bytes: one file, padded to fit.

    :return: The body, its content type and the size of the file.
    """
    boundary = "b0undary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = head + b"x" * (total - len(head) - len(tail)) + tail
    assert len(body) == total
    return body, f"multipart/form-data; boundary={boundary}", total - len(head) - len(tail)


class ServerParseError(Exception):
    """What gunicorn raises from the body for a malformed chunk size.

    It is neither an ``OSError`` nor a ``ValueError``, which werkzeug's
    streams catch.
    """


class FailingInput:
    """A ``wsgi.input`` whose every read raises *error*, as a server's can."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def read(self, size: int = -1) -> bytes:
        raise self.error

    readline = read


def failing(env: dict[str, t.Any], error: Exception) -> dict[str, t.Any]:
    """Stream *env*'s body from a server that raises *error* when it is read."""
    return {**streamed(env), "wsgi.input": FailingInput(error)}


def session_cookie(data: dict[str, t.Any]) -> str:
    """A ``Cookie`` header with *data* in a validly signed session."""
    app = make_app(".", lambda got: None)
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)
    return "session=" + interface.get_signing_serializer(app).dumps(data)


def chunked_request(path: str, content_type: str, chunks: bytes) -> bytes:
    """An HTTP request with *chunks* sent as the chunked body."""
    return (
        f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: {content_type}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode() + chunks


big_form, big_form_type = multipart(1, 4096)
many_parts, many_parts_type = multipart(50)
truncated, truncated_type = multipart(2)
chunked = streamed(
    environ("/raw", "POST", data=b"x" * (128 * 1024), content_type="application/octet-stream")
)
at_limit, at_limit_type, at_limit_file = multipart_file(MAX_CONTENT_LENGTH)
over_limit, over_limit_type, _ = multipart_file(MAX_CONTENT_LENGTH + 1)
#: A chunked body whose first chunk size is not hexadecimal.
bad_chunk_size = b"zz\r\nname=x\r\n0\r\n\r\n"
#: The answer of ``/flashes`` when there are none.
NO_FLASHES = b'"flashes":[]'

CASES: list[Case] = [
    Case("body over MAX_CONTENT_LENGTH", environ("/raw", "POST", data=b"x" * (65 * 1024)), {413}),
    Case("streamed body over MAX_CONTENT_LENGTH", chunked, {413}),
    Case("form field over MAX_FORM_MEMORY_SIZE", environ("/echo", "POST", data=big_form, content_type=big_form_type), {413}),
    Case("urlencoded field over MAX_FORM_MEMORY_SIZE", environ("/echo", "POST", data="a=" + "x" * 4096, content_type="application/x-www-form-urlencoded"), {413}),
    Case("more parts than MAX_FORM_PARTS", environ("/echo", "POST", data=many_parts, content_type=many_parts_type), {413}),
    Case("untrusted Host", environ("/ok", headers={"Host": "evil.test"}), {400}),
    Case("malformed multipart boundary", environ("/echo", "POST", data=b"--nope\r\ngarbage", content_type="multipart/form-data; boundary=other"), {200, 400}),
    Case("multipart without boundary", environ("/echo", "POST", data=b"x", content_type="multipart/form-data"), {200, 400}),
    Case("truncated multipart", environ("/echo", "POST", data=truncated[:40], content_type=truncated_type), {400}),
    Case("invalid percent escapes in a form", environ("/echo", "POST", data="a=%zz&b=%", content_type="application/x-www-form-urlencoded"), {200}),
    Case("malformed JSON", environ("/json", "POST", data="{'a': 1", content_type="application/json"), {400}),
    Case("JSON with another content type", environ("/json", "POST", data='{"a": 1}', content_type="text/plain"), {415}),
    Case("deeply nested JSON", environ("/json", "POST", data="[" * 100_000, content_type="application/json"), {400, 413}),
    Case("unknown method", environ("/ok", "BREW"), {405}),
    Case("very long URL", environ("/" + "a" * 100_000), {404}),
    Case("huge header", environ("/ok", headers={"X-Big": "x" * 100_000}), {200, 431}),
    Case("huge cookie", environ("/session", headers={"Cookie": "session=" + "x" * 100_000}), {200}),
    Case("garbage session cookie", environ("/session", headers={"Cookie": "session=!!not.a.cookie"}), {200}),
    Case("invalid percent-encoding in the path", raw_environ(PATH_INFO="/%zz"), {404}),
    Case("lone percent in the path", raw_environ(PATH_INFO="/item/%"), {404}),
    Case("invalid percent-encoding in the query", raw_environ(QUERY_STRING="a=%zz&b=%"), {200}),
    Case("invalid UTF-8 in the path", raw_environ(PATH_INFO="/item/\xff\xfe"), {404}),
    Case("invalid UTF-8 in the query", raw_environ(QUERY_STRING="a=\xff\xfe"), {200}),
    Case("NUL byte in the path", raw_environ(PATH_INFO="/item/\x00"), {404}),
    Case("converter overflow", environ("/item/" + "9" * 5000), {200, 404}),
    Case("static ..", raw_environ(PATH_INFO="/static/../secret.txt"), {404}),
    Case("static encoded ..", environ("/static/%2e%2e/secret.txt"), {404}),
    Case("static encoded slash", environ("/static/..%2fsecret.txt"), {404}),
    Case("static backslash", environ("/static/..\\secret.txt"), {404}),
    Case("static absolute path", raw_environ(PATH_INFO="/static//etc/passwd"), {308, 404}),
    Case("static NUL byte", raw_environ(PATH_INFO="/static/ok.txt\x00.png"), {404}),
    # Found through real servers (issue 7).
    Case("JSON nested 1000 deep", environ("/json", "POST", data="[" * 1000, content_type="application/json"), {400}),
    Case("valid JSON nested 50000 deep", environ("/unlimited/json", "POST", data="[" * 50_000 + "]" * 50_000, content_type="application/json"), {400}),
    Case("streamed urlencoded form over MAX_FORM_MEMORY_SIZE without MAX_CONTENT_LENGTH", streamed(environ("/unlimited/echo", "POST", data="a=" + "x" * (64 * 1024), content_type=URLENCODED)), {413}),
    Case("streamed urlencoded form of exactly MAX_FORM_MEMORY_SIZE", streamed(environ("/unlimited/echo", "POST", data="a=" + "x" * (MAX_FORM_MEMORY_SIZE - 2), content_type=URLENCODED)), {200}, b"x" * (MAX_FORM_MEMORY_SIZE - 2)),
    Case("malformed chunk size", failing(environ("/echo", "POST", content_type=URLENCODED), ServerParseError("Invalid chunk size")), {400}, raw=chunked_request("/echo", URLENCODED, bad_chunk_size)),
    Case("malformed chunk size without MAX_CONTENT_LENGTH", failing(environ("/unlimited/echo", "POST", content_type=URLENCODED), OSError("Invalid chunk header")), {400}, raw=chunked_request("/unlimited/echo", URLENCODED, bad_chunk_size)),
    Case("form shorter than its Content-Length", short(environ("/echo", "POST", data="name=short", content_type=URLENCODED), 100), {400}),
    Case("form shorter than its Content-Length without MAX_CONTENT_LENGTH", short(environ("/unlimited/echo", "POST", data="name=short", content_type=URLENCODED), 100), {400}),
    Case("multipart shorter than its Content-Length", short(environ("/echo", "POST", data=truncated[:40], content_type=truncated_type), len(truncated)), {400}),
    Case("body shorter than its Content-Length", short(environ("/raw", "POST", data=b"0123456789", content_type="application/octet-stream"), 100), {400}),
    Case("multipart of exactly MAX_CONTENT_LENGTH", terminated(environ("/default-forms/echo", "POST", data=at_limit, content_type=at_limit_type)), {200}, b'"files":{"f":%d}' % at_limit_file),
    Case("streamed multipart of exactly MAX_CONTENT_LENGTH", streamed(environ("/default-forms/echo", "POST", data=at_limit, content_type=at_limit_type)), {200}, b'"files":{"f":%d}' % at_limit_file),
    Case("multipart one byte over MAX_CONTENT_LENGTH", terminated(environ("/default-forms/echo", "POST", data=over_limit, content_type=over_limit_type)), {413}),
    Case("streamed multipart one byte over MAX_CONTENT_LENGTH", streamed(environ("/default-forms/echo", "POST", data=over_limit, content_type=over_limit_type)), {413}),
    Case("streamed body of exactly MAX_CONTENT_LENGTH", streamed(environ("/raw", "POST", data=b"x" * MAX_CONTENT_LENGTH, content_type="application/octet-stream")), {200}, b"%d" % MAX_CONTENT_LENGTH),
    Case("session _flashes is an int", environ("/flashes", headers={"Cookie": session_cookie({"_flashes": 5})}), {200}, NO_FLASHES),
    Case("session _flashes is a string", environ("/flashes", headers={"Cookie": session_cookie({"_flashes": "ab"})}), {200}, NO_FLASHES),
    Case("session _flashes is a list of non-pairs", environ("/flashes", headers={"Cookie": session_cookie({"_flashes": [1, [2], ["a", "b", "c"]]})}), {200}, NO_FLASHES),
    Case("session _flashes has an unhashable category", environ("/flashes", headers={"Cookie": session_cookie({"_flashes": [[["a"], "b"]]})}), {200}, NO_FLASHES),
    Case("session _flashes is a dict", environ("/flashes", headers={"Cookie": session_cookie({"_flashes": {"a": "b"}})}), {200}, NO_FLASHES),
]


def fresh(env: dict[str, t.Any]) -> dict[str, t.Any]:
    """A copy of *env* whose body can be read again."""
    env = dict(env)
    if isinstance(env["wsgi.input"], io.BytesIO):
        env["wsgi.input"] = io.BytesIO(env["wsgi.input"].getvalue())
    return env


def mount_of(path: str) -> str:
    """The prefix of the app of the site that serves *path*."""
    return max((m for m in MOUNTS if path == m or path.startswith(m + "/")), key=len)


def check_answer(
    case: Case, code: int | None, body: bytes, records: list[dict[str, t.Any]]
) -> None:
    """Check the answer to *case*: an expected status, nothing leaked, nothing refused passed on.

    :param code: The status, or ``None`` if the server closed the connection
        without one, which is allowed only for a body cut short.
    :param records: What the views were handed while answering.
    """
    if code is None:
        assert cut_short(case.env), case.name
    else:
        assert code in case.expected, (case.name, code, body[:300])
        assert code != 500
    assert b"TOP SECRET" not in body
    assert b"root:" not in body
    assert b"Traceback" not in body
    assert case.body in body, (case.name, body[:300])
    if code is None or code >= 400:
        # What was refused never reached a view as data.
        assert records == [], (case.name, records)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_is_a_client_error(
    site: WSGIApplication, records: list[dict[str, t.Any]], case: Case
) -> None:
    app_iter, status, headers = run_wsgi_app(site, fresh(case.env), buffered=True)
    check_answer(case, int(status.split()[0]), b"".join(app_iter), records)

    mount = mount_of(case.env["PATH_INFO"])
    app_iter, status, headers = run_wsgi_app(site, environ(mount + "/ok"), buffered=True)
    assert (status, b"".join(app_iter)) == ("200 OK", b"ok")


@pytest.mark.parametrize("case", ["malformed JSON", "body over MAX_CONTENT_LENGTH", "unknown method"])
def test_errors_are_json_when_asked(site: WSGIApplication, case: str) -> None:
    env = fresh(next(c.env for c in CASES if c.name == case))
    env["HTTP_ACCEPT"] = "application/json"
    app_iter, status, headers = run_wsgi_app(site, env, buffered=True)
    assert dict(headers)["Content-Type"] == "application/json"
    body = b"".join(app_iter)
    assert int(status.split()[0]) >= 400
    assert b'"code"' in body and b'"description"' in body


class CountingInput(io.RawIOBase):
    """A long body, made as it is read, that counts what was read of it."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head = head
        self.size = size
        self.taken = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: t.Any) -> int:
        n = min(len(b), self.size - self.taken)
        start = self.taken
        chunk = (self.head[start : start + n]).ljust(n, b"x")
        b[:n] = chunk
        self.taken += n
        return n


@pytest.mark.parametrize(
    ("path", "content_type", "head", "limit"),
    [
        ("/unlimited/echo", URLENCODED, b"a=", MAX_FORM_MEMORY_SIZE),
        ("/echo", URLENCODED, b"a=", MAX_FORM_MEMORY_SIZE),
        ("/raw", "application/octet-stream", b"", MAX_CONTENT_LENGTH),
        ("/default-forms/echo", at_limit_type, at_limit[:200], MAX_CONTENT_LENGTH),
    ],
)
def test_a_streamed_body_is_bounded_while_read(
    site: WSGIApplication, path: str, content_type: str, head: bytes, limit: int
) -> None:
    # 100 MB, made as it is read: the limit must stop the reading, not the end.
    body = CountingInput(head, 100 * 1024 * 1024)
    env = streamed(environ(path, "POST", content_type=content_type))
    env["wsgi.input"] = body
    app_iter, status, headers = run_wsgi_app(site, env, buffered=True)
    assert status.startswith("413")
    # One byte past the limit tells the body goes on; nothing more is read.
    assert body.taken <= limit + 1


def make_request(app: App, env: dict[str, t.Any]) -> Request:
    return Request(env, app)


@pytest.mark.parametrize(
    ("error", "raised"),
    [
        (OSError("connection reset"), ClientDisconnected),
        (TimeoutError("timed out"), ClientDisconnected),
        (ValueError("I/O operation on closed file"), BadRequest),
        (ServerParseError("Invalid chunk size"), BadRequest),
        (RuntimeError("anything"), BadRequest),
    ],
)
@pytest.mark.parametrize("limit", [None, 64 * 1024])
@pytest.mark.parametrize("length", [None, 100])
def test_an_error_reading_the_body_is_a_400(
    error: Exception, raised: type[BadRequest], limit: int | None, length: int | None
) -> None:
    app = make_app(".", lambda got: None, MAX_CONTENT_LENGTH=limit)
    env = failing(environ("/raw", "POST"), error)
    if length is not None:
        env["CONTENT_LENGTH"] = str(length)
    with pytest.raises(raised) as info:
        make_request(app, env).get_data()
    # The server's own error stays attached, for the log.
    assert info.value.__cause__ is error


def test_an_http_error_from_the_body_passes_unchanged() -> None:
    app = make_app(".", lambda got: None)
    error = ClientDisconnected("gone")
    env = failing(environ("/raw", "POST"), error)
    with pytest.raises(HTTPException) as info:
        make_request(app, env).get_data()
    assert info.value is error


def test_a_body_without_a_length_is_empty_unless_the_server_ends_it() -> None:
    # Without wsgi.input_terminated nothing says where such a body ends, so
    # it is not read at all (werkzeug's safe fallback).
    app = make_app(".", lambda got: None)
    env = environ("/raw", "POST")
    env["wsgi.input"] = FailingInput(OSError("never read"))
    env.pop("CONTENT_LENGTH", None)
    assert make_request(app, env).get_data() == b""


@pytest.mark.parametrize("limit", [None, 64 * 1024])
def test_a_streamed_body_under_the_limit_is_read_whole(limit: int | None) -> None:
    app = make_app(".", lambda got: None, MAX_CONTENT_LENGTH=limit)
    request = make_request(app, streamed(environ("/raw", "POST", data=b"x" * 1000)))
    assert request.stream.readable()
    assert request.get_data() == b"x" * 1000


def test_a_streamed_form_is_parsed_once() -> None:
    app = make_app(".", lambda got: None)
    env = streamed(environ("/echo", "POST", data="a=1", content_type=URLENCODED))
    request = make_request(app, env)
    assert request.form.to_dict() == {"a": "1"}
    assert request.get_data(parse_form_data=True) == b""
    assert request.form.to_dict() == {"a": "1"}


@pytest.mark.parametrize("silent", [True, False])
def test_json_nested_too_deeply(silent: bool) -> None:
    app = make_app(".", lambda got: None)
    env = environ("/json", "POST", data="[" * 100_000 + "]" * 100_000, content_type="application/json")
    request = make_request(app, env)
    if silent:
        assert request.get_json(silent=True) is None
    else:
        with pytest.raises(BadRequest, match="nested too deeply"):
            request.get_json()


def test_json_errors_say_what_was_wrong() -> None:
    app = make_app(".", lambda got: None)
    request = make_request(app, environ("/json", "POST", data="{", content_type="application/json"))
    with pytest.raises(BadRequest, match="not valid JSON"):
        request.get_json()
    request = make_request(app, environ("/json", "POST", data="{}", content_type="text/plain"))
    with pytest.raises(HTTPException, match="Content-Type: application/json") as info:
        request.get_json()
    assert info.value.code == 415


@pytest.mark.parametrize(
    "stored", [5, "ab", None, {"a": "b"}, [1, 2], [["a", "b", "c"]], [[["a"], "b"]], [("a", 1)]]
)
def test_malformed_flashes_are_no_messages(stored: t.Any) -> None:
    app = make_app(".", lambda got: None)
    request = make_request(app, environ("/", headers={"Cookie": session_cookie({"_flashes": stored})}))
    assert request.session["_flashes"] == stored
    assert get_flashed_messages(request) == []
    assert get_flashed_messages(request, with_categories=True, category_filter=["a"]) == []
    assert "_flashes" not in request.session


@pytest.mark.parametrize("stored", [5, "ab", [1, 2], [[["a"], "b"]]])
def test_flash_over_malformed_flashes_starts_afresh(stored: t.Any) -> None:
    app = make_app(".", lambda got: None)
    request = make_request(app, environ("/", headers={"Cookie": session_cookie({"_flashes": stored})}))
    flash(request, "saved")
    assert request.session["_flashes"] == [("message", "saved")]


def test_stored_flashes_are_read() -> None:
    app = make_app(".", lambda got: None)
    stored = [("message", "one"), ["error", "two"]]
    request = make_request(app, environ("/", headers={"Cookie": session_cookie({"_flashes": stored})}))
    assert get_flashed_messages(request, with_categories=True) == [("message", "one"), ("error", "two")]
