from __future__ import annotations

from pathlib import Path

import pytest

from microweb import App
from microweb.testing import TestClient


@pytest.fixture
def app(tmp_path: Path) -> App:
    app = App("test_app", root_path=str(tmp_path))
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app


@pytest.fixture
def client(app: App) -> TestClient:
    return app.test_client()
