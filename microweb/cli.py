"""The ``microweb`` command: find the app, serve it, inspect it, run its commands.

Built in: ``run``, ``routes``, ``shell`` and ``check``. An app adds its own
with ``@app.cli.command()``, a blueprint with ``@bp.cli.command()``. A
command reaches its app explicitly, by closing over it or with
:func:`with_app`; there is no current app.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import os
import re
import sys
import traceback
import typing as t

import click
from werkzeug.utils import import_string

from .app import App
from .deployment import Risk as Risk
from .deployment import deployment_risks as deployment_risks

if t.TYPE_CHECKING:
    import ssl
    import types

    from werkzeug.routing import Rule

P = t.ParamSpec("P")
R = t.TypeVar("R")

#: The names tried for an app in a module, before looking for its only App.
APP_NAMES = ("app", "application")
#: The factories tried, called with no arguments, when the module has no app.
FACTORY_NAMES = ("create_app", "make_app")
#: The files of environment variables loaded, when python-dotenv is
#: installed, from the current folder or the nearest parent that has them.
DOTENV_FILES = (".env", ".microwebenv")

_NO_APP = "Name the app with '--app module:app' or set MICROWEB_APP."


class NoAppException(click.UsageError):
    """What ``--app`` names could not be found or made into an app."""


# Finding the app.


def locate_app(target: str) -> App:
    """Import and return the app that *target* names.

    :param target: ``module``, ``package.module`` or ``path/to/file.py``,
        optionally followed by ``:name``, ``:factory`` (called with no
        arguments) or ``:factory('arg', key=1)``, whose arguments must be
        Python literals. Without a name, the module's ``app`` or
        ``application``, its only :class:`App`, or what ``create_app()``
        or ``make_app()`` returns.
    :raises NoAppException: If the module or the app is not found.
    :raises ImportError: If the app's own code fails to import something.
    """
    # A colon followed by a slash is a Windows drive, not a name.
    module_name, *rest = re.split(r":(?![\\/])", target, maxsplit=1)
    name = rest[0] if rest else ""
    module = _import(module_name)
    if not name:
        return find_best_app(module)
    return find_app_by_string(module, name)


def _import(target: str) -> types.ModuleType:
    """Import the module *target* names, a dotted name or a file path."""
    if target.endswith(".py") or "/" in target or os.sep in target:
        module_name = prepare_import(target)
    else:
        module_name = target
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module_name)
    except ImportError as e:
        # Only a missing target is a usage error; an import failing inside
        # the app's own code shows its traceback.
        if e.name is None or not f"{module_name}.".startswith(f"{e.name}."):
            raise
        raise NoAppException(f"Could not import {module_name!r}: {e}") from None


def prepare_import(path: str) -> str:
    """Put the folder above *path*'s package first on ``sys.path``; return its dotted name.

    ``app.py`` gives ``app``; ``pkg/sub/mod.py`` in a package ``pkg`` gives
    ``pkg.sub.mod``, with ``pkg``'s parent folder on ``sys.path``.
    """
    path = os.path.realpath(path)
    path = path[:-3] if path.endswith(".py") else path.rstrip(os.sep)
    if os.path.basename(path) == "__init__":
        path = os.path.dirname(path)
    names: list[str] = []
    while True:
        path, name = os.path.split(path)
        names.append(name)
        if not os.path.exists(os.path.join(path, "__init__.py")):
            break
    if sys.path[0] != path:
        sys.path.insert(0, path)
    return ".".join(reversed(names))


def find_best_app(module: types.ModuleType) -> App:
    """Return *module*'s app, or make it with its factory.

    :raises NoAppException: Saying what was tried, if there is none.
    """
    for name in APP_NAMES:
        found = getattr(module, name, None)
        if isinstance(found, App):
            return found
    apps = {id(v): v for v in vars(module).values() if isinstance(v, App)}
    if len(apps) == 1:
        return next(iter(apps.values()))
    module_name = module.__name__
    if apps:
        names = ", ".join(k for k, v in vars(module).items() if isinstance(v, App))
        raise NoAppException(
            f"Found several apps in {module_name!r} ({names}): name one, as in"
            f" '--app {module_name}:name'."
        )
    for name in FACTORY_NAMES:
        factory = getattr(module, name, None)
        if inspect.isfunction(factory):
            return _call_factory(factory, [], {}, f"{module_name}:{name}")
    raise NoAppException(
        f"Found no app in {module_name!r}. Tried the names"
        f" {' and '.join(map(repr, APP_NAMES))}, a single App in the module,"
        f" and the factories {' and '.join(f'{n}()' for n in FACTORY_NAMES)}."
        f" Name it, as in '--app {module_name}:name'."
    )


def find_app_by_string(module: types.ModuleType, expression: str) -> App:
    """Return the app that *expression*, ``name`` or ``factory(args)``, names in *module*.

    The arguments are parsed as Python literals with :mod:`ast`, never
    evaluated. A function named without parentheses is called with no
    arguments.

    :raises NoAppException: If *expression* is neither, or names no app.
    """
    module_name = module.__name__
    label = f"{module_name}:{expression}"
    try:
        node: ast.expr | None = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        node = None
    called = isinstance(node, ast.Call)
    func = node.func if isinstance(node, ast.Call) else node
    if not isinstance(func, ast.Name):
        raise NoAppException(
            f"{expression!r} is not a name or a call: use '--app {module_name}:name'"
            f" or '--app {module_name}:create_app(\"arg\", key=1)'."
        )
    args: list[t.Any] = []
    kwargs: dict[str, t.Any] = {}
    if isinstance(node, ast.Call):
        try:
            args = [ast.literal_eval(arg) for arg in node.args]
            for keyword in node.keywords:
                if keyword.arg is None:
                    raise ValueError("** is not a literal")
                kwargs[keyword.arg] = ast.literal_eval(keyword.value)
        except (ValueError, TypeError, SyntaxError):
            raise NoAppException(
                f"The arguments in {label!r} must be Python literals: strings,"
                " numbers, lists, dicts, True, False or None."
            ) from None
    try:
        found = getattr(module, func.id)
    except AttributeError:
        raise NoAppException(f"Module {module_name!r} has no {func.id!r}.") from None
    if called or (not isinstance(found, App) and inspect.isfunction(found)):
        if not callable(found):
            raise NoAppException(f"{module_name}:{func.id} is not callable.")
        return _call_factory(found, args, kwargs, label)
    if isinstance(found, App):
        return found
    raise NoAppException(
        f"{label!r} is a {type(found).__name__}, not a microweb App."
    )


def _call_factory(
    factory: t.Callable[..., t.Any],
    args: list[t.Any],
    kwargs: dict[str, t.Any],
    label: str,
) -> App:
    """Call an app factory, checking its arguments first."""
    try:
        inspect.signature(factory).bind(*args, **kwargs)
    except TypeError as e:
        raise NoAppException(
            f"Could not call {label}: {e}. Pass its arguments, as in"
            f" '--app {label.partition('(')[0]}(\"arg\", key=1)'."
        ) from None
    except ValueError:
        pass  # no signature to check; call it and see
    found = factory(*args, **kwargs)
    if not isinstance(found, App):
        raise NoAppException(f"{label} returned {found!r}, not a microweb App.")
    return found


# The environment.


def load_dotenv(path: str | os.PathLike[str] | None = None, *, defaults: bool = True) -> bool:
    """Load environment variables from *path*, then ``.env`` and ``.microwebenv``.

    Each file is looked for in the current folder and its parents. No
    variable already set is overridden, so the environment beats *path*,
    which beats ``.env``, which beats ``.microwebenv``.

    :param defaults: Load ``.env`` and ``.microwebenv``.
    :return: Whether python-dotenv is installed; without it nothing is
        loaded (a tip says so if the files exist).
    """
    try:
        dotenv = importlib.import_module("dotenv")
    except ImportError:
        if defaults and any(os.path.isfile(name) for name in DOTENV_FILES):
            click.secho(
                " * Tip: there are .env files here; install python-dotenv to use them.",
                err=True,
                fg="yellow",
            )
        return False
    if path is not None:
        dotenv.load_dotenv(path, override=False, encoding="utf-8")
    if defaults:
        for name in DOTENV_FILES:
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                dotenv.load_dotenv(found, override=False, encoding="utf-8")
    return True


class ScriptInfo:
    """What the ``microweb`` command knows of its app: the context's ``obj``.

    :param app_import_path: What ``--app`` named; ``MICROWEB_APP`` when
        ``None``.
    :param app: An app already made, as ``app.test_cli_runner()`` passes;
        then nothing is imported and no ``.env`` file is loaded.
    :param load_dotenv: Load ``.env`` and ``.microwebenv`` before finding
        the app.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        app: App | None = None,
        load_dotenv: bool = True,
    ) -> None:
        self.app_import_path = app_import_path
        #: The file ``--env-file`` named.
        self.env_file: str | None = None
        #: Whether ``.env`` and ``.microwebenv`` are loaded.
        self.load_dotenv_defaults = load_dotenv and app is None
        self._app = app
        self._env_loaded = False

    def load_env(self) -> None:
        """Load the ``--env-file`` and the ``.env`` files, once."""
        if not self._env_loaded:
            self._env_loaded = True
            if self.env_file is not None or self.load_dotenv_defaults:
                load_dotenv(self.env_file, defaults=self.load_dotenv_defaults)

    def names_an_app(self) -> bool:
        """Whether an app was given, named, or set in ``MICROWEB_APP``.

        The environment files are loaded first, as they may set it.
        """
        self.load_env()
        return bool(self._app or self.app_import_path or os.environ.get("MICROWEB_APP"))

    def load_app(self) -> App:
        """Return the app, finding it on the first call.

        :raises NoAppException: If no app is named, or it is not found.
        """
        if self._app is None:
            self.load_env()
            target = self.app_import_path or os.environ.get("MICROWEB_APP")
            if not target:
                raise NoAppException(_NO_APP)
            self._app = locate_app(target)
        return self._app


