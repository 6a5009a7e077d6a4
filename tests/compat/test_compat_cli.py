"""Flask's command-line names: AppGroup commands run in the app's application context."""

from __future__ import annotations

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


def test_flask_group_with_create_app(tmp_path: Path) -> None:
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
