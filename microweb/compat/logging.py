"""``flask.logging``: the app's logger writes to the request's ``wsgi.errors``."""

from __future__ import annotations

import logging
import sys
import typing as t

from werkzeug.local import LocalProxy

from ..logging import LOG_FORMAT
from .context import AppContext, _current

if t.TYPE_CHECKING:
    from ..app import App


def _errors_stream() -> t.TextIO:
    value = _current.get(None)
    if value is not None and value.__class__ is not AppContext:
        return t.cast(t.TextIO, value.environ["wsgi.errors"])  # type: ignore[union-attr]  # a Request
    return sys.stderr


#: The request's ``wsgi.errors`` stream during a request, ``sys.stderr`` otherwise.
wsgi_errors_stream: t.TextIO = LocalProxy(_errors_stream)  # type: ignore[assignment]  # stands for a stream


def has_level_handler(logger: logging.Logger) -> bool:
    """Whether a handler in *logger*'s chain handles its effective level."""
    level = logger.getEffectiveLevel()
    current: logging.Logger | None = logger
    while current is not None:
        if any(handler.level <= level for handler in current.handlers):
            return True
        if not current.propagate:
            break
        current = current.parent
    return False


#: The handler added to an app's logger when nothing handles its level.
default_handler = logging.StreamHandler(wsgi_errors_stream)
default_handler.setFormatter(logging.Formatter(LOG_FORMAT))


def create_logger(app: App) -> logging.Logger:
    """Return the logger named after *app*, with :data:`default_handler` if needed."""
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not has_level_handler(logger):
        logger.addHandler(default_handler)
    return logger
