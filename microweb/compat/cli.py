"""``flask.cli``: Flask's command-line names over :mod:`microweb.cli`.

``FlaskGroup`` is a group with ``--app``, ``--env-file`` and ``--debug``
and microweb's built-in commands (``run``, ``routes``, ``shell``,
``check``); commands of an :class:`AppGroup` (``app.cli`` of a
:class:`~microweb.compat.Flask`) run inside ``app.app_context()``.
"""

from __future__ import annotations

import copy
import functools
import importlib
import os
import sys
import typing as t

import click

from .. import cli as _core
from ..cli import NoAppException as NoAppException
from ..cli import find_app_by_string
from ..cli import find_best_app as find_best_app
from ..cli import prepare_import as prepare_import
from .helpers import get_debug_flag

if t.TYPE_CHECKING:
    from ..app import App

F = t.TypeVar("F", bound=t.Callable[..., t.Any])


def load_dotenv(path: str | os.PathLike[str] | None = None, load_defaults: bool = True) -> bool:
    """Load ``.flaskenv`` and ``.env`` (then *path*) into ``os.environ``, as Flask does.

    Variables already set are kept; ``.env`` wins over ``.flaskenv``.

    :return: Whether a file set anything.
    """
    try:
        # python-dotenv is optional, and may not be installed to type-check.
        dotenv: t.Any = importlib.import_module("dotenv")
    except ImportError:
        if path or os.path.isfile(".env") or os.path.isfile(".flaskenv"):
            click.secho(
                " * Tip: There are .env files present. Install python-dotenv to use them.",
                fg="yellow",
                err=True,
            )
        return False
    data: dict[str, str | None] = {}
    if load_defaults:
        for name in (".flaskenv", ".env"):
            found = dotenv.find_dotenv(name, usecwd=True)
            if found:
                data |= dotenv.dotenv_values(found, encoding="utf-8")
    if path is not None and os.path.isfile(path):
        data |= dotenv.dotenv_values(path, encoding="utf-8")
    for key, value in data.items():
        if key not in os.environ and value is not None:
            os.environ[key] = value
    return bool(data)


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: t.Literal[True] = True
) -> App: ...


@t.overload
def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = ...
) -> App | None: ...


def locate_app(
    module_name: str, app_name: str | None, raise_if_not_found: bool = True
) -> App | None:
    """Import *module_name* and return the app *app_name* names in it (or its best app).

    :raises NoAppException: If the module or the app is not found; a module
        that is missing returns ``None`` instead without *raise_if_not_found*.
    """
    try:
        __import__(module_name)
    except ImportError:
        # Reraise the ImportError if it occurred within the imported module.
        if sys.exc_info()[2].tb_next:  # type: ignore[union-attr]  # set while handling
            raise NoAppException(
                f"While importing {module_name!r}, an ImportError was raised."
            ) from None
        if raise_if_not_found:
            raise NoAppException(f"Could not import {module_name!r}.") from None
        return None
    module = sys.modules[module_name]
    if app_name is None:
        return find_best_app(module)
    return find_app_by_string(module, app_name.strip())


class ScriptInfo(_core.ScriptInfo):
    """What the command knows of its app, with Flask's ``create_app`` and debug flag.

    :param app_import_path: ``module:name`` or a file path, as ``--app``.
    :param create_app: Called with no arguments to make the app.
    :param set_debug_flag: Set the app's debug from ``FLASK_DEBUG``.
    """

    def __init__(
        self,
        app_import_path: str | None = None,
        create_app: t.Callable[..., App] | None = None,
        set_debug_flag: bool = True,
        load_dotenv_defaults: bool = True,
    ) -> None:
        super().__init__(app_import_path, load_dotenv=False)
        self.create_app = create_app
        self.set_debug_flag = set_debug_flag
        self.load_dotenv_defaults = load_dotenv_defaults
        #: Anything a command wants to keep.
        self.data: dict[t.Any, t.Any] = {}
        self._loaded_app: App | None = None

    def names_an_app(self) -> bool:
        """Whether an app was given or named."""
        return bool(
            self._loaded_app
            or self.create_app
            or self.app_import_path
            or os.environ.get("FLASK_APP")
        )

    def load_app(self) -> App:
        """Return the app, finding or making it on the first call.

        :raises NoAppException: If no app is found.
        """
        if self._loaded_app is not None:
            return self._loaded_app
        app: App | None = None
        if self.create_app is not None:
            app = self.create_app()
        else:
            target = self.app_import_path or os.environ.get("FLASK_APP")
            if target:
                path, _, name = target.partition(":")
                import_name = prepare_import(path)
                app = locate_app(import_name, name or None)
            else:
                for path in ("wsgi.py", "app.py"):
                    import_name = prepare_import(path)
                    app = locate_app(import_name, None, raise_if_not_found=False)
                    if app is not None:
                        break
        if app is None:
            raise NoAppException(
                "Could not locate a Flask application. Use the 'flask --app'"
                " option, 'FLASK_APP' environment variable, or a 'wsgi.py' or"
                " 'app.py' file in the current directory."
            )
        if self.set_debug_flag:
            app.debug = get_debug_flag()
        self._loaded_app = app
        return app


