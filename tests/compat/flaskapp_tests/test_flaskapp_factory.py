import importlib
import shutil
import sys
from pathlib import Path

import pytest

from flaskapp import create_app

PACKAGE = Path(__file__).resolve().parent.parent / "flaskapp"


def test_config():
    assert not create_app({"DATABASE": ":memory:"}).testing
    assert create_app({"TESTING": True, "DATABASE": ":memory:"}).testing


def test_test_config_overrides_the_defaults(app, tmp_path):
    assert app.config["DATABASE"] == str(tmp_path / "logbook.sqlite")
    assert app.config["LOGBOOK_TITLE"] == "Logbook"
    assert app.config["SECRET_KEY"].startswith("not a secret")


@pytest.fixture
def deployed(tmp_path, monkeypatch):
    """A copy of the package as a deployment has it, with an instance folder beside it."""
    shutil.copytree(PACKAGE, tmp_path / "logbook_deploy")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [name for name in sys.modules if name.partition(".")[0] == "logbook_deploy"]:
        del sys.modules[name]


def test_instance_config_is_read_from_the_instance_folder(deployed):
    instance = deployed / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'SECRET_KEY = "kept out of the code"\nLOGBOOK_TITLE = "Ship\'s log"\n'
    )
    app = importlib.import_module("logbook_deploy").create_app()

    assert app.instance_path == str(instance)
    assert app.config["SECRET_KEY"] == "kept out of the code"
    assert app.config["DATABASE"] == str(instance / "logbook.sqlite")

    runner = app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    assert (instance / "logbook.sqlite").is_file()
    page = app.test_client().get("/")
    assert "<title>Entries · Ship&#39;s log</title>" in page.text


def test_no_instance_config_is_fine_and_the_folder_is_made(deployed):
    app = importlib.import_module("logbook_deploy").create_app()

    assert (deployed / "instance").is_dir()
    assert app.config["SECRET_KEY"].startswith("not a secret")
    assert not app.testing
