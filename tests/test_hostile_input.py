"""Every bad input gets a clear 4xx (or a correct answer), never a 500.

One table: each case sends something hostile, checks the status, then
checks that the same app still serves a normal request.
"""

from __future__ import annotations

import io
import typing as t
from pathlib import Path

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from microweb import App


@pytest.fixture
def hostile_app(tmp_path: Path) -> App:
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "ok.txt").write_text("public")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    app = App("hostile", root_path=str(tmp_path))
    app.config.update(
        SECRET_KEY="k",
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_MEMORY_SIZE=1024,
        MAX_FORM_PARTS=10,
        TRUSTED_HOSTS=["localhost", "example.com"],
    )

    @app.get("/ok")
    def ok(request):
        return "ok"

    @app.route("/echo", methods=["GET", "POST", "PUT"])
    def echo(request):
        return {
            "args": request.args.to_dict(),
            "form": request.form.to_dict(),
            "files": list(request.files),
            "path": request.path,
        }

    @app.post("/json")
    def json_view(request):
        return {"got": request.get_json()}

    @app.post("/raw")
    def raw(request):
        return str(len(request.get_data()))

    @app.get("/session")
    def session_view(request):
        return {"user": request.session.get("user")}

    @app.get("/item/<int:n>")
    def item(request, n):
        return str(n)

    return app


def environ(path: str = "/echo", method: str = "GET", **kwargs: t.Any) -> dict[str, t.Any]:
    return EnvironBuilder(path, method=method, **kwargs).get_environ()


def raw_environ(**overrides: t.Any) -> dict[str, t.Any]:
    env = environ()
    env.update(overrides)
    return env


def multipart(parts: int, size: int = 1) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\n'.encode()
        + b"x" * size
        + b"\r\n"
        for i in range(parts)
    )
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


big_form, big_form_type = multipart(1, 4096)
many_parts, many_parts_type = multipart(50)
truncated, truncated_type = multipart(2)
chunked = raw_environ(
    REQUEST_METHOD="POST",
    PATH_INFO="/raw",
    CONTENT_TYPE="application/octet-stream",
    **{"wsgi.input": io.BytesIO(b"x" * (128 * 1024)), "wsgi.input_terminated": True},
)
chunked.pop("CONTENT_LENGTH", None)

CASES: list[tuple[str, dict[str, t.Any], set[int]]] = [
    ("body over MAX_CONTENT_LENGTH", environ("/raw", "POST", data=b"x" * (65 * 1024)), {413}),
    ("streamed body over MAX_CONTENT_LENGTH", chunked, {413}),
    ("form field over MAX_FORM_MEMORY_SIZE", environ("/echo", "POST", data=big_form, content_type=big_form_type), {413}),
    ("urlencoded field over MAX_FORM_MEMORY_SIZE", environ("/echo", "POST", data="a=" + "x" * 4096, content_type="application/x-www-form-urlencoded"), {413}),
    ("more parts than MAX_FORM_PARTS", environ("/echo", "POST", data=many_parts, content_type=many_parts_type), {413}),
    ("untrusted Host", environ("/ok", headers={"Host": "evil.test"}), {400}),
    ("malformed multipart boundary", environ("/echo", "POST", data=b"--nope\r\ngarbage", content_type="multipart/form-data; boundary=other"), {200, 400}),
    ("multipart without boundary", environ("/echo", "POST", data=b"x", content_type="multipart/form-data"), {200, 400}),
    ("truncated multipart", environ("/echo", "POST", data=truncated[:40], content_type=truncated_type), {400}),
    ("invalid percent escapes in a form", environ("/echo", "POST", data="a=%zz&b=%", content_type="application/x-www-form-urlencoded"), {200}),
    ("malformed JSON", environ("/json", "POST", data="{'a': 1", content_type="application/json"), {400}),
    ("JSON with another content type", environ("/json", "POST", data='{"a": 1}', content_type="text/plain"), {415}),
    ("deeply nested JSON", environ("/json", "POST", data="[" * 100_000, content_type="application/json"), {400, 413}),
    ("unknown method", environ("/ok", "BREW"), {405}),
    ("very long URL", environ("/" + "a" * 100_000), {404}),
    ("huge header", environ("/ok", headers={"X-Big": "x" * 100_000}), {200, 431}),
    ("huge cookie", environ("/session", headers={"Cookie": "session=" + "x" * 100_000}), {200}),
    ("garbage session cookie", environ("/session", headers={"Cookie": "session=!!not.a.cookie"}), {200}),
    ("invalid percent-encoding in the path", raw_environ(PATH_INFO="/%zz"), {404}),
    ("lone percent in the path", raw_environ(PATH_INFO="/item/%"), {404}),
    ("invalid percent-encoding in the query", raw_environ(QUERY_STRING="a=%zz&b=%"), {200}),
    ("invalid UTF-8 in the path", raw_environ(PATH_INFO="/item/\xff\xfe"), {404}),
    ("invalid UTF-8 in the query", raw_environ(QUERY_STRING="a=\xff\xfe"), {200}),
    ("NUL byte in the path", raw_environ(PATH_INFO="/item/\x00"), {404}),
    ("converter overflow", environ("/item/" + "9" * 5000), {200, 404}),
    ("static ..", raw_environ(PATH_INFO="/static/../secret.txt"), {404}),
    ("static encoded ..", environ("/static/%2e%2e/secret.txt"), {404}),
    ("static encoded slash", environ("/static/..%2fsecret.txt"), {404}),
    ("static backslash", environ("/static/..\\secret.txt"), {404}),
    ("static absolute path", raw_environ(PATH_INFO="/static//etc/passwd"), {308, 404}),
    ("static NUL byte", raw_environ(PATH_INFO="/static/ok.txt\x00.png"), {404}),
]


@pytest.mark.parametrize(("name", "env", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_a_client_error(
    hostile_app: App, name: str, env: dict[str, t.Any], expected: set[int]
) -> None:
    app_iter, status, headers = run_wsgi_app(hostile_app, dict(env), buffered=True)
    body = b"".join(app_iter)
    code = int(status.split()[0])
    assert code in expected, (name, status, body[:300])
    assert code != 500
    assert b"TOP SECRET" not in body
    assert b"root:" not in body
    assert b"Traceback" not in body

    response = hostile_app.test_client().get("/ok")
    assert (response.status_code, response.text) == (200, "ok")


@pytest.mark.parametrize("case", ["malformed JSON", "body over MAX_CONTENT_LENGTH", "unknown method"])
def test_errors_are_json_when_asked(hostile_app: App, case: str) -> None:
    env = dict(next(c[1] for c in CASES if c[0] == case))
    env["HTTP_ACCEPT"] = "application/json"
    env["wsgi.input"].seek(0)
    app_iter, status, headers = run_wsgi_app(hostile_app, env, buffered=True)
    assert dict(headers)["Content-Type"] == "application/json"
    body = b"".join(app_iter)
    assert int(status.split()[0]) >= 400
    assert b'"code"' in body and b'"description"' in body
