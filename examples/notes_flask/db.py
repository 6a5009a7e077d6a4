"""The database, Flask-style: one connection per request in ``g``, closed at teardown."""

from __future__ import annotations

import sqlite3
import typing as t

import click

from microweb.compat import current_app, g
from microweb.compat.cli import with_appcontext
from notes.db import connect, init_db

if t.TYPE_CHECKING:
    from microweb.compat import Flask


def get_db() -> sqlite3.Connection:
    """Return this request's connection, opening it on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return t.cast(sqlite3.Connection, g.db)


def close_db(exc: BaseException | None = None) -> None:
    """Close the connection, if this request opened one; an open transaction is rolled back."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


@click.command("init-db")
@click.option("--reset", is_flag=True, help="Delete every user and note first.")
@with_appcontext
def init_db_command(reset: bool) -> None:
    """Create the database's tables (they are also made on first run)."""
    if reset:
        click.confirm("Delete every user and note?", abort=True)
    path = current_app.config["DATABASE"]
    init_db(path, reset=reset)
    click.echo(f"Initialized the database at {path}.")


def init_app(app: Flask) -> None:
    """Close each request's connection at teardown, and add ``init-db``."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
