"""The apps that ``test_compat_concurrency.py`` loads: views that echo their own request through the proxies.

:func:`create_app` makes one of two proxies-on apps,
``Flask("concurrency_flask")`` or ``App("concurrency_app", proxies=True)``,
with the same Flask-style views and hooks. Every value they answer is read
through ``request``, ``session``, ``g``, ``current_app``, ``url_for`` and
``after_this_request``, some of it after a short sleep and some of it
while the body is streamed, after the view returned. A request says in
its query how long to sleep, so the tests choose the (seeded) times.

:func:`create_site` serves both apps, under ``/flask`` and ``/app``,
behind :class:`Probe`, which checks that nothing is bound when a request
comes in and after its body is closed, and answers ``/_stats`` with what
it counted, what the teardown hooks saw and how many request objects are
still alive (``/_stats?reset`` also counts the most requests at once
afresh). A real server loads it by name, with ``tests/compat`` on
``PYTHONPATH``: ``gunicorn 'concurrency_app:create_site()'``, or
``python -m concurrency_app PORT`` for werkzeug's threaded development
server.
"""

from __future__ import annotations

import gc
import json
import sys
import threading
import time
import types
import typing as t

from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import WSGIRequestHandler, make_server

from microweb import App, Request, Response
from microweb.compat import (
    AppContext,
    Flask,
    RequestContext,
    after_this_request,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    session,
    stream_with_context,
    url_for,
)

if t.TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The threads of the load, and of gunicorn's pool.
THREADS = 32
#: Signs the session cookies; the tests sign theirs with it too.
SECRET_KEY = "concurrency tests"
#: The chunks an echo streams after its first line.
CHUNKS = 2
#: The most chunks ``/long`` streams; a client closes it long before.
LONG_CHUNKS = 2000
#: Where each app is mounted in :func:`create_site`, by kind.
MOUNTS = {"flask": "/flask", "app": "/app"}


def pause_for(seconds: str) -> None:
    """Sleep for *seconds*, a number from the query; ``"0"`` does not sleep at all."""
    if float(seconds):
        time.sleep(float(seconds))


class Boom(Exception):
    """Raised by ``/boom``; the app's error handler answers it."""


