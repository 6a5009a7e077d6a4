"""``flask.ctx``: the contexts and the helpers that ask about them."""

from __future__ import annotations

from .context import AppContext as AppContext
from .context import RequestContext as RequestContext
from .helpers import after_this_request as after_this_request
from .helpers import copy_current_request_context as copy_current_request_context
from .helpers import has_app_context as has_app_context
from .helpers import has_request_context as has_request_context
