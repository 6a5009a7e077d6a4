"""Flask's command-line names: AppGroup commands run in the app's application context."""

from __future__ import annotations

import sys
import typing as t
from pathlib import Path

import click
from click.testing import CliRunner

from microweb.compat import Flask, current_app
from microweb.compat.cli import FlaskGroup, ScriptInfo, with_appcontext


def test_app_cli_commands_run_in_an_application_context(tmp_path: Path) -> None:
    app = Flask("cli_app", root_path=str(tmp_path))

    @app.cli.command()
    def hello() -> None:
        click.echo(f"hello from {current_app.name}")

    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.output == "hello from cli_app\n", result.output


def test_flask_group_with_create_app(tmp_path: Path, monkeypatch: t.Any) -> None:
    # The group sets FLASK_RUN_FROM_CLI, as Flask's does; undone after.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    app = Flask("made", root_path=str(tmp_path))

    @click.command()
    @with_appcontext
    def name() -> None:
        click.echo(current_app.name)

    group = FlaskGroup(create_app=lambda: app)
    group.add_command(name)
    result = CliRunner().invoke(group, ["name"])
    assert result.output == "made\n", result.output
    assert ScriptInfo(create_app=lambda: app).load_app() is app


def test_the_flask_command_says_how_to_name_the_app(tmp_path: Path, monkeypatch: t.Any) -> None:
    from microweb.compat.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "false")
    monkeypatch.delenv("FLASK_APP", raising=False)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    result = CliRunner().invoke(cli, ["missing"])
    assert result.exit_code == 2
    assert "FLASK_APP" in result.output


def test_the_microweb_command_runs_app_commands_in_an_application_context(
    tmp_path: Path, monkeypatch: t.Any
) -> None:
    # Flask's tutorial adds a plain click command with app.cli.add_command;
    # `microweb --app x init-db` runs it inside app.app_context(), as
    # `flask --app x init-db` does, and the shell too.
    (tmp_path / "tutorial.py").write_text(
        "import click\n"
        "from microweb.compat import Flask, current_app, g\n"
        "app = Flask(__name__)\n"
        "@click.command('init-db')\n"
        "def init_db_command():\n"
        "    g.db = 'db'\n"
        "    click.echo(f'{current_app.name} {g.db}')\n"
        "app.cli.add_command(init_db_command)\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    from microweb.cli import cli as microweb_cli

    result = CliRunner().invoke(microweb_cli, ["--app", "tutorial", "init-db"])
    assert (result.exit_code, result.output) == (0, "tutorial db\n"), result.output
    shell = CliRunner().invoke(
        microweb_cli,
        ["--app", "tutorial", "shell"],
        input="from microweb.compat import current_app\nprint(current_app.name)\n",
    )
    assert (shell.exit_code, shell.output) == (0, "tutorial\n"), shell.output
    # Nothing stays bound after the command.
    from microweb.compat import has_app_context

    assert not has_app_context()


def test_microweb_run_serves_a_flask_app_whatever_flask_run_from_cli_says(
    tmp_path: Path, monkeypatch: t.Any
) -> None:
    import werkzeug.serving

    # Left over from Flask's own command in this process, say: a Flask
    # app's run() then does nothing, but `microweb run` serves it.
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(
        werkzeug.serving, "run_simple", lambda host, port, app, **options: calls.append((host, port))
    )
    (tmp_path / "served.py").write_text("from microweb.compat import Flask\napp = Flask(__name__)\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    from microweb.cli import cli as microweb_cli

    result = CliRunner().invoke(microweb_cli, ["--app", "served", "run", "--port", "5123"])
    assert result.exit_code == 0, result.output
    assert calls == [("127.0.0.1", 5123)]
