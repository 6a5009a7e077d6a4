"""``flask.globals``: the proxies."""

from __future__ import annotations

from .context import app_ctx as app_ctx
from .context import current_app as current_app
from .context import g as g
from .context import request as request
from .context import session as session
from .context import request_ctx as request_ctx
