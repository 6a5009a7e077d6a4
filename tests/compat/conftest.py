from __future__ import annotations

import typing as t
from pathlib import Path

import pytest

from microweb import App
from microweb.compat import context


@pytest.fixture(autouse=True)
def leak_detector() -> t.Iterator[None]:
    """Fail a test that leaves anything bound, as Flask's leak detector does."""
    yield
    leaked = context.current()
    if leaked is not None:
        # Unbind it so that the tests after this one start clean.
        context._current.set(None)  # type: ignore[arg-type]  # only here, to clean up
        pytest.fail(f"the test left {leaked!r} bound")


@pytest.fixture(params=["explicit", "proxy"])
def style(request: pytest.FixtureRequest) -> str:
    """The style a test writes its views and hooks in; both run in a proxies-on app."""
    return t.cast(str, request.param)


@pytest.fixture
def app(tmp_path: Path) -> App:
    app = App("compat_app", root_path=str(tmp_path), proxies=True)
    app.config.update(TESTING=True, SECRET_KEY="test key")
    return app