def with_app(f: t.Callable[t.Concatenate[App, P], R]) -> t.Callable[P, R]:
    """Pass the app to a command function as its first argument.

    ::

        @app.cli.command()
        @click.argument("count", type=int)
        @with_app
        def seed(app, count):
            ...

    The app is the one ``--app`` names, or the one
    ``app.test_cli_runner()`` is bound to. Put ``with_app`` under click's
    decorators.

    :raises click.UsageError: When the command runs, if no app is named
        or it is not found.
    """

    @functools.wraps(f)
    def command(*args: P.args, **kwargs: P.kwargs) -> R:
        info = click.get_current_context().find_object(ScriptInfo)
        if info is None:
            raise click.UsageError(
                f"{f.__name__} needs an app: run it through the microweb command"
                " or app.test_cli_runner()."
            )
        return f(info.load_app(), *args, **kwargs)

    return command


# The command.


class MicrowebGroup(click.Group):
    """A group of the built-in commands and the app's :attr:`App.cli` commands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The built-in names and the app's; help shows why the app's are missing."""
        names = {*super().list_commands(ctx), "proxies"}
        if not ctx.ensure_object(ScriptInfo).names_an_app():
            return sorted(names)
        return with_app_commands(ctx, names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else the app's; the app is loaded only then."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        if cmd_name == "proxies":
            # The compatibility layer's command, loaded only when run.
            from .compat.usage import proxies_command

            return proxies_command
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
            return None
        in_app_context(ctx, app)
        return app.cli.get_command(ctx, cmd_name)


def with_app_commands(ctx: click.Context, names: set[str]) -> list[str]:
    """Return *names* and the names of the app's commands, sorted.

    An app that fails to load is reported, not raised: help still lists
    the other commands, after the reason.
    """
    try:
        names.update(ctx.ensure_object(ScriptInfo).load_app().cli.list_commands(ctx))
    except NoAppException as e:
        click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
    except Exception:
        click.secho(f"{traceback.format_exc()}\n", err=True, fg="red")
    return sorted(names)


def in_app_context(ctx: click.Context, app: App) -> None:
    """With the proxies on, run the command inside ``app.app_context()``, as
    Flask's command does, so a command added with ``app.cli.add_command``
    may read ``current_app`` and ``g``."""
    app_context = getattr(app, "app_context", None)
    if app_context is not None and not _context_is_bound():
        ctx.with_resource(app_context())


def _context_is_bound() -> bool:
    from .compat.context import current

    return current() is not None


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _set_env_file(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    info = ctx.ensure_object(ScriptInfo)
    if value is not None:
        try:
            importlib.import_module("dotenv")
        except ImportError:
            raise click.BadParameter(
                "python-dotenv must be installed to load an env file:"
                " pip install python-dotenv.",
                ctx,
                param,
            ) from None
        info.env_file = value
    # Now, so that MICROWEB_APP and other options' variables can come from it.
    info.load_env()


@click.group(cls=MicrowebGroup)
@click.option(
    "--env-file",
    "-e",
    type=click.Path(exists=True, dir_okay=False),
    is_eager=True,
    expose_value=False,
    callback=_set_env_file,
    help="Load environment variables from this file, before .env and"
    " .microwebenv (python-dotenv must be installed).",
)
@click.option(
    "--app",
    "-A",
    metavar="IMPORT",
    envvar="MICROWEB_APP",
    is_eager=True,
    expose_value=False,
    callback=_set_app,
    help="The app: 'module', 'module:name', 'module:create_app(\"arg\")' or"
    " 'path/to/file.py'. [env MICROWEB_APP]",
)
@click.version_option(package_name="microweb")
def cli() -> None:
    """Serve and inspect microweb apps, and run their commands.

    Name the app with --app or MICROWEB_APP; its own commands are listed
    below with the built-in ones.
    """


#: What ``run --cert`` gives werkzeug's ``ssl_context``: a certificate file
#: and its key, ``"adhoc"``, an ``ssl.SSLContext``, or ``None`` for HTTP.
SSLContextValue = t.Union[str, tuple[str, str], "ssl.SSLContext", None]


if t.TYPE_CHECKING:
    _ParamType = click.ParamType[t.Any]
else:  # click 8.1's is not generic
    _ParamType = click.ParamType


class CertParamType(_ParamType):
    """``run --cert``: a certificate file, ``adhoc``, or the import name of an ``ssl.SSLContext``.

    Checked while the command line is parsed, so a bad value is a usage
    error before anything starts.
    """

    name = "path"

    def convert(
        self, value: t.Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> t.Any:
        try:
            ssl = importlib.import_module("ssl")
        except ImportError:
            self.fail("HTTPS needs a Python built with the ssl module.", param, ctx)
        if isinstance(value, ssl.SSLContext):
            return value
        if value == "adhoc":
            try:
                importlib.import_module("cryptography")
            except ImportError:
                self.fail(
                    "'adhoc' needs the cryptography package: pip install cryptography.",
                    param,
                    ctx,
                )
            return value
        if os.path.isfile(value):
            return value
        # An import name such as "mymodule.ssl_context".
        found = import_string(value, silent=True)
        if isinstance(found, ssl.SSLContext):
            return found
        self.fail(
            f"No file {value!r}: give a certificate file, 'adhoc', or the import"
            " name of an ssl.SSLContext (module.name).",
            param,
            ctx,
        )


def _pair_key_with_cert(ctx: click.Context, param: click.Parameter, key: str | None) -> None:
    """Check ``--key`` against ``--cert`` (parsed first) and pair a file with its key."""
    cert = ctx.params.get("cert")
    certificate_file = isinstance(cert, str) and cert != "adhoc"
    if key is None:
        if certificate_file:
            raise click.BadParameter(
                "'--cert' with a certificate file needs '--key'.", ctx, param
            )
        return
    if cert is None:
        raise click.BadParameter("'--key' needs '--cert'.", ctx, param)
    if not certificate_file:
        raise click.BadParameter(
            "'--cert adhoc' or an SSLContext brings its own key; leave '--key' out.",
            ctx,
            param,
        )
    ctx.params["cert"] = (cert, key)


@cli.command()
@click.option("--host", "-h", default="127.0.0.1", show_default=True, help="The interface to bind.")
@click.option("--port", "-p", default=5000, show_default=True, help="The port to bind.")
@click.option(
    "--debug/--no-debug",
    default=None,
    envvar="MICROWEB_DEBUG",
    help="Debug mode: reloader and debugger. [env MICROWEB_DEBUG]",
)
@click.option("--reload/--no-reload", default=None, help="Restart when code changes.")
@click.option(
    "--extra-files",
    multiple=True,
    metavar="PATHS",
    callback=lambda ctx, param, value: _split_paths(value),
    help=f"More files whose change restarts the server, separated by {os.pathsep!r}.",
)
@click.option(
    "--exclude-patterns",
    multiple=True,
    metavar="PATTERNS",
    callback=lambda ctx, param, value: _split_paths(value),
    help=f"fnmatch patterns of files the reloader ignores, separated by {os.pathsep!r}.",
)
@click.option(
    "--cert",
    type=CertParamType(),
    is_eager=True,
    help="Serve HTTPS with this certificate file, 'adhoc' for a throwaway one"
    " (needs the cryptography package), or the import name of an"
    " ssl.SSLContext, such as 'mymodule.ssl_context'.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False),
    expose_value=False,
    callback=_pair_key_with_cert,
    help="The private key file of --cert.",
)
@with_app
def run(
    app: App,
    host: str,
    port: int,
    debug: bool | None,
    reload: bool | None,
    extra_files: list[str],
    exclude_patterns: list[str],
    cert: SSLContextValue,
) -> None:
    """Serve the app with the development server (not for production)."""
    if debug is not None:
        app.debug = debug
    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":  # once, not again in the reloader
        click.secho(
            " * Development server, not for production: deploy with a WSGI server"
            " such as gunicorn or waitress.",
            err=True,
            fg="yellow",
        )
    # The core's run: a Flask-style app's own run() does nothing when
    # FLASK_RUN_FROM_CLI says a command serves it, as this one does.
    App.run(
        app,
        host,
        port,
        use_reloader=app.debug if reload is None else reload,
        use_debugger=app.debug,
        extra_files=extra_files or None,
        exclude_patterns=exclude_patterns or None,
        ssl_context=cert,
    )


def _split_paths(values: tuple[str, ...]) -> list[str]:
    return [path for value in values for path in value.split(os.pathsep) if path]


#: How ``routes --sort`` orders the rules.
_ROUTE_ORDER: dict[str, t.Callable[[Rule, str], tuple[str, ...]]] = {
    "endpoint": lambda rule, methods: (rule.endpoint, rule.rule),
    "methods": lambda rule, methods: (methods, rule.rule),
    "rule": lambda rule, methods: (rule.rule, rule.endpoint),
    # The order the matcher tries them in: the sort is stable.
    "match": lambda rule, methods: (),
}


@cli.command()
@click.option(
    "--sort",
    "-s",
    type=click.Choice(list(_ROUTE_ORDER)),
    default="endpoint",
    show_default=True,
    help="The column to sort by.",
)
@click.option("--all-methods", is_flag=True, help="Show HEAD and OPTIONS too.")
@with_app
def routes(app: App, sort: str, all_methods: bool) -> None:
    """List the app's routes: endpoint, methods and rule.

    A Host or Subdomain column shows when the app matches on them.
    """
    rules = list(app.url_map.iter_rules())
    if not rules:
        click.echo("No routes.")
        return
    hidden = set() if all_methods else {"HEAD", "OPTIONS"}
    methods = {id(rule): ", ".join(sorted((rule.methods or set()) - hidden)) for rule in rules}
    rules.sort(key=lambda rule: _ROUTE_ORDER[sort](rule, methods[id(rule)]))
    headers = ["Endpoint", "Methods"]
    rows = [[rule.endpoint, methods[id(rule)]] for rule in rules]
    if app.url_map.host_matching:
        headers.append("Host")
        for row, rule in zip(rows, rules):
            row.append(rule.host or "")
    elif app.router.subdomain_matching or any(rule.subdomain for rule in rules):
        headers.append("Subdomain")
        for row, rule in zip(rows, rules):
            row.append(rule.subdomain or "")
    headers.append("Rule")
    for row, rule in zip(rows, rules):
        row.append(rule.rule)
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]
    for row in (headers, ["-" * w for w in widths], *rows):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def make_shell_context(app: App) -> dict[str, t.Any]:
    """Return the namespace of ``microweb shell``: ``app`` and what the processors add."""
    namespace: dict[str, t.Any] = {"app": app}
    for processor in app.shell_context_processors:
        namespace.update(processor())
    return namespace


def _stdin_is_a_terminal() -> bool:
    return sys.stdin.isatty()


#: Starts a shell with a namespace and a banner.
StartShell = t.Callable[[dict[str, t.Any], str], None]


def _ipython() -> StartShell:
    ipython = importlib.import_module("IPython")

    def start(namespace: dict[str, t.Any], banner: str) -> None:
        click.echo(banner)
        ipython.start_ipython(argv=[], user_ns=namespace)

    return start


def _bpython() -> StartShell:
    bpython = importlib.import_module("bpython")

    def start(namespace: dict[str, t.Any], banner: str) -> None:
        bpython.embed(locals_=namespace, banner=banner)

    return start


def _python() -> StartShell:
    import code

    def start(namespace: dict[str, t.Any], banner: str) -> None:
        try:
            import readline
            import rlcompleter
        except ImportError:
            pass  # no line editing on this platform
        else:
            readline.set_completer(rlcompleter.Completer(namespace).complete)
            readline.parse_and_bind("tab: complete")
        startup = os.environ.get("PYTHONSTARTUP")
        if startup and os.path.isfile(startup):
            with open(startup, encoding="utf-8") as f:
                exec(compile(f.read(), startup, "exec"), namespace)
        code.interact(banner=banner, local=namespace, exitmsg="")

    return start


#: The shells ``shell`` can start, in the order ``auto`` tries them; each
#: loader raises ImportError if its shell is not installed.
_SHELLS: dict[str, t.Callable[[], StartShell]] = {
    "ipython": _ipython,
    "bpython": _bpython,
    "python": _python,
}


@cli.command()
@click.option(
    "--interface",
    "-i",
    type=click.Choice(["auto", *_SHELLS]),
    default="auto",
    show_default=True,
    help="The shell; auto tries IPython, then bpython, then the standard one.",
)
@with_app
def shell(app: App, interface: str) -> None:
    """Run a Python shell with the app in its namespace.

    The namespace holds 'app' and what app.shell_context_processor
    functions return. When stdin is not a terminal, the piped source runs
    instead:

        echo 'print(app.name)' | microweb --app hello shell
    """
    in_app_context(click.get_current_context(), app)
    namespace = make_shell_context(app)
    if not _stdin_is_a_terminal():
        exec(compile(sys.stdin.read(), "<stdin>", "exec"), namespace)
        return
    banner = (
        f"Python {sys.version} on {sys.platform}\n"
        f"App: {app.name}\nInstance: {app.instance_path}"
    )
    for name in list(_SHELLS) if interface == "auto" else [interface]:
        try:
            start = _SHELLS[name]()
        except ImportError:
            if interface == "auto":
                continue
            raise click.UsageError(f"{name} is not installed.") from None
        start(namespace, banner)
        return


@cli.command()
@click.option("--strict", is_flag=True, help="Exit with status 1 if there is any risk.")
@with_app
def check(app: App, strict: bool) -> None:
    """Check the app's configuration for deployment risks.

    Run it with the production configuration. Each risk is printed with
    its fix, one per line.
    """
    risks = deployment_risks(app)
    for risk in risks:
        click.echo(f"{risk.problem} Fix: {risk.fix}")
    if not risks:
        click.echo("No risks found.")
    elif strict:
        raise click.exceptions.Exit(1)


def main() -> None:
    """Run the ``microweb`` command."""
    cli(prog_name="microweb")