pass_script_info = click.make_pass_decorator(ScriptInfo, ensure=True)


def with_appcontext(f: F) -> F:
    """Run the command inside the app's ``app.app_context()``."""

    @click.pass_context
    def decorator(ctx: click.Context, /, *args: t.Any, **kwargs: t.Any) -> t.Any:
        from .helpers import has_app_context

        if not has_app_context():
            # The core's ScriptInfo too: app.test_cli_runner() passes one.
            info = ctx.find_object(_core.ScriptInfo) or ctx.ensure_object(ScriptInfo)
            app = info.load_app()
            ctx.with_resource(app.app_context())  # type: ignore[attr-defined]  # proxies are on
        return ctx.invoke(f, *args, **kwargs)

    return t.cast(F, functools.update_wrapper(decorator, f))


class AppGroup(click.Group):
    """A click group whose commands run inside the app's application context."""

    def command(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Like click's, wrapped in :func:`with_appcontext` unless ``with_appcontext=False``."""
        wrap_for_ctx = kwargs.pop("with_appcontext", True)

        def decorator(f: t.Callable[..., t.Any]) -> click.Command:
            if wrap_for_ctx:
                f = with_appcontext(f)
            return click.Group.command(self, *args, **kwargs)(f)  # type: ignore[no-any-return]  # click's overloads

        return decorator

    def group(self, *args: t.Any, **kwargs: t.Any) -> t.Any:
        """Like click's, making an :class:`AppGroup` by default."""
        kwargs.setdefault("cls", AppGroup)
        return click.Group.group(self, *args, **kwargs)


def _set_app(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.ensure_object(ScriptInfo).app_import_path = value


def _set_debug(ctx: click.Context, param: click.Parameter, value: bool | None) -> None:
    if value is not None and not ctx.resilient_parsing:
        os.environ["FLASK_DEBUG"] = "1" if value else "0"


class FlaskGroup(AppGroup):
    """The ``flask`` command: ``--app``, ``--debug`` and the app's commands.

    :param add_default_commands: Add ``run``, ``routes`` and ``shell``.
    :param create_app: Called to make the app, instead of ``--app``.
    :param load_dotenv: Load ``.env`` and ``.flaskenv``.
    :param set_debug_flag: Set the app's debug from ``--debug``.
    """

    def __init__(
        self,
        add_default_commands: bool = True,
        create_app: t.Callable[..., App] | None = None,
        add_version_option: bool = True,
        load_dotenv: bool = True,
        set_debug_flag: bool = True,
        **extra: t.Any,
    ) -> None:
        params = list(extra.pop("params", None) or ())
        params.append(
            click.Option(
                ["-A", "--app"],
                metavar="IMPORT",
                is_eager=True,
                expose_value=False,
                callback=_set_app,
                help="The Flask application or factory function to load.",
            )
        )
        params.append(
            click.Option(
                ["--debug/--no-debug"],
                default=None,
                is_eager=True,
                expose_value=False,
                callback=_set_debug,
                help="Set debug mode.",
            )
        )
        super().__init__(params=params, **extra)
        self.create_app = create_app
        self.load_dotenv = load_dotenv
        self.set_debug_flag = set_debug_flag
        if add_default_commands:
            for command in (run_command, shell_command, routes_command):
                self.add_command(command)

    def _load_app(self, ctx: click.Context) -> App | None:
        info = ctx.ensure_object(ScriptInfo)
        try:
            return info.load_app()
        except NoAppException as e:
            click.secho(f"Error: {e.format_message()}\n", err=True, fg="red")
        return None

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command of the group, else of the app's ``cli``."""
        rv = super().get_command(ctx, name)
        if rv is not None:
            return rv
        app = self._load_app(ctx)
        if app is None:
            return None
        _core.in_app_context(ctx, app)
        return app.cli.get_command(ctx, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The group's commands and the app's."""
        return _core.with_app_commands(ctx, set(super().list_commands(ctx)))

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: t.Any,
    ) -> click.Context:
        """Make the context, its ``obj`` a :class:`ScriptInfo`."""
        os.environ["FLASK_RUN_FROM_CLI"] = "true"
        if "obj" not in extra and "obj" not in self.context_settings:
            extra["obj"] = ScriptInfo(
                create_app=self.create_app,
                set_debug_flag=self.set_debug_flag,
                load_dotenv_defaults=self.load_dotenv,
            )
        return super().make_context(info_name, args, parent=parent, **extra)



def _routes(*args: t.Any, **kwargs: t.Any) -> None:
    info = click.get_current_context().find_object(_core.ScriptInfo)
    if info is not None and next(info.load_app().url_map.iter_rules(), None) is None:
        click.echo("No routes were registered.")
        return
    _core.routes.callback(*args, **kwargs)  # type: ignore[misc]  # a command has one


#: microweb's built-in commands, under Flask's names. ``routes`` says
#: Flask's words when there are none.
run_command = _core.run
routes_command = copy.copy(_core.routes)
routes_command.callback = functools.update_wrapper(_routes, _core.routes.callback)  # type: ignore[arg-type]  # a command has one
shell_command = _core.shell

#: The ``flask`` command.
cli = FlaskGroup(name="flask")
