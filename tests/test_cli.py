"""The ``microweb`` command: finding the app, its commands and the built-in ones.

Most tests run the command in-process, through click's runner or
``app.test_cli_runner()``; a few run ``python -m microweb``.
"""

from __future__ import annotations

import code
import importlib
import os
import re
import subprocess
import sys
import textwrap
import types
import typing as t
import uuid
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import werkzeug.serving
from click.testing import CliRunner, Result

import microweb.cli
from microweb import App, Blueprint, Request, csrf_exempt
from microweb.cli import cli, deployment_risks, make_shell_context, with_app

ROOT = Path(__file__).resolve().parents[1]

APP_SOURCE = """
from microweb import App, Blueprint

app = App(__name__)

@app.route("/")
def index(request):
    return "index"

@app.route("/items/<int:item_id>", methods=["GET", "POST"])
def item(request, item_id):
    return str(item_id)

admin = Blueprint("admin", __name__, url_prefix="/admin")

@admin.route("/users")
def users(request):
    return "users"

app.register_blueprint(admin)
"""

# Sorted by endpoint, as routes does by default.
EXPECTED_ROWS = [
    ["admin.users", "GET", "/admin/users"],
    ["index", "GET", "/"],
    ["item", "GET, POST", "/items/<int:item_id>"],
]

WriteModule = Callable[[str], Path]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # The CLI puts app folders on sys.path; give each test its own copy.
    monkeypatch.setattr(sys, "path", list(sys.path))
    for name in ("MICROWEB_APP", "MICROWEB_DEBUG", "WERKZEUG_RUN_MAIN"):
        monkeypatch.delenv(name, raising=False)
    # No .env file of the project's is loaded into the tests' environment.
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteModule:
    """Write *source* to a module of a unique name in tmp_path."""

    def write(source: str) -> Path:
        name = f"microweb_cli_app_{uuid.uuid4().hex}"
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        # Importing puts the module in sys.modules; these two calls make
        # monkeypatch remove it again at the end of the test.
        monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delitem(sys.modules, name)
        importlib.invalidate_caches()
        return path

    return write


def invoke(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, prog_name="microweb")


