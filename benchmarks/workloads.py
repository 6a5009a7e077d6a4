"""The workloads: what each app is asked, and what a right answer is.

Every framework module in :mod:`benchmarks.frameworks` builds one app per
workload named here, from the same data (this module's constants), and
every app's answer goes through the same :meth:`Workload.check` before it
is timed. A workload may *prepare* its request against the app first (the
session workload takes the cookie the app sets; the notes workloads log a
user in), so each framework is timed on a request it made valid itself.
"""

from __future__ import annotations

import json
import os
import re
import typing as t
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie

import jinja2

from .harness import Answer, CheckError, RequestSpec, WSGIApp, call_once

HERE = os.path.dirname(os.path.abspath(__file__))

#: The one template every framework renders (``templates/items.html``).
TEMPLATE_FOLDER = os.path.join(HERE, "templates")
TEMPLATE_NAME = "items.html"

#: The context of the template workload: ten items, some with characters
#: that autoescaping must turn into entities.
ITEMS: list[dict[str, t.Any]] = [
    {"name": f"Item {i} <{'b' if i % 2 else 'i'}> & co", "price": i * 3 + 0.5} for i in range(10)
]
TITLE = "Ten items & <their> prices"

#: The urlencoded form the form workload posts, and the answer it expects.
FORM = {
    "name": "Ann Smith",
    "email": "ann@example.org",
    "age": "42",
    "city": "Zürich & Basel",
    "comment": "Hello, form! 100% urlencoded.",
}
FORM_ANSWER = ";".join(f"{key}={value}" for key, value in FORM.items())

#: The key every app signs its session cookie with.
SECRET_KEY = "benchmark secret key, not a real one"
#: The cookie name every app uses for its session.
SESSION_COOKIE = "session"

#: The number of routes of the dispatch workload, and the path it hits.
DISPATCH_ROUTES = 100
#: The rule of route *i* of the dispatch and scaling apps, in werkzeug's
#: syntax (Flask, microweb, Bottle); Falcon's is ``/r{i}/{name}``.
ROUTE_RULE = "/r{i}/<name>"

#: The headers the after-hooks of the hooks workload add, and the trace
#: the before-hooks leave for the view.
HOOK_HEADERS = {"X-Hook-1": "one", "X-Hook-2": "two"}
HOOK_TRACE = "before-1,before-2,before-3"

#: What the JSON workload answers ``GET /users/42?page=3`` with.
JSON_ANSWER = {"user": 42, "page": 3, "name": "user-42", "tags": ["a", "b"]}


def json_answer(user_id: int, page: int) -> dict[str, t.Any]:
    """The JSON workload's answer, built the same way by every app."""
    return {"user": user_id, "page": page, "name": f"user-{user_id}", "tags": ["a", "b"]}


def route_answer(i: int, name: str) -> str:
    """The body route *i* of the dispatch and scaling apps answers."""
    return f"route {i}: {name}"


def jinja_env() -> jinja2.Environment:
    """The Jinja environment of the frameworks without templates (Falcon, Bottle).

    Set up as Flask and microweb set theirs outside debug mode:
    autoescaping on, templates cached and not checked for changes.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_FOLDER), autoescape=True, auto_reload=False
    )


def reference_render() -> str:
    """The template workload's page as Jinja itself renders it, autoescaped."""
    return jinja_env().get_template(TEMPLATE_NAME).render(title=TITLE, items=ITEMS)


# -- checks --------------------------------------------------------------------


def expect_status(answer: Answer, status: int) -> None:
    if answer.status != status:
        raise CheckError(f"status {answer.status}, expected {status}; body {answer.body[:200]!r}")


def expect_body(answer: Answer, body: bytes) -> None:
    if answer.body != body:
        raise CheckError(f"body {answer.body[:200]!r}, expected {body[:200]!r}")


def expect_type(answer: Answer, mimetype: str) -> None:
    value = answer.header("content-type") or ""
    if value.split(";")[0].strip().lower() != mimetype:
        raise CheckError(f"Content-Type {value!r}, expected {mimetype}")


