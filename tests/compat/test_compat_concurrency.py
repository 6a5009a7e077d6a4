"""The proxies keep each request to itself under threads and asyncio tasks, and nothing stays bound.

The apps of ``concurrency_app.py`` (``Flask`` and ``App(...,
proxies=True)``) echo, through the proxies, what each request carries: a
tag that is unique to it, sent in the query, in a header, in a JSON or
form body and in a signed session cookie. The views sleep for seeded
random times, so requests interleave, and stream part of the answer after
the view returned (``stream_with_context``). Every value of every answer
must be the request's own, streamed chunks included.

The load is 32 threads of 100 requests each, through werkzeug's threaded
development server and through gunicorn's ``gthread`` worker with 32
threads (both in a subprocess on 127.0.0.1, see ``tests/servers``), and
through the test client, one per thread; the three run at once. Then
asyncio tasks interleave on one thread in ``app.app_context()`` and
``app.test_request_context()``. After each run nothing is bound in any
thread, no request, response or context is left alive, and memory, after
a warm-up, does not grow with the number of requests. Every way out of a
request unbinds: a return, an exception, a streamed body the client
closed early, a client that went away.
"""

from __future__ import annotations

import asyncio
import functools
import http.client
import io
import json
import logging
import os
import random
import socket
import sys
import threading
import time
import typing as t
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from concurrency_app import (
    CHUNKS,
    LONG_CHUNKS,
    MOUNTS,
    THREADS,
    Stats,
    create_app,
    live_objects,
)
from servers.process import ServerProcess, server_environ

from microweb import App
from microweb.compat import (
    copy_current_request_context,
    current_app,
    g,
    has_app_context,
    has_request_context,
    request,
    url_for,
)

HERE = Path(__file__).parent
REQUESTS = 100
SEED = 20261128
#: How long one request may take; none should take more than a moment.
TIMEOUT = 30.0
#: Of each thread's requests, one in this many goes to ``/boom``: the error handler answers.
BOOM_EVERY = 20
#: Each thread's requests in three phases: a warm-up, then 20 and 60 more
#: (640 and 1,920 of them over the 32 threads) after which memory is measured.
PHASES = [(0, 20), (20, 40), (40, REQUESTS)]
#: The name of each app of the site, by its kind.
NAMES = {kind: create_app(kind, Stats()).name for kind in MOUNTS}


def nothing_bound() -> bool:
    return not has_request_context() and not has_app_context()


# What each request sends, and what must come back.


@dataclass
class Call:
    """One request of the load, with values no other request has."""

    kind: str  # "flask" or "app"
    mount: str  # where the app is mounted: "" for the test client
    endpoint: str  # "echo" or "boom"
    thread: int
    n: int
    tag: str
    sleep: float
    pause: float
    body_kind: str  # "json" or "form"
    cookie: str

    @property
    def path(self) -> str:
        return f"/{self.endpoint}/{self.thread}/{self.n}"

    @property
    def url(self) -> str:
        query = urlencode(
            {"tag": self.tag, "sleep": self.sleep, "pause": self.pause, "kind": self.body_kind}
        )
        return f"{self.mount}{self.path}?{query}"

    @property
    def headers(self) -> dict[str, str]:
        content_type = (
            "application/json"
            if self.body_kind == "json"
            else "application/x-www-form-urlencoded"
        )
        return {"X-Tag": "h/" + self.tag, "Cookie": self.cookie, "Content-Type": content_type}

    @property
    def body(self) -> bytes:
        if self.body_kind == "json":
            return json.dumps({"tag": "b/" + self.tag}).encode()
        return urlencode({"tag": "b/" + self.tag}).encode()