class Stats:
    """Counters that views, hooks and :class:`Probe` add to from many threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        #: Counts by name.
        self.counts: dict[str, int] = {}
        #: What ``/long`` saw when its body was closed, by the request's tag.
        self.closed: dict[str, dict[str, t.Any]] = {}
        #: What the teardown hooks of ``/long`` and ``/slow`` saw, by tag.
        self.finished: dict[str, dict[str, t.Any]] = {}
        #: Requests being handled now, and the most at any one time.
        self.inflight = 0
        self.max_inflight = 0
        #: Where ``/gather`` waits for :data:`THREADS` requests at once.
        self.gathering = threading.Barrier(THREADS)

    def add(self, name: str) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def enter(self) -> None:
        with self.lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)

    def leave(self) -> None:
        with self.lock:
            self.inflight -= 1

    def snapshot(self, reset: bool = False) -> dict[str, t.Any]:
        """All of it; with *reset*, :attr:`max_inflight` starts again from now."""
        with self.lock:
            data = {
                "counts": dict(self.counts),
                "closed": dict(self.closed),
                "finished": dict(self.finished),
                "inflight": self.inflight,
                "max_inflight": self.max_inflight,
            }
            if reset:
                self.max_inflight = self.inflight
            return data


def create_app(kind: str, stats: Stats) -> App:
    """Return the ``"flask"`` app (``Flask``) or the ``"app"`` one (``App(..., proxies=True)``)."""
    app = Flask("concurrency_flask") if kind == "flask" else App("concurrency_app", proxies=True)
    app.config.update(SECRET_KEY=SECRET_KEY)

    @app.before_request
    def remember() -> None:
        tag = request.args.get("tag")
        if tag is not None:
            g.x = "g/" + tag

    @app.teardown_request
    def teardown(exc: BaseException | None) -> None:
        tag = request.args.get("tag")
        if tag is None:
            return
        stats.add("teardown_ok" if g.get("x") == "g/" + tag else "teardown_mismatch")
        if request.endpoint in {"long", "slow"}:
            with stats.lock:
                stats.finished[tag] = {"g": g.get("x"), "app": current_app.name}

    @app.errorhandler(Boom)
    def boom_handler(e: Boom) -> tuple[dict[str, t.Any], int]:
        return {
            "handled": str(e),
            "tag": request.args["tag"],
            "g": g.x,
            "app": current_app.name,
        }, 500

    @app.route("/echo/<int:thread>/<int:n>", methods=["POST"])
    def echo(thread: int, n: int) -> Response:
        tag_before = request.args["tag"]
        pause_for(request.args["sleep"])
        body = request.get_json() if request.args["kind"] == "json" else request.form
        first = {
            "app": current_app.name,
            "view_args": request.view_args,
            "args": [thread, n],
            "tag_before": tag_before,
            "tag": request.args["tag"],
            "header": request.headers["X-Tag"],
            "body": body["tag"],
            "session": session["tag"],
            "g": g.x,
            "url": url_for("echo", thread=thread, n=n, tag=request.args["tag"]),
            "path": request.path,
        }
        session["echo"] = "e/" + session["tag"]

        @after_this_request
        def add_header(response: Response) -> Response:
            response.headers["X-After"] = f"a/{request.args['tag']}/{g.x}"
            return response

        pause = request.args["pause"]

        def chunks() -> t.Iterator[str]:
            yield json.dumps(first) + "\n"
            for i in range(CHUNKS):
                pause_for(pause)
                line = {
                    "chunk": i,
                    "tag": request.args["tag"],
                    "g": g.x,
                    "header": request.headers["X-Tag"],
                    "session": session["tag"],
                    "app": current_app.name,
                }
                yield json.dumps(line) + "\n"

        return Response(stream_with_context(chunks()), mimetype="application/x-ndjson")

    @app.route("/boom/<int:thread>/<int:n>", methods=["POST"])
    def boom(thread: int, n: int) -> str:
        pause_for(request.args["sleep"])
        raise Boom("boom/" + request.args["tag"])

    @app.route("/gather")
    def gather() -> str:
        # Returns once THREADS requests wait here at once: the server has
        # then started as many threads, and each of them has handled a
        # request of an app with proxies on.
        stats.gathering.wait(timeout=30)
        return "gathered"

    @app.route("/crash")
    def crash() -> str:
        raise RuntimeError("crash/" + request.args["tag"])

    @app.route("/slow")
    def slow() -> str:
        pause_for(request.args["sleep"])
        return "slow/" + request.args["tag"]

    @app.route("/long")
    @stream_with_context
    def long() -> t.Iterator[str]:
        sent = 0
        try:
            yield f"start/{request.args['tag']}\n"
            for i in range(LONG_CHUNKS):
                time.sleep(0.002)
                sent += 1
                yield f"{i}/{request.args['tag']}/{g.x}\n".ljust(512, ".")
        finally:
            # Reached when the server closes the body: after the client
            # went away, the request must still be bound here.
            with stats.lock:
                stats.closed[request.args["tag"]] = {
                    "g": g.x,
                    "sent": sent,
                    "request_bound": has_request_context(),
                }

    return app


def live_objects() -> dict[str, int]:
    """Count, after a collection, the request objects, contexts and streamed bodies still alive.

    Also all objects the collector tracks, and the memory blocks allocated
    (:func:`sys.getallocatedblocks`): a leak of anything per request makes
    them grow with the number of requests.
    """
    gc.collect()
    counts = {"Request": 0, "Response": 0, "context": 0, "stream": 0, "all": 0}
    for obj in gc.get_objects():
        counts["all"] += 1
        if isinstance(obj, Request):
            counts["Request"] += 1
        elif isinstance(obj, (AppContext, RequestContext)):
            counts["context"] += 1
        elif isinstance(obj, Response):
            counts["Response"] += 1
        elif isinstance(obj, types.GeneratorType) and obj.gi_code.co_name in {"chunks", "long"}:
            counts["stream"] += 1
    counts["blocks"] = sys.getallocatedblocks()
    return counts


def bound_in_fresh_thread() -> list[bool]:
    """Return ``[has_request_context(), has_app_context()]`` as a new thread sees them."""
    seen: list[bool] = []

    def look() -> None:
        seen.extend([has_request_context(), has_app_context()])

    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    return seen


class Probe:
    """WSGI middleware that checks that nothing is bound around each request.

    Before the app is called, and after the server closed the body, no
    request and no application context may be bound in the thread. It
    answers ``/_stats`` itself, in a thread of the server's, without
    calling the app.
    """

    def __init__(self, app: WSGIApplication, stats: Stats) -> None:
        self.app = app
        self.stats = stats

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> t.Iterable[bytes]:
        if environ["PATH_INFO"] == "/_stats":
            return self.report(start_response, reset=environ["QUERY_STRING"] == "reset")
        stats = self.stats
        stats.add("requests")
        if has_app_context():
            stats.add("bound_on_entry")
        stats.enter()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.closed()
            raise
        return Watched(body, self)

    def closed(self) -> None:
        self.stats.leave()
        self.stats.add("closed")
        if has_app_context():
            self.stats.add("bound_after_close")

    def report(self, start_response: StartResponse, reset: bool) -> list[bytes]:
        data = {
            **self.stats.snapshot(reset),
            "live": live_objects(),
            "server_thread": [has_request_context(), has_app_context()],
            "fresh_thread": bound_in_fresh_thread(),
            "cpu": time.process_time(),
        }
        body = json.dumps(data).encode()
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]


class Watched:
    """A body that tells its :class:`Probe` when the server closed it."""

    def __init__(self, body: t.Iterable[bytes], probe: Probe) -> None:
        self.body = body
        self.probe = probe

    def __iter__(self) -> t.Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.probe.closed()


def create_site(stats: Stats | None = None) -> Probe:
    """Return both apps, mounted as :data:`MOUNTS` says, behind a :class:`Probe`."""
    stats = stats or Stats()
    apps = {kind: create_app(kind, stats) for kind in MOUNTS}
    mounts: dict[str, WSGIApplication] = {MOUNTS[kind]: apps[kind] for kind in apps}
    return Probe(DispatcherMiddleware(not_found, mounts), stats)


def not_found(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
    return []


class QuietHandler(WSGIRequestHandler):
    """werkzeug's request handler without a log line per request."""

    def log_request(self, *args: t.Any, **kwargs: t.Any) -> None:
        pass


def main(port: int) -> None:
    """Serve :func:`create_site` on 127.0.0.1:*port* with werkzeug's threaded server."""
    server = make_server(
        "127.0.0.1", port, create_site(), threaded=True, request_handler=QuietHandler
    )
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]))
