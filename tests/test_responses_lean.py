"""The lean send path of Response sends what werkzeug's would.

Each case builds two equal responses; one is sent by microweb's
``Response.__call__`` (lean where it can be), the other by werkzeug's
``Response.__call__``. Status, header list and body must be the same,
and sending must leave the response's own headers as they were.
"""

from __future__ import annotations

import typing as t

import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import create_environ
from werkzeug.wrappers import Response as WerkzeugResponse

from microweb import App, Request, Response


def _plain(response: Response) -> None:
    pass


def _read(response: Response) -> None:
    response.headers  # noqa: B018  # reading makes them


def _add_one(response: Response) -> None:
    response.headers["X-Hook"] = "one"


def _add_two(response: Response) -> None:
    response.headers["X-Hook-1"] = "one"
    response.headers["X-Hook-2"] = "two"


def _same_name_twice(response: Response) -> None:
    response.headers.add("X-Many", "a")
    response.headers.add("X-Many", "b")


def _replace_existing(response: Response) -> None:
    response.headers.add("X-Many", "a")
    response.headers.add("x-many", "b")
    response.headers["X-MANY"] = "c"


def _content_type_lowercase(response: Response) -> None:
    response.headers["content-type"] = "text/plain"


def _wrong_length(response: Response) -> None:
    response.headers["Content-Length"] = "999"


def _junk_length(response: Response) -> None:
    response.headers["Content-Length"] = "not a number"


def _length_lowercase(response: Response) -> None:
    del response.headers["Content-Length"]
    response.headers["content-length"] = "5"


def _no_length(response: Response) -> None:
    del response.headers["Content-Length"]


def _no_length_not_automatic(response: Response) -> None:
    del response.headers["Content-Length"]
    response.automatically_set_content_length = False


def _no_headers(response: Response) -> None:
    response.headers.clear()


def _int_value(response: Response) -> None:
    response.headers["X-Count"] = 5  # type: ignore[assignment]  # werkzeug makes it a str


def _location(value: str) -> t.Callable[[Response], None]:
    def set_location(response: Response) -> None:
        response.headers["Location"] = value

    return set_location


def _content_location(response: Response) -> None:
    response.headers["Content-Location"] = "/caf\u00e9"


def _location_lowercase(response: Response) -> None:
    response.headers["location"] = "/\u00fcber"


def _status(code: int) -> t.Callable[[Response], None]:
    def set_status(response: Response) -> None:
        response.headers["X-Hook"] = "one"
        response.status_code = code

    return set_status


def _lazy_status(code: int) -> t.Callable[[Response], None]:
    def set_status(response: Response) -> None:
        response.status_code = code

    return set_status


def _cookie(response: Response) -> None:
    response.set_cookie("session", "abc", httponly=True)
    response.vary.add("Cookie")


def _assigned_headers(response: Response) -> None:
    response.headers = Headers([("X-Only", "this")])


def _assigned_dict(response: Response) -> None:
    response.headers = {"X-Only": "this"}  # type: ignore[assignment]  # werkzeug copies any mapping


def _direct_passthrough(response: Response) -> None:
    response.headers["X-Hook"] = "one"
    response.direct_passthrough = True


def _two_chunks(response: Response) -> None:
    response.headers["X-Hook"] = "one"
    response.response = [b"ab", b"cd"]


def _str_chunk(response: Response) -> None:
    response.headers["X-Hook"] = "one"
    response.response = ["caf\u00e9"]


def _streamed(response: Response) -> None:
    response.headers["X-Hook"] = "one"
    del response.headers["Content-Length"]
    response.response = iter([b"a", b"b"])


def _set_data(response: Response) -> None:
    response.headers["X-Hook"] = "one"
    response.set_data(b"longer body")


CASES: dict[str, t.Callable[[Response], None]] = {
    "untouched": _plain,
    "headers read": _read,
    "one header added": _add_one,
    "two headers added": _add_two,
    "same name twice": _same_name_twice,
    "header replaced in another case": _replace_existing,
    "content type replaced": _content_type_lowercase,
    "content length wrong": _wrong_length,
    "content length not a number": _junk_length,
    "content length lowercase": _length_lowercase,
    "content length deleted": _no_length,
    "content length deleted, not automatic": _no_length_not_automatic,
    "all headers deleted": _no_headers,
    "int value": _int_value,
    "relative location": _location("/next"),
    "IRI location": _location("/caf\u00e9 bar"),
    "absolute location": _location("http://example.com/x"),
    "lowercase location": _location_lowercase,
    "content location": _content_location,
    "status 201": _status(201),
    "status 404": _status(404),
    "status 500": _status(500),
    "status 204": _status(204),
    "status 304": _status(304),
    "status 100": _status(100),
    "status 101": _status(101),
    "lazy status 204": _lazy_status(204),
    "lazy status 304": _lazy_status(304),
    "lazy status 101": _lazy_status(101),
    "cookie and vary": _cookie,
    "headers assigned": _assigned_headers,
    "headers assigned a dict": _assigned_dict,
    "direct passthrough": _direct_passthrough,
    "two chunks": _two_chunks,
    "str chunk": _str_chunk,
    "streamed": _streamed,
    "set_data": _set_data,
}