class Signers:
    """Signs and reads the session cookies of both apps, as the apps do."""

    def __init__(self) -> None:
        self.apps = {kind: create_app(kind, Stats()) for kind in MOUNTS}
        self.names: dict[str, str] = {}
        self.signers: dict[str, t.Any] = {}
        for kind, app in self.apps.items():
            interface = app.session_interface
            self.names[kind] = interface.get_cookie_name(app)
            self.signers[kind] = interface.get_signing_serializer(app)

    def cookie(self, kind: str, data: dict[str, str]) -> str:
        """The ``Cookie`` header that sends the session *data* to the app of *kind*."""
        return f"{self.names[kind]}={self.signers[kind].dumps(data)}"

    def read(self, kind: str, set_cookies: list[str]) -> t.Any:
        """The session that the ``Set-Cookie`` headers *set_cookies* hold."""
        name = self.names[kind] + "="
        values = [c.split(";")[0][len(name):] for c in set_cookies if c.startswith(name)]
        assert len(values) == 1, f"expected one session cookie, got {set_cookies}"
        return self.signers[kind].loads(values[0])


def plan(target: str, thread: int, signers: Signers, mounts: dict[str, str]) -> list[Call]:
    """The requests of one thread of the load on *target*: seeded, so every run sends the same."""
    rng = random.Random(f"{SEED}/{target}/{thread}")
    calls = []
    for n in range(REQUESTS):
        kind = rng.choice(sorted(mounts))
        tag = f"{thread}.{n}.{rng.getrandbits(48):012x}"
        calls.append(
            Call(
                kind=kind,
                mount=mounts[kind],
                endpoint="boom" if n % BOOM_EVERY == BOOM_EVERY - 1 else "echo",
                thread=thread,
                n=n,
                tag=tag,
                sleep=round(rng.uniform(0, 0.005), 4),
                pause=round(rng.uniform(0, 0.002), 4),
                body_kind=rng.choice(["json", "form"]),
                cookie=signers.cookie(kind, {"tag": "s/" + tag}),
            )
        )
    return calls


@dataclass
class Answer:
    status: int
    after: str | None
    set_cookies: list[str]
    body: bytes


class Mismatch(AssertionError):
    """An answer that holds a value that is not its request's own."""


def compare(what: str, seen: t.Any, expected: t.Any, wrong: list[str]) -> int:
    if seen != expected:
        wrong.append(f"{what}: {seen!r} != {expected!r}")
    return 1


def check(call: Call, answer: Answer, signers: Signers) -> int:
    """Check that *answer* echoes exactly *call*'s values; return how many values were checked."""
    wrong: list[str] = []
    name = signers.apps[call.kind].name
    tag = call.tag
    if call.endpoint == "boom":
        checks = compare("status", answer.status, 500, wrong)
        data = json.loads(answer.body)
        expected = {"handled": "boom/" + tag, "tag": tag, "g": "g/" + tag, "app": name}
        for key, value in expected.items():
            checks += compare(key, data.get(key), value, wrong)
    else:
        checks = compare("status", answer.status, 200, wrong)
        checks += compare("X-After", answer.after, f"a/{tag}/g/{tag}", wrong)
        session = signers.read(call.kind, answer.set_cookies)
        checks += compare("session", session, {"tag": "s/" + tag, "echo": "e/s/" + tag}, wrong)
        lines = answer.body.decode().splitlines()
        checks += compare("lines", len(lines), 1 + CHUNKS, wrong)
        first = json.loads(lines[0])
        expected = {
            "app": name,
            "view_args": {"thread": call.thread, "n": call.n},
            "args": [call.thread, call.n],
            "tag_before": tag,
            "tag": tag,
            "header": "h/" + tag,
            "body": "b/" + tag,
            "session": "s/" + tag,
            "g": "g/" + tag,
            "url": f"{call.mount}{call.path}?tag={tag}",
            "path": call.path,
        }
        for key, value in expected.items():
            checks += compare(key, first.get(key), value, wrong)
        for i, line in enumerate(lines[1:]):
            chunk = json.loads(line)
            expected = {
                "chunk": i,
                "tag": tag,
                "g": "g/" + tag,
                "header": "h/" + tag,
                "session": "s/" + tag,
                "app": name,
            }
            for key, value in expected.items():
                checks += compare(f"chunk {i} {key}", chunk.get(key), value, wrong)
    if wrong:
        raise Mismatch(f"{call.url}: " + "; ".join(wrong))
    return checks


@dataclass
class Result:
    """What one thread of a load found."""

    checks: int = 0
    answers: int = 0
    errors: list[str] = field(default_factory=list)
    bound_after: bool | None = None


