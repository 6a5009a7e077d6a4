"""The app's logger."""

from __future__ import annotations

import logging
import typing as t

if t.TYPE_CHECKING:
    from .app import App

#: The format of the handler added when logging is not configured.
LOG_FORMAT = "[%(asctime)s] %(levelname)s in %(module)s: %(message)s"


def create_logger(app: App) -> logging.Logger:
    """Return the logger named after *app*, ready to use.

    If logging has not been configured, a handler that writes to
    ``sys.stderr`` is added; in debug mode the level is ``DEBUG``.
    """
    logger = logging.getLogger(app.name)
    if app.debug and not logger.level:
        logger.setLevel(logging.DEBUG)
    if not logger.hasHandlers():
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        logger.addHandler(handler)
    return logger
