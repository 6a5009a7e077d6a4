import sqlite3

import pytest

from flaskapp.db import get_db


def test_get_db_is_one_connection_per_context_and_is_closed(app):
    with app.app_context():
        db = get_db()
        assert db is get_db()
        assert db.execute("SELECT count(*) FROM member").fetchone()[0] == 2

    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        db.execute("SELECT 1")


def test_each_request_closes_its_connection(app, client, monkeypatch):
    opened = []
    real_connect = sqlite3.connect

    def recording_connect(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        opened.append(connection)
        return connection

    monkeypatch.setattr(sqlite3, "connect", recording_connect)
    assert client.get("/").status_code == 200
    assert client.get("/entries/1").status_code == 200

    assert len(opened) == 2
    for connection in opened:
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            connection.execute("SELECT 1")


def test_init_db_command_empties_the_tables(app, runner):
    result = runner.invoke(args=["init-db"])

    assert result.exit_code == 0
    assert result.output == f"Created empty tables in {app.config['DATABASE']}.\n"
    with app.app_context():
        db = get_db()
        assert db.execute("SELECT count(*) FROM member").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM entry").fetchone()[0] == 0


def test_init_db_command_is_listed(runner):
    result = runner.invoke(args=["--help"])

    assert result.exit_code == 0
    assert "init-db" in result.output
    assert "add-member" in result.output


def test_add_member_command(app, runner, auth):
    result = runner.invoke(args=["add-member", "linus", "--password", "penguins rule"])

    assert (result.exit_code, result.output) == (0, "Added linus.\n")
    with app.app_context():
        row = get_db().execute("SELECT * FROM member WHERE username = 'linus'").fetchone()
        assert row["password_hash"] != "penguins rule"
    assert auth.login("linus", "penguins rule").headers["Location"] == "/"


def test_add_member_command_prompts_for_the_password(runner, auth):
    result = runner.invoke(args=["add-member", "joan"], input="cathode ray\ncathode ray\n")

    assert result.exit_code == 0
    assert result.output.endswith("Added joan.\n")
    assert auth.login("joan", "cathode ray").status_code == 302


def test_add_member_command_refuses_a_taken_name(runner):
    result = runner.invoke(args=["add-member", "ada", "--password", "another one"])

    assert result.exit_code == 1
    assert "'ada' is already a member." in result.output
