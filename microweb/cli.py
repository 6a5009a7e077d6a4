"""The ``microweb`` command: serve an app, list its routes."""

from __future__ import annotations

import importlib
import os
import sys
import typing as t

import click

from .app import App


def locate_app(target: str) -> App:
    """Import and return the app that *target* names.

    :param target: ``module``, ``module:name``, ``module:factory()`` or a
        path to a ``.py`` file, optionally followed by ``:name``. Without a
        name, the module's ``app`` or ``application``, its only
        :class:`App`, or the result of its ``create_app()`` is used.
    :raises click.UsageError: If nothing fitting is found.
    """
    module_name, _, attr = target.partition(":")
    if module_name.endswith(".py") or os.sep in module_name:
        path = os.path.abspath(module_name)
        directory, filename = os.path.split(path)
        module_name = os.path.splitext(filename)[0]
        if os.path.basename(filename) == "__init__.py":
            directory, module_name = os.path.split(directory)
        sys.path.insert(0, directory)
    elif "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        # Only a missing target is a usage error; an import failing inside
        # the app's own code shows its traceback.
        if e.name is None or not f"{module_name}.".startswith(f"{e.name}."):
            raise
        raise click.UsageError(f"Could not import {module_name!r}: {e}") from None
    if attr:
        call = attr.endswith("()")
        found = getattr(module, attr.removesuffix("()"), None)
        if call and callable(found):
            found = found()
        if isinstance(found, App):
            return found
        raise click.UsageError(f"{target!r} does not name a microweb App.")
    for name in ("app", "application"):
        if isinstance(getattr(module, name, None), App):
            return t.cast(App, getattr(module, name))
    apps = [v for v in vars(module).values() if isinstance(v, App)]
    if len(apps) == 1:
        return apps[0]
    factory = getattr(module, "create_app", None)
    if callable(factory):
        found = factory()
        if isinstance(found, App):
            return found
    raise click.UsageError(
        f"Found no single app in {module_name!r}: name it, as in"
        f" '--app {module_name}:app'."
    )


class _AppState:
    def __init__(self, target: str | None) -> None:
        self.target = target

    def load(self) -> App:
        if not self.target:
            raise click.UsageError(
                "Name the app with '--app module:app' or set MICROWEB_APP."
            )
        return locate_app(self.target)


@click.group()
@click.option(
    "--app",
    "target",
    envvar="MICROWEB_APP",
    metavar="IMPORT",
    help="The app: 'module:name', 'module' or 'path/to/file.py'. [env MICROWEB_APP]",
)
@click.version_option(package_name="microweb")
@click.pass_context
def cli(ctx: click.Context, target: str | None) -> None:
    """Serve and inspect microweb apps."""
    ctx.obj = _AppState(target)


@cli.command()
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="The interface to bind.")
@click.option("--port", "-p", default=5000, show_default=True, help="The port to bind.")
@click.option("--debug/--no-debug", default=None, help="Debug mode: reloader and debugger.")
@click.option("--reload/--no-reload", default=None, help="Restart when code changes.")
@click.pass_obj
def run(
    state: _AppState, host: str, port: int, debug: bool | None, reload: bool | None
) -> None:
    """Serve the app with the development server (not for production)."""
    app = state.load()
    if debug is not None:
        app.debug = debug
    app.run(
        host,
        port,
        use_reloader=app.debug if reload is None else reload,
        use_debugger=app.debug,
    )


@cli.command()
@click.pass_obj
def routes(state: _AppState) -> None:
    """List the app's routes: endpoint, methods and rule."""
    app = state.load()
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    rows = [
        (
            rule.endpoint,
            ", ".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})),
            rule.rule,
        )
        for rule in rules
    ]
    headers = ("Endpoint", "Methods", "Rule")
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(3)]
    for row in (headers, tuple("-" * w for w in widths), *rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def main() -> None:
    """Run the ``microweb`` command."""
    cli(prog_name="microweb")