def run_threads(works: list[t.Callable[[Result], None]]) -> list[Result]:
    """Run each of *works* in a thread of its own, all at once; return what they found.

    Each thread looks, when its work is done, whether anything is left
    bound in it.
    """
    results = [Result() for _ in works]
    start = threading.Barrier(len(works))

    def run(work: t.Callable[[Result], None], result: Result) -> None:
        try:
            start.wait(TIMEOUT)
            work(result)
        except Exception as e:  # noqa: BLE001  # reported by the test
            result.errors.append(repr(e))
        result.bound_after = not nothing_bound()

    threads = [
        # Daemons: a thread that hangs fails the test but does not keep pytest from ending.
        threading.Thread(target=run, args=(work, result), daemon=True)
        for work, result in zip(works, results)
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + TIMEOUT * 4
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a thread of the load hangs"
    return results


def assert_clean(results: list[Result], expected_answers: int, target: str) -> int:
    """Assert no error and no cross-talk in *results*; return the number of values checked."""
    errors = [e for result in results for e in result.errors]
    assert not errors, f"{target}: {len(errors)} errors, the first:\n" + "\n".join(errors[:10])
    assert sum(result.answers for result in results) == expected_answers, target
    assert not any(result.bound_after for result in results), f"{target}: a thread is left bound"
    return sum(result.checks for result in results)


def checks_of(calls: t.Iterable[Call]) -> int:
    """How many values :func:`check` checks for *calls*, counted from the plan."""
    return sum(5 if call.endpoint == "boom" else 4 + 11 + 6 * CHUNKS for call in calls)


def assert_no_growth(snapshots: list[dict[str, int]]) -> list[dict[str, int]]:
    """Assert that nothing is alive or has grown across the measured phases; return the growths.

    *snapshots* are :func:`~concurrency_app.live_objects` after the
    warm-up and after each of the two measured phases (640, then 1,920
    requests). What grows at all (caches, free lists, a server's idle
    connections) stays under bounds that do not depend on the number of
    requests, and that a leak of one object per request goes past: 600
    objects the collector tracks, fewer than the 640 requests of the first
    phase, and 1,500 memory blocks, fewer than the 1,920 of the second.
    """
    growths = []
    for before, after in zip(snapshots, snapshots[1:]):
        growth = {key: after[key] - before[key] for key in ("all", "blocks")}
        assert growth["all"] < 600 and growth["blocks"] < 1500, (before, after)
        growths.append(growth)
    for snapshot in snapshots:
        assert all_freed(snapshot), snapshot
    return growths


#: What :func:`all_freed` counts.
FREED = ("Request", "Response", "context", "stream")


def all_freed(live: dict[str, int]) -> bool:
    """Whether no request, response, context or streamed body is alive in *live*."""
    return all(live[key] == 0 for key in FREED)


def live_since(baseline: dict[str, int]) -> dict[str, int]:
    """:func:`~concurrency_app.live_objects` in this process, less what other tests left alive.

    The requests, responses, contexts and streamed bodies are counted
    from *baseline*, taken before the test (fewer than then counts as
    none); the totals are left as they are.
    """
    live = live_objects()
    return {**live, **{key: max(0, live[key] - baseline[key]) for key in FREED}}


# The load: real servers in a subprocess, and the test client.


def server_command(kind: str, port: int) -> list[str]:
    if kind == "gunicorn":
        return [
            sys.executable, "-m", "gunicorn",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--worker-class", "gthread",
            "--threads", str(THREADS),
            "--graceful-timeout", "1",
            "--timeout", "60",
            # Each load thread keeps one connection. gunicorn closes one
            # idle for 2 s (its default), and a POST sent on it just then
            # is reset: on a busy machine a thread can wait that long.
            "--keep-alive", "120",
            "--no-control-socket",
            "concurrency_app:create_site()",
        ]  # fmt: skip
    return [sys.executable, "-m", "concurrency_app", str(port)]


def get_stats(port: int, reset: bool = False) -> dict[str, t.Any]:
    """What the server's :class:`~concurrency_app.Probe` counted, and what is alive there."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", "/_stats?reset" if reset else "/_stats")
        response = connection.getresponse()
        assert response.status == 200
        return t.cast("dict[str, t.Any]", json.loads(response.read()))
    finally:
        connection.close()


def answers_stats(port: int) -> bool:
    """Whether the server on *port* answers ``/_stats``: its app is loaded."""
    try:
        get_stats(port)
    except (OSError, http.client.HTTPException, AssertionError):
        return False
    return True


SERVERS = ["werkzeug", "gunicorn"]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> t.Iterator[dict[str, ServerProcess]]:
    """werkzeug's threaded server and gunicorn's gthread worker, serving :func:`create_site`."""
    environ = server_environ()
    environ["PYTHONPATH"] = os.pathsep.join([str(HERE), environ["PYTHONPATH"]])
    folder = tmp_path_factory.mktemp("servers")
    processes = {
        kind: ServerProcess(
            kind,
            functools.partial(server_command, kind),
            folder / f"{kind}.out",
            environ,
            ready=answers_stats,
        )
        for kind in SERVERS
    }
    try:
        # Both start at once: each waits for its app to load.
        with ThreadPoolExecutor(len(processes)) as executor:
            for started in executor.map(ServerProcess.start, processes.values()):
                assert started is None
        yield processes
    finally:
        for process in processes.values():
            process.stop()


def counts_since(before: dict[str, t.Any], after: dict[str, t.Any]) -> dict[str, int]:
    return {
        name: value - before["counts"].get(name, 0)
        for name, value in after["counts"].items()
        if value != before["counts"].get(name, 0)
    }


def http_work(port: int, calls: list[Call], signers: Signers) -> t.Callable[[Result], None]:
    """What a thread of the load does: send *calls* on one connection, and check each answer."""

    def work(result: Result) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        try:
            for call in calls:
                try:
                    connection.request("POST", call.url, body=call.body, headers=call.headers)
                    response = connection.getresponse()
                    answer = Answer(
                        response.status,
                        response.getheader("X-After"),
                        response.msg.get_all("Set-Cookie") or [],
                        response.read(),
                    )
                    result.answers += 1
                    result.checks += check(call, answer, signers)
                except Exception as e:  # noqa: BLE001  # reported by the test
                    result.errors.append(f"{call.url}: {e!r}")
                    connection.close()
        finally:
            connection.close()

    return work


def raw_request(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    return sock


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        assert chunk, f"the server closed before sending {marker!r}: {data!r}"
        data += chunk
    return data


def wait_for(port: int, done: t.Callable[[dict[str, t.Any]], bool]) -> dict[str, t.Any]:
    deadline = time.monotonic() + TIMEOUT
    while True:
        stats = get_stats(port)
        if done(stats) or time.monotonic() > deadline:
            return stats
        time.sleep(0.05)


def client_work(client: t.Any, calls: list[Call], signers: Signers) -> t.Callable[[Result], None]:
    """What a thread of the load does: send *calls* with its own test client, and check each answer."""

    def work(result: Result) -> None:
        for call in calls:
            try:
                response = client.post(call.url, data=call.body, headers=call.headers)
                answer = Answer(
                    response.status_code,
                    response.headers.get("X-After"),
                    response.headers.getlist("Set-Cookie"),
                    response.get_data(),
                )
                result.answers += 1
                result.checks += check(call, answer, signers)
            except Exception as e:  # noqa: BLE001  # reported by the test
                result.errors.append(f"{call.url}: {e!r}")

    return work


def settled(port: int) -> dict[str, t.Any]:
    """The server's stats once it has closed every body and let go of the connections.

    A client may read an answer before the server closes its body, and
    closes its connection before the server drops it: wait until no
    request is alive and the number of objects holds still.
    """
    previous: list[int] = []

    def done(stats: dict[str, t.Any]) -> bool:
        previous.append(stats["live"]["all"])
        return (
            stats["inflight"] == 0
            and all_freed(stats["live"])
            and previous[-2:-1] == [stats["live"]["all"]]
        )

    return wait_for(port, done)


def gather(port: int, result: Result) -> None:
    """Wait at ``/gather`` with the other threads."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request("GET", MOUNTS["app"] + "/gather")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"gathered")
        result.answers += 1
    finally:
        connection.close()


def test_32_threads_of_100_requests(servers: dict[str, ServerProcess]) -> None:
    """32 threads × 100 requests to each server and through the test client, all at once.

    Every value of every answer is the request's own, and nothing fails.
    Then nothing is bound in any thread, no request object is alive and
    memory did not grow with the number of requests. The three loads
    run together, 96 threads, so that the file fits its time on two cores.
    """
    signers = Signers()
    ports = {kind: process.port for kind, process in servers.items()}
    # Over HTTP each request goes to one of the two apps of the site; a
    # test client talks to one app, so half the threads use each app.
    stats = Stats()
    apps = {kind: create_app(kind, stats) for kind in MOUNTS}
    kinds = sorted(MOUNTS)
    plans = {
        target: [
            plan(target, thread, signers, MOUNTS if target in ports else {kinds[thread % 2]: ""})
            for thread in range(THREADS)
        ]
        for target in [*ports, "test client"]
    }
    clients = [apps[calls[0].kind].test_client(use_cookies=False) for calls in plans["test client"]]
    # Have each server start all the threads of its pool first, and run a
    # request of the app in each: a thread started later, under the load,
    # would count as growth (its Thread object, the context it gets on
    # its first request).
    gathered = run_threads(
        [functools.partial(gather, port) for port in ports.values() for _ in range(THREADS)]
    )
    assert_clean(gathered, len(ports) * THREADS, "gathering")
    first = {target: get_stats(port, reset=True) for target, port in ports.items()}
    baseline = live_objects()
    snapshots: dict[str, list[dict[str, t.Any]]] = {target: [] for target in plans}
    checks = dict.fromkeys(plans, 0)
    for begin, end in PHASES:
        works = {
            target: [
                http_work(ports[target], calls[begin:end], signers)
                if target in ports
                else client_work(clients[thread], calls[begin:end], signers)
                for thread, calls in enumerate(thread_plans)
            ]
            for target, thread_plans in plans.items()
        }
        results = run_threads([work for target_works in works.values() for work in target_works])
        for i, target in enumerate(works):
            checks[target] += assert_clean(
                results[i * THREADS : (i + 1) * THREADS], THREADS * (end - begin), target
            )
        del works, results
        for target, port in ports.items():
            snapshots[target].append(settled(port))
        snapshots["test client"].append({"live": live_since(baseline)})

    total = THREADS * REQUESTS
    report = []
    for target, thread_plans in plans.items():
        assert checks[target] == checks_of(call for calls in thread_plans for call in calls)
        growths = assert_no_growth([snapshot["live"] for snapshot in snapshots[target]])
        report.append(
            f"{target}: {total} requests, {checks[target]} values checked,"
            f" growth over 640 then 1,920 requests: {growths}"
        )
    assert stats.counts == {"teardown_ok": total}
    for target, process in servers.items():
        after = snapshots[target][-1]
        # No request saw anything bound when it came in or after its
        # body was closed; each teardown saw its own request.
        assert counts_since(first[target], after) == {
            "requests": total,
            "closed": total,
            "teardown_ok": total,
        }, process.log()
        assert after["max_inflight"] > 1  # the requests did overlap
        # Nothing bound in a thread of the server's pool, nor in a fresh one.
        assert after["server_thread"] == [False, False]
        assert after["fresh_thread"] == [False, False]
        report.append(
            f"{target}: server CPU {after['cpu'] - first[target]['cpu']:.1f} s,"
            f" at most {after['max_inflight']} requests at once"
        )
    assert nothing_bound()
    print("\n" + "\n".join(report))


# Every way out of a request.


@pytest.mark.parametrize("kind", SERVERS)
def test_every_way_out_unbinds_on_a_real_server(
    servers: dict[str, ServerProcess], kind: str
) -> None:
    """A return, an exception, a streamed body the client closed early, a client gone: all unbind."""
    server = servers[kind]
    port = server.port
    before = get_stats(port)
    tags: dict[str, tuple[str, str]] = {}  # tag: (app kind, way out)
    for app_kind, mount in MOUNTS.items():
        # A return, and an exception: the default 500 page.
        for way in ("slow", "crash"):
            tag = f"{app_kind}-{way}"
            tags[tag] = (app_kind, way)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            try:
                connection.request("GET", f"{mount}/{way}?tag={tag}&sleep=0")
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            if way == "slow":
                assert (response.status, body) == (200, f"slow/{tag}".encode())
            else:
                assert response.status == 500
        # The client reads the first chunk of a streamed body, then closes.
        tag = f"{app_kind}-early"
        tags[tag] = (app_kind, "long")
        with raw_request(port, f"{mount}/long?tag={tag}") as sock:
            read_until(sock, f"start/{tag}".encode())
        # The client goes away before reading anything, from a streamed
        # body and from one the view returns whole, after a while.
        for way in ("long", "slow"):
            tag = f"{app_kind}-gone-{way}"
            tags[tag] = (app_kind, way)
            raw_request(port, f"{mount}/{way}?tag={tag}&sleep=0.05").close()

    def done(stats: dict[str, t.Any]) -> bool:
        ended = counts_since(before, stats).get("closed", 0)
        return (
            ended == len(tags)
            and stats["inflight"] == 0
            and all_freed(stats["live"])
            and all(
                tag in stats["finished"]
                for tag, (_, way) in tags.items()
                if way in {"long", "slow"}
            )
        )

    after = wait_for(port, done)
    assert done(after), (counts_since(before, after), after["finished"], server.log())
    for tag, (app_kind, way) in tags.items():
        if way == "long":
            # Closed early: the generator saw its own request while closing.
            closed = after["closed"][tag]
            assert closed["g"] == "g/" + tag
            assert closed["request_bound"] is True
            assert closed["sent"] < LONG_CHUNKS
        if way in {"long", "slow"}:
            assert after["finished"][tag] == {"g": "g/" + tag, "app": NAMES[app_kind]}
    assert counts_since(before, after) == {
        "requests": len(tags),
        "closed": len(tags),
        "teardown_ok": len(tags),
    }, server.log()
    assert after["inflight"] == 0
    assert after["server_thread"] == [False, False]
    assert after["fresh_thread"] == [False, False]
    assert all_freed(after["live"]), after["live"]


@pytest.mark.parametrize("kind", sorted(MOUNTS))
def test_every_way_out_unbinds_in_process(kind: str) -> None:
    """A return, an error answered, a 500, a propagated exception, a streamed body closed early."""
    baseline = live_objects()
    stats = Stats()
    app = create_app(kind, stats)
    client = app.test_client()
    # The 500 is logged with its traceback. pytest's log capture would keep
    # the record, and through the traceback the request: log to a string.
    log = io.StringIO()
    app.logger.addHandler(logging.StreamHandler(log))
    app.logger.propagate = False

    assert client.get("/slow?tag=return&sleep=0").get_data() == b"slow/return"
    assert nothing_bound()
    assert client.post("/boom/0/0?tag=handled&sleep=0").status_code == 500
    assert nothing_bound()
    assert client.get("/crash?tag=crash").status_code == 500
    assert "RuntimeError: crash/crash" in log.getvalue()
    assert nothing_bound()

    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="crash/propagated"):
        client.get("/crash?tag=propagated")
    assert nothing_bound()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = client.get("/long?tag=early", buffered=False)
    body = iter(response.response)
    assert next(body) == b"start/early\n"
    assert next(body).startswith(b"0/early/g/early")
    assert nothing_bound()  # between two chunks
    response.close()
    assert nothing_bound()
    assert stats.closed["early"] == {"g": "g/early", "sent": 1, "request_bound": True}
    assert stats.finished["early"] == {"g": "g/early", "app": app.name}
    assert stats.finished["return"] == {"g": "g/return", "app": app.name}
    assert stats.counts == {"teardown_ok": 5}
    del response, body
    assert all_freed(live_since(baseline))


