"""Runtime imports inside microweb point down the layers, never up.

A module may import, at runtime, only modules of its own layer or lower
ones; an upward import is for type checking alone (under
``if t.TYPE_CHECKING:``). A new module must be given a layer here. The
modules of ``microweb/compat/`` are all of the ``compat`` layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import microweb

PACKAGE = Path(microweb.__file__).parent

LAYERS: dict[str, int] = {
    "typing": 1,
    "config": 1,
    "logging": 1,
    "json": 1,
    "wrappers": 2,
    "responses": 2,
    "signing": 2,
    "urlencoded": 1,
    "routing": 2,
    "errors": 2,
    "registration": 2,
    "helpers": 3,
    "sessions": 3,
    "csrf": 3,
    "templating": 4,
    "blueprints": 4,
    "endpoints": 4,
    "views": 4,
    "app": 5,
    "__init__": 5,
    "testing": 6,
    "cli": 6,
    "deployment": 6,
    "__main__": 6,
    "compat": 6,
}

#: Upward imports made on demand inside a function, each with its reason.
ON_DEMAND = {
    ("app", "testing"): "app.test_client() and app.test_request() load the test"
    " tools only when a test calls them",
    ("app", "compat"): "App(..., proxies=True) loads the compatibility layer;"
    " an app without proxies never does",
}


def runtime_imports(path: Path) -> list[tuple[str, int]]:
    """Return (microweb module, line) for each import not under TYPE_CHECKING.

    In ``microweb/compat/``, ``from .x`` is the compat layer itself and
    ``from ..x`` a module of the core.
    """
    tree = ast.parse(path.read_text(), str(path))
    # How many levels of compat the module is in: 1 for compat/x.py, 2
    # for compat/json/x.py; 0 outside compat.
    parts = path.parent.parts
    depth = len(parts) - parts.index("compat") if "compat" in parts else 0
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, ast.ImportFrom):
                if depth and child.level <= depth:
                    found.append(("compat", child.lineno))
                elif depth and child.level == depth + 1 and child.module:
                    found.append((child.module.split(".")[0], child.lineno))
                elif depth and child.level == depth + 1:
                    found.extend((alias.name, child.lineno) for alias in child.names)
                elif child.level == 1 and child.module:
                    found.append((child.module.split(".")[0], child.lineno))
                elif child.level == 1:
                    found.extend((alias.name, child.lineno) for alias in child.names)
                elif child.level == 0 and (child.module or "").startswith("microweb."):
                    found.append((child.module.split(".")[1], child.lineno))
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("microweb."):
                        found.append((alias.name.split(".")[1], child.lineno))
            visit(child)

    visit(tree)
    return found


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules <= set(LAYERS), modules - set(LAYERS)


def layer_name(path: Path) -> str:
    return "compat" if "compat" in path.relative_to(PACKAGE).parts else path.stem


def test_runtime_imports_point_down() -> None:
    upward = []
    paths = sorted(PACKAGE.glob("*.py")) + sorted(PACKAGE.glob("compat/**/*.py"))
    assert len(paths) > len(list(PACKAGE.glob("*.py")))  # compat is scanned
    for path in paths:
        name = layer_name(path)
        for target, line in runtime_imports(path):
            if LAYERS[target] > LAYERS[name] and (name, target) not in ON_DEMAND:
                upward.append(
                    f"{path.relative_to(PACKAGE)}:{line} imports {target}"
                    f" (layer {LAYERS[target]})"
                )
    assert not upward


def test_on_demand_imports_are_inside_functions() -> None:
    for (name, target), _reason in ON_DEMAND.items():
        tree = ast.parse((PACKAGE / f"{name}.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                assert node.module != target, f"{name} imports {target} at module level"


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "wrappers.py"
    module.write_text(
        "import typing as t\n"
        "if t.TYPE_CHECKING:\n    from .app import App\n"
        "def f():\n    from .sessions import Session\n"
    )
    assert runtime_imports(module) == [("sessions", 5)]


def test_the_checker_reads_compat_imports(tmp_path: Path) -> None:
    module = tmp_path / "compat" / "helpers.py"
    module.parent.mkdir()
    module.write_text("from ..app import App\nfrom .context import g\nfrom .. import cli\n")
    assert runtime_imports(module) == [("app", 1), ("compat", 2), ("cli", 3)]
