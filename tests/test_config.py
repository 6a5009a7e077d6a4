from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from microweb import App
from microweb.config import DEFAULT_CONFIG, Config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class Settings:
    DEBUG = True
    SECRET_KEY = "from object"
    lowercase = "ignored"


def test_defaults_are_documented_values(tmp_path: Path) -> None:
    config = Config(tmp_path, DEFAULT_CONFIG)
    assert config["DEBUG"] is False
    assert config["TESTING"] is False
    assert config["SECRET_KEY"] is None
    assert config["SERVER_NAME"] is None
    assert config["APPLICATION_ROOT"] == "/"
    assert config["PREFERRED_URL_SCHEME"] == "http"
    assert config["MAX_CONTENT_LENGTH"] is None
    assert config["TRUSTED_HOSTS"] is None
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_configs_never_share_state(tmp_path: Path) -> None:
    first = App("first", root_path=str(tmp_path))
    second = App("second", root_path=str(tmp_path))
    first.config["SECRET_KEY"] = "one"
    first.config.from_mapping(EXTRA={"a": 1})
    assert second.config["SECRET_KEY"] is None
    assert "EXTRA" not in second.config
    assert "EXTRA" not in DEFAULT_CONFIG
    assert DEFAULT_CONFIG["SECRET_KEY"] is None


def test_from_mapping_takes_uppercase_only(tmp_path: Path) -> None:
    config = Config(tmp_path)
    assert config.from_mapping({"A": 1, "b": 2}, C=3, d=4) is True
    assert config == {"A": 1, "C": 3}


def test_from_object_with_object_and_import_string(tmp_path: Path) -> None:
    config = Config(tmp_path)
    config.from_object(Settings)
    assert config == {"DEBUG": True, "SECRET_KEY": "from object"}
    other = Config(tmp_path)
    other.from_object(f"{__name__}:Settings")
    assert other["SECRET_KEY"] == "from object"
    module = Config(tmp_path)
    module.from_object("json")
    assert "dumps" not in module


def test_from_pyfile(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text("import os\nSECRET_KEY = 'py' + 'file'\nhelper = 1\n")
    config = Config(tmp_path)
    assert config.from_pyfile("settings.py") is True
    assert config == {"SECRET_KEY": "pyfile"}


def test_from_pyfile_missing(tmp_path: Path) -> None:
    config = Config(tmp_path)
    assert config.from_pyfile("missing.py", silent=True) is False
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_pyfile("missing.py")


def test_from_pyfile_errors_propagate(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("SECRET_KEY = undefined_name\n")
    with pytest.raises(NameError):
        Config(tmp_path).from_pyfile("bad.py", silent=True)


def test_from_envvar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "env.py").write_text("SERVER_NAME = 'example.com'\n")
    config = Config(tmp_path)
    monkeypatch.delenv("APP_SETTINGS", raising=False)
    assert config.from_envvar("APP_SETTINGS", silent=True) is False
    with pytest.raises(RuntimeError, match="APP_SETTINGS"):
        config.from_envvar("APP_SETTINGS")
    monkeypatch.setenv("APP_SETTINGS", str(tmp_path / "env.py"))
    assert config.from_envvar("APP_SETTINGS") is True
    assert config["SERVER_NAME"] == "example.com"


def test_from_prefixed_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROWEB_SECRET_KEY", "plain string")
    monkeypatch.setenv("MICROWEB_DEBUG", "true")
    monkeypatch.setenv("MICROWEB_PORT", "8080")
    monkeypatch.setenv("MICROWEB_HOSTS", '["a", "b"]')
    monkeypatch.setenv("MICROWEB_DB__HOST", "localhost")
    monkeypatch.setenv("MICROWEB_DB__PORT", "5432")
    monkeypatch.setenv("OTHER_THING", "1")
    config = Config(tmp_path, {"DB": {"NAME": "app"}})
    assert config.from_prefixed_env() is True
    assert config["SECRET_KEY"] == "plain string"
    assert config["DEBUG"] is True
    assert config["PORT"] == 8080
    assert config["HOSTS"] == ["a", "b"]
    assert config["DB"] == {"NAME": "app", "HOST": "localhost", "PORT": 5432}
    assert "THING" not in config


def test_from_prefixed_env_custom_prefix_and_loads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MYAPP_NUMBER", "7")
    config = Config(tmp_path)
    config.from_prefixed_env("MYAPP", loads=str)
    assert config["NUMBER"] == "7"


def test_from_file_json_and_toml(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"SECRET_KEY": "json", "x": 1}))
    (tmp_path / "config.toml").write_text('SERVER_NAME = "toml.test"\n')
    config = Config(tmp_path)
    assert config.from_file("config.json", json.load) is True
    assert config.from_file("config.toml", tomllib.load, text=False) is True
    assert config == {"SECRET_KEY": "json", "SERVER_NAME": "toml.test"}
    assert config.from_file("missing.json", json.load, silent=True) is False
    with pytest.raises(OSError, match="Unable to load configuration file"):
        config.from_file("missing.json", json.load)


def test_get_namespace(tmp_path: Path) -> None:
    config = Config(tmp_path, {"MAIL_HOST": "h", "MAIL_PORT": 25, "OTHER": 1})
    assert config.get_namespace("MAIL_") == {"host": "h", "port": 25}
    assert config.get_namespace("MAIL_", lowercase=False) == {"HOST": "h", "PORT": 25}
    assert config.get_namespace("MAIL_", trim_namespace=False) == {
        "mail_host": "h",
        "mail_port": 25,
    }


def test_repr(tmp_path: Path) -> None:
    assert repr(Config(tmp_path, {"A": 1})) == "<Config {'A': 1}>"


def test_instance_relative_config(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "settings.py").write_text("SECRET_KEY = 'instance'\n")
    app = App(
        "relative",
        root_path=str(tmp_path / "code"),
        instance_path=str(instance),
        instance_relative_config=True,
    )
    app.config.from_pyfile("settings.py")
    assert app.config["SECRET_KEY"] == "instance"