# asyncio tasks interleaved on one thread.


def test_asyncio_tasks_keep_their_own_context() -> None:
    """Tasks that bind, sleep and read again each see only their own app, g and request."""
    baseline = live_objects()
    stats = Stats()
    apps = [create_app(kind, stats) for kind in sorted(MOUNTS)]
    tasks = 128
    rng = random.Random(SEED)
    delays = [[rng.uniform(0.0005, 0.005) for _ in range(4)] for _ in range(tasks)]
    active = {"now": 0, "most": 0}
    executor = ThreadPoolExecutor(4)

    def read_in_thread() -> tuple[str, str, str, str]:
        return request.args["tag"], request.headers["X-Tag"], g.x, current_app.name

    def look() -> tuple[bool, bool]:
        return has_request_context(), has_app_context()

    async def task(i: int) -> int:
        app = apps[i % len(apps)]
        tag = f"task{i}"
        loop = asyncio.get_running_loop()
        checks = 0

        def same(seen: t.Any, expected: t.Any) -> None:
            nonlocal checks
            checks += 1
            assert seen == expected, (i, seen, expected)

        same(look(), (False, False))
        with app.app_context():
            active["now"] += 1
            active["most"] = max(active["most"], active["now"])
            g.x = "g/" + tag
            await asyncio.sleep(delays[i][0])
            same(g.x, "g/" + tag)
            same(current_app._get_current_object(), app)
            same(look(), (False, True))
            with app.test_request_context(
                f"/echo/{i}/0?tag={tag}", method="POST", headers={"X-Tag": "h/" + tag}
            ):
                await asyncio.sleep(delays[i][1])
                same(request.args["tag"], tag)
                same(request.headers["X-Tag"], "h/" + tag)
                same(request.view_args, {"thread": i, "n": 0})
                same(url_for("echo", thread=i, n=1), f"/echo/{i}/1")
                same(g.x, "g/" + tag)  # the application context's g
                same(current_app._get_current_object(), app)
                # The executor does not copy the context; the wrapper binds it.
                wrapped = copy_current_request_context(read_in_thread)
                same(
                    await loop.run_in_executor(executor, wrapped),
                    (tag, "h/" + tag, "g/" + tag, app.name),
                )
                same(await loop.run_in_executor(executor, look), (False, False))
                await asyncio.sleep(delays[i][2])
                same(request.args["tag"], tag)
            same(look(), (False, True))
            same(g.x, "g/" + tag)
            active["now"] -= 1
        same(look(), (False, False))
        # A request context alone, without an application context around it.
        with app.test_request_context(f"/slow?tag={tag}"):
            g.x = "g/" + tag
            await asyncio.sleep(delays[i][3])
            same((request.args["tag"], g.x, current_app.name), (tag, "g/" + tag, app.name))
        same(look(), (False, False))
        return checks

    async def leaves_it_bound(app: App) -> tuple[bool, bool]:
        # Bound in this task's copy of the context and never unbound: it
        # ends with the task.
        app.app_context().push()
        g.x = "leaked?"
        await asyncio.sleep(0)
        return look()

    async def main() -> int:
        checks = sum(await asyncio.gather(*(task(i) for i in range(tasks))))
        assert active["most"] > 1  # the tasks did interleave
        with apps[0].app_context():
            g.x = "parent"
            # A child task starts with a copy of the parent's context:
            # it sees the parent's binding, and its own stays its own.
            seen = await asyncio.gather(*(leaves_it_bound(app) for app in apps))
            assert seen == [(False, True)] * len(apps)
            assert (g.x, current_app._get_current_object()) == ("parent", apps[0])
        assert look() == (False, False)
        await asyncio.gather(*(leaves_it_bound(app) for app in apps))
        assert look() == (False, False)
        return checks

    try:
        checks = asyncio.run(main())
    finally:
        executor.shutdown()
    assert checks == tasks * 18
    # Each request context ran its teardown hooks, with its own g.
    assert stats.counts == {"teardown_ok": 2 * tasks}
    assert all_freed(live_since(baseline))
    assert nothing_bound()
    print(f"\nasyncio: {tasks} tasks, {checks} values checked, {active['most']} at once")
