"""One module per framework, each with an app for every workload it can run.

A framework module has ``NAME`` (as ``--frameworks`` spells it),
``REQUIRES`` (the module that must import, else the framework is skipped
with a line that says so), ``APPS`` (workload name to a function that
makes a fresh WSGI app for it) and ``routes(count)`` (an app of *count*
parameterized routes, for the scaling measurement). ``--extra FILE`` adds
a module of the same shape from a file.
"""

from __future__ import annotations

import importlib
import importlib.util
import types


class Unavailable(Exception):
    """A framework or an app cannot be made here; the reason says why."""


#: The framework modules, in the order of the tables.
MODULES = {
    "microweb": "microweb_explicit",
    "microweb-proxy": "microweb_proxy",
    "microweb-compat": "microweb_compat",
    "flask": "flask_apps",
    "falcon": "falcon_apps",
    "bottle": "bottle_apps",
}

#: What to install to get a framework that is missing.
INSTALL = {
    "flask": "pip install flask",
    "falcon": "pip install falcon",
    "bottle": "pip install bottle",
}


def load(name: str, extra: dict[str, str] | None = None) -> types.ModuleType:
    """Import the framework module *name*; :class:`Unavailable` if it cannot run here."""
    if extra and name in extra:
        spec = importlib.util.spec_from_file_location(f"benchmarks_extra_{name}", extra[name])
        if spec is None or spec.loader is None:
            raise Unavailable(f"cannot load {extra[name]}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    if name not in MODULES:
        raise Unavailable(f"no framework module named {name!r} (known: {', '.join(MODULES)})")
    try:
        return importlib.import_module(f"{__name__}.{MODULES[name]}")
    except ImportError as e:
        hint = INSTALL.get(name, "pip install -e '.[bench]'")
        raise Unavailable(f"not installed ({e.name or e}); {hint}") from None


def extra_name(path: str) -> str:
    """Return the ``NAME`` of the framework module in the file *path*."""
    spec = importlib.util.spec_from_file_location("benchmarks_extra_probe", path)
    if spec is None or spec.loader is None:
        raise Unavailable(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.NAME)
