"""``flask.testing``: the test client and CLI runner."""

from __future__ import annotations

from ..testing import CliRunner as FlaskCliRunner
from werkzeug.test import EnvironBuilder as EnvironBuilder
from ..testing import TestClient as FlaskClient
