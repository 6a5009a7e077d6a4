"""``flask.wrappers``: the request and response classes."""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest

from .. import wrappers as _core
from ..wrappers import Response as Response
from . import json as _json


class Request(_core.Request):
    """:class:`microweb.Request` that reads JSON with the app's provider, as Flask's does."""

    #: ``get_json`` parses with ``microweb.compat.json.loads``: ``app.json``.
    json_module: t.Any = _json

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Answer invalid JSON with a 400 that says why only in debug mode, as Flask does."""
        if e is None:
            return super().on_json_loading_failed(e)
        if self.app.debug:
            raise BadRequest(f"Failed to decode JSON object: {e}")
        raise BadRequest() from e


__all__ = ["Request", "Response"]