MAKERS: dict[str, t.Callable[[], Response]] = {
    "str": lambda: Response("Hello, World!"),
    "bytes, text/plain": lambda: Response(b"Hello", mimetype="text/plain"),
    "status 201": lambda: Response("made", 201),
    "with headers": lambda: Response("x", headers={"X-Made": "1"}),
    "empty": lambda: Response(""),
}


def _send(
    response: WerkzeugResponse, send: t.Callable[..., t.Iterable[bytes]], method: str
) -> tuple[str, list[tuple[str, str]], bytes]:
    environ = create_environ("/page", "http://localhost/", method=method)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: t.Any = None) -> t.Any:
        started.append((status, headers))

    iterable = send(response, environ, start_response)
    try:
        body = b"".join(iterable)
    finally:
        close = getattr(iterable, "close", None)
        if close is not None:
            close()
    [(status, headers)] = started
    return status, list(headers), body


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("maker", MAKERS)
@pytest.mark.parametrize("case", CASES)
def test_lean_send_matches_werkzeug(case: str, maker: str, method: str) -> None:
    ours, theirs = MAKERS[maker](), MAKERS[maker]()
    CASES[case](ours)
    CASES[case](theirs)
    before = list(ours.headers)
    sent = _send(ours, Response.__call__, method)
    assert sent == _send(theirs, WerkzeugResponse.__call__, method)
    assert list(ours.headers) == before


@pytest.mark.parametrize("case", ["untouched", "one header added", "content length deleted"])
def test_call_on_close_runs_as_werkzeug_runs_it(case: str) -> None:
    ours, theirs = Response("body"), Response("body")
    calls: list[str] = []
    CASES[case](ours)
    CASES[case](theirs)
    ours.call_on_close(lambda: calls.append("ours"))
    theirs.call_on_close(lambda: calls.append("theirs"))
    assert _send(ours, Response.__call__, "GET") == _send(
        theirs, WerkzeugResponse.__call__, "GET"
    )
    assert calls == ["ours", "theirs"]


def test_a_sent_header_list_is_a_copy() -> None:
    response = Response("body")
    response.headers["X-Hook"] = "one"
    environ = create_environ("/")
    lists: list[list[tuple[str, str]]] = []
    response(environ, lambda status, headers, exc_info=None: lists.append(headers))
    lists[0].append(("X-Server", "added"))
    assert "X-Server" not in response.headers
    assert response.headers["X-Hook"] == "one"


def test_made_headers_are_werkzeug_headers() -> None:
    response = Response("body", mimetype="text/plain")
    headers = response.headers
    assert isinstance(headers, Headers)
    assert headers == Headers(
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "4")]
    )
    assert Headers([("content-length", "4"), ("CONTENT-TYPE", "text/plain; charset=utf-8")]) == headers
    assert headers != Headers([("Content-Length", "4")])
    assert headers != [("Content-Length", "4")]
    assert headers.copy() == headers
    assert list(headers.copy()) == list(headers)


def test_setting_a_header_checks_its_value_as_werkzeug_does() -> None:
    headers = Response("body").headers
    with pytest.raises(ValueError, match="newline"):
        headers["X-Bad"] = "a\r\nSet-Cookie: x=1"
    with pytest.raises(ValueError, match="newline"):
        headers["X-Bad"] = "a\nb"
    headers["X-Number"] = 3  # type: ignore[assignment]  # werkzeug makes it a str
    headers["x-number"] = "4"
    headers.add("X-NUMBER", "5")
    headers["X-Number"] = "6"
    headers[0] = ("Content-Type", "text/plain")
    assert list(headers) == [
        ("Content-Type", "text/plain"),
        ("Content-Length", "4"),
        ("X-Number", "6"),
    ]


def test_after_hooks_headers_reach_the_client(app: App) -> None:
    @app.before_request
    def before(request: Request) -> None:
        request.g.trace = ["before"]

    @app.after_request
    def add_headers(request: Request, response: Response) -> Response:
        response.headers["X-Hook-1"] = "one"
        response.headers["X-Hook-2"] = "two"
        return response

    @app.route("/hooks", methods=["GET", "HEAD"])
    def view(request: Request) -> str:
        return ",".join(request.g.trace) + " caf\u00e9"

    client = app.test_client()
    response = client.get("/hooks")
    assert response.status_code == 200
    assert response.data == "before caf\u00e9".encode()
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Length"] == str(len(response.data))
    assert response.headers.getlist("X-Hook-1") == ["one"]
    assert response.headers["X-Hook-2"] == "two"

    head = client.head("/hooks")
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(response.data))
    assert head.headers["X-Hook-2"] == "two"


def test_an_after_hook_may_redirect_with_an_iri(app: App) -> None:
    @app.after_request
    def move(request: Request, response: Response) -> Response:
        response.status_code = 302
        response.headers["Location"] = "/caf\u00e9"
        return response

    @app.get("/")
    def index(request: Request) -> str:
        return "moved"

    response = app.test_client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/caf%C3%A9"
    assert response.data == b"moved"


def test_an_after_hook_returning_none_is_a_500(app: App) -> None:
    app.testing = False

    @app.after_request
    def forgets(request: Request, response: Response) -> None:
        response.headers["X-Hook"] = "one"

    @app.get("/")
    def index(request: Request) -> str:
        return "body"

    response = app.test_client().get("/")
    assert response.status_code == 500
    assert b"Internal Server Error" in response.data
