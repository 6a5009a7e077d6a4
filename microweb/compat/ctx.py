"""``flask.ctx``: the contexts and the helpers that ask about them."""

from __future__ import annotations

from ..wrappers import RequestGlobals
from .context import AppContext as AppContext
from .context import RequestContext as RequestContext
from .context import current
from .helpers import after_this_request as after_this_request
from .helpers import copy_current_request_context as copy_current_request_context
from .helpers import has_app_context as has_app_context
from .helpers import has_request_context as has_request_context


class AppGlobals(RequestGlobals):
    """The ``g`` of an application context (``Flask.app_ctx_globals_class``); its repr names the app."""

    def __repr__(self) -> str:
        value = current()
        if value is not None and value.__dict__.get("g") is self:
            return f"<flask.g of {value.app.name!r}>"
        return super().__repr__()
