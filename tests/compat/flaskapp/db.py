"""The SQLite connection of the current app context, and the database commands."""

import sqlite3

import click
from werkzeug.security import generate_password_hash

from microweb.compat import current_app, g
from microweb.compat.cli import with_appcontext


def get_db():
    """Return this context's connection, opening it on first use."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
        g.db.execute("PRAGMA foreign_keys = ON")
    return g.db


def close_db(exc=None):
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def init_db():
    """Drop and create the tables."""
    with current_app.open_resource("schema.sql") as schema:
        get_db().executescript(schema.read().decode("utf-8"))


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create empty tables, dropping any that exist."""
    init_db()
    click.echo(f"Created empty tables in {current_app.config['DATABASE']}.")


@click.command("add-member")
@click.argument("username")
@click.password_option()
@with_appcontext
def add_member_command(username, password):
    """Add a member who can log in, without the register page."""
    db = get_db()
    try:
        db.execute(
            "INSERT INTO member (username, password_hash) VALUES (?, ?)",
            (username, generate_password_hash(password)),
        )
        db.commit()
    except db.IntegrityError:
        raise click.ClickException(f"{username!r} is already a member.")
    click.echo(f"Added {username}.")


def init_app(app):
    """Close the connection when each context ends, and add the commands."""
    app.teardown_appcontext(close_db)
    app.cli.add_command(init_db_command)
    app.cli.add_command(add_member_command)
