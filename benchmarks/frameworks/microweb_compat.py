"""The Flask-style views of ``microweb_proxy`` on ``microweb.compat.Flask``.

This is what a Flask app becomes when its ``from flask import ...`` lines
say ``from microweb.compat import ...``; the notes workloads run the
Flask-style twin of the notes example (``examples/notes_flask``), which is
written that way.
"""

from __future__ import annotations

import functools
import typing as t

from microweb.compat import Flask

from .. import workloads as w
from ..harness import WSGIApp
from . import microweb_proxy
from .notes_apps import as_apps

NAME = "microweb-compat"
REQUIRES = "microweb"


def compat_app() -> Flask:
    app = Flask("benchmarks", root_path=w.HERE, template_folder=w.TEMPLATE_FOLDER)
    app.config["SECRET_KEY"] = w.SECRET_KEY
    return app


def routes(count: int) -> WSGIApp:
    return microweb_proxy.routes(count, compat_app)


APPS: dict[str, t.Callable[[], WSGIApp]] = {
    **{
        name: functools.partial(make, compat_app)
        for name, make in microweb_proxy.BUILDERS.items()
    },
    **as_apps("notes_flask"),
}
