"""How microweb is installed: static tools must be able to find it."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest


def test_an_editable_install_is_a_path_entry() -> None:
    # setuptools makes some editable installs an import hook, which mypy
    # cannot follow: an app elsewhere would then fail to type-check with
    # "cannot find implementation or library stub for module 'microweb'".
    # The package_dir option in setup.cfg makes it a folder in a .pth file.
    # Run from the project, the metadata that setuptools leaves there
    # (microweb.egg-info) comes first; pip's record is the installed one.
    installed = [
        dist
        for dist in importlib.metadata.distributions(name="microweb")
        if json.loads(dist.read_text("direct_url.json") or "{}").get("dir_info", {}).get("editable")
    ]
    if not installed:
        pytest.skip("microweb is not installed in editable mode")
    dist = installed[0]
    entries = [
        line
        for file in dist.files or ()
        if file.name.endswith(".pth")
        for line in file.read_text().splitlines()
        if line.strip()
    ]
    assert entries, "the editable install has no .pth file"
    assert not [line for line in entries if line.startswith("import")], entries
    assert any(Path(line, "microweb", "__init__.py").is_file() for line in entries), entries