def expect_json(answer: Answer, value: t.Any) -> None:
    expect_type(answer, "application/json")
    try:
        got = json.loads(answer.body)
    except ValueError as e:
        raise CheckError(f"the body is not JSON ({e}): {answer.body[:200]!r}") from None
    if got != value:
        raise CheckError(f"JSON {got!r}, expected {value!r}")


def session_cookie(answer: Answer) -> str:
    """Return the session cookie's value that *answer* sets (else fail)."""
    for value in answer.headers_named("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(value)
        if SESSION_COOKIE in cookie:
            morsel = cookie[SESSION_COOKIE]
            if not morsel["httponly"]:
                raise CheckError(f"the session cookie is not HttpOnly: {value!r}")
            return morsel.value
    raise CheckError(f"no {SESSION_COOKIE!r} cookie set; headers {answer.headers!r}")


# -- the workloads ---------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """One request every framework answers, and how to tell a right answer."""

    name: str
    #: One line for the docs and ``--list``.
    description: str
    request: RequestSpec
    #: Raises :class:`CheckError` unless the answer is right; may send
    #: more requests to the app (the session round trip does).
    check: t.Callable[[WSGIApp, RequestSpec, Answer], None]
    #: Returns the request to time for this app (default: ``request``).
    prepare: t.Callable[[WSGIApp, RequestSpec], RequestSpec] | None = None
    #: Only these frameworks have an app for it (None: every framework).
    only: tuple[str, ...] | None = field(default=None)

    def prepared(self, app: WSGIApp) -> RequestSpec:
        return self.prepare(app, self.request) if self.prepare else self.request


def check_hello(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_type(answer, "text/plain")
    expect_body(answer, b"Hello, World!")


def check_hello_str(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_body(answer, b"Hello, World!")


def check_json(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_json(answer, JSON_ANSWER)


def check_template(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_type(answer, "text/html")
    expect_body(answer, reference_render().encode())


def check_dispatch(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_body(answer, route_answer(DISPATCH_ROUTES - 1, "last").encode())
    # The first route answers too: the app really has all of them.
    first = call_once(app, replace(spec, path="/r0/first"))
    expect_status(first, 200)
    expect_body(first, route_answer(0, "first").encode())


def check_form(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_body(answer, FORM_ANSWER.encode())


def prepare_session(app: WSGIApp, spec: RequestSpec) -> RequestSpec:
    first = call_once(app, spec)
    expect_status(first, 200)
    expect_body(first, b"count 1")
    return replace(spec, cookies={SESSION_COOKIE: session_cookie(first)})


def check_session(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_body(answer, b"count 2")
    # A round trip: the cookie written now is read back by the next request.
    then = call_once(app, replace(spec, cookies={SESSION_COOKIE: session_cookie(answer)}))
    expect_status(then, 200)
    expect_body(then, b"count 3")


def check_hooks(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_body(answer, HOOK_TRACE.encode())
    for name, value in HOOK_HEADERS.items():
        if answer.header(name) != value:
            raise CheckError(f"header {name}: {answer.header(name)!r}, expected {value!r}")


# The notes example: explicit (examples/notes) against its Flask-style twin
# (examples/notes_flask). Each is logged in through its own pages first.

NOTES_USER = "bench"
NOTES_PASSWORD = "a benchmark password"
NOTES_COUNT = 10
CSRF_FIELD = re.compile(rb'name="csrf_token" value="([^"]+)"')


def prepare_notes(app: WSGIApp, spec: RequestSpec) -> RequestSpec:
    from werkzeug.test import Client

    client = Client(app)

    def token(path: str) -> str:
        page = client.get(path)
        found = CSRF_FIELD.search(page.data)
        if page.status_code != 200 or not found:
            raise CheckError(f"GET {path}: {page.status}, no CSRF token")
        return found.group(1).decode()

    account = {"username": NOTES_USER, "password": NOTES_PASSWORD}
    reply = client.post("/auth/register", data={**account, "csrf_token": token("/auth/register")})
    if reply.status_code != 302:
        raise CheckError(f"register: {reply.status}")
    reply = client.post("/auth/login", data={**account, "csrf_token": token("/auth/login")})
    if reply.status_code != 302:
        raise CheckError(f"login: {reply.status}")
    for i in range(NOTES_COUNT):
        reply = client.post(
            "/api/notes", json={"title": f"Bench note {i}", "body": f"Body <{i}> & more"}
        )
        if reply.status_code != 201:
            raise CheckError(f"POST /api/notes: {reply.status} {reply.data[:200]!r}")
    client.get("/")  # puts the CSRF token in the session: later pages only read it
    cookie = client.get_cookie(SESSION_COOKIE)
    if cookie is None:
        raise CheckError("no session cookie after logging in")
    return replace(spec, cookies={SESSION_COOKIE: cookie.value})


def check_notes_page(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_type(answer, "text/html")
    for i in range(NOTES_COUNT):
        if f"Bench note {i}".encode() not in answer.body:
            raise CheckError(f"note {i} is not on the page: {answer.body[:300]!r}")
    if b"Body &lt;3&gt; &amp; more" not in answer.body:
        raise CheckError("the notes' bodies are missing or not escaped")
    if answer.headers_named("set-cookie"):
        raise CheckError("a page that only reads the session wrote it")


def check_notes_api(app: WSGIApp, spec: RequestSpec, answer: Answer) -> None:
    expect_status(answer, 200)
    expect_type(answer, "application/json")
    data = json.loads(answer.body)
    titles = sorted(note["title"] for note in data["notes"])
    if titles != sorted(f"Bench note {i}" for i in range(NOTES_COUNT)) or data["total"] != 10:
        raise CheckError(f"the API listed {data!r}")


NOTES_FRAMEWORKS = ("microweb", "microweb-compat")

WORKLOADS: dict[str, Workload] = {
    w.name: w
    for w in [
        Workload(
            "hello",
            'GET /hello: the view builds Response("Hello, World!", mimetype="text/plain")',
            RequestSpec("/hello"),
            check_hello,
        ),
        Workload(
            "hello-str",
            "GET /hello: the view returns the str (each framework's own fast path)",
            RequestSpec("/hello"),
            check_hello_str,
        ),
        Workload(
            "json",
            "GET /users/42?page=3: a path parameter (int) and a query argument, "
            "answered with a JSON object",
            RequestSpec("/users/42", query="page=3"),
            check_json,
        ),
        Workload(
            "template",
            "GET /items: a Jinja template loops over 10 items, autoescaped",
            RequestSpec("/items"),
            check_template,
        ),
        Workload(
            "dispatch",
            f"GET /r{DISPATCH_ROUTES - 1}/last: the last of {DISPATCH_ROUTES} "
            "parameterized routes",
            RequestSpec(f"/r{DISPATCH_ROUTES - 1}/last"),
            check_dispatch,
        ),
        Workload(
            "form",
            "POST /form: 5 urlencoded fields, read and answered as text",
            RequestSpec("/form", method="POST", form=FORM),
            check_form,
        ),
        Workload(
            "session",
            "GET /session: read a counter from the signed cookie session, write it back",
            RequestSpec("/session"),
            check_session,
            prepare=prepare_session,
        ),
        Workload(
            "hooks",
            "GET /hooks: 3 before-hooks and 2 after-hooks around a text view",
            RequestSpec("/hooks"),
            check_hooks,
        ),
        Workload(
            "notes-page",
            "GET / of the notes example, logged in: 10 notes from SQLite in a page",
            RequestSpec("/"),
            check_notes_page,
            prepare=prepare_notes,
            only=NOTES_FRAMEWORKS,
        ),
        Workload(
            "notes-api",
            "GET /api/notes of the notes example, logged in: 10 notes as JSON",
            RequestSpec("/api/notes"),
            check_notes_api,
            prepare=prepare_notes,
            only=NOTES_FRAMEWORKS,
        ),
    ]
}
