"""The app a server runs for ``--http``: ``benchmarks.served:app``.

The framework and workload come from the environment
(``BENCH_FRAMEWORK``, ``BENCH_WORKLOAD``), so one import string serves
them all under gunicorn and granian alike. ``raw`` is the floor: the
least plain WSGI that gives the same answers.
"""

from __future__ import annotations

import json
import os
import typing as t
from urllib.parse import parse_qs

from . import frameworks
from .harness import WSGIApp
from .workloads import json_answer


def raw_hello(environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [b"Hello, World!"]


def raw_json(environ: dict[str, t.Any], start_response: t.Callable[..., t.Any]) -> list[bytes]:
    user_id = int(environ["PATH_INFO"].rsplit("/", 1)[1])
    page = int(parse_qs(environ.get("QUERY_STRING", "")).get("page", ["1"])[0])
    body = json.dumps(json_answer(user_id, page)).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


RAW: dict[str, WSGIApp] = {"hello": raw_hello, "json": raw_json}


def make(framework: str, workload: str) -> WSGIApp:
    if framework == "raw":
        return RAW[workload]
    app: WSGIApp = frameworks.load(framework).APPS[workload]()
    return app


app = make(os.environ.get("BENCH_FRAMEWORK", "raw"), os.environ.get("BENCH_WORKLOAD", "hello"))
