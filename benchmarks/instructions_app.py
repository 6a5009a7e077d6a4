"""Serve N hello requests in-process, for instruction counting (see instructions.sh).

    python benchmarks/instructions_app.py CODE_ROOT N PATH
"""

from __future__ import annotations

import sys
import typing as t
from wsgiref.util import setup_testing_defaults

sys.path.insert(0, sys.argv[1])

from microweb import App  # noqa: E402  # imported from CODE_ROOT

app = App("bench")


@app.route("/")
def index(request: t.Any) -> str:
    return "Hello!"


@app.route("/hello/<name>")
def hello(request: t.Any, name: str) -> str:
    return f"Hello, {name}!"


def start_response(status: str, headers: t.Any, exc_info: t.Any = None) -> None:
    pass


environ: dict[str, t.Any] = {}
setup_testing_defaults(environ)
environ["PATH_INFO"] = sys.argv[3]
b"".join(app(dict(environ), start_response))  # freezes the app
for _ in range(int(sys.argv[2])):
    b"".join(app(dict(environ), start_response))
