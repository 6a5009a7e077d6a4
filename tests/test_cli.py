"""The ``microweb`` command: finding the app, ``routes`` and ``run``."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable
from pathlib import Path

import click
import pytest
import werkzeug.serving
from click.testing import CliRunner, Result

from microweb import App, Request
from microweb.cli import cli, with_app

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
def isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CLI puts app folders on sys.path; give each test its own copy.
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv("MICROWEB_APP", raising=False)


@pytest.fixture
def write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteModule:
    """Write *source* to a module of a unique name in tmp_path."""

    def write(source: str) -> Path:
        name = f"microweb_cli_app_{uuid.uuid4().hex}"
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        # Importing puts the module in sys.modules; these two calls make
        # monkeypatch remove it again at the end of the test.
        monkeypatch.setitem(sys.modules, name, None)  # type: ignore[arg-type]
        monkeypatch.delitem(sys.modules, name)
        importlib.invalidate_caches()
        return path

    return write


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="microweb")


def route_rows(output: str) -> list[list[str]]:
    lines = output.splitlines()
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
