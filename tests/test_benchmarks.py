"""``python -m benchmarks``: its JSON, and that a wrong answer is an error, never a number.

The timings themselves are not checked (a test never asserts a speed);
what is checked is that the harness runs, reports what it says it does,
and refuses to time an app that answers wrongly.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import CheckError, RequestSpec, call_once  # noqa: E402
from benchmarks.workloads import FORM_ANSWER, HOOK_TRACE, WORKLOADS  # noqa: E402

StartResponse = t.Callable[..., t.Any]


def run_benchmarks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_quick_hello_writes_results_and_machine(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = run_benchmarks(
        "--quick", "--only", "hello", "--frameworks", "microweb,microweb-proxy", "--json", str(out)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(out.read_text())

    machine = data["machine"]
    assert machine["python"] == sys.version.split()[0]
    assert machine["cpu_count"] >= 1
    assert machine["platform"] and machine["date"]
    assert machine["packages"]["microweb"]
    assert machine["packages"]["werkzeug"]

    assert data["settings"]["workloads"] == ["hello"]
    assert data["settings"]["quick"] is True
    assert data["errors"] == []
    assert "scaling" not in data  # --only hello leaves it out
    rows = {row["framework"]: row for row in data["inprocess"]}
    assert set(rows) == {"microweb", "microweb-proxy"}
    for row in rows.values():
        assert row["workload"] == "hello"
        assert row["status"] == "ok"
        assert 0 < row["min_us"] <= row["q1_us"] <= row["median_us"]
        assert row["median_us"] <= row["q3_us"] <= row["max_us"]
        assert row["repeats"] == 3 and row["number"] >= 1
        assert row["calls"] > 0
    # The proxy style binds the request: a couple of calls more, never fewer.
    assert rows["microweb-proxy"]["calls"] >= rows["microweb"]["calls"]

    assert "µs per request" in proc.stdout
    assert "proxy/explicit" in proc.stdout


BROKEN = '''
NAME = "broken"


def wrong_body(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"Hello, World"]


def wrong_type(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"Hello, World!"]


APPS = {"hello": lambda: wrong_body, "hello-str": lambda: wrong_type}
'''


def test_a_wrong_answer_fails_the_run(tmp_path: Path) -> None:
    module = tmp_path / "broken_framework.py"
    module.write_text(BROKEN)
    out = tmp_path / "results.json"
    proc = run_benchmarks(
        "--quick", "--only", "hello,hello-str", "--frameworks", "microweb,broken",
        "--extra", str(module), "--json", str(out),
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    data = json.loads(out.read_text())
    rows = {(row["framework"], row["workload"]): row for row in data["inprocess"]}
    assert rows[("microweb", "hello")]["status"] == "ok"
    assert rows[("microweb", "hello-str")]["status"] == "ok"

    body = rows[("broken", "hello")]
    assert body["status"] == "error"
    assert "median_us" not in body  # checked first, so never timed
    assert "b'Hello, World'" in body["reason"]
    # hello-str does not ask for a type; the broken app's body is right there.
    assert rows[("broken", "hello-str")]["status"] == "ok"
    assert len(data["errors"]) == 1
    assert "ERROR broken/hello: wrong answer" in proc.stdout


def test_a_missing_framework_is_skipped_with_a_reason() -> None:
    proc = run_benchmarks("--quick", "--only", "hello", "--frameworks", "microweb,nosuch")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nosuch: skipped, no framework module named 'nosuch'" in proc.stdout


# Each check refuses a plausible wrong answer, and accepts a right one.


def text_app(body: bytes, mimetype: str = "text/plain", status: str = "200 OK",
             headers: t.Sequence[tuple[str, str]] = ()) -> t.Callable[..., list[bytes]]:
    def app(environ: dict[str, t.Any], start_response: StartResponse) -> list[bytes]:
        start_response(status, [("Content-Type", mimetype), *headers])
        return [body]

    return app


def check(workload: str, app: t.Callable[..., t.Any]) -> None:
    w = WORKLOADS[workload]
    spec = w.prepared(app)
    w.check(app, spec, call_once(app, spec))


def test_hello_check() -> None:
    check("hello", text_app(b"Hello, World!"))
    with pytest.raises(CheckError, match="status 404"):
        check("hello", text_app(b"Hello, World!", status="404 NOT FOUND"))
    with pytest.raises(CheckError, match="Content-Type"):
        check("hello", text_app(b"Hello, World!", mimetype="text/html"))


def test_json_check() -> None:
    right = b'{"user": 42, "page": 3, "name": "user-42", "tags": ["a", "b"]}'
    check("json", text_app(right, "application/json"))
    with pytest.raises(CheckError, match="expected application/json"):
        check("json", text_app(right, "text/plain"))
    with pytest.raises(CheckError, match="JSON"):
        check("json", text_app(right.replace(b"3", b"1"), "application/json"))


def test_template_check_wants_escaping() -> None:
    from benchmarks.workloads import reference_render

    page = reference_render()
    assert "&lt;b&gt; &amp; co" in page
    check("template", text_app(page.encode(), "text/html"))
    unescaped = page.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    with pytest.raises(CheckError, match="body"):
        check("template", text_app(unescaped.encode(), "text/html"))


def test_dispatch_check_asks_the_first_route_too() -> None:
    def last_only(environ: dict[str, t.Any], start_response: StartResponse) -> list[bytes]:
        if environ["PATH_INFO"] == "/r99/last":
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"route 99: last"]
        start_response("404 NOT FOUND", [("Content-Type", "text/html")])
        return [b"no"]

    with pytest.raises(CheckError, match="status 404"):
        check("dispatch", last_only)


def test_form_check() -> None:
    check("form", text_app(FORM_ANSWER.encode()))
    with pytest.raises(CheckError):
        check("form", text_app(FORM_ANSWER.replace("Zürich", "Zrich").encode()))


def counter_app(write_back: bool) -> t.Callable[..., list[bytes]]:
    """A session counter in a plain cookie; with *write_back* off, it never saves."""

    def app(environ: dict[str, t.Any], start_response: StartResponse) -> list[bytes]:
        cookie = environ.get("HTTP_COOKIE", "")
        n = int(cookie.split("=", 1)[1]) if cookie.startswith("session=") else 0
        n += 1
        headers = [("Content-Type", "text/plain")]
        if write_back or n == 1:
            headers.append(("Set-Cookie", f"session={n}; HttpOnly; Path=/"))
        start_response("200 OK", headers)
        return [f"count {n}".encode()]

    return app


def test_session_check_is_a_round_trip() -> None:
    check("session", counter_app(write_back=True))
    with pytest.raises(CheckError, match="no 'session' cookie"):
        check("session", counter_app(write_back=False))


def test_hooks_check_wants_both_headers() -> None:
    both = [("X-Hook-1", "one"), ("X-Hook-2", "two")]
    check("hooks", text_app(HOOK_TRACE.encode(), headers=both))
    with pytest.raises(CheckError, match="X-Hook-2"):
        check("hooks", text_app(HOOK_TRACE.encode(), headers=both[:1]))


def test_request_spec_builds_the_form_body() -> None:
    seen: dict[str, t.Any] = {}

    def app(environ: dict[str, t.Any], start_response: StartResponse) -> list[bytes]:
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return []

    call_once(app, RequestSpec("/form", method="POST", form={"a": "1 2", "b": "é"},
                               cookies={"session": "x"}))
    assert seen["REQUEST_METHOD"] == "POST"
    assert seen["CONTENT_TYPE"] == "application/x-www-form-urlencoded"
    assert seen["body"] == b"a=1+2&b=%C3%A9"
    assert seen["HTTP_COOKIE"] == "session=x"



def test_rounds_pool_every_run_and_rotate_the_order(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = run_benchmarks(
        "--quick", "--rounds", "2", "--only", "hello",
        "--frameworks", "microweb,microweb-proxy", "--json", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Each round starts every framework once; the second starts with the other one.
    started = [line.split(":")[1].split()[0] for line in proc.stdout.splitlines() if "round " in line]
    assert started == ["microweb", "microweb-proxy", "microweb-proxy", "microweb"]
    data = json.loads(out.read_text())
    rows = {row["framework"]: row for row in data["inprocess"]}
    for row in rows.values():
        # Three runs a round, two rounds: the median is of all six.
        assert row["rounds"] == 2 and row["repeats"] == 6
        assert len(row["samples_us"]) == 6
        assert row["min_us"] == min(row["samples_us"])
        assert row["max_us"] == max(row["samples_us"])