def route_rows(output: str, columns: int = 3) -> list[list[str]]:
    lines = output.splitlines()
    if columns == 3:
        assert lines[0].split() == ["Endpoint", "Methods", "Rule"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    return [re.split(r"\s{2,}", line.strip()) for line in lines[2:]]


def assert_routes(result: Result) -> None:
    assert result.exit_code == 0, result.output
    rows = route_rows(result.output)
    listed = [row for row in rows if row[0] in {"index", "item", "admin.users"}]
    assert listed == EXPECTED_ROWS
    assert "HEAD" not in result.output
    assert "OPTIONS" not in result.output


# Finding the app.


def test_routes_with_file_path(write_module: WriteModule) -> None:
    path = write_module(APP_SOURCE)

    assert_routes(invoke("--app", str(path), "routes"))


def test_routes_with_file_path_and_name(write_module: WriteModule) -> None:
    path = write_module(APP_SOURCE)

    assert_routes(invoke("--app", f"{path}:app", "routes"))


def test_routes_with_module_and_name(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(APP_SOURCE).stem
    monkeypatch.syspath_prepend(str(tmp_path))

    assert_routes(invoke("--app", f"{module}:app", "routes"))


def test_routes_with_module_only(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(APP_SOURCE).stem
    monkeypatch.syspath_prepend(str(tmp_path))

    assert_routes(invoke("--app", module, "routes"))


def test_routes_with_environment_variable(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(APP_SOURCE).stem
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("MICROWEB_APP", f"{module}:app")

    assert_routes(invoke("routes"))


def test_option_beats_environment_variable(
    write_module: WriteModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_module(APP_SOURCE)
    monkeypatch.setenv("MICROWEB_APP", "no_such_microweb_module_from_env")

    assert_routes(invoke("--app", str(path), "routes"))


def test_app_with_another_name_is_found(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(
        """
        from microweb import App

        website = App(__name__)

        @website.route("/only")
        def only(request):
            return "only"
        """
    ).stem
    monkeypatch.syspath_prepend(str(tmp_path))

    result = invoke("--app", module, "routes")

    assert result.exit_code == 0, result.output
    assert ["only", "GET", "/only"] in route_rows(result.output)


def test_factory_is_found(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(
        """
        from microweb import App

        def create_app():
            app = App(__name__)

            @app.route("/made", methods=["PUT"])
            def made(request):
                return "made"

            return app
        """
    ).stem
    monkeypatch.syspath_prepend(str(tmp_path))

    for target in (module, f"{module}:create_app()"):
        result = invoke("--app", target, "routes")
        assert result.exit_code == 0, result.output
        assert ["made", "PUT", "/made"] in route_rows(result.output)


def test_missing_app_is_a_usage_error() -> None:
    result = invoke("routes")

    assert result.exit_code == 2
    assert "--app" in result.output
    assert "MICROWEB_APP" in result.output
    assert "Traceback" not in result.output


def test_unknown_module_is_a_usage_error() -> None:
    result = invoke("--app", "no_such_microweb_module_xyz", "routes")

    assert result.exit_code == 2
    assert "no_such_microweb_module_xyz" in result.output
    assert "Traceback" not in result.output


def test_unknown_package_is_a_usage_error() -> None:
    result = invoke("--app", "no_such_microweb_package_xyz.module:app", "routes")

    assert result.exit_code == 2
    assert "no_such_microweb_package_xyz" in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / f"missing_{uuid.uuid4().hex}.py"

    result = invoke("--app", str(missing), "routes")

    assert result.exit_code == 2
    assert missing.stem in result.output


def test_module_without_an_app_is_a_usage_error(write_module: WriteModule) -> None:
    path = write_module("value = 1\n")

    result = invoke("--app", str(path), "routes")

    assert result.exit_code == 2
    assert path.stem in result.output


def test_name_that_is_not_an_app_is_a_usage_error(write_module: WriteModule) -> None:
    path = write_module("value = 1\n")

    result = invoke("--app", f"{path}:value", "routes")

    assert result.exit_code == 2
    assert "value" in result.output


def test_import_error_inside_the_app_is_not_hidden(write_module: WriteModule) -> None:
    path = write_module("import no_such_dependency_of_the_app_xyz\n")

    result = invoke("--app", str(path), "routes")

    assert result.exit_code == 1
    assert isinstance(result.exception, ImportError)
    assert result.exception.name == "no_such_dependency_of_the_app_xyz"


# Serving.


@pytest.fixture
def run_simple_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> list[tuple[str, int, object, dict[str, object]]]:
    calls: list[tuple[str, int, object, dict[str, object]]] = []

    def fake_run_simple(
        hostname: str, port: int, application: object, **options: object
    ) -> None:
        calls.append((hostname, port, application, options))

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    return calls


def loaded_app(path: Path) -> App:
    app = sys.modules[path.stem].app
    assert isinstance(app, App)
    return app


def test_run_defaults(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE)

    result = invoke("--app", str(path), "run")

    assert result.exit_code == 0, result.output
    [(host, port, application, options)] = run_simple_calls
    assert (host, port) == ("127.0.0.1", 5000)
    assert application is loaded_app(path)
    assert options["use_reloader"] is False
    assert options["use_debugger"] is False
    assert options["threaded"] is True


def test_run_host_port_and_debug(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE)

    result = invoke(
        "--app", str(path), "run", "--host", "0.0.0.0", "--port", "8080", "--debug"
    )

    assert result.exit_code == 0, result.output
    [(host, port, application, options)] = run_simple_calls
    assert (host, port) == ("0.0.0.0", 8080)
    assert application is loaded_app(path)
    assert loaded_app(path).debug is True
    assert options["use_reloader"] is True
    assert options["use_debugger"] is True


def test_run_short_options_and_no_reload(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE)

    result = invoke(
        "--app", str(path), "run", "-h", "::1", "-p", "8001", "--debug", "--no-reload"
    )

    assert result.exit_code == 0, result.output
    [(host, port, _, options)] = run_simple_calls
    assert (host, port) == ("::1", 8001)
    assert options["use_reloader"] is False
    assert options["use_debugger"] is True


def test_run_no_debug_overrides_config(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE + '\napp.config["DEBUG"] = True\n')

    result = invoke("--app", str(path), "run", "--no-debug")

    assert result.exit_code == 0, result.output
    [(_, _, application, options)] = run_simple_calls
    assert loaded_app(path).debug is False
    assert options["use_reloader"] is False
    assert options["use_debugger"] is False


def test_run_keeps_debug_from_config(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE + '\napp.config["DEBUG"] = True\n')

    result = invoke("--app", str(path), "run")

    assert result.exit_code == 0, result.output
    [(_, _, _, options)] = run_simple_calls
    assert options["use_reloader"] is True
    assert options["use_debugger"] is True


def test_run_bad_port_is_a_usage_error(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE)

    result = invoke("--app", str(path), "run", "--port", "eighty")

    assert result.exit_code == 2
    assert run_simple_calls == []


def test_run_without_app_is_a_usage_error(
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    result = invoke("run")

    assert result.exit_code == 2
    assert "MICROWEB_APP" in result.output
    assert run_simple_calls == []


# The command itself.


def test_help_lists_commands() -> None:
    result = invoke("--help")

    assert result.exit_code == 0
    assert "Usage: microweb" in result.output
    assert "routes" in result.output
    assert "run" in result.output
    assert "--app" in result.output


def test_python_dash_m_help() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MICROWEB_APP", None)

    result = subprocess.run(
        [sys.executable, "-m", "microweb", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert "Usage: microweb" in result.stdout
    assert "routes" in result.stdout
    assert "run" in result.stdout


# The app's own commands.


def test_app_command_through_test_cli_runner(app: App) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        click.echo(f"Initialized the database of {app.name}.")

    result = app.test_cli_runner().invoke(args=["init-db"])

    assert result.exit_code == 0, result.output
    assert result.output == "Initialized the database of test_app.\n"


def test_app_command_in_a_factory_closes_over_its_app(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(
        """
        import click
        from microweb import App

        def create_app(name="made"):
            app = App(name)

            @app.cli.command("init-db")
            @click.option("--drop", is_flag=True)
            def init_db(drop):
                click.echo(f"init {app.name} drop={drop}")

            return app
        """
    ).stem
    monkeypatch.syspath_prepend(str(tmp_path))

    result = invoke("--app", module, "init-db", "--drop")

    assert result.exit_code == 0, result.output
    assert result.output == "init made drop=True\n"


def test_with_app_passes_the_app_first(app: App) -> None:
    @app.cli.command()
    @click.argument("count", type=int)
    @with_app
    def seed(loaded: App, count: int) -> None:
        click.echo(f"{loaded is app} {count}")

    result = app.test_cli_runner().invoke(args=["seed", "3"])

    assert result.exit_code == 0, result.output
    assert result.output == "True 3\n"
    assert seed.name == "seed"


def test_with_app_on_a_standalone_command(app: App) -> None:
    @click.command()
    @with_app
    def hello(loaded: App) -> None:
        click.echo(loaded.name)

    assert app.test_cli_runner().invoke(hello).output == "test_app\n"
    result = CliRunner().invoke(hello)
    assert result.exit_code == 2
    assert "needs an app" in result.output


def test_app_command_with_add_command(app: App) -> None:
    @click.command("greet")
    @click.argument("name")
    def greet(name: str) -> None:
        click.echo(f"Hello, {name}!")

    app.cli.add_command(greet)

    assert app.test_cli_runner().invoke(args=["greet", "ann"]).output == "Hello, ann!\n"
    assert app.test_cli_runner().invoke(args="greet bob").output == "Hello, bob!\n"


def test_app_commands_appear_in_help(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_module(
        APP_SOURCE
        + '''
@app.cli.command("init-db")
def init_db():
    """Create the tables."""
'''
    )

    result = invoke("--app", str(path), "--help")

    assert result.exit_code == 0, result.output
    assert re.search(r"^  init-db\s+Create the tables\.$", result.output, re.M)
    for name in ("check", "routes", "run", "shell"):
        assert re.search(rf"^  {name}\s", result.output, re.M)


def test_built_in_commands_win_over_the_apps(app: App) -> None:
    @app.cli.command("routes")
    def mine() -> None:
        click.echo("mine")

    result = app.test_cli_runner().invoke(args=["routes"])

    assert "Endpoint" in result.output


def test_unknown_command_names_the_missing_app() -> None:
    result = invoke("init-db")

    assert result.exit_code == 2
    assert "MICROWEB_APP" in result.output
    assert "No such command 'init-db'" in result.output


def test_test_cli_runner_runs_built_in_commands(app: App) -> None:
    @app.route("/hello")
    def hello(request: Request) -> str:
        return "hello"

    result = app.test_cli_runner().invoke(args=["routes"])

    assert result.exit_code == 0, result.output
    assert ["hello", "GET", "/hello"] in route_rows(result.output)


def test_test_cli_runner_ignores_microweb_app(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROWEB_APP", "no_such_microweb_module_from_env")

    result = app.test_cli_runner().invoke(args=["routes"])

    assert result.exit_code == 0, result.output


# Blueprint commands.


def blueprint_with_command(**options: t.Any) -> Blueprint:
    users = Blueprint("users", __name__, **options)

    @users.cli.command()
    @click.option("--count", default=2)
    def seed(count: int) -> None:
        click.echo(f"seeded {count}")

    return users


def test_blueprint_commands_are_grouped_under_its_name(app: App) -> None:
    app.register_blueprint(blueprint_with_command())
    runner = app.test_cli_runner()

    assert runner.invoke(args=["users", "seed", "--count", "5"]).output == "seeded 5\n"
    assert re.search(r"^  users\s", runner.invoke(args=["--help"]).output, re.M)
    assert "seed" in runner.invoke(args=["users", "--help"]).output
    assert runner.invoke(args=["seed"]).exit_code == 2


def test_blueprint_commands_under_a_group_of_its_own(app: App) -> None:
    app.register_blueprint(blueprint_with_command(cli_group="people"))

    result = app.test_cli_runner().invoke(args=["people", "seed"])

    assert result.exit_code == 0, result.output
    assert result.output == "seeded 2\n"


def test_blueprint_commands_at_the_top_level(app: App) -> None:
    app.register_blueprint(blueprint_with_command(cli_group=None))

    result = app.test_cli_runner().invoke(args=["seed"])

    assert result.output == "seeded 2\n"


def test_register_blueprint_may_choose_the_group(app: App) -> None:
    users = blueprint_with_command()
    app.register_blueprint(users, cli_group="accounts")
    app.register_blueprint(users, name="staff", url_prefix="/staff")
    runner = app.test_cli_runner()

    assert runner.invoke(args=["accounts", "seed"]).output == "seeded 2\n"
    assert runner.invoke(args=["staff", "seed"]).output == "seeded 2\n"
    assert runner.invoke(args=["users", "seed"]).exit_code == 2


def test_blueprint_without_commands_adds_no_group(app: App) -> None:
    app.register_blueprint(Blueprint("quiet", __name__))

    assert "quiet" not in app.cli.commands


# More ways to name the app.

FACTORY_SOURCE = """
from microweb import App

def create_app(name="made", *, debug=False, extra=None):
    app = App(name)
    app.debug = debug

    @app.cli.command()
    def show():
        print(app.name, app.debug, extra)

    return app
"""


@pytest.fixture
def factory_module(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.syspath_prepend(str(tmp_path))
    return write_module(FACTORY_SOURCE).stem


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("create_app", "made False None"),
        ("create_app()", "made False None"),
        ("create_app('shop')", "shop False None"),
        ('create_app("shop", debug=True)', "shop True None"),
        ("create_app(extra={'a': [1, 2.5, None]})", "made False {'a': [1, 2.5, None]}"),
        (" create_app( 'x' ) ", "x False None"),
    ],
)
def test_factory_with_literal_arguments(factory_module: str, call: str, expected: str) -> None:
    result = invoke("--app", f"{factory_module}:{call}", "show")

    assert result.exit_code == 0, result.output
    assert result.output == expected + "\n"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("create_app(name)", "must be Python literals"),
        ("create_app(__import__('os').getcwd())", "must be Python literals"),
        ("create_app(**{'name': 'x'})", "must be Python literals"),
        ("create_app(1, 2)", "Could not call"),
        ("create_app(colour='red')", "Could not call"),
        ("create_app(", "not a name or a call"),
        ("factories.create_app()", "not a name or a call"),
        ("1 + 1", "not a name or a call"),
        ("missing_factory()", "has no 'missing_factory'"),
        ("App", "not a microweb App"),
    ],
)
def test_bad_factory_calls_are_usage_errors(
    factory_module: str, call: str, message: str
) -> None:
    result = invoke("--app", f"{factory_module}:{call}", "routes")

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_factory_arguments_are_never_evaluated(
    factory_module: str, tmp_path: Path
) -> None:
    marker = tmp_path / "evaluated"

    result = invoke(
        "--app", f"{factory_module}:create_app(open({str(marker)!r}, 'w'))", "routes"
    )

    assert result.exit_code == 2
    assert not marker.exists()


def test_make_app_is_found(write_module: WriteModule) -> None:
    path = write_module(
        """
        from microweb import App

        def make_app():
            return App("from_make_app")
        """
    )

    result = invoke("--app", str(path), "shell", input="print(app.name)")

    assert result.output == "from_make_app\n"


def test_application_is_found_before_other_apps(write_module: WriteModule) -> None:
    path = write_module(
        """
        from microweb import App

        other = App("other")
        application = App("application")
        """
    )

    result = invoke("--app", str(path), "shell", input="print(app.name)")

    assert result.output == "application\n"


def test_several_apps_are_a_usage_error(write_module: WriteModule) -> None:
    path = write_module(
        """
        from microweb import App

        one = App("one")
        two = App("two")
        """
    )

    result = invoke("--app", str(path), "routes")

    assert result.exit_code == 2
    assert "several apps" in result.output
    assert "one, two" in result.output


def test_factory_that_returns_no_app_is_a_usage_error(write_module: WriteModule) -> None:
    path = write_module("def create_app():\n    return 'not an app'\n")

    result = invoke("--app", str(path), "routes")

    assert result.exit_code == 2
    assert "not a microweb App" in result.output


def test_not_found_says_what_was_tried(write_module: WriteModule) -> None:
    path = write_module("value = 1\n")

    result = invoke("--app", str(path), "routes")

    for tried in ("'app'", "'application'", "single App", "create_app()", "make_app()"):
        assert tried in result.output


def test_factory_that_fails_shows_its_error(write_module: WriteModule) -> None:
    path = write_module("def create_app():\n    raise KeyError('DATABASE')\n")

    result = invoke("--app", str(path), "routes")

    assert result.exit_code == 1
    assert isinstance(result.exception, KeyError)


def test_module_in_a_package_by_file_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / f"microweb_cli_pkg_{uuid.uuid4().hex}"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "helpers.py").write_text("NAME = 'relative import works'\n")
    (package / "site.py").write_text(
        "from microweb import App\nfrom .helpers import NAME\napp = App(NAME)\n"
    )
    for name in (package.name, f"{package.name}.helpers", f"{package.name}.site"):
        monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delitem(sys.modules, name)

    for target in (str(package / "site.py"), f"{package / 'site.py'}:app"):
        result = invoke("--app", target, "shell", input="print(app.name)")
        assert result.output == "relative import works\n", result.output

    result = invoke("--app", str(package), "routes")
    assert result.exit_code == 2
    assert "Found no app" in result.output


def test_help_with_an_app_that_cannot_be_found_lists_built_in_commands(
    write_module: WriteModule,
) -> None:
    path = write_module("value = 1\n")

    result = invoke("--app", str(path), "--help")

    assert result.exit_code == 0
    assert "Found no app" in result.output
    assert re.search(r"^  routes\s", result.output, re.M)


def test_help_with_an_app_that_fails_shows_the_traceback(write_module: WriteModule) -> None:
    path = write_module("import no_such_dependency_of_the_app_xyz\n")

    result = invoke("--app", str(path), "--help")

    assert result.exit_code == 0
    assert "Traceback" in result.output
    assert "no_such_dependency_of_the_app_xyz" in result.output
    assert re.search(r"^  routes\s", result.output, re.M)


def test_help_without_an_app_lists_built_in_commands_quietly() -> None:
    result = invoke("--help")

    assert result.exit_code == 0
    assert "Error" not in result.output


def test_help_with_the_environment_variable_lists_app_commands(
    write_module: WriteModule, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = write_module(APP_SOURCE + "\n@app.cli.command()\ndef ping():\n    pass\n").stem
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("MICROWEB_APP", module)

    assert re.search(r"^  ping\s", invoke("--help").output, re.M)


# Serving: more options.


def test_run_warns_it_is_not_for_production(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE)

    result = invoke("--app", str(path), "run")

    [warning] = [line for line in result.output.splitlines() if "production" in line]
    assert "gunicorn" in warning and "waitress" in warning


def test_run_warns_once_with_the_reloader(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_module(APP_SOURCE)
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")

    result = invoke("--app", str(path), "run")

    assert "production" not in result.output


def test_run_extra_files_and_exclude_patterns(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
) -> None:
    path = write_module(APP_SOURCE)

    result = invoke(
        "--app", str(path), "run",
        "--extra-files", os.pathsep.join(["a.cfg", "b.toml"]),
        "--extra-files", "c.ini",
        "--exclude-patterns", "*.tmp",
    )

    assert result.exit_code == 0, result.output
    [(_, _, _, options)] = run_simple_calls
    assert options["extra_files"] == ["a.cfg", "b.toml", "c.ini"]
    assert options["exclude_patterns"] == ["*.tmp"]
    assert options["ssl_context"] is None


def test_run_cert_and_key(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    tmp_path: Path,
) -> None:
    path = write_module(APP_SOURCE)
    cert, key = tmp_path / "dev.crt", tmp_path / "dev.key"
    cert.write_text("cert")
    key.write_text("key")

    result = invoke("--app", str(path), "run", "--cert", str(cert), "--key", str(key))

    assert result.exit_code == 0, result.output
    [(_, _, _, options)] = run_simple_calls
    assert options["ssl_context"] == (str(cert), str(key))


def test_run_adhoc_cert(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_module(APP_SOURCE)
    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))

    result = invoke("--app", str(path), "run", "--cert", "adhoc")

    assert result.exit_code == 0, result.output
    [(_, _, _, options)] = run_simple_calls
    assert options["ssl_context"] == "adhoc"


def test_run_cert_from_an_import_name(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import ssl

    path = write_module(APP_SOURCE)
    module = types.ModuleType("tls_settings")
    module.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tls_settings", module)

    result = invoke("--app", str(path), "run", "--cert", "tls_settings.context")

    assert result.exit_code == 0, result.output
    [(_, _, _, options)] = run_simple_calls
    assert options["ssl_context"] is module.context  # type: ignore[attr-defined]
    # A module is not a context: the name must reach one.
    refused = invoke("--app", str(path), "run", "--cert", "tls_settings")
    assert refused.exit_code == 2
    assert "import name of an ssl.SSLContext" in refused.output


def test_run_adhoc_cert_needs_cryptography(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_module(APP_SOURCE)
    monkeypatch.setitem(sys.modules, "cryptography", None)

    result = invoke("--app", str(path), "run", "--cert", "adhoc")

    assert result.exit_code == 2
    assert "pip install cryptography" in result.output
    assert run_simple_calls == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key", "KEY"], "'--key' needs '--cert'"),
        (["--cert", "adhoc", "--key", "KEY"], "leave '--key' out"),
        (["--cert", "CERT"], "needs '--key'"),
        (["--cert", "missing.crt", "--key", "KEY"], "No file 'missing.crt'"),
    ],
)
def test_run_bad_cert_options_are_usage_errors(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    tmp_path: Path,
    args: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 'adhoc' is checked for the cryptography package first: as if installed.
    monkeypatch.setitem(sys.modules, "cryptography", types.ModuleType("cryptography"))
    path = write_module(APP_SOURCE)
    (tmp_path / "dev.crt").write_text("cert")
    (tmp_path / "dev.key").write_text("key")
    replace = {"CERT": str(tmp_path / "dev.crt"), "KEY": str(tmp_path / "dev.key")}

    result = invoke("--app", str(path), "run", *[replace.get(a, a) for a in args])

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert run_simple_calls == []


def test_run_debug_from_the_environment(
    write_module: WriteModule,
    run_simple_calls: list[tuple[str, int, object, dict[str, object]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_module(APP_SOURCE)
    monkeypatch.setenv("MICROWEB_DEBUG", "1")

    result = invoke("--app", str(path), "run")

    assert result.exit_code == 0, result.output
    assert loaded_app(path).debug is True


def test_run_through_test_cli_runner(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, t.Any]] = []
    monkeypatch.setattr(App, "run", lambda self, *args, **kwargs: calls.append(kwargs))

    result = app.test_cli_runner().invoke(args=["run", "--no-reload"])

    assert result.exit_code == 0, result.output
    assert calls[0]["use_reloader"] is False


# Routes: sorting, hosts and subdomains.


def test_routes_sort(write_module: WriteModule) -> None:
    path = write_module(APP_SOURCE)

    def endpoints(*args: str) -> list[str]:
        result = invoke("--app", str(path), "routes", *args)
        assert result.exit_code == 0, result.output
        return [row[0] for row in route_rows(result.output)]

    assert endpoints() == ["admin.users", "index", "item", "static"]
    assert endpoints("--sort", "endpoint") == endpoints()
    assert endpoints("--sort", "rule") == ["index", "admin.users", "item", "static"]
    assert endpoints("-s", "methods") == ["index", "admin.users", "static", "item"]
    assert invoke("--app", str(path), "routes", "--sort", "colour").exit_code == 2


def test_routes_all_methods(app: App) -> None:
    @app.route("/form", methods=["POST"])
    def form(request: Request) -> str:
        return ""

    result = app.test_cli_runner().invoke(args=["routes", "--all-methods"])

    assert ["form", "OPTIONS, POST", "/form"] in route_rows(result.output)
    assert ["static", "GET, HEAD, OPTIONS", "/static/<path:filename>"] in route_rows(
        result.output
    )


def test_routes_without_host_or_subdomain_have_three_columns(app: App) -> None:
    result = app.test_cli_runner().invoke(args=["routes"])

    assert "Host" not in result.output
    assert "Subdomain" not in result.output


def test_routes_show_the_host_when_the_app_matches_hosts(tmp_path: Path) -> None:
    app = App("hosts", root_path=str(tmp_path), host_matching=True, static_folder=None)

    @app.route("/", host="shop.test")
    def index(request: Request) -> str:
        return ""

    output = app.test_cli_runner().invoke(args=["routes"]).output

    assert output.splitlines()[0].split() == ["Endpoint", "Methods", "Host", "Rule"]
    assert ["index", "GET", "shop.test", "/"] in route_rows(output, 4)


def test_routes_show_the_subdomain(app: App) -> None:
    @app.route("/", subdomain="api")
    def api_index(request: Request) -> str:
        return ""

    output = app.test_cli_runner().invoke(args=["routes"]).output

    assert output.splitlines()[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert ["api_index", "GET", "api", "/"] in route_rows(output, 4)


def test_routes_show_the_subdomain_column_when_the_app_matches_subdomains(
    tmp_path: Path,
) -> None:
    app = App("subs", root_path=str(tmp_path), subdomain_matching=True)

    output = app.test_cli_runner().invoke(args=["routes"]).output

    assert output.splitlines()[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]


def test_routes_of_an_app_without_routes(tmp_path: Path) -> None:
    app = App("empty", root_path=str(tmp_path), static_folder=None)

    assert app.test_cli_runner().invoke(args=["routes"]).output == "No routes.\n"


# The shell.


def test_shell_runs_piped_source_with_the_app(app: App) -> None:
    @app.shell_context_processor
    def names() -> dict[str, t.Any]:
        return {"answer": 42}

    result = app.test_cli_runner().invoke(
        args=["shell"], input="print(app.name)\nprint(answer + 1)\n"
    )

    assert result.exit_code == 0, result.output
    assert result.output == "test_app\n43\n"


def test_shell_context_processors_are_called_in_order(app: App) -> None:
    app.shell_context_processor(lambda: {"a": 1, "b": 1})
    app.shell_context_processor(lambda: {"b": 2})

    assert make_shell_context(app) == {"app": app, "a": 1, "b": 2}


def test_shell_piped_source_that_fails(app: App) -> None:
    result = app.test_cli_runner().invoke(args=["shell"], input="1 / 0\n")

    assert result.exit_code == 1
    assert isinstance(result.exception, ZeroDivisionError)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(microweb.cli, "_stdin_is_a_terminal", lambda: True)


@pytest.fixture
def interact_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, t.Any]]:
    calls: list[dict[str, t.Any]] = []
    monkeypatch.setattr(code, "interact", lambda **kwargs: calls.append(kwargs))
    monkeypatch.delenv("PYTHONSTARTUP", raising=False)
    return calls


@pytest.mark.usefixtures("terminal")
def test_shell_standard_interpreter(
    app: App, interact_calls: list[dict[str, t.Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app.shell_context_processor(lambda: {"db": "the db"})
    startup = tmp_path / "startup.py"
    startup.write_text("from_startup = app.name\n")
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))

    result = app.test_cli_runner().invoke(args=["shell", "--interface", "python"])

    assert result.exit_code == 0, result.output
    [call] = interact_calls
    assert call["local"]["app"] is app
    assert call["local"]["db"] == "the db"
    assert call["local"]["from_startup"] == "test_app"
    assert "App: test_app" in call["banner"]
    assert f"Instance: {app.instance_path}" in call["banner"]


@pytest.mark.usefixtures("terminal")
def test_shell_prefers_ipython(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, t.Any]] = []
    ipython = types.ModuleType("IPython")
    ipython.start_ipython = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "IPython", ipython)

    result = app.test_cli_runner().invoke(args=["shell"])

    assert result.exit_code == 0, result.output
    [call] = calls
    assert call["user_ns"]["app"] is app
    assert call["argv"] == []


@pytest.mark.usefixtures("terminal")
def test_shell_falls_back_to_bpython_then_python(
    app: App, monkeypatch: pytest.MonkeyPatch, interact_calls: list[dict[str, t.Any]]
) -> None:
    calls: list[dict[str, t.Any]] = []
    bpython = types.ModuleType("bpython")
    bpython.embed = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "IPython", None)
    monkeypatch.setitem(sys.modules, "bpython", bpython)
    runner = app.test_cli_runner()

    runner.invoke(args=["shell"])
    [call] = calls
    assert call["locals_"]["app"] is app
    assert "App: test_app" in call["banner"]

    monkeypatch.setitem(sys.modules, "bpython", None)
    runner.invoke(args=["shell"])
    assert len(interact_calls) == 1


@pytest.mark.usefixtures("terminal")
def test_shell_asked_for_a_missing_interface(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bpython", None)

    result = app.test_cli_runner().invoke(args=["shell", "-i", "bpython"])

    assert result.exit_code == 2
    assert "bpython is not installed" in result.output


# .env files.


@pytest.fixture
def env_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder as the current one; the variables the tests load are undone."""
    folder = tmp_path / "project"
    folder.mkdir()
    monkeypatch.chdir(folder)
    for name in ("MICROWEB_APP", "MICROWEB_CLI_TEST_A", "MICROWEB_CLI_TEST_B"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return folder


@pytest.fixture
def fake_dotenv(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stand in for python-dotenv, so these tests need nothing installed.

    It reads ``NAME=value`` lines from files in the current folder, never
    overriding, and returns the list of the files it loaded.
    """
    loaded: list[str] = []
    dotenv = types.ModuleType("dotenv")

    def find_dotenv(filename: str, usecwd: bool = False) -> str:
        assert usecwd
        return os.path.abspath(filename) if os.path.isfile(filename) else ""

    def load_dotenv(path: str, override: bool = True, encoding: str | None = None) -> bool:
        assert override is False
        loaded.append(os.path.basename(path))
        for line in Path(path).read_text().splitlines():
            name, _, value = line.partition("=")
            os.environ.setdefault(name, value)
        return True

    dotenv.find_dotenv = find_dotenv  # type: ignore[attr-defined]  # a stand-in module
    dotenv.load_dotenv = load_dotenv  # type: ignore[attr-defined]  # a stand-in module
    monkeypatch.setitem(sys.modules, "dotenv", dotenv)
    return loaded


PRINT_ENV = (
    "import os; print(os.environ.get('MICROWEB_CLI_TEST_A'),"
    " os.environ.get('MICROWEB_CLI_TEST_B'))"
)


def test_dotenv_files_are_loaded_without_overriding(
    env_folder: Path,
    fake_dotenv: list[str],
    write_module: WriteModule,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_module(APP_SOURCE)
    (env_folder / ".env").write_text(f"MICROWEB_APP={path}\nMICROWEB_CLI_TEST_A=env\n")
    (env_folder / ".microwebenv").write_text(
        "MICROWEB_CLI_TEST_A=microwebenv\nMICROWEB_CLI_TEST_B=microwebenv\n"
    )

    result = invoke("shell", input=PRINT_ENV)

    assert result.output == "env microwebenv\n", result.output
    assert fake_dotenv == [".env", ".microwebenv"]

    monkeypatch.setenv("MICROWEB_CLI_TEST_B", "set")
    monkeypatch.setenv("MICROWEB_CLI_TEST_A", "set")
    assert invoke("shell", input=PRINT_ENV).output == "set set\n"


def test_env_file_option_comes_first(
    env_folder: Path, fake_dotenv: list[str], write_module: WriteModule
) -> None:
    path = write_module(APP_SOURCE)
    (env_folder / ".env").write_text("MICROWEB_CLI_TEST_A=env\nMICROWEB_CLI_TEST_B=env\n")
    (env_folder / "prod.env").write_text(f"MICROWEB_APP={path}\nMICROWEB_CLI_TEST_A=prod\n")

    result = invoke("--env-file", "prod.env", "shell", input=PRINT_ENV)

    assert result.output == "prod env\n", result.output
    assert fake_dotenv == ["prod.env", ".env"]


def test_env_file_option_must_exist(env_folder: Path, fake_dotenv: list[str]) -> None:
    result = invoke("--env-file", "missing.env", "routes")

    assert result.exit_code == 2
    assert "missing.env" in result.output


def test_dotenv_files_give_app_commands_to_help(
    env_folder: Path, fake_dotenv: list[str], write_module: WriteModule
) -> None:
    path = write_module(APP_SOURCE + "\n@app.cli.command()\ndef ping():\n    pass\n")
    (env_folder / ".env").write_text(f"MICROWEB_APP={path}\n")

    assert re.search(r"^  ping\s", invoke("--help").output, re.M)


def test_dotenv_files_are_loaded_once(
    env_folder: Path, fake_dotenv: list[str], write_module: WriteModule
) -> None:
    path = write_module(APP_SOURCE + "\n@app.cli.command()\ndef ping():\n    pass\n")
    (env_folder / ".env").write_text(f"MICROWEB_APP={path}\n")

    assert invoke("ping").exit_code == 0
    assert fake_dotenv == [".env"]


def test_with_python_dotenv_files_are_found_in_parent_folders(
    env_folder: Path, write_module: WriteModule, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one test of the real python-dotenv: optional for users, a
    # test dependency (the dev extra), so this always runs.
    path = write_module(APP_SOURCE)
    (env_folder / ".env").write_text(f"MICROWEB_APP={path}\nMICROWEB_CLI_TEST_A=env\n")
    (env_folder / ".microwebenv").write_text(
        "MICROWEB_CLI_TEST_A=microwebenv\nMICROWEB_CLI_TEST_B=microwebenv\n"
    )
    (env_folder / "sub").mkdir()
    monkeypatch.chdir(env_folder / "sub")

    result = invoke("shell", input=PRINT_ENV)

    assert result.output == "env microwebenv\n", result.output


def test_without_python_dotenv_nothing_is_loaded(
    env_folder: Path, monkeypatch: pytest.MonkeyPatch, write_module: WriteModule
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    path = write_module(APP_SOURCE)
    (env_folder / ".env").write_text("MICROWEB_CLI_TEST_A=env\n")

    result = invoke("--app", str(path), "shell", input=PRINT_ENV)

    assert result.exit_code == 0, result.output
    assert "install python-dotenv" in result.output
    assert result.output.endswith("None None\n")

    result = invoke("--env-file", ".env", "--app", str(path), "routes")
    assert result.exit_code == 2
    assert "python-dotenv must be installed" in result.output


def test_test_cli_runner_loads_no_dotenv_file(
    app: App, env_folder: Path, fake_dotenv: list[str]
) -> None:
    (env_folder / ".env").write_text("MICROWEB_CLI_TEST_A=env\n")

    result = app.test_cli_runner().invoke(args=["shell"], input=PRINT_ENV)

    assert result.output == "None None\n"
    assert fake_dotenv == []


# The deployment check.

SAFE_CONFIG: dict[str, t.Any] = {
    "DEBUG": False,
    "SECRET_KEY": "k" * 32,
    "SESSION_COOKIE_SECURE": True,
    "TRUSTED_HOSTS": ["example.com"],
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "CSRF_ENABLED": True,
}


@pytest.fixture
def safe_app(tmp_path: Path) -> App:
    app = App("safe_app", root_path=str(tmp_path / "project"))
    app.config.update(SAFE_CONFIG)

    @app.route("/form", methods=["GET", "POST"])
    def form(request: Request) -> str:
        return ""

    return app


def check(app: App, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=["check", *args])


def test_check_a_safe_app(safe_app: App) -> None:
    result = check(safe_app, "--strict")

    assert result.exit_code == 0, result.output
    assert result.output == "No risks found.\n"
    assert deployment_risks(safe_app) == []


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"DEBUG": True}, "DEBUG is on."),
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "k" * 31}, "SECRET_KEY is 31 bytes long"),
        ({"SECRET_KEY": b"k" * 16}, "SECRET_KEY is 16 bytes long"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
        ({"TRUSTED_HOSTS": None}, "TRUSTED_HOSTS is not set"),
        ({"TRUSTED_HOSTS": []}, "TRUSTED_HOSTS is not set"),
        ({"MAX_CONTENT_LENGTH": None}, "MAX_CONTENT_LENGTH is not set"),
        ({"CSRF_ENABLED": False}, "CSRF_ENABLED is off"),
    ],
)
def test_check_finds_each_config_risk(
    safe_app: App, config: dict[str, t.Any], problem: str
) -> None:
    safe_app.config.update(config)

    result = check(safe_app)

    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith(problem)
    assert " Fix: " in line
    strict = check(safe_app, "--strict")
    assert strict.exit_code == 1
    assert strict.output == result.output


def test_check_lists_every_risk_one_per_line(tmp_path: Path) -> None:
    app = App("unsafe", root_path=str(tmp_path))
    app.debug = True

    lines = check(app).output.splitlines()

    assert [line.split()[0] for line in lines] == [
        "DEBUG",
        "SECRET_KEY",
        "SESSION_COOKIE_SECURE",
        "TRUSTED_HOSTS",
        "MAX_CONTENT_LENGTH",
    ]
    assert all(" Fix: " in line for line in lines)


def test_check_csrf_names_the_unprotected_endpoints(safe_app: App) -> None:
    safe_app.config["CSRF_ENABLED"] = False
    api = Blueprint("api", __name__)
    admin = Blueprint("admin", __name__)

    @safe_app.route("/delete", methods=["DELETE"])
    def delete(request: Request) -> str:
        return ""

    @safe_app.route("/hook", methods=["POST"])
    @csrf_exempt
    def hook(request: Request) -> str:
        return ""

    @safe_app.route("/read")
    def read(request: Request) -> str:
        return ""

    @api.route("/items", methods=["PUT"])
    def items(request: Request) -> str:
        return ""

    @admin.route("/users", methods=["PATCH"])
    def users(request: Request) -> str:
        return ""

    csrf_exempt(api)
    safe_app.register_blueprint(api, url_prefix="/api")
    safe_app.register_blueprint(admin, url_prefix="/admin")

    [line] = check(safe_app).output.splitlines()

    assert "DELETE, PATCH, POST, PUT: admin.users, delete, form." in line


def test_check_csrf_off_without_unsafe_routes_is_no_risk(tmp_path: Path) -> None:
    app = App("read_only", root_path=str(tmp_path))
    app.config.update(SAFE_CONFIG, CSRF_ENABLED=False)

    @app.route("/")
    def index(request: Request) -> str:
        return ""

    assert check(app).output == "No risks found.\n"


def test_check_static_folder_with_python_code(safe_app: App) -> None:
    static = Path(t.cast(str, safe_app.static_folder))
    (static / "js").mkdir(parents=True)
    (static / "js" / "app.js").write_text("")
    (static / "js" / "settings.py").write_text("")

    [line] = check(safe_app).output.splitlines()

    assert line.startswith(f"The static folder {static} holds Python code: ")
    assert "settings.py" in line


def test_check_static_folder_that_is_the_app_folder(tmp_path: Path) -> None:
    app = App("flat", root_path=str(tmp_path), static_folder=".")
    app.config.update(SAFE_CONFIG)
    (tmp_path / "flat.py").write_text("")

    [line] = check(app).output.splitlines()

    assert line.startswith(f"The static folder {tmp_path} holds the app's folder")


def test_check_static_folder_that_holds_the_instance_folder(tmp_path: Path) -> None:
    app = App(
        "inst",
        root_path=str(tmp_path / "code"),
        static_folder="../public",
        instance_path=str(tmp_path / "public" / "instance"),
    )
    app.config.update(SAFE_CONFIG)

    [line] = check(app).output.splitlines()

    assert "holds the instance folder" in line


def test_check_blueprint_static_folder(safe_app: App, tmp_path: Path) -> None:
    shop = Blueprint("shop", __name__, root_path=str(tmp_path / "shop"), static_folder=".")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "views.py").write_text("")
    safe_app.register_blueprint(shop, url_prefix="/shop")

    [line] = check(safe_app).output.splitlines()

    assert line.startswith("Blueprint 'shop''s static folder")
    assert "views.py" in line


# The real command.


def run_microweb(
    *args: str, input: str | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("MICROWEB_APP", None)
    return subprocess.run(
        [sys.executable, "-m", "microweb", *args],
        cwd=cwd,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
    )


FACTORY_APP_WITH_COMMANDS = """
import click
from microweb import App, Blueprint
from microweb.cli import with_app

users = Blueprint("users", __name__)

@users.cli.command()
@with_app
def seed(app):
    click.echo(f"seeded {app.name}")

def create_app(name="site"):
    app = App(name)

    @app.cli.command("init-db")
    def init_db():
        \"\"\"Create the database.\"\"\"
        click.echo(f"initialized {app.name}")

    @app.shell_context_processor
    def names():
        return {"greeting": "hello"}

    app.register_blueprint(users)
    return app
"""


def test_real_command_runs_app_commands(tmp_path: Path) -> None:
    (tmp_path / "site_app.py").write_text(FACTORY_APP_WITH_COMMANDS)

    help_ = run_microweb("--app", "site_app:create_app('shop')", "--help", cwd=tmp_path)
    init = run_microweb("--app", "site_app", "init-db", cwd=tmp_path)
    seed = run_microweb("--app", "site_app.py", "users", "seed", cwd=tmp_path)

    assert re.search(r"^  init-db\s+Create the database\.$", help_.stdout, re.M), help_.stderr
    assert re.search(r"^  users\s", help_.stdout, re.M)
    assert init.stdout == "initialized site\n", init.stderr
    assert seed.stdout == "seeded site\n", seed.stderr


def test_real_command_shell_reads_piped_stdin(tmp_path: Path) -> None:
    (tmp_path / "site_app.py").write_text(FACTORY_APP_WITH_COMMANDS)

    result = run_microweb(
        "--app", "site_app:create_app('piped')", "shell",
        input="print(app.name)\nprint(greeting)\n",
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == "piped\nhello\n"


def test_real_command_check_strict(tmp_path: Path) -> None:
    (tmp_path / "site_app.py").write_text(FACTORY_APP_WITH_COMMANDS)

    result = run_microweb("--app", "site_app", "check", "--strict", cwd=tmp_path)

    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stdout


def test_real_command_reports_a_missing_app(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_text("value = 1\n")

    result = run_microweb("--app", "empty", "routes", cwd=tmp_path)

    assert result.returncode == 2
    assert "Found no app in 'empty'" in result.stderr
    assert "Traceback" not in result.stderr
