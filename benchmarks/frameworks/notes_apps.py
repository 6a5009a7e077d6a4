"""The notes example, explicit (``examples/notes``) and Flask-style (``examples/notes_flask``).

Each is made by its ``create_app(test_config, *, instance_path=...)`` with
a database in a temporary folder (removed when the process ends), a fixed
secret key and a cheap password hash, since the benchmark logs in once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import typing as t

from .. import workloads as w
from ..harness import WSGIApp
from . import Unavailable

EXAMPLES = os.path.join(os.path.dirname(w.HERE), "examples")


def create(package: str) -> WSGIApp:
    """Return a fresh app of the example *package* (``notes`` or ``notes_flask``)."""
    if not os.path.isfile(os.path.join(EXAMPLES, package, "__init__.py")):
        raise Unavailable(f"examples/{package} is not in this checkout")
    if EXAMPLES not in sys.path:
        sys.path.insert(0, EXAMPLES)
    module = __import__(package)
    factory = getattr(module, "create_app", None)
    if factory is None:
        raise Unavailable(f"examples/{package} has no create_app yet")
    instance = tempfile.mkdtemp(prefix=f"bench-{package}-")
    atexit.register(shutil.rmtree, instance, True)
    app: WSGIApp = factory(
        {
            "DATABASE": os.path.join(instance, "notes.sqlite3"),
            "SECRET_KEY": w.SECRET_KEY,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        },
        instance_path=instance,
    )
    return app


def as_apps(package: str) -> dict[str, t.Callable[[], WSGIApp]]:
    return {"notes-page": lambda: create(package), "notes-api": lambda: create(package)}
